"""The cases of a scan, in id order, kept flat in memory however many there are.

A scan of a 1,000,000-process OCDS file makes a million cases; each result (its
checks, findings, term sheet) is a few kilobytes, so a list of them grows with
the input.  :class:`CaseSpool` takes the results as they are evaluated: the
first ``threshold`` stay in memory (a small scan never touches the disk); past
that, every result is pickled to an anonymous temporary file (unlinked as soon
as it is created, so nothing is left behind by an error, Ctrl-C or a kill) and
only its offset and length stay in memory (16 bytes a case), with one table of
the distinct rule checks (most cases share theirs: "not fired"), at most
``MAX_CHECKS`` of them.  The ids are
kept only when the cases did not come in id order (needed to sort them).

:meth:`CaseSpool.finish` gives a :class:`CaseList`: a read-only sequence of the
results in id order (``len``, iteration, indexing, slicing) that reads each one
back from the file when it is asked for.  The file is only ever read by the
process that wrote it.  ``AUDITOR_SPOOL_CASES`` sets the threshold (``0``:
every case goes to the file; the tests use it to run the spooled path).
"""

from __future__ import annotations

import dataclasses
import io
import operator
import os
import pickle
import tempfile
from array import array
from collections.abc import Sequence
from typing import Callable, Iterator

from auditor.models import CaseResult, Check, Outcome

SPOOL_ENV = "AUDITOR_SPOOL_CASES"
DEFAULT_THRESHOLD = 1000  # cases held in memory before the spool file is used (a few MB)
MAX_CHECKS = 50_000  # distinct checks kept once for the whole spool (most cases share theirs)


def _dispatch_table() -> dict:
    """Pickle the frozen dataclasses of a result as ``cls(*fields)``: several times
    faster to read back than the default state of a slotted dataclass."""
    import copyreg

    from auditor import models, terms

    table = dict(copyreg.dispatch_table)
    for mod in (models, terms):
        for obj in vars(mod).values():
            if isinstance(obj, type) and dataclasses.is_dataclass(obj) and obj.__module__ == mod.__name__:
                names = [f.name for f in dataclasses.fields(obj)]
                if not names or not all(f.init for f in dataclasses.fields(obj)):
                    continue
                get = operator.attrgetter(*names)
                table[obj] = (lambda o, cls=obj, get=get: (cls, (get(o),))) if len(names) == 1 else \
                    (lambda o, cls=obj, get=get: (cls, get(o)))
    return table


_DISPATCH: dict | None = None


def _dumps(obj) -> bytes:
    global _DISPATCH
    if _DISPATCH is None:
        _DISPATCH = _dispatch_table()
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _DISPATCH
    pickler.dump(obj)
    return buf.getvalue()


def threshold_from_env(default: int = DEFAULT_THRESHOLD) -> int:
    raw = os.environ.get(SPOOL_ENV, "").strip()
    if not raw:
        return default
    try:
        return max(0, int(raw))
    except ValueError:
        return default


@dataclasses.dataclass(frozen=True, slots=True)
class CaseCounts:
    """What the command's summary and exit code need of every case, counted as the
    cases were spooled, so that they are not all read back for it."""

    findings: int = 0
    internal_documents: int = 0  # documents whose fact extraction failed (bugs)
    rule_errors: int = 0  # rule checks that raised (bugs)


class CaseSpool:
    """Collects case results as they are evaluated; :meth:`finish` gives them in id order."""

    def __init__(self, threshold: int | None = None, dir: str | None = None):
        self.threshold = threshold_from_env() if threshold is None else threshold
        self._dir = dir
        self._mem: list[CaseResult] = []
        self._file = None
        self._offsets = array("q")
        self._lengths = array("q")
        self._end = 0
        self._last: str | None = None
        self._ids: list[str] | None = None  # only once a case came out of id order
        self._finished = False
        self._counts = [0, 0, 0]  # findings, internal documents, rule errors
        self._check_ids: dict[Check, int] = {}
        self._check_by_id: dict[int, int] = {}
        self._held: list[Check] = []
        self._checks: list[Check] = []  # the distinct checks of the spooled cases, each stored once

    def __len__(self) -> int:
        return len(self._mem) if self._file is None else len(self._offsets)

    def add(self, case: CaseResult) -> None:
        if self._finished:
            raise RuntimeError("the spool is finished")
        from auditor.errors import INTERNAL_ERROR_CODE

        counts = self._counts
        counts[0] += len(case.findings)
        counts[1] += sum(1 for d in case.documents
                         if (d.error is not None and d.error.code == INTERNAL_ERROR_CODE) or d.internal_errors)
        counts[2] += sum(1 for k in case.checks if k.outcome is Outcome.ERROR)
        if self._file is None:
            self._mem.append(case)
            if len(self._mem) > self.threshold:
                self._spill()
            return
        self._write(case)

    def _spill(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="auditor-cases-", dir=self._dir)
        mem, self._mem = self._mem, []
        for case in mem:
            self._write(case)

    def _check_ids_of(self, checks: tuple[Check, ...]) -> "tuple[int, ...] | tuple[Check, ...]":
        """The checks by their index in the spool's table; themselves once the table is full.
        Identical checks are one object (``pipeline._shared``), so they are looked up by
        identity first (the table holds them: an id is never reused), by value after."""
        by_id, by_value, table = self._check_by_id, self._check_ids, self._checks
        out = []
        for check in checks:
            i = by_id.get(id(check))
            if i is None:
                i = by_value.get(check)
                if i is None:
                    if len(table) >= MAX_CHECKS:
                        return checks
                    i = by_value[check] = len(table)
                    table.append(check)
                if len(self._held) < 2 * MAX_CHECKS:  # bounded: equal checks that are not one object
                    by_id[id(check)] = i
                    self._held.append(check)  # keeps the object, so that its id stays its own
            out.append(i)
        return tuple(out)

    def _write(self, case: CaseResult) -> None:
        # a record: the case's fields, its checks by their index in the spool's table
        data = _dumps((case.id, case.score, case.documents, case.findings,
                       self._check_ids_of(case.checks), case.terms, case.warnings))
        self._file.write(data)
        self._offsets.append(self._end)
        self._lengths.append(len(data))
        self._end += len(data)
        if self._ids is not None:
            self._ids.append(case.id)
        elif self._last is not None and case.id < self._last:
            # out of order: the ids of the cases so far are read back once, then kept
            self._file.flush()
            fd = self._file.fileno()
            n = len(self._offsets) - 1
            self._ids = [pickle.loads(os.pread(fd, self._lengths[i], self._offsets[i]))[0] for i in range(n)]
            self._ids.append(case.id)
        self._last = case.id

    def finish(self) -> "CaseList":
        """The cases in id order (a stable sort: equal ids keep their order of arrival)."""
        self._finished = True
        if self._file is None:
            mem, self._mem = self._mem, []
            mem.sort(key=lambda c: c.id)
            return CaseList(tuple(mem), counts=CaseCounts(*self._counts))
        self._file.flush()
        offsets, lengths = self._offsets, self._lengths
        if self._ids is not None:
            order = sorted(range(len(self._ids)), key=self._ids.__getitem__)
            self._ids = None
            offsets = array("q", (offsets[i] for i in order))
            lengths = array("q", (lengths[i] for i in order))
            del order
        self._offsets = self._lengths = array("q")
        self._check_ids, self._check_by_id, self._held = {}, {}, []
        return CaseList(_Spooled(self._file, offsets, lengths, tuple(self._checks)), counts=CaseCounts(*self._counts))


class _Spooled:
    """The file and the place of each case in it (in id order)."""

    __slots__ = ("file", "offsets", "lengths", "checks")

    def __init__(self, file, offsets: array, lengths: array, checks: tuple[Check, ...]):
        self.file = file
        self.offsets = offsets
        self.lengths = lengths
        self.checks = checks

    def __len__(self) -> int:
        return len(self.offsets)

    def load(self, i: int) -> CaseResult:
        cid, score, documents, findings, checks, terms, warnings = pickle.loads(
            os.pread(self.file.fileno(), self.lengths[i], self.offsets[i]))
        if checks and type(checks[0]) is int:
            checks = tuple(map(self.checks.__getitem__, checks))
        return CaseResult(cid, score, documents, findings, checks, terms, warnings)

    def close(self) -> None:
        try:
            self.file.close()
        except OSError:
            pass


class CaseList(Sequence):
    """A read-only sequence of case results in id order, in memory or read back
    lazily from the spool file; ``map`` gives a view whose cases pass through a
    function as they are read (suppressions, baselines) without reading any now.
    It compares equal to a tuple or list of the same cases and pickles as a tuple.
    ``counts``: the cases' :class:`CaseCounts`, taken as they were spooled (a
    ``map`` function must not change what they count: it marks findings, say)."""

    __slots__ = ("_src", "_fn", "counts")

    def __init__(self, src: "tuple[CaseResult, ...] | _Spooled", fn: Callable[[CaseResult], CaseResult] | None = None,
                 counts: CaseCounts | None = None):
        self._src = src
        self._fn = fn
        self.counts = counts

    @property
    def spooled(self) -> bool:
        return isinstance(self._src, _Spooled)

    def __len__(self) -> int:
        return len(self._src)

    def _get(self, i: int) -> CaseResult:
        case = self._src.load(i) if isinstance(self._src, _Spooled) else self._src[i]
        return self._fn(case) if self._fn is not None else case

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self._get(i) for i in range(*index.indices(len(self))))
        n = len(self)
        if index < 0:
            index += n
        if not 0 <= index < n:
            raise IndexError("case index out of range")
        return self._get(index)

    def __iter__(self) -> Iterator[CaseResult]:
        for i in range(len(self)):
            yield self._get(i)

    def __reversed__(self) -> Iterator[CaseResult]:
        for i in range(len(self) - 1, -1, -1):
            yield self._get(i)

    def map(self, fn: Callable[[CaseResult], CaseResult]) -> "CaseList":
        """A view of these cases, each passed through ``fn`` when it is read."""
        if self._fn is None:
            return CaseList(self._src, fn, self.counts)
        first = self._fn
        return CaseList(self._src, lambda c: fn(first(c)), self.counts)

    def __eq__(self, other) -> bool:
        if isinstance(other, (CaseList, tuple, list)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __add__(self, other):
        return tuple(self) + tuple(other)

    def __reduce__(self):
        return (tuple, (tuple(self),))

    def __repr__(self) -> str:
        where = "spooled" if self.spooled else "in memory"
        return f"CaseList({len(self)} case(s), {where})"

    def close(self) -> None:
        """Close the spool file now (it is unlinked already; this frees its disk space)."""
        if isinstance(self._src, _Spooled):
            self._src.close()


def sorted_by_id(cases) -> "Sequence[CaseResult]":
    """Cases in id order: a CaseList is already; anything else is sorted."""
    if isinstance(cases, CaseList):
        return cases
    return sorted(cases, key=lambda c: c.id)
