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
from auditor.ruleset.schema import Rule

PDF_SUFFIXES = (".pdf",)


@dataclass(frozen=True)
class CaseSpec:
    id: str
    documents: tuple[DocTask, ...]
    pack: Path | None = None  # the pack its case.yaml names
    rules: tuple[Rule, ...] | None = None  # this case's rules, when its pack gives it its own


@dataclass
class Discovery:
    cases: list[CaseSpec] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _hidden(name: str) -> bool:
    return name.startswith(".")


def discover(paths: Sequence[Path]) -> Discovery:
    """Cases and documents under the given paths.  A case is a folder that
    directly holds at least one PDF; its id is its path relative to the scanned
    root ("." for the root).  A single file is a case of its own.  A case
    folder's ``case.yaml`` (``pack: kenya``) names the pack for that case (a
    single file's: its folder's); it is not a document."""
    from auditor.ruleset.packs import CASE_FILE, read_case_pack

    found = Discovery()
    if not paths:
        raise UsageError("no path given: auditor scan PATH...")
    roots = [Path(p) for p in paths]
    for p in roots:
        if not p.exists():
            raise UsageError(f"path not found: {p}")
    multi = len(roots) > 1
    used: set[str] = set()
    for root in roots:
        prefix = _unique_prefix(root, used) if multi else ""
        special = special_file_reason(root)
        if special is not None:  # a FIFO or a device on the command line: never opened
            found.skipped.append(Skipped(prefix or root.name or str(root), special))
            continue
        if root.is_file():
            label = prefix or display_path(root.name)  # a single file is a case of its own, named after it
            if root.suffix.lower() in PDF_SUFFIXES:
                pack = read_case_pack(root.resolve().parent)
                found.cases.append(CaseSpec(label, (DocTask(root.resolve(), label, label),), pack))
            else:
                found.skipped.append(Skipped(label, f"not a PDF ({root.suffix or 'no extension'})"))
            continue
        def unreadable(exc: OSError, root=root, prefix=prefix) -> None:
            # a folder os.walk cannot list: said, never silently dropped
            rel = Path(exc.filename).relative_to(root).as_posix() if exc.filename else "."
            rel = rel if not prefix else (prefix if rel == "." else f"{prefix}/{rel}")
            found.skipped.append(Skipped(rel, f"folder cannot be read: {exc.strerror or exc}"))

        for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=False):
            dirnames[:] = sorted(d for d in dirnames if not _hidden(d))
            here = Path(dirpath)
            rel_dir = display_path(here.relative_to(root).as_posix())  # names are shown, bytes escaped
            case_id = rel_dir if not prefix else (prefix if rel_dir == "." else f"{prefix}/{rel_dir}")
            docs: list[DocTask] = []
            for name in sorted(filenames):
                if _hidden(name) or name == CASE_FILE:
                    continue
                full = here / name
                rel = display_path(name) if case_id == "." else f"{case_id}/{display_path(name)}"
                if not full.is_file():
                    found.skipped.append(Skipped(rel, special_file_reason(full) or "not a regular file"))
                elif not os.access(full, os.R_OK):
                    found.skipped.append(Skipped(rel, "cannot be read: permission denied"))
                elif full.suffix.lower() in PDF_SUFFIXES:
                    docs.append(DocTask(full.resolve(), rel, case_id))
                else:
                    found.skipped.append(Skipped(rel, f"not a PDF ({full.suffix or 'no extension'})"))
            if docs:
                found.cases.append(CaseSpec(case_id, tuple(docs), read_case_pack(here)))
    return found


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
        checks.append(outcome.check)
        findings.extend(outcome.findings)
    if country:
        from auditor.models import legal_basis_in

        refs = {r.id: r.references for r in rules}
        findings = [replace(f, legal_basis=legal_basis_in(refs.get(f.rule_id, ()), country)) for f in findings]
    if baseline:
        findings = [replace(f, known=f.fingerprint in baseline) for f in findings]
    findings.sort(key=finding_order)
    return CaseResult(
        id=case_id,
        score=case_score(findings),
        documents=tuple(r.info for r in results),
        findings=tuple(findings),
        checks=tuple(sorted(checks, key=lambda c: c.rule_id)),
    )


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
    cases: list[CaseResult] = []
    stage: dict[str, float] = {}
    parent: dict[str, float] = {}
    cache_hits = 0
    skipped = list(discovery.skipped)
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
        t0 = time.perf_counter()
        case_rules = spec.rules if spec.rules is not None else rules
        country = spec.documents[0].settings.country if spec.documents else None
        cases.append(evaluate_case(spec.id, results, case_rules, baseline or frozenset(), country))
        stage["rules"] = stage.get("rules", 0.0) + time.perf_counter() - t0
        # Drop this case's facts now: the loop variable would otherwise keep them
        # alive while the next case's documents are read (two cases in memory).
        del results
    cases.sort(key=lambda c: c.id)
    # per-document stages are summed over the workers (CPU-ish seconds); "prepare",
    # "wait" and "scan" are the parent's own wall-clock seconds
    stage.update(parent)
    stage["scan"] = time.perf_counter() - t_scan
    docs = [d for c in cases for d in c.documents]
    stats = ScanStats(
        documents=len(docs),
        pages=sum(d.pages for d in docs),
        ocr_pages=sum(len(d.ocr_pages) for d in docs),
        unread_pages=sum(len(d.unread_pages) for d in docs),
        errors=sum(1 for d in docs if d.error is not None),
        cache_hits=cache_hits,
        seconds=tuple(sorted((k, round(v, 4)) for k, v in stage.items())),
    )
    notes = tuple(notes) + _notes(docs)
    # the rules applied: the run's, and those only a case's pack brought (by id, the run's first)
    applied = {r.id: r for r in rules}
    for spec in discovery.cases:
        for r in spec.rules or ():
            applied.setdefault(r.id, r)
    return AuditResult(
        tool_version=__version__,
        roots=tuple(display_path(str(p)) for p in paths),
        cases=tuple(cases),
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        rules=tuple(r.info() for r in sorted(applied.values(), key=lambda r: r.id)),
        stats=stats,
        generated_at=timestamp,
        notes=notes,
        baseline_used=baseline is not None,
    )


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
    return [f for f in result.iter_findings() if not f.known and f.severity.rank >= fail_on.rank]
