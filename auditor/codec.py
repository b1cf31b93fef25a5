"""JSON encodings of the frozen values the caches store: a small, explicit
``*_to_json`` / ``*_from_json`` pair per type, no pickle, no eval.

``from_json(to_json(x)) == x`` for every value (the tests check it on the
results of every fixture case).  The encodings are compact — a value is a JSON
array of its fields in declaration order — because the cache reads them on
every warm rescan; the field names are part of the cache key
(``auditor.ingest.cache``), so a changed dataclass never meets an old entry.
Anything that is not the expected shape raises :class:`DecodeError` (the
cache then reads the document again).
"""

from __future__ import annotations

from typing import Any

from auditor.models import DocumentError, DocumentInfo, DocumentResult, Evidence, Fact, Reference, Status


class DecodeError(ValueError):
    """A JSON value that is not the encoding of the expected type."""


def _str(v: Any) -> str:
    if type(v) is not str:
        raise DecodeError(f"expected a string, got {type(v).__name__}")
    return v


def _opt_str(v: Any) -> str | None:
    return None if v is None else _str(v)


def _int(v: Any) -> int:
    if type(v) is not int:
        raise DecodeError(f"expected an integer, got {type(v).__name__}")
    return v


def _opt_int(v: Any) -> int | None:
    return None if v is None else _int(v)


def _float(v: Any) -> float:
    if type(v) is float:
        return v
    if type(v) is int:  # json writes 1.0 as 1.0, but be lenient with hand-made entries
        return float(v)
    raise DecodeError(f"expected a number, got {type(v).__name__}")


def _bool(v: Any) -> bool:
    if type(v) is not bool:
        raise DecodeError(f"expected true or false, got {type(v).__name__}")
    return v


def _list(v: Any, n: int | None = None) -> list:
    if type(v) is not list or (n is not None and len(v) != n):
        raise DecodeError(f"expected a list{'' if n is None else f' of {n}'}")
    return v


_SCALARS = (str, int, float, bool, type(None))


def _scalar(v: Any) -> Any:
    if type(v) not in _SCALARS:
        raise DecodeError(f"expected a scalar, got {type(v).__name__}")
    return v


# --- Evidence ------------------------------------------------------------------------


def evidence_to_json(e: Evidence) -> list:
    """Every field of the evidence (a register row's index and cells, an OCDS member's
    pointer too): a cached result is the result the scan made."""
    return [e.document, e.page, e.quote, e.start, e.end, e.sha256, e.ocr, e.row, [[h, c] for h, c in e.cells],
            e.before, e.after, e.ocid, e.pointer, e.line]


def evidence_from_json(v: Any) -> Evidence:
    document, page, quote, start, end, sha256, ocr, row, cells, before, after, ocid, pointer, line = _list(v, 14)
    pairs = []
    for pair in _list(cells):
        h, c = _list(pair, 2)
        pairs.append((_str(h), _str(c)))
    return Evidence(_str(document), _int(page), _str(quote), _int(start), _int(end), _str(sha256), _bool(ocr),
                    row=_opt_int(row), cells=tuple(pairs), before=_str(before), after=_str(after),
                    ocid=_opt_str(ocid), pointer=_opt_str(pointer), line=_opt_int(line))


# --- Fact ------------------------------------------------------------------------------


def fact_to_json(f: Fact) -> list:
    return [f.kind, [evidence_to_json(e) for e in f.evidence], f.confidence, f.status.value, f.cue,
            [[k, v] for k, v in f.attrs]]


def fact_from_json(v: Any) -> Fact:
    kind, evidence, confidence, status, cue, attrs = _list(v, 6)
    pairs = []
    for pair in _list(attrs):
        k, val = _list(pair, 2)
        pairs.append((_str(k), _scalar(val)))
    try:
        st = Status(status)
    except ValueError:
        raise DecodeError(f"unknown fact status {status!r}") from None
    return Fact(_str(kind), tuple(evidence_from_json(e) for e in _list(evidence)), _float(confidence), st,
                _opt_str(cue), tuple(pairs))


# --- DocumentError, DocumentInfo --------------------------------------------------------


def error_to_json(e: DocumentError | None) -> list | None:
    return None if e is None else [e.code, e.message]


def error_from_json(v: Any) -> DocumentError | None:
    if v is None:
        return None
    code, message = _list(v, 2)
    return DocumentError(_str(code), _str(message))


def info_to_json(i: DocumentInfo) -> list:
    return [i.path, i.sha256, i.pages, list(i.ocr_pages), list(i.unread_pages), i.unread_reason, i.kind, i.year,
            error_to_json(i.error), list(i.internal_errors), list(i.ocids)]


def info_from_json(v: Any) -> DocumentInfo:
    path, sha256, pages, ocr_pages, unread_pages, unread_reason, kind, year, error, internal, ocids = _list(v, 11)
    return DocumentInfo(
        path=_str(path), sha256=_str(sha256), pages=_int(pages),
        ocr_pages=tuple(_int(p) for p in _list(ocr_pages)),
        unread_pages=tuple(_int(p) for p in _list(unread_pages)),
        unread_reason=_opt_str(unread_reason), kind=_str(kind), year=_opt_int(year), error=error_from_json(error),
        internal_errors=tuple(_str(e) for e in _list(internal)), ocids=tuple(_str(o) for o in _list(ocids)),
    )


# --- DocumentResult -----------------------------------------------------------------------


def result_to_json(r: DocumentResult) -> list:
    return [info_to_json(r.info), [fact_to_json(f) for f in r.facts], [[k, s] for k, s in r.timings], r.from_cache]


def result_from_json(v: Any) -> DocumentResult:
    info, facts, timings, from_cache = _list(v, 4)
    stages = []
    for pair in _list(timings):
        k, s = _list(pair, 2)
        stages.append((_str(k), _float(s)))
    return DocumentResult(info_from_json(info), tuple(fact_from_json(f) for f in _list(facts)), tuple(stages),
                          _bool(from_cache))


# --- Reference ------------------------------------------------------------------------------


def reference_to_json(r: Reference) -> list:
    return [r.title, r.section, r.text, r.url, r.ocp_code, r.jurisdiction]


def reference_from_json(v: Any) -> Reference:
    title, section, text, url, ocp_code, jurisdiction = _list(v, 6)
    return Reference(_str(title), _opt_str(section), _opt_str(text), _opt_str(url), _opt_str(ocp_code),
                     _opt_str(jurisdiction))


# --- plain data with tuples (a rule's conditions) -------------------------------------------

_TUPLE = "$tuple"  # no key of a validated condition starts with "$"


def plain_to_json(v: Any) -> Any:
    """Dicts, lists, tuples and scalars; tuples are tagged so they come back as tuples."""
    if isinstance(v, dict):
        return {_str(k): plain_to_json(x) for k, x in v.items()}
    if isinstance(v, tuple):
        return {_TUPLE: [plain_to_json(x) for x in v]}
    if isinstance(v, list):
        return [plain_to_json(x) for x in v]
    return _scalar(v)


def plain_from_json(v: Any) -> Any:
    if type(v) is dict:
        if len(v) == 1 and _TUPLE in v:
            return tuple(plain_from_json(x) for x in _list(v[_TUPLE]))
        return {k: plain_from_json(x) for k, x in v.items()}
    if type(v) is list:
        return [plain_from_json(x) for x in v]
    return _scalar(v)
