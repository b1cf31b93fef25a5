"""OCDS input: every published form read to one compiled release per ocid, evidence
with JSON pointers, stable error codes, Cardinal's indicators at parity, and the
real OCDS files of the shared corpus scanned without a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from auditor.errors import DocumentReadError
from auditor.ocds import cardinal
from auditor.ocds.read import iter_processes, locate
from auditor.options import ScanOptions
from auditor.pipeline import run_scan
from auditor.report import Format, render
from auditor.ruleset.schema import builtin_rules_dir, load_rules
from pdfgen import page_words

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
if not SHARED.is_dir():
    SHARED = Path("/work/shared")
OCDS_CORPUS = SHARED / "corpus" / "ocds"
CARDINAL_DOCS = SHARED / "corpus" / "cardinal"
PARITY = SHARED / "tools" / "cardinal_parity.py"
RULES, _ = load_rules([builtin_rules_dir()])


def _write(path: Path, obj) -> Path:
    path.write_text(json.dumps(obj), encoding="utf-8")
    return path


def _release(ocid: str, rid: str, date: str, **kw) -> dict:
    return {"ocid": ocid, "id": rid, "date": date, "tag": ["tender"], **kw}


def _scan(*paths: Path, tmp_path: Path, settings: Path | None = None):
    options = ScanOptions(use_cache=False, cache_dir=tmp_path / "cache", jobs=1, cardinal_settings=settings)
    return run_scan(list(paths), options, RULES)


def _record_facts(path: Path) -> list:
    """The facts of every process of an OCDS file, as the scan makes them."""
    from auditor.ocds.facts import process_facts

    return [f for proc in iter_processes(path) for f in process_facts(proc, path.name, "").facts]


def _pdf_facts(folder: Path, tmp_path: Path) -> list:
    """The facts of the PDFs of a case folder."""
    from auditor.pipeline import discover, iter_case_results

    options = ScanOptions(use_cache=False, cache_dir=tmp_path / "cache", jobs=1)
    return [f for _, results in iter_case_results(discover([folder]), options) for r in results for f in r.facts]


# --- reading ---------------------------------------------------------------------------


def test_release_package_merges_releases_of_one_ocid(tmp_path) -> None:
    pkg = {"version": "1.1", "releases": [
        _release("ocds-a-1", "1", "2021-01-01T00:00:00Z", tender={"id": "t", "procurementMethod": "open", "title": "Roads"}),
        _release("ocds-a-1", "2", "2021-02-01T00:00:00Z", tender={"id": "t", "procurementMethod": "direct"},
                 awards=[{"id": "a1", "value": {"amount": 10, "currency": "USD"}}]),
        _release("ocds-a-2", "1", "2021-01-05T00:00:00Z", tender={"id": "t2", "procurementMethod": "open"}),
    ]}
    procs = list(iter_processes(_write(tmp_path / "pkg.json", pkg)))
    assert [p.ocid for p in procs] == ["ocds-a-1", "ocds-a-2"]
    merged = procs[0].release
    assert merged["tender"]["procurementMethod"] == "direct"  # the later release wins
    assert merged["tender"]["title"] == "Roads"  # ... and the earlier one's fields stay
    assert merged["awards"][0]["id"] == "a1"
    # evidence points into the release that gave the value, not into a compiled release the file lacks
    assert locate(procs[0], ("tender", "procurementMethod")) == (None, "/releases/1/tender/procurementMethod")
    assert locate(procs[0], ("tender", "title")) == (None, "/releases/0/tender/title")
    assert locate(procs[1], ("tender", "procurementMethod")) == (None, "/releases/2/tender/procurementMethod")


def test_record_package_uses_compiled_release_else_merges(tmp_path) -> None:
    pkg = {"records": [
        {"ocid": "r-1", "compiledRelease": {"ocid": "r-1", "tender": {"procurementMethod": "limited"}},
         "releases": [{"url": "http://example.invalid/1"}]},
        {"ocid": "r-2", "releases": [
            _release("r-2", "1", "2020-01-01T00:00:00Z", tender={"id": "x", "numberOfTenderers": 3}),
            _release("r-2", "2", "2020-03-01T00:00:00Z", tender={"id": "x", "numberOfTenderers": 1}),
        ]},
    ]}
    procs = list(iter_processes(_write(tmp_path / "records.json", pkg)))
    assert [p.ocid for p in procs] == ["r-1", "r-2"]
    assert procs[0].base == "/records/0/compiledRelease"
    assert procs[1].release["tender"]["numberOfTenderers"] == 1
    assert locate(procs[1], ("tender", "numberOfTenderers")) == (None, "/records/1/releases/1/tender/numberOfTenderers")


def test_single_release_and_json_lines(tmp_path) -> None:
    single = list(iter_processes(_write(tmp_path / "one.json", _release("s-1", "1", "2020-01-01T00:00:00Z"))))
    assert [(p.ocid, p.base) for p in single] == [("s-1", "")]
    lines = tmp_path / "many.jsonl"
    lines.write_text("\n".join(json.dumps({"ocid": f"c-{i}", "tender": {"numberOfTenderers": i}}) for i in range(5)) + "\n")
    procs = list(iter_processes(lines))
    assert [p.ocid for p in procs] == [f"c-{i}" for i in range(5)]
    assert [p.line for p in procs] == [1, 2, 3, 4, 5]
    assert locate(procs[3], ("tender", "numberOfTenderers")) == (4, "/tender/numberOfTenderers")


def test_ocds_10_organisations_get_ids(tmp_path) -> None:
    pkg = {"version": "1.0", "releases": [_release("old-1", "1", "2015-01-01T00:00:00Z",
                                                   buyer={"name": "Ministry", "identifier": {"scheme": "XX-REG", "id": "42"}},
                                                   awards=[{"id": "a", "status": "active", "suppliers": [{"name": "Acme Ltd"}]}])]}
    rel = next(iter_processes(_write(tmp_path / "old.json", pkg))).release
    assert rel["buyer"]["id"] == "XX-REG-42"
    assert rel["awards"][0]["suppliers"][0]["id"] == "Acme Ltd"
    assert {p["id"]: p["roles"] for p in rel["parties"]} == {"XX-REG-42": ["buyer"], "Acme Ltd": ["supplier"]}


@pytest.mark.parametrize("name,content,code", [
    ("broken.json", '{"releases": [', "corrupt"),
    ("broken.jsonl", "{not json\n", "corrupt"),
    ("config.json", '{"name": "my-app", "version": "2.0.0"}', "not-ocds"),
    ("list.json", "[1, 2, 3]", "not-ocds"),
    ("empty.json", "", "empty"),
])
def test_bad_input_has_a_stable_code(tmp_path, name, content, code) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(DocumentReadError) as err:
        list(iter_processes(path))
    assert err.value.code == code


def test_a_bad_file_does_not_stop_the_scan(tmp_path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "broken.json").write_text('{"releases": [')
    (folder / "other.json").write_text('{"name": "not ocds"}')
    _write(folder / "good.json", {"ocid": "g-1", "tender": {"procurementMethod": "direct"}})
    result = _scan(folder, tmp_path=tmp_path)
    errors = {d.path: d.error.code for c in result.cases for d in c.documents if d.error}
    assert errors == {"data/broken.json": "corrupt", "data/other.json": "not-ocds"}  # paths start with their folder's id
    good = next(c for c in result.cases if c.id == "data/good.json#g-1")
    assert [f.rule_id for f in good.findings] == ["waived-tendering"]


# --- facts and evidence ------------------------------------------------------------------


def test_direct_method_fires_with_pointer_evidence(tmp_path) -> None:
    path = _write(tmp_path / "p.json", {"releases": [_release(
        "ocds-x-9", "1", "2021-05-01T00:00:00Z",
        tender={"id": "t", "procurementMethod": "direct", "procurementMethodRationale": "Urgent purchase of medicines"})]})
    result = _scan(path, tmp_path=tmp_path)
    (case,) = result.cases
    assert case.id == f"{tmp_path.name}/p.json#ocds-x-9"  # a file given alone: its folder, then file#ocid
    finding = next(f for f in case.findings if f.rule_id == "waived-tendering")
    ev = finding.evidence[0]
    assert (ev.ocid, ev.pointer, ev.quote) == ("ocds-x-9", "/releases/0/tender/procurementMethod", '"procurementMethod": "direct"')
    assert "p.json#/releases/0/tender/procurementMethod" in render(result, Format.MARKDOWN)
    assert "p.json#/releases/0/tender/procurementMethod" in render(result, Format.CSV)
    item = json.loads(render(result, Format.JSON))["cases"][0]["findings"][0]["evidence"][0]
    assert item["pointer"] == "/releases/0/tender/procurementMethod" and item["ocid"] == "ocds-x-9"


def test_spanish_details_and_limited_method(tmp_path) -> None:
    path = tmp_path / "mx.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in [
        {"ocid": "mx-1", "tender": {"procurementMethod": "open", "procurementMethodDetails": "Adjudicación directa (art. 42)"}},
        {"ocid": "mx-2", "tender": {"procurementMethod": "limited"}},
        {"ocid": "mx-3", "tender": {"procurementMethod": "open", "procurementMethodDetails": "Licitación pública nacional"}},
    ]) + "\n")
    result = _scan(path, tmp_path=tmp_path)
    fired = {c.id: [(f.rule_id, f.evidence[0].pointer) for f in c.findings] for c in result.cases}
    mx = f"{tmp_path.name}/mx.jsonl"
    assert fired[f"{mx}#mx-1"] == [("waived-tendering", "/tender/procurementMethodDetails")]
    assert fired[f"{mx}#mx-2"] == [("waived-tendering", "/tender/procurementMethod")]
    assert fired[f"{mx}#mx-3"] == []


def test_negative_tender_period_is_a_note_not_a_flag(tmp_path) -> None:
    path = _write(tmp_path / "neg.json", {"ocid": "n-1", "tender": {"procurementMethod": "open", "tenderPeriod": {
        "startDate": "2021-03-20T00:00:00Z", "endDate": "2021-03-01T00:00:00Z"}}})
    result = _scan(path, tmp_path=tmp_path)
    assert [f.rule_id for f in result.cases[0].findings if f.rule_id == "short-bidding-period"] == []
    assert any("ends (2021-03-01) before it starts" in n for n in result.notes)


def test_short_tender_period_fires_short_bidding_period(tmp_path) -> None:
    path = _write(tmp_path / "short.json", {"ocid": "s-1", "tender": {"procurementMethod": "open", "tenderPeriod": {
        "startDate": "2021-03-01T10:00:00Z", "endDate": "2021-03-06T10:00:00Z"}}})
    (case,) = _scan(path, tmp_path=tmp_path).cases
    f = next(f for f in case.findings if f.rule_id == "short-bidding-period")
    assert "5 days" in f.message
    assert {e.pointer for e in f.evidence} == {"/tender/tenderPeriod/startDate", "/tender/tenderPeriod/endDate"}


# --- Cardinal ------------------------------------------------------------------------------


def test_type8_quartiles() -> None:
    # Hyndman and Fan type 8 (R's quantile(type = 8)) on small samples
    assert cardinal.quantile([1, 99, 99, 99, 99], 0.25) == pytest.approx(66.33333333)
    assert cardinal.quantile([1, 1, 1, 1, 2], 0.75) == pytest.approx(1.33333333)
    assert cardinal.quantile([0, 1], 0.25) == 0
    assert cardinal.quantile([5], 0.75) == 5


def test_r003_counts_whole_24_hour_days() -> None:
    s = cardinal.Settings({}, {"R003": {}})
    rel = {"ocid": "F", "tender": {"tenderPeriod": {"startDate": "2021-03-01T09:00:00Z", "endDate": "2021-03-16T08:00:00Z"}}}
    assert cardinal.compute([rel], s) == {("OCID", "F", "R003"): 1.0}  # 14 days 23 hours < 15
    rel["tender"]["tenderPeriod"]["endDate"] = "2021-03-16T09:00:00Z"
    assert cardinal.compute([rel], s) == {}


def test_r038_minimum_is_compared_with_submitted_bids() -> None:
    releases = [{"ocid": "0", "buyer": {"id": "B"}, "bids": {"details": [
        {"status": "valid", "tenderers": [{"id": "W"}]}, {"status": "disqualified", "tenderers": [{"id": "D"}]}]}}]
    # one process, two submitted bids: the default minimum of 2 is met (Cardinal counts bids)
    assert cardinal.compute(releases, cardinal.Settings({}, {"R038": {}})) == {("Buyer", "B", "R038"): 0.5}
    strict = cardinal.Settings({}, {"R038": {"minimum_contracting_processes": "3"}})
    assert cardinal.compute(releases, strict) == {}


def test_settings_errors_are_located(tmp_path) -> None:
    bad = tmp_path / "bad.ini"
    bad.write_text("[R003]\nthreshold = fifteen\n")
    with pytest.raises(cardinal.SettingsError, match="threshold must be a number"):
        cardinal.Settings.from_ini(bad)


@pytest.mark.skipif(not (CARDINAL_DOCS.is_dir() and PARITY.is_file()), reason="shared corpus not present")
def test_cardinal_parity_on_documented_examples(tmp_path) -> None:
    cmd = (f"PYTHONPATH={ROOT} {sys.executable} -m auditor scan {{input}} --cardinal-settings {{settings}} "
           "--format cardinal --no-cache --quiet")
    out = tmp_path / "parity.json"
    proc = subprocess.run([sys.executable, str(PARITY), "--fixtures", str(CARDINAL_DOCS), "--cmd", cmd, "--json", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    result = json.loads(out.read_text())
    assert set(result["per_indicator"]) == set(cardinal.INDICATORS)
    assert sum(v["TP"] for v in result["per_indicator"].values()) == 18
    assert result["disagreements"] == []


@pytest.mark.skipif(not CARDINAL_DOCS.is_dir(), reason="shared corpus not present")
def test_cardinal_format_output(tmp_path) -> None:
    docs = CARDINAL_DOCS / "docs-examples"
    result = _scan(docs / "R" / "058.jsonl", tmp_path=tmp_path, settings=docs / "settings.ini")
    assert json.loads(render(result, Format.CARDINAL)) == {"OCID": {"F": {"R058": 99.0}}, "Tenderer": {"W": {"R058": 0.0}}}
    f = next(f for c in result.cases for f in c.findings if f.rule_id == "ocds-r058-heavily-discounted-bid")
    assert f.case_id == "R/058.jsonl#F" and "value 99.0" in f.message


# --- the real OCDS files -------------------------------------------------------------------


@pytest.mark.skipif(not OCDS_CORPUS.is_dir(), reason="shared corpus not present")
def test_real_ocds_files(tmp_path) -> None:
    result = _scan(OCDS_CORPUS, tmp_path=tmp_path)
    assert len(result.cases) == 115
    assert [d.path for c in result.cases for d in c.documents if d.error] == []
    by_file: dict[str, set[str]] = {}
    for c in result.cases:
        by_file.setdefault(c.id.split("#")[0].removeprefix("ocds/"), set()).update(f.rule_id for f in c.findings)
    waived = sum(1 for c in result.cases for f in c.findings if f.rule_id == "waived-tendering")
    assert waived == 27  # the direct and limited processes (and the Spanish / Chinese method texts)
    assert "waived-tendering" in by_file["ocds-mx-inai__PC-0012-PC-0012.json"]  # open, yet "Adjudicación directa"
    assert "waived-tendering" in by_file["ocds-tw__ocid-6as3t2-51188678-ocid-6as3t2-51188678.json"]
    assert by_file["ocds-uk__ocds-b5fd17-2c330cf9-adc8-11e6-9901-0019b9f3037b.json"] == set()


# --- cross-checks between OCDS and the PDFs of the same case (fixtures/ocds) ------------------

CROSS_RULES = ("method-contradicted-by-documents", "tender-deadline-contradicted", "contract-value-mismatch",
               "ocds-listed-document-missing", "method-contradicted-by-record", "tenderer-count-contradicted",
               "supplier-contradicted-by-documents", "funder-contradicted-by-documents")
# the cross-checks that need both sides (a fact of the record and a fact of a PDF) to fire
BOTH_SIDES_RULES = ("method-contradicted-by-record", "tenderer-count-contradicted",
                    "supplier-contradicted-by-documents", "funder-contradicted-by-documents")


@pytest.fixture(scope="module")
def cross_cases(tmp_path_factory) -> dict:
    result = _scan(ROOT / "fixtures" / "ocds", tmp_path=tmp_path_factory.mktemp("cross"))
    return {c.id: c for c in result.cases}


def test_cross_check_cases_read_the_record_with_the_pdfs(cross_cases) -> None:
    assert set(cross_cases) == {"ocds-agree", "ocds-differ", "ocds-differ-direct"}
    for case in cross_cases.values():
        kinds = sorted(d.kind for d in case.documents)
        assert kinds == ["award-letter", "ocds-release", "tender-notice"], kinds


def test_cross_checks_are_silent_when_record_and_documents_agree(cross_cases) -> None:
    case = cross_cases["ocds-agree"]
    assert [f.rule_id for f in case.findings] == []
    outcomes = {c.rule_id: c.outcome.value for c in case.checks}
    # evaluated and clean, not skipped for lack of evidence
    assert outcomes["contract-value-mismatch"] == "not-fired"
    assert outcomes["tender-deadline-contradicted"] == "not-fired"
    assert outcomes["method-contradicted-by-documents"] == "not-fired"
    for rule_id in BOTH_SIDES_RULES:
        assert outcomes[rule_id] == "not-fired", rule_id


def test_agreeing_case_holds_both_sides_of_each_new_cross_check(tmp_path) -> None:
    """ocds-agree is silent because the sides agree, not because one side is missing."""
    folder = ROOT / "fixtures" / "ocds" / "ocds-agree"
    record = [f for f in _record_facts(folder / "record.json") if f.asserted]
    pdf = [f for f in _pdf_facts(folder, tmp_path) if f.asserted]
    assert all(f.evidence[0].pointer is not None for f in record)
    assert all(f.evidence[0].pointer is None and f.document.endswith(".pdf") for f in pdf)
    assert {f.get("count") for f in record if f.kind == "bids-received"} == {4}
    assert {f.get("count") for f in pdf if f.kind == "bids-received"} == {4}
    for role in ("vendor", "lender"):
        assert any(f.kind == "party" and f.get("role") == role for f in record), role
        assert any(f.kind == "party" and f.get("role") == role for f in pdf), role
    assert any(f.kind == "procurement-method" and f.get("method") == "open competitive bidding" for f in pdf)

@pytest.mark.parametrize("rule_id,pointer,page_doc", [
    ("method-contradicted-by-documents", "/releases/0/tender/procurementMethod", "ocds-differ/letter-of-award.pdf"),
    ("tender-deadline-contradicted", "/releases/0/tender/tenderPeriod/endDate", "ocds-differ/tender-notice.pdf"),
    ("contract-value-mismatch", "/releases/1/awards/0/value/amount", "ocds-differ/letter-of-award.pdf"),
    ("tenderer-count-contradicted", "/releases/1/tender/numberOfTenderers", "ocds-differ/letter-of-award.pdf"),
    ("supplier-contradicted-by-documents", "/releases/1/awards/0/suppliers/0/name", "ocds-differ/letter-of-award.pdf"),
    ("funder-contradicted-by-documents", "/releases/1/parties/2/name", "ocds-differ/letter-of-award.pdf"),
])
def test_each_cross_check_fires_citing_both_sides(cross_cases, rule_id, pointer, page_doc) -> None:
    case = cross_cases["ocds-differ"]
    (finding,) = [f for f in case.findings if f.rule_id == rule_id]
    json_side = [e for e in finding.evidence if e.pointer is not None]
    pdf_side = [e for e in finding.evidence if e.pointer is None]
    assert pointer in [e.pointer for e in json_side]
    assert all(e.ocid == "ocds-fx1234-IWSA-2021-08" for e in json_side)
    assert (page_doc, 1) in [(e.document, e.page) for e in pdf_side]


def test_reverse_method_check_fires_citing_both_sides(cross_cases) -> None:
    case = cross_cases["ocds-differ-direct"]
    (finding,) = [f for f in case.findings if f.rule_id == "method-contradicted-by-record"]
    assert finding.severity.value == "medium"
    json_side = [e for e in finding.evidence if e.pointer is not None]
    pdf_side = [e for e in finding.evidence if e.pointer is None]
    assert [e.pointer for e in json_side] == ["/releases/0/tender/procurementMethod"]
    assert json_side[0].quote == '"procurementMethod": "direct"'
    assert ("ocds-differ-direct/tender-notice.pdf", 1) in [(e.document, e.page) for e in pdf_side]
    assert any("competitive bidding" in e.quote.lower() for e in pdf_side)
    # the other new cross-checks agree in this case
    assert not [f.rule_id for f in case.findings if f.rule_id in BOTH_SIDES_RULES and f.rule_id != "method-contradicted-by-record"]
    # ocds-differ's record says open: the reverse check stays silent there
    assert "method-contradicted-by-record" not in [f.rule_id for f in cross_cases["ocds-differ"].findings]


def test_new_cross_check_messages_name_both_values(cross_cases) -> None:
    by_rule = {f.rule_id: f for f in cross_cases["ocds-differ"].findings}
    assert "counts 4 tenderer(s)" in by_rule["tenderer-count-contradicted"].message
    assert "says 3 bid(s)" in by_rule["tenderer-count-contradicted"].message
    assert "Potohar Pipeline Contractors" in by_rule["supplier-contradicted-by-documents"].message
    assert "Margalla Hydro Works" in by_rule["supplier-contradicted-by-documents"].message
    assert "Asian Development Bank" in by_rule["funder-contradicted-by-documents"].message
    assert "Japan International Cooperation Agency" in by_rule["funder-contradicted-by-documents"].message


def test_record_facts_for_the_cross_checks(tmp_path) -> None:
    """Suppliers of live awards and funders become party facts; without numberOfTenderers the
    distinct tenderers of the bids are counted (a withdrawn bid is not)."""
    path = _write(tmp_path / "p.json", {"ocid": "p-1", "parties": [
        {"id": "F1", "name": "World Bank", "roles": ["funder"]}, {"id": "B1", "name": "City", "roles": ["buyer"]}],
        "awards": [{"id": "A1", "status": "active", "suppliers": [{"id": "S1", "name": "Orion Ltd"}]},
                   {"id": "A2", "status": "cancelled", "suppliers": [{"id": "S2", "name": "Delta Ltd"}]}],
        "bids": {"details": [{"id": "b1", "tenderers": [{"id": "T1"}]}, {"id": "b2", "tenderers": [{"id": "T1"}]},
                             {"id": "b3", "tenderers": [{"id": "T2"}]}, {"id": "b4", "status": "withdrawn", "tenderers": [{"id": "T3"}]}]}})
    facts = _record_facts(path)
    parties = sorted((f.get("role"), f.get("name"), f.evidence[0].pointer) for f in facts if f.kind == "party")
    assert parties == [("lender", "World Bank", "/parties/0/name"), ("vendor", "Orion Ltd", "/awards/0/suppliers/0/name")]
    (count,) = [f for f in facts if f.kind == "bids-received"]
    assert (count.get("count"), count.get("source"), count.evidence[0].pointer) == (2, "bids", "/bids/details")


def test_every_cross_check_quote_stands_where_it_points(cross_cases) -> None:
    """Each evidence item of each finding of the cross-check cases: the JSON side is the member
    its pointer names in the file, verbatim; the PDF side stands on the page it cites."""
    from auditor.ocds.facts import quote_of

    checked = {"json": 0, "pdf": 0}
    for case in cross_cases.values():
        for finding in case.findings:
            for e in finding.evidence:
                path = ROOT / "fixtures" / "ocds" / e.document
                if e.pointer is not None:
                    node, key = json.loads(path.read_text(encoding="utf-8")), None
                    for token in e.pointer.split("/")[1:]:
                        key = int(token) if isinstance(node, list) else token.replace("~1", "/").replace("~0", "~")
                        node = node[key]
                    assert e.quote == quote_of(key, node), (finding.rule_id, e.pointer)
                    checked["json"] += 1
                else:
                    text = page_words(str(path), e.page)
                    assert " ".join(e.quote.split()) in text, (finding.rule_id, e.document, e.page, e.quote)
                    checked["pdf"] += 1
    assert checked["json"] >= 8 and checked["pdf"] >= 8, checked


def test_facts_command_lists_the_record_facts_with_their_pointers() -> None:
    """`auditor facts` shows both sides of a cross-check: the PDFs' facts and the record's."""
    from typer.testing import CliRunner

    from auditor.cli import app

    out = CliRunner().invoke(app, ["facts", str(ROOT / "fixtures" / "ocds" / "ocds-differ"), "--no-cache", "-j", "1",
                                   "-k", "bids-received", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)
    record = [(r["attrs"]["count"], r["pointer"], r["ocid"]) for r in rows if "pointer" in r]
    assert record == [(4, "/releases/1/tender/numberOfTenderers", "ocds-fx1234-IWSA-2021-08")]
    assert [(r["attrs"]["count"], r["document"], r["page"]) for r in rows if "pointer" not in r] == [
        (3, "ocds-differ/letter-of-award.pdf", 1)]


def test_listed_document_missing_is_a_note_with_its_url(cross_cases) -> None:
    (finding,) = [f for f in cross_cases["ocds-differ"].findings if f.rule_id == "ocds-listed-document-missing"]
    assert finding.severity.value == "info"
    assert "https://example.invalid/iwsa/evaluation-08.pdf" in finding.message
    assert finding.evidence[0].pointer == "/releases/0/tender/documents/1/documentType"


def test_rationale_urgency_fires_urgency_without_emergency(tmp_path) -> None:
    path = _write(tmp_path / "u.json", {"ocid": "u-1", "tender": {
        "procurementMethod": "direct", "procurementMethodRationale": "Direct contracting in view of the urgency of the requirement"}})
    (case,) = _scan(path, tmp_path=tmp_path).cases
    f = next(f for f in case.findings if f.rule_id == "urgency-without-emergency")
    assert f.evidence[0].pointer == "/tender/procurementMethodRationale"
    assert f.evidence[0].quote == '"procurementMethodRationale": "Direct contracting in view of the urgency of the requirement"'
    # negated: the extractor's reading stands
    path = _write(tmp_path / "n.json", {"ocid": "n-1", "tender": {
        "procurementMethod": "open", "procurementMethodRationale": "No waiver of the procurement rules was sought"}})
    (case,) = _scan(path, tmp_path=tmp_path).cases
    assert [f.rule_id for f in case.findings] == []


def test_award_split_over_contracts_is_compared_with_their_sum(tmp_path) -> None:
    award = {"id": "A1", "status": "active", "value": {"amount": 100, "currency": "PYG"}}
    split = [{"id": "C1", "awardID": "A1", "value": {"amount": 40, "currency": "PYG"}},
             {"id": "C2", "awardID": "A1", "value": {"amount": 60, "currency": "PYG"}}]
    path = _write(tmp_path / "split.json", {"ocid": "p-1", "awards": [award], "contracts": split})
    assert [f.rule_id for f in _scan(path, tmp_path=tmp_path).cases[0].findings] == []
    split[1]["value"]["amount"] = 90  # 130 against 100
    path = _write(tmp_path / "over.json", {"ocid": "p-2", "awards": [award], "contracts": split})
    (f,) = _scan(path, tmp_path=tmp_path).cases[0].findings
    assert f.rule_id == "contract-value-mismatch" and "2 contract(s)" in f.message
    assert [e.pointer for e in f.evidence] == ["/awards/0/value/amount", "/contracts/0/value/amount", "/contracts/1/value/amount"]
