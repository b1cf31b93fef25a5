"""OCDS files in a scan: two streaming passes, in the parent process.

1. Every OCDS file of the scan is read once to fold its processes into Cardinal's
   tallies (``cardinal.Calculator``): the population indicators need all of them.
2. Each file is read again, process by process: the process's facts (with the
   indicator results that concern it) become one ``DocumentResult``, evaluated as
   a case of its own (``<file>#<ocid>``) for a file with no PDF beside it, or
   added to the case of the PDFs in its folder.

Only one process's release is in memory at a time, plus Cardinal's small tallies
and the case results, so memory stays flat as the file grows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterator, Sequence

from auditor.errors import INTERNAL_ERROR_CODE, DocumentReadError
from auditor.ingest.worker import DocTask
from auditor.models import DocumentError, DocumentInfo, DocumentResult
from auditor.ocds import cardinal
from auditor.ocds.facts import DOCUMENT_KIND, process_facts
from auditor.ocds.read import Process, ReadLog, iter_processes

# Indicators that flag a process: only their OCID results go to a process's facts.
# The others flag an organisation (R025, R038, R048): every process of that organisation gets the flag.
_PROCESS_INDICATORS = frozenset({"R003", "R018", "R024", "R028", "R030", "R035", "R036", "R058"})
POPULATION_INDICATORS = ("R024", "R025", "R038", "R048", "R058")
MIN_POPULATION = 30  # default: fewer processes than this give no quartiles worth the name
WARN_SHARE = 0.25  # default: an indicator flagging more than this share of its units is said in a note


@dataclass
class OcdsScan:
    """The OCDS side of one scan."""

    tasks: Sequence[DocTask]  # every OCDS file of the scan (standalone and beside PDFs)
    settings: cardinal.Settings
    parity: bool = False  # --cardinal-settings given: Cardinal's behaviour, no minimum population
    pattern_dirs: tuple[Path, ...] = ()
    flags: dict[tuple[str, str, str], float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    errors: dict[str, DocumentError] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)
    processes: int = 0

    def __post_init__(self) -> None:
        calc = cardinal.Calculator(self.settings)
        for task in self.tasks:
            log = ReadLog()
            try:
                for proc in iter_processes(task.path, log):
                    calc.add(proc.release)
            except DocumentReadError as exc:
                self.errors[task.rel] = DocumentError(exc.code, exc.message)
                continue
            except OSError as exc:
                self.errors[task.rel] = DocumentError("corrupt", f"cannot read the file: {exc.strerror or exc}")
                continue
            except Exception as exc:  # merging a hostile release
                self.errors[task.rel] = DocumentError("not-ocds", f"the releases cannot be merged ({type(exc).__name__}: {exc})")
                continue
            self.notes.extend(f"{task.rel}: {w}" for w in log.warnings[:5])
            if log.bad_lines:
                self.notes.append(f"{task.rel}: {log.bad_lines} line(s) are not JSON and were skipped")
        self.processes = calc.processes
        flags = calc.results()
        minimum = self._minimum()
        if calc.processes < minimum:
            dropped = sorted({c for (_, _, c) in flags if c in POPULATION_INDICATORS})
            flags = {k: v for k, v in flags.items() if k[2] not in POPULATION_INDICATORS}
            if dropped or any(c in self.settings.enabled for c in POPULATION_INDICATORS):
                self.notes.append(f"OCDS: {calc.processes} contracting process(es), fewer than the {minimum} the "
                                  f"population indicators ({', '.join(POPULATION_INDICATORS)}) need: they were not run")
        self.flags = flags
        self._warn_share(calc.processes)
        self._by_unit: dict[tuple[str, str], list[tuple[str, str, str, float]]] = defaultdict(list)
        for (group, ident, code), value in flags.items():
            if group == "OCID" or code not in _PROCESS_INDICATORS:
                self._by_unit[(group, ident)].append((group, ident, code, value))

    def _minimum(self) -> int:
        value = self.settings.get("auditor", "minimum_population")
        if value is not None:
            return int(float(value))
        return 0 if self.parity else MIN_POPULATION

    def _warn_share(self, n: int) -> None:
        value = self.settings.get("auditor", "warn_share")
        share = float(value) if value is not None else WARN_SHARE
        if n == 0 or self.parity and value is None:
            return
        by_code: dict[str, int] = defaultdict(int)
        for (group, _, code) in self.flags:
            if group == "OCID":
                by_code[code] += 1
        for code, k in sorted(by_code.items()):
            if k / n > share:
                self.notes.append(f"Cardinal {code} ({cardinal.TITLES[code]}) flags {k} of {n} processes "
                                  f"({k / n:.0%}, more than {share:.0%}): read it as a property of this data "
                                  "set and review its threshold before treating each flag as a red flag")

    @property
    def indicators(self) -> tuple[tuple[str, str, str, float], ...]:
        return tuple(sorted((g, i, c, v) for (g, i, c), v in self.flags.items()))

    def _concerning(self, proc: Process) -> tuple[tuple[str, str, str, float], ...]:
        rel = proc.release
        units = [("OCID", proc.ocid)]
        buyer = rel.get("buyer") if isinstance(rel.get("buyer"), dict) else {}
        tender = rel.get("tender") if isinstance(rel.get("tender"), dict) else {}
        pe = tender.get("procuringEntity") if isinstance(tender.get("procuringEntity"), dict) else {}
        if buyer.get("id") is not None:
            units.append(("Buyer", str(buyer["id"])))
        if pe.get("id") is not None:
            units.append(("ProcuringEntity", str(pe["id"])))
        tenderers = set()
        bids = rel.get("bids") if isinstance(rel.get("bids"), dict) else {}
        for bid in bids.get("details") or []:
            for t in (bid.get("tenderers") or []) if isinstance(bid, dict) else []:
                if isinstance(t, dict) and t.get("id") is not None:
                    tenderers.add(str(t["id"]))
        for a in rel.get("awards") or []:
            for s in (a.get("suppliers") or []) if isinstance(a, dict) else []:
                if isinstance(s, dict) and s.get("id") is not None:
                    tenderers.add(str(s["id"]))
        units += [("Tenderer", t) for t in sorted(tenderers)]
        return tuple(x for u in units for x in self._by_unit.get(u, ()))

    def _digest(self, task: DocTask) -> str:
        if task.rel not in self.digests:
            from auditor.ingest.pdf import sha256_file

            self.digests[task.rel] = sha256_file(task.path)
        return self.digests[task.rel]

    def _pack(self):
        from auditor.extract import patterns

        return patterns.load(patterns.pack_dirs(self.pattern_dirs))

    def _error_result(self, task: DocTask) -> DocumentResult:
        return DocumentResult(DocumentInfo(path=task.rel, sha256=self._digest(task), pages=0, kind=DOCUMENT_KIND,
                                           error=self.errors[task.rel]))

    def standalone(self, tasks: Sequence[DocTask], selection: dict[str, tuple[str, ...]] | None = None,
                   ) -> Iterator[tuple[str, list[DocumentResult]]]:
        """(case id, [its document result]) per process of OCDS files with no PDF beside them;
        ``selection``: file -> the ocids its folder's case.yaml picks (the others are left out)."""
        pack = self._pack()
        selection = selection or {}
        seen: dict[tuple[str, ...], set[str]] = defaultdict(set)  # picked ocids -> those found
        for task in tasks:
            if task.rel in self.errors:
                yield task.rel, [self._error_result(task)]
                continue
            digest = self._digest(task)
            picked = selection.get(task.rel)
            for proc in iter_processes(task.path, ReadLog()):
                if picked:
                    if proc.ocid not in picked:
                        continue
                    seen[picked].add(proc.ocid)
                info = DocumentInfo(path=task.rel, sha256=digest, pages=0, kind=DOCUMENT_KIND, year=_year(proc),
                                    ocids=(proc.ocid,))
                try:
                    pf = process_facts(proc, task.rel, digest, pack, task.settings, self._concerning(proc))
                except Exception as exc:  # a bug of ours on this process: reported, the scan goes on
                    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                    error = DocumentError(INTERNAL_ERROR_CODE, f"internal error in OCDS fact extraction: "
                                          f"{type(exc).__name__}" + (f": {detail}" if detail else ""))
                    yield f"{task.rel}#{proc.ocid}", [DocumentResult(replace(info, error=error))]
                    continue
                self.notes.extend(pf.notes)
                yield f"{task.rel}#{proc.ocid}", [DocumentResult(info, tuple(pf.facts))]
        for picked in dict.fromkeys(selection.values()):
            folder = next(rel for rel, p in selection.items() if p == picked).rpartition("/")[0]
            self._unlisted(folder or ".", picked, seen[picked])

    def _unlisted(self, where: str, picked: tuple[str, ...], found: set[str]) -> None:
        missing = [o for o in picked if o not in found]
        if missing:
            self.notes.append(f"warning: {where}: case.yaml lists {len(missing)} ocid(s) that no OCDS file of "
                              f"the case holds: {', '.join(missing[:5])}" + (" ..." if len(missing) > 5 else ""))

    def beside_pdfs(self, tasks: Sequence[DocTask], pdf_kinds: frozenset[str] | set[str] | None = None,
                    ocids: tuple[str, ...] = (), pdfs: Sequence[DocumentResult] = ()) -> list[DocumentResult]:
        """One document result per OCDS file of a PDF case, with the facts of its processes:
        those ``ocids`` names (the case.yaml's ``ocids``), else all (``pdf_kinds``: the kinds of
        the case's PDFs, to say which listed documents it lacks; ``pdfs``: their results, to say
        when several processes were read and the PDFs name none of them)."""
        pack = self._pack()
        out = []
        found: set[str] = set()
        mentioned = False
        names = _pdf_references(pdfs)
        for task in tasks:
            if task.rel in self.errors:
                out.append(self._error_result(task))
                continue
            digest = self._digest(task)
            facts, ocids_read, years = [], [], []
            for proc in iter_processes(task.path, ReadLog()):
                if ocids and proc.ocid not in ocids:
                    continue
                found.add(proc.ocid)
                mentioned = mentioned or bool(names & _process_references(proc))
                pf = process_facts(proc, task.rel, digest, pack, task.settings, self._concerning(proc),
                                   pdf_kinds=pdf_kinds)
                self.notes.extend(pf.notes)
                facts.extend(pf.facts)
                ocids_read.append(proc.ocid)
                years.append(_year(proc))
            if len(ocids_read) > 1:
                self.notes.append(f"{task.rel}: {len(ocids_read)} contracting processes read into case {task.case_id}; "
                                  "their facts are checked together with the PDFs")
            info = DocumentInfo(path=task.rel, sha256=digest, pages=0, kind=DOCUMENT_KIND,
                                year=next((y for y in years if y), None), ocids=tuple(ocids_read))
            out.append(DocumentResult(info, tuple(facts)))
        case_id = tasks[0].case_id if tasks else ""
        if ocids:
            self._unlisted(case_id, ocids, found)
        elif len(found) > 1 and not mentioned:
            self.notes.append(
                f"warning: {case_id}: {len(found)} OCDS contracting processes were read into the case and its PDFs "
                "name none of them (no ocid, tender, award or contract id of theirs): the cross-checks may compare "
                "the documents with other procurements; list the case's processes in its case.yaml (ocids: [...])")
        return out


def _pdf_references(pdfs: Sequence[DocumentResult]) -> set[str]:
    """The identifiers (reference-number facts) the case's PDFs give, compared as keys."""
    return {f.get("key") for r in pdfs for f in r.facts if f.kind == "reference-number" and f.get("key")}


def _process_references(proc: Process) -> set[str]:
    """The identifiers of a process a PDF may cite: its ocid (whole, and the publisher's part
    after the ``ocds-xxxxxx-`` prefix), and its tender, award and contract ids."""
    from auditor.extract.facts import reference_key

    rel = proc.release
    ids = [proc.ocid, proc.ocid.split("-", 2)[2] if proc.ocid.count("-") >= 2 else ""]
    tender = rel.get("tender") if isinstance(rel.get("tender"), dict) else {}
    ids.append(tender.get("id"))
    for key in ("awards", "contracts"):
        items = rel.get(key)
        if isinstance(items, list):
            ids.extend(x.get("id") for x in items if isinstance(x, dict))
    return {k for k in (reference_key(str(i)) for i in ids if i not in (None, "")) if len(k) >= 4}


def _year(proc: Process) -> int | None:
    date = proc.release.get("date")
    return int(date[:4]) if isinstance(date, str) and date[:4].isdigit() else None


def results_of_texts(named_texts: Sequence[tuple[str, str]], pack=None, settings=None,
                     pdf_kinds: set[str] | None = None) -> list[DocumentResult]:
    """Document results of OCDS texts (rule self-tests): each text as a file of that
    name, all read as one case, Cardinal's indicators with their defaults and no
    minimum population."""
    import tempfile

    from auditor.settings import DEFAULT

    with tempfile.TemporaryDirectory(prefix="auditor-ocds-") as tmp:
        tasks = []
        for name, text in named_texts:
            path = Path(tmp) / Path(name).name
            path.write_text(text, encoding="utf-8")
            tasks.append(DocTask(path, name, "test", settings or DEFAULT))
        scan = OcdsScan(tasks, cardinal.Settings.default(), parity=True)
        if pack is not None:
            scan._pack = lambda: pack  # the rule's own pack
        return scan.beside_pdfs(tasks, pdf_kinds)
