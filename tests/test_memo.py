"""The Markdown memo as a reader gets it: per case a severity chart, its
documents linked with their SHA-256, the legal basis of the case's own
jurisdiction, a right-of-reply section, and no command-line jargon."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest
from markdown_it import MarkdownIt

from pdfgen import text_pdf

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "fixtures" / "cases" / "islamabad-safe-city"

# A Kenyan procurement: the secrecy rule has no Kenyan override (its references cite
# Pakistani law and the Safe City judgment); waived-tendering has one.
KENYAN_MINUTES = [
    "KENYA URBAN ROADS AUTHORITY",
    "Minutes of the Tender Committee, 12 March 2019",
    "The Committee approved the award of the contract for street lighting to M/s Lumen Works Ltd",
    "by direct procurement, and directed that the matter be handled confidentially and kept away",
    "from the press until the works are complete.",
]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}


def _scan(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "auditor", "scan", *args, "--no-cache", "-q", "--ocr", "off"],
                          capture_output=True, text=True, env=_env(), cwd=cwd)


@pytest.fixture(scope="module")
def memo(tmp_path_factory) -> Path:
    if not CASE.is_dir():
        pytest.skip("fixtures not generated (python fixtures/make_fixtures.py)")
    out = tmp_path_factory.mktemp("memo") / "reports" / "memo.md"
    out.parent.mkdir()
    res = _scan(str(CASE), "-f", "markdown", "-o", str(out))
    assert res.returncode == 0, res.stderr
    return out


def _case_block(text: str) -> str:
    start = text.index("### Case ")
    return text[start:text.index("#### 1.", start)]


def test_each_case_has_a_severity_chart(memo):
    block = _case_block(memo.read_text(encoding="utf-8"))
    rows = re.findall(r"^\| (critical|high|medium|low|info) \| (\d+) \| (█+) \|$", block, re.M)
    assert [(s, int(n)) for s, n, _ in rows] == [("critical", 2), ("high", 3), ("medium", 3)]
    bars = {s: len(b) for s, _, b in rows}
    assert bars["high"] == bars["medium"] > bars["critical"] > 0  # bars in proportion to the counts


def test_the_chart_is_plain_markdown(memo):
    html = MarkdownIt("commonmark").enable("table").render(memo.read_text(encoding="utf-8"))
    assert "<svg" not in html  # GitHub strips inline SVG: the chart is a table, readable anywhere
    assert html.count("<table>") >= 4


def test_documents_are_linked_with_their_sha256(memo):
    text = memo.read_text(encoding="utf-8")
    block = _case_block(text)
    report = json.loads(_scan(str(CASE), "-f", "json").stdout)
    docs = report["cases"][0]["documents"]
    for d in docs:
        name = Path(d["path"]).name
        m = re.search(rf"^- \[{re.escape(name)}\]\(<([^>]+)>\) — .* — SHA-256 `{d['sha256']}`$", block, re.M)
        assert m, f"{name} is not listed with a link and its full SHA-256"
        assert (memo.parent / unquote(m.group(1))).resolve() == (CASE / name).resolve()  # relative to the memo
    # each quote links to its page of the document
    pages = re.findall(r"\[page (\d+)\]\(<([^>#]+)#page=(\d+)>\)", text)
    assert pages and all(a == b for a, _, b in pages)
    assert all((memo.parent / unquote(p)).is_file() for _, p, _ in pages)


def test_right_of_reply_and_no_cli_jargon(memo):
    text = memo.read_text(encoding="utf-8")
    assert "## Right of reply" in text
    reply = text[text.index("## Right of reply"):text.index("## Methodology")]
    assert "answer" in reply and "published" in reply
    for jargon in ("fingerprint", "Fingerprint", "similarity", "/100)", "--timestamp", "auditor scan"):
        assert jargon not in text, jargon
    assert "- **Date:** not recorded\n" in text


def _kenyan_case(tmp_path: Path, pack: bool) -> Path:
    folder = tmp_path / ("kenya" if pack else "no-pack") / "street-lighting"
    folder.mkdir(parents=True)
    text_pdf(folder / "tender-committee-minutes.pdf", ["\n".join(KENYAN_MINUTES)])
    if pack:
        (folder / "case.yaml").write_text("pack: kenya\n", encoding="utf-8")
    return folder


def test_legal_basis_is_the_case_jurisdictions(tmp_path):
    kenyan = json.loads(_scan(str(_kenyan_case(tmp_path, pack=True)), "-f", "json").stdout)
    findings = {f["rule_id"]: f for c in kenyan["cases"] for f in c["findings"]}
    assert {"secrecy-request", "waived-tendering"} <= set(findings), sorted(findings)
    for f in findings.values():
        assert "Pakistan" not in f["legal_basis"] and "Safe City" not in f["legal_basis"], f["legal_basis"]
    assert "Kenya" in findings["waived-tendering"]["legal_basis"]
    memo = _scan(str(_kenyan_case(tmp_path / "m", pack=True)), "-f", "markdown").stdout
    assert "Pakistan" not in "".join(line for line in memo.splitlines() if line.startswith("- **Legal basis:**"))
    assert "Open Contracting" in findings["secrecy-request"]["legal_basis"]  # international references stay
    # the same documents with no pack are a Pakistani case (the built-in pack's country)
    default = json.loads(_scan(str(_kenyan_case(tmp_path, pack=False)), "-f", "json").stdout)
    secrecy = [f for c in default["cases"] for f in c["findings"] if f["rule_id"] == "secrecy-request"]
    assert secrecy and "Pakistan" in secrecy[0]["legal_basis"]


def test_a_rule_with_only_another_countrys_law_says_so():
    from auditor.models import Reference, legal_basis_in
    from auditor.report import markdown
    from test_report_formats import tiny_result

    refs = (Reference("Public Procurement Rules, 2004", "rule 42(c)", jurisdiction="PK"),
            Reference("Open Contracting Data Standard", jurisdiction=None))
    assert legal_basis_in(refs, "KE") == "Open Contracting Data Standard"
    assert legal_basis_in(refs[:1], "KE") == ""
    assert legal_basis_in(refs, "PK").startswith("Public Procurement Rules, 2004, rule 42(c)")
    from dataclasses import replace

    result = tiny_result()
    f = replace(result.cases[0].findings[0], legal_basis="")
    result = replace(result, cases=(replace(result.cases[0], findings=(f,)),))
    assert "no provision of the law of this case is recorded for this rule" in markdown.render(result)
