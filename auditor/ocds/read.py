"""OCDS files -> contracting processes (one compiled release per ``ocid``).

Every published form is recognised by its content, not its name:

* a release package (``releases``), a record package (``records``: a record's
  ``compiledRelease``, else its releases merged), a lone record (``compiledRelease``
  / ``releases`` beside ``ocid``), a single release or compiled release;
* JSON Lines of any of these (Cardinal's input: one compiled release per line);
* OCDS 1.0 data, upgraded on the fly where the indicators need it (organisation
  references get the ``id`` that 1.1 requires).

Releases of one ``ocid`` are merged with ocdsmerge against the OCDS 1.1 release
schema bundled in ``auditor/data/ocds`` (no network).  JSON Lines are read line by
line and large JSON files through ijson, so memory stays flat however large the
file: only the releases of the ``ocid`` being read are held (a file's releases of
one ``ocid`` are expected next to each other, as every publisher writes them; an
``ocid`` that comes back later is reported as a separate process, with a warning).

Each process remembers where its compiled release sits in the file (``base``: a
JSON pointer, plus the line for JSON Lines), so that evidence can cite
``file.json#/records/0/compiledRelease/tender/procurementMethod`` verbatim.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Iterator

from auditor.errors import DocumentReadError

JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
JSON_SUFFIXES = (".json",) + JSONL_SUFFIXES
STREAM_BYTES = 64 * 1024 * 1024  # JSON files larger than this are parsed as a stream (ijson)
SCHEMA_FILE = Path(__file__).resolve().parent.parent / "data" / "ocds" / "release-schema-1.1.json"
_RELEASE_KEYS = frozenset({"tender", "awards", "contracts", "buyer", "parties", "planning", "bids", "tag", "initiationType"})


@dataclass(frozen=True)
class Process:
    """One contracting process: its compiled release and where it comes from."""

    ocid: str
    release: dict[str, Any]  # the compiled release (merged when the file gave several releases)
    base: str  # JSON pointer of the compiled release inside its JSON text ("" = the whole text)
    line: int | None = None  # JSON Lines: the 1-based line holding that text
    merged: tuple[tuple[int | None, str, dict], ...] = ()  # (line, pointer, release) of the merged releases
    version: str = "1.1"


@dataclass
class ReadLog:
    """What reading a file had to say besides its processes."""

    warnings: list[str] = field(default_factory=list)
    bad_lines: int = 0  # JSON Lines: lines that are not JSON, skipped
    other_lines: int = 0  # JSON Lines: JSON lines that are no release, record or package, skipped
    processes: int = 0


def is_ocds_name(name: str) -> bool:
    return name.lower().endswith(JSON_SUFFIXES)


@lru_cache(maxsize=1)
def merger():
    """The ocdsmerge Merger for the bundled OCDS 1.1 release schema (read once)."""
    import ocdsmerge

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    return ocdsmerge.Merger(schema=schema)


def escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


# --- reading -------------------------------------------------------------------------


def iter_processes(path: Path, log: ReadLog | None = None) -> Iterator[Process]:
    """The processes of one OCDS file, in file order.  Raises DocumentReadError:
    ``corrupt`` (not JSON), ``not-ocds`` (JSON, but no release, record or package),
    ``empty`` (no content)."""
    log = log if log is not None else ReadLog()
    if path.name.lower().endswith(JSONL_SUFFIXES) or _looks_like_lines(path):
        yield from _group(_jsonl_units(path, log), log)
    else:
        yield from _group(_json_units(path, log), log)


def _looks_like_lines(path: Path) -> bool:
    """A ``.json`` file that holds one JSON text per line (two objects, one per line)."""
    with path.open("rb") as f:
        first = f.readline(1 << 20).strip()
        if not first.startswith(b"{") or not first.endswith(b"}"):
            return False
        second = f.readline(1 << 20).strip()
    if not second.startswith(b"{"):
        return False
    try:
        json.loads(first)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class _Unit:
    """A release-like object read from the file: a compiled release or a release."""

    ocid: Any
    release: dict
    pointer: str
    line: int | None
    compiled: bool  # already a compiled release (one process on its own)
    version: str


def _jsonl_units(path: Path, log: ReadLog) -> Iterator[_Unit]:
    """Each line on its own, as Cardinal reads them: a line that is not JSON (or not
    UTF-8) and a JSON line that is no release, record or package are skipped and
    counted; they never cost the file its other lines.  Only a file with no JSON line
    at all is ``corrupt`` (or ``empty``), and one with JSON but nothing OCDS ``not-ocds``."""
    parsed = units_seen = False
    first_bad = ""
    not_ocds: DocumentReadError | None = None
    with path.open("rb") as f:
        for n, raw in enumerate(f, 1):
            raw = raw.strip()
            if not raw:
                continue
            try:
                obj = json.loads(raw)
            except ValueError as exc:  # UnicodeDecodeError is a ValueError too
                if log.bad_lines == 0:
                    first_bad = f"line {n} is not JSON ({exc})"
                log.bad_lines += 1
                continue
            try:
                units = list(_units_of(obj, "", n, top=not parsed))
            except DocumentReadError as exc:
                not_ocds = not_ocds or exc
                log.other_lines += 1
                parsed = True
                continue
            parsed = True
            units_seen = units_seen or bool(units)
            yield from units
    if not parsed:
        if log.bad_lines:
            raise DocumentReadError("corrupt", first_bad)
        raise DocumentReadError("empty", "the file holds no JSON text")
    if not units_seen and not_ocds is not None:
        raise not_ocds


def _json_units(path: Path, log: ReadLog) -> Iterator[_Unit]:
    size = path.stat().st_size
    if size == 0:
        raise DocumentReadError("empty", "the file is empty")
    if size > STREAM_BYTES:
        yield from _streamed_units(path)
        return
    try:
        obj = json.loads(path.read_bytes())
    except (ValueError, UnicodeDecodeError) as exc:
        raise DocumentReadError("corrupt", f"not valid JSON ({exc})") from None
    yield from _units_of(obj, "", None, top=True)


def _streamed_units(path: Path) -> Iterator[_Unit]:
    """A large package read with ijson: its releases or records one at a time."""
    import ijson

    with path.open("rb") as f:
        try:
            keys = set()
            version = "1.1"
            for prefix, event, value in ijson.parse(f):
                if prefix == "" and event == "map_key":
                    keys.add(value)
                    if value in ("releases", "records"):
                        break
                elif prefix == "version" and event == "string":
                    version = value
        except ijson.JSONError as exc:
            raise DocumentReadError("corrupt", f"not valid JSON ({exc})") from None
    kind = "records" if "records" in keys else "releases" if "releases" in keys else None
    if kind is None:
        raise DocumentReadError("not-ocds", "JSON, but no OCDS releases or records in it")
    with path.open("rb") as f:
        try:
            for i, item in enumerate(ijson.items(f, f"{kind}.item", use_float=True)):
                if kind == "records":
                    yield from _record_units(item, f"/records/{i}", None, version)
                elif isinstance(item, dict):
                    yield _release_unit(item, f"/releases/{i}", None, version)
        except ijson.JSONError as exc:
            raise DocumentReadError("corrupt", f"not valid JSON ({exc})") from None


def _units_of(obj: Any, base: str, line: int | None, top: bool) -> Iterator[_Unit]:
    if not isinstance(obj, dict):
        if isinstance(obj, list) and obj and all(isinstance(x, dict) and "ocid" in x for x in obj):
            for i, x in enumerate(obj):
                yield _release_unit(x, f"{base}/{i}", line, "1.1")
            return
        raise DocumentReadError("not-ocds", f"JSON {type(obj).__name__}, not an OCDS release, record or package"
                                + (f" (line {line})" if line else ""))
    version = str(obj.get("version") or "1.1")
    if isinstance(obj.get("records"), list):
        for i, rec in enumerate(obj["records"]):
            yield from _record_units(rec, f"{base}/records/{i}", line, version)
        return
    if isinstance(obj.get("compiledRelease"), dict) or ("releases" in obj and "ocid" in obj):
        yield from _record_units(obj, base, line, version)  # a record on its own
        return
    if isinstance(obj.get("releases"), list):
        for i, rel in enumerate(obj["releases"]):
            if isinstance(rel, dict):
                yield _release_unit(rel, f"{base}/releases/{i}", line, version)
        return
    if isinstance(obj.get("ocid"), str) or (obj.keys() & _RELEASE_KEYS and "ocid" in obj):
        yield _release_unit(obj, base, line, version)
        return
    raise DocumentReadError("not-ocds", "JSON, but not an OCDS release, record or package"
                            + (f" (line {line})" if line else "") + _keys_hint(obj))


def _keys_hint(obj: dict) -> str:
    keys = sorted(str(k) for k in obj)[:6]
    return f": its keys are {', '.join(keys)}" if keys else ": an empty object"


def _record_units(rec: Any, base: str, line: int | None, version: str) -> Iterator[_Unit]:
    if not isinstance(rec, dict):
        return
    compiled = rec.get("compiledRelease")
    if isinstance(compiled, dict) and compiled:
        compiled.setdefault("ocid", rec.get("ocid"))
        yield _Unit(compiled.get("ocid"), compiled, f"{base}/compiledRelease", line, True, version)
        return
    releases = rec.get("releases")
    if isinstance(releases, list):
        full = [(i, r) for i, r in enumerate(releases) if isinstance(r, dict) and r.keys() & _RELEASE_KEYS]
        for i, r in full:
            r.setdefault("ocid", rec.get("ocid"))
            yield _Unit(r.get("ocid"), r, f"{base}/releases/{i}", line, False, version)
        if full:
            return
    if isinstance(rec.get("versionedRelease"), dict):
        yield _Unit(rec.get("ocid"), _from_versioned(rec["versionedRelease"]), f"{base}/versionedRelease", line, True, version)


def _release_unit(rel: dict, pointer: str, line: int | None, version: str) -> _Unit:
    tags = rel.get("tag") or ()
    compiled = ("compiled" in tags) if isinstance(tags, list) else False
    # a line or package entry with no release id and date is a compiled release (Cardinal's input)
    compiled = compiled or not ("id" in rel and "date" in rel)
    return _Unit(rel.get("ocid"), rel, pointer, line, compiled, version)


def _from_versioned(versioned: Any) -> Any:
    """A versioned release's latest values (what its compiled release would hold)."""
    if isinstance(versioned, list):
        if versioned and all(isinstance(v, dict) and "releaseID" in v and "value" in v for v in versioned):
            return _from_versioned(versioned[-1]["value"])
        return [_from_versioned(v) for v in versioned]
    if isinstance(versioned, dict):
        return {k: _from_versioned(v) for k, v in versioned.items()}
    return versioned


# --- grouping and merging ------------------------------------------------------------


def _group(units: Iterable[_Unit], log: ReadLog) -> Iterator[Process]:
    """Runs of units of one ocid -> processes (a run of releases is merged)."""
    run: list[_Unit] = []
    seen: set[str] = set()
    for unit in units:
        if not isinstance(unit.ocid, str) or not unit.ocid:
            log.warnings.append(f"a release without an ocid string at {_where(unit)} was left out")
            continue
        if run and (unit.ocid != run[0].ocid or unit.compiled or run[0].compiled):
            yield from _flush(run, seen, log)
            run = []
        run.append(unit)
    if run:
        yield from _flush(run, seen, log)


def _where(unit: _Unit) -> str:
    return (f"line {unit.line} " if unit.line else "") + (unit.pointer or "/")


def _flush(run: list[_Unit], seen: set[str], log: ReadLog) -> Iterator[Process]:
    ocid = run[0].ocid
    if ocid in seen:
        log.warnings.append(f"ocid {ocid} comes back at {_where(run[0])}, away from its other releases: "
                            "read as a separate process (sort the file by ocid to merge them)")
    seen.add(ocid)
    log.processes += 1
    first = run[0]
    if len(run) == 1:
        release = upgrade(first.release) if first.version.startswith("1.0") else first.release
        yield Process(ocid, release, first.pointer, first.line, version=first.version)
        return
    releases = [upgrade(u.release) if u.version.startswith("1.0") else u.release for u in run]
    compiled = merger().create_compiled_release(releases)
    yield Process(ocid, compiled, "", None, tuple((u.line, u.pointer, r) for u, r in zip(run, releases)),
                  version=first.version)


# --- OCDS 1.0 ------------------------------------------------------------------------


_ORG_PATHS = (("buyer",), ("tender", "procuringEntity"))
_ORG_LISTS = (("tender", "tenderers"),)


def upgrade(release: dict) -> dict:
    """OCDS 1.0 -> 1.1 where it matters here: an organisation reference without an
    ``id`` gets one from its identifier (scheme-id) or name, and is listed in
    ``parties`` with its role.  The release is copied, never changed in place."""
    import copy

    rel = copy.deepcopy(release)
    parties: dict[str, dict] = {p["id"]: p for p in rel.get("parties") or [] if isinstance(p, dict) and "id" in p}

    def ref(org: Any, role: str) -> Any:
        if not isinstance(org, dict):
            return org
        if "id" not in org:
            ident = org.get("identifier") if isinstance(org.get("identifier"), dict) else {}
            if ident.get("id") not in (None, ""):
                org["id"] = f"{ident.get('scheme')}-{ident.get('id')}" if ident.get("scheme") else str(ident.get("id"))
            elif org.get("name"):
                org["id"] = str(org["name"])
            else:
                return org
        party = parties.setdefault(org["id"], {**org, "roles": []})
        if role not in party.setdefault("roles", []):
            party["roles"].append(role)
        return org

    if "buyer" in rel:
        rel["buyer"] = ref(rel["buyer"], "buyer")
    tender = rel.get("tender")
    if isinstance(tender, dict):
        if "procuringEntity" in tender:
            tender["procuringEntity"] = ref(tender["procuringEntity"], "procuringEntity")
        if isinstance(tender.get("tenderers"), list):
            tender["tenderers"] = [ref(o, "tenderer") for o in tender["tenderers"]]
    for award in rel.get("awards") or []:
        if isinstance(award, dict) and isinstance(award.get("suppliers"), list):
            award["suppliers"] = [ref(o, "supplier") for o in award["suppliers"]]
    if parties:
        rel["parties"] = list(parties.values())
    return rel


# --- locating a member -----------------------------------------------------------------


def member(release: Any, tokens: Iterable[str | int]) -> Any:
    cur = release
    for t in tokens:
        if isinstance(cur, dict) and isinstance(t, str) and t in cur:
            cur = cur[t]
        elif isinstance(cur, list) and isinstance(t, int) and 0 <= t < len(cur):
            cur = cur[t]
        else:
            return None
    return cur


def locate(process: Process, tokens: tuple[str | int, ...]) -> tuple[int | None, str]:
    """(line, JSON pointer in the file) of the member at ``tokens`` of the compiled
    release.  A merged process points into the latest release that gives that
    member the same value (array items matched by ``id``)."""
    if not process.merged:
        return process.line, process.base + "".join(f"/{escape(str(t))}" for t in tokens)
    value = member(process.release, tokens)
    for line, pointer, rel in reversed(process.merged):
        path = _match(process.release, rel, tokens)
        if path is not None and member(rel, path) == value:
            return line, pointer + "".join(f"/{escape(str(t))}" for t in path)
    line, pointer, _ = process.merged[-1]
    return line, pointer


def _match(compiled: Any, rel: Any, tokens: tuple[str | int, ...]) -> tuple | None:
    out: list[str | int] = []
    c, r = compiled, rel
    for t in tokens:
        if isinstance(t, int):
            if not (isinstance(c, list) and isinstance(r, list) and t < len(c)):
                return None
            want = c[t].get("id") if isinstance(c[t], dict) else None
            idx = next((i for i, x in enumerate(r) if isinstance(x, dict) and x.get("id") == want), None) \
                if want is not None else (t if t < len(r) else None)
            if idx is None:
                return None
            c, r = c[t], r[idx]
            out.append(idx)
        else:
            if not (isinstance(c, dict) and isinstance(r, dict) and t in r):
                return None
            c, r = c.get(t), r[t]
            out.append(t)
    return tuple(out)
