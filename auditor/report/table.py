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
from auditor.safe_text import strip_controls

# Everything shown here that comes from a document or the file system goes in
# as a rich Text (never parsed as markup: "[sic]" stays, "[/x]" cannot break
# the table) and through strip_controls (no escape sequence reaches the terminal).


def _plain(text: str, style: str = "") -> Text:
    return Text(strip_controls(text), style=style)

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
    header.append(strip_controls(label), style="bold cyan")
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
            where = "\n".join(f"{strip_controls(e.document)}:{e.page}" for e in f.evidence[:3])
            if len(f.evidence) > 3:
                where += f"\n(+{len(f.evidence) - 3} more)"
            sev = Text(f.severity.value, style=SEVERITY_STYLE[f.severity])
            if f.known:
                sev.append(" (known)", style="dim")
            message = _plain(f.message)
            message.append(f"  (confidence {f.confidence:.2f})", style="dim")
            table.add_row(sev, _plain(f.rule_id), message, Text(where))
        console.print(table)
    fired = [c for c in case.checks if c.outcome is Outcome.FIRED]
    silent = [c for c in case.checks if c.outcome is Outcome.NOT_FIRED]
    insufficient = [c for c in case.checks if c.outcome is Outcome.INSUFFICIENT]
    line = Text("  Checks: ", style="dim")
    line.append(f"{len(fired)} fired · {len(silent)} not fired · {len(insufficient)} insufficient evidence", style="dim")
    console.print(line)
    for c in insufficient:
        console.print(_plain(f"    {c.rule_id}: {c.reason}", style="dim"))
    for c in case.checks:
        if c.outcome is Outcome.ERROR:
            console.print(_plain(f"    {c.rule_id}: {c.reason}", style="red"))
    for d in case.documents:  # unread pages are said once, in the run notes below
        if d.error is not None:
            console.print(_plain(f"  ! {d.path}: {d.error.code}: {d.error.message}", style="red"))
        for message in d.internal_errors:
            console.print(_plain(f"  ! {d.path}: internal error (a bug) in {message}", style="red"))
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
        console.print(_plain(f"note: {note}", style="yellow"))
    if result.skipped:
        console.print(_plain(f"skipped {len(result.skipped)} file(s): " + ", ".join(f"{k.path} ({k.reason})" for k in result.skipped[:10]) + (" …" if len(result.skipped) > 10 else ""), style="dim"))
    return buf.getvalue()
