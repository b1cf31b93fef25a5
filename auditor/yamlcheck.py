"""Checking YAML files with their line and column: the machinery rule files, pattern
files and pack manifests share.

PyYAML's node tree (``yaml.compose``) keeps the line and column of every key and value, so a
problem points at the exact spot; a ``Checker`` collects *every* problem of a file, each as
``file:line:col: message (hint: ...)``, the way a linter does.  Files are composed with
libyaml (``yaml.CSafeLoader``, about 10x faster) when PyYAML has it; a file with a syntax
error is composed again by the pure-Python loader, so messages do not depend on how PyYAML
was built.
"""

from __future__ import annotations

import difflib
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
        return self._constructor.construct_object(node, deep=True)

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
    try:
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
