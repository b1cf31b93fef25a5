"""discover -> ingest -> extract -> evaluate -> score.

Documents stream through the workers in case order; as soon as the last
document of a case is read, the case's rules are evaluated and its page texts
and facts are dropped, so memory stays flat however large the folder.
A failing document or a failing rule becomes a record in the report; the run
goes on.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

from auditor import __version__
from auditor.errors import NOT_A_FILE_CODE, UsageError
from auditor.ingest.pdf import special_file_reason
from auditor.ingest.worker import DocTask
from auditor.models import (
    AuditResult,
    CaseResult,
    Check,
    DocumentInfo,
    DocumentResult,
    Finding,
    Outcome,
    ScanStats,
    Severity,
    Skipped,
)
from auditor.options import ScanOptions
from auditor.safe_text import display_path
from auditor.ruleset.engine import CaseView, case_score, evaluate_rule
from auditor.terms import DEFAULT_SPREAD, build as build_terms
from auditor.ruleset.schema import Rule

PDF_SUFFIXES = (".pdf",)


@dataclass(frozen=True)
class CaseSpec:
    id: str
    documents: tuple[DocTask, ...]
    pack: Path | None = None  # the pack its case.yaml names
    rules: tuple[Rule, ...] | None = None  # this case's rules, when its pack gives it its own
    ocds: tuple[DocTask, ...] = ()  # OCDS files beside its PDFs: their processes join the case
    ocids: tuple[str, ...] = ()  # the processes its case.yaml picks from those files (empty: all)


@dataclass
class Discovery:
    cases: list[CaseSpec] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # OCDS files with no PDF beside them: each contracting process is a case (<file>#<ocid>)
    ocds_files: list[DocTask] = field(default_factory=list)
    # the processes a folder's case.yaml picks from those files (file -> ocids; absent: all)
    ocds_selection: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _hidden(name: str) -> bool:
    return name.startswith(".")


def discover(paths: Sequence[Path], *, case_per_file: bool = False, exclude: Sequence[str] = (),
             whole_case: bool = False) -> Discovery:
    """Cases and documents under the given paths.

    A case is a folder that directly holds at least one PDF; its id is its path
    relative to the scanned root, and the root's own name when it is the root
    (never "."); a document's path is its case folder's id, then its name.  Files
    given one by one are grouped by folder as if the folder holding them all had
    been scanned: the files of one folder form that folder's case, exactly as the
    folder scan would.  With several paths each id starts with its root's name.
    ``case_per_file`` makes each document a case of its own (its path is its id).
    ``whole_case``: a file given by name brings every document of its folder
    with it (the pre-commit hook: a changed PDF is checked with its case).
    ``exclude``: glob patterns matched against a document's or folder's report
    path and its trailing parts (``drafts/*``, ``*.scan.pdf``); what they match is
    listed as skipped.  A case folder's ``case.yaml`` may name the case, its pack
    and the documents that belong together; it is not a document.  OCDS files
    (``.json``/``.jsonl``) beside a case's PDFs join that case; elsewhere each of
    their contracting processes is a case.  Every path met and not read (a FIFO or
    device, an unreadable file or folder, another format) is listed as skipped
    with its reason; names are shown with undecodable bytes escaped."""
    found = Discovery()
    if not paths:
        raise UsageError("no path given: auditor scan PATH...")
    roots = [Path(p) for p in paths]
    for p in roots:
        if not p.exists():
            raise UsageError(f"path not found: {p}")
    kept = []
    for r in roots:
        special = special_file_reason(r)
        if special is not None:  # a FIFO or a device on the command line: never opened
            found.skipped.append(Skipped(display_path(r.name or str(r)), special))
        else:
            kept.append(r)
    groups: list[tuple[Path, list[Path] | None]] = [(r, None) for r in kept if r.is_dir()]
    files = [r for r in kept if not r.is_dir()]
    if files:
        common = Path(os.path.commonpath([str(f.resolve().parent) for f in files]))
        groups.append((common, files))
    multi = len(groups) > 1
    used: set[str] = set()
    claimed: set[Path] = set()  # a document named twice (as a file and inside a folder) is read once
    for root, only in sorted(groups, key=lambda g: g[1] is not None):
        prefix = _unique_prefix(root, used) if multi else ""
        own = display_path(prefix or root.resolve().name or "root")  # the id of the root folder's own case

        def folder_id_of(rel_dir: str, own=own, prefix=prefix) -> str:
            rel_dir = display_path(rel_dir)  # names are shown, bytes escaped
            return own if rel_dir == "." else (f"{prefix}/{rel_dir}" if prefix else rel_dir)

        def unreadable(exc: OSError, root=root, folder_id_of=folder_id_of) -> None:
            # a folder os.walk cannot list: said, never silently dropped
            rel = Path(exc.filename).relative_to(root).as_posix() if exc.filename else "."
            found.skipped.append(Skipped(folder_id_of(rel), f"folder cannot be read: {exc.strerror or exc}"))

        for here, names in (_walk(root, unreadable) if only is None else _given(only, whole_case)):
            rel_dir = here.resolve().relative_to(root.resolve()).as_posix() if only is not None else here.relative_to(root).as_posix()
            folder_id = folder_id_of(rel_dir)
            if _excluded(folder_id, exclude) and rel_dir != ".":
                found.skipped.append(Skipped(folder_id + "/", "excluded (--exclude)"))
                continue
            _add_folder(found, here, folder_id, names, claimed, case_per_file, exclude,
                        listed=only is not None and not whole_case)
    seen: dict[str, CaseSpec] = {}
    for spec in found.cases:
        if spec.id in seen:
            a, b = seen[spec.id].documents[0].path.parent, spec.documents[0].path.parent
            raise UsageError(f"two cases have the id '{spec.id}' ({a} and {b}): give one of them another "
                             "name in its case.yaml, or scan them separately")
        seen[spec.id] = spec
    return found


def _walk(root: Path, onerror: Callable[[OSError], None] | None = None) -> Iterator[tuple[Path, list[str]]]:
    """(folder, its file names) for every folder under root, hidden ones left out;
    ``onerror`` hears of each folder that cannot be listed."""
    for dirpath, dirnames, filenames in os.walk(root, onerror=onerror, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not _hidden(d))
        yield Path(dirpath), sorted(filenames)


def _given(files: Sequence[Path], whole_case: bool = False) -> Iterator[tuple[Path, list[str]]]:
    """(folder, the file names given in it) for files named on the command line;
    with ``whole_case``, every file of those folders."""
    by_dir: dict[Path, list[str]] = {}
    for f in files:
        by_dir.setdefault(f.resolve().parent, []).append(f.name)
    for folder in sorted(by_dir):
        names = sorted(os.listdir(folder)) if whole_case else by_dir[folder]
        yield folder, sorted(set(names))


def _add_folder(found: Discovery, here: Path, folder_id: str, names: Sequence[str], claimed: set[Path],
                case_per_file: bool, exclude: Sequence[str], listed: bool) -> None:
    """The case (or, with case_per_file, the cases) of one folder's documents."""
    from auditor.ocds.read import is_ocds_name
    from auditor.ruleset.packs import CASE_FILE, read_case_file

    docs: list[DocTask] = []
    ocds: list[DocTask] = []
    candidates: list[tuple[str, Path, str]] = []
    for name in names:
        if (_hidden(name) and not listed) or name == CASE_FILE:
            continue
        full = here / name
        rel = f"{folder_id}/{display_path(name)}"
        if _excluded(rel, exclude):
            found.skipped.append(Skipped(rel, "excluded (--exclude)"))
        elif not full.is_file():
            found.skipped.append(Skipped(rel, special_file_reason(full) or "not a regular file"))
        elif not os.access(full, os.R_OK):
            found.skipped.append(Skipped(rel, "cannot be read: permission denied"))
        elif full.suffix.lower() in PDF_SUFFIXES:
            candidates.append((name, full, rel))
        elif is_ocds_name(name):
            resolved = full.resolve()
            if resolved not in claimed:
                claimed.add(resolved)
                ocds.append(DocTask(resolved, rel, folder_id))
        else:
            found.skipped.append(Skipped(rel, f"not a PDF ({full.suffix or 'no extension'})"))
    if not candidates:  # no PDF beside them: each process is a case of its own
        _standalone(found, ocds, read_case_file(here.resolve()).ocids if ocds else ())
        return
    case = read_case_file(here.resolve())
    case_id = case.name or folder_id
    for name, full, rel in candidates:
        if case.documents and name not in case.documents:
            found.skipped.append(Skipped(rel, f"not among the documents of {CASE_FILE}"))
            continue
        resolved = full.resolve()
        if resolved in claimed:
            continue
        claimed.add(resolved)
        docs.append(DocTask(resolved, rel, rel if case_per_file else case_id))
    if case_per_file:
        found.cases.extend(CaseSpec(d.rel, (d,), case.pack) for d in docs)
        _standalone(found, ocds, case.ocids)
    elif docs:
        ocds = [replace(t, case_id=case_id) for t in ocds]
        found.cases.append(CaseSpec(case_id, tuple(docs), case.pack, ocds=tuple(ocds), ocids=case.ocids))
    else:
        _standalone(found, ocds, case.ocids)


def _standalone(found: Discovery, ocds: Sequence[DocTask], ocids: tuple[str, ...]) -> None:
    """OCDS files read on their own (a case per process), with the processes case.yaml picks."""
    found.ocds_files.extend(ocds)
    if ocids:
        found.ocds_selection.update((t.rel, ocids) for t in ocds)


def _excluded(rel: str, patterns: Sequence[str]) -> bool:
    """Whether a report path, or any of its trailing parts, matches a glob."""
    if not patterns:
        return False
    from fnmatch import fnmatchcase

    parts = rel.strip("/").split("/")
    tails = ["/".join(parts[i:]) for i in range(len(parts))]
    return any(fnmatchcase(t, g.strip("/")) for g in patterns for t in tails)


def _unique_prefix(root: Path, used: set[str]) -> str:
    base = display_path(root.resolve().name) or "root"
    name, n = base, 2
    while name in used:
        name, n = f"{base}-{n}", n + 1
    used.add(name)
    return name


# --- evaluation of one case -------------------------------------------------------------


def evaluate_case(case_id: str, results: Sequence[DocumentResult], rules: Sequence[Rule],
                  baseline: frozenset[str] = frozenset(), country: str | None = None) -> CaseResult:
    """``country``: the jurisdiction of the case (its pack's ``settings.country``);
    each finding's legal basis is the part of its rule's references that applies there."""
    view = CaseView(case_id, tuple(r.info for r in results), tuple(f for r in results for f in r.facts))
    findings: list[Finding] = []
    checks: list[Check] = []
    for rule in rules:
        try:
            outcome = evaluate_rule(rule, view)
        except Exception as exc:  # one broken rule never stops the scan
            checks.append(Check(rule.id, Outcome.ERROR, f"rule error: {type(exc).__name__}: {exc}"))
            continue
        checks.append(_shared(outcome.check))
        findings.extend(outcome.findings)
    if country:
        from auditor.models import legal_basis_in

        refs = {r.id: r.references for r in rules}
        findings = [replace(f, legal_basis=legal_basis_in(refs.get(f.rule_id, ()), country)) for f in findings]
    if baseline:
        findings = [replace(f, known=f.fingerprint in baseline) for f in findings]
    findings.sort(key=finding_order)
    terms = build_terms(view.facts, {d.path: d.kind for d in view.documents}, _max_spread(rules))
    from auditor.relatedness import unrelated_warning

    warning = unrelated_warning(case_id, results)
    return CaseResult(
        id=case_id,
        score=case_score(findings),
        documents=tuple(r.info for r in results),
        findings=tuple(findings),
        checks=tuple(sorted(checks, key=lambda c: c.rule_id)),
        terms=terms,
        warnings=(warning,) if warning else (),
    )


def _max_spread(rules: Sequence[Rule]) -> float:
    """The term sheet flags two contract values as a conflict where the contract-value-mismatch
    rule would: beyond that rule's threshold (its default when the rule is not loaded)."""
    for rule in rules:
        if rule.id == "contract-value-mismatch" and isinstance(rule.parameters.get("max_spread"), (int, float)):
            return float(rule.parameters["max_spread"])
    return DEFAULT_SPREAD
_CHECKS: dict[Check, Check] = {}


def _shared(check: Check) -> Check:
    """One object per distinct check: a scan of 100,000 OCDS processes holds millions of
    identical "not fired" checks otherwise."""
    if len(_CHECKS) > 10_000:
        _CHECKS.clear()
    return _CHECKS.setdefault(check, check)


def finding_order(f: Finding) -> tuple:
    ev = f.evidence[0] if f.evidence else None
    return (-f.severity.rank, -f.score, f.rule_id, ev.document if ev else "", ev.page if ev else 0, f.fingerprint)


# --- the whole scan --------------------------------------------------------------------


def iter_case_results(
    discovery: Discovery,
    options: ScanOptions,
    on_document: Callable[[DocTask, DocumentResult], None] | None = None,
    timings: dict[str, float] | None = None,
) -> Iterator[tuple[CaseSpec, list[DocumentResult]]]:
    """(case, its document results) as soon as each case is complete."""
    if options.executor == "dask":
        from auditor.ingest.dask_executor import process_documents
    else:
        from auditor.ingest.pool import process_documents

    tasks = [t for c in discovery.cases for t in c.documents]
    remaining = {c.id: len(c.documents) for c in discovery.cases}
    by_id = {c.id: c for c in discovery.cases}
    pending: dict[str, list[DocumentResult]] = {}
    for task, result in zip(tasks, process_documents(tasks, options, on_done=on_document, timings=timings)):
        pending.setdefault(task.case_id, []).append(result)
        remaining[task.case_id] -= 1
        if remaining[task.case_id] == 0:
            yield by_id[task.case_id], pending.pop(task.case_id)


def run_scan(
    paths: Sequence[Path],
    options: ScanOptions,
    rules: Sequence[Rule],
    *,
    baseline: frozenset[str] | None = None,
    on_document: Callable[[DocTask, DocumentResult], None] | None = None,
    discovery: Discovery | None = None,
    timestamp: str | None = None,
    notes: Sequence[str] = (),
) -> AuditResult:
    """``notes``: run notes of the caller's (rule-pack warnings), reported first."""
    t_scan = time.perf_counter()
    discovery = discovery or discover(paths)
    from auditor.spool import CaseSpool

    # each case's result goes to the spool as soon as it is evaluated (to a temporary
    # file past a threshold); what the summary needs is tallied here as it passes
    spool = CaseSpool()
    tally = _Tally()
    stage: dict[str, float] = {}
    parent: dict[str, float] = {}
    cache_hits = 0
    skipped = list(discovery.skipped)
    ocds = _ocds_scan(discovery, options)
    for spec, results in iter_case_results(discovery, options, on_document, parent):
        # a path that was no regular file when it was opened (a FIFO swapped in): skipped, not a document
        gone = [r for r in results if r.info.error is not None and r.info.error.code == NOT_A_FILE_CODE]
        if gone:
            skipped.extend(Skipped(r.info.path, r.info.error.message) for r in gone)
            results = [r for r in results if all(r is not g for g in gone)]
            if not results:
                continue
        for r in results:
            for name, secs in r.timings:
                stage[name] = stage.get(name, 0.0) + secs
            cache_hits += r.from_cache
        if spec.ocds and ocds is not None:
            results = list(results) + ocds.beside_pdfs(spec.ocds, {r.info.kind for r in results if r.info.error is None},
                                                       ocids=spec.ocids, pdfs=results)
        t0 = time.perf_counter()
        case_rules = spec.rules if spec.rules is not None else rules
        country = spec.documents[0].settings.country if spec.documents else None
        case = evaluate_case(spec.id, results, case_rules, baseline or frozenset(), country)
        stage["rules"] = stage.get("rules", 0.0) + time.perf_counter() - t0
        tally.add(case)
        spool.add(case)
        # Drop this case's facts now: the loop variable would otherwise keep them
        # alive while the next case's documents are read (two cases in memory).
        del results, case
    if ocds is not None:
        t0 = time.perf_counter()
        for case_id, results in ocds.standalone(discovery.ocds_files, discovery.ocds_selection):
            case = evaluate_case(case_id, results, rules, baseline or frozenset())
            tally.add(case)
            spool.add(case)
            del results, case
        stage["ocds"] = time.perf_counter() - t0
    cases = spool.finish()
    # per-document stages are summed over the workers (CPU-ish seconds); "prepare",
    # "wait" and "scan" are the parent's own wall-clock seconds
    stage.update(parent)
    stage["scan"] = time.perf_counter() - t_scan
    stats = ScanStats(
        documents=tally.documents,
        pages=tally.pages,
        ocr_pages=tally.ocr_pages,
        unread_pages=tally.unread_pages,
        errors=tally.errors,
        cache_hits=cache_hits,
        seconds=tuple(sorted((k, round(v, 4)) for k, v in stage.items())),
    )
    notes = (tuple(notes) + tally.warning_notes() + _notes(tally.unread_docs())
             + (tuple(ocds.notes) if ocds is not None else ()))
    # the rules applied: the run's, and those only a case's pack brought (by id, the run's first)
    applied = {r.id: r for r in rules}
    for spec in discovery.cases:
        for r in spec.rules or ():
            applied.setdefault(r.id, r)
    return AuditResult(
        tool_version=__version__,
        roots=tuple(display_path(str(p)) for p in paths),
        cases=cases,
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        rules=tuple(r.info() for r in sorted(applied.values(), key=lambda r: r.id)),
        stats=stats,
        generated_at=timestamp,
        notes=notes,
        baseline_used=baseline is not None,
        indicators=ocds.indicators if ocds is not None else (),
        sources=tuple(sorted((t.rel, str(t.path)) for c in discovery.cases for t in c.documents)),
    )


class _Tally:
    """What the stats and the run notes need of the cases, counted as each one is
    evaluated (the cases themselves are spooled): the documents' counts, and the
    few documents with unread pages and the cases' warnings, put in id order at
    the end as a list of the sorted cases would give them."""

    def __init__(self) -> None:
        self.documents = self.pages = self.ocr_pages = self.unread_pages = self.errors = 0
        self._warnings: list[tuple[str, str]] = []
        self._unread: list[tuple[str, DocumentInfo]] = []

    def add(self, case: CaseResult) -> None:
        for d in case.documents:
            self.documents += 1
            self.pages += d.pages
            self.ocr_pages += len(d.ocr_pages)
            self.unread_pages += len(d.unread_pages)
            self.errors += d.error is not None
            if d.unread_pages:
                self._unread.append((case.id, d))
        self._warnings.extend((case.id, w) for w in case.warnings)

    def warning_notes(self) -> tuple[str, ...]:
        return tuple(f"warning: {w}" for _, w in sorted(self._warnings, key=lambda t: t[0]))

    def unread_docs(self) -> list[DocumentInfo]:
        return [d for _, d in sorted(self._unread, key=lambda t: t[0])]


def _ocds_scan(discovery: Discovery, options: ScanOptions):
    """The OCDS side of the scan (None without OCDS files): pass 1, Cardinal's population."""
    tasks = list(discovery.ocds_files) + [t for c in discovery.cases for t in c.ocds]
    if not tasks:
        return None
    from auditor.ocds import cardinal
    from auditor.ocds.scan import OcdsScan

    if options.cardinal_settings is not None:
        try:
            settings = cardinal.Settings.from_ini(options.cardinal_settings)
        except cardinal.SettingsError as exc:
            raise UsageError(str(exc)) from None
    else:
        settings = cardinal.Settings.default()
    return OcdsScan(tasks, settings, parity=options.cardinal_settings is not None, pattern_dirs=options.pattern_dirs)


def _notes(docs) -> tuple[str, ...]:
    """Run-wide notes, said once: pages that went unread and why."""
    by_reason: dict[str, list[str]] = {}
    for d in docs:
        if d.unread_pages:
            reason = d.unread_reason or "no usable text"
            by_reason.setdefault(reason, []).append(f"{d.path} ({_ranges(d.unread_pages)})")
    notes = []
    for reason, items in sorted(by_reason.items()):
        total = sum(1 for d in docs for _ in d.unread_pages if (d.unread_reason or "no usable text") == reason)
        notes.append(f"{total} page(s) unread — {reason}: " + "; ".join(items))
    return tuple(notes)


def _ranges(pages: Iterable[int]) -> str:
    pages = sorted(pages)
    out: list[str] = []
    start = prev = None
    for p in pages:
        if start is None:
            start = prev = p
        elif p == prev + 1:
            prev = p
        else:
            out.append(f"p.{start}" if start == prev else f"pp.{start}-{prev}")
            start = prev = p
    if start is not None:
        out.append(f"p.{start}" if start == prev else f"pp.{start}-{prev}")
    return ", ".join(out)


# --- exit codes and baselines ----------------------------------------------------------------


def load_baseline(path: Path) -> frozenset[str]:
    """Fingerprints of the findings in a previous JSON report.  Anything that
    is not the shape of one is a usage error naming the baseline."""
    shown = display_path(str(path))
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"baseline not found: {shown}") from None
    except RecursionError:
        raise UsageError(f"baseline is not a JSON report: {shown} (nested too deeply)") from None
    except (OSError, ValueError) as exc:
        raise UsageError(f"baseline is not a JSON report: {shown} ({exc})") from None
    if not isinstance(data, dict) or "cases" not in data:
        raise UsageError(f"baseline is not an auditor JSON report (no 'cases'): {shown}")
    cases = data["cases"]
    if not isinstance(cases, list):
        raise UsageError(f"baseline is not an auditor JSON report ('cases' is not a list): {shown}")
    fps = set()
    for i, case in enumerate(cases):
        if not isinstance(case, dict):
            raise UsageError(f"baseline is not an auditor JSON report (cases[{i}] is not an object): {shown}")
        findings = case.get("findings") or []
        if not isinstance(findings, list):
            raise UsageError(f"baseline is not an auditor JSON report (cases[{i}].findings is not a list): {shown}")
        for f in findings:
            if isinstance(f, dict) and isinstance(f.get("fingerprint"), str) and f["fingerprint"]:
                fps.add(f["fingerprint"])
    return frozenset(fps)


def failing(result: AuditResult, fail_on: Severity | None) -> list[Finding]:
    if fail_on is None:
        return []
    return [f for f in result.iter_findings()
            if not f.known and f.suppressed is None and f.severity.rank >= fail_on.rank]
