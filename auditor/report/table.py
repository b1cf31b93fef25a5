"""The terminal report (rich): per case a header with its score, a table of
findings (severity, rule, message, document:page), the three-way outcome of
every rule, and what could not be read."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from auditor.models import AuditResult, CaseResult, Outcome, Severity
from auditor.report import RenderOptions
from auditor.report.json_ import case_label

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def _score_style(score: float) -> str:
    return "bold red" if score >= 70 else "yellow" if score >= 30 else "green"


def _case(console: Console, case: CaseResult, label: str) -> None:
    pages = sum(d.pages for d in case.documents)
    ocr = sum(len(d.ocr_pages) for d in case.documents)
    header = Text()
    header.append("Case ", style="bold")
    header.append(label, style="bold cyan")
    header.append("  risk score ")
    header.append(f"{case.score:.1f}/100", style=_score_style(case.score))
    header.append(f"  ·  {len(case.documents)} document(s), {pages} page(s)")
    if ocr:
        header.append(f", {ocr} OCR'd")
    header.append(f"  ·  {len(case.findings)} finding(s)")
    console.print(header)
    if case.findings:
        table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=True, pad_edge=False)
        table.add_column("Severity", no_wrap=True)
        table.add_column("Rule", no_wrap=True, style="bold")
        table.add_column("Message", ratio=1)
        table.add_column("Where", no_wrap=False, max_width=40, overflow="fold")
        for f in case.findings:
            where = "\n".join(f"{e.document}:{e.page}" for e in f.evidence[:3])
            if len(f.evidence) > 3:
                where += f"\n(+{len(f.evidence) - 3} more)"
            sev = Text(f.severity.value, style=SEVERITY_STYLE[f.severity])
            if f.known:
                sev.append(" (known)", style="dim")
            if f.suppressed is not None:
                sev.append(f" (suppressed: {f.suppressed})", style="dim")
            table.add_row(sev, f.rule_id, f"{f.message}  [dim](confidence {f.confidence:.2f})[/dim]", where)
        console.print(table)
    fired = [c for c in case.checks if c.outcome is Outcome.FIRED]
    silent = [c for c in case.checks if c.outcome is Outcome.NOT_FIRED]
    insufficient = [c for c in case.checks if c.outcome is Outcome.INSUFFICIENT]
    line = Text("  Checks: ", style="dim")
    line.append(f"{len(fired)} fired · {len(silent)} not fired · {len(insufficient)} insufficient evidence", style="dim")
    console.print(line)
    for c in insufficient:
        console.print(Text(f"    {c.rule_id}: {c.reason}", style="dim"))
    for c in case.checks:
        if c.outcome is Outcome.ERROR:
            console.print(Text(f"    {c.rule_id}: {c.reason}", style="red"))
    for d in case.documents:  # unread pages are said once, in the run notes below
        if d.error is not None:
            console.print(Text(f"  ! {d.path}: {d.error.code}: {d.error.message}", style="red"))
    console.print()


def render(result: AuditResult, options: RenderOptions | None = None) -> str:
    options = options or RenderOptions()
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=options.width,
        color_system="standard" if options.color else None,
        force_terminal=options.color,
        no_color=not options.color,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    if not result.cases:
        console.print("No PDF documents found.")
    for case in result.cases:
        _case(console, case, case_label(result, case.id))
    total = sum(len(c.findings) for c in result.cases)
    by_sev: dict[str, int] = {}
    for f in result.iter_findings():
        by_sev[f.severity.value] = by_sev.get(f.severity.value, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(by_sev.items(), key=lambda x: -Severity(x[0]).rank))
    s = result.stats
    line = f"{total} finding(s) in {len(result.cases)} case(s)"
    if summary:
        line += f" ({summary})"
    line += f"; {s.documents} document(s), {s.pages} page(s)"
    if s.ocr_pages:
        line += f", {s.ocr_pages} OCR'd"
    if s.errors:
        line += f", {s.errors} unreadable"
    console.print(Text(line, style="bold"))
    for note in result.notes:
        console.print(Text(f"note: {note}", style="yellow"))
    if result.skipped:
        console.print(Text(f"skipped {len(result.skipped)} file(s): " + ", ".join(f"{k.path} ({k.reason})" for k in result.skipped[:10]) + (" …" if len(result.skipped) > 10 else ""), style="dim"))
    return buf.getvalue()
