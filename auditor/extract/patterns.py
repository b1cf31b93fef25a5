"""Fact patterns, loaded from a rule pack's ``patterns/*.yaml`` files.

The phrasing through which documents state each kind of fact is data of the
rule pack, not Python: a *pattern set* file declares the fact kinds it yields
(with their attributes and the values those may take), the anchor words that
make a sentence worth trying, and its *triggers* — regular expressions over one
sentence written with macros (``{RULES}``, ``{TENDER}``, ``{g6}`` = a gap of up
to six words), with the attributes a match sets, the context it requires or
excludes, and how scope analysis should read it.  Python keeps the parsers
(scope, money, dates, names, tables) and the engine that runs the triggers.

A trigger only *proposes* a fact; scope analysis (scope.py) then decides whether
the sentence asserts, negates, hypothesises or reports it.  Negation words that
belong to the trigger's own meaning ("tenders were *not* invited") sit in named
groups ``neg``, ``neg2``...; named groups that are attributes of the kind
(``vendor``, ``factor``, ``percent``) fill those attributes.

Validation is as strict as for rule files: unknown keys, unknown macros, a
pattern that does not compile, an attribute value the kind does not declare —
every problem of every file is reported at once as ``file:line:col: message``.

Packs layer: the built-in pack's ``patterns/`` come first; a ``--rules DIR``
pack's pattern files add sets, add triggers to a set of the same name, or
replace a trigger of the same id.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from auditor.errors import Problem, RuleFileError
from auditor.ruleset import pattern_schema as PS

SLUG = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")
MACRO_NAME = re.compile(r"^[A-Z][A-Z0-9_]*$")
_MACRO_REF = re.compile(r"\{([A-Za-z_]\w*)\}")
GAP = {f"g{n}": rf"(?:\W+\w+){{0,{n}}}?\W+" for n in range(1, 13)}  # {g6}: up to six words

# key -> required, for each mapping of a pattern file: from the tables of
# auditor.ruleset.pattern_schema, the one source of the format (the JSON Schema too)
SET_KEYS = PS.keys(PS.PATTERN_FILE_SCHEMA)
KIND_KEYS = PS.keys(PS.KIND_SCHEMA)
ATTR_KEYS = PS.keys(PS.ATTRIBUTE_SCHEMA)
ATTR_TYPES = PS.ATTRIBUTE_TYPES
TRIGGER_KEYS = PS.keys(PS.TRIGGER_SCHEMA)
POLARITIES = PS.POLARITIES
RELEVANCE = PS.RELEVANCES
MACROS_FILE = "macros.yaml"
RELEVANCE_FILE = "relevance.yaml"
LANGUAGE_FILE = "language.yaml"
RELEVANCE_KEYS = PS.keys(PS.RELEVANCE_FILE_SCHEMA)
SUBJECT_KEYS = PS.keys(PS.RELEVANCE_FILE_SCHEMA["subject"][1])
SENSE_KEYS = PS.keys(PS.RELEVANCE_FILE_SCHEMA["senses"][1][1])


@dataclass(frozen=True)
class Relevance:
    """What makes a statement be about procurement (see rules/patterns/relevance.yaml)."""

    subject: re.Pattern[str] | None = None
    min_sentences: int = 0
    procurement: frozenset[str] = frozenset()
    other: frozenset[str] = frozenset()
    senses: tuple[tuple[str, re.Pattern[str], int], ...] = ()  # word, other-sense cue, minimum mentions


@dataclass(frozen=True)
class AttrSpec:
    values: tuple[str, ...] = ()  # empty: free-form
    labels: tuple[tuple[str, str], ...] = ()
    type: str = "string"
    when: re.Pattern[str] | None = None  # a bool attribute that is true when the sentence matches


@dataclass(frozen=True)
class KindSpec:
    name: str
    description: str
    attributes: tuple[tuple[str, AttrSpec], ...] = ()
    require_attr: str | None = None  # a fact of this kind needs this attribute (e.g. the vendor)

    def attr(self, name: str) -> AttrSpec | None:
        return dict(self.attributes).get(name)


@dataclass(frozen=True)
class Trigger:
    name: str
    kind: str
    regex: re.Pattern[str]
    confidence: float
    attrs: tuple[tuple[str, Any], ...] = ()
    require: tuple[re.Pattern[str], ...] = ()  # the context must also match all of these
    exclude: re.Pattern[str] | None = None  # ... and the sentence must not match this
    keys: tuple[str, ...] = ()  # lower-case substrings one of which every match contains (a cheap pre-check)
    request: bool = False  # the fact is itself a request/directive ("should be kept low profile")
    polarity: str = "positive"  # negative: the fact holds when the matched event is negated
    relevance: str = "any"  # procurement: the clause's object must be a procurement object
    source: str = ""  # file:line of its definition


@dataclass(frozen=True)
class Family:
    name: str
    anchors: re.Pattern[str]
    triggers: tuple[Trigger, ...] = field(default_factory=tuple)


class PatternPack:
    """Every pattern set of the packs in use, compiled, with the one-pass anchor search."""

    def __init__(self, families: tuple[Family, ...], kinds: dict[str, KindSpec], numbers: dict[str, float],
                 digest: str, relevance: Relevance | None = None,
                 cues: dict[str, re.Pattern[str]] | None = None):
        self.relevance = relevance or Relevance()
        self.cues = cues or {}  # the parsers' cues by name (patterns/language.yaml)
        self.families = families
        self.kinds = kinds
        self.numbers = numbers
        self.digest = digest  # of the pattern files (digest_of)
        # One pass finds every family's anchor words: the union of all anchors, matched at
        # word starts in the lower-cased text (about 10x faster than a search per family).
        self.anchor_union = re.compile(
            r"\b(?:" + "|".join(f"(?:{_lower_literals(f.anchors.pattern)})" for f in families) + ")"
        ) if families else re.compile(r"(?!)")
        self._order = {f.name: i for i, f in enumerate(families)}
        self.families_for = functools.lru_cache(maxsize=4096)(self._families_for)

    def _families_for(self, word: str) -> tuple[Family, ...]:
        return tuple(f for f in self.families if f.anchors.match(word))

    def order(self, family: Family) -> int:
        return self._order[family.name]

    def label(self, attr: str, value: Any) -> Any:
        if isinstance(value, str):
            for spec in self.kinds.values():
                a = spec.attr(attr)
                if a is not None and a.labels:
                    got = dict(a.labels).get(value)
                    if got is not None:
                        return got
        return value


def _lower_literals(pattern: str) -> str:
    """Lower-case a pattern's literal letters (not escapes such as \\S or \\W)."""
    return re.sub(r"(?<!\\)[A-Z]", lambda m: m.group().lower(), pattern)


def builtin_patterns_dir() -> Path:
    from auditor.yamlcheck import builtin_rules_dir

    return builtin_rules_dir() / "patterns"


def pattern_files(directory: Path) -> list[Path]:
    """A pack's pattern files: ``DIR/patterns/*.yaml`` (or DIR itself when it is a patterns folder)."""
    d = directory if directory.name == "patterns" else directory / "patterns"
    if not d.is_dir():
        return []
    return sorted(p for p in d.glob("*.yaml") if not p.name.endswith(".test.yaml"))


def pack_dirs(extra: Iterable[Path] = (), builtin: bool = True) -> tuple[Path, ...]:
    dirs = [builtin_patterns_dir()] if builtin else []
    for d in extra:
        d = Path(d)
        p = d if d.name == "patterns" else d / "patterns"
        if p.is_dir() and p not in dirs:
            dirs.append(p)
    return tuple(dirs)


def digest_of(dirs: Iterable[Path]) -> str:
    """Content hash of every pattern file in use (part of the document cache key)."""
    h = hashlib.sha256()
    for d in dirs:
        for p in pattern_files(Path(d)):
            h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


@functools.lru_cache(maxsize=8)
def load(dirs: tuple[Path, ...] | None = None) -> PatternPack:
    """The compiled patterns of the given pattern folders (default: the built-in pack).
    Raises RuleFileError with every problem found."""
    dirs = pack_dirs() if dirs is None else dirs
    pack, problems = _load(dirs)
    if problems:
        raise RuleFileError(problems)
    return pack


def validate(dirs: tuple[Path, ...]) -> list[Problem]:
    return _load(dirs)[1]


# --- loading and validation -----------------------------------------------------------


def _load(dirs: tuple[Path, ...]) -> tuple[PatternPack, list[Problem]]:
    from auditor.yamlcheck import Checker as _Checker, compose as _compose, yaml

    checkers: list = []
    cues: dict[str, re.Pattern[str]] = {}
    relevance: Relevance | None = None
    macros: dict[str, str] = {}
    set_docs: list[tuple[Any, dict, Path]] = []
    for d in dirs:
        for path in pattern_files(Path(d)):
            checker = _Checker(str(path))
            checkers.append(checker)
            root = _compose(path, checker)
            if root is None:
                continue
            if path.name == LANGUAGE_FILE:
                cues.update(_cues(checker, root))
                continue
            if path.name == RELEVANCE_FILE:
                relevance = _relevance(checker, root, macros) or relevance
                continue
            if path.name == MACROS_FILE:
                m = checker.mapping(root, PS.keys(PS.MACROS_FILE_SCHEMA), "macros file")
                if m and "macros" in m:
                    macros.update(_macros(checker, m["macros"]))
                continue
            top = checker.mapping(root, SET_KEYS, "pattern set")
            if top is not None:
                set_docs.append((checker, top, path))

    kinds: dict[str, KindSpec] = {}
    numbers: dict[str, float] = {}
    families: dict[str, dict[str, Any]] = {}  # name -> {"anchors": [...], "triggers": {id: Trigger}}
    # kinds first: a trigger may yield a kind declared by another set
    for checker, top, path in set_docs:
        local = dict(macros)
        if "macros" in top:
            local.update(_macros(checker, top["macros"]))
        if "kinds" in top:
            for name, spec in _kinds(checker, top["kinds"], local).items():
                kinds[name] = spec
        if "numbers" in top:
            raw = checker.value(top["numbers"])
            if not isinstance(raw, dict):
                checker.err(top["numbers"], "numbers must be a mapping of word: value")
                raw = {}
            for k, v in raw.items():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    numbers[str(k).lower()] = float(v)
                else:
                    checker.err(top["numbers"], f"numbers: value of '{k}' must be a number")
    seen_ids: dict[str, str] = {}
    for checker, top, path in set_docs:
        name = checker.string(top["set"], "set") if "set" in top else None
        if name is not None and not SLUG.match(name):
            checker.err(top["set"], f"set name '{name}' must be a lower-case slug (e.g. 'tendering')")
        name = name or path.stem
        local = dict(macros)
        if "macros" in top:
            local.update(_macros(checker, top["macros"]))
        fam = families.setdefault(name, {"anchors": [], "triggers": {}})
        if "anchors" in top:
            text = checker.string(top["anchors"], "anchors")
            anchors = _compile(checker, top["anchors"], text, local, "anchors") if text else None
            if anchors is not None:
                fam["anchors"].append(anchors.pattern)
        tnode = top.get("triggers")
        if tnode is None:
            continue
        if not isinstance(tnode, yaml.SequenceNode):
            checker.err(tnode, "triggers must be a list")
            continue
        for item in tnode.value:
            trig = _trigger(checker, item, local, kinds, path)
            if trig is None:
                continue
            if trig.name in seen_ids and seen_ids[trig.name] != name:
                checker.err(item, f"trigger id '{trig.name}' is already defined in set '{seen_ids[trig.name]}'",
                            "trigger ids are unique in a pack; use the same set name to replace it")
                continue
            seen_ids[trig.name] = name
            fam["triggers"][trig.name] = trig  # the same id in a later pack replaces it
    problems = [p for c in checkers for p in c.problems]
    if set_docs and dirs:
        missing = [n for n in PS.CUE_NAMES if n not in cues]
        if missing:
            problems.append(Problem(str(Path(dirs[0]) / LANGUAGE_FILE), 1, 1,
                                    f"the parsers' cues are missing: {', '.join(missing)}",
                                    "the built-in pack's patterns/language.yaml defines them all"))

    built = tuple(
        Family(n, re.compile("|".join(f"(?:{a})" for a in f["anchors"]) or r"(?!)", re.I), tuple(f["triggers"].values()))
        for n, f in families.items()
    )
    return PatternPack(built, kinds, numbers, digest_of(dirs), relevance, cues), problems


def _cues(checker, root) -> dict[str, re.Pattern[str]]:
    out: dict[str, re.Pattern[str]] = {}
    m = checker.mapping(root, PS.keys(PS.LANGUAGE_FILE_SCHEMA), "language file")
    if not m or "cues" not in m:
        return out
    cm = checker.mapping(m["cues"], {n: False for n in PS.CUE_NAMES}, "cues")
    for name, node in (cm or {}).items():
        spec = checker.mapping(node, PS.keys(PS.CUE_SCHEMA), f"cue {name}")
        if not spec or "pattern" not in spec:
            continue
        text = checker.string(spec["pattern"], f"cue {name}: pattern")
        case = checker.enum(spec["case"], ("sensitive", "insensitive"), f"cue {name}: case") if "case" in spec else "insensitive"
        if text is None or case is None:
            continue
        try:
            out[name] = re.compile(text, 0 if case == "sensitive" else re.I)
        except re.error as e:
            checker.err(spec["pattern"], f"cue {name}: the pattern does not compile: {e}")
    return out


def _relevance(checker, root, macros: dict[str, str]) -> Relevance | None:
    from auditor.yamlcheck import yaml

    m = checker.mapping(root, RELEVANCE_KEYS, "relevance file")
    if m is None:
        return None
    subject, min_sentences = None, 0
    if "subject" in m:
        sm = checker.mapping(m["subject"], SUBJECT_KEYS, "subject")
        if sm:
            text = checker.string(sm["pattern"], "subject.pattern") if "pattern" in sm else None
            subject = _compile(checker, sm["pattern"], text, macros, "subject.pattern") if text else None
            n = checker.value(sm["min_sentences"]) if "min_sentences" in sm else None
            if not isinstance(n, int) or isinstance(n, bool) or n < 0:
                checker.err(sm.get("min_sentences", m["subject"]), "subject.min_sentences must be a whole number >= 0")
            else:
                min_sentences = n

    def words(key: str) -> frozenset[str]:
        raw = checker.value(m[key]) if key in m else []
        if not isinstance(raw, list) or not all(isinstance(w, str) and w.strip() for w in raw):
            checker.err(m.get(key, root), f"{key} must be a list of words")
            return frozenset()
        return frozenset(w.strip().lower() for w in raw)

    senses = []
    if "senses" in m:
        if not isinstance(m["senses"], yaml.SequenceNode):
            checker.err(m["senses"], "senses must be a list")
        else:
            for item in m["senses"].value:
                im = checker.mapping(item, SENSE_KEYS, "sense")
                if not im or len(im) < 3:
                    continue
                word = checker.string(im["word"], "sense.word")
                text = checker.string(im["other_when"], "sense.other_when")
                cue = _compile(checker, im["other_when"], text, macros, "sense.other_when") if text else None
                n = checker.value(im["min_mentions"])
                if word and cue is not None and isinstance(n, int) and not isinstance(n, bool):
                    senses.append((word.lower(), cue, n))
                elif not isinstance(n, int) or isinstance(n, bool):
                    checker.err(im["min_mentions"], "sense.min_mentions must be a whole number")
    return Relevance(subject, min_sentences, words("procurement_objects"), words("other_objects"), tuple(senses))


def _macros(checker, node) -> dict[str, str]:
    from auditor.yamlcheck import yaml

    out: dict[str, str] = {}
    if not isinstance(node, yaml.MappingNode):
        checker.err(node, "macros must be a mapping of NAME: regex")
        return out
    for k, v in node.value:
        name = k.value
        if not MACRO_NAME.match(str(name)):
            checker.err(k, f"macro name '{name}' must be upper case (A-Z, digits, _)")
            continue
        text = checker.string(v, f"macro {name}")
        if text is not None:
            out[name] = text
    return out


def _kinds(checker, node, macros: dict[str, str]) -> dict[str, KindSpec]:
    from auditor.yamlcheck import yaml

    out: dict[str, KindSpec] = {}
    if not isinstance(node, yaml.MappingNode):
        checker.err(node, "kinds must be a mapping of kind name to its description and attributes")
        return out
    for k, v in node.value:
        name = k.value
        if not SLUG.match(str(name)):
            checker.err(k, f"fact kind '{name}' must be a lower-case slug")
            continue
        m = checker.mapping(v, KIND_KEYS, f"kind {name}")
        if m is None:
            continue
        desc = checker.string(m["description"], f"kind {name}: description") if "description" in m else ""
        attrs: list[tuple[str, AttrSpec]] = []
        if "attributes" in m:
            an = m["attributes"]
            if not isinstance(an, yaml.MappingNode):
                checker.err(an, f"kind {name}: attributes must be a mapping")
            else:
                for ak, av in an.value:
                    am = checker.mapping(av, ATTR_KEYS, f"attribute {ak.value}")
                    if am is None:
                        continue
                    values = tuple(str(x) for x in (checker.value(am["values"]) or ())) if "values" in am else ()
                    labels = checker.value(am["labels"]) if "labels" in am else {}
                    if not isinstance(labels, dict):
                        checker.err(am["labels"], "labels must be a mapping of value: label")
                        labels = {}
                    for lk in labels:
                        if values and str(lk) not in values:
                            checker.err(am["labels"], f"label for unknown value '{lk}'", _hint(str(lk), values))
                    typ = "string"
                    if "type" in am:
                        typ = checker.enum(am["type"], ATTR_TYPES, f"attribute {ak.value}: type") or "string"
                    when = None
                    if "when" in am:
                        text = checker.string(am["when"], f"attribute {ak.value}: when")
                        when = _compile(checker, am["when"], text, macros, f"attribute {ak.value}: when") if text else None
                        if typ != "bool":
                            checker.err(am["when"], f"attribute {ak.value}: 'when' needs type: bool")
                    attrs.append((ak.value, AttrSpec(values, tuple((str(a), str(b)) for a, b in labels.items()), typ, when)))
        req = None
        if "require_attr" in m:
            req = checker.string(m["require_attr"], f"kind {name}: require_attr")
        out[name] = KindSpec(name, desc or "", tuple(attrs), req)
    return out


def _hint(word: str, options: Iterable[str]) -> str | None:
    from auditor.yamlcheck import suggest

    return suggest(word, options)


def _expand(pattern: str, macros: dict[str, str], depth: int = 0) -> str:
    """Expand {NAME} macros (recursively); {2} or {0,3} are quantifiers and stay.
    Raises KeyError for an unknown upper-case macro name."""
    if depth > 8:
        raise RecursionError("macros nest too deeply")

    def sub(m: re.Match[str]) -> str:
        name = m.group(1)
        if name in GAP:
            return GAP[name]
        if name in macros:
            return _expand(macros[name], macros, depth + 1)
        if MACRO_NAME.match(name):
            raise KeyError(name)
        return m.group(0)

    return _MACRO_REF.sub(sub, pattern)


def _compile(checker, node, text: str, macros: dict[str, str], what: str) -> re.Pattern[str] | None:
    try:
        return re.compile(_expand(text, macros), re.I)
    except KeyError as e:
        checker.err(node, f"{what}: unknown macro {{{e.args[0]}}}", _hint(str(e.args[0]), macros))
    except RecursionError as e:
        checker.err(node, f"{what}: {e}")
    except re.error as e:
        checker.err(node, f"{what}: the pattern does not compile: {e}", "check brackets, groups and escapes")
    return None


def _trigger(checker, node, macros: dict[str, str], kinds: dict[str, KindSpec], path: Path) -> Trigger | None:
    from auditor.yamlcheck import yaml

    m = checker.mapping(node, TRIGGER_KEYS, "trigger")
    if m is None:
        return None
    ok = True
    tid = checker.string(m["id"], "trigger id") if "id" in m else None
    if tid is not None and not SLUG.match(tid):
        checker.err(m["id"], f"trigger id '{tid}' must be a lower-case slug")
        ok = False
    what = f"trigger {tid or '?'}"
    kind = checker.string(m["kind"], f"{what}: kind") if "kind" in m else None
    spec = kinds.get(kind) if kind else None
    if kind and spec is None:
        checker.err(m["kind"], f"{what}: unknown fact kind '{kind}'",
                    _hint(kind, kinds) or "declare it under 'kinds:' in a pattern set")
        ok = False
    regex = None
    if "pattern" in m:
        text = checker.string(m["pattern"], f"{what}: pattern")
        regex = _compile(checker, m["pattern"], text, macros, f"{what}: pattern") if text else None
    conf = checker.value(m["confidence"]) if "confidence" in m else None
    if not isinstance(conf, (int, float)) or isinstance(conf, bool) or not 0 < conf <= 1:
        if "confidence" in m:
            checker.err(m["confidence"], f"{what}: confidence must be a number in (0, 1]")
        ok = False
    attrs: dict[str, Any] = {}
    if "attrs" in m:
        raw = checker.value(m["attrs"])
        if not isinstance(raw, dict):
            checker.err(m["attrs"], f"{what}: attrs must be a mapping")
            ok = False
        else:
            for k, v in raw.items():
                a = spec.attr(k) if spec else None
                if spec is not None and a is None:
                    checker.err(m["attrs"], f"{what}: '{k}' is not an attribute of {kind}",
                                _hint(k, [n for n, _ in spec.attributes]))
                    ok = False
                elif a is not None and a.values and str(v) not in a.values:
                    checker.err(m["attrs"], f"{what}: '{v}' is not a known value of {k}", _hint(str(v), a.values))
                    ok = False
                attrs[k] = v
    require: list[re.Pattern[str]] = []
    if "require" in m:
        items = m["require"].value if isinstance(m["require"], yaml.SequenceNode) else [m["require"]]
        for it in items:
            text = checker.string(it, f"{what}: require")
            r = _compile(checker, it, text, macros, f"{what}: require") if text else None
            if r is None:
                ok = False
            else:
                require.append(r)
    exclude = None
    if "exclude" in m:
        text = checker.string(m["exclude"], f"{what}: exclude")
        exclude = _compile(checker, m["exclude"], text, macros, f"{what}: exclude") if text else None
        ok = ok and exclude is not None
    keys: tuple[str, ...] = ()
    if "keys" in m:
        raw = checker.value(m["keys"])
        if not isinstance(raw, list) or not all(isinstance(x, str) and x for x in raw):
            checker.err(m["keys"], f"{what}: keys must be a list of non-empty strings")
            ok = False
        else:
            keys = tuple(x.lower() for x in raw)
    request = False
    if "request" in m:
        request = checker.value(m["request"])
        if not isinstance(request, bool):
            checker.err(m["request"], f"{what}: request must be true or false")
            ok = False
    polarity = checker.enum(m["polarity"], POLARITIES, f"{what}: polarity") if "polarity" in m else "positive"
    relevance = checker.enum(m["relevance"], RELEVANCE, f"{what}: relevance") if "relevance" in m else "any"
    if regex is None or not ok or tid is None or kind is None or polarity is None or relevance is None:
        return None
    if regex is not None and spec is not None:
        for g in regex.groupindex:
            if not g.startswith("neg") and spec.attr(g) is None:
                checker.err(m["pattern"], f"{what}: named group '{g}' is neither a negation (neg...) nor an attribute of {kind}")
                return None
    line = node.start_mark.line + 1
    return Trigger(
        name=tid, kind=kind, regex=regex, confidence=float(conf), attrs=tuple(sorted(attrs.items())),
        require=tuple(require), exclude=exclude, keys=keys, request=bool(request), polarity=polarity,
        relevance=relevance, source=f"{path.name}:{line}",
    )
