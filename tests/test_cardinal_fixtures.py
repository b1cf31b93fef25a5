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
