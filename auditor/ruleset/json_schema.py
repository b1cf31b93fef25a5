"""JSON Schemas (draft 2020-12) of the rule pack's files, for editors and CI.

``auditor rules schema [--kind rule|pattern|pack]`` prints them.  The rule
schema is generated from the very tables the validator in
``auditor.ruleset.schema`` checks against (its key tables, operators,
aggregates, severities, statuses, the fact kinds and attribute values of
``auditor.extract.kinds``), the pattern and pack schemas from the tables of
``auditor.ruleset.pattern_schema``, so a schema and its validator cannot drift.

The schema says what a file's shape is; the validator checks more (template
fields, parameter references, ids against file names) and reports every
problem as ``file:line:col``.  A file the validator accepts always passes the
schema.
"""

from __future__ import annotations

import json
from typing import Any

from auditor.extract import kinds as K
from auditor.models import Severity
from auditor.ruleset import pattern_schema as P
from auditor.ruleset import schema as S

DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE = "https://github.com/auditor-dev/auditor/schemas"
KINDS = ("rule", "pattern", "macros", "relevance", "language", "pack")

_TEXT = {"type": "string", "minLength": 1, "pattern": r"\S"}  # the validator refuses blank strings
_NUMBER = {"type": "number"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/$defs/{name}"}


def _object(keys: dict[str, bool], properties: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A mapping with exactly ``keys`` (key -> required), nothing else."""
    missing = set(keys) - set(properties)
    if missing:  # a key the validator accepts but the schema would not describe
        raise AssertionError(f"no schema for key(s): {', '.join(sorted(missing))}")
    out: dict[str, Any] = {"type": "object", "properties": {k: properties[k] for k in keys}}
    required = [k for k, req in keys.items() if req]
    if required:
        out["required"] = required
    out["additionalProperties"] = False
    out.update(extra)
    return out


# --- rule files -------------------------------------------------------------------------


def _speakers() -> tuple[str, ...]:
    from auditor.extract.kinds import ATTR_VALUES

    return ATTR_VALUES["speaker"]


def _document_kinds() -> tuple[str, ...]:
    from auditor.extract.doctype import KINDS as DOCUMENT_KINDS

    return tuple(DOCUMENT_KINDS)


def _where_value(kind: str | None, attr: str) -> dict[str, Any]:
    ops = {"type": "object", "propertyNames": {"enum": list(S.OPS)}, "minProperties": 1}
    values = K.known_values(kind, attr)
    if values is None:
        scalar: dict[str, Any] = {"type": ["string", "number", "boolean", "null"]}
    elif K.is_bool_attr(kind, attr):
        scalar = {"type": "boolean"}
    else:
        scalar = {"enum": list(values)}
    return {"anyOf": [scalar, {"type": "array", "items": scalar}, ops]}


def _where(kind: str | None) -> dict[str, Any]:
    attrs = K.attrs_of(kind) if kind else K.COMMON_ATTRS
    return {"type": "object", "properties": {a: _where_value(kind, a) for a in attrs}, "additionalProperties": False}


def _where_by_fact() -> list[dict[str, Any]]:
    """``where`` is checked against the attributes of the selected fact kind."""
    rules: list[dict[str, Any]] = [{
        "if": {"not": {"required": ["fact"]}},
        "then": {"properties": {"where": _ref("where")}},
    }]
    for kind in K.FACT_KINDS:
        rules.append({
            "if": {"required": ["fact"], "properties": {"fact": {"const": kind}}},
            "then": {"properties": {"where": _ref(f"where-{kind}")}},
        })
    return rules


def _selector(keys: dict[str, bool], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {
        "fact": {"enum": list(K.FACT_KINDS)},
        "where": {"type": "object"},
        "status": {"enum": list(S.FACT_STATUSES)},
        "min_confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "document_kind": _ref("document-kinds"),
        "not_document_kind": _ref("document-kinds"),
        **(extra or {}),
    }
    return _object(keys, props, allOf=_where_by_fact())


def _requirement(keys: dict[str, bool], alternative: bool) -> dict[str, Any]:
    props: dict[str, Any] = {
        "fact": {"enum": list(K.FACT_KINDS)},
        "where": {"type": "object"},
        "document_kind": _ref("document-kinds"),
        "min_count": {"type": "integer", "minimum": 1},
        "distinct_documents": {"type": "boolean"},
        "any": {"type": "array", "minItems": 2, "items": _ref("requirement-alternative")},
        "reason": _TEXT,
    }
    needs = [{"required": ["fact"]}, {"required": ["document_kind"]}] + ([] if alternative else [{"required": ["any"]}])
    checks: list[dict[str, Any]] = [{"anyOf": needs}, *_where_by_fact()]
    if not alternative:
        checks.append({"not": {"required": ["any", "fact"]}})
        checks.append({"not": {"required": ["any", "document_kind"]}})
    return _object(keys, props, allOf=checks)


def _condition_defs() -> dict[str, Any]:
    one = lambda key, body: _object({key: True}, {key: body})  # noqa: E731
    branches = {
        "all": {"type": "array", "minItems": 1, "items": _ref("condition")},
        "any": {"type": "array", "minItems": 1, "items": _ref("condition")},
        "not": _ref("condition"),
        "exists": _ref("exists-selector"),
        "absent": _ref("selector"),
        "compare": _object(S.COMPARE_KEYS, {
            "left": _ref("operand"), "right": _ref("operand"), "op": {"enum": list(S.OPS)},
            "ratio": _ref("number-or-parameter"), "message": _TEXT,
        }),
        "spread": _object(S.SPREAD_KEYS, {
            "select": _ref("selector"), "attr": _TEXT, "threshold": _ref("number-or-parameter"),
            "by": {"enum": list(S.SPREAD_BY)},
        }),
        "each": _object(S.EACH_KEYS, {
            "select": _ref("selector"),
            "test": {"type": "array", "minItems": 1, "items": _ref("test")},
            "message": _TEXT,
        }),
        "unnamed-in": _object(S.UNNAMED_IN_KEYS, {
            "select": _ref("selector"), "attr": _TEXT, "document_kind": _ref("document-kinds"),
            "min_score": _ref("number-or-parameter"),
        }),
        "names-disagree": _object(S.NAMES_DISAGREE_KEYS, {
            "left": _ref("selector"), "right": _ref("selector"), "attr": _TEXT,
            "min_score": _ref("number-or-parameter"),
        }),
    }
    if set(branches) != set(S.CONDITION_KEYS):
        raise AssertionError("the conditions of the schema and of the validator differ")
    return {
        "condition": {"oneOf": [one(key, branches[key]) for key in S.CONDITION_KEYS]},
        "test": _object(S.TEST_KEYS, {
            "attr": _TEXT, "op": {"enum": list(S.OPS)}, "value": {}, "param": _TEXT, "key": _TEXT,
        }, oneOf=[{"required": ["value"]}, {"required": ["param"]}]),
        "operand": {"anyOf": [
            _object(S.PARAM_OPERAND_KEYS, {"param": _TEXT}),
            _ref("number-or-parameter"),
            _selector(S.OPERAND_KEYS, {"attr": _TEXT, "agg": {"enum": list(S.AGGS)}}),
        ]},
    }


def rule_schema() -> dict[str, Any]:
    parameter = {"anyOf": [
        {"type": ["number", "string", "boolean"]},
        {"type": "object", "additionalProperties": _NUMBER},  # keyed: {national: 15, international: 30}
    ]}
    top = {
        "id": {"type": "string", "pattern": S.SLUG.pattern},
        "title": _TEXT,
        "severity": {"enum": [s.value for s in Severity]},
        "status": {"enum": list(S.STATUSES)},
        "summary": _TEXT,
        "message": _TEXT,
        "rationale": _TEXT,
        "references": {"type": "array", "minItems": 1, "items": _ref("reference")},
        "parameters": {"type": "object", "propertyNames": {"pattern": S.PARAMETER_NAME.pattern},
                       "additionalProperties": parameter},
        "requires": {"type": "array", "items": _ref("requirement")},
        "conditions": _ref("condition"),
        "findings": {"enum": list(S.FINDINGS_MODES)},
        "tags": {"type": "array", "items": _TEXT},
        "example": _TEXT,
        "speakers": {"type": "object", "minProperties": 1, "propertyNames": {"enum": list(_speakers())},
                     "additionalProperties": {"type": "number", "exclusiveMinimum": 0, "maximum": 1}},
        "severity_when": {"type": "array", "minItems": 1, "items": _object(S.SEVERITY_WHEN_KEYS, {
            "fact": {"type": "string"}, "where": {"type": "object"},
            "severity": {"enum": [s.value for s in Severity]}})},
    }
    reference = {k: _TEXT for k in S.REFERENCE_KEYS}
    reference["url"] = {"type": "string", "pattern": "^https?://"}
    defs: dict[str, Any] = {
        "reference": _object(S.REFERENCE_KEYS, reference),
        "document-kinds": {"anyOf": [
            {"enum": list(_document_kinds())},
            {"type": "array", "items": {"enum": list(_document_kinds())}},
        ]},
        "number-or-parameter": {"anyOf": [
            _NUMBER, {"type": "string", "pattern": "^\\$" + S.PARAMETER_NAME.pattern.lstrip("^")},
        ]},
        "selector": _selector(S.SELECTOR_KEYS),
        "exists-selector": _selector(S.EXISTS_KEYS, {"message": _TEXT}),
        "requirement": _requirement(S.REQUIRE_KEYS, alternative=False),
        "requirement-alternative": _requirement({k: False for k in S.REQUIRE_KEYS if k not in ("any", "reason")},
                                                alternative=True),
        "where": _where(None),
        **{f"where-{kind}": _where(kind) for kind in K.FACT_KINDS},
        **_condition_defs(),
    }
    return {
        "$schema": DIALECT,
        "$id": f"{SCHEMA_BASE}/rule.json",
        "title": "auditor rule file",
        "description": "One red-flag rule (rules/<id>.yaml). Generated by `auditor rules schema`.",
        **_object(S.TOP_KEYS, top),
        "$defs": defs,
    }


# --- pattern files and pack manifests (from the tables of pattern_schema) ---------------


def _type(spec: Any, description: str | None = None) -> dict[str, Any]:
    if isinstance(spec, dict):
        out = table_schema(spec)
    elif isinstance(spec, tuple) and spec and spec[0] == "enum":
        out = {"enum": list(spec[1])}
    elif isinstance(spec, tuple) and spec and spec[0] == "list":
        out = {"type": "array", "items": _type(spec[1])}
    elif isinstance(spec, tuple) and spec and spec[0] == "map":
        out = {"type": "object", "propertyNames": _type(spec[1]), "additionalProperties": _type(spec[2])}
    elif spec == "string":
        out = dict(_TEXT)
    elif spec == "slug":
        out = {"type": "string", "pattern": S.SLUG.pattern}
    elif spec == "name":
        out = {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"}
    elif spec == "regex":
        out = {"type": "string", "minLength": 1, "format": "regex"}
    elif spec == "number":
        out = dict(_NUMBER)
    elif spec == "probability":
        out = {"type": "number", "minimum": 0, "maximum": 1}
    elif spec == "bool":
        out = {"type": "boolean"}
    elif spec == "any":
        out = {}
    else:
        raise ValueError(f"unknown type in a pattern_schema table: {spec!r}")
    if description:
        out["description"] = description
    return out


def table_schema(table: dict[str, tuple[bool, Any, str]]) -> dict[str, Any]:
    """The JSON Schema of a mapping described by a ``pattern_schema`` table."""
    return _object({k: req for k, (req, _, _) in table.items()},
                   {k: _type(spec, desc) for k, (_, spec, desc) in table.items()})


def pattern_schema() -> dict[str, Any]:
    return _file_schema("pattern", "auditor pattern file",
                        "One pattern set (rules/patterns/<set>.yaml). Generated by `auditor rules schema --kind pattern`.")


def pack_schema() -> dict[str, Any]:
    return _file_schema("pack", "auditor pack manifest",
                        "A rule pack's pack.yaml. Generated by `auditor rules schema --kind pack`.")


def _file_schema(kind: str, title: str, description: str) -> dict[str, Any]:
    return {"$schema": DIALECT, "$id": f"{SCHEMA_BASE}/{kind}.json", "title": title,
            "description": description, **table_schema(P.SCHEMAS[kind])}


def schema_for(kind: str) -> dict[str, Any]:
    builders = {
        "rule": rule_schema, "pattern": pattern_schema, "pack": pack_schema,
        "macros": lambda: _file_schema("macros", "auditor macros file", "A pack's patterns/macros.yaml."),
        "relevance": lambda: _file_schema("relevance", "auditor relevance file", "A pack's patterns/relevance.yaml."),
        "language": lambda: _file_schema("language", "auditor language file", "A pack's patterns/language.yaml: the parsers' cues."),
    }
    if kind not in builders:
        raise ValueError(f"unknown schema kind {kind!r} (known: {', '.join(KINDS)})")
    return builders[kind]()


def render(kind: str = "rule") -> str:
    return json.dumps(schema_for(kind), indent=2, ensure_ascii=False) + "\n"
