"""Load and validate YAML rule files.

Rule files are data, never code.  Each is validated against a schema that
refuses unknown keys; *every* problem in every file is collected and reported at
once as ``file:line:col: message (hint: ...)``, the way a linter does.

The node tree of PyYAML (``yaml.compose``) keeps the line and column of every
key and value, so a problem points at the exact spot.  Files are composed with
libyaml (``yaml.CSafeLoader``, ≈ 10× faster) when PyYAML has it; a file with a
syntax error is composed again by the pure-Python loader, so error messages do
not depend on how PyYAML was built.

A validated rule pack is cached (``load_rules(..., cache_dir=...)``): JSON
(``rule_to_json``) keyed by the content of every rule file of the directories, their paths, and the
source of the validator and of what it checks against, so a scan whose rules
have not changed neither parses YAML nor imports PyYAML.  Only packs without
problems are cached.
"""

from __future__ import annotations

import hashlib
import os
import re
import string
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from auditor.errors import Problem, RuleFileError
from auditor.extract.kinds import COMMON_ATTRS, FACT_KINDS, is_bool_attr, known_values
from auditor.models import Reference, RuleInfo, Severity, legal_basis
from auditor.yamlcheck import LIMITS
from auditor.yamlcheck import Checker as _BaseChecker
from auditor.yamlcheck import builtin_rules_dir, yaml  # noqa: F401  (re-exported: the CLI and packs use them)
from auditor.yamlcheck import compose as _compose
from auditor.yamlcheck import suggest as _suggest


def _document_kinds() -> tuple[str, ...]:
    from auditor.extract.doctype import KINDS

    return tuple(KINDS)

SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
STATUSES = ("experimental", "stable")
FINDINGS_MODES = ("per-case", "per-item")
OPS = ("lt", "le", "gt", "ge", "eq", "ne")
AGGS = ("max", "min", "sum", "first", "count")
FACT_STATUSES = ("asserted", "negated", "hypothetical", "reported", "off-topic", "any")
CONDITION_KEYS = ("all", "any", "not", "exists", "absent", "compare", "spread", "each", "unnamed-in", "names-disagree")
DOCS_BASE = "https://github.com/auditor-dev/auditor/blob/main/docs/rules"

TOP_KEYS: dict[str, bool] = {  # key -> required
    "id": True,
    "title": True,
    "severity": True,
    "status": True,
    "summary": True,
    "message": True,
    "rationale": True,
    "references": True,
    "parameters": False,
    "requires": False,
    "conditions": True,
    "findings": False,
    "tags": False,
    "example": False,
    "speakers": False,
    "severity_when": False,
}
REFERENCE_KEYS = {"title": True, "section": False, "text": False, "url": False, "ocp_code": False, "jurisdiction": False}
# a partial rule: `extends: ID` and only the keys it changes (the rest comes from rule ID)
OVERRIDE_KEYS: dict[str, bool] = {
    "extends": True, "id": False, "title": False, "severity": False, "status": False, "summary": False,
    "message": False, "rationale": False, "references": False, "parameters": False, "tags": False, "example": False,
    "speakers": False, "severity_when": False,
}
COUNTRY = re.compile(r"^[A-Z]{2}$")  # ISO 3166-1 alpha-2
# one entry of ``severity_when``: the severity of a finding all of whose facts (of ``fact``,
# if given) match ``where`` -- a restricted procedure is a milder departure than a direct award
SEVERITY_WHEN_KEYS = {"where": True, "severity": True, "fact": False}
SELECTOR_KEYS = {"fact": True, "where": False, "status": False, "min_confidence": False, "document_kind": False, "not_document_kind": False}
REQUIRE_KEYS = {"fact": False, "where": False, "document_kind": False, "min_count": False, "distinct_documents": False, "any": False, "reason": True}
# the keys of each kind of condition (key -> required); the JSON Schema of rule
# files (auditor.ruleset.json_schema) is generated from these same tables
EXISTS_KEYS = dict(SELECTOR_KEYS, message=False)  # an exists may carry its own message
OPERAND_KEYS = dict(SELECTOR_KEYS, attr=True, agg=False)  # a selection reduced to one number
PARAM_OPERAND_KEYS = {"param": True}
COMPARE_KEYS = {"left": True, "right": True, "op": True, "ratio": False, "message": False}
SPREAD_KEYS = {"select": True, "attr": True, "threshold": True, "by": False}
SPREAD_BY = ("document",)
EACH_KEYS = {"select": True, "test": True, "message": False}  # an each may carry its own message
TEST_KEYS = {"attr": True, "op": True, "value": False, "param": False, "key": False}  # exactly one of value, param
UNNAMED_IN_KEYS = {"select": True, "attr": True, "document_kind": True, "min_score": False}
# two selections of named parties (an OCDS record's suppliers, the vendors a PDF names): both name
# someone, and no name of one is a spelling of a name of the other
NAMES_DISAGREE_KEYS = {"left": True, "right": True, "attr": True, "min_score": False}
PARAMETER_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")

# names a message template may use, besides parameters and fact attributes:
# those every finding fills, and those only a kind of condition fills
ALWAYS_FIELDS = frozenset("quote document page count title rule_id severity documents case_documents".split())
CONDITION_FIELDS: dict[str, frozenset[str]] = {
    "compare": frozenset("left right ratio percent_over left_document right_document left_page right_page fx".split()),
    "spread": frozenset("values spread_pct max min max_document min_document threshold fx".split()),
    "each": frozenset({"threshold"}),
    "unnamed-in": frozenset("vendor best_match best_score agreements".split()),
    "names-disagree": frozenset("left_names right_names left_document right_document left_page right_page "
                                "best_left best_right best_score".split()),
}
TEMPLATE_NAMES = ALWAYS_FIELDS.union(*CONDITION_FIELDS.values())


@dataclass(frozen=True)
class Requirement:
    reason: str
    fact: str | None = None
    where: dict[str, Any] = field(default_factory=dict)
    document_kind: tuple[str, ...] = ()
    min_count: int = 1
    distinct_documents: bool = False
    any: tuple["Requirement", ...] = ()  # met when any alternative is met


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    severity: Severity
    status: str
    summary: str
    message: str
    rationale: str
    references: tuple[Reference, ...]
    conditions: dict[str, Any]
    parameters: dict[str, Any] = field(default_factory=dict)
    requires: tuple[Requirement, ...] = ()
    findings: str = "per-case"
    tags: tuple[str, ...] = ()
    example: str | None = None
    source: str = ""
    test_file: str | None = None
    # whose statements count, with a confidence factor each (court, record, author, party...);
    # empty: the default, DEFAULT_SPEAKERS
    speakers: tuple[tuple[str, float], ...] = ()
    extends: str | None = None  # the rule this one was derived from (a pack's partial override)
    overridden: tuple[str, ...] = ()  # the keys that override gave
    # how attribute codes read in a message ("single-source" -> "single-source award"),
    # from the pack's pattern sets: kept with the rule so a cached pack needs no pattern files
    labels: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    # (fact kind or None, where, severity): a finding whose facts all match takes that severity
    severity_when: tuple[tuple[str | None, dict[str, Any], Severity], ...] = ()

    def label(self, attr: str, value: Any) -> Any:
        if isinstance(value, str):
            for name, pairs in self.labels:
                if name == attr:
                    return dict(pairs).get(value, value)
        return value

    @property
    def help_uri(self) -> str:
        return f"{DOCS_BASE}/{self.id}.md"

    @property
    def legal_basis(self) -> str:
        return legal_basis(self.references)

    def info(self) -> RuleInfo:
        return RuleInfo(
            id=self.id,
            title=self.title,
            severity=self.severity,
            status=self.status,
            summary=self.summary,
            rationale=self.rationale.strip(),
            references=self.references,
            help_uri=self.help_uri,
            tags=self.tags,
        )


# --- the validator --------------------------------------------------------------


class _Checker(_BaseChecker):
    """The checker of rule files: the shapes of yamlcheck.Checker, and the rule language."""

    def __init__(self, file: str, kinds: Any = None):
        super().__init__(file)
        self._messages: list[tuple[Any, str]] = []  # branch messages of the rule being checked
        self.fact_kinds = FACT_KINDS if kinds is None else kinds  # fact kinds a rule may use

    def attrs_of(self, kind: str) -> tuple[str, ...]:
        return COMMON_ATTRS + self.fact_kinds[kind][1]

    def number(self, node: yaml.Node, what: str, params: dict[str, Any]) -> Any:
        """A number, or a $parameter reference."""
        if isinstance(node, yaml.ScalarNode) and node.value.startswith("$"):
            name = node.value[1:]
            if name not in params:
                self.err(node, f"{what}: unknown parameter '${name}'", _suggest(name, params) or "declare it under 'parameters'")
            return node.value
        val = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(val, bool) or not isinstance(val, (int, float)):
            self.err(node, f"{what} must be a number or a $parameter")
            return None
        return val

    def kinds(self, node: yaml.Node, what: str) -> tuple[str, ...]:
        if isinstance(node, yaml.ScalarNode):
            items = [node]
        elif isinstance(node, yaml.SequenceNode):
            items = list(node.value)
        else:
            self.err(node, f"{what} must be a document kind or a list of them")
            return ()
        out = []
        kinds = _document_kinds()
        for item in items:
            k = self.enum(item, kinds, what)
            if k:
                out.append(k)
        return tuple(out)

    # -- selectors and conditions ----------------------------------------------------

    def selector(self, node: yaml.Node, what: str, kinds_used: set[str], keys: dict[str, bool] | None = None) -> dict[str, Any] | None:
        m = self.mapping(node, keys or SELECTOR_KEYS, what)
        if m is None:
            return None
        out: dict[str, Any] = {}
        if "fact" in m:
            kind = self.enum(m["fact"], self.fact_kinds, f"{what}.fact")
            if kind:
                out["fact"] = kind
                kinds_used.add(kind)
        if "where" in m:
            out["where"] = self.where(m["where"], out.get("fact"), f"{what}.where")
        if "status" in m:
            out["status"] = self.enum(m["status"], FACT_STATUSES, f"{what}.status")
        if "min_confidence" in m:
            v = self.value(m["min_confidence"])
            if not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 <= v <= 1:
                self.err(m["min_confidence"], f"{what}.min_confidence must be a number between 0 and 1")
            else:
                out["min_confidence"] = float(v)
        for key in ("document_kind", "not_document_kind"):
            if key in m:
                out[key] = self.kinds(m[key], f"{what}.{key}")
        return out

    def where(self, node: yaml.Node, kind: str | None, what: str) -> dict[str, Any]:
        if not isinstance(node, yaml.MappingNode):
            self.err(node, f"{what} must be a mapping of attribute: value")
            return {}
        allowed = self.attrs_of(kind) if kind else COMMON_ATTRS
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            attr = knode.value
            if attr not in allowed:
                self.err(knode, f"{what}: fact '{kind}' has no attribute '{attr}'", _suggest(attr, allowed) or f"attributes: {', '.join(allowed)}")
                continue
            if isinstance(vnode, yaml.MappingNode):
                ops: dict[str, Any] = {}
                for onode, ovnode in vnode.value:
                    op = self.enum(onode, OPS, f"{what}.{attr}")
                    if op:
                        ops[op] = self.value(ovnode)
                out[attr] = {"ops": ops}
            else:
                val = self.value(vnode)
                self.known_value(vnode, val, kind, attr, what)
                out[attr] = val
        return out

    def known_value(self, node: yaml.Node, val: Any, kind: str | None, attr: str, what: str) -> None:
        """``val`` (or each of a list) must be a value ``attr`` can take, if it is enumerated."""
        values = known_values(kind, attr)
        if values is None:
            return
        items = list(node.value) if isinstance(node, yaml.SequenceNode) else [node]
        for item, v in zip(items, val if isinstance(val, list) else [val]):
            if is_bool_attr(kind, attr):
                if not isinstance(v, bool):
                    self.err(item, f"{what}.{attr}: {v!r} is not a known value of {attr}", "write true or false")
            elif attr == "role" and str(v) not in values:  # worded as it always was
                self.err(item, f"{what}.role: '{v}' is not one of: {', '.join(values)}", _suggest(str(v), values))
            elif isinstance(v, (bool, list, dict)) or v is None or str(v) not in values:
                self.err(item, f"{what}.{attr}: '{v}' is not a known value of {attr}",
                         _suggest(str(v), values) or f"known values: {', '.join(values)}")

    def operand(self, node: yaml.Node, what: str, params: dict[str, Any], kinds_used: set[str]) -> dict[str, Any] | None:
        if isinstance(node, yaml.MappingNode) and any(k.value == "param" for k, _ in node.value):
            m = self.mapping(node, PARAM_OPERAND_KEYS, what)
            if m and "param" in m:
                name = self.string(m["param"], f"{what}.param")
                if name and name not in params:
                    self.err(m["param"], f"{what}: unknown parameter '{name}'", _suggest(name, params))
                return {"param": name}
            return None
        if isinstance(node, yaml.ScalarNode):
            return {"number": self.number(node, what, params)}
        keys = OPERAND_KEYS
        sel = self.selector(node, what, kinds_used, keys)
        if sel is None:
            return None
        m = {k.value: v for k, v in node.value}
        if "attr" in m:
            attr = self.string(m["attr"], f"{what}.attr")
            if attr and sel.get("fact") and attr not in self.attrs_of(sel["fact"]):
                self.err(m["attr"], f"{what}.attr: fact '{sel['fact']}' has no attribute '{attr}'", _suggest(attr, self.attrs_of(sel["fact"])))
            sel["attr"] = attr
        sel["agg"] = self.enum(m["agg"], AGGS, f"{what}.agg") if "agg" in m else "max"
        return sel

    def condition(self, node: yaml.Node, what: str, params: dict[str, Any], kinds_used: set[str]) -> dict[str, Any] | None:
        if not isinstance(node, yaml.MappingNode) or len(node.value) != 1:
            self.err(node, f"{what} must be a mapping with exactly one of: {', '.join(CONDITION_KEYS)}")
            return None
        knode, vnode = node.value[0]
        key = knode.value
        if key not in CONDITION_KEYS:
            self.err(knode, f"{what}: unknown condition '{key}'", _suggest(key, CONDITION_KEYS))
            return None
        if key in ("all", "any"):
            if not isinstance(vnode, yaml.SequenceNode) or not vnode.value:
                self.err(vnode, f"{what}.{key} must be a non-empty list of conditions")
                return None
            items = [self.condition(n, f"{what}.{key}[{i}]", params, kinds_used) for i, n in enumerate(vnode.value)]
            return {key: [c for c in items if c is not None]}
        if key == "not":
            inner = self.condition(vnode, f"{what}.not", params, kinds_used)
            return {"not": inner} if inner else None
        if key in ("exists", "absent"):
            keys = EXISTS_KEYS if key == "exists" else SELECTOR_KEYS
            sel = self.selector(vnode, f"{what}.{key}", kinds_used, keys)
            if sel is not None and key == "exists":
                self._branch_message(vnode, sel, params, kinds_used)
            return {key: sel} if sel is not None else None
        if key == "compare":
            m = self.mapping(vnode, COMPARE_KEYS, f"{what}.compare")
            if m is None:
                return None
            out = {
                "left": self.operand(m["left"], f"{what}.compare.left", params, kinds_used) if "left" in m else None,
                "right": self.operand(m["right"], f"{what}.compare.right", params, kinds_used) if "right" in m else None,
                "op": self.enum(m["op"], OPS, f"{what}.compare.op") if "op" in m else None,
                "ratio": self.number(m["ratio"], f"{what}.compare.ratio", params) if "ratio" in m else 1.0,
            }
            self._branch_message(vnode, out, params, kinds_used)
            return {"compare": out}
        if key == "spread":
            m = self.mapping(vnode, SPREAD_KEYS, f"{what}.spread")
            if m is None:
                return None
            sel = self.selector(m["select"], f"{what}.spread.select", kinds_used) if "select" in m else None
            attr = self.string(m["attr"], f"{what}.spread.attr") if "attr" in m else None
            if sel and attr and sel.get("fact") and attr not in self.attrs_of(sel["fact"]):
                self.err(m["attr"], f"{what}.spread.attr: fact '{sel['fact']}' has no attribute '{attr}'", _suggest(attr, self.attrs_of(sel["fact"])))
            return {"spread": {
                "select": sel,
                "attr": attr,
                "threshold": self.number(m["threshold"], f"{what}.spread.threshold", params) if "threshold" in m else None,
                "by": self.enum(m["by"], SPREAD_BY, f"{what}.spread.by") if "by" in m else "document",
            }}
        if key == "each":
            m = self.mapping(vnode, EACH_KEYS, f"{what}.each")
            if m is None:
                return None
            sel = self.selector(m["select"], f"{what}.each.select", kinds_used) if "select" in m else None
            tests = []
            tnode = m.get("test")
            if tnode is not None and (not isinstance(tnode, yaml.SequenceNode) or not tnode.value):
                self.err(tnode, f"{what}.each.test must be a non-empty list")
            elif tnode is not None:
                for i, t in enumerate(tnode.value):
                    tm = self.mapping(t, TEST_KEYS, f"{what}.each.test[{i}]")
                    if tm is None:
                        continue
                    test: dict[str, Any] = {}
                    if "attr" in tm:
                        test["attr"] = self.string(tm["attr"], f"{what}.each.test[{i}].attr")
                        if sel and sel.get("fact") and test["attr"] not in self.attrs_of(sel["fact"]):
                            self.err(tm["attr"], f"{what}.each.test[{i}].attr: fact '{sel['fact']}' has no attribute '{test['attr']}'", _suggest(str(test["attr"]), self.attrs_of(sel["fact"])))
                    if "op" in tm:
                        test["op"] = self.enum(tm["op"], OPS, f"{what}.each.test[{i}].op")
                    if ("value" in tm) == ("param" in tm):
                        self.err(t, f"{what}.each.test[{i}] needs exactly one of 'value' or 'param'")
                    if "value" in tm:
                        test["value"] = self.value(tm["value"])
                    if "param" in tm:
                        name = self.string(tm["param"], f"{what}.each.test[{i}].param")
                        if name and name not in params:
                            self.err(tm["param"], f"unknown parameter '{name}'", _suggest(name, params))
                        test["param"] = name
                    if "key" in tm:
                        test["key"] = self.string(tm["key"], f"{what}.each.test[{i}].key")
                        self._keyed_param(tm["key"], test, sel, params, f"{what}.each.test[{i}]")
                    tests.append(test)
            out = {"select": sel, "test": tests}
            self._branch_message(vnode, out, params, kinds_used)
            return {"each": out}
        if key == "unnamed-in":
            m = self.mapping(vnode, UNNAMED_IN_KEYS, f"{what}.unnamed-in")
            if m is None:
                return None
            sel = self.selector(m["select"], f"{what}.unnamed-in.select", kinds_used) if "select" in m else None
            return {"unnamed-in": {
                "select": sel,
                "attr": self.string(m["attr"], f"{what}.unnamed-in.attr") if "attr" in m else None,
                "document_kind": self.kinds(m["document_kind"], f"{what}.unnamed-in.document_kind") if "document_kind" in m else (),
                "min_score": self.number(m["min_score"], f"{what}.unnamed-in.min_score", params) if "min_score" in m else 85,
            }}
        if key == "names-disagree":
            m = self.mapping(vnode, NAMES_DISAGREE_KEYS, f"{what}.names-disagree")
            if m is None:
                return None
            out = {}
            for side in ("left", "right"):
                sel = self.selector(m[side], f"{what}.names-disagree.{side}", kinds_used) if side in m else None
                out[side] = sel
            attr = self.string(m["attr"], f"{what}.names-disagree.attr") if "attr" in m else None
            for side in ("left", "right"):
                sel = out[side]
                if sel and attr and sel.get("fact") and attr not in self.attrs_of(sel["fact"]):
                    self.err(m["attr"], f"{what}.names-disagree.attr: fact '{sel['fact']}' has no attribute '{attr}'",
                             _suggest(attr, self.attrs_of(sel["fact"])))
            out["attr"] = attr
            out["min_score"] = self.number(m["min_score"], f"{what}.names-disagree.min_score", params) if "min_score" in m else 85
            return {"names-disagree": out}
        return None

    def _keyed_param(self, node: yaml.Node, test: dict[str, Any], sel: dict[str, Any] | None,
                     params: dict[str, Any], what: str) -> None:
        """A parameter keyed by an enumerated attribute must have a value for every
        value of it (or a 'default'): the engine never falls back to its first value."""
        key, name = test.get("key"), test.get("param")
        value = params.get(name) if name else None
        if not key or not sel or not sel.get("fact") or not isinstance(value, dict):
            return
        if key not in self.attrs_of(sel["fact"]):
            self.err(node, f"{what}.key: fact '{sel['fact']}' has no attribute '{key}'", _suggest(key, self.attrs_of(sel["fact"])))
            return
        values = known_values(sel["fact"], key)
        missing = [v for v in values or () if v not in value]
        if missing and "default" not in value:
            self.err(node, f"{what}: parameter '{name}' has no value for {key} {', '.join(repr(v) for v in missing)}",
                     "add the key(s) or a 'default'")

    # -- a whole rule ---------------------------------------------------------------

    def rule(self, root: yaml.Node, path: Path) -> Rule | None:
        m = self.mapping(root, TOP_KEYS, "rule")
        if m is None:
            return None
        before = len(self.problems)
        get = lambda k, fn: fn(m[k]) if k in m else None  # noqa: E731
        rid = get("id", lambda n: self.string(n, "id"))
        if rid and not SLUG.match(rid):
            self.err(m["id"], f"id '{rid}' must be a lower-case slug (letters, digits, '-')")
        if rid and rid != path.stem:
            self.err(m["id"], f"id '{rid}' does not match the file name '{path.name}'", f"rename the file to {rid}.yaml or the id to {path.stem}")
        title = get("title", lambda n: self.string(n, "title"))
        severity = get("severity", lambda n: self.enum(n, [s.value for s in Severity], "severity"))
        status = get("status", lambda n: self.enum(n, STATUSES, "status"))
        summary = get("summary", lambda n: self.string(n, "summary"))
        rationale = get("rationale", lambda n: self.string(n, "rationale"))
        message = get("message", lambda n: self.string(n, "message"))
        findings = get("findings", lambda n: self.enum(n, FINDINGS_MODES, "findings")) or "per-case"
        example = get("example", lambda n: self.string(n, "example"))
        tags: tuple[str, ...] = ()
        if "tags" in m:
            if isinstance(m["tags"], yaml.SequenceNode):
                tags = tuple(t for t in (self.string(n, "tags[]") for n in m["tags"].value) if t)
            else:
                self.err(m["tags"], "tags must be a list of strings")
        params = self.parameters(m["parameters"])[0] if "parameters" in m else {}
        references = self.references(m["references"]) if "references" in m else []
        kinds_used: set[str] = set()
        requires: list[Requirement] = []
        if "requires" in m:
            qnode = m["requires"]
            if not isinstance(qnode, yaml.SequenceNode):
                self.err(qnode, "requires must be a list")
            else:
                for i, item in enumerate(qnode.value):
                    req = self.requirement(item, f"requires[{i}]", top=True)
                    if req is not None:
                        requires.append(req)
        self._messages = []
        conditions = self.condition(m["conditions"], "conditions", params, kinds_used) if "conditions" in m else None
        used = _condition_keys(conditions)
        for node, text in ([(m["message"], message)] if message else []) + self._messages:
            self.template(node, text, params, kinds_used, used)
        if len(self.problems) > before or None in (rid, title, severity, status, summary, rationale, message, conditions):
            return None
        return Rule(
            id=rid, title=title, severity=Severity(severity), status=status, summary=summary.strip(),
            message=message.strip(), rationale=rationale, references=tuple(references), conditions=conditions,
            parameters=params, requires=tuple(requires), findings=findings, tags=tags, example=example,
            source=str(path), speakers=self.speakers(m["speakers"]) if "speakers" in m else (),
            severity_when=self.severity_when(m["severity_when"]) if "severity_when" in m else (),
        )

    def severity_when(self, node: yaml.Node) -> tuple[tuple[str | None, dict[str, Any], Severity], ...]:
        """``severity_when: [{fact: tendering-waived, where: {mechanism: [limited-competition]},
        severity: medium}]``: the severity of a finding all of whose facts match, instead of the
        rule's (the first entry that matches counts)."""
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.err(node, "severity_when must be a non-empty list of {where, severity} entries",
                     "severity_when: [{where: {mechanism: [limited-competition]}, severity: medium}]")
            return ()
        out = []
        for i, item in enumerate(node.value):
            what = f"severity_when[{i}]"
            m = self.mapping(item, SEVERITY_WHEN_KEYS, what)
            if m is None:
                continue
            kind = self.enum(m["fact"], self.fact_kinds, f"{what}.fact") if "fact" in m else None
            where = self.where(m["where"], kind, f"{what}.where")
            sev = self.enum(m["severity"], [s.value for s in Severity], f"{what}.severity")
            if where and sev:
                out.append((kind, where, Severity(sev)))
        return tuple(out)

    def speakers(self, node: yaml.Node) -> tuple[tuple[str, float], ...]:
        """``speakers: {court: 1.0, record: 1.0, party: 0.6}``: whose statements count, and
        how much a finding resting on each is to be trusted."""
        from auditor.extract.kinds import ATTR_VALUES

        known = ATTR_VALUES["speaker"]
        raw = self.value(node)
        if not isinstance(raw, dict) or not raw:
            self.err(node, "speakers must be a mapping of speaker: confidence factor", f"speakers: {{court: 1.0, party: 0.6}} ({', '.join(known)})")
            return ()
        out = []
        for k, v in raw.items():
            if k not in known:
                self.err(node, f"speakers: '{k}' is not a known speaker", _suggest(str(k), known) or ", ".join(known))
            elif not isinstance(v, (int, float)) or isinstance(v, bool) or not 0 < v <= 1:
                self.err(node, f"speakers: the factor of '{k}' must be a number in (0, 1]")
            else:
                out.append((str(k), float(v)))
        return tuple(sorted(out))

    def parameters(self, pnode: yaml.Node) -> tuple[dict[str, Any], dict[str, yaml.Node]]:
        """name -> value, and name -> the node of its key (for locating problems)."""
        params: dict[str, Any] = {}
        keys: dict[str, yaml.Node] = {}
        if not isinstance(pnode, yaml.MappingNode):
            self.err(pnode, "parameters must be a mapping of name: value")
            return params, keys
        for knode, vnode in pnode.value:
            val = self.value(vnode)
            if not PARAMETER_NAME.match(str(knode.value)):
                self.err(knode, f"parameter name '{knode.value}' must be snake_case")
            if isinstance(val, dict):
                if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in val.values()):
                    self.err(vnode, f"parameter '{knode.value}': a keyed parameter must map keys to numbers")
            elif not isinstance(val, (int, float, str, bool)):
                self.err(vnode, f"parameter '{knode.value}' must be a number, string, boolean or a mapping of numbers")
            params[str(knode.value)] = val
            keys[str(knode.value)] = knode
        return params, keys

    def references(self, rnode: yaml.Node) -> list[Reference]:
        references: list[Reference] = []
        if not isinstance(rnode, yaml.SequenceNode) or not rnode.value:
            self.err(rnode, "references must be a non-empty list", "cite the statute and section the rule rests on")
            return references
        for i, item in enumerate(rnode.value):
            rm = self.mapping(item, REFERENCE_KEYS, f"references[{i}]")
            if rm is None:
                continue
            fields = {k: self.string(v, f"references[{i}].{k}") for k, v in rm.items()}
            if fields.get("url") and not re.match(r"^https?://", fields["url"] or ""):
                self.err(rm["url"], f"references[{i}].url must start with http:// or https://")
            if fields.get("jurisdiction") and not COUNTRY.match(fields["jurisdiction"] or ""):
                self.err(rm["jurisdiction"], f"references[{i}].jurisdiction must be an ISO 3166 alpha-2 country code", "e.g. PK, KE, PH")
            if "title" in fields and fields["title"]:
                references.append(Reference(**fields))
        return references

    # -- a partial rule: `extends` ----------------------------------------------------

    def override(self, root: yaml.Node, path: Path, bases: dict[str, Rule]) -> Rule | None:
        """A rule file that says ``extends: ID`` and gives only what it changes.
        Parameters merge key by key, keyed parameters key by key too (a new key,
        such as a scope of the pack's own, is added); every other key given
        replaces the extended rule's.  ``id`` defaults to the extended id (the
        override replaces that rule in the run); another id derives a new rule."""
        from dataclasses import replace

        m = self.mapping(root, OVERRIDE_KEYS, "rule override")
        if m is None:
            return None
        before = len(self.problems)
        target = self.string(m["extends"], "extends") if "extends" in m else None
        base = bases.get(target) if target else None
        if target and base is None:
            self.err(m["extends"], f"extends: no rule '{target}' to extend",
                     _suggest(target, bases) or "extend a rule of the built-in pack or of a pack loaded before this one")
        rid = self.string(m["id"], "id") if "id" in m else target
        if rid and not SLUG.match(rid):
            self.err(m.get("id", m.get("extends")), f"id '{rid}' must be a lower-case slug (letters, digits, '-')")
        if rid and rid != path.stem:
            self.err(m.get("id", m.get("extends")), f"id '{rid}' does not match the file name '{path.name}'",
                     f"rename the file to {rid}.yaml" + ("" if "id" in m else " or give the derived rule an 'id'"))
        changes: dict[str, Any] = {}
        for key in ("title", "summary", "rationale", "message", "example"):
            if key in m:
                text = self.string(m[key], key)
                if text is not None:
                    changes[key] = text.strip() if key in ("summary", "message") else text
        if "severity" in m:
            sev = self.enum(m["severity"], [s.value for s in Severity], "severity")
            if sev:
                changes["severity"] = Severity(sev)
        if "status" in m:
            status = self.enum(m["status"], STATUSES, "status")
            if status:
                changes["status"] = status
        if "tags" in m:
            if isinstance(m["tags"], yaml.SequenceNode):
                changes["tags"] = tuple(t for t in (self.string(n, "tags[]") for n in m["tags"].value) if t)
            else:
                self.err(m["tags"], "tags must be a list of strings")
        if "references" in m:
            changes["references"] = tuple(self.references(m["references"]))
        if "speakers" in m:
            changes["speakers"] = self.speakers(m["speakers"])
        if "severity_when" in m:
            changes["severity_when"] = self.severity_when(m["severity_when"])
        params = dict(base.parameters) if base is not None else {}
        if "parameters" in m:
            given, key_nodes = self.parameters(m["parameters"])
            for name, val in given.items():
                if base is None:
                    continue
                if name not in base.parameters:
                    self.err(key_nodes[name], f"parameters: rule '{target}' has no parameter '{name}'",
                             _suggest(name, base.parameters) or f"its parameters: {', '.join(base.parameters) or 'none'}")
                    continue
                old = base.parameters[name]
                if isinstance(old, dict):
                    if not isinstance(val, dict):
                        self.err(key_nodes[name], f"parameter '{name}' of '{target}' is keyed ({', '.join(old)}): override it key by key",
                                 f"{name}: {{{next(iter(old))}: ...}}")
                        continue
                    params[name] = {**old, **val}
                elif isinstance(val, dict) or isinstance(val, bool) != isinstance(old, bool) or (
                        isinstance(val, str) != isinstance(old, str)):
                    self.err(key_nodes[name], f"parameter '{name}' of '{target}' is {type(old).__name__}, not {type(val).__name__}")
                else:
                    params[name] = val
            changes["parameters"] = params
        if "message" in m and base is not None and "message" in changes:
            self.template(m["message"], changes["message"], params, _fact_kinds(base.conditions))
        if len(self.problems) > before or base is None or rid is None:
            return None
        return replace(base, id=rid, source=str(path), test_file=None, extends=target,
                       overridden=tuple(k for k in OVERRIDE_KEYS if k in m and k not in ("extends", "id")), **changes)

    def _branch_message(self, node: yaml.Node, out: dict[str, Any], params: dict[str, Any], kinds_used: set[str]) -> None:
        """A condition may carry its own message, used when that branch fires
        (its fields are checked with the rule's, once all conditions are known)."""
        for knode, vnode in node.value:
            if knode.value == "message":
                text = self.string(vnode, "message")
                if text:
                    self._messages.append((vnode, text))
                    out["message"] = text.strip()

    def requirement(self, item: yaml.Node, what: str, top: bool) -> Requirement | None:
        keys = REQUIRE_KEYS if top else {k: False for k in REQUIRE_KEYS if k not in ("any", "reason")}
        qm = self.mapping(item, keys, what)
        if qm is None:
            return None
        alternatives: list[Requirement] = []
        if "any" in qm:
            anode = qm["any"]
            if not isinstance(anode, yaml.SequenceNode) or len(anode.value) < 2:
                self.err(anode, f"{what}.any must be a list of at least two alternatives")
            else:
                for j, alt in enumerate(anode.value):
                    r = self.requirement(alt, f"{what}.any[{j}]", top=False)
                    if r is not None:
                        alternatives.append(r)
            if any(k in qm for k in ("fact", "document_kind")):
                self.err(item, f"{what}: use either 'any' or 'fact'/'document_kind', not both")
        elif "fact" not in qm and "document_kind" not in qm:
            self.err(item, f"{what} needs 'fact', 'document_kind' or 'any'")
        fact = self.enum(qm["fact"], self.fact_kinds, f"{what}.fact") if "fact" in qm else None
        min_count = self.value(qm["min_count"]) if "min_count" in qm else 1
        if not isinstance(min_count, int) or isinstance(min_count, bool) or min_count < 1:
            self.err(qm["min_count"], f"{what}.min_count must be a positive integer")
            min_count = 1
        return Requirement(
            reason=(self.string(qm["reason"], f"{what}.reason") or "") if "reason" in qm else "",
            fact=fact,
            where=self.where(qm["where"], fact, f"{what}.where") if "where" in qm else {},
            document_kind=self.kinds(qm["document_kind"], f"{what}.document_kind") if "document_kind" in qm else (),
            min_count=min_count,
            distinct_documents=bool(self.value(qm["distinct_documents"])) if "distinct_documents" in qm else False,
            any=tuple(alternatives),
        )

    def template(self, node: yaml.Node, message: str, params: dict[str, Any], kinds_used: set[str],
                 conditions_used: set[str] | None = None) -> None:
        allowed = set(TEMPLATE_NAMES) | set(params) | set(COMMON_ATTRS)
        for kind in kinds_used:
            allowed |= set(self.attrs_of(kind))
        try:
            parsed = [(f, spec or "") for _, f, spec, _ in string.Formatter().parse(message) if f]
        except ValueError as exc:
            self.err(node, f"message: bad template ({exc})", "write literal braces as {{ and }}")
            return
        fields = [f for f, _ in parsed]
        for f, spec in parsed:  # "{quote:>100000000}" would cost a 100 MB string per finding
            if "{" in spec:
                self.err(node, f"message: field '{{{f}}}' has a nested field in its format", "write the width as a number")
            elif any(int(n) > LIMITS.max_template_width for n in re.findall(r"\d+", spec)):
                self.err(node, f"message: field '{{{f}}}' asks for a width or precision above {LIMITS.max_template_width}")
        for f in fields:
            name = re.split(r"[.\[]", f, maxsplit=1)[0]
            if name not in allowed:
                self.err(node, f"message: unknown field '{{{name}}}'", _suggest(name, sorted(allowed)) or "see 'auditor rules show' for the fields")
                continue
            if conditions_used is None or name in ALWAYS_FIELDS or name in params or name in COMMON_ATTRS \
                    or any(name in self.attrs_of(k) for k in kinds_used):
                continue
            fillers = [c for c, names in CONDITION_FIELDS.items() if name in names]
            if fillers and not conditions_used & set(fillers):
                self.err(node, f"message: field '{{{name}}}' is filled only by a {' or '.join(fillers)} condition, "
                         "and this rule has none", "drop the field or add the condition")


def _condition_keys(cond: Any) -> set[str]:
    """The kinds of condition a parsed condition tree uses."""
    out: set[str] = set()
    if isinstance(cond, dict) and len(cond) == 1:
        (key, body), = cond.items()
        if key in CONDITION_KEYS:
            out.add(key)
            if key in ("all", "any"):
                for c in body or ():
                    out |= _condition_keys(c)
            elif key == "not":
                out |= _condition_keys(body)
    return out


def _fact_kinds(conditions: Any) -> set[str]:
    """The fact kinds a validated condition tree selects (a message may use their attributes)."""
    found: set[str] = set()
    if isinstance(conditions, dict):
        for key, val in conditions.items():
            if key == "fact" and isinstance(val, str):
                found.add(val)
            else:
                found |= _fact_kinds(val)
    elif isinstance(conditions, (list, tuple)):
        for item in conditions:
            found |= _fact_kinds(item)
    return found


# --- loading rule directories ------------------------------------------------------


# YAML files of a rule directory that are not rules: a pack's manifest, a case's settings
NOT_RULES = ("pack.yaml", "case.yaml")


def rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.yaml")
                  if not p.name.endswith(".test.yaml") and not p.name.startswith(".") and p.name not in NOT_RULES)


def _is_override(node: Any) -> bool:
    return isinstance(node, yaml.MappingNode) and any(
        isinstance(k, yaml.ScalarNode) and k.value == "extends" for k, _ in node.value)


def load_rules(directories: Iterable[Path], *, collect: bool = False,
               cache_dir: Path | None = None) -> tuple[list[Rule], list[Problem]]:
    """Load every rule of the given directories (in order).  Raises RuleFileError
    listing every problem, unless ``collect`` is true (then problems are returned).
    With ``cache_dir``, a pack validated before with the same files is read from
    there, and a newly validated pack without problems is stored there."""
    directories = list(directories)
    key = _pack_key(directories) if cache_dir is not None else None
    if key is not None:
        cached = _read_pack(cache_dir, key)
        if cached is not None:
            return cached, []
    rules, problems = _load_rules(directories)
    if problems and not collect:
        raise RuleFileError(problems)
    if key is not None and not problems:
        _write_pack(cache_dir, key, rules)
    return rules, problems


def _load_rules(directories: list[Path]) -> tuple[list[Rule], list[Problem]]:
    from auditor.extract import patterns
    from auditor.extract.kinds import fact_kinds

    rules: list[Rule] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    # the pattern files of the packs are validated with their rules; the fact kinds
    # they declare are the kinds a rule may use
    pattern_dirs = patterns.pack_dirs([d for d in directories if d.is_dir()])
    pattern_problems = patterns.validate(pattern_dirs)
    problems.extend(pattern_problems)
    kinds = fact_kinds(tuple(directories)) if not pattern_problems else FACT_KINDS
    labels: tuple = ()
    if not pattern_problems:
        merged: dict[str, dict[str, str]] = {}
        for spec in patterns.load(pattern_dirs).kinds.values():
            for attr, a in spec.attributes:
                if a.labels:
                    merged.setdefault(attr, {}).update(dict(a.labels))
        labels = tuple((k, tuple(sorted(v.items()))) for k, v in sorted(merged.items()))
    for directory in directories:
        if not directory.is_dir():
            problems.append(Problem(str(directory), 1, 1, "rule directory not found"))
            continue
        files = rule_files(directory)
        if not files and not (directory / "pack.yaml").is_file():
            problems.append(Problem(str(directory), 1, 1, "no rule files (*.yaml) in this directory"))
        composed = []
        for path in files:
            checker = _Checker(str(path), kinds)
            composed.append((path, checker, _compose(path, checker)))
        # whole rules first, then partial ones (`extends`), which may extend any rule loaded before them
        composed.sort(key=lambda item: _is_override(item[2]))
        for path, checker, node in composed:
            if node is None:
                rule = None
            elif _is_override(node):
                rule = checker.override(node, path, {r.id: r for r in rules})
            else:
                rule = checker.rule(node, path)
            problems.extend(checker.problems)
            if rule is None:
                continue
            rule = replace(rule, labels=labels)
            test_file = path.with_name(f"{rule.id}.test.yaml")
            if test_file.exists():
                rule = _with_test_file(rule, str(test_file))
            if rule.id in seen:
                # a later directory overrides an earlier one: a jurisdiction's pack can
                # replace a built-in rule (its parameters, references, message) by id
                rules = [r for r in rules if r.id != rule.id]
            seen[rule.id] = str(path)
            rules.append(rule)
    return rules, problems


# --- the rule-pack cache ------------------------------------------------------------

PACK_FORMAT = 3  # 3: a header line with the body's sha256, then the JSON body; 2: JSON alone; 1 was pickles
# the code a validated pack depends on, relative to the package
_PACK_CODE = ("ruleset/schema.py", "yamlcheck.py", "models.py", "codec.py", "errors.py", "extract/kinds.py", "extract/doctype.py",
              "extract/money.py", "extract/patterns.py")  # money: the roles a rule may name


def _pack_key(directories: list[Path]) -> str | None:
    """sha256 over the pack format, the validator's code, and the path, name and
    content of every YAML file of the directories; None if one cannot be read."""
    import auditor

    digest = hashlib.sha256(f"rule-pack {PACK_FORMAT}".encode())
    root = Path(auditor.__file__).parent
    try:
        for rel in _PACK_CODE:
            digest.update(rel.encode() + b"\0" + (root / rel).read_bytes())
        for directory in directories:
            # as given (rules remember their file's path as given) and where it is
            digest.update(b"\0dir\0" + os.fsencode(str(directory)) + b"\0" + os.fsencode(directory.resolve()))
            if not directory.is_dir():
                return None
            for path in sorted(directory.glob("*.yaml")) + sorted(directory.glob("patterns/*.yaml")):
                digest.update(b"\0" + os.fsencode(path.name) + b"\0" + path.read_bytes())
    except OSError:
        return None
    return digest.hexdigest()


def _pack_path(cache_dir: Path, key: str) -> Path:
    return Path(cache_dir) / "rules" / f"{key}.json"  # beside v<N>/ (document results)


def requirement_to_json(r: Requirement) -> dict[str, Any]:
    from auditor.codec import plain_to_json

    return {"reason": r.reason, "fact": r.fact, "where": plain_to_json(r.where),
            "document_kind": list(r.document_kind), "min_count": r.min_count,
            "distinct_documents": r.distinct_documents, "any": [requirement_to_json(a) for a in r.any]}


def requirement_from_json(v: Any) -> Requirement:
    from auditor.codec import DecodeError, plain_from_json

    if type(v) is not dict:
        raise DecodeError("a requirement must be an object")
    return Requirement(
        reason=_str_of(v["reason"]), fact=None if v["fact"] is None else _str_of(v["fact"]),
        where=plain_from_json(v["where"]), document_kind=tuple(_str_of(k) for k in v["document_kind"]),
        min_count=v["min_count"], distinct_documents=v["distinct_documents"],
        any=tuple(requirement_from_json(a) for a in v["any"]),
    )


def rule_to_json(r: Rule) -> dict[str, Any]:
    """A validated rule as JSON data (the rule-pack cache); ``rule_from_json`` inverts it."""
    from auditor.codec import plain_to_json, reference_to_json

    return {
        "id": r.id, "title": r.title, "severity": r.severity.value, "status": r.status, "summary": r.summary,
        "message": r.message, "rationale": r.rationale, "references": [reference_to_json(x) for x in r.references],
        "conditions": plain_to_json(r.conditions), "parameters": plain_to_json(r.parameters),
        "requires": [requirement_to_json(q) for q in r.requires], "findings": r.findings, "tags": list(r.tags),
        "example": r.example, "source": r.source, "test_file": r.test_file,
        "labels": [[attr, [list(p) for p in pairs]] for attr, pairs in r.labels],
        "extends": r.extends, "overridden": list(r.overridden), "speakers": [list(x) for x in r.speakers],
        "severity_when": [[k, plain_to_json(w), s.value] for k, w, s in r.severity_when],
    }


def rule_from_json(v: Any) -> Rule:
    from auditor.codec import DecodeError, plain_from_json, reference_from_json

    if type(v) is not dict:
        raise DecodeError("a rule must be an object")
    opt = lambda x: None if x is None else _str_of(x)  # noqa: E731
    return Rule(
        id=_str_of(v["id"]), title=_str_of(v["title"]), severity=Severity(v["severity"]), status=_str_of(v["status"]),
        summary=_str_of(v["summary"]), message=_str_of(v["message"]), rationale=_str_of(v["rationale"]),
        references=tuple(reference_from_json(x) for x in v["references"]),
        conditions=plain_from_json(v["conditions"]), parameters=plain_from_json(v["parameters"]),
        requires=tuple(requirement_from_json(q) for q in v["requires"]), findings=_str_of(v["findings"]),
        tags=tuple(_str_of(t) for t in v["tags"]), example=opt(v["example"]), source=_str_of(v["source"]),
        test_file=opt(v["test_file"]),
        labels=tuple((_str_of(a), tuple((_str_of(x), _str_of(y)) for x, y in pairs)) for a, pairs in v.get("labels", [])),
        speakers=tuple((_str_of(a), float(b)) for a, b in v.get("speakers", [])),
        extends=opt(v.get("extends")), overridden=tuple(_str_of(k) for k in v.get("overridden", [])),
        severity_when=tuple((opt(k), plain_from_json(w), Severity(s)) for k, w, s in v.get("severity_when", [])),
    )


def _str_of(v: Any) -> str:
    from auditor.codec import DecodeError

    if type(v) is not str:
        raise DecodeError(f"expected a string, got {type(v).__name__}")
    return v


def _read_pack(cache_dir: Path, key: str) -> list[Rule] | None:
    import json

    try:
        with open(_pack_path(cache_dir, key), "rb") as fh:
            data = fh.read()
    except OSError:  # not cached yet
        return None
    import hashlib

    try:
        head, _, body = data.partition(b"\n")
        header = json.loads(head)
        if (type(header) is not dict or header.get("format") != PACK_FORMAT or header.get("key") != key
                or header.get("sha256") != hashlib.sha256(body).hexdigest()):
            return None  # another format, another pack's entry, or damaged bytes: validate again
        return [rule_from_json(r) for r in json.loads(body)]
    except (ValueError, KeyError, TypeError, RecursionError):  # truncated, corrupt: validate again
        return None


def _write_pack(cache_dir: Path, key: str, rules: list[Rule]) -> None:
    """Store a validated pack (atomically); a cache that cannot be written is skipped."""
    import json
    import tempfile

    path = _pack_path(cache_dir, key)
    import hashlib

    body = json.dumps([rule_to_json(r) for r in rules], separators=(",", ":")).encode("ascii")
    header = json.dumps({"format": PACK_FORMAT, "key": key, "sha256": hashlib.sha256(body).hexdigest()},
                        separators=(",", ":")).encode("ascii")
    data = header + b"\n" + body  # the checksum is verified on every read: a damaged entry is rebuilt
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{key[:16]}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _with_test_file(rule: Rule, test_file: str) -> Rule:
    from dataclasses import replace

    return replace(rule, test_file=test_file)
