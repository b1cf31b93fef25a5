"""Divergences from Cardinal found by running its own test fixtures (cardinal-rs
tests/fixtures/indicators, see bench/OCDS.md): each test here is a small input
written for this project that failed before the fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.errors import DocumentReadError
from auditor.ocds import cardinal
from auditor.ocds.read import ReadLog, iter_processes

SHORT = {"ocid": "short", "tender": {"tenderPeriod": {"startDate": "2021-03-01T00:00:00Z",
                                                      "endDate": "2021-03-02T00:00:00Z"}}}


def _lines(path: Path, *lines: bytes) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


# --- reading JSON Lines: a bad line costs only itself ------------------------------------

@pytest.mark.parametrize("bad", [
    b"{",                      # not JSON (first line)
    b'{"ocid": "cut"',         # truncated
    b'{"ocid": "\xff\xfe"}',   # not UTF-8
    b"[1, 2]",                 # JSON, not an object
    b"null",
    b'"text"',
    b'{"": 0}',                # an object with nothing OCDS in it
])
@pytest.mark.parametrize("where", ["first", "last"])
def test_a_bad_jsonl_line_is_skipped_not_the_file(tmp_path, bad, where) -> None:
    good = json.dumps(SHORT).encode()
    path = _lines(tmp_path / "mixed.jsonl", *((bad, good) if where == "first" else (good, bad)))
    log = ReadLog()
    processes = list(iter_processes(path, log))
    assert [p.ocid for p in processes] == ["short"]
    assert log.bad_lines + log.other_lines == 1
    flags = cardinal.compute([p.release for p in processes], cardinal.Settings({}, {"R003": {}}))
    assert flags == {("OCID", "short", "R003"): 1.0}


def test_a_jsonl_file_without_any_json_line_is_still_corrupt(tmp_path) -> None:
    path = _lines(tmp_path / "x.jsonl", b"{", b"not json")
    with pytest.raises(DocumentReadError) as err:
        list(iter_processes(path))
    assert err.value.code == "corrupt"


def test_a_jsonl_file_of_json_but_nothing_ocds_is_still_not_ocds(tmp_path) -> None:
    path = _lines(tmp_path / "x.jsonl", b"[1]", b'{"name": "app"}')
    with pytest.raises(DocumentReadError) as err:
        list(iter_processes(path))
    assert err.value.code == "not-ocds"


# --- R028 identical bid prices ------------------------------------------------------------

def _bid(status: str, amount, tenderers, currency="USD") -> dict:
    return {"status": status, "value": {"amount": amount, "currency": currency},
            "tenderers": [{"id": t} for t in tenderers]}


def _r028(*bids) -> dict:
    rel = {"ocid": "p", "bids": {"details": list(bids)}}
    return cardinal.compute([rel], cardinal.Settings({}, {"R028": {}}))


def test_r028_one_consortium_bidding_one_price_twice_is_not_a_flag() -> None:
    assert _r028(_bid("valid", 5, ["A", "Z"]), _bid("disqualified", 5, ["Z", "A"])) == {}


def test_r028_a_lone_consortium_bid_is_not_a_flag() -> None:
    assert _r028(_bid("valid", 5, ["A", "Z"]), _bid("valid", 7, ["B"])) == {}


def test_r028_different_tenderers_same_price_in_another_currency_are_flagged() -> None:
    flags = _r028(_bid("valid", 9, ["M"], "USD"), _bid("valid", 5, ["A"], "EUR"), _bid("valid", 5, ["B"], "EUR"))
    assert flags == {("OCID", "p", "R028"): 1.0, ("Tenderer", "A", "R028"): 1.0, ("Tenderer", "B", "R028"): 1.0}


def test_r028_a_tenderer_without_id_does_not_hide_the_others() -> None:
    other = {"status": "valid", "value": {"amount": 5, "currency": "USD"}, "tenderers": [{"id": "B"}, {"name": "x"}]}
    flags = _r028(_bid("valid", 5, ["A"]), other)
    assert flags == {("OCID", "p", "R028"): 1.0, ("Tenderer", "A", "R028"): 1.0, ("Tenderer", "B", "R028"): 1.0}


# --- R036 lowest bid disqualified ----------------------------------------------------------

def test_r036_needs_a_valid_bid_with_an_amount() -> None:
    rel = {"ocid": "p", "awards": [{"status": "active"}], "bids": {"details": [
        {"status": "disqualified", "value": {"amount": 3, "currency": "USD"}},
        {"status": "valid", "value": {"currency": "USD"}}]}}
    assert cardinal.compute([rel], cardinal.Settings({}, {"R036": {}})) == {}
    rel["bids"]["details"][1]["value"]["amount"] = 4
    assert cardinal.compute([rel], cardinal.Settings({}, {"R036": {}})) == {("OCID", "p", "R036"): 1.0}


# --- R025 excessive unsuccessful bids --------------------------------------------------------

def test_r025_counts_a_tenderer_once_per_process() -> None:
    def proc(ocid, tenderers, winner):
        return {"ocid": ocid, "awards": [{"status": "active", "suppliers": [{"id": winner}]}],
                "bids": {"details": [{"status": "valid", "tenderers": [{"id": t}]} for t in tenderers]}}
    # T loses four processes and wins one with three valid bids of its own: 1 win in 5, not 3 in 7
    releases = [proc(f"lost-{i}", ["T", f"w{i}"], f"w{i}") for i in range(4)] + [proc("won", ["T", "T", "T"], "T")]
    flags = cardinal.compute(releases, cardinal.Settings({}, {"R025": {"threshold": "0.5"}}))
    assert flags == {("Tenderer", "T", "R025"): 0.2}


# --- R024 / R058 the difference between the winning bid and the lowest other bid -------------

def _priced(ocid: str, bids: list[tuple[str, float]], winner: str = "W") -> dict:
    return {"ocid": ocid, "awards": [{"status": "active", "suppliers": [{"id": winner}]}],
            "bids": {"details": [{"status": "valid", "tenderers": [{"id": t}], "value": {"amount": a, "currency": "USD"}}
                                 for t, a in bids]}}


def test_r024_a_winners_second_bid_is_not_the_second_lowest_bid() -> None:
    rel = _priced("p", [("W", 1), ("W", 2), ("L", 3)])
    flags = cardinal.compute([rel], cardinal.Settings({}, {"R024": {"threshold": "5"}}))
    assert flags == {("OCID", "p", "R024"): 2.0, ("Tenderer", "W", "R024"): 0.0, ("Tenderer", "L", "R024"): 0.0}


def test_r024_a_tie_with_the_winner_counts_whichever_bid_comes_first() -> None:
    rel = _priced("p", [("L", 4), ("W", 4)])
    flags = cardinal.compute([rel], cardinal.Settings({}, {"R024": {"threshold": "0.5"}}))
    assert flags == {("OCID", "p", "R024"): 0.0, ("Tenderer", "W", "R024"): 0.0, ("Tenderer", "L", "R024"): 0.0}


@pytest.mark.parametrize("code", ["R024", "R058"])
def test_r024_r058_flag_nothing_when_the_fence_is_zero(code) -> None:
    # every difference is 0: the fence is 0, and a fence of 0 would flag every process
    releases = [_priced(f"p{i}", [("W", 10), (f"L{i}", 10)]) for i in range(6)]
    assert cardinal.compute(releases, cardinal.Settings({}, {code: {}})) == {}


def test_r025_flags_nothing_when_the_fence_is_zero() -> None:
    # six one-off losers and one winner: ratios 0,0,0,0,0,0,1, so Q1 = Q3 = 0 and the fence is 0
    def proc(i):
        return {"ocid": f"p{i}", "awards": [{"status": "active", "suppliers": [{"id": "W"}]}],
                "bids": {"details": [{"status": "valid", "tenderers": [{"id": t}]} for t in ("W", f"L{i}")]}}
    assert cardinal.compute([proc(i) for i in range(6)], cardinal.Settings({}, {"R025": {}})) == {}


# --- R048 heterogeneous supplier ---------------------------------------------------------------

def _awarded(ocid: str, supplier: str, *codes: str) -> dict:
    return {"ocid": ocid, "awards": [{"status": "active", "suppliers": [{"id": supplier}],
                                      "items": [{"classification": {"id": c}} for c in codes]}]}


def test_r048_a_supplier_below_the_minimum_processes_is_not_flagged() -> None:
    releases = [_awarded("a1", "A", "10000000", "20000000", "30000000"),    # A: 1 process, 3 divisions
                _awarded("b1", "B", "10000000"), _awarded("b2", "B", "10000000")]
    settings = cardinal.Settings({}, {"R048": {"threshold": "2", "minimum_contracting_processes": "2"}})
    assert cardinal.compute(releases, settings) == {}
    settings = cardinal.Settings({}, {"R048": {"threshold": "2", "minimum_contracting_processes": "1"}})
    assert cardinal.compute(releases, settings) == {("Tenderer", "A", "R048"): 3.0}


def test_r048_an_award_without_classified_items_does_not_count_as_a_process() -> None:
    releases = [_awarded("a1", "A", "10000000", "20000000"), _awarded("a2", "A")]  # the 2nd has no items
    settings = cardinal.Settings({}, {"R048": {"threshold": "2", "minimum_contracting_processes": "2"}})
    assert cardinal.compute(releases, settings) == {}


# --- R038 excessive disqualified bids, R035 all except winning bid disqualified ----------------

def test_r038_flags_nothing_when_the_fence_is_zero() -> None:
    def proc(i, disqualified):
        return {"ocid": f"p{i}", "buyer": {"id": f"B{i}"}, "bids": {"details": [
            {"status": "valid", "tenderers": [{"id": f"V{i}"}]},
            {"status": "disqualified" if disqualified else "valid", "tenderers": [{"id": f"D{i}"}]}]}}
    # six buyers with no disqualified bid, one with half: Q1 = Q3 = 0, the fence is 0
    releases = [proc(i, i == 6) for i in range(7)]
    assert cardinal.compute(releases, cardinal.Settings({}, {"R038": {}})) == {}
    # a threshold of 0 is no fence either
    assert cardinal.compute(releases, cardinal.Settings({}, {"R038": {"threshold": "0"}})) == {}


def test_r038_a_tenderer_without_id_does_not_hide_its_partner() -> None:
    rel = {"ocid": "p", "bids": {"details": [
        {"status": "disqualified", "tenderers": [{"id": "D"}, {"name": "no id"}]},
        {"status": "disqualified", "tenderers": [{"id": "D"}]}]}}
    flags = cardinal.compute([rel], cardinal.Settings({}, {"R038": {"threshold": "0.5"}}))
    assert flags == {("Tenderer", "D", "R038"): 1.0}


def test_r035_a_threshold_below_one_is_one() -> None:
    rel = {"ocid": "p", "awards": [{"status": "active", "suppliers": [{"id": "V"}]}],
           "bids": {"details": [{"status": "valid", "tenderers": [{"id": "V"}]}]}}
    assert cardinal.compute([rel], cardinal.Settings({}, {"R035": {"threshold": "0"}})) == {}


def test_r035_a_reference_without_id_does_not_exclude_the_process() -> None:
    rel = {"ocid": "p", "awards": [{"status": "active", "suppliers": [{"id": "V"}]},
                                   {"status": "active", "suppliers": []}],
           "bids": {"details": [{"status": "valid", "tenderers": [{"id": "V"}]},
                                {"status": "invited", "tenderers": [{"name": "no id"}]},
                                {"status": "disqualified", "tenderers": [{"id": "D"}]}]}}
    flags = cardinal.compute([rel], cardinal.Settings({}, {"R035": {}}))
    assert flags == {("OCID", "p", "R035"): 1.0, ("Tenderer", "V", "R035"): 0.0}


def test_r030_a_consortium_partner_without_id_does_not_hide_the_late_winner() -> None:
    rel = {"ocid": "p", "tender": {"tenderPeriod": {"endDate": "2021-01-10T00:00:00Z"}},
           "awards": [{"status": "active", "suppliers": [{"id": "W"}, {"name": "partner"}]}],
           "bids": {"details": [{"status": "valid", "date": "2021-01-11T00:00:00Z",
                                 "tenderers": [{"id": "W"}, {"name": "partner"}]}]}}
    flags = cardinal.compute([rel], cardinal.Settings({}, {"R030": {}}))
    assert flags == {("OCID", "p", "R030"): 1.0, ("Tenderer", "W", "R030"): 1.0}


# --- R003 short submission period, R018 single bid ----------------------------------------------

@pytest.mark.parametrize("start,end,flagged", [
    ("2021-03-01T00:00:00Z", "2021-03-02T00:00:00Z", True),
    ("2021-03-01T00:00:00+03:00", "2021-03-02t00:00:00z", True),
    ("2021-03-01 00:00:00.5-05:00", "2021-03-02T00:00:00-05:00", True),
    ("2021-03-01", "2021-03-02", False),                         # dates alone
    ("2021-03-01T00:00:00", "2021-03-02T00:00:00", False),       # no UTC offset
    ("2021-03-01T00:00Z", "2021-03-02T00:00Z", False),           # no seconds
])
def test_r003_reads_rfc3339_date_times_only(start, end, flagged) -> None:
    rel = {"ocid": "p", "tender": {"tenderPeriod": {"startDate": start, "endDate": end}}}
    flags = cardinal.compute([rel], cardinal.Settings({}, {"R003": {}}))
    assert flags == ({("OCID", "p", "R003"): 1.0} if flagged else {})


def test_r018_one_tenderer_is_the_integer_one() -> None:
    rel = {"ocid": "p", "tender": {"procurementMethod": "open", "numberOfTenderers": 1.0}}
    assert cardinal.compute([rel], cardinal.Settings({}, {"R018": {}})) == {}
    rel["tender"]["numberOfTenderers"] = 1
    assert cardinal.compute([rel], cardinal.Settings({}, {"R018": {}})) == {("OCID", "p", "R018"): 1.0}


def test_the_price_comparison_allow_list_overrides_the_deny_list() -> None:
    rel = {"ocid": "p", "awards": [{"status": "active"}], "tender": {"procurementMethodDetails": "Y"},
           "bids": {"details": [{"status": "disqualified", "value": {"amount": 1, "currency": "USD"}},
                                {"status": "valid", "value": {"amount": 2, "currency": "USD"}}]}}
    both = cardinal.Settings({"price_comparison_procurement_methods": "Y",
                              "no_price_comparison_procurement_methods": "Y"}, {"R036": {}})
    assert cardinal.compute([rel], both) == {("OCID", "p", "R036"): 1.0}


def test_r024_a_valid_bid_without_tenderer_id_is_passed_over_not_the_process() -> None:
    rel = _priced("p", [("W", 10), ("L", 11)])
    rel["bids"]["details"].append({"status": "valid", "tenderers": [{"name": "no id"}],
                                   "value": {"amount": 12, "currency": "USD"}})
    flags = cardinal.compute([rel], cardinal.Settings({}, {"R024": {"threshold": "0.5"}}))
    assert flags == {("OCID", "p", "R024"): 0.1, ("Tenderer", "W", "R024"): 0.0, ("Tenderer", "L", "R024"): 0.0}
    rel["bids"]["details"][-1]["tenderers"].append({"id": "M"})  # a consortium: the process is left out
    assert cardinal.compute([rel], cardinal.Settings({}, {"R024": {"threshold": "0.5"}})) == {}


@pytest.mark.parametrize("status", ["pending", "invalid", "Active", "complete"])
def test_an_award_status_outside_the_final_ones_leaves_the_process_out(status) -> None:
    rel = {"ocid": "p", "awards": [{"status": "active", "suppliers": [{"id": "V"}]}, {"status": status}],
           "bids": {"details": [{"status": "valid", "tenderers": [{"id": "V"}]},
                                {"status": "disqualified", "tenderers": [{"id": "D"}]}]}}
    assert cardinal.compute([rel], cardinal.Settings({}, {"R035": {}})) == {}
    rel["awards"][1]["status"] = "cancelled"
    assert cardinal.compute([rel], cardinal.Settings({}, {"R035": {}})) != {}
