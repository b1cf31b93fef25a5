"""The Markdown memo: a review an NGO could publish once a person has checked it.

Sections: title and date, executive summary (cases ranked by risk score, the
top findings one line each), scope (documents, pages, OCR, what could not be
read), each case (a severity chart, its documents linked with their SHA-256,
its findings with their verbatim quotes and the legal basis of the case's
jurisdiction), the right of reply, methodology and limitations, and two
appendices (the rules applied, the full document hashes).

Everything that comes from a PDF or the file system (quotes, messages, paths,
case ids, notes) is user data: it is flattened to one line and escaped so that
it renders as the same text and can never open a list, a heading, a table
cell, a link or raw HTML.  Output is deterministic: no date unless the scan
recorded one (``--timestamp``), everything sorted.
"""

from __future__ import annotations

from auditor.spool import sorted_by_id

import os

import re
from urllib.parse import quote as url_quote

from auditor.models import AuditResult, CaseResult, DocumentInfo, Evidence, Finding, Outcome, Severity, legal_basis
from auditor.report import RenderOptions
from auditor.report import terms_view
from auditor.report.json_ import (
    case_relative,
    case_label,
    finding_key,
    ranked_cases,
    severity_counts,
    top_findings,
)
from auditor.safe_text import strip_controls

TOP_FINDINGS = 10
SHORT_SHA = 12

# Inline punctuation that CommonMark/GFM may read as markup anywhere in a line:
# emphasis, code, links, raw HTML/autolinks, table cells, strikethrough, math.
_INLINE = re.compile(r"([\\`*_\[\]<>|~$])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")  # "&amp;" would be decoded, not shown
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")  # "4. The project ..." opens a list
# Bare URLs that GFM's autolink extension would turn into links: "http://", "www."
_AUTOLINK = re.compile(r"(?i)(?<![\w\\])(https?|ftp|mailto)(:)|(?<![\w\\])(www)(\.)")


def md(text: str | None) -> str:
    """User text as one line of inert Markdown (it renders as itself)."""
    flat = " ".join(strip_controls(text or "").split())
    out = _ENTITY.sub(r"\\&", _INLINE.sub(r"\\\1", flat))
    out = _AUTOLINK.sub(lambda m: f"{m.group(1) or m.group(3)}\\{m.group(2) or m.group(4)}", out)
    if out[:1] in ("#", "-", "+", "=", ">"):
        return "\\" + out
    return _LIST_NUMBER.sub(r"\1\\\2", out)


def code(text: str) -> str:
    """A code span that survives backticks inside it (rule ids, fingerprints)."""
    flat = " ".join(text.split())
    longest = max((len(m) for m in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}".replace("|", "\\|")


def _link(label: str, uri: str) -> str:
    if not uri.startswith(("https://", "http://")):
        return label
    return f"[{label}](<{uri.replace('<', '%3C').replace('>', '%3E').replace(' ', '%20')}>)"


def _doc_link(label: str, target: str, page: int | None = None) -> str:
    """A relative link to a document (at ``page``): every character of the path
    that could make it a scheme, a query, markup or the end of the link is
    percent-encoded."""
    href = url_quote(os.fsencode(target.replace(chr(92), "/")), safe="/.-_~") + (f"#page={page}" if page else "")
    return f"[{label}](<{href}>)"


def _where(document: str, page: int, e: Evidence | None = None) -> str:
    if e is not None and e.pointer is not None:  # JSON evidence: file.json#/pointer
        return f"*{md(e.where)}*"
    return f"*{md(document)}*, page {page}"


def _counts_text(counts: dict[Severity, int]) -> str:
    return ", ".join(f"{n} {s.value}" for s, n in counts.items())


def _status(d: DocumentInfo) -> str:
    if d.error is not None:
        return f"**unreadable** ({code(d.error.code)}): {md(d.error.message)}"
    if d.unread_pages:
        return f"{len(d.unread_pages)} page(s) unread: {md(_pages(d.unread_pages))} ({md(d.unread_reason or 'no usable text')})"
    return "read"


def _pages(pages: tuple[int, ...]) -> str:
    return ", ".join(str(p) for p in pages) if pages else "none"


# --- sections ---------------------------------------------------------------------------


def _header(result: AuditResult) -> list[str]:
    docs = result.documents
    findings = list(result.iter_findings())
    counts = severity_counts(findings)
    date = (
        f"**Date:** {md(result.generated_at)}"
        if result.generated_at
        else "**Date:** not recorded"
    )
    scanned = ", ".join(md(r) for r in result.roots) or "(nothing)"
    pages = sum(d.pages for d in docs)
    ocr = sum(len(d.ocr_pages) for d in docs)
    unreadable = sum(1 for d in docs if d.error is not None)
    summary = f"{len(findings)} finding(s)" + (f" ({_counts_text(counts)})" if counts else "")
    return [
        "# Procurement red-flag review",
        "",
        f"- {date}",
        f"- **Prepared with:** auditor {md(result.tool_version)}",
        f"- **Scanned:** {scanned}",
        f"- **Scope:** {len(result.cases)} case(s), {len(docs)} document(s), {pages} page(s), "
        f"{ocr} read by OCR, {unreadable} unreadable document(s)",
        f"- **Result:** {summary}",
        "",
        "> A flag is a reason to review, not proof of wrongdoing. Every finding below quotes the",
        "> page it rests on; read the quote in its context before relying on it.",
        "",
    ]


def _summary(result: AuditResult) -> list[str]:
    lines = ["## Executive summary", ""]
    if not result.cases:
        return lines + ["No PDF documents were found, so nothing was reviewed.", ""]
    lines += [
        "Cases ranked by risk score (0 = no flag, 100 = many strong flags):",
        "",
        "| Rank | Case | Risk score | Findings | Documents |",
        "|---:|---|---:|---|---:|",
    ]
    for rank, case in enumerate(ranked_cases(result), 1):
        counts = severity_counts(case.findings)
        found = f"{len(case.findings)}" + (f" ({_counts_text(counts)})" if counts else "")
        lines.append(f"| {rank} | {md(case_label(result, case.id))} | {case.score:.1f} | {found} | {len(case.documents)} |")
    lines.append("")
    top = top_findings(result, TOP_FINDINGS)
    total = sum(1 for _ in result.iter_findings())
    if not top:
        lines += ["No rule fired in any case.", ""]
        return lines
    lines += [f"The {len(top)} most serious of {total} finding(s):" if total > len(top) else "Findings:", ""]
    for i, f in enumerate(top, 1):
        ev = f.evidence[0] if f.evidence else None
        where = f" — {_where(case_relative(ev.document, f.case_id), ev.page, ev)}" if ev else ""
        known = " (known)" if f.known else ""
        known += f" (suppressed: {md(f.suppressed)})" if f.suppressed is not None else ""
        lines.append(
            f"{i}. **{f.severity.value}** · {md(f.title)} — case {md(case_label(result, f.case_id))}{where} "
            f"(score {f.score:.1f}){known}"
        )
    lines.append("")
    return lines


def _scope(result: AuditResult) -> list[str]:
    lines = [
        "## Scope",
        "",
        "Documents reviewed (SHA-256 shortened; the full hashes are in Appendix B):",
        "",
        "| Case | Document | Pages | OCR'd pages | SHA-256 | Status |",
        "|---|---|---:|---|---|---|",
    ]
    for case in sorted_by_id(result.cases):
        for d in sorted(case.documents, key=lambda d: d.path):
            sha = code(d.sha256[:SHORT_SHA]) if d.sha256 else "—"
            lines.append(
                f"| {md(case_label(result, case.id))} | {md(case_relative(d.path, case.id))} | {d.pages} | {md(_pages(d.ocr_pages))} | {sha} | {_status(d)} |"
            )
    if not result.documents:
        lines.append("| — | — | 0 | none | — | — |")
    lines.append("")
    unreadable = [d for d in result.documents if d.error is not None]
    partial = [d for d in result.documents if d.error is None and d.unread_pages]
    if unreadable or partial:
        lines += ["What could not be read, and so was not reviewed:", ""]
        for d in sorted(unreadable, key=lambda d: d.path):
            lines.append(f"- {md(d.path)}: {code(d.error.code)}: {md(d.error.message)}")
        for d in sorted(partial, key=lambda d: d.path):
            lines.append(f"- {md(d.path)}: page(s) {md(_pages(d.unread_pages))}: {md(d.unread_reason or 'no usable text')}")
        lines.append("")
    else:
        lines += ["Every page of every document had readable text.", ""]
    if result.skipped:
        lines += ["Files skipped (not PDF documents):", ""]
        lines += [f"- {md(s.path)}: {md(s.reason)}" for s in sorted(result.skipped, key=lambda s: s.path)]
        lines.append("")
    if result.notes:
        lines += ["Notes from the scan:", ""]
        lines += [f"- {md(n)}" for n in result.notes]
        lines.append("")
    return lines


def _finding(result: AuditResult, n: int, f: Finding, links: dict[str, str] | None = None) -> list[str]:
    facts = [
        f"**Severity:** {f.severity.value}",
        f"**Confidence:** {f.confidence:.2f}",
        f"**Score:** {f.score:.1f}",
        f"**Rule:** {code(f.rule_id)}",
    ]
    if f.known:
        facts.append("**Known:** already in the baseline")
    if f.suppressed is not None:
        facts.append(f"**Suppressed:** {md(f.suppressed)}")
    lines = [
        f"#### {n}. {md(f.title)}",
        "",
        "- " + " · ".join(facts),
        f"- **Legal basis:** {md(f.legal_basis) or 'no provision of the law of this case is recorded for this rule'}",
        f"- **Finding ID:** {code(f.fingerprint)}",
        "",
        md(f.message),
        "",
    ]
    for e in f.evidence:
        ocr = " (text read by OCR)" if e.ocr else ""
        if e.pointer is not None:  # JSON evidence: file.json#/pointer, no page to link
            lines += [f"> {md(e.quote)}", ">", f"> — {_where(e.document, e.page, e)}{ocr}", ""]
            continue
        page = _doc_link(f"page {e.page}", (links or {}).get(e.document, e.document), e.page)
        lines += [f"> {md(e.quote)}", ">", f"> — *{md(e.document)}*, {page}{ocr}", ""]
    return lines


CHART_WIDTH = 24  # characters of the longest bar


def _chart(case: CaseResult) -> list[str]:
    """The case's findings by severity as a bar chart that is plain Markdown (a
    table of block characters): it reads the same in a terminal, on GitHub (which
    strips inline SVG) and in print."""
    counts = {s: sum(1 for f in case.findings if f.severity is s) for s in reversed(Severity)}
    top = max(counts.values(), default=0)
    if not top:
        return []
    lines = ["Findings by severity:", "", "| Severity | Findings | |", "|---|---:|---|"]
    for s, n in counts.items():
        if n:
            lines.append(f"| {s.value} | {n} | {'█' * max(1, round(CHART_WIDTH * n / top))} |")
    return lines + [""]


def _case_documents(case: CaseResult, links: dict[str, str]) -> list[str]:
    """Each document of the case, linked (relative to the memo, or to the scanned
    folder), with its kind, pages and full SHA-256 so a reader can check the copy."""
    lines = ["Documents of the case:", ""]
    for d in sorted(case.documents, key=lambda d: d.path):
        label = md(case_relative(d.path, case.id))  # inside the case's block: its path within the case
        name = _doc_link(label, links.get(d.path, d.path)) if d.error is None else label
        kind = f"{md(d.kind.replace('-', ' '))}, " if d.kind and d.kind != "other" else ""
        sha = f"SHA-256 {code(d.sha256)}" if d.sha256 else "no SHA-256"
        state = "" if d.error is None else f" — unreadable ({code(d.error.code)})"
        lines.append(f"- {name} — {kind}{d.pages} page(s) — {sha}{state}")
    return lines + [""]


def _case(result: AuditResult, case: CaseResult, links: dict[str, str] | None = None) -> list[str]:
    pages = sum(d.pages for d in case.documents)
    lines = [
        f"### Case {md(case_label(result, case.id))} — risk score {case.score:.1f} / 100",
        "",
    ]
    lines += terms_view.markdown_block(case)  # key facts of the case (the contract term sheet)
    lines += [f"{len(case.documents)} document(s), {pages} page(s), {len(case.findings)} finding(s).", ""]
    lines += _chart(case)
    lines += _case_documents(case, links or {})
    if case.documents and all(d.error is not None for d in case.documents):
        lines += ["No document of this case could be read, so no rule could be applied.", ""]
        return lines
    if not case.findings:
        lines += ["No rule fired for this case.", ""]
    for n, f in enumerate(sorted(case.findings, key=finding_key), 1):
        lines += _finding(result, n, f, links)
    insufficient = [c for c in case.checks if c.outcome is Outcome.INSUFFICIENT]
    errors = [c for c in case.checks if c.outcome is Outcome.ERROR]
    if insufficient or errors:
        lines += ["Rules that could not be evaluated for this case:", ""]
        for c in sorted(insufficient + errors, key=lambda c: c.rule_id):
            lines.append(f"- {code(c.rule_id)}: {md(c.reason)}")
        lines.append("")
    return lines


def _right_of_reply() -> list[str]:
    return [
        "## Right of reply",
        "",
        "Before this review is published or its findings are put to anyone, each agency, company, "
        "lender or person a finding concerns should be sent the findings about them, with the quoted "
        "passages and the documents they come from, and given a fair time to answer. Their answer, or "
        "the fact that none came by the date given, belongs in the published version next to the "
        "finding it answers. Documents they point to that were not reviewed here should be read "
        "before the finding is relied on.",
        "",
    ]


def _methodology(result: AuditResult) -> list[str]:
    from auditor.ruleset.engine import SEVERITY_POINTS

    points = ", ".join(f"{s.value} {SEVERITY_POINTS[s]:g}" for s in Severity)
    unread = sum(len(d.unread_pages) for d in result.documents)
    unreadable = sum(1 for d in result.documents if d.error is not None)
    ocr = sum(len(d.ocr_pages) for d in result.documents)
    return [
        "## Methodology and limitations",
        "",
        "**A flag is a reason to review, not proof.** The auditor reads the text of each PDF, finds "
        "statements about how the procurement was run (the method of procurement, waivers, studies, "
        "urgency, financing, prices, dates, court orders) and applies declarative rules to the "
        "statements of all documents of a case together. A rule that fires points at pages a person "
        "should read; it does not establish that anything unlawful happened, and a rule that does not "
        "fire does not clear a case.",
        "",
        "**Evidence.** Every finding quotes, verbatim, the text it rests on and names the document and "
        "the 1-based page. Quotes are shown as extracted, with runs of white space shown as one space.",
        "",
        "**Negation, hypotheticals and attribution.** A statement is used only when it is asserted. "
        "Negated statements (\"no waiver was sought\"), hypothetical or conditional ones (\"if an "
        "exemption were granted\", \"the agency may use direct contracting\") and statements the "
        "document attributes to someone else (\"counsel contended that the award was illegal\") are "
        "recognised and do not fire a rule.",
        "",
        "**Scores.** A finding's score is the points of its severity times its confidence (0–1), with "
        f"points {points}. Confidence comes from the evidence: how clearly the statement matched, "
        "lowered for text read by OCR and raised a little when other documents corroborate it. A "
        "case's risk score combines its findings as 100 × (1 − Π(1 − finding score / 100)): one "
        "critical finding alone stays below 60, several strong findings approach 100.",
        "",
        "**What was not read.** "
        + (
            f"{unreadable} document(s) could not be opened, {unread} page(s) had no usable text, and "
            f"{ocr} page(s) were read by OCR (OCR can misread names and figures; check those quotes "
            "against the page image). Nothing on unread pages was reviewed."
            if unreadable or unread or ocr
            else "Every page had a text layer; no page was read by OCR."
        )
        + " Findings depend on the text layer of the PDFs: a document whose text layer is wrong "
        "(scans with a poor embedded OCR, for instance) can hide or distort statements.",
        "",
        "**Rules** are listed in Appendix A with their legal basis; each links to its documentation "
        "(what it flags, why it matters, an example). Rules marked *experimental* are still being "
        "calibrated.",
        "",
    ]


def _rules(result: AuditResult) -> list[str]:
    lines = ["## Appendix A — Rules applied", ""]
    if not result.rules:
        return lines + ["(The report does not list the rules that were applied.)", ""]
    lines += ["| Rule | Title | Severity | Status | Legal basis |", "|---|---|---|---|---|"]
    for r in sorted(result.rules, key=lambda r: r.id):
        lines.append(
            f"| {_link(code(r.id), r.help_uri)} | {md(r.title)} | {r.severity.value} | {md(r.status)} | "
            f"{md(legal_basis(r.references)) or '—'} |"
        )
    lines.append("")
    return lines


def _hashes(result: AuditResult) -> list[str]:
    lines = ["## Appendix B — Document hashes (SHA-256)", ""]
    docs = sorted(result.documents, key=lambda d: d.path)
    if not docs:
        return lines + ["No documents.", ""]
    lines += ["| Document | SHA-256 |", "|---|---|"]
    lines += [f"| {md(d.path)} | {code(d.sha256) if d.sha256 else '—'} |" for d in docs]
    lines.append("")
    return lines


def render(result: AuditResult, options: RenderOptions | None = None) -> str:
    lines = _header(result) + _summary(result) + _scope(result)
    lines += ["## Findings", ""]
    if not result.cases:
        lines += ["No cases.", ""]
    links = dict((options or RenderOptions()).document_links)
    for case in ranked_cases(result):
        lines += _case(result, case, links)
    lines += _right_of_reply() + _methodology(result) + _rules(result) + _hashes(result)
    return "\n".join(lines).rstrip("\n") + "\n"


__all__ = ["render", "md", "code"]
