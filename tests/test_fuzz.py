"""Issue 15: a short run of the project's mutation fuzzer (bench/fuzz.py) on the
project's own fixture PDFs, through the real command line: 50 mutants, no
traceback, no exit code outside 0/1, no document lost or without an outcome,
none past its time limit, the process tree below 400 MB."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from conftest import EXAMPLE, ROOT

sys.path.insert(0, str(ROOT / "bench"))

import fuzz  # noqa: E402  (bench/fuzz.py)


def test_fifty_mutants_of_a_fixture_case(tmp_path, capsys):
    out = tmp_path / "fuzz.json"
    status = fuzz.main([str(EXAMPLE), "--mutants", "50", "--batch", "25", "--seed", "15", "--jobs", "2",
                        "--doc-timeout", "20", "--json", str(out)])
    totals = json.loads(out.read_text())
    assert totals["mutants"] == 50 and sum(totals["by_mutator"].values()) == 50
    assert {k: totals[k] for k in ("tracebacks", "bad_exit", "lost", "no_outcome", "past_limit", "misclassified")} == \
        dict.fromkeys(("tracebacks", "bad_exit", "lost", "no_outcome", "past_limit", "misclassified"), 0), \
        totals["problems"][:5]
    assert 0 < totals["peak_rss_mb"] < 400
    assert status == 0
    assert len(totals["by_mutator"]) >= 8  # the mutators are exercised, not one of them
    assert set(totals["codes"]) - {"read"}  # some mutants are damaged enough to get an error code


def test_mutants_are_a_function_of_the_seed():
    files = fuzz.sources([EXAMPLE], 4096)
    plan = fuzz.plan(30, 7, files)
    assert plan == fuzz.plan(30, 7, files)
    first = [fuzz.make_mutant(i, m, src, 7) for i, m, src in plan]
    assert first == [fuzz.make_mutant(i, m, src, 7) for i, m, src in plan]
    assert all(m != src.read_bytes() for m, (_, _, src) in zip(first, plan))
