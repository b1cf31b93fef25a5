"""Jurisdiction packs: a rule directory with a ``pack.yaml`` manifest.

    name: kenya                      # slug
    description: Kenya: Public Procurement and Disposal Act ...
    extends: [builtin]               # packs loaded before this one (builtin = the built-in rules)
    settings:                        # extraction settings (auditor.settings.ExtractionSettings)
      country: KE
      currency_aliases: {KSh: KES}
      international_markers: ['\\binternational\\s+open\\s+tender']
      scope_markers: {small-value: ['\\bsmall\\s+value\\b']}
      default_scope: national

A pack's rule files are whole rules or partial overrides (``extends: ID``, see
``schema._Checker.override``).  A pack is named by its directory name under the
shipped ``packs/`` (``kenya``), ``builtin``, or a path (relative to the file that
names it).  Packs load in order: each one's ``extends`` first (once each), then
the pack; later rules replace earlier ones of the same id, later settings
override earlier ones.

A case folder may hold ``case.yaml`` (``pack: kenya``): that pack applies on top
of the run's rules for that case only.
"""

from __future__ import annotations

from auditor.ruleset.pattern_schema import PACK_FILE_SCHEMA, keys

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Sequence

from auditor.errors import Problem, RuleFileError, UsageError
from auditor.ruleset.schema import SLUG, COUNTRY, Rule, _Checker, _compose, _suggest, builtin_rules_dir, load_rules
from auditor.settings import DEFAULT, ExtractionSettings

BUILTIN = "builtin"
MANIFEST = "pack.yaml"
CASE_FILE = "case.yaml"
PACK_KEYS = keys(PACK_FILE_SCHEMA)  # the format lives in pattern_schema (the JSON Schema too)
SETTINGS_KEYS = {"country": False, "currency_aliases": False, "international_markers": False,
                 "scope_markers": False, "default_scope": False}
CASE_KEYS = {"pack": False, "name": False, "documents": False, "ocids": False}
CURRENCY = re.compile(r"^[A-Z]{3}$")


def shipped_packs_dir() -> Path:
    """The jurisdiction packs: inside the installed package, or the source tree's packs/."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "packs"
    if packaged.is_dir():
        return packaged
    return here.parent / "packs"


def shipped_packs() -> list[str]:
    root = shipped_packs_dir()
    return sorted(p.name for p in root.iterdir() if (p / MANIFEST).is_file()) if root.is_dir() else []


def resolve_pack(ref: str, relative_to: Path) -> Path | None:
    """The directory a pack reference names, or None."""
    if ref == BUILTIN:
        return builtin_rules_dir()
    if SLUG.match(ref):
        shipped = shipped_packs_dir() / ref
        if (shipped / MANIFEST).is_file():
            return shipped
    candidate = relative_to / ref
    return candidate if candidate.is_dir() else None


@dataclass(frozen=True)
class Manifest:
    name: str
    description: str
    directory: Path
    extends: tuple[Path, ...] = ()
    settings: dict[str, Any] = field(default_factory=dict)


def read_manifest(directory: Path, problems: list[Problem]) -> Manifest | None:
    """The pack.yaml of a directory (None if it has none).  Its problems go to
    ``problems``; what could be read of it is returned even then, so that the
    packs it extends still load and its rules are checked against them."""
    path = directory / MANIFEST
    if not path.is_file():
        return None
    checker = _Checker(str(path))
    node = _compose(path, checker)
    manifest = _manifest(checker, node, directory) if node is not None else None
    problems.extend(checker.problems)
    return manifest


def _manifest(c: _Checker, node: Any, directory: Path) -> Manifest | None:
    import yaml

    m = c.mapping(node, PACK_KEYS, "pack")
    if m is None:
        return None
    name = c.string(m["name"], "name") if "name" in m else None
    if name and not SLUG.match(name):
        c.err(m["name"], f"name '{name}' must be a lower-case slug (letters, digits, '-')")
    description = c.string(m["description"], "description") if "description" in m else None
    extends: list[Path] = []
    if "extends" in m:
        enode = m["extends"]
        items = enode.value if isinstance(enode, yaml.SequenceNode) else None
        if items is None:
            c.err(enode, "extends must be a list of pack names", f"extends: [{BUILTIN}]")
            items = []
        for item in items:
            ref = c.string(item, "extends[]")
            if not ref:
                continue
            target = resolve_pack(ref, directory)
            if target is None:
                c.err(item, f"extends: unknown pack '{ref}'",
                      _suggest(ref, [BUILTIN, *shipped_packs()]) or f"packs: {', '.join([BUILTIN, *shipped_packs()])}, or a directory")
            elif target.resolve() == directory.resolve():
                c.err(item, "extends: a pack cannot extend itself")
            else:
                extends.append(target)
    settings = _settings(c, m["settings"]) if "settings" in m else {}
    if name is None or description is None:
        return None
    return Manifest(name, description.strip(), directory, tuple(extends), settings)


def _settings(c: _Checker, node: Any) -> dict[str, Any]:
    import yaml

    m = c.mapping(node, SETTINGS_KEYS, "settings")
    if m is None:
        return {}
    out: dict[str, Any] = {}
    if "country" in m:
        country = c.string(m["country"], "settings.country")
        if country and not COUNTRY.match(country):
            c.err(m["country"], "settings.country must be an ISO 3166 alpha-2 country code", "e.g. PK, KE, PH")
        elif country:
            out["country"] = country
    if "currency_aliases" in m:
        anode = m["currency_aliases"]
        if not isinstance(anode, yaml.MappingNode):
            c.err(anode, "settings.currency_aliases must be a mapping of token: ISO 4217 code", "{KSh: KES}")
        else:
            aliases: dict[str, str] = {}
            for knode, vnode in anode.value:
                token = c.string(knode, "settings.currency_aliases key")
                code = c.string(vnode, f"settings.currency_aliases.{token}")
                if not token or not code:
                    continue
                if not CURRENCY.match(code):
                    c.err(vnode, f"settings.currency_aliases.{token}: '{code}' is not an ISO 4217 code (three capitals)")
                    continue
                if not _known_token(token):
                    c.err(knode, f"settings.currency_aliases: the money parser does not read '{token}' as a currency",
                          "alias a token it reads (Rs, $, P, KSh, Shillings, Pesos...): see auditor/extract/money.py")
                    continue
                aliases[token] = code
            out["currency_aliases"] = aliases
    for key in ("international_markers",):
        if key in m:
            out[key] = _markers(c, m[key], f"settings.{key}")
    if "scope_markers" in m:
        snode = m["scope_markers"]
        if not isinstance(snode, yaml.MappingNode):
            c.err(snode, "settings.scope_markers must be a mapping of scope: [regular expressions]")
        else:
            scopes: dict[str, tuple[str, ...]] = {}
            for knode, vnode in snode.value:
                scope = c.string(knode, "settings.scope_markers key")
                if scope and not SLUG.match(scope):
                    c.err(knode, f"settings.scope_markers: scope '{scope}' must be a lower-case slug")
                elif scope in ("international", "national"):
                    c.err(knode, f"settings.scope_markers: '{scope}' is built in",
                          "use international_markers, or default_scope for national")
                elif scope:
                    scopes[scope] = _markers(c, vnode, f"settings.scope_markers.{scope}")
            out["scope_markers"] = scopes
    if "default_scope" in m:
        scope = c.string(m["default_scope"], "settings.default_scope")
        if scope and not SLUG.match(scope):
            c.err(m["default_scope"], f"settings.default_scope '{scope}' must be a lower-case slug")
        elif scope:
            out["default_scope"] = scope
    return out


def _markers(c: _Checker, node: Any, what: str) -> tuple[str, ...]:
    import yaml

    if not isinstance(node, yaml.SequenceNode) or not node.value:
        c.err(node, f"{what} must be a non-empty list of regular expressions")
        return ()
    out = []
    for item in node.value:
        text = c.string(item, f"{what}[]")
        if not text:
            continue
        try:
            re.compile(text, re.I)
        except re.error as exc:
            c.err(item, f"{what}: bad regular expression ({exc})")
            continue
        out.append(text)
    return tuple(out)


def _known_token(token: str) -> bool:
    from auditor.extract.money import _currency_code

    try:
        _currency_code(token)
    except ValueError:
        return False
    return True


# --- a run's rule set ---------------------------------------------------------------


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    settings: ExtractionSettings = DEFAULT
    notes: tuple[str, ...] = ()  # warnings, said once on stderr and in the report's notes
    directories: tuple[Path, ...] = ()
    packs: tuple[str, ...] = ()  # names of the packs loaded (manifests), in order


def expand(directories: Iterable[Path], problems: list[Problem]) -> tuple[list[Path], dict[Path, Manifest]]:
    """The directories in load order: each pack's ``extends`` first, each directory once."""
    order: list[Path] = []
    manifests: dict[Path, Manifest] = {}
    seen: set[Path] = set()
    visiting: set[Path] = set()

    def visit(directory: Path) -> None:
        key = directory.resolve()
        if key in seen:
            return
        if key in visiting:
            problems.append(Problem(str(directory / MANIFEST), 1, 1, "packs extend each other in a cycle"))
            return
        visiting.add(key)
        manifest = read_manifest(directory, problems) if directory.is_dir() else None
        if manifest is not None:
            for parent in manifest.extends:
                visit(parent)
            manifests[directory] = manifest
        visiting.discard(key)
        seen.add(key)
        order.append(directory)

    for d in directories:
        visit(Path(d))
    return order, manifests


def load_rule_set(directories: Sequence[Path], *, collect: bool = False,
                  cache_dir: Path | None = None) -> tuple[RuleSet, list[Problem]]:
    """The rules and extraction settings of these directories (packs expanded).
    Raises RuleFileError with every problem unless ``collect``."""
    problems: list[Problem] = []
    order, manifests = expand(directories, problems)
    rules, rule_problems = load_rules(order, collect=True, cache_dir=None if problems else cache_dir)
    problems += rule_problems
    if problems and not collect:
        raise RuleFileError(problems)
    settings = DEFAULT
    chain_country: str | None = None
    for d in order:
        man = manifests.get(d)
        if man is not None and man.settings:
            settings = settings.updated(man.settings)
            chain_country = man.settings.get("country", chain_country)
    notes = foreign_reference_warnings(rules, manifests, chain_country)
    return RuleSet(tuple(rules), settings, notes, tuple(order), tuple(m.name for m in manifests.values())), problems


def foreign_reference_warnings(rules: Iterable[Rule], manifests: dict[Path, Manifest],
                               country: str | None) -> tuple[str, ...]:
    """An override that changes a rule's parameters but keeps the references of the
    rule it extends, when those cite another country's law than the pack's (or the
    pack says no country at all)."""
    by_dir = {d.resolve(): m for d, m in manifests.items()}
    notes = []
    for rule in rules:
        if rule.extends is None or "parameters" not in rule.overridden or "references" in rule.overridden:
            continue
        man = by_dir.get(Path(rule.source).resolve().parent)
        own = (man.settings.get("country") if man is not None else None) or country
        foreign = sorted({r.jurisdiction for r in rule.references if r.jurisdiction and r.jurisdiction != own})
        if not foreign:
            continue
        whose = f"the pack's country is {own}" if own else "the pack sets no settings.country"
        notes.append(
            f"warning: {rule.source}: '{rule.id}' changes the parameters of '{rule.extends}' but keeps its "
            f"references, which cite {'/'.join(foreign)} law ({rule.references[0].line}); {whose} — "
            f"give the override its own 'references'")
    return tuple(notes)


# --- case.yaml -------------------------------------------------------------------------


@dataclass(frozen=True)
class CaseFile:
    """What a case folder's case.yaml says: the case's name (its id in the
    reports), its pack, and the file names of the documents that belong together
    (empty: every document of the folder), and the OCDS contracting processes of the
    case (empty: every process of its OCDS files)."""

    name: str | None = None
    pack: Path | None = None
    documents: tuple[str, ...] = ()
    ocids: tuple[str, ...] = ()


def read_case_file(case_dir: Path) -> CaseFile:
    """The case.yaml of a folder (an empty CaseFile without one).  An invalid
    case.yaml raises RuleFileError; an unknown pack, UsageError."""
    from auditor.yamlcheck import yaml

    path = case_dir / CASE_FILE
    if not path.is_file():
        return CaseFile()
    checker = _Checker(str(path))
    node = _compose(path, checker)
    m = checker.mapping(node, CASE_KEYS, "case") if node is not None else None
    m = m or {}
    ref = checker.string(m["pack"], "pack") if "pack" in m else None
    name = checker.string(m["name"], "name") if "name" in m else None
    if name is not None and (name.strip() != name or name in (".", "..") or "\\" in name):
        checker.err(m["name"], f"name: '{name}' is not a usable case name (no surrounding spaces, not '.' or '..')")
        name = None
    documents: list[str] = []
    for item, doc in _string_list(checker, m, "documents", "file names in the case folder"):
        if "/" in doc or "\\" in doc or doc.startswith("."):
            checker.err(item, f"documents: '{doc}' must be a file name in the case folder, not a path")
        elif not (case_dir / doc).is_file():
            checker.err(item, f"documents: '{doc}' is not a file in {case_dir.name}/",
                        _suggest(doc, sorted(p.name for p in case_dir.iterdir() if p.is_file())))
        else:
            documents.append(doc)
    ocids = list(dict.fromkeys(o.strip() for _, o in
                               _string_list(checker, m, "ocids", "OCDS contracting process ids (ocid)")))
    if checker.problems:
        raise RuleFileError(checker.problems)
    target = resolve_pack(ref, case_dir) if ref else None
    if ref and target is None:
        mark = m["pack"].start_mark
        hint = _suggest(ref or "", shipped_packs()) or (
            f"shipped packs: {', '.join(shipped_packs()) or 'none'}; or a directory relative to the case folder")
        raise UsageError(f"{path}:{mark.line + 1}:{mark.column + 1}: unknown pack '{ref}' (hint: {hint})")
    return CaseFile(name=name, pack=target, documents=tuple(documents), ocids=tuple(ocids))


def _string_list(checker: _Checker, m: dict, key: str, of_what: str) -> list[tuple[Any, str]]:
    """The strings of the non-empty list ``m[key]`` (absent: none), each with its node."""
    from auditor.yamlcheck import yaml

    if key not in m:
        return []
    seq = m[key]
    if not isinstance(seq, yaml.SequenceNode) or not seq.value:
        checker.err(seq, f"{key} must be a non-empty list of {of_what}")
        return []
    return [(item, v) for item in seq.value if (v := checker.string(item, f"{key}[]")) is not None]


def read_case_pack(case_dir: Path) -> Path | None:
    """The pack directory a case folder's case.yaml names, or None."""
    return read_case_file(case_dir).pack


def with_case_packs(discovery, base_dirs: Sequence[Path], base: RuleSet, cache_dir: Path | None = None):
    """The discovery with each case's rules and settings: the run's, or, for a case
    with a case.yaml, the run's directories plus that pack.  Returns
    (discovery, notes) — the notes of every rule set used, each once."""
    loaded: dict[Path, RuleSet] = {}
    notes: list[str] = list(base.notes)
    cases = []  # the pipeline's CaseSpec, each with its rules and settings
    for spec in discovery.cases:
        rule_set = base
        if spec.pack is not None:
            key = spec.pack.resolve()
            if key not in loaded:
                loaded[key], _ = load_rule_set([*base_dirs, spec.pack], cache_dir=cache_dir)
                notes.extend(n for n in loaded[key].notes if n not in notes)
            rule_set = loaded[key]
        docs = spec.documents
        if rule_set.settings != DEFAULT or any(t.settings != rule_set.settings for t in docs):
            docs = tuple(replace(t, settings=rule_set.settings) for t in docs)
        cases.append(replace(spec, documents=docs, rules=rule_set.rules if spec.pack is not None else None))
    return replace(discovery, cases=cases, skipped=list(discovery.skipped)), tuple(notes)
