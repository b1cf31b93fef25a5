"""The caches' JSON encodings: decode(encode(x)) == x for the results of every
fixture case and for every rule of the pack; damaged data is refused, never
half-decoded; and no cache file is a pickle."""

from __future__ import annotations

import hashlib
import json
from dataclasses import MISSING, replace
from pathlib import Path

import pytest

from auditor import codec
from auditor.ingest.cache import ResultCache
from auditor.ingest.pool import process_documents
from auditor.models import DocumentError, DocumentInfo, DocumentResult, Evidence, Fact, Reference, Status
from auditor.options import OcrMode, ScanOptions
from auditor.pipeline import discover
from auditor.ruleset.schema import builtin_rules_dir, load_rules, rule_from_json, rule_to_json
from conftest import FIXTURE_CASES


@pytest.fixture(scope="module")
def fixture_results(tmp_path_factory) -> list[DocumentResult]:
    """Every document of every fixture case, read without OCR (fast; OCR evidence is
    in test_odd_values_round_trip)."""
    found = discover([FIXTURE_CASES])
    tasks = [t for case in found.cases for t in case.documents]
    options = ScanOptions(use_cache=False, ocr=OcrMode.OFF, cache_dir=tmp_path_factory.mktemp("unused"))
    results = list(process_documents(tasks, options))
    assert len(results) == len(tasks) > 10
    return results


def _through_json(value):
    """Encode, write as the cache does (compact), read back."""
    return json.loads(json.dumps(value, separators=(",", ":")))


def test_every_fixture_result_round_trips(fixture_results):
    facts = 0
    for result in fixture_results:
        back = codec.result_from_json(_through_json(codec.result_to_json(result)))
        assert back == result, result.info.path
        facts += len(result.facts)
    assert facts > 100  # the fixtures exercise many facts, kinds and attributes


def test_odd_values_round_trip():
    ev = Evidence("a/b ü.pdf", 3, "quote with \"quotes\", \\ and \udcff", 1, 9, "f" * 64, True)
    fact = Fact("money", (ev, replace(ev, page=4)), 0.75, Status.HYPOTHETICAL, "if",
                (("value", 1.0), ("n", 3), ("approx", False), ("vendor", None), ("currency", "PKR"), ("big", 1e300)))
    info = DocumentInfo("a/b ü.pdf", "f" * 64, 0, (1, 2), (3,), "blank page", "judgment", None,
                        DocumentError("corrupt", "one line"))
    result = DocumentResult(info, (fact,), (("facts", 0.25), ("open", 1e-06)), True)
    back = codec.result_from_json(_through_json(codec.result_to_json(result)))
    assert back == result
    assert type(back.facts[0].get("value")) is float and type(back.facts[0].get("n")) is int
    ref = Reference("Public Procurement Rules, 2004", "rule 13", None, "https://x.org", "R003")
    assert codec.reference_from_json(_through_json(codec.reference_to_json(ref))) == ref


def test_every_rule_round_trips():
    rules, _ = load_rules([builtin_rules_dir()])
    for rule in rules:
        back = rule_from_json(_through_json(rule_to_json(rule)))
        assert back == rule, rule.id
        assert back.requires == rule.requires and back.conditions == rule.conditions


@pytest.mark.parametrize("damage", [
    "not a result",
    [1, 2, 3],
    lambda v: v[0].__setitem__(2, "three"),  # pages as a string
    lambda v: v[1][0].__setitem__(3, "certain"),  # an unknown fact status
    lambda v: v[1][0][1][0].pop(),  # evidence lacking a field
    lambda v: v[1][0][5].append([1, 2]),  # an attribute named by a number
    lambda v: v[1][0][5].append(["x", {"a": 1}]),  # an attribute that is not a scalar
])
def test_damaged_data_is_refused(fixture_results, damage):
    result = next(r for r in fixture_results if r.facts)
    value = _through_json(codec.result_to_json(result))
    if callable(damage):
        damage(value)
    else:
        value = damage
    with pytest.raises(codec.DecodeError):
        codec.result_from_json(value)


def test_cache_entries_and_rule_packs_are_json_not_pickle(fixture_results, tmp_path: Path):
    cache = ResultCache(tmp_path, ScanOptions(cache_dir=tmp_path))
    result = next(r for r in fixture_results if r.facts)
    assert cache.put(result)
    entry, = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert entry.suffix == ".json" and entry.parent.parent.name == "v3"
    header, body = entry.read_bytes().split(b"\n", 1)  # format 3: a header with a checksum, then the result
    data = json.loads(header)
    assert set(data) == {"format", "key", "sha256"} and data["format"] == 3
    assert data["sha256"] == hashlib.sha256(body[:-1]).hexdigest()
    assert type(json.loads(body)) is list
    assert b": " not in entry.read_bytes()[:200]  # compact separators
    hit = cache.get(result.info.sha256, result.info.path)
    assert replace(hit, timings=result.timings, from_cache=False) == result
    load_rules([builtin_rules_dir()], cache_dir=tmp_path)
    pack, = (tmp_path / "rules").glob("*")
    head, _, body = pack.read_bytes().partition(b"\n")  # a header line with the body's checksum, then the body
    assert pack.suffix == ".json" and json.loads(head)["format"] == 3 and type(json.loads(body)) is list
    again, problems = load_rules([builtin_rules_dir()], cache_dir=tmp_path)
    assert problems == [] and again == load_rules([builtin_rules_dir()])[0]


def test_a_damaged_rule_pack_is_validated_again(tmp_path: Path):
    first, _ = load_rules([builtin_rules_dir()], cache_dir=tmp_path)
    pack, = (tmp_path / "rules").glob("*.json")
    for junk in (b"", b"{", b'{"format": 2, "key": "x", "rules": []}', pack.read_bytes()[:-40]):
        pack.write_bytes(junk)
        rules, problems = load_rules([builtin_rules_dir()], cache_dir=tmp_path)
        assert rules == first and problems == []


def test_every_evidence_field_round_trips():
    """A cached result is the result the scan made: no field of Evidence may be lost on the
    way through the cache (a register row's cells were, so a warm rescan lost them)."""
    from dataclasses import fields

    ev = Evidence("case/register.pdf", 2, "Number: 6 · Entity: A", 4, 20, "e" * 64, True, row=7,
                  cells=(("Number", "6"), ("Entity", "A\nB")), before="…before", after="after…",
                  ocid="ocds-1", pointer="/tender/procurementMethod", line=12)
    assert all(getattr(ev, f.name) != f.default for f in fields(Evidence)), "set every field in this test"
    back = codec.evidence_from_json(_through_json(codec.evidence_to_json(ev)))
    assert back == ev


def test_every_document_info_field_round_trips():
    from dataclasses import fields

    info = DocumentInfo("case/a.json", "a" * 64, 2, (1,), (2,), "blank page", "ocds-release", 2020,
                        DocumentError("corrupt", "one line"), internal_errors=("money on p.1",), ocids=("ocds-1",))
    assert all(getattr(info, f.name) != f.default for f in fields(DocumentInfo) if f.default is not MISSING)
    assert codec.info_from_json(_through_json(codec.info_to_json(info))) == info
