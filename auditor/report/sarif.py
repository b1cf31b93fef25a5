"""SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, any SARIF viewer).

One run; ``tool.driver.rules`` from the rules that were applied; one result per
finding.  SARIF knows lines and characters, not pages, so a page is carried
three ways (docs/ci.md explains it to users):

- ``region.startLine`` is the 1-based page number: GitHub code scanning needs a
  start line to place an alert, and for a PDF the page is the only position
  that means anything.  Its alert view therefore reads "line N" for page N.
- ``region.snippet.text`` is the verbatim quote, and ``region.properties``
  says ``page`` explicitly, with the quote's character offsets within that
  page's extracted text (``pageTextOffset``/``pageTextLength``).  SARIF's own
  ``charOffset`` would mean an offset into the PDF file, which a quote has not.
- ``result.properties`` repeats case, page, quote and the document's sha256.

``artifactLocation.uri`` is the document's real path relative to the
repository root (base ``SRCROOT``): GitHub resolves a relative uri against the
repository and ignores ``uriBaseId``.  The root is ``--sarif-base-uri`` when
given, else the git top level above the current directory, else the current
directory (``repository_root``); the CLI passes it as ``RenderOptions.base_dir``
and the documents' paths on disk come from ``AuditResult.sources``.  A document
outside that root gets an absolute ``file:`` uri; a result rendered without a
base directory uses the report's document paths (base ``SCANROOT``).  The
reports' own document path is in ``result.properties.document``.
``partialFingerprints["auditorFinding/v1"]``
is the finding's fingerprint (rule + document hash + quote), stable across runs
and machines.  ``baselineState`` is written when the scan used a baseline
(``--baseline``): "unchanged" for known findings, "new" for the rest.
Documents that could not be read become ``toolExecutionNotifications``.
"""

from __future__ import annotations

from auditor.spool import sorted_by_id

import json
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote as _quote

from auditor.models import AuditResult, DocumentInfo, Evidence, Finding, RuleInfo, Severity, legal_basis
from auditor.report import RenderOptions
from auditor.report.json_ import finding_key
from auditor.safe_text import display_path, json_text, strip_controls

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/auditor-dev/auditor"
FINGERPRINT_KEY = "auditorFinding/v1"
ROOT_BASE = "SCANROOT"  # the scanned folder; document paths are relative to it
WORKDIR_BASE = "SRCROOT"  # the directory the scan ran in (the repository, in CI)

LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub's scale: >= 9.0 critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low.
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "1.0",
}
PRECISION = {"stable": "high", "experimental": "medium"}
# GitHub code scanning's documented limits (SARIF results exceeding limits): at most
# 25,000 results per run (5,000 shown), 1,000 locations per result (100 shown),
# 20 tags per rule (10 shown), 20 runs per file.  Kept within the shown limits.
MAX_RESULTS = 25_000
MAX_RELATED = 99  # + the primary location: 100
MAX_TAGS = 10

# Notification descriptors (tool.driver.notifications) for what went wrong while reading.
NOTIFICATIONS = {
    "corrupt": "The PDF could not be parsed.",
    "empty": "The file is empty or has no pages.",
    "encrypted": "The PDF is encrypted and could not be opened.",
    "not-pdf": "The file is not a PDF.",
    "too-large": "The document is larger than the configured limit.",
    "timeout": "Reading the document took longer than the configured time limit.",
    "unread-pages": "Some pages had no usable text (image-only pages without OCR, blank or garbled pages).",
    "skipped-file": "A file in a scanned folder is not a PDF and was not read.",
}


def camel_case(rule_id: str) -> str:
    """waived-tendering -> WaivedTendering (SARIF's reportingDescriptor.name)."""
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", rule_id) if part)


_ESCAPED_BYTE = re.compile(r"\\x([0-9a-f]{2})")  # a byte of a non-UTF-8 name (auditor.safe_text.display_path)


def uri(path: str) -> str:
    """A relative document path as a URI reference (percent-encoded, '/' kept;
    a name's escaped non-UTF-8 byte is that byte, percent-encoded)."""
    parts = _ESCAPED_BYTE.split(path)
    return "".join("%" + part.upper() if i % 2 else _quote(part.replace("\\", "/"), safe="/-._~")
                   for i, part in enumerate(parts))


def repository_root(explicit: str | None = None, cwd: Path | None = None) -> str:
    """The directory SARIF uris are relative to: ``explicit`` (a directory or a
    ``file:`` uri), else the git top level above ``cwd``, else ``cwd``."""
    here = (cwd or Path.cwd()).resolve()
    if explicit:
        if explicit.startswith("file:"):
            from urllib.parse import unquote, urlparse

            explicit = unquote(urlparse(explicit).path)
        return str((here / explicit).resolve())
    for folder in (here, *here.parents):
        if (folder / ".git").exists():  # a directory, or a file in a worktree/submodule
            return str(folder)
    return str(here)


class Locator:
    """Where documents are, as SARIF artifact locations (see the module's docstring)."""

    def __init__(self, result: AuditResult, base_dir: str | None) -> None:
        self.sources = dict(result.sources) if base_dir else {}
        self.base = base_dir
        self.bases: dict[str, Any] = {}

    def __call__(self, path: str) -> dict[str, Any]:
        source = self.sources.get(path)
        if source is not None and self.base is not None:
            rel = os.path.relpath(source, self.base)
            if rel != ".." and not rel.startswith(".." + os.sep) and not os.path.isabs(rel):
                self.bases.setdefault(WORKDIR_BASE, {"description": {"text": "The repository root (git top level, "
                                      "or --sarif-base-uri); document uris are relative to it."}})
                return {"uri": uri(display_path(Path(rel).as_posix())), "uriBaseId": WORKDIR_BASE}
            return {"uri": "file://" + uri(display_path(Path(source).as_posix()))}  # a name's bytes, percent-encoded
        self.bases.setdefault(ROOT_BASE, {"description": {"text": "The reports' document paths: each starts with its "
                              "case folder's path relative to the scanned folder."}})
        return {"uri": uri(path), "uriBaseId": ROOT_BASE}


class Artifacts:
    """artifactLocation of a document, with its index in run.artifacts."""

    def __init__(self, locate: Locator, documents: list[DocumentInfo]) -> None:
        self.locate = locate
        self.index = {d.path: i for i, d in enumerate(documents)}

    def __call__(self, path: str) -> dict[str, Any]:
        out = self.locate(path)
        if path in self.index:
            out["index"] = self.index[path]
        return out


def _message(text: str) -> dict[str, str]:
    return {"text": " ".join(strip_controls(text).split()) or "(no message)"}


def _rule(r: RuleInfo) -> dict[str, Any]:
    basis = [ref.line for ref in r.references]
    help_text = f"{r.summary}\n\nWhy it matters: {r.rationale}"
    help_md = f"{r.summary}\n\n**Why it matters.** {r.rationale}"
    if basis:
        help_text += "\n\nLegal basis: " + "; ".join(basis) + "."
        help_md += "\n\n**Legal basis**\n\n" + "\n".join(
            f"- [{b}]({ref.url})" if ref.url else f"- {b}" for b, ref in zip(basis, r.references)
        )
    if r.help_uri:
        help_text += f"\n\nMore: {r.help_uri}"
        help_md += f"\n\n[Rule documentation]({r.help_uri})"
    out: dict[str, Any] = {
        "id": r.id,
        "name": camel_case(r.id),
        "shortDescription": {"text": r.title},
        "fullDescription": {"text": " ".join(r.summary.split()) or r.title},
        "help": {"text": help_text, "markdown": help_md},
    }
    if r.help_uri:
        out["helpUri"] = r.help_uri
    out["defaultConfiguration"] = {"level": LEVEL[r.severity]}
    out["properties"] = {
        "severity": r.severity.value,
        "status": r.status,
        "legalBasis": legal_basis(r.references),
        "tags": _tags(r),
        "precision": PRECISION.get(r.status, "medium"),
        "security-severity": SECURITY_SEVERITY[r.severity],
    }
    return out


def _placeholder_rule(f: Finding) -> RuleInfo:
    """A finding whose rule the result does not describe still gets a descriptor."""
    return RuleInfo(id=f.rule_id, title=f.title, severity=f.severity, status="unknown", summary=f.title, rationale="")


def _location(e: Evidence, artifact: Artifacts, ident: int | None = None) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": max(1, e.page), "snippet": {"text": e.quote}}
    props: dict[str, Any] = {"page": e.page}
    if e.end > e.start:
        props["pageTextOffset"] = e.start
        props["pageTextLength"] = e.end - e.start
    if e.ocr:
        props["ocr"] = True
    region["properties"] = props
    loc: dict[str, Any] = {}
    if ident is not None:
        loc["id"] = ident
    loc["physicalLocation"] = {"artifactLocation": artifact(e.document), "region": region}
    if e.pointer is not None:  # JSON evidence (OCDS): the member's pointer, and the process
        props.update({"pointer": e.pointer, "ocid": e.ocid})
    loc["message"] = {"text": (e.where if e.pointer is not None else f"{e.document}, page {e.page}") + (" (OCR)" if e.ocr else "")}
    return loc


def _tags(r: RuleInfo) -> list[str]:
    """GitHub reads ``security-severity`` only for rules tagged ``security``, and
    shows at most MAX_TAGS tags."""
    tags = ["security", "procurement", "red-flag", r.status, *r.tags]
    return list(dict.fromkeys(t for t in tags if t))[:MAX_TAGS]


def primary_evidence(f: Finding) -> int:
    """The index of the evidence item the message cites first (its own location),
    else 0.  A citation is the document's path (or its file name) in the message,
    with the evidence's page when the message gives one right after it."""
    text = f.message
    best: tuple[int, int, int] | None = None  # (position, page not cited, index)
    for i, e in enumerate(f.evidence):
        for name in dict.fromkeys((e.document, e.document.rsplit("/", 1)[-1])):
            at = text.find(name)
            while at >= 0:
                after = text[at + len(name): at + len(name) + 12]
                page = re.match(r"(?:,\s*|\s+)p(?:age|\.)\s*(\d+)", after)
                if page is None or int(page.group(1)) == e.page:
                    key = (at, 0 if page else 1, i)
                    best = key if best is None or key < best else best
                    break
                at = text.find(name, at + 1)
    return best[2] if best is not None else 0


def _linked_message(f: Finding, primary: int, related: list[tuple[int, Evidence]]) -> dict[str, str]:
    """The message, with every citation of a related location linked to it
    (``[text](id)``, which GitHub renders as a link) and the related locations the
    message does not cite listed after it.  Literal brackets are escaped."""
    text = " ".join(strip_controls(f.message).split()) or "(no message)"
    text = text.replace("[", "\\[").replace("]", "\\]")
    cited: set[int] = set()
    for ident, e in related:
        for name in dict.fromkeys((e.document, e.document.rsplit("/", 1)[-1])):
            pattern = re.compile(re.escape(name) + r"((?:,\s*|\s+)p\.\s*" + str(e.page) + r")(?!\d)")
            m = pattern.search(text)
            if m and not text[max(0, m.start() - 1):m.start()] == "[":
                text = text[:m.start()] + f"[{m.group(0)}]({ident})" + text[m.end():]
                cited.add(ident)
                break
    rest = [f"[{e.document.rsplit('/', 1)[-1]}, p.{e.page}]({ident})" for ident, e in related if ident not in cited]
    if rest:
        text += " Other evidence: " + ", ".join(rest) + "."
    return {"text": text}


def _result(f: Finding, rule_index: dict[str, int], artifact: Artifacts, baseline: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": rule_index[f.rule_id],
        "level": LEVEL[f.severity],
        "message": _message(f.message),
    }
    first = None
    if f.evidence:
        primary = primary_evidence(f)
        first = f.evidence[primary]
        others = [e for i, e in enumerate(f.evidence) if i != primary][:MAX_RELATED]
        related = list(enumerate(others, 1))
        out["message"] = _linked_message(f, primary, related)
        out["locations"] = [_location(first, artifact)]
        if related:
            out["relatedLocations"] = [_location(e, artifact, i) for i, e in related]
    out["partialFingerprints"] = {FINGERPRINT_KEY: f.fingerprint}
    if baseline:
        out["baselineState"] = "unchanged" if f.known else "new"
    if f.suppressed is not None:
        out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": f.suppressed}]
    out["rank"] = max(0.0, min(100.0, float(f.score)))
    props: dict[str, Any] = {
        "case": f.case_id,
        "severity": f.severity.value,
        "score": f.score,
        "confidence": f.confidence,
        "legalBasis": f.legal_basis,
        "known": f.known,
    }
    if first is not None:
        props.update({"document": first.document, "page": first.page, "quote": first.quote, "documentSha256": first.sha256})
    out["properties"] = props
    return out


def _artifact(d: DocumentInfo, locate: Locator) -> dict[str, Any]:
    out: dict[str, Any] = {
        "location": locate(d.path),
        "roles": ["analysisTarget"],
        "mimeType": "application/pdf",
    }
    if d.sha256:
        out["hashes"] = {"sha-256": d.sha256}
    props: dict[str, Any] = {"pages": d.pages, "ocrPages": list(d.ocr_pages), "kind": d.kind}
    if d.unread_pages:
        props["unreadPages"] = list(d.unread_pages)
    if d.error is not None:
        props["error"] = {"code": d.error.code, "message": d.error.message}
    out["properties"] = props
    return out


def _notifications(result: AuditResult, artifact: Artifacts) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(descriptors for tool.driver.notifications, invocation notifications)."""
    raw: list[tuple[str, str, str, str | None]] = []  # (id, level, text, document)
    for d in sorted(result.documents, key=lambda d: d.path):
        if d.error is not None:
            raw.append((d.error.code, "error", f"{d.path}: {d.error.code}: {d.error.message}", d.path))
        elif d.unread_pages:
            pages = ", ".join(str(p) for p in d.unread_pages)
            reason = d.unread_reason or "no usable text"
            raw.append(("unread-pages", "warning", f"{d.path}: page(s) {pages} unread: {reason}", d.path))
    for s in sorted(result.skipped, key=lambda s: s.path):
        raw.append(("skipped-file", "note", f"{s.path}: skipped: {s.reason}", None))
    ids = sorted({r[0] for r in raw})
    descriptors = [
        {"id": i, "shortDescription": {"text": NOTIFICATIONS.get(i, i)}, "defaultConfiguration": {"level": _default_level(i)}}
        for i in ids
    ]
    out = []
    for ident, level, text, document in raw:
        n: dict[str, Any] = {"level": level, "message": _message(text), "descriptor": {"id": ident, "index": ids.index(ident)}}
        if document is not None:
            n["locations"] = [{"physicalLocation": {"artifactLocation": artifact(document)}}]
        out.append(n)
    return descriptors, out


def _default_level(ident: str) -> str:
    return "warning" if ident == "unread-pages" else "note" if ident == "skipped-file" else "error"


def automation_id(result: AuditResult, base_dir: str | None) -> str:
    """``runAutomationDetails.id``: "auditor/<what was scanned>/<run>".  The
    category (the scanned documents' common folder, relative to the repository
    root) stays the same from run to run, so GitHub tracks the same alerts; the
    run part is the scan time when the report records one."""
    category = ""
    if base_dir and result.sources:
        common = os.path.commonpath([os.path.dirname(src) for _, src in result.sources])
        rel = os.path.relpath(common, base_dir)
        category = "" if rel.startswith("..") or os.path.isabs(rel) else Path(rel).as_posix()
        category = "" if category == "." else category
    return f"auditor/{category + '/' if category else ''}{result.generated_at or ''}"


def sarif_log(result: AuditResult, base_dir: str | None = None) -> dict[str, Any]:
    rules = {r.id: r for r in result.rules}
    findings = sorted(result.iter_findings(), key=finding_key)
    dropped = 0
    if len(findings) > MAX_RESULTS:  # GitHub rejects more: keep the most severe
        keep = set(id(f) for f in sorted(findings, key=lambda f: (-f.severity.rank, -f.score))[:MAX_RESULTS])
        dropped = len(findings) - MAX_RESULTS
        findings = [f for f in findings if id(f) in keep]
    for f in findings:
        rules.setdefault(f.rule_id, _placeholder_rule(f))
    ordered = [rules[k] for k in sorted(rules)]
    rule_index = {r.id: i for i, r in enumerate(ordered)}
    documents = sorted(result.documents, key=lambda d: d.path)
    locate = Locator(result, base_dir)
    artifact = Artifacts(locate, documents)
    baseline = result.baseline_used
    descriptors, notifications = _notifications(result, artifact)
    driver: dict[str, Any] = {
        "name": "auditor",
        "version": result.tool_version,
        "semanticVersion": result.tool_version,
        "informationUri": INFORMATION_URI,
        "rules": [_rule(r) for r in ordered],
    }
    if descriptors:
        driver["notifications"] = descriptors
    invocation: dict[str, Any] = {"executionSuccessful": True}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    if result.generated_at:
        stamp = result.generated_at
        invocation["endTimeUtc"] = stamp[:-6] + "Z" if stamp.endswith("+00:00") else stamp
    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "automationDetails": {"id": automation_id(result, base_dir)},
        "invocations": [invocation],
        "originalUriBaseIds": locate.bases,
        "artifacts": [_artifact(d, locate) for d in documents],
        "results": [_result(f, rule_index, artifact, baseline) for f in findings],
        "properties": {
            "cases": [
                {"id": c.id, "score": c.score, "documents": len(c.documents), "findings": len(c.findings)}
                for c in sorted_by_id(result.cases)
            ],
            "notes": list(result.notes) + ([f"{dropped} finding(s) of the lowest severity left out: "
                                             f"GitHub accepts at most {MAX_RESULTS} results per run"] if dropped else []),
        },
    }
    return {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}


def render(result: AuditResult, options: RenderOptions | None = None) -> str:
    # raw C1/bidi characters escaped (C0 ones json escapes itself): the same values, inert on a terminal
    return json_text(json.dumps(sarif_log(result, options.base_dir if options else None), indent=2, ensure_ascii=False)) + "\n"
