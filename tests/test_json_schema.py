"""`auditor rules schema`: JSON Schemas (draft 2020-12) of rule files, pattern
files and pack manifests, generated from the validator's own tables."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from auditor.cli import app
from auditor.ruleset import pattern_schema
from auditor.ruleset.json_schema import schema_for, table_schema
from auditor.ruleset.schema import TOP_KEYS, builtin_rules_dir, load_rules, rule_files

RULE_FILES = rule_files(builtin_rules_dir())
runner = CliRunner()


@functools.cache
def validator(kind: str) -> jsonschema.Draft202012Validator:
    schema = schema_for(kind)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def errors(kind: str, doc: object) -> list[str]:
    return [e.message for e in validator(kind).iter_errors(doc)]


def rule_doc(name: str = "waived-tendering.yaml") -> dict:
    return yaml.safe_load((builtin_rules_dir() / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("kind", ["rule", "pattern", "pack"])
def test_the_schemas_are_valid_draft_2020_12(kind):
    schema = schema_for(kind)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize("path", RULE_FILES, ids=[p.stem for p in RULE_FILES])
def test_every_shipped_rule_file_passes_the_schema(path):
    assert not path.name.endswith(".test.yaml")
    assert errors("rule", yaml.safe_load(path.read_text(encoding="utf-8"))) == []


def test_the_schema_lists_every_top_key_of_the_validator():
    schema = schema_for("rule")
    assert set(schema["properties"]) == set(TOP_KEYS)
    assert set(schema["required"]) == {k for k, req in TOP_KEYS.items() if req}


def test_an_unknown_key_is_rejected():
    doc = rule_doc()
    doc["sevrity"] = "high"
    assert any("'sevrity' was unexpected" in m for m in errors("rule", doc))
    doc = rule_doc()
    doc["references"][0]["sektion"] = "5"
    assert errors("rule", doc)


def test_a_bad_severity_is_rejected():
    doc = rule_doc()
    doc["severity"] = "severe"
    assert any("'severe' is not one of" in m for m in errors("rule", doc))


@pytest.mark.parametrize("conditions", [
    {"exists": {"fact": "tendering-waivd"}},  # unknown fact kind
    {"exists": {"fact": "tendering-waived", "where": {"mechanism": "single-sorce"}}},  # unknown value
    {"exists": {"fact": "tendering-waived", "where": {"colour": "red"}}},  # unknown attribute
    {"exists": {"fact": "tendering-waived", "where": {"justified": "no"}}},  # a bool attribute
    {"exits": {"fact": "money"}},  # unknown condition
    {"exists": {"fact": "money"}, "absent": {"fact": "money"}},  # two conditions in one
    {"compare": {"left": {"fact": "money", "attr": "usd"}, "op": "bigger", "right": 3}},
    {"each": {"select": {"fact": "bidding-period"}, "test": [{"attr": "days", "op": "lt"}]}},  # neither value nor param
    {"all": []},
])
def test_bad_conditions_are_rejected(conditions):
    doc = rule_doc()
    doc["conditions"] = conditions
    assert errors("rule", doc)


def test_the_schema_agrees_with_the_validator_on_a_custom_rule(tmp_path):
    text = """\
id: keyed
title: T
severity: low
status: experimental
summary: S
message: "{days} below {threshold}"
rationale: R
references: [{title: X, url: "https://example.org"}]
parameters: {min_days: {national: 10, international: 20}}
requires:
  - any: [{fact: bidding-period}, {document_kind: [tender-notice, contract]}]
    reason: no notice
conditions:
  any:
    - each: {select: {fact: bidding-period, where: {scope: [national]}}, test: [{attr: days, op: lt, param: min_days, key: scope}]}
    - compare: {left: {fact: money, where: {role: contract-price}, attr: usd, agg: sum}, op: gt, right: {param: min_days}, ratio: $min_days}
    - not: {absent: {fact: secrecy-request, status: any, min_confidence: 0.5, not_document_kind: law}}
"""
    (tmp_path / "keyed.yaml").write_text(text, encoding="utf-8")
    rules, problems = load_rules([tmp_path], collect=True)
    assert problems == [] and rules
    assert errors("rule", yaml.safe_load(text)) == []


EXAMPLE_PATTERN_FILE = """\
set: tendering
description: Competitive tendering waived, bypassed or dispensed with.
anchors: 'exempt|waiv|direct'
kinds:
  tendering-waived:
    description: Competitive tendering was waived.
    attributes:
      mechanism: {values: [exemption, waiver], labels: {exemption: "exemption from the procurement rules"}}
      justified: {type: bool}
macros: {PROCUREMENT_RULES: 'procurement rules|ppra rules'}
triggers:
  - id: exempt-from-rules
    kind: tendering-waived
    pattern: 'exempt(?:ed|ion)? from (?:the )?{PROCUREMENT_RULES}'
    confidence: 0.9
    attrs: {mechanism: exemption}
    require: ['advertis\\w+']
    exclude: 'not exempt'
    keys: [exempt]
    request: false
    polarity: positive
    relevance: procurement
"""


def test_the_pattern_schema_accepts_the_documented_format():
    assert errors("pattern", yaml.safe_load(EXAMPLE_PATTERN_FILE)) == []


@pytest.mark.parametrize("change", [
    lambda d: d["triggers"][0].update(confidance=0.9),  # unknown trigger key
    lambda d: d["triggers"][0].update(confidence=1.5),
    lambda d: d["triggers"][0].update(polarity="inverse"),
    lambda d: d["triggers"][0].update(pattern="(unclosed"),  # not a regex
    lambda d: d["triggers"][0].pop("kind"),
    lambda d: d.update(set="Not A Slug"),
    lambda d: d["kinds"]["tendering-waived"]["attributes"]["justified"].update(type="boolean"),
    lambda d: d.update(phrases=[]),
])
def test_the_pattern_schema_rejects_bad_files(change):
    doc = yaml.safe_load(EXAMPLE_PATTERN_FILE)
    change(doc)
    assert errors("pattern", doc)


def test_the_pattern_schema_is_generated_from_the_table():
    schema = schema_for("pattern")
    assert set(schema["properties"]) == set(pattern_schema.PATTERN_FILE_SCHEMA)
    trigger = schema["properties"]["triggers"]["items"]
    assert set(trigger["properties"]) == set(pattern_schema.TRIGGER_SCHEMA)
    assert set(trigger["required"]) == {k for k, (req, _, _) in pattern_schema.TRIGGER_SCHEMA.items() if req}
    assert table_schema(pattern_schema.PACK_FILE_SCHEMA)["additionalProperties"] is False


def test_the_pack_schema():
    good = {"name": "pakistan", "description": "Pakistan's PPRA rules", "extends": ["core", "../shared"],
            "settings": {"country": "PK"}}
    assert errors("pack", good) == []
    assert errors("pack", {**good, "extend": []})
    assert errors("pack", {"description": "no name"})


def test_the_command_prints_each_schema(tmp_path):
    for kind in ("rule", "pattern", "pack"):
        res = runner.invoke(app, ["rules", "schema", "--kind", kind])
        assert res.exit_code == 0, res.output
        assert json.loads(res.stdout) == schema_for(kind)
    assert json.loads(runner.invoke(app, ["rules", "schema"]).stdout)["title"] == "auditor rule file"
    out = tmp_path / "rule.schema.json"
    assert runner.invoke(app, ["rules", "schema", "-o", str(out)]).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8")) == schema_for("rule")
    res = runner.invoke(app, ["rules", "schema", "--kind", "nope"])
    assert res.exit_code == 2 and "--kind must be one of: rule, pattern, macros, relevance, language, pack" in res.output


def test_every_shipped_pattern_file_and_manifest_validates():
    """The schemas validate every shipped pattern set, macros and relevance file and pack manifest."""
    root = Path(__file__).resolve().parents[1]
    files = sorted(root.glob("rules/patterns/*.yaml")) + sorted(root.glob("examples/rule-packs/*/patterns/*.yaml"))
    checked = 0
    for path in files:
        kind = {"macros.yaml": "macros", "relevance.yaml": "relevance", "language.yaml": "language"}.get(path.name, "pattern")
        assert errors(kind, yaml.safe_load(path.read_text(encoding="utf-8"))) == [], path
        checked += 1
    for path in sorted(root.glob("packs/*/pack.yaml")) + sorted(root.glob("examples/rule-packs/*/pack.yaml")):
        assert errors("pack", yaml.safe_load(path.read_text(encoding="utf-8"))) == [], path
        checked += 1
    assert checked >= 14
