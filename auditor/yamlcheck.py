"""Checking YAML files with their line and column: the machinery rule files, pattern
files and pack manifests share.

PyYAML's node tree (``yaml.compose``) keeps the line and column of every key and value, so a
problem points at the exact spot; a ``Checker`` collects *every* problem of a file, each as
``file:line:col: message (hint: ...)``, the way a linter does.  Files are composed with
libyaml (``yaml.CSafeLoader``, about 10x faster) when PyYAML has it; a file with a syntax
error is composed again by the pure-Python loader, so messages do not depend on how PyYAML
was built.

Every file is checked against :data:`LIMITS` before its node tree is built, in one
pass over PyYAML's event stream (iterative, so no nesting can exhaust the stack):
its size, its nesting depth, how far its aliases expand (a "billion laughs" file
of 700 bytes would otherwise be walked as billions of nodes), its tags (only the
core schema's: no ``!!python/object``) and the length of its numbers (Python
refuses to read an integer of more than 4,300 digits).  A file past a bound is a
rule-file problem at the spot that crossed it, like any other.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

from auditor.errors import Problem


class _LazyYaml:
    """``yaml``, imported on first use: a scan whose rule pack comes from the
    cache never needs it."""

    def __getattr__(self, name: str) -> Any:
        import yaml as module

        globals()["yaml"] = module
        return getattr(module, name)


yaml: Any = _LazyYaml()


def suggest(word: str, options: Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class Checker:
    """Collects the problems of one YAML file."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []
        self._constructor = yaml.SafeLoader("")

    def err(self, node: yaml.Node | None, message: str, hint: str | None = None) -> None:
        line, col = (node.start_mark.line + 1, node.start_mark.column + 1) if node is not None else (1, 1)
        self.problems.append(Problem(self.file, line, col, message, hint))

    def value(self, node: yaml.Node) -> Any:
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError) as exc:  # "!!int abc"
            self.err(node, f"cannot read this value ({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''})")
            return None

    # -- shapes -------------------------------------------------------------------

    def mapping(self, node: yaml.Node, keys: dict[str, bool], what: str) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.err(node, f"{what} must be a mapping")
            return None
        out: dict[str, yaml.Node] = {}
        for knode, vnode in node.value:
            key = knode.value if isinstance(knode, yaml.ScalarNode) else None
            if key is None:
                self.err(knode, f"{what}: keys must be plain strings")
                continue
            if key in out:
                self.err(knode, f"{what}: duplicate key '{key}'")
                continue
            if key not in keys:
                self.err(knode, f"{what}: unknown key '{key}'", suggest(key, keys))
                continue
            out[key] = vnode
        for key, required in keys.items():
            if required and key not in out:
                self.err(node, f"{what}: missing required key '{key}'")
        return out

    def string(self, node: yaml.Node, what: str, *, nonempty: bool = True) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str":
            self.err(node, f"{what} must be a string")
            return None
        if nonempty and not node.value.strip():
            self.err(node, f"{what} must not be empty")
            return None
        return node.value

    def enum(self, node: yaml.Node, allowed: Iterable[str], what: str) -> str | None:
        allowed = tuple(allowed)
        if not isinstance(node, yaml.ScalarNode):
            self.err(node, f"{what} must be one of: {', '.join(allowed)}")
            return None
        if node.value not in allowed:
            self.err(node, f"{what}: '{node.value}' is not one of: {', '.join(allowed)}", suggest(node.value, allowed))
            return None
        return node.value



def builtin_rules_dir() -> Path:
    """The rule pack: inside the installed package, or the source tree's rules/."""
    here = Path(__file__).resolve().parent
    packaged = here / "rules"
    if packaged.is_dir():
        return packaged
    return here.parent / "rules"


def compose(path: Path, checker: Checker) -> yaml.Node | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        checker.problems.append(Problem(str(path), 1, 1, f"cannot read rule file: {exc}"))
        return None
    if len(text) > LIMITS.max_chars:
        checker.problems.append(Problem(str(path), 1, 1, f"file too large: {len(text):,} characters "
                                        f"(at most {LIMITS.max_chars:,})", "split it into several files"))
        return None
    try:
        try:
            bound = check_bounds(text, getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:  # the pure-Python parser says what is wrong, and where
            bound = check_bounds(text, yaml.SafeLoader)
        if bound is not None:
            line, col, message, hint = bound
            checker.problems.append(Problem(str(path), line, col, message, hint))
            return None
        try:
            node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
        except yaml.YAMLError:  # the pure-Python loader says what is wrong, and where
            node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        checker.problems.append(Problem(str(path), line, col, f"YAML syntax error: {exc.problem or exc.context}"))
        return None
    except yaml.YAMLError as exc:
        checker.problems.append(Problem(str(path), 1, 1, f"YAML error: {exc}"))
        return None
    if node is None:
        checker.problems.append(Problem(str(path), 1, 1, "rule file is empty"))
    return node


# --- bounds -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What one YAML file of a pack may cost (the largest built-in file is ≈ 17 kB,
    nests 8 deep and has no aliases)."""

    max_chars: int = 1_000_000
    max_depth: int = 64
    max_nodes: int = 200_000  # nodes after aliases are expanded
    max_number_chars: int = 64  # a plain scalar read as int or float
    max_template_width: int = 200  # the width or precision in a message template's "{field:>N}"


LIMITS = Limits()
# The tags a pack may write explicitly: the core schema's, and "!" (non-specific)
_CORE_TAGS = frozenset({"!"} | {f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "seq", "map")})
_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def check_bounds(text: str, loader: Any) -> tuple[int, int, str, str | None] | None:
    """The first bound of :data:`LIMITS` the YAML ``text`` crosses, as (line,
    col, message, hint), or None.  Raises ``yaml.YAMLError`` on a syntax error."""
    events = yaml.parse(text, Loader=loader)
    resolver = yaml.resolver.Resolver()
    sizes: dict[str, int] = {}  # anchor -> expanded node count
    stack: list[list] = [[None, 0]]  # per open collection: [anchor, expanded node count so far]

    def where(ev: Any) -> tuple[int, int]:
        mark = ev.start_mark
        return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)

    def add(ev: Any, n: int, anchor: str | None) -> tuple[int, int, str, str | None] | None:
        if anchor is not None:
            sizes[anchor] = n
        stack[-1][1] += n
        total = sum(frame[1] for frame in stack)
        if total > LIMITS.max_nodes:
            return (*where(ev), f"the document expands to more than {LIMITS.max_nodes:,} nodes (aliases included)",
                    "write the values out instead of nesting aliases")
        return None

    for ev in events:
        tag = getattr(ev, "tag", None)
        if tag is not None and tag not in _CORE_TAGS:
            return (*where(ev), f"unsupported tag '{tag}'", "packs use plain YAML values: strings, numbers, "
                    "booleans, lists and mappings")
        if isinstance(ev, yaml.CollectionStartEvent):
            stack.append([ev.anchor, 1])
            if len(stack) - 1 > LIMITS.max_depth:
                return (*where(ev), f"nested more than {LIMITS.max_depth} levels deep", None)
        elif isinstance(ev, yaml.CollectionEndEvent):
            anchor, n = stack.pop()
            if (crossed := add(ev, n, anchor)) is not None:
                return crossed
        elif isinstance(ev, yaml.ScalarEvent):
            if len(ev.value) > LIMITS.max_number_chars and (tag in _NUMBER_TAGS or (
                    tag is None and ev.implicit[0] and resolver.resolve(yaml.ScalarNode, ev.value, (True, False)) in _NUMBER_TAGS)):
                return (*where(ev), f"number too long: {len(ev.value):,} characters (at most {LIMITS.max_number_chars})",
                        "quote it if it is meant as text")
            if (crossed := add(ev, 1, ev.anchor)) is not None:
                return crossed
        elif isinstance(ev, yaml.AliasEvent):
            if (crossed := add(ev, sizes.get(ev.anchor, 1), None)) is not None:
                return crossed
    return None
