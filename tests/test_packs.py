"""Jurisdiction packs end to end: `auditor scan --rules packs/kenya` on real PDFs
uses Kenya's tender periods and cites Kenya's Act; the Philippines the same with
RA 9184; case.yaml picks a pack per case; overrides that keep another country's
references warn; broken pack.yaml / case.yaml / extends targets are usage errors
located as file:line:col; the shipped packs validate and pass their self-tests."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from auditor.cli import app
from auditor.ruleset.packs import load_rule_set, shipped_packs, shipped_packs_dir
from auditor.ruleset.schema import builtin_rules_dir
from auditor.ruleset.selftest import load_tests, run_case
from auditor.settings import DEFAULT
from pdfgen import text_pdf

ROOT = Path(__file__).resolve().parents[1]
KENYA = ROOT / "packs" / "kenya"
PHILIPPINES = ROOT / "packs" / "philippines"
runner = CliRunner()

# 18 days from advertisement to deadline: enough in Pakistan (15), short in Kenya (21)
KENYAN_NOTICE = [
    "KENYA URBAN ROADS AUTHORITY",
    "INVITATION TO TENDER",
    "Date of advertisement: 1st March, 2021.",
    "The Authority invites sealed tenders from eligible candidates for routine maintenance",
    "of urban roads in Nairobi (national open tender). Tender documents may be obtained",
    "on payment of a non-refundable fee of KSh 1,000.",
    "Completed tender documents must be deposited in the tender box on or before",
    "19th March, 2021 at 11:00 a.m.",
]
# 10 days from posting to deadline: enough in the Philippines (7), short in Pakistan (15)
PHILIPPINE_NOTICE = [
    "Republic of the Philippines",
    "INVITATION TO BID",
    "Date of posting: 1 March 2021",
    "The Department of Health, through its Bids and Awards Committee, invites bids for the",
    "supply of medical oxygen. The Approved Budget for the Contract is Php 1,500,000.00.",
    "Bids must be delivered on or before 11 March 2021 at 9:00 AM.",
]
# posted 5 days: short in both
PHILIPPINE_SHORT_NOTICE = PHILIPPINE_NOTICE[:5] + ["Bids must be delivered on or before 6 March 2021 at 9:00 AM."]


def scan_json(*args: str) -> tuple[int, dict | None, str]:
    res = runner.invoke(app, ["scan", *args, "--no-cache", "--quiet", "--format", "json", "--ocr", "off"],
                        catch_exceptions=False)
    try:
        report = json.loads(res.stdout)
    except ValueError:
        report = None
    return res.exit_code, report, res.stderr


def short_findings(report: dict) -> list[dict]:
    return [f for c in report["cases"] for f in c["findings"] if f["rule_id"] == "short-bidding-period"]


def notice_case(tmp_path: Path, lines: list[str], name: str = "case", case_yaml: str | None = None) -> Path:
    folder = tmp_path / name
    folder.mkdir(parents=True)
    text_pdf(folder / "tender-notice.pdf", ["\n".join(lines)])
    if case_yaml is not None:
        (folder / "case.yaml").write_text(case_yaml, encoding="utf-8")
    return folder


# --- Kenya ---------------------------------------------------------------------------


def test_kenya_pack_uses_kenyan_periods_and_cites_the_act(tmp_path: Path) -> None:
    folder = notice_case(tmp_path, KENYAN_NOTICE)
    code, report, err = scan_json(str(folder), "--rules", str(KENYA))
    assert code == 0, err
    (finding,) = short_findings(report)
    assert "18 days" in finding["message"] and "21-day minimum" in finding["message"]
    assert "Public Procurement and Disposal Act, 2005 (Kenya" in finding["legal_basis"]
    assert "Public Procurement and Asset Disposal Act, 2015" in finding["legal_basis"]
    assert "Pakistan" not in finding["legal_basis"]
    assert finding["evidence"][0]["page"] == 1
    assert report["notes"] == []  # the shipped overrides give their own references


def test_the_same_kenyan_notice_under_the_default_pack_uses_pakistans_numbers(tmp_path: Path) -> None:
    folder = notice_case(tmp_path, KENYAN_NOTICE)
    code, report, _ = scan_json(str(folder))
    assert code == 0
    assert short_findings(report) == []  # 18 days >= Pakistan's 15
    (check,) = [c for c in report["cases"][0]["checks"] if c["rule_id"] == "short-bidding-period"]
    assert check["outcome"] == "not-fired"


# --- the Philippines ------------------------------------------------------------------


def test_philippine_pack_uses_ra_9184_posting_period(tmp_path: Path) -> None:
    folder = notice_case(tmp_path, PHILIPPINE_SHORT_NOTICE)
    code, report, err = scan_json(str(folder), "--rules", str(PHILIPPINES))
    assert code == 0, err
    (finding,) = short_findings(report)
    assert "5 days" in finding["message"] and "7-calendar-day" in finding["message"]
    assert "Republic Act No. 9184" in finding["legal_basis"] and "Section 21.2.1" in finding["legal_basis"]
    assert "Pakistan" not in finding["legal_basis"]


def test_the_same_philippine_notice_under_each_pack(tmp_path: Path) -> None:
    folder = notice_case(tmp_path, PHILIPPINE_NOTICE)
    _, default_report, _ = scan_json(str(folder))
    (finding,) = short_findings(default_report)  # 10 days < Pakistan's 15
    assert "15-day minimum" in finding["message"] and "Pakistan" in finding["legal_basis"]
    _, ph_report, _ = scan_json(str(folder), "--rules", str(PHILIPPINES))
    assert short_findings(ph_report) == []  # 10 days >= 7


# --- case.yaml --------------------------------------------------------------------------


def test_case_yaml_picks_the_pack_per_case(tmp_path: Path) -> None:
    root = tmp_path / "root"
    notice_case(root, KENYAN_NOTICE, "nairobi-roads", "pack: kenya\n")
    notice_case(root, KENYAN_NOTICE, "same-notice-no-pack")
    code, report, err = scan_json(str(root))
    assert code == 0, err
    by_case = {c["id"]: c for c in report["cases"]}
    assert [f["rule_id"] for f in by_case["nairobi-roads"]["findings"]] == ["short-bidding-period"]
    assert "Kenya" in by_case["nairobi-roads"]["findings"][0]["legal_basis"]
    assert not any(f["rule_id"] == "short-bidding-period" for f in by_case["same-notice-no-pack"]["findings"])
    assert not any(s["path"].endswith("case.yaml") for s in report["skipped"])


def test_case_yaml_pack_by_relative_path(tmp_path: Path) -> None:
    pack = tmp_path / "my-pack"
    pack.mkdir()
    (pack / "pack.yaml").write_text("name: my-pack\ndescription: Kenya, by path.\nextends: [kenya]\n", encoding="utf-8")
    notice_case(tmp_path, KENYAN_NOTICE, "case", "pack: ../my-pack\n")
    code, report, err = scan_json(str(tmp_path / "case"))
    assert code == 0, err
    assert len(short_findings(report)) == 1


def test_bad_case_yaml_is_a_usage_error_with_its_location(tmp_path: Path) -> None:
    folder = notice_case(tmp_path, KENYAN_NOTICE, "case", "pack: kenya\njurisdiction: KE\n")
    res = runner.invoke(app, ["scan", str(folder), "--no-cache", "--quiet"])
    assert res.exit_code == 2
    assert f"{folder / 'case.yaml'}:2:1: case: unknown key 'jurisdiction'" in res.stderr


def test_unknown_pack_in_case_yaml_is_a_usage_error(tmp_path: Path) -> None:
    folder = notice_case(tmp_path, KENYAN_NOTICE, "case", "pack: kenia\n")
    res = runner.invoke(app, ["scan", str(folder), "--no-cache", "--quiet"])
    assert res.exit_code == 2
    assert f"{folder / 'case.yaml'}:1:7: unknown pack 'kenia'" in res.stderr
    assert "did you mean 'kenya'?" in res.stderr


# --- overrides and their warnings --------------------------------------------------------


def write_pack(directory: Path, files: dict[str, str]) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def test_override_keeping_foreign_references_warns_once(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "ghana", {
        "pack.yaml": "name: ghana\ndescription: Ghana, half done.\nextends: [builtin]\nsettings: {country: GH}\n",
        "short-bidding-period.yaml": "extends: short-bidding-period\nparameters:\n  min_days: {national: 21}\n",
    })
    loaded, problems = load_rule_set([pack])
    assert problems == []
    (rule,) = [r for r in loaded.rules if r.id == "short-bidding-period"]
    assert rule.parameters["min_days"] == {"national": 21, "international": 30}  # merged key by key
    assert rule.references[0].jurisdiction == "PK"  # kept
    (note,) = loaded.notes
    assert "cite PK law" in note and "country is GH" in note and "short-bidding-period.yaml" in note

    folder = notice_case(tmp_path, KENYAN_NOTICE)
    code, report, err = scan_json(str(folder), "--rules", str(pack))
    assert code == 0
    assert err.count("cite PK law") == 1
    assert report["notes"] == [note]
    (finding,) = short_findings(report)
    assert "21-day minimum" in finding["message"]


def test_override_with_own_references_or_same_country_does_not_warn(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "pk-strict", {
        "pack.yaml": "name: pk-strict\ndescription: Stricter Pakistan.\nsettings: {country: PK}\n",
        "short-bidding-period.yaml": "extends: short-bidding-period\nparameters:\n  min_days: {national: 20}\n",
    })
    loaded, _ = load_rule_set([builtin_rules_dir(), pack])
    assert loaded.notes == ()
    assert loaded.settings.country == "PK"


def test_derived_rule_with_another_id_keeps_the_original(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "extra", {
        "very-short-bidding-period.yaml": """\
            extends: short-bidding-period
            id: very-short-bidding-period
            title: Bidding period under a week
            severity: high
            parameters:
              min_days: {national: 7, international: 7}
            references:
              - title: Internal audit manual
                section: chapter 3
        """,
    })
    loaded, problems = load_rule_set([builtin_rules_dir(), pack])
    assert problems == []
    ids = {r.id: r for r in loaded.rules}
    assert ids["short-bidding-period"].parameters["min_days"]["national"] == 15
    derived = ids["very-short-bidding-period"]
    assert derived.severity.value == "high" and derived.conditions == ids["short-bidding-period"].conditions
    assert derived.parameters["min_days"] == {"national": 7, "international": 7}


def test_bad_overrides_and_manifest_are_reported_at_once(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "broken", {
        "pack.yaml": """\
            name: Broken Pack
            description: everything wrong
            extends: [builtin, atlantis]
            settings:
              country: Kenya
              currency_aliases: {Rs: rupees, Dinar: KWD}
              international_markers: ['(unclosed']
              flavour: spicy
        """,
        "short-bidding-period.yaml": """\
            extends: short-bidding-period
            conditions: {exists: {fact: money}}
            parameters:
              min_dayz: {national: 21}
        """,
        "waived-tender.yaml": "extends: waived-tender\n",
        "secrecy-request.yaml": "extends: secrecy-request\nmessage: 'Secret {nonsense}'\n",
    })
    res = runner.invoke(app, ["rules", "validate", str(pack)])
    assert res.exit_code == 2
    out = res.stdout
    manifest, sbp, wt, sr = (str(pack / n) for n in ("pack.yaml", "short-bidding-period.yaml", "waived-tender.yaml", "secrecy-request.yaml"))
    expected = [
        f"{manifest}:1:7: name 'Broken Pack' must be a lower-case slug",
        f"{manifest}:3:20: extends: unknown pack 'atlantis'",
        f"{manifest}:5:12: settings.country must be an ISO 3166 alpha-2 country code (hint: e.g. PK, KE, PH)",
        f"{manifest}:6:26: settings.currency_aliases.Rs: 'rupees' is not an ISO 4217 code",
        f"{manifest}:6:34: settings.currency_aliases: the money parser does not read 'Dinar' as a currency",
        f"{manifest}:7:27: settings.international_markers: bad regular expression",
        f"{manifest}:8:3: settings: unknown key 'flavour'",
        f"{sbp}:2:1: rule override: unknown key 'conditions'",
        f"{sbp}:4:3: parameters: rule 'short-bidding-period' has no parameter 'min_dayz' (hint: did you mean 'min_days'?)",
        f"{wt}:1:10: extends: no rule 'waived-tender' to extend (hint: did you mean 'waived-tendering'?)",
        f"{sr}:2:10: message: unknown field '{{nonsense}}'",
    ]
    for line in expected:
        assert line in out, f"missing {line!r} in:\n{out}"


def test_bad_pack_with_scan_is_a_usage_error(tmp_path: Path) -> None:
    pack = write_pack(tmp_path / "broken", {"pack.yaml": "name: broken\n"})
    folder = notice_case(tmp_path, KENYAN_NOTICE)
    res = runner.invoke(app, ["scan", str(folder), "--rules", str(pack), "--no-cache", "--quiet"])
    assert res.exit_code == 2
    assert f"{pack / 'pack.yaml'}:1:1: pack: missing required key 'description'" in res.stderr


# --- settings reach extraction, and the cache keeps them apart -------------------------------


def test_pack_settings() -> None:
    kenya, _ = load_rule_set([KENYA])
    assert kenya.settings.country == "KE" and kenya.settings.alias("KSh") == "KES"
    assert kenya.settings.rupee == "PKR"  # Rs still means PKR: the pack does not say otherwise
    ph, _ = load_rule_set([PHILIPPINES])
    assert ph.settings.scope_of("REQUEST FOR QUOTATION (small value procurement)") == "small-value"
    assert ph.settings.scope_of("International competitive bidding") == "international"
    assert DEFAULT.scope_of("INVITATION TO BID") is None and DEFAULT.default_scope == "national"
    assert builtin_rules_dir() in kenya.directories  # extends: [builtin]


def test_currency_alias_changes_what_a_token_means() -> None:
    from auditor.extract.money import find_amounts
    from auditor.settings import using

    assert find_amounts("a fee of Rs. 1,000")[0].currency == "PKR"
    with using(DEFAULT.updated({"currency_aliases": {"Rs": "INR", "Shillings": "UGX"}})):
        assert find_amounts("a fee of Rs. 1,000")[0].currency == "INR"
        assert find_amounts("a fee of 5,000 Shillings")[0].currency == "UGX"
    assert find_amounts("a fee of Rs. 1,000")[0].currency == "PKR"  # only inside


def test_a_pack_rescan_never_reuses_another_packs_extraction(tmp_path: Path) -> None:
    folder = notice_case(tmp_path, PHILIPPINE_SHORT_NOTICE[:2] + [
        "Date of posting: 1 March 2021",
        "REQUEST FOR QUOTATION for small value procurement of office supplies.",
        "Quotations must be received on or before 5 March 2021.",
    ])
    cache = tmp_path / "cache"

    def run(*extra: str) -> dict:
        res = runner.invoke(app, ["scan", str(folder), "--cache-dir", str(cache), "--quiet", "--format", "json",
                                  "--ocr", "off", *extra], catch_exceptions=False)
        return json.loads(res.stdout)

    assert len(short_findings(run())) == 1  # 4 days < 15 (scope national)
    assert short_findings(run("--rules", str(PHILIPPINES))) == []  # small-value: 4 >= 3, not the cached "national"
    assert len(short_findings(run())) == 1


# --- the shipped packs ------------------------------------------------------------------------


def test_shipped_packs() -> None:
    assert shipped_packs_dir() == ROOT / "packs"
    assert set(shipped_packs()) >= {"kenya", "philippines"}


@pytest.mark.parametrize("pack", [KENYA, PHILIPPINES], ids=["kenya", "philippines"])
def test_shipped_pack_validates_and_passes_its_self_tests(pack: Path) -> None:
    res = runner.invoke(app, ["rules", "validate", str(pack)])
    assert res.exit_code == 0, res.output
    assert "3 rule(s) valid" in res.stdout
    res = runner.invoke(app, ["rules", "test", str(pack)])
    assert res.exit_code == 0, res.output
    assert "24/24 rule test(s) passed" in res.stdout


PACK_CASES = []
for _pack in (KENYA, PHILIPPINES):
    _loaded, _ = load_rule_set([_pack])
    for _rule in _loaded.rules:
        if Path(_rule.source).parent == _pack:
            PACK_CASES += [(_pack.name, _loaded.settings, _rule, case) for case in load_tests(_rule)]


@pytest.mark.parametrize("pack,settings,rule,case", PACK_CASES,
                         ids=[f"{p}-{r.id}-{c.expect}-{c.index}" for p, _, r, c in PACK_CASES])
def test_pack_self_test(pack, settings, rule, case) -> None:
    ok, detail = run_case(rule, case, settings)
    assert ok, f"{pack} {rule.id} {case.expect} #{case.index} ({case.label}): {detail}"


def test_every_shipped_override_cites_its_own_country() -> None:
    for pack, country in ((KENYA, "KE"), (PHILIPPINES, "PH")):
        loaded, _ = load_rule_set([pack])
        assert loaded.notes == ()
        own = [r for r in loaded.rules if Path(r.source).parent == pack]
        assert own and all(r.extends == r.id for r in own)
        for r in own:
            juris = {ref.jurisdiction for ref in r.references if ref.jurisdiction}
            assert juris == {country}, (r.id, juris)
