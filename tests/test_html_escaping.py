"""Text from PDFs is data, never markup.

A one-page "tender complaint" made here with reportlab says that a contract was
awarded to ``<script>alert(1)</script> Ltd`` without inviting tenders, so a
finding quotes the payload.  The HTML report must show it only escaped, and
the Markdown, CSV, SARIF and JSON reports must stay well-formed.  Folder and
file names carry markup too (case ids and paths are user data as well).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest

from auditor.models import AuditResult, DocumentError, Skipped
from auditor.report import Format, render
from auditor.report.html import SCRIPT
from test_report_formats import scan_folder, tiny_result

PAYLOAD = "<script>alert(1)</script>"
SENTENCE = f"The contract was awarded to {PAYLOAD} Ltd without inviting tenders."
SECOND = 'The supplier <img src=x onerror=alert(2)> was paid in full; see "annex </script><b>B</b>".'
CASE_DIR = 'complaints <i onmouseover=alert(3)>'  # a folder name with markup in it
PDF_NAME = 'tender "complaint" & reply.pdf'
ALLOWED_TAGS = {
    "html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section", "h1", "h2", "p",
    "strong", "ul", "li", "table", "caption", "thead", "tbody", "tr", "th", "td", "span", "meter", "code", "a",
    "blockquote", "cite", "br", "div", "label", "select", "option", "input", "script",
    "h3", "mark", "details", "summary",  # per-case sections, the marked quote in its paragraph, folded quotes
}
needs_posix_names = pytest.mark.skipif(os.name == "nt", reason="file names with < > \" are not allowed on Windows")


def make_complaint(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    path.parent.mkdir(parents=True, exist_ok=True)
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setTitle(f"Tender complaint {PAYLOAD}")
    c.setFont("Helvetica-Bold", 14)
    c.drawString(60, 800, "Tender complaint No. 12 of 2023")
    c.setFont("Helvetica", 11)
    y = 770
    for line in ("Before the Grievance Redressal Committee of the Directorate of Education.", SENTENCE, SECOND,
                 "The complainant asks that the award be reviewed."):
        c.drawString(60, y, line)
        y -= 18
    c.showPage()
    c.save()


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.scripts.append("")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1] += data


def assert_safe_html(html: str) -> TagCollector:
    parser = TagCollector()
    parser.feed(html)
    parser.close()
    tags = {t for t, _ in parser.tags}
    assert tags <= ALLOWED_TAGS, f"unexpected elements: {tags - ALLOWED_TAGS}"
    for tag, attrs in parser.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), f"event handler attribute {name} on <{tag}>"
            assert name not in ("src", "srcdoc", "formaction", "background"), f"{name} on <{tag}>"
            if name == "href":
                # a web link, an anchor, or a relative link to a document's page: only
                # percent-encoded path characters, so never a scheme, a query or markup
                assert value and (value.startswith(("https://", "http://", "#"))
                                  or re.fullmatch(r"[A-Za-z0-9%._~/-]+\.pdf(#page=[0-9]+)?", value)), value
    assert parser.scripts == [SCRIPT], "exactly one script, ours, unchanged"
    assert "<link" not in html and "@import" not in html and "url(" not in html
    digest = base64.b64encode(hashlib.sha256(parser.scripts[0].encode("utf-8")).digest()).decode()
    csp = [a.get("content") for t, a in parser.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and f"'sha256-{digest}'" in csp[0] and "default-src 'none'" in csp[0]
    return parser


@pytest.fixture(scope="module")
def xss_result(tmp_path_factory: pytest.TempPathFactory) -> AuditResult:
    if os.name == "nt":
        pytest.skip("file names with < > \" are not allowed on Windows")
    root = tmp_path_factory.mktemp("xss")
    make_complaint(root / "filings" / CASE_DIR / PDF_NAME)
    (root / "filings" / CASE_DIR / "<notes>.txt").write_text("x", encoding="utf-8")
    return scan_folder(root, "filings")


def quoted(result: AuditResult) -> list[str]:
    return [e.quote for f in result.iter_findings() for e in f.evidence]


@needs_posix_names
def test_a_finding_quotes_the_payload(xss_result: AuditResult) -> None:
    assert any(PAYLOAD in q for q in quoted(xss_result)), quoted(xss_result)
    assert xss_result.cases[0].id == CASE_DIR


@needs_posix_names
def test_html_shows_the_payload_only_escaped(xss_result: AuditResult) -> None:
    html = render(xss_result, Format.HTML)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<i onmouseover" not in html and "&lt;i onmouseover=alert(3)&gt;" in html
    assert 'tender &quot;complaint&quot; &amp; reply.pdf' in html
    assert "<img" not in html
    assert_safe_html(html)


@needs_posix_names
def test_markdown_stays_text(xss_result: AuditResult) -> None:
    from markdown_it import MarkdownIt

    text = render(xss_result, Format.MARKDOWN)
    assert PAYLOAD not in text
    html = MarkdownIt("commonmark").enable("table").render(text)  # raw HTML is allowed by this preset
    assert "<script" not in html and "<img" not in html and "<i " not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    quote_lines = [line for line in text.splitlines() if line.startswith("> ") and "alert(1)" in line]
    assert quote_lines, "the quote is shown as a block quote"


@needs_posix_names
def test_csv_round_trips(xss_result: AuditResult) -> None:
    text = render(xss_result, Format.CSV)
    rows = list(csv.reader(io.StringIO(text)))
    assert len({len(r) for r in rows}) == 1, "every row has the same number of columns"
    records = list(csv.DictReader(io.StringIO(text)))
    first_quotes = [f.evidence[0].quote for f in sorted(xss_result.iter_findings(), key=lambda f: (-f.severity.rank, -f.score))]
    assert sorted(r["quote"] for r in records) == sorted(first_quotes)
    assert {r["case"] for r in records} == {CASE_DIR}


@needs_posix_names
def test_sarif_and_json_stay_valid(xss_result: AuditResult) -> None:
    schema = json.loads((Path(__file__).parent / "data" / "sarif-2.1.0.json").read_text(encoding="utf-8"))
    log = json.loads(render(xss_result, Format.SARIF))
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    snippets = [r["locations"][0]["physicalLocation"]["region"]["snippet"]["text"] for r in log["runs"][0]["results"]]
    assert any(PAYLOAD in s for s in snippets)
    uris = [a["location"]["uri"] for a in log["runs"][0]["artifacts"]]
    assert all(" " not in u and '"' not in u and "<" not in u for u in uris), uris
    data = json.loads(render(xss_result, Format.JSON))
    assert any(PAYLOAD in e["quote"] for c in data["cases"] for f in c["findings"] for e in f["evidence"])


@needs_posix_names
def test_cli_html_report(tmp_path: Path) -> None:
    make_complaint(tmp_path / "filings" / CASE_DIR / PDF_NAME)
    out = tmp_path / "report.html"
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "scan", "filings", "--format", "html", "--output", str(out),
         "--no-cache", "--ocr", "off", "--quiet"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
    assert_safe_html(html)


def test_every_field_is_escaped_in_html() -> None:
    """Hostile text in every field a renderer shows, not just the quote."""
    evil = '"><script>alert(9)</script><img src=x onerror=alert(8)>'
    base = tiny_result()
    f = base.cases[0].findings[0]
    e = replace(f.evidence[0], document=f"d{evil}.pdf", quote=f"q{evil}")
    finding = replace(f, evidence=(e,), message=f"m{evil}", title=f"t{evil}", legal_basis=f"l{evil}", case_id=f"c{evil}")
    docs = (
        replace(base.cases[0].documents[0], path=f"d{evil}.pdf", unread_pages=(2,), unread_reason=f"r{evil}"),
        replace(base.cases[0].documents[1], path=f"e{evil}.pdf", error=DocumentError("corrupt", f"x{evil}")),
    )
    rule = replace(base.rules[0], title=f"rt{evil}", help_uri="javascript:alert(7)")
    result = replace(
        base,
        roots=(f"root{evil}",),
        cases=(replace(base.cases[0], id=f"c{evil}", documents=docs, findings=(finding,)),),
        skipped=(Skipped(f"s{evil}.txt", f"why{evil}"),),
        notes=(f"note{evil}",),
        rules=(rule,),
        generated_at=f"2024{evil}",
    )
    html = render(result, Format.HTML)
    assert "<script>alert(9)" not in html and "<img" not in html and "javascript:" not in html
    assert html.count("&lt;script&gt;alert(9)&lt;/script&gt;") >= 10
    assert_safe_html(html)
    from markdown_it import MarkdownIt

    md_html = MarkdownIt("commonmark").enable("table").render(render(result, Format.MARKDOWN))
    assert "<script" not in md_html and "<img" not in md_html and "javascript:" not in md_html
