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

import base64
import hashlib
from html import escape

from auditor.models import AuditResult, CaseResult, DocumentInfo, Finding, Severity, legal_basis
from auditor.report import RenderOptions
from auditor.report.json_ import (
    SEVERITIES_DESC,
    case_label,
    ranked_cases,
    severity_counts,
)

SHORT_SHA = 12


def esc(text: object) -> str:
    """Text from anywhere outside this module, made inert in element text and quoted attributes."""
    return escape("" if text is None else str(text), quote=True)


def _href(uri: str) -> str | None:
    """Only plain web links are ever written into an href."""
    return esc(uri) if uri.startswith(("https://", "http://")) else None


CSS = """
:root { --fg: #1d232b; --muted: #5b6570; --line: #d8dde3; --bg: #ffffff; --soft: #f4f6f8;
  --critical: #8e0b0b; --high: #c2410c; --medium: #a16207; --low: #0e7490; --info: #6b7280; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: var(--fg); background: var(--bg); }
header, main, body > footer { max-width: 1200px; margin: 0 auto; padding: 0 1.25rem; }
header { padding-top: 1.5rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.25rem; margin: 2rem 0 .75rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
.meta { color: var(--muted); margin: .25rem 0; }
.caveat { background: #fff8e1; border-left: 4px solid var(--medium); padding: .5rem .75rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .45rem .5rem; border-bottom: 1px solid var(--line); }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .85em; word-break: break-all; }
.stats { display: flex; flex-wrap: wrap; gap: .5rem; list-style: none; padding: 0; margin: .5rem 0 1rem; }
.stats li { background: var(--soft); border: 1px solid var(--line); border-radius: 6px; padding: .35rem .7rem; }
.sev { display: inline-block; min-width: 5.2em; text-align: center; border-radius: 4px; padding: 0 .4em;
  color: #fff; font-size: .8rem; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.sev-critical { background: var(--critical); } .sev-high { background: var(--high); }
.sev-medium { background: var(--medium); } .sev-low { background: var(--low); } .sev-info { background: var(--info); }
.known { display: inline-block; margin-top: .25rem; font-size: .75rem; color: var(--muted); border: 1px solid var(--line);
  border-radius: 4px; padding: 0 .3em; }
meter { width: 8rem; vertical-align: middle; }
.finding-title { font-weight: 600; margin: 0 0 .2rem; }
.finding p { margin: .2rem 0; }
blockquote { margin: .5rem 0; padding: .35rem .75rem; border-left: 4px solid var(--line); background: var(--soft); }
blockquote p { margin: 0; white-space: pre-wrap; }
blockquote footer { color: var(--muted); font-size: .85rem; margin-top: .2rem; }
.small { color: var(--muted); font-size: .85rem; }
.controls { display: flex; flex-wrap: wrap; gap: .75rem 1.25rem; align-items: end; margin: 0 0 .75rem; }
.controls label { display: flex; flex-direction: column; font-size: .85rem; color: var(--muted); }
.controls select, .controls input { font: inherit; padding: .2rem .3rem; }
th button { font: inherit; font-weight: 600; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
th button::after { content: " \\2195"; color: var(--muted); }
th[aria-sort="ascending"] button::after { content: " \\2191"; }
th[aria-sort="descending"] button::after { content: " \\2193"; }
tr[hidden] { display: none; }
.bad { color: var(--critical); }
.warn { color: var(--medium); }
@media print { .controls { display: none; } a { color: inherit; text-decoration: none; } }
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
    date = esc(result.generated_at) if result.generated_at else "not recorded (run <code>auditor scan --timestamp</code> to date the report)"
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


def _finding_row(result: AuditResult, order: int, f: Finding, rules_uri: dict[str, str]) -> str:
    label = case_label(result, f.case_id)
    href = _href(rules_uri.get(f.rule_id, ""))
    rule = f"<code>{esc(f.rule_id)}</code>"
    if href:
        rule = f'<a href="{href}" rel="noopener noreferrer">{rule}</a>'
    quotes = []
    for e in f.evidence:
        ocr = " (text read by OCR)" if e.ocr else ""
        quotes.append(
            f"<blockquote><p>{esc(e.quote)}</p>"
            f"<footer>— <cite>{esc(e.document)}</cite>, page {e.page}{ocr}</footer></blockquote>"
        )
    known = '<br><span class="known" title="present in the baseline report">known</span>' if f.known else ""
    if f.suppressed is not None:
        known += f'<br><span class="known" title="{esc(f.suppressed)}">suppressed: {esc(f.suppressed)}</span>'
    basis = f'<p class="small">Legal basis: {esc(f.legal_basis)}</p>' if f.legal_basis else ""
    return (
        f'<tr data-order="{order}" data-case="{esc(label)}" data-severity="{f.severity.rank}" '
        f'data-score="{f.score:.1f}" data-rule="{esc(f.rule_id)}" data-known="{str(f.known).lower()}">'
        f"<td>{esc(label)}</td>"
        f"<td>{_sev(f.severity)}{known}</td>"
        f'<td class="num">{f.score:.1f}</td>'
        f"<td>{rule}</td>"
        f'<td class="finding"><p class="finding-title">{esc(f.title)}</p><p>{esc(f.message)}</p>'
        + "".join(quotes)
        + basis
        + f'<p class="small">Confidence {f.confidence:.2f} · fingerprint <code>{esc(f.fingerprint)}</code></p></td></tr>'
    )


def _findings(result: AuditResult) -> list[str]:
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
        '<table id="findings-table">',
        "<thead><tr>"
        '<th data-sort="case">Case</th>'
        '<th data-sort="severity" data-type="number">Severity</th>'
        '<th class="num" data-sort="score" data-type="number">Score</th>'
        '<th data-sort="rule">Rule</th>'
        "<th>Finding and evidence</th>"
        "</tr></thead>",
        "<tbody>",
    ]
    out += [_finding_row(result, i, f, rules_uri) for i, f in enumerate(findings)]
    out += ["</tbody>", "</table>", "</section>"]
    return out


def _doc_status(d: DocumentInfo) -> str:
    if d.error is not None:
        return f'<span class="bad">unreadable: <code>{esc(d.error.code)}</code> — {esc(d.error.message)}</span>'
    if d.unread_pages:
        pages = ", ".join(str(p) for p in d.unread_pages)
        return f'<span class="warn">page(s) {pages} unread — {esc(d.unread_reason or "no usable text")}</span>'
    return "read"


def _documents(result: AuditResult) -> list[str]:
    out = ['<section id="documents">', "<h2>Documents</h2>"]
    cases: list[CaseResult] = sorted(result.cases, key=lambda c: c.id)
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
                out.append(
                    f"<tr><td>{esc(case_label(result, case.id))}</td><td>{esc(d.path)}</td>"
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
        "<table>",
        "<thead><tr><th>Rule</th><th>Title</th><th>Severity</th><th>Status</th><th>Legal basis</th></tr></thead>",
        "<tbody>",
    ]
    for r in sorted(result.rules, key=lambda r: r.id):
        href = _href(r.help_uri)
        ident = f"<code>{esc(r.id)}</code>"
        if href:
            ident = f'<a href="{href}" rel="noopener noreferrer">{ident}</a>'
        out.append(
            f"<tr><td>{ident}</td><td>{esc(r.title)}</td><td>{_sev(r.severity)}</td><td>{esc(r.status)}</td>"
            f"<td>{esc(legal_basis(r.references)) or '—'}</td></tr>"
        )
    out += ["</tbody>", "</table>", "</section>"]
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
    body = _header(result) + ["<main>"] + _summary(result) + _findings(result) + _documents(result)
    body += _method() + _rules(result) + ["</main>"]
    foot = [
        f'<footer><p class="small">Generated by auditor {esc(result.tool_version)}. '
        "This file is self-contained: it loads nothing from the network.</p></footer>",
        f"<script>{SCRIPT}</script>",
        "</body>",
        "</html>",
    ]
    return "\n".join(head + body + foot) + "\n"
