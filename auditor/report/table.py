"""The terminal report (rich): per case a header with its score, a table of
findings (severity, rule, message, document:page), the three-way outcome of
every rule, and what could not be read.

The layout follows the width it is given (``RenderOptions.width``): columns
when the message keeps at least ``MIN_MESSAGE`` characters and the terminal is
at least ``STACK_BELOW`` wide, one block per finding below that.  Documents are
named by their path inside the case and wrapped only at path separators; a
file name is never cut."""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from auditor.models import AuditResult, CaseResult, Outcome, Severity
from auditor.report import RenderOptions
from auditor.report import terms_view
from auditor.report.json_ import case_label
from auditor.report.json_ import case_relative
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


STACK_BELOW = 100  # narrower terminals get one block per finding instead of columns
MIN_MESSAGE = 36  # the message column never gets narrower than this; else stack
MAX_WHERE = 3  # evidence locations listed per finding (the rest counted)


def split_path(item: str, width: int) -> list[str]:
    """``item`` ("annex/b/judgment.pdf:3") in lines of at most ``width``,
    broken only after a path separator; a single name longer than the line is
    the only thing ever folded."""
    parts = item.split("/")
    pieces = [p + "/" for p in parts[:-1]] + [parts[-1]]
    lines: list[str] = []
    cur = ""
    for piece in pieces:
        if cur and len(cur) + len(piece) > width:
            lines.append(cur)
            cur = ""
        cur += piece
    lines.append(cur)
    out: list[str] = []
    for line in lines:  # only a name wider than the whole line is cut, and says so by folding
        while len(line) > width:
            out.append(line[:width])
            line = line[width:]
        out.append(line)
    return out


def fill_items(items: list[str], width: int, sep: str = ", ") -> list[str]:
    """Items on lines of at most ``width``, never an item split across lines
    unless it alone is wider than a line (then at its path separators)."""
    lines: list[str] = []
    cur = ""
    for i, item in enumerate(items):
        text = item + (sep.rstrip() if i < len(items) - 1 else "")
        if cur and len(cur) + len(sep) - len(sep.rstrip()) + len(text) <= width:
            cur += sep[len(sep.rstrip()):] + text
            continue
        if cur:
            lines.append(cur)
        if len(text) <= width:
            cur = text
        else:
            *head, cur = split_path(text, width)
            lines += head
    if cur:
        lines.append(cur)
    return lines


def _where_items(f, case_id: str) -> tuple[list[str], int]:
    """The first ``MAX_WHERE`` distinct "file:page" locations, and how many more there are."""
    items = list(dict.fromkeys(case_relative(e.document, case_id) + e.where[len(e.document):] for e in f.evidence))
    return items[:MAX_WHERE], max(0, len(items) - MAX_WHERE)


def _where_width(case: CaseResult) -> int:
    """Wide enough for the longest file name (with its page) of the case's evidence."""
    longest = len("Where")
    for f in case.findings:
        items, more = _where_items(f, case.id)
        for item in items:
            *dirs, name = item.split("/")
            longest = max(longest, len(name), *(len(d) + 1 for d in dirs))  # a folder shows with its "/"
        if more:
            longest = max(longest, len(f"(+{more} more)"))
    return longest


def _severity(f) -> Text:
    sev = Text(f.severity.value, style=SEVERITY_STYLE[f.severity])
    if f.known:
        sev.append(" (known)", style="dim")
    if f.suppressed is not None:
        sev.append(f" (suppressed: {strip_controls(f.suppressed)})", style="dim")
    return sev


def _message(f) -> Text:
    text = _plain(f.message)
    text.append(f"  (confidence {f.confidence:.2f})", style="dim")
    return text


def _columns(console: Console, case: CaseResult, where_w: int) -> None:
    rule_w = max(len("Rule"), max(len(f.rule_id) for f in case.findings))
    table = Table(box=box.SIMPLE_HEAD, show_lines=False, expand=True, pad_edge=False)
    table.add_column("Severity", no_wrap=True, width=max(len("critical"), max(len(_severity(f)) for f in case.findings)))
    table.add_column("Rule", no_wrap=True, style="bold", width=rule_w)
    table.add_column("Message", ratio=1)
    table.add_column("Where", no_wrap=True, width=where_w)
    for f in case.findings:
        items, more = _where_items(f, case.id)
        lines = [ln for item in items for ln in split_path(item, where_w)]
        if more:
            lines.append(f"(+{more} more)")
        table.add_row(_severity(f), f.rule_id, _message(f), Text("\n".join(strip_controls(ln) for ln in lines)))
    console.print(table)


def _stacked(console: Console, case: CaseResult) -> None:
    width = console.width
    for f in case.findings:
        head = Text(" ")
        head.append_text(_severity(f))
        head.append("  ")
        head.append(f.rule_id, style="bold")
        console.print(head)
        console.print(Padding(_message(f), (0, 0, 0, 3)))
        items, more = _where_items(f, case.id)
        if more:
            items[-1] += f" (+{more} more)"
        for i, line in enumerate(fill_items(items, width - 6)):
            console.print(_plain(("   at " if i == 0 else "      ") + line, style="dim"), no_wrap=True, overflow="ignore")
        console.print()


def _case(console: Console, case: CaseResult, label: str) -> None:
    pages = sum(d.pages for d in case.documents)
    ocr = sum(len(d.ocr_pages) for d in case.documents)
    header = Text()
    header.append("Case ", style="bold")
    header.append(strip_controls(label), style="bold cyan")
    header.append("  risk score ")
    header.append(f"{case.score:.1f}/100", style=_score_style(case.score))
    tail = f"{len(case.documents)} document(s), {pages} page(s)"
    if ocr:
        tail += f", {ocr} OCR'd"
    tail += f"  ·  {len(case.findings)} finding(s)"
    if len(header) + 5 + len(tail) <= console.width:
        header.append("  ·  " + tail)
        console.print(header)
    else:  # a narrow terminal: the counts on a line of their own
        console.print(header)
        console.print(Padding(Text(tail), (0, 0, 0, 2)))
    terms_view.table_block(console, case)
    if case.findings:
        where_w = _where_width(case)
        sev_w = max(len("critical"), max(len(_severity(f)) for f in case.findings))
        rule_w = max(len(f.rule_id) for f in case.findings)
        message_w = console.width - (sev_w + rule_w + where_w + 6)  # three gaps of two spaces
        if console.width < STACK_BELOW or message_w < MIN_MESSAGE:
            console.print()
            _stacked(console, case)
        else:
            _columns(console, case, where_w)
    fired = [c for c in case.checks if c.outcome is Outcome.FIRED]
    silent = [c for c in case.checks if c.outcome is Outcome.NOT_FIRED]
    insufficient = [c for c in case.checks if c.outcome is Outcome.INSUFFICIENT]
    line = Text("  Checks: ", style="dim")
    line.append(f"{len(fired)} fired · {len(silent)} not fired · {len(insufficient)} insufficient evidence", style="dim")
    console.print(line)
    for c in insufficient:
        console.print(Padding(_plain(f"{c.rule_id}: {c.reason}", style="dim"), (0, 0, 0, 4)))
    for c in case.checks:
        if c.outcome is Outcome.ERROR:
            console.print(Padding(_plain(f"{c.rule_id}: {c.reason}", style="red"), (0, 0, 0, 4)))
    for d in case.documents:  # unread pages are said once, in the run notes below
        if d.error is not None:
            console.print(Padding(_plain(f"! {d.path}: {d.error.code}: {d.error.message}", style="red"), (0, 0, 0, 2)))
        for message in d.internal_errors:
            console.print(Padding(_plain(f"! {d.path}: internal error (a bug) in {message}", style="red"), (0, 0, 0, 2)))
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
    text = buf.getvalue()
    if options.color:
        return text
    return "".join(line.rstrip() + "\n" for line in text.splitlines())  # no padding to the right edge
