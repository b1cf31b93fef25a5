"""A single self-contained HTML report: open it from disk, mail it, publish it.

No network: no external script, stylesheet, font or image; a Content Security
Policy that forbids loading anything and only allows the one inline script (by
its hash) makes that explicit.  The page works without JavaScript: every finding
is in a plain table, most serious first.  With JavaScript, filter controls
(minimum severity, rule, case, free text) appear and the column headers become
sort buttons.

Every string that comes from a PDF or the file system (quotes, messages, paths,
case ids, notes, error messages) goes through ``html.escape(..., quote=True)``
and only into element text or double-quoted attributes.  The script carries no
data at all: it reads the rows' ``data-*`` attributes (escaped like everything
else) and only ever sets ``textContent``, never ``innerHTML``.
"""

from __future__ import annotations

from auditor.spool import sorted_by_id

import os

import base64
import hashlib
from html import escape
from urllib.parse import quote as url_quote

from auditor.models import AuditResult, CaseResult, Check, DocumentInfo, Evidence, Finding, Outcome, Severity, legal_basis
from auditor.report import RenderOptions
from auditor.report import terms_view
from auditor.report.json_ import (
    SEVERITIES_DESC,
    case_label,
    ranked_cases,
    severity_counts,
)
from auditor.safe_text import strip_controls

SHORT_SHA = 12


def esc(text: object) -> str:
    """Text from anywhere outside this module, made inert in element text and quoted
    attributes (and on a terminal that prints the file: no control characters)."""
    return escape(strip_controls("" if text is None else str(text), keep_newlines=True), quote=True)


def _href(uri: str) -> str | None:
    """Only plain web links are ever written into an href."""
    return esc(uri) if uri.startswith(("https://", "http://")) else None


def _page_href(links: dict[str, str], document: str, page: int) -> str:
    """A relative link to ``page`` of ``document`` (``file.pdf#page=N``, which
    PDF viewers in browsers open at that page).  Every character that could
    make it a scheme, a query or markup is percent-encoded."""
    target = links.get(document, document)
    return esc(url_quote(os.fsencode(target.replace("\\", "/")), safe="/.-_~") + f"#page={page}")


def document_links(documents: "list[tuple[str, object]]", base_dir: object) -> tuple[tuple[str, str], ...]:
    """(report path, file on disk) of each document -> (report path, href relative
    to ``base_dir``, the folder the report is written to), for ``RenderOptions``."""
    import os

    out = []
    for rel, path in documents:
        try:
            out.append((rel, os.path.relpath(os.fspath(path), os.fspath(base_dir)).replace(os.sep, "/")))
        except ValueError:  # another drive (Windows): no relative path; keep the scanned-root one
            continue
    return tuple(sorted(out))


CSS = """
:root { --fg: #1d232b; --muted: #5b6570; --line: #d8dde3; --bg: #ffffff; --soft: #f4f6f8;
  --critical: #8e0b0b; --high: #c2410c; --medium: #a16207; --low: #0e7490; --info: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg); }
header, main, body > footer { max-width: 1200px; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h3 { font-size: 1.05rem; margin: 1.5rem 0 .5rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
.meta { color: var(--muted); margin: .25rem 0; }
.caveat { background: #fff8e1; border-left: 4px solid var(--medium); padding: .5rem .75rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .45rem .5rem; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; overflow-wrap: anywhere; }
code.rule-id { white-space: nowrap; overflow-wrap: normal; }
@media (max-width: 720px) { code.rule-id { white-space: normal; overflow-wrap: normal; } }
.stats { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; margin: .5rem 0 1rem; }
.stats li { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: .35rem .7rem; }
.sev { display: inline-block; min-width: 5.2em; text-align: center; border-radius: 4px; padding: 0 .4em;
  color: #fff; font-size: .8rem; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.sev-critical { background: var(--critical); } .sev-high { background: var(--high); }
.sev-medium { background: var(--medium); } .sev-low { background: var(--low); } .sev-info { background: var(--info); }
.known { display: inline-block; margin-top: .25rem; font-size: .75rem; color: var(--muted); border: 1px solid var(--line);
  border-radius: 4px; padding: 0 .3em; }
meter { width: 8rem; vertical-align: middle; }
#findings-table td.finding { width: 100%; }
.finding-title { font-weight: 600; margin: 0 0 .2rem; }
.finding p { margin: .2rem 0; }
blockquote { margin: .5rem 0; padding: .35rem .75rem; border-left: 4px solid var(--line); background: var(--soft); }
blockquote p { margin: 0; }
blockquote .ctx { color: var(--muted); }
blockquote mark { background: #fff3bf; color: inherit; padding: 0 .1em; }
blockquote footer { color: var(--muted); font-size: .85rem; margin-top: .2rem; }
details.more { margin: .25rem 0; }
details.more > summary { cursor: pointer; color: var(--muted); font-size: .85rem; }
.key-facts:empty { display: none; }
.small { color: var(--muted); font-size: .85rem; }
.controls { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: end; margin: 0 0 .75rem; }
.controls label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
.controls select, .controls input { font: inherit; padding: .2rem .3rem; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th button::after { content: " \\2195"; color: var(--muted); }
th[aria-sort="ascending"] button::after { content: " \\2191"; }
th[aria-sort="descending"] button::after { content: " \\2193"; }
tr[hidden] { display: none; }
table.single-case .case-col { display: none; }
.bad { color: var(--critical); }
.warn { color: var(--medium); }
.checks td { padding: .2rem .5rem; } .checks td:first-child, .checks td:nth-child(2) { width: 1%; white-space: nowrap; }
.outcome-fired { color: var(--high); font-weight: 600; } .outcome-error { color: var(--critical); font-weight: 600; }
.outcome-insufficient-evidence { color: var(--medium); } .outcome-not-fired { color: var(--muted); }
@media print {
  @page { margin: 14mm 12mm; }
  body { font-size: 10.5pt; line-height: 1.4; }
  header, main, body > footer { max-width: none; padding: 0; }
  .controls, meter, details.more > summary { display: none; }
  a { color: inherit; text-decoration: none; }
  a.page-link::after { content: " (" attr(href) ")"; font-size: .8em; color: var(--muted); word-break: break-all; }
  h2 { break-after: avoid; }
  tr, blockquote, .case { break-inside: avoid; }
  th { background: none; }
  .sev, .caveat, blockquote { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
""".strip()

SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  var controls = document.getElementById("controls");
  if (!table || !controls || !table.tBodies.length) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var severity = document.getElementById("f-severity");
  var rule = document.getElementById("f-rule");
  var kase = document.getElementById("f-case");
  var text = document.getElementById("f-text");
  var count = document.getElementById("f-count");
  function fill(select, key) {
    var seen = [];
    rows.forEach(function (r) { var v = r.getAttribute(key); if (seen.indexOf(v) < 0) { seen.push(v); } });
    seen.sort().forEach(function (v) {
      var o = document.createElement("option");
      o.value = v;
      o.textContent = v;
      select.appendChild(o);
    });
  }
  fill(rule, "data-rule");
  fill(kase, "data-case");
  function apply() {
    var min = Number(severity.value), r0 = rule.value, c0 = kase.value;
    var q = text.value.trim().toLowerCase(), shown = 0;
    rows.forEach(function (r) {
      var ok = Number(r.getAttribute("data-severity")) >= min &&
        (!r0 || r.getAttribute("data-rule") === r0) &&
        (!c0 || r.getAttribute("data-case") === c0) &&
        (!q || r.textContent.toLowerCase().indexOf(q) >= 0);
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = shown + " of " + rows.length + " finding(s) shown";
  }
  [severity, rule, kase].forEach(function (el) { el.addEventListener("change", apply); });
  text.addEventListener("input", apply);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th) {
    var key = th.getAttribute("data-sort");
    if (!key) { return; }
    var button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(button);
    button.addEventListener("click", function () {
      var dir = th.getAttribute("aria-sort") === "descending" ? 1 : -1;
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
      var numeric = th.getAttribute("data-type") === "number";
      rows.sort(function (a, b) {
        var x = a.getAttribute("data-" + key), y = b.getAttribute("data-" + key);
        var c = numeric ? Number(x) - Number(y) : x.localeCompare(y);
        return c ? c * dir : Number(a.getAttribute("data-order")) - Number(b.getAttribute("data-order"));
      });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  controls.hidden = false;
  apply();
}());
(function () {
  "use strict";
  var opened = [];
  window.addEventListener("beforeprint", function () {
    opened = Array.prototype.slice.call(document.querySelectorAll("details:not([open])"));
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
}());
""".strip()

SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{SCRIPT_HASH}'; img-src 'none'; base-uri 'none'; form-action 'none'"
)


# --- pieces -------------------------------------------------------------------------------------


def _sev(s: Severity) -> str:
    return f'<span class="sev sev-{s.value}">{s.value}</span>'


def _counts(counts: dict[Severity, int]) -> str:
    return ", ".join(f"{n} {s.value}" for s, n in counts.items())


def _header(result: AuditResult) -> list[str]:
    date = esc(result.generated_at) if result.generated_at else "not recorded"
    roots = ", ".join(f"<code>{esc(r)}</code>" for r in result.roots) or "nothing"
    return [
        "<header>",
        "<h1>Procurement red-flag review</h1>",
        f'<p class="meta">Prepared with auditor {esc(result.tool_version)} · Scanned: {roots} · Date: {date}</p>',
        '<p class="caveat"><strong>A flag is a reason to review, not proof of wrongdoing.</strong> '
        "Every finding quotes the page it rests on; read the quote in its context before relying on it.</p>",
        "</header>",
    ]


def _summary(result: AuditResult) -> list[str]:
    docs = result.documents
    findings = list(result.iter_findings())
    counts = severity_counts(findings)
    out = ['<section id="summary">', "<h2>Summary</h2>", '<ul class="stats">']
    out.append(f"<li><strong>{len(result.cases)}</strong> case(s)</li>")
    out.append(f"<li><strong>{len(docs)}</strong> document(s), {sum(d.pages for d in docs)} page(s)</li>")
    ocr = sum(len(d.ocr_pages) for d in docs)
    if ocr:
        out.append(f"<li><strong>{ocr}</strong> page(s) read by OCR</li>")
    bad = sum(1 for d in docs if d.error is not None)
    if bad:
        out.append(f'<li class="bad"><strong>{bad}</strong> unreadable document(s)</li>')
    out.append(f"<li><strong>{len(findings)}</strong> finding(s)</li>")
    out += [f"<li>{_sev(s)} {n}</li>" for s, n in counts.items()]
    out.append("</ul>")
    if not result.cases:
        out += ["<p>No PDF documents were found, so nothing was reviewed.</p>", "</section>"]
        return out
    out += [
        "<table>",
        "<caption class=\"small\">Cases ranked by risk score (0 = no flag, 100 = many strong flags)</caption>",
        '<thead><tr><th class="num">Rank</th><th>Case</th><th class="num">Risk score</th><th></th>'
        '<th>Findings</th><th class="num">Documents</th></tr></thead>',
        "<tbody>",
    ]
    for rank, case in enumerate(ranked_cases(result), 1):
        c = severity_counts(case.findings)
        found = f"{len(case.findings)}" + (f" ({_counts(c)})" if c else "")
        out.append(
            f'<tr><td class="num">{rank}</td><td>{esc(case_label(result, case.id))}</td>'
            f'<td class="num">{case.score:.1f}</td>'
            f'<td><meter min="0" max="100" low="30" high="70" optimum="0" value="{case.score:.1f}">{case.score:.1f}</meter></td>'
            f'<td>{found}</td><td class="num">{len(case.documents)}</td></tr>'
        )
    out += ["</tbody>", "</table>", "</section>"]
    return out


def _controls() -> list[str]:
    options = ['<option value="0">all</option>'] + [
        f'<option value="{s.rank}">{s.value}{"" if s is Severity.CRITICAL else " and above"}</option>'
        for s in reversed(SEVERITIES_DESC)
        if s is not Severity.INFO
    ]
    return [
        '<div id="controls" class="controls" hidden>',
        f'<label for="f-severity">Severity<select id="f-severity">{"".join(options)}</select></label>',
        '<label for="f-rule">Rule<select id="f-rule"><option value="">all rules</option></select></label>',
        '<label for="f-case">Case<select id="f-case"><option value="">all cases</option></select></label>',
        '<label for="f-text">Text<input id="f-text" type="search" placeholder="words in message or quote"></label>',
        '<span id="f-count" class="small" aria-live="polite"></span>',
        "</div>",
    ]


def _quote(e: Evidence, links: dict[str, str], context: bool) -> str:
    """One evidence item: the verbatim quote (marked) inside its paragraph, and
    a link to its page of the document."""
    ocr = " (text read by OCR)" if e.ocr else ""
    body = f"<mark>{esc(e.quote)}</mark>"
    if context and e.before:
        body = f'<span class="ctx">… {esc(e.before)} </span>' + body
    if context and e.after:
        body += f'<span class="ctx"> {esc(e.after)} …</span>'
    if e.pointer is not None:  # JSON evidence (OCDS): no page to link, the member's pointer
        return (f"<blockquote><p>{body}</p>"
                f"<footer>— <cite>{esc(e.document)}</cite>, {_place(e)}{ocr}</footer></blockquote>")
    href = _page_href(links, e.document, e.page)
    return (
        f"<blockquote><p>{body}</p>"
        f'<footer>— <cite>{esc(e.document)}</cite>, <a class="page-link" href="{href}">page {e.page}</a>{ocr}</footer>'
        "</blockquote>"
    )


def _finding_row(result: AuditResult, order: int, f: Finding, rules_uri: dict[str, str], links: dict[str, str]) -> str:
    label = case_label(result, f.case_id)
    href = _href(rules_uri.get(f.rule_id, ""))
    rule = f'<code class="rule-id">{esc(f.rule_id)}</code>'
    if href:
        rule = f'<a href="{href}" rel="noopener noreferrer">{rule}</a>'
    quotes = ""
    if f.evidence:  # the first quote open, in its paragraph; the others folded
        quotes = _quote(f.evidence[0], links, context=True)
        rest = f.evidence[1:]
        if rest:
            quotes += (
                f'<details class="more"><summary>{len(rest)} more quote{"s" if len(rest) > 1 else ""} '
                f"({esc(', '.join(dict.fromkeys(f'{e.document} p.{e.page}' for e in rest)))})</summary>"
                + "".join(_quote(e, links, context=True) for e in rest)
                + "</details>"
            )
    known = '<br><span class="known" title="present in the baseline report">known</span>' if f.known else ""
    if f.suppressed is not None:
        known += f'<br><span class="known" title="{esc(f.suppressed)}">suppressed: {esc(f.suppressed)}</span>'
    basis = f"Legal basis: {esc(f.legal_basis)} · " if f.legal_basis else ""
    return (
        f'<tr data-order="{order}" data-case="{esc(label)}" data-severity="{f.severity.rank}" '
        f'data-score="{f.score:.1f}" data-rule="{esc(f.rule_id)}" data-known="{str(f.known).lower()}">'
        f'<td class="case-col">{esc(label)}</td>'
        f"<td>{_sev(f.severity)}{known}</td>"
        f'<td class="num">{f.score:.1f}</td>'
        f'<td class="rule">{rule}</td>'
        f'<td class="finding"><p class="finding-title">{esc(f.title)}</p><p>{esc(f.message)}</p>'
        + quotes
        + f'<p class="small">{basis}Confidence {f.confidence:.2f} · fingerprint <code>{esc(f.fingerprint)}</code></p></td></tr>'
    )


def _findings(result: AuditResult, links: dict[str, str]) -> list[str]:
    findings = sorted(
        result.iter_findings(),
        key=lambda f: (-f.severity.rank, -f.score, f.case_id, f.rule_id, f.fingerprint),
    )
    out = ['<section id="findings">', "<h2>Findings</h2>"]
    if not findings:
        return out + ["<p>No rule fired in any case.</p>", "</section>"]
    rules_uri = {r.id: r.help_uri for r in result.rules}
    out += _controls()
    out += [
        f'<table id="findings-table"{" class=single-case" if len(result.cases) == 1 else ""}>',
        "<thead><tr>"
        '<th class="case-col" data-sort="case">Case</th>'
        '<th data-sort="severity" data-type="number">Severity</th>'
        '<th class="num" data-sort="score" data-type="number">Score</th>'
        '<th data-sort="rule">Rule</th>'
        "<th>Finding and evidence</th>"
        "</tr></thead>",
        "<tbody>",
    ]
    out += [_finding_row(result, i, f, rules_uri, links) for i, f in enumerate(findings)]
    out += ["</tbody>", "</table>", "</section>"]
    return out


OUTCOME_TEXT = {
    Outcome.FIRED: "fired",
    Outcome.NOT_FIRED: "not fired",
    Outcome.INSUFFICIENT: "insufficient evidence",
    Outcome.ERROR: "rule error",
}
OUTCOME_ORDER = (Outcome.ERROR, Outcome.INSUFFICIENT, Outcome.FIRED, Outcome.NOT_FIRED)


def _check_reason(c: Check) -> str:
    if c.reason:
        return c.reason
    if c.outcome is Outcome.NOT_FIRED:
        return "no statement in the case's documents matches what this rule looks for"
    return ""


def _case_section(result: AuditResult, case: CaseResult, titles: dict[str, str]) -> list[str]:
    """One case: its heading, then (the one place for it) the case's key facts,
    then the outcome of every rule with its reason."""
    label = case_label(result, case.id)
    out = [
        f'<section class="case" id="case-{esc(url_quote(case.id, safe=""))}">',
        f"<h3>{esc(label)} <span class=\"small\">risk score {case.score:.1f} / 100 · "
        f"{len(case.findings)} finding(s) · {len(case.documents)} document(s)</span></h3>",
    ]
    # Key facts of the case (the contract term sheet) go here, right after the heading.
    if not case.checks:
        out += ["<p class=\"small\">No rule was applied to this case.</p>", "</section>"]
        return out
    counts = {o: sum(1 for c in case.checks if c.outcome is o) for o in OUTCOME_ORDER}
    out.append(
        '<p class="small">Checks: ' + " · ".join(f"{n} {OUTCOME_TEXT[o]}" for o, n in counts.items() if n) + "</p>"
    )
    ordered = sorted(case.checks, key=lambda c: (OUTCOME_ORDER.index(c.outcome), c.rule_id))
    shown = [c for c in ordered if c.outcome is not Outcome.NOT_FIRED]
    silent = [c for c in ordered if c.outcome is Outcome.NOT_FIRED]
    if shown:
        out += _checks_table(shown, titles)
    if silent:  # the rules that did not fire, folded: a long list that clears nothing
        out.append(f'<details class="more"><summary>{len(silent)} rule(s) did not fire</summary>')
        out += _checks_table(silent, titles)
        out.append("</details>")
    out.append("</section>")
    return out


def _checks_table(checks: list, titles: dict[str, str]) -> list[str]:
    out = [
        '<table class="checks">',
        "<thead><tr><th>Rule</th><th>Outcome</th><th>Reason</th></tr></thead>",
        "<tbody>",
    ]
    for c in checks:
        title = titles.get(c.rule_id, "")
        name = f'<code class="rule-id"{f" title={chr(34)}{esc(title)}{chr(34)}" if title else ""}>{esc(c.rule_id)}</code>'
        out.append(
            f"<tr><td>{name}</td><td class=\"outcome-{c.outcome.value}\">{OUTCOME_TEXT[c.outcome]}</td>"
            f"<td>{esc(_check_reason(c))}</td></tr>"
        )
    return out + ["</tbody>", "</table>"]


def _cases(result: AuditResult) -> list[str]:
    out = ['<section id="checks">', "<h2>Cases and checks</h2>"]
    if not result.cases:
        return out + ["<p>No cases.</p>", "</section>"]
    out.append(
        '<p class="small">Every rule was applied to every case. A rule that did not fire does not clear a case; '
        "a rule with insufficient evidence could not be decided from these documents.</p>"
    )
    titles = {r.id: r.title for r in result.rules}
    for case in ranked_cases(result):
        out += _case_section(result, case, titles)
    out.append("</section>")
    return out


def _doc_status(d: DocumentInfo) -> str:
    if d.error is not None:
        return f'<span class="bad">unreadable: <code>{esc(d.error.code)}</code> — {esc(d.error.message)}</span>'
    if d.unread_pages:
        pages = ", ".join(str(p) for p in d.unread_pages)
        return f'<span class="warn">page(s) {pages} unread — {esc(d.unread_reason or "no usable text")}</span>'
    return "read"


def _documents(result: AuditResult, links: dict[str, str]) -> list[str]:
    out = ['<section id="documents">', "<h2>Documents</h2>"]
    cases: list[CaseResult] = sorted_by_id(result.cases)
    if not result.documents:
        out.append("<p>No documents.</p>")
    else:
        out += [
            "<table>",
            '<thead><tr><th>Case</th><th>Document</th><th class="num">Pages</th><th>OCR\'d pages</th>'
            "<th>SHA-256</th><th>Status</th></tr></thead>",
            "<tbody>",
        ]
        for case in cases:
            for d in sorted(case.documents, key=lambda d: d.path):
                ocr = ", ".join(str(p) for p in d.ocr_pages) or "none"
                sha = f'<code title="{esc(d.sha256)}">{esc(d.sha256[:SHORT_SHA])}</code>' if d.sha256 else "—"
                doc = f'<a href="{_page_href(links, d.path, 1).rsplit("#", 1)[0]}">{esc(d.path)}</a>' if d.error is None else esc(d.path)
                out.append(
                    f"<tr><td>{esc(case_label(result, case.id))}</td><td>{doc}</td>"
                    f'<td class="num">{d.pages}</td><td>{ocr}</td><td>{sha}</td><td>{_doc_status(d)}</td></tr>'
                )
        out += ["</tbody>", "</table>"]
    if result.skipped:
        out += ["<p>Files skipped (not PDF documents):</p>", "<ul>"]
        out += [f"<li>{esc(s.path)}: {esc(s.reason)}</li>" for s in sorted(result.skipped, key=lambda s: s.path)]
        out.append("</ul>")
    if result.notes:
        out += ["<p>Notes from the scan:</p>", "<ul>"]
        out += [f"<li>{esc(n)}</li>" for n in result.notes]
        out.append("</ul>")
    out.append("</section>")
    return out


def _method() -> list[str]:
    from auditor.ruleset.engine import SEVERITY_POINTS

    points = ", ".join(f"{s.value} {SEVERITY_POINTS[s]:g}" for s in Severity)
    return [
        '<section id="method">',
        "<h2>How to read this report</h2>",
        "<p>The auditor reads the text of each PDF, finds statements about how the procurement was run and "
        "applies declarative rules to the statements of all documents of a case together. Negated "
        "(&ldquo;no waiver was sought&rdquo;), hypothetical (&ldquo;if an exemption were granted&rdquo;) and "
        "attributed statements (&ldquo;counsel contended that&hellip;&rdquo;) do not fire a rule. A rule that "
        "does not fire does not clear a case; pages without readable text were not reviewed.</p>",
        f"<p>A finding's score is the points of its severity ({points}) times its confidence (0&ndash;1). "
        "A case's risk score is 100 &times; (1 &minus; &prod;(1 &minus; finding score / 100)).</p>",
        "</section>",
    ]


def _rules(result: AuditResult) -> list[str]:
    out = ['<section id="rules">', "<h2>Rules applied</h2>"]
    if not result.rules:
        return out + ["<p>The report does not list the rules that were applied.</p>", "</section>"]
    out += [
        f'<details class="more"><summary>The {len(result.rules)} rules, with their legal basis</summary>',
        "<table>",
        "<thead><tr><th>Rule</th><th>Title</th><th>Severity</th><th>Status</th><th>Legal basis</th></tr></thead>",
        "<tbody>",
    ]
    for r in sorted(result.rules, key=lambda r: r.id):
        href = _href(r.help_uri)
        ident = f'<code class="rule-id">{esc(r.id)}</code>'
        if href:
            ident = f'<a href="{href}" rel="noopener noreferrer">{ident}</a>'
        out.append(
            f"<tr><td>{ident}</td><td>{esc(r.title)}</td><td>{_sev(r.severity)}</td><td>{esc(r.status)}</td>"
            f"<td>{esc(legal_basis(r.references)) or '—'}</td></tr>"
        )
    out += ["</tbody>", "</table>", "</details>", "</section>"]
    return out


def render(result: AuditResult, options: RenderOptions | None = None) -> str:
    head = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<meta name="generator" content="auditor {esc(result.tool_version)}">',
        "<title>Procurement red-flag review — auditor</title>",
        f"<style>\n{CSS}\n</style>",
        "</head>",
        "<body>",
    ]
    links = dict((options or RenderOptions()).document_links)
    body = _header(result) + ["<main>"] + _summary(result) + _findings(result, links) + terms_view.html_section(result)
    body += _cases(result) + _documents(result, links)
    body += _method() + _rules(result) + ["</main>"]
    foot = [
        f'<footer><p class="small">Generated by auditor {esc(result.tool_version)}. '
        "This file is self-contained: it loads nothing from the network. "
        + ("Links to the documents are relative to the folder this report was written to."
           if links else "Links to the documents are relative to the scanned folder.")
        + "</p></footer>",
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(head + body + foot) + "\n"


def _place(e) -> str:
    """"page 3", or the JSON pointer of an OCDS member."""
    return esc(e.where[len(e.document):]) if e.pointer is not None else f"page {e.page}"
