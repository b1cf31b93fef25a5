"""Frozen values handed from one pipeline stage to the next.

documents -> pages -> facts -> findings -> report.  Every stage takes and returns
these immutable dataclasses; nothing downstream mutates what upstream built.
All of them pickle cheaply (they cross process boundaries); the caches store
them as JSON (``auditor.codec``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any, Iterator, Sequence

if TYPE_CHECKING:  # the term sheet's own module builds on these values
    from auditor.terms import TermSheet


class Severity(str, Enum):
    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self.value)

    @classmethod
    def parse(cls, value: str) -> "Severity":
        try:
            return cls(value.strip().lower())
        except ValueError:
            allowed = ", ".join(s.value for s in cls)
            raise ValueError(f"unknown severity {value!r} (allowed: {allowed})") from None


_SEVERITY_ORDER = ("info", "low", "medium", "high", "critical")


class PageSource(str, Enum):
    TEXT = "text"  # the PDF's own text layer
    OCR = "ocr"  # text recognised by tesseract
    NONE = "none"  # nothing usable (image-only page not OCR'd, garbage layer, blank)


class Status(str, Enum):
    """How a statement was made.  Only ASSERTED facts feed the rules."""

    ASSERTED = "asserted"
    NEGATED = "negated"  # "no waiver was sought"
    HYPOTHETICAL = "hypothetical"  # "if an exemption were granted", "may use direct contracting"
    REPORTED = "reported"  # "counsel contended that the award was illegal"
    OFF_TOPIC = "off-topic"  # about something else: "the impugned judgment is set aside"


class Outcome(str, Enum):
    FIRED = "fired"
    NOT_FIRED = "not-fired"
    INSUFFICIENT = "insufficient-evidence"
    ERROR = "error"  # the rule itself failed on this case (a bug): reported, never silent


@dataclass(frozen=True, slots=True)
class Row:
    """One row of a register table (a procurement per row), with its column headers.

    ``cells`` are the cell texts as read inside each cell's box (a cell that wraps
    keeps its line breaks); ``headers`` the same table's header cells (carried over
    from the previous page when the page repeats none).  Plain values only."""

    page: int  # 1-based
    index: int  # 1-based order of the row among the document's register rows
    headers: tuple[str, ...]
    cells: tuple[str, ...]
    bbox: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)  # x0, top, x1, bottom (points, from the top)
    title: str = ""  # the table's title row(s), if any (the register's subject)

    def pairs(self, lines: bool = False) -> tuple[tuple[str, str], ...]:
        """(header, value) of every non-empty cell, whitespace shown as one space
        (``lines``: a wrapped cell keeps its line breaks)."""
        out = []
        for h, c in zip(self.headers, self.cells):
            value = "\n".join(" ".join(ln.split()) for ln in c.split("\n") if ln.strip()) if lines else " ".join(c.split())
            if value:
                out.append((" ".join(h.split()), value))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class Page:
    number: int  # 1-based
    text: str  # extracted text; line endings normalised to "\n"
    source: PageSource = PageSource.TEXT
    note: str | None = None  # why a page is unread ("image-only page; OCR off", ...)
    rows: tuple[Row, ...] = ()  # register rows read from the page's ruled tables
    table_spans: tuple[tuple[int, int], ...] = ()  # offsets of `text` that lie inside those tables

    @property
    def ocr(self) -> bool:
        return self.source is PageSource.OCR


@dataclass(frozen=True, slots=True)
class DocumentError:
    code: str  # corrupt | empty | encrypted | not-pdf | not-ocds | too-large | timeout
    message: str  # one line


@dataclass(frozen=True, slots=True)
class DocumentInfo:
    """What the report says about one input document (never its page texts)."""

    path: str  # posix path relative to the scanned root
    sha256: str
    pages: int
    ocr_pages: tuple[int, ...] = ()
    unread_pages: tuple[int, ...] = ()  # pages with no usable text
    unread_reason: str | None = None
    kind: str = "other"  # judgment | financing-agreement | award-letter | contract | ...
    year: int | None = None  # the document's own year (drives exchange rates)
    error: DocumentError | None = None
    # one line per span on which fact extraction failed (a bug; the other facts are kept)
    internal_errors: tuple[str, ...] = ()
    ocids: tuple[str, ...] = ()  # an OCDS file: the contracting processes read from it for this case


@dataclass(frozen=True, slots=True)
class Evidence:
    document: str  # posix path relative to the scanned root
    page: int  # 1-based
    quote: str  # verbatim page text; runs of whitespace shown as one space
    start: int = 0  # character offsets of the quote in the page text
    end: int = 0
    sha256: str = ""  # of the document
    ocr: bool = False
    row: int | None = None  # a register row: its index (Row.index); the quote is its "Header: value" pairs
    cells: tuple[tuple[str, str], ...] = ()  # ... and those pairs, each value verbatim from its cell (a wrapped cell's lines kept)
    before: str = ""  # the page text just before the quote, back to its paragraph's start (at most CONTEXT_CHARS)
    after: str = ""  # ... and just after it, up to the paragraph's end; both shown as the quote is
    # JSON evidence (OCDS): the contracting process, the member's JSON pointer in the file (RFC 6901)
    # and, for JSON Lines, the line holding it; the quote is the verbatim JSON member
    ocid: str | None = None
    pointer: str | None = None
    line: int | None = None

    @property
    def where(self) -> str:
        """Where the quote stands: ``file.pdf:3``, or ``file.json#/tender/procurementMethod``
        (``file.jsonl:12#/...`` for a line of JSON Lines)."""
        if self.pointer is not None:
            return f"{self.document}{':' + str(self.line) if self.line else ''}#{self.pointer}"
        return f"{self.document}:{self.page}"

    @property
    def cited(self) -> str:
        """Where the quote stands, in prose: ``file.pdf p.3``, or ``file.json#/tender/...``."""
        return self.where if self.pointer is not None else f"{self.document} p.{self.page}"


Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Fact:
    """One statement found in a document, with the evidence it rests on."""

    kind: str  # e.g. "tendering-waived", "money", "feasibility-missing"
    evidence: tuple[Evidence, ...]
    confidence: float
    status: Status = Status.ASSERTED
    cue: str | None = None  # the negation / modality / attribution cue, if any
    attrs: tuple[tuple[str, Scalar], ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        for k, v in self.attrs:
            if k == key:
                return v
        return default

    @property
    def asserted(self) -> bool:
        return self.status is Status.ASSERTED

    @property
    def document(self) -> str:
        return self.evidence[0].document

    @property
    def page(self) -> int:
        return self.evidence[0].page

    @property
    def attr_dict(self) -> dict[str, Scalar]:
        return dict(self.attrs)


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """The worker's output for one document and the unit of the cache."""

    info: DocumentInfo
    facts: tuple[Fact, ...] = ()
    timings: tuple[tuple[str, float], ...] = ()  # stage -> seconds (open, text, ocr, facts)
    from_cache: bool = False


@dataclass(frozen=True, slots=True)
class Reference:
    title: str  # "Public Procurement Rules, 2004"
    section: str | None = None  # "rule 42(c)"
    text: str | None = None  # the legal text, quoted where public
    url: str | None = None
    ocp_code: str | None = None  # Open Contracting Partnership red-flag code
    jurisdiction: str | None = None  # ISO 3166 alpha-2 of the law cited ("PK", "KE", "PH")

    @property
    def line(self) -> str:
        """"Public Procurement Rules, 2004, rule 13 (Open Contracting red flag R003)"."""
        text = f"{self.title}, {self.section}" if self.section else self.title
        if self.ocp_code:
            text += f" (Open Contracting red flag {self.ocp_code})"
        return text


def legal_basis(references: "tuple[Reference, ...]") -> str:
    """One line of legal basis, in the words of the references (findings and reports alike)."""
    return "; ".join(r.line for r in references)


def legal_basis_in(references: "tuple[Reference, ...]", country: str | None) -> str:
    """The legal basis that applies in ``country`` (ISO alpha-2): its own law and
    references bound to no country (international standards); another country's
    statutes and judgments are left out ("" when nothing is left)."""
    if not country:
        return legal_basis(references)
    return legal_basis(tuple(r for r in references if r.jurisdiction in (None, "", country)))


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """Rule metadata every renderer may show (SARIF rules, memo appendix)."""

    id: str
    title: str
    severity: Severity
    status: str  # experimental | stable
    summary: str
    rationale: str
    references: tuple[Reference, ...] = ()
    help_uri: str = ""
    tags: tuple[str, ...] = ()  # the rule file's tags (--select/--ignore take them too)


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    title: str
    severity: Severity
    score: float
    confidence: float
    message: str
    evidence: tuple[Evidence, ...]
    fingerprint: str
    case_id: str = "."
    legal_basis: str = ""  # one line: "Public Procurement Rules, 2004, rule 42(c)"
    known: bool = False  # present in the --baseline report
    suppressed: str | None = None  # the reason of its entry in the --suppressions file (it does not count for --fail-on)


@dataclass(frozen=True, slots=True)
class Check:
    rule_id: str
    outcome: Outcome
    reason: str = ""


@dataclass(frozen=True, slots=True)
class CaseResult:
    id: str
    score: float
    documents: tuple[DocumentInfo, ...]
    findings: tuple[Finding, ...]
    checks: tuple[Check, ...] = ()
    terms: "TermSheet | None" = None  # the contract term sheet (auditor.terms), built from the case's facts
    warnings: tuple[str, ...] = ()  # about the case itself (its documents look unrelated)


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class ScanStats:
    documents: int = 0
    pages: int = 0
    ocr_pages: int = 0
    unread_pages: int = 0
    errors: int = 0
    cache_hits: int = 0
    seconds: tuple[tuple[str, float], ...] = ()  # per stage; only shown when asked


@dataclass(frozen=True, slots=True)
class AuditResult:
    tool_version: str
    roots: tuple[str, ...]
    cases: Sequence[CaseResult]  # in id order; a scan's are an auditor.spool.CaseList, read back lazily
    skipped: tuple[Skipped, ...] = ()
    rules: tuple[RuleInfo, ...] = ()
    stats: ScanStats = field(default_factory=ScanStats)
    generated_at: str | None = None  # ISO timestamp, only when asked (--timestamp)
    notes: tuple[str, ...] = ()  # run-wide notes ("tesseract not found: 12 pages unread")
    baseline_used: bool = False  # findings were compared with a --baseline report
    # Cardinal's indicator results over the OCDS processes of the scan: (group, id, code, value),
    # group one of OCID, Buyer, ProcuringEntity, Tenderer (``--format cardinal`` prints them)
    indicators: tuple[tuple[str, str, str, float], ...] = ()
    sources: tuple[tuple[str, str], ...] = ()  # (document path, absolute path on disk): for SARIF's repository paths

    def iter_findings(self) -> Iterator[Finding]:
        for case in self.cases:
            yield from case.findings

    @property
    def documents(self) -> tuple[DocumentInfo, ...]:
        return tuple(d for c in self.cases for d in c.documents)
