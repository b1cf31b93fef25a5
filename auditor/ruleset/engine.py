"""Evaluate declarative rules over the facts of one case.

A case is every document of one folder; its facts are evaluated together, so a
rule can compare an award letter with a contract, or check a loan agreement for
a vendor that a ministry summary says the loan is tied to.

Conditions (see the README, "Writing a rule"):

* ``exists`` / ``absent``: a selector of asserted facts (kind, attribute filters,
  document kinds, minimum confidence);
* ``compare``: an aggregate of one selection against another (or a parameter),
  with a ratio: ``contract price > 1.2 × NPV``;
* ``spread``: the same quantity across documents differs by more than a threshold;
* ``each``: facts whose attributes pass tests against parameters, keyed by
  another attribute (``days < min_days[scope]``);
* ``unnamed-in``: facts naming a party that documents of a given kind never name
  (fuzzy name matching);
* ``names-disagree``: two selections that both name parties (an OCDS record's
  suppliers, the vendors a PDF names), none of one a spelling of one of the other;
* ``all`` / ``any`` / ``not``.

Every rule ends in one of three outcomes per case: fired, not fired, or
insufficient evidence (a ``requires`` entry is unmet: e.g. no tender notice).
"""

from __future__ import annotations

import hashlib
import math
import operator
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Sequence

from auditor.errors import InternalError
from auditor.models import (
    Check,
    DocumentInfo,
    Evidence,
    Fact,
    Finding,
    Outcome,
    Severity,
    Status,
)
from auditor.ruleset.schema import Requirement, Rule

_OPS = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge, "eq": operator.eq, "ne": operator.ne}
_OP_WORDS = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥", "eq": "=", "ne": "≠"}

SEVERITY_POINTS = {Severity.INFO: 2.0, Severity.LOW: 10.0, Severity.MEDIUM: 25.0, Severity.HIGH: 40.0, Severity.CRITICAL: 60.0}
MAX_EVIDENCE = 6


@dataclass(frozen=True)
class CaseView:
    id: str
    documents: tuple[DocumentInfo, ...]
    facts: tuple[Fact, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_kinds", {d.path: d.kind for d in self.documents})
        # facts indexed by kind (in case order), so a selector reads only its kind's facts
        by_kind: dict[str, list[Fact]] = {}
        for f in self.facts:
            by_kind.setdefault(f.kind, []).append(f)
        object.__setattr__(self, "_by_kind", {k: tuple(v) for k, v in by_kind.items()})

    def kind_of(self, document: str) -> str:
        return self._kinds.get(document, "other")  # type: ignore[attr-defined]

    def facts_of(self, kind: str | None) -> tuple[Fact, ...]:
        """The case's facts of this kind (all facts for None), in case order."""
        if not kind:
            return self.facts
        return self._by_kind.get(kind, ())  # type: ignore[attr-defined]


@dataclass
class _Result:
    ok: bool
    facts: list[Fact] = field(default_factory=list)  # the leading ones are shown first, in order
    values: dict[str, Any] = field(default_factory=dict)
    items: list[tuple[Fact, dict[str, Any], list[Fact]]] = field(default_factory=list)
    lead: int = 1  # how many of `facts` must lead the evidence, in their order


@dataclass(frozen=True)
class RuleOutcome:
    check: Check
    findings: tuple[Finding, ...]


# --- attribute access ---------------------------------------------------------------


def attr_of(case: CaseView, fact: Fact, name: str) -> Any:
    if name == "document":
        return fact.document
    if name == "page":
        return fact.page
    if name == "document_kind":
        return case.kind_of(fact.document)
    if name == "confidence":
        return fact.confidence
    if name == "status":
        return fact.status.value
    if name == "quote":
        return fact.evidence[0].quote
    return fact.get(name)


def _matches_where(case: CaseView, fact: Fact, where: dict[str, Any]) -> bool:
    for attr, expected in where.items():
        actual = attr_of(case, fact, attr)
        if isinstance(expected, dict) and "ops" in expected:
            if actual is None:
                return False
            try:
                if not all(_OPS[op](actual, val) for op, val in expected["ops"].items()):
                    return False
            except TypeError:
                return False
        elif isinstance(expected, list):
            if actual not in expected:
                return False
        elif actual != expected:
            return False
    return True


def select(case: CaseView, sel: dict[str, Any]) -> list[Fact]:
    kind = sel.get("fact")
    status = sel.get("status") or "asserted"
    min_conf = sel.get("min_confidence", 0.0)
    kinds_in = sel.get("document_kind") or ()
    kinds_out = sel.get("not_document_kind") or ()
    where = sel.get("where") or {}
    out = []
    for f in case.facts_of(kind):
        if status != "any" and f.status.value != status:
            continue
        if f.confidence < min_conf:
            continue
        dk = case.kind_of(f.document)
        if kinds_in and dk not in kinds_in:
            continue
        if kinds_out and dk in kinds_out:
            continue
        if where and not _matches_where(case, f, where):
            continue
        out.append(f)
    return out


# --- the evaluator ----------------------------------------------------------------------


class Evaluator:
    def __init__(self, rule: Rule, case: CaseView, parameters: dict[str, Any] | None = None):
        self.rule = rule
        self.case = case
        self.params = dict(rule.parameters)
        if parameters:
            self.params.update(parameters)
        self._main: list[str | None] = []  # _main_vendor's answer, once computed
        self._matches: dict[tuple[str, str], float] = {}  # name_match of two names, once each

    def param(self, ref: Any, key: Any = None) -> Any:
        """A parameter's value; of a keyed parameter (``min_days: {national: 15,
        international: 30}``), the value for ``key``, or for its ``default`` key.
        A key the parameter has not (and no ``default``) is an InternalError
        naming the rule, the parameter and the key: never its first value."""
        name = None
        if isinstance(ref, str) and ref.startswith("$"):
            name = ref[1:]
            if name not in self.params:
                raise InternalError(f"rule '{self.rule.id}': unknown parameter '{name}'")
            value = self.params[name]
        elif isinstance(ref, str) and ref in self.params:
            name = ref
            value = self.params[ref]
        else:
            value = ref
        if isinstance(value, dict):
            if key is not None and key in value:
                return value[key]
            if "default" in value:
                return value["default"]
            asked = "no key" if key is None else f"key {key!r}"
            raise InternalError(f"rule '{self.rule.id}': parameter '{name}' has no value for {asked} "
                                f"(it has: {', '.join(map(str, value))}; add the key or a 'default')")
        return value

    # -- requirements -----------------------------------------------------------------

    def unmet(self, req: Requirement) -> bool:
        if req.any:
            return all(self.unmet(alt) for alt in req.any)
        if req.fact:
            facts = select(self.case, {"fact": req.fact, "where": req.where, "document_kind": req.document_kind})
            count = len({f.document for f in facts}) if req.distinct_documents else len(facts)
        else:
            count = sum(1 for d in self.case.documents if d.error is None and d.kind in req.document_kind)
        return count < req.min_count

    # -- conditions ------------------------------------------------------------------------

    def eval(self, cond: dict[str, Any]) -> _Result:
        (key, body), = cond.items()
        return getattr(self, "_" + key.replace("-", "_"))(body)

    def _all(self, body: list[dict[str, Any]]) -> _Result:
        """All must hold; the branch that carries a message (or, failing that, the
        first) leads the evidence and the message values."""
        results = []
        for c in body:
            r = self.eval(c)
            if not r.ok:
                return _Result(False)
            results.append(r)
        results.sort(key=lambda r: "__message__" not in r.values)
        res = _Result(True, lead=results[0].lead if results else 1)
        for r in results:
            res.facts.extend(r.facts)
            res.values.update({k: v for k, v in r.values.items() if k not in res.values})
            res.items.extend(r.items)
        return res

    def _any(self, body: list[dict[str, Any]]) -> _Result:
        """True if any branch holds; the message values come from the first branch
        that holds, the evidence from all of them."""
        res = _Result(False)
        for c in body:
            r = self.eval(c)
            if r.ok:
                if not res.ok:
                    res.values = dict(r.values)
                    res.lead = r.lead
                res.ok = True
                res.facts.extend(r.facts)
                res.items.extend(r.items)
        return res

    def _not(self, body: dict[str, Any]) -> _Result:
        return _Result(not self.eval(body).ok)

    def _exists(self, sel: dict[str, Any]) -> _Result:
        facts = select(self.case, sel)
        if not facts:
            return _Result(False)
        facts.sort(key=lambda f: (-f.confidence, f.document, f.page))
        values = dict(facts[0].attrs)
        values["count"] = len(facts)
        if sel.get("message"):
            values["__message__"] = sel["message"]
        return _Result(True, facts, values, [(f, dict(f.attrs), []) for f in facts])

    def _absent(self, sel: dict[str, Any]) -> _Result:
        return _Result(not select(self.case, sel))

    def _operand(self, op: dict[str, Any]) -> tuple[float | None, list[Fact]]:
        if "param" in op:
            return float(self.param(op["param"])), []
        if "number" in op:
            return float(self.param(op["number"])), []
        facts = [f for f in select(self.case, op) if isinstance(attr_of(self.case, f, op["attr"]), (int, float))]
        if not facts:
            return None, []
        vals = [(float(attr_of(self.case, f, op["attr"])), f) for f in facts]
        agg = op.get("agg", "max")
        if agg == "max":
            v, f = max(vals, key=lambda x: (x[0], x[1].confidence))
            return v, [f]
        if agg == "min":
            v, f = min(vals, key=lambda x: (x[0], -x[1].confidence))
            return v, [f]
        if agg == "first":
            v, f = sorted(vals, key=lambda x: (x[1].document, x[1].page))[0]
            return v, [f]
        if agg == "sum":
            return sum(v for v, _ in vals), [f for _, f in vals]
        return float(len(vals)), [f for _, f in vals]

    def _compare(self, body: dict[str, Any]) -> _Result:
        left, lf = self._operand(body["left"])
        right, rf = self._operand(body["right"])
        if left is None or right is None:
            return _Result(False)
        ratio = float(self.param(body.get("ratio", 1.0)))
        ok = _OPS[body["op"]](left, right * ratio)
        values: dict[str, Any] = {
            "left": _describe(lf, left, body["left"].get("attr")),
            "right": _describe(rf, right, body["right"].get("attr")),
            "ratio": left / right if right else math.inf,
            "percent_over": (left / right - 1) * 100 if right else math.inf,
        }
        if lf:
            values["left_document"], values["left_page"] = lf[0].document, lf[0].page
        if rf:
            values["right_document"], values["right_page"] = rf[0].document, rf[0].page
        values["fx"] = _fx_notes(lf + rf)
        if body.get("message"):
            values["__message__"] = body["message"]
        return _Result(ok, lf + rf if ok else [], values if ok else {}, lead=len(lf + rf) if ok else 0)

    def _spread(self, body: dict[str, Any]) -> _Result:
        facts = [f for f in select(self.case, body["select"]) if isinstance(attr_of(self.case, f, body["attr"]), (int, float))]
        threshold = float(self.param(body["threshold"]))
        found = compare_documents(facts, lambda f: float(attr_of(self.case, f, body["attr"])), threshold)
        if found is None:
            return _Result(False)
        reps, lo, hi, spread = found
        values = {
            "values": "; ".join(f"{_describe([f], v, body['attr'])} in {f.evidence[0].cited}" for v, f in reps),
            "spread_pct": spread * 100,
            "max": _describe([hi[1]], hi[0], body["attr"]),
            "min": _describe([lo[1]], lo[0], body["attr"]),
            "max_document": hi[1].document,
            "min_document": lo[1].document,
            "threshold": threshold * 100,
            "fx": _fx_notes([f for _, f in reps]),
        }
        ordered = [hi[1], lo[1]] + [f for _, f in reps if f is not hi[1] and f is not lo[1]]
        return _Result(True, ordered, values, lead=2)

    def _each(self, body: dict[str, Any]) -> _Result:
        items = []
        for f in select(self.case, body["select"]):
            values = dict(f.attrs)
            passed = True
            for t in body["test"]:
                actual = attr_of(self.case, f, t["attr"])
                if "param" in t:
                    key = attr_of(self.case, f, t["key"]) if t.get("key") else None
                    expected = self.param(t["param"], key)
                else:
                    expected = t["value"]
                try:
                    if actual is None or not _OPS[t["op"]](actual, expected):
                        passed = False
                        break
                except TypeError:
                    passed = False
                    break
                values["threshold"] = expected
            if passed:
                items.append((f, values, []))
        if not items:
            return _Result(False)
        values = dict(items[0][1])
        if body.get("message"):
            values["__message__"] = body["message"]
        return _Result(True, [f for f, _, _ in items], values, items)

    def _unnamed_in(self, body: dict[str, Any]) -> _Result:
        from auditor.extract.parties import GENERIC_VENDOR  # only this condition needs it

        kinds = body["document_kind"]
        docs = [d for d in self.case.documents if d.kind in kinds and d.error is None]
        if not docs:
            return _Result(False)
        doc_paths = {d.path for d in docs}
        names = [f for k in ("organisation", "name-mention") for f in self.case.facts_of(k) if f.document in doc_paths]
        titles = [f for f in self.case.facts_of("document-title") if f.document in doc_paths]
        # each distinct name once, first occurrence in case order (the best match keeps the earliest on ties)
        distinct: dict[str, None] = {}
        order = {id(f): i for i, f in enumerate(self.case.facts)}
        for n in sorted(names, key=lambda f: order[id(f)]):
            distinct.setdefault(str(n.get("name") or ""), None)
        best_of = _NameIndex(list(distinct))
        match = self._name_match
        min_score = float(self.param(body["min_score"]))
        # group the claims by the firm they name (one firm, many spellings)
        groups: list[tuple[str, list[Fact]]] = []
        main = None
        for f in select(self.case, body["select"]):
            vendor = attr_of(self.case, f, body["attr"])
            if not vendor:
                continue
            if GENERIC_VENDOR.match(str(vendor)):
                main = main or self._main_vendor()
                if main is None:
                    continue
                vendor = main
            for i, (name, members) in enumerate(groups):
                if match(str(vendor), name) >= min_score:
                    members.append(f)
                    if len(str(vendor)) > len(name) and not GENERIC_VENDOR.match(str(f.get(body["attr"]) or "")):
                        groups[i] = (str(vendor), members)
                    break
            else:
                groups.append((str(vendor), [f]))
        items = []
        for vendor, members in groups:
            best, best_name = best_of.best(vendor)
            if best >= min_score:
                continue
            # explicit names first, then the firmest
            members.sort(key=lambda m: (bool(GENERIC_VENDOR.match(str(m.get(body["attr"]) or ""))), -m.confidence, m.document, m.page))
            values = dict(members[0].attrs)
            values.update(
                vendor=vendor,
                best_match=best_name or "no similar name",
                best_score=round(best),
                agreements=", ".join(sorted(doc_paths)),
                # a near miss (a similar name just under the threshold) makes "not named" less certain
                __confidence_factor__=1.0 if best < 50 else max(0.6, 1.0 - (best - 50) / 100),
            )
            items.append((members[0], values, members[1:] + titles))
        if not items:
            return _Result(False)
        return _Result(True, [f for f, _, extra in items for f in [f] + extra], dict(items[0][1]), items)

    def _names_disagree(self, body: dict[str, Any]) -> _Result:
        """Both selections name someone, and no name of the left one matches a name of
        the right one (``name_match`` >= min_score, each name also by the short form it
        defines: "Associated Group (AG)" is also "AG").  The left facts lead the
        evidence, then the right ones, so a finding cites both sides."""
        from auditor.extract.parties import name_forms  # a defined short form is a spelling too

        attr = body["attr"]
        left = [f for f in select(self.case, body["left"]) if str(attr_of(self.case, f, attr) or "").strip()]
        right = [f for f in select(self.case, body["right"]) if str(attr_of(self.case, f, attr) or "").strip()]
        if not left or not right:
            return _Result(False)
        min_score = float(self.param(body["min_score"]))
        left_names = list(dict.fromkeys(str(attr_of(self.case, f, attr)) for f in left))
        right_names = list(dict.fromkeys(str(attr_of(self.case, f, attr)) for f in right))
        best = (-1.0, "", "")
        for a in left_names:
            for b in right_names:
                score = max(self._name_match(x, y) for x in name_forms(a) for y in name_forms(b))
                if score >= min_score:
                    return _Result(False)
                if score > best[0]:
                    best = (score, a, b)
        order = {id(f): i for i, f in enumerate(self.case.facts)}
        left.sort(key=lambda f: (-f.confidence, order[id(f)]))
        right.sort(key=lambda f: (-f.confidence, order[id(f)]))
        values = dict(left[0].attrs)
        values.update(
            left_names="; ".join(left_names), right_names="; ".join(right_names),
            left_document=left[0].document, left_page=left[0].page,
            right_document=right[0].document, right_page=right[0].page,
            best_left=best[1], best_right=best[2], best_score=round(max(best[0], 0.0)),
            # a near miss (a similar pair just under the threshold) makes "another party" less certain
            __confidence_factor__=1.0 if best[0] < 50 else max(0.6, 1.0 - (best[0] - 50) / 100),
        )
        # one fact of each side leads the evidence: the finding cites both
        facts = [left[0], right[0]] + left[1:] + right[1:]
        return _Result(True, facts, values, lead=2)

    def _name_match(self, a: str, b: str) -> float:
        from auditor.extract.parties import name_match

        key = (a, b)
        score = self._matches.get(key)
        if score is None:
            score = self._matches[key] = name_match(a, b)
        return score

    def _main_vendor(self) -> str | None:
        """The case's vendor, when a document only says "the vendor": the firm the
        award letter / contract names, else the firm the case names most
        (computed once per evaluation: a case with many such claims and no named
        vendor would otherwise scan every fact once per claim)."""
        if not self._main:
            self._main.append(self._find_main_vendor())
        return self._main[0]

    def _find_main_vendor(self) -> str | None:
        from auditor.extract.parties import GENERIC_VENDOR

        counts: Counter[str] = Counter()
        for f in self.case.facts:
            if f.kind in ("financing-tied", "unsolicited-proposal", "money") and f.get("vendor") and not GENERIC_VENDOR.match(str(f.get("vendor"))):
                counts[str(f.get("vendor"))] += 3
            if f.kind == "organisation" and self.case.kind_of(f.document) in ("award-letter", "contract"):
                counts[str(f.get("name"))] += 2
        return counts.most_common(1)[0][0] if counts else None


class _NameIndex:
    """The best ``name_match`` of a vendor among many names, the earliest name on
    ties, exactly as a loop over the names would give it, but with the fuzzy
    comparisons run in rapidfuzz's C loop (``process.extractOne``) and the
    acronym comparisons as dictionary look-ups: a financing agreement with
    thousands of names costs milliseconds per claimed vendor, not seconds."""

    def __init__(self, names: list[str]) -> None:
        from auditor.extract.parties import acronym, core_name, core_tokens

        self.names = [n for n in names if core_name(n)]  # a name without core tokens scores 0
        self.cores = [core_name(n) for n in self.names]
        self.glued = [c.replace(" ", "") for c in self.cores]
        self.by_first: dict[str, int] = {}  # first core token -> earliest name
        self.by_acronym: dict[str, int] = {}  # acronym of a name of >= 2 tokens -> earliest name
        for i, n in enumerate(self.names):
            tokens = core_tokens(n)
            self.by_first.setdefault(tokens[0], i)
            if len(tokens) >= 2:
                self.by_acronym.setdefault(acronym(n), i)

    def best(self, vendor: str) -> tuple[float, str]:
        from rapidfuzz import fuzz, process

        from auditor.extract.parties import acronym, core_name, core_tokens

        core = core_name(vendor)
        if not core or not self.names:
            return 0.0, ""
        hits: list[tuple[float, int]] = []
        found = process.extractOne(core, self.cores, scorer=fuzz.token_set_ratio)
        if found is not None:
            hits.append((float(found[1]), found[2]))
        found = process.extractOne(core.replace(" ", ""), self.glued, scorer=fuzz.ratio)
        if found is not None:
            hits.append((float(found[1]), found[2]))
        tokens = core_tokens(vendor)
        if len(tokens) >= 2 and acronym(vendor) in self.by_first:
            hits.append((90.0, self.by_first[acronym(vendor)]))
        if tokens[0] in self.by_acronym:
            hits.append((90.0, self.by_acronym[tokens[0]]))
        top = max(score for score, _ in hits)
        if top <= 0:
            return 0.0, ""
        return top, self.names[min(i for score, i in hits if score == top)]


# --- results -> findings ----------------------------------------------------------------


# whose statements a rule hears when it does not say (speakers:): the court, the record it
# quotes, a document's own author; not a party's contention, the law or a precedent
DEFAULT_SPEAKERS = (("author", 1.0), ("court", 1.0), ("other", 1.0), ("record", 1.0))


def document_figures(facts: Sequence[Fact], value_of) -> list[tuple[float, Fact]]:
    """One figure per document, in document order: the value the document states most
    often, firmest first.  ``value_of(fact)`` gives a fact's number."""
    groups: dict[str, list[Fact]] = defaultdict(list)
    for f in facts:
        groups[f.document].append(f)
    reps: list[tuple[float, Fact]] = []
    for doc, fs in sorted(groups.items()):
        counts = Counter(round(value_of(f), 2) for f in fs)
        best = max(fs, key=lambda f: (counts[round(value_of(f), 2)], f.confidence, -f.page))
        reps.append((value_of(best), best))
    return reps


def compare_documents(facts: Sequence[Fact], value_of, threshold: float):
    """The one comparison of a quantity across documents (``spread`` conditions, the
    term sheet's conflicts): (figures, lowest, highest, spread) when the documents'
    own figures differ by more than ``threshold`` (a fraction), else None."""
    reps = document_figures(facts, value_of)
    if len(reps) < 2:
        return None
    lo = min(reps, key=lambda x: x[0])
    hi = max(reps, key=lambda x: x[0])
    if lo[0] <= 0:
        return None
    spread = hi[0] / lo[0] - 1
    if spread <= threshold:
        return None
    return reps, lo, hi, spread


def heard(rule: Rule, case: CaseView) -> CaseView:
    """The case as the rule hears it: asserted facts of the speakers it counts (their
    confidence times the rule's factor), and a party's contentions when it counts
    parties (a contention the court rejected is negated already and stays out)."""
    speakers = dict(rule.speakers or DEFAULT_SPEAKERS)
    if not rule.speakers:
        return case
    facts = []
    for f in case.facts:
        sp = f.get("speaker")
        if sp is None:
            facts.append(f)
            continue
        factor = speakers.get(sp)
        if f.status is Status.ASSERTED:
            if factor is None:
                continue
        elif f.status is Status.REPORTED and sp == "party" and factor is not None:
            f = replace(f, status=Status.ASSERTED)
        else:
            facts.append(f)
            continue
        facts.append(f if factor == 1.0 else replace(f, confidence=round(f.confidence * factor, 3)))
    return CaseView(case.id, case.documents, tuple(facts))


def evaluate_rule(rule: Rule, case: CaseView, parameters: dict[str, Any] | None = None) -> RuleOutcome:
    case = heard(rule, case)
    ev = Evaluator(rule, case, parameters)
    for req in rule.requires:
        if ev.unmet(req):
            return RuleOutcome(Check(rule.id, Outcome.INSUFFICIENT, req.reason), ())
    res = ev.eval(rule.conditions)
    if not res.ok:
        return RuleOutcome(Check(rule.id, Outcome.NOT_FIRED, ""), ())
    findings: list[Finding] = []
    if rule.findings == "per-item" and res.items:
        seen: set[str] = set()
        others_of: dict[str, list[Fact]] = {}  # the facts of other kinds, the same for every item of a kind
        for fact, values, extra in res.items:
            others = others_of.get(fact.kind)
            if others is None:
                others = others_of[fact.kind] = [f for f in res.facts if f.kind != fact.kind]
            finding = make_finding(rule, case, [fact] + extra + others, {**res.values, **values})
            if finding.fingerprint not in seen:
                seen.add(finding.fingerprint)
                findings.append(finding)
    else:
        findings.append(make_finding(rule, case, res.facts, res.values, lead=res.lead))
    return RuleOutcome(Check(rule.id, Outcome.FIRED, f"{len(findings)} finding(s)"), tuple(findings))


def make_finding(rule: Rule, case: CaseView, facts: Sequence[Fact], values: dict[str, Any], lead: int = 1) -> Finding:
    evidence = _pick_evidence(facts, lead)
    primary = [f for f in facts if f.kind not in ("document-title",)] or list(facts)
    confidence = _confidence(primary, rule) * float(values.get("__confidence_factor__", 1.0))
    severity = _severity(rule, case, primary)
    score = round(SEVERITY_POINTS[severity] * confidence, 1)
    first = evidence[0] if evidence else Evidence("", 0, "")
    fill = {
        "quote": _short(first.quote, trigger=_trigger_of(facts, first)),
        "document": first.document,
        "page": first.page,
        # the other attributes every fact has (the validator lets a message name them)
        **({"document_kind": case.kind_of(primary[0].document), "status": primary[0].status.value,
            "confidence": round(primary[0].confidence, 2)} if primary else {}),
        "count": len({(f.document, f.page, f.evidence[0].quote) for f in primary}),
        "title": rule.title,
        "rule_id": rule.id,
        "severity": severity.value,
        "documents": ", ".join(sorted({f.document for f in primary})),
        "case_documents": sum(1 for d in case.documents if d.error is None),
        **rule.parameters,
        **{k: rule.label(k, v) for k, v in values.items()},
    }
    message = _format(values.get("__message__") or rule.message, fill, rule.id)
    for ev in evidence:  # a JSON member has no page: cite it as renderers do, file.json#/pointer
        if ev.pointer:
            for page in (f", p.{ev.page}", f" p.{ev.page}", f" (p.{ev.page})"):
                message = message.replace(f"{ev.document}{page}", ev.cited)
    if first.row is not None and facts:
        message += _row_clause(facts[0])
    if facts:
        message += _SPOKEN_BY.get(facts[0].get("speaker"), "")
    return Finding(
        rule_id=rule.id,
        title=rule.title,
        severity=severity,
        score=score,
        confidence=round(confidence, 2),
        message=message,
        evidence=evidence,
        fingerprint=fingerprint(rule.id, first),
        case_id=case.id,
        legal_basis=rule.legal_basis,
    )


def _severity(rule: Rule, case: CaseView, facts: Sequence[Fact]) -> Severity:
    """The rule's severity, or that of its first ``severity_when`` entry every fact of the
    finding matches (of the entry's kind: the other facts are context)."""
    for kind, where, severity in rule.severity_when:
        mine = [f for f in facts if kind is None or f.kind == kind]
        if mine and all(_matches_where(case, f, where) for f in mine):
            return severity
    return rule.severity


def _row_clause(fact: Fact) -> str:
    """A finding on a register row names the row's procuring entity, supplier and amount."""
    parts = [f"{label} {fact.get(key)}" for key, label in (("entity", "entity"), ("supplier", "supplier"), ("amount", "amount"))
             if fact.get(key)]
    row = fact.get("row")
    if not parts:
        return ""
    return f" Register row {row}: " + ", ".join(parts) + "." if row is not None else " Register row: " + ", ".join(parts) + "."


# a finding says who stated what it rests on, when that is not the court or the author
_SPOKEN_BY = {
    "record": " (stated in the record the court quotes)",
    "party": " (contended by a party before the court; not a finding of the court)",
}


def fingerprint(rule_id: str, evidence: Evidence) -> str:
    """Stable across runs and machines: rule + document content hash + quote."""
    basis = "\x00".join((rule_id, evidence.sha256, " ".join(evidence.quote.split()).lower()))
    return hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]


def _pick_evidence(facts: Sequence[Fact], lead: int = 1) -> tuple[Evidence, ...]:
    """Up to MAX_EVIDENCE items: the leading facts (what the message is about) in
    their order, then the firmest fact of every other document, then further
    distinct pages, strongest first."""
    out: list[Evidence] = []
    seen: set[tuple[str, int, str]] = set()
    pages: set[tuple[str, int]] = set()
    docs: set[str] = set()
    lead = max(1, lead)
    for f in facts[:lead]:
        for ev in f.evidence[:3]:  # all of a leading fact's evidence (e.g. notice date and deadline)
            if (ev.document, ev.page, ev.quote) not in seen:
                seen.add((ev.document, ev.page, ev.quote))
                pages.add((ev.document, ev.page))
                docs.add(ev.document)
                out.append(ev)
    ordered = sorted(facts[lead:], key=lambda f: (f.kind == "document-title", -f.confidence, f.document, f.page))
    # pass 0: one per document; pass 1: one per page; pass 2: anything left
    for pass_ in (0, 1, 2):
        for f in ordered:
            ev = f.evidence[0]
            key = (ev.document, ev.page, ev.quote)
            if key in seen:
                continue
            if out and ((pass_ == 0 and ev.document in docs) or (pass_ == 1 and (ev.document, ev.page) in pages)):
                continue
            if len(out) >= MAX_EVIDENCE:
                return tuple(out)
            seen.add(key)
            pages.add((ev.document, ev.page))
            docs.add(ev.document)
            out.append(ev)
            # a sentence that runs onto the next page: keep its continuation with it
            for extra in f.evidence[1:2]:
                if len(out) < MAX_EVIDENCE and (extra.document, extra.page, extra.quote) not in seen:
                    seen.add((extra.document, extra.page, extra.quote))
                    out.append(extra)
    return tuple(out)


def _confidence(facts: Sequence[Fact], rule: Rule) -> float:
    """The firmest supporting fact, plus a little for corroboration in other documents."""
    if not facts:
        return 0.0
    best = max(f.confidence for f in facts)
    others = len({f.document for f in facts}) - 1
    return min(0.99, best + 0.03 * others)


def case_score(findings: Iterable[Finding]) -> float:
    """0-100: the chance-like combination (noisy-OR) of the findings' scores."""
    remaining = 1.0
    for f in findings:
        remaining *= 1.0 - min(f.score, 100.0) / 100.0
    return round(100.0 * (1.0 - remaining), 1)


def _describe(facts: Sequence[Fact], value: float, attr: str | None) -> str:
    from auditor import fx

    if attr == "usd":
        text = fx.format_money(value, "USD")
        if facts and facts[0].get("currency") and facts[0].get("currency") != "USD":
            text += f" ({facts[0].get('amount')})"
        elif facts and facts[0].get("amount"):
            text = str(facts[0].get("amount"))
        return text
    if attr == "value" and facts and facts[0].get("currency"):
        return fx.format_money(value, str(facts[0].get("currency")))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return f"{value:g}"


def _fx_notes(facts: Sequence[Fact]) -> str:
    notes = []
    for f in facts:
        cur = f.get("currency")
        if f.kind == "money" and cur and cur != "USD" and f.get("rate"):
            notes.append(f"{cur} at {f.get('rate'):g}/US$ ({f.get('rate_year')} average)")
    notes = sorted(set(notes))
    return ("; converted with " + ", ".join(notes)) if notes else ""


def _trigger_of(facts: Sequence[Fact], ev: Evidence) -> str:
    """The matched words of the fact that ``ev`` is the evidence of ("" if none)."""
    for f in facts:
        if ev in f.evidence:
            return str(f.get("trigger") or "")
    return ""


def _short(quote: str, limit: int = 160, trigger: str = "") -> str:
    """At most about ``limit`` characters of ``quote``, cut at word boundaries and
    kept around ``trigger`` (the words that make it a finding) when the quote
    holds it; "…" marks each cut."""
    if len(quote) <= limit:
        return quote
    at = quote.find(trigger) if trigger else -1
    if at < 0 and trigger:
        at = quote.lower().find(trigger.lower())
    end = at + len(trigger) if at >= 0 else 0
    lo = max(0, at - max(0, limit - len(trigger)) // 3) if at >= 0 else 0  # more after the trigger than before
    hi = min(len(quote), max(lo + limit, end))
    lo = max(0, min(lo, hi - limit))
    if at >= 0:
        lo = min(lo, at)
    if lo > 0:  # start on a word: never half a word, never inside the trigger
        space = quote.find(" ", lo - 1, at if at >= 0 else len(quote))
        lo = space + 1 if space >= 0 else lo
    if hi < len(quote):
        keep = max(end, lo + 40)
        space = quote.rfind(" ", keep, hi + 1)
        hi = space if space >= 0 else hi
    text = quote[lo:hi].strip()
    return ("… " if lo > 0 else "") + text + (" …" if hi < len(quote) else "")


class _Fill(dict):
    """The values of a message; a field nothing filled is a bug of the rule (the
    validator refuses names no condition can fill), never a silent "?" or "{...}"."""

    def __init__(self, values: dict[str, Any], rule_id: str) -> None:
        super().__init__(values)
        self.rule_id = rule_id

    def __missing__(self, key: str) -> str:
        raise InternalError(f"rule '{self.rule_id}': the message field '{{{key}}}' was not filled by any condition")


def _format(template: str, values: dict[str, Any], rule_id: str = "?") -> str:
    try:
        return " ".join(template.format_map(_Fill(values, rule_id)).split())
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise InternalError(f"rule '{rule_id}': the message cannot be formatted ({type(exc).__name__}: {exc})") from exc
