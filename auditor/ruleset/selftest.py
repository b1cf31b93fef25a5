"""Rule self-tests: ``<rule-id>.test.yaml`` beside each rule.

A test file lists texts (or small multi-document cases) that must make the rule
fire and texts that must not — negations and look-alikes above all:

    rule: waived-tendering
    fire:
      - text: The contract was awarded on single-source basis.
        contains: single-source          # the evidence quote must contain this
    silent:
      - text: No waiver of the Rules was sought.
      - documents:                       # a multi-document case
          - {name: summary.pdf, kind: summary, text: "..."}
          - {name: loan.pdf, kind: financing-agreement, text: "..."}

Texts go through the real extraction path (sentences, scope analysis, facts)
exactly as a PDF page would; a line ``=== page ===`` starts a new page.  A
document named ``*.json``/``*.jsonl`` is OCDS, read as a scan reads an OCDS file
(Cardinal's indicators with their default settings, over the case's processes).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from auditor.errors import Problem, RuleFileError
from auditor.extract.doctype import KINDS as DOCUMENT_KINDS
from auditor.models import DocumentInfo, Page
from auditor.ruleset.schema import Rule, _Checker, _compose

MIN_CASES_STABLE = 4
_PAGE_BREAK = re.compile(r"^\s*===\s*page\s*===\s*$", re.M | re.I)


@dataclass(frozen=True)
class TestDocument:
    name: str
    text: str
    kind: str | None = None


@dataclass(frozen=True)
class TestCase:
    rule_id: str
    expect: str  # fire | silent
    index: int
    documents: tuple[TestDocument, ...]
    contains: str | None = None
    line: int = 0

    @property
    def label(self) -> str:
        first = self.documents[0].text.strip().replace("\n", " ")
        return (first[:70] + "…") if len(first) > 70 else first


def _parse(path: Path, rule_id: str | None) -> tuple[list[TestCase], list[Problem], str | None]:
    checker = _Checker(str(path))
    node = _compose(path, checker)
    cases: list[TestCase] = []
    if node is None:
        return cases, checker.problems, None
    m = checker.mapping(node, {"rule": True, "fire": False, "silent": False}, "test file")
    if m is None:
        return cases, checker.problems, None
    declared = checker.string(m["rule"], "rule") if "rule" in m else None
    if rule_id and declared and declared != rule_id:
        checker.err(m["rule"], f"test file names rule '{declared}' but sits beside '{rule_id}'")
    for expect in ("fire", "silent"):
        if expect not in m:
            continue
        seq = m[expect]
        if not isinstance(seq, yaml.SequenceNode):
            checker.err(seq, f"'{expect}' must be a list of test cases")
            continue
        for i, item in enumerate(seq.value):
            cm = checker.mapping(item, {"text": False, "documents": False, "contains": False, "kind": False, "name": False}, f"{expect}[{i}]")
            if cm is None:
                continue
            docs: list[TestDocument] = []
            if ("text" in cm) == ("documents" in cm):
                checker.err(item, f"{expect}[{i}] needs exactly one of 'text' or 'documents'")
                continue
            if "text" in cm:
                text = checker.string(cm["text"], f"{expect}[{i}].text")
                kind = checker.enum(cm["kind"], DOCUMENT_KINDS, f"{expect}[{i}].kind") if "kind" in cm else None
                name = checker.string(cm["name"], f"{expect}[{i}].name") if "name" in cm else "test.pdf"
                if text:
                    docs.append(TestDocument(name or "test.pdf", text, kind))
            else:
                dnode = cm["documents"]
                if not isinstance(dnode, yaml.SequenceNode) or not dnode.value:
                    checker.err(dnode, f"{expect}[{i}].documents must be a non-empty list")
                    continue
                for j, d in enumerate(dnode.value):
                    dm = checker.mapping(d, {"name": True, "text": True, "kind": False}, f"{expect}[{i}].documents[{j}]")
                    if dm is None or "name" not in dm or "text" not in dm:
                        continue
                    kind = checker.enum(dm["kind"], DOCUMENT_KINDS, f"{expect}[{i}].documents[{j}].kind") if "kind" in dm else None
                    name, text = checker.string(dm["name"], "name"), checker.string(dm["text"], "text")
                    if name and text:
                        docs.append(TestDocument(name, text, kind))
            contains = checker.string(cm["contains"], f"{expect}[{i}].contains") if "contains" in cm else None
            if contains and expect == "silent":
                checker.err(cm["contains"], "'contains' only makes sense for cases that must fire")
            if docs:
                cases.append(TestCase(declared or rule_id or "", expect, i, tuple(docs), contains, item.start_mark.line + 1))
    return cases, checker.problems, declared


def load_tests(rule: Rule) -> list[TestCase]:
    if not rule.test_file:
        return []
    cases, problems, _ = _parse(Path(rule.test_file), rule.id)
    if problems:
        raise RuleFileError(problems)
    return cases


def lint_tests(directory: Path, rules: list[Rule]) -> list[Problem]:
    """Problems with the tests of a rule directory: malformed test files, orphan
    test files, and stable rules without enough tests."""
    problems: list[Problem] = []
    by_id = {r.id: r for r in rules}
    for test_path in sorted(directory.glob("*.test.yaml")):
        rid = test_path.name[: -len(".test.yaml")]
        cases, probs, _ = _parse(test_path, rid)
        problems.extend(probs)
        if rid not in by_id and not any(p.file == str(directory / f"{rid}.yaml") for p in problems):
            if not (directory / f"{rid}.yaml").exists():
                problems.append(Problem(str(test_path), 1, 1, f"test file for unknown rule '{rid}'", f"create {rid}.yaml or rename the test file"))
            continue
        rule = by_id.get(rid)
        if rule is not None and rule.status == "stable":
            n_fire = sum(1 for c in cases if c.expect == "fire")
            n_silent = sum(1 for c in cases if c.expect == "silent")
            if n_fire < MIN_CASES_STABLE or n_silent < MIN_CASES_STABLE:
                problems.append(Problem(str(test_path), 1, 1,
                                        f"stable rule '{rid}' needs at least {MIN_CASES_STABLE} 'fire' and {MIN_CASES_STABLE} 'silent' cases (has {n_fire} and {n_silent})",
                                        "add cases or mark the rule experimental"))
    for rule in rules:
        if rule.status == "stable" and not rule.test_file:
            problems.append(Problem(rule.source, 1, 1, f"stable rule '{rule.id}' has no tests",
                                    f"add {rule.id}.test.yaml beside it, or set status: experimental"))
    return problems


def case_facts(case: TestCase, settings=None, pack=None):
    """Run a test case's texts through extraction (with a pack's extraction
    settings and fact patterns, None: the default): (documents, facts)."""
    from auditor.extract.facts import analyse

    from auditor.ocds.read import is_ocds_name

    infos: list[DocumentInfo] = []
    facts = []
    ocds_docs = [d for d in case.documents if is_ocds_name(d.name)]
    for doc in case.documents:
        if doc in ocds_docs:
            continue
        parts = _PAGE_BREAK.split(doc.text)
        pages = [Page(i + 1, part) for i, part in enumerate(parts)]
        digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()
        analysis = analyse(doc.name, digest, pages, kind=doc.kind, settings=settings, pack=pack)
        infos.append(DocumentInfo(path=doc.name, sha256=digest, pages=len(pages), kind=doc.kind or analysis.kind, year=analysis.year))
        facts.extend(analysis.facts)
    if ocds_docs:  # OCDS documents (name: x.jsonl): read as a scan reads them, Cardinal's defaults
        from auditor.ocds.scan import results_of_texts

        kinds = {i.kind for i in infos} if infos else None  # the other documents, as a case's PDFs
        for r in results_of_texts([(d.name, d.text) for d in ocds_docs], pack=pack, settings=settings, pdf_kinds=kinds):
            infos.append(r.info)
            facts.extend(r.facts)
    return tuple(infos), tuple(facts)


def run_case(rule: Rule, case: TestCase, settings=None) -> tuple[bool, str]:
    from auditor.models import Outcome
    from auditor.ruleset.engine import CaseView, evaluate_rule

    from auditor.extract import patterns

    # the fact patterns of the rule's own pack (its patterns/ folder) on top of the built-in ones
    pack = patterns.load(patterns.pack_dirs([Path(rule.source).parent])) if rule.source else None
    infos, facts = case_facts(case, settings, pack)
    outcome = evaluate_rule(rule, CaseView("test", infos, facts))
    fired = outcome.check.outcome is Outcome.FIRED
    if case.expect == "fire":
        if not fired:
            return False, f"did not fire ({outcome.check.outcome.value}{': ' + outcome.check.reason if outcome.check.reason else ''})"
        if case.contains:
            quotes = [e.quote for f in outcome.findings for e in f.evidence]
            if not any(case.contains.lower() in q.lower() for q in quotes):
                return False, f"fired, but no evidence quote contains {case.contains!r}: {quotes}"
        return True, "fired"
    if fired:
        return False, "fired: " + " | ".join(f.message for f in outcome.findings)
    return True, outcome.check.outcome.value
