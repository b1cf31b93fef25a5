"""Project configuration: ``.auditor.yaml`` or ``[tool.auditor]`` in ``pyproject.toml``.

Looked up from the current directory upwards; in each directory a
``.auditor.yaml`` is taken before a ``pyproject.toml`` that has a
``[tool.auditor]`` table, and the first one found is the only one read (as ruff
does).  ``--config FILE`` names the file instead; ``--no-config`` reads none.
Options given on the command line override the file's.  Paths in the file
(``rules``, ``packs`` given as paths, ``suppressions``) are relative to the
file's directory; ``exclude`` globs are matched as ``--exclude`` ones.

Keys (YAML or TOML, ``-`` or ``_`` alike)::

    fail-on: high            # info | low | medium | high | critical
    select: [waived-tendering, price]   # rule ids or tags; the others are not run
    ignore: [secrecy-request]
    exclude: ["drafts/*", "*.scan.pdf"]
    rules: [my-rules]        # extra rule directories
    packs: [kenya]           # jurisdiction packs: a shipped pack's name or a directory
    ocr: auto                # auto | off | force
    jobs: 2
    suppressions: .auditor-suppressions.yaml
    case-per-file: false

An unknown key or a value of the wrong type is a usage error (exit 2) that names
the file and, for YAML, the line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import UsageError

YAML_NAME = ".auditor.yaml"
PYPROJECT = "pyproject.toml"
SEVERITIES = ("info", "low", "medium", "high", "critical")
OCR_MODES = ("auto", "off", "force")

# key -> kind of value
KEYS: dict[str, str] = {
    "fail-on": "severity",
    "select": "strings",
    "ignore": "strings",
    "exclude": "strings",
    "rules": "paths",
    "packs": "packs",
    "ocr": "ocr",
    "jobs": "int",
    "suppressions": "path",
    "case-per-file": "bool",
}


@dataclass(frozen=True)
class Config:
    source: Path | None = None  # the file read, or None
    values: dict[str, Any] = field(default_factory=dict)

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


def find_config(start: Path) -> Path | None:
    """The configuration file that applies in ``start``: the nearest one upwards."""
    here = start.resolve()
    for folder in (here, *here.parents):
        candidate = folder / YAML_NAME
        if candidate.is_file():
            return candidate
        pyproject = folder / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def _has_tool_table(pyproject: Path) -> bool:
    # cheap pre-check before parsing TOML: most pyproject.toml files have no such table
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return "tool.auditor" in text


def load_config(explicit: Path | None = None, *, start: Path | None = None, disabled: bool = False) -> Config:
    if disabled:
        return Config()
    path = explicit if explicit is not None else find_config(start or Path.cwd())
    if path is None:
        return Config()
    if not path.is_file():
        raise UsageError(f"config file not found: {path}")
    if path.name == PYPROJECT or path.suffix == ".toml":
        raw, lines = _read_toml(path), {}
    else:
        raw, lines = _read_yaml(path)
    return Config(source=path, values=_validate(path, raw, lines))


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("auditor", {}) if isinstance(data.get("tool"), dict) else {}
    if not isinstance(table, dict):
        raise UsageError(f"{path}: [tool.auditor] must be a table")
    return table


def _read_yaml(path: Path) -> tuple[dict[str, Any], dict[str, int]]:
    from auditor.yamlcheck import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise UsageError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise UsageError(f"{path}:1: the configuration must be a mapping of keys to values")
    lines = {}
    if isinstance(node, yaml.MappingNode):
        lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return data, lines


def _validate(path: Path, raw: dict[str, Any], lines: dict[str, int]) -> dict[str, Any]:
    from auditor.yamlcheck import suggest

    out: dict[str, Any] = {}
    base = path.resolve().parent
    for key, value in raw.items():
        where = f"{path}:{lines[key]}" if key in lines else str(path)
        name = str(key).replace("_", "-")
        if name not in KEYS:
            hint = suggest(name, KEYS)
            raise UsageError(f"{where}: unknown key '{key}'" + (f" (hint: {hint})" if hint else "")
                             + f"; known keys: {', '.join(KEYS)}")
        out[name] = _value(name, KEYS[name], value, base, where)
    return out


def _value(name: str, kind: str, value: Any, base: Path, where: str) -> Any:
    from auditor.yamlcheck import suggest

    def bad(expected: str) -> UsageError:
        return UsageError(f"{where}: '{name}' must be {expected} (got {value!r})")

    if kind == "ocr" and value is False:  # YAML 1.1 reads a bare `off` as false
        return "off"
    if kind in ("severity", "ocr"):
        allowed = SEVERITIES if kind == "severity" else OCR_MODES
        if not isinstance(value, str) or value.lower() not in allowed:
            hint = suggest(str(value), allowed) if isinstance(value, str) else None
            raise UsageError(f"{where}: '{name}' must be one of: {', '.join(allowed)} (got {value!r})"
                             + (f" (hint: {hint})" if hint else ""))
        return value.lower()
    if kind == "int":
        if type(value) is not int or value < 0:
            raise bad("a whole number, 0 or more")
        return value
    if kind == "bool":
        if type(value) is not bool:
            raise bad("true or false")
        return value
    if kind == "path":
        if not isinstance(value, str) or not value:
            raise bad("a path")
        return base / value
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise bad("a list of strings")
    if kind == "paths":
        return [base / v for v in value]
    if kind == "packs":
        from auditor.ruleset.packs import resolve_pack, shipped_packs

        out = []
        for ref in value:
            target = resolve_pack(ref, base)
            if target is None:
                hint = suggest(ref, shipped_packs())
                raise UsageError(f"{where}: unknown pack '{ref}'" + (f" (hint: {hint})" if hint else
                                 f" (shipped packs: {', '.join(shipped_packs()) or 'none'}; or a directory)"))
            out.append(target)
        return out
    return list(value)

