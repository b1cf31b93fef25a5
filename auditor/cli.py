"""Command line: parse options, call the pipeline, choose a renderer, exit code.

Nothing else lives here.  Heavy libraries (pdfplumber, pandas, pypdfium2, yaml,
rich tables) are imported only by the code paths that use them, so ``auditor
--help`` starts fast; and the options of the commands are converted without
typer's pydantic layer (see ``_FastCommand``), so a warm ``auditor scan`` spends
its time on the scan, not on start-up.
"""

from __future__ import annotations

import time

_T_IMPORT = time.perf_counter()  # for --timings: when this module began to load

import os
import sys
from pathlib import Path
from typing import Any, Iterable, List, Optional

import typer
import typer.core

from auditor import __version__
from auditor.errors import AuditorError, ExitCode

# --- option conversion without pydantic ------------------------------------------------
#
# typer (≥ 0.2x) converts every non-boolean option through a pydantic TypeAdapter,
# built on first use: importing pydantic and building the adapters costs ≈ 80 ms on
# every run, a third of a warm rescan.  The options of this CLI are plain str, int,
# float, Path and lists of those; _FastCommand converts well-formed values of these
# itself and hands anything else (a malformed number, an odd type) to typer's own
# conversion, so accepted values and error messages are exactly typer's.  Should
# typer's internals change, the hook does nothing and typer converts as before.

_INT = None
_FLOAT = None


def _fast_scalar(annotation: Any):
    """A converter str -> value for a simple annotation, or None.  The converter
    raises ValueError for anything it is not sure about."""
    global _INT, _FLOAT
    import re

    if annotation is str:
        def conv(v: Any) -> Any:
            if isinstance(v, str):
                return v
            raise ValueError
        return conv
    if annotation is int:
        _INT = _INT or re.compile(r"\s*[+-]?[0-9]+\s*")

        def conv(v: Any) -> Any:
            if type(v) is int:
                return v
            if isinstance(v, str) and _INT.fullmatch(v):
                return int(v)
            raise ValueError
        return conv
    if annotation is float:
        _FLOAT = _FLOAT or re.compile(r"\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*")

        def conv(v: Any) -> Any:
            if type(v) in (int, float):
                return float(v)
            if isinstance(v, str) and _FLOAT.fullmatch(v):
                return float(v)
            raise ValueError
        return conv
    if annotation is bool:
        def conv(v: Any) -> Any:
            if isinstance(v, bool):
                return v
            raise ValueError
        return conv
    if annotation is Path:
        def conv(v: Any) -> Any:
            if isinstance(v, Path):
                return v
            if isinstance(v, str) and v:
                return Path(v)
            raise ValueError
        return conv
    return None


def _install_fast_conversion(params: list) -> None:
    try:
        from typer._coercion import RuntimeParam
        from typer._param_types import coerce_cli_path
    except ImportError:  # another typer: its own conversion applies
        return
    for param in params:
        desc = getattr(param, "type_descriptor", None)
        if desc is None or getattr(param, "_runtime_param", 0) is not None or desc.file_annotation is not None:
            continue
        annotation = desc.annotation
        is_list = getattr(annotation, "__origin__", None) is list
        leaf = annotation.__args__[0] if is_list and len(getattr(annotation, "__args__", ())) == 1 else annotation
        conv = _fast_scalar(leaf)
        if conv is None:
            continue
        info = desc.parameter_info
        if leaf is Path and (info.path_type not in (None, Path) or info.allow_dash):
            continue
        param._runtime_param = _make_fast_param(RuntimeParam, coerce_cli_path, param, conv, leaf is Path, is_list)


_FAST_CLASS: Any = None


def _make_fast_param(base, coerce_cli_path, param, conv, is_path: bool, is_list: bool):
    global _FAST_CLASS
    if _FAST_CLASS is None:
        from dataclasses import dataclass

        @dataclass(frozen=True)
        class _Fast(base):  # type: ignore[misc, valid-type]
            conv: Any
            is_path: bool
            is_list: bool
            coerce_path: Any

            def _coerce_value(self, value: Any, param: Any, ctx: Any) -> Any:
                try:
                    if self.is_list:
                        if not isinstance(value, (list, tuple)):
                            raise ValueError
                        out = [self.conv(v) for v in value]
                        if self.is_path:
                            out = [self.coerce_path(v, self.parameter_info, path_type=Path, param=param, ctx=ctx) for v in out]
                        return out
                    out = self.conv(value)
                    if self.is_path:
                        out = self.coerce_path(out, self.parameter_info, path_type=Path, param=param, ctx=ctx)
                    return out
                except ValueError:  # not a plain value: typer's own conversion decides
                    from typer._coercion import build_runtime_param

                    return build_runtime_param(param.type_descriptor)._coerce_value(value, param=param, ctx=ctx)

        _FAST_CLASS = _Fast
    desc = param.type_descriptor
    return _FAST_CLASS(parameter_info=desc.parameter_info, annotation=desc.annotation, conv=conv,
                       is_path=is_path, is_list=is_list, coerce_path=coerce_cli_path)


class _FastParams:
    """Mixin: the parameters of this command (its --help too) are converted
    without pydantic where they can be."""

    def get_params(self, ctx: Any) -> list:
        params = super().get_params(ctx)  # type: ignore[misc]
        try:
            _install_fast_conversion(params)
        except Exception:  # never let a start-up optimisation break the CLI
            pass
        return params


class _FastCommand(_FastParams, typer.core.TyperCommand):
    pass


class _FastGroup(_FastParams, typer.core.TyperGroup):
    pass


app = typer.Typer(
    name="auditor",
    cls=_FastGroup,
    help=(
        "Read procurement documents and court judgments (PDF) and report procurement red flags "
        "with page-cited, verbatim evidence.\n\n"
        "Example: auditor scan fixtures/cases/islamabad-safe-city"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
rules_app = typer.Typer(
    cls=_FastGroup,
    help="List, explain, validate and test the rule pack.\n\nExample: auditor rules show waived-tendering",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"auditor {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """auditor: the procurement red-flag auditor."""


# --- shared helpers ----------------------------------------------------------------------


def _fail(err: AuditorError) -> None:
    from auditor.safe_text import strip_controls

    typer.echo(strip_controls(err.render(), keep_newlines=True), err=True)
    raise typer.Exit(int(err.exit_code))


def _rule_dirs(rule_dirs: list[Path] | None, builtin: bool = True) -> list[Path]:
    from auditor.ruleset.schema import builtin_rules_dir

    return ([builtin_rules_dir()] if builtin else []) + list(rule_dirs or [])


def _load_rule_set(rule_dirs: list[Path] | None, builtin: bool = True, cache_dir: Optional[Path] = None):
    """The rules and extraction settings of the run (packs expanded)."""
    from auditor.ruleset.packs import load_rule_set

    rule_set, _ = load_rule_set(_rule_dirs(rule_dirs, builtin), cache_dir=cache_dir)
    return rule_set


def _load_rules(rule_dirs: list[Path] | None, builtin: bool = True, cache_dir: Optional[Path] = None):
    return list(_load_rule_set(rule_dirs, builtin, cache_dir).rules)


def _warn(notes) -> None:
    """Rule-pack warnings, once each on stderr."""
    from auditor.safe_text import strip_controls

    for note in notes:
        typer.echo(f"auditor: {strip_controls(str(note))}", err=True)


_MAX_DOC_TIMEOUT = 7 * 24 * 3600.0  # a week: above it a timer overflows, and no scan means it


def _scan_options(ocr: str, ocr_lang: str, dpi: int, jobs: int, doc_timeout: float, cache_dir: Optional[Path],
                  no_cache: bool, quiet: bool, pattern_dirs: Iterable[Path] = (), executor: str = "local",
                  scheduler: Optional[str] = None, send_bytes: bool = False):
    from auditor.options import OcrMode, ScanOptions

    try:
        mode = OcrMode(ocr)
    except ValueError:
        raise AuditorError(f"--ocr must be one of: auto, off, force (got {ocr!r})") from None
    if jobs < 0:
        raise AuditorError("--jobs must be 0 (all CPUs) or a positive number")
    if not (0 < doc_timeout < _MAX_DOC_TIMEOUT):  # also refuses nan
        raise AuditorError(f"--doc-timeout must be a positive number of seconds below {_MAX_DOC_TIMEOUT:.0f} "
                           f"(got {doc_timeout!r})")
    return ScanOptions(
        ocr=mode,
        ocr_lang=ocr_lang,
        dpi=dpi,
        jobs=jobs,
        doc_timeout=doc_timeout,
        cache_dir=cache_dir,
        use_cache=not no_cache,
        progress=(not quiet) and sys.stderr.isatty(),
        pattern_dirs=tuple(Path(d).resolve() for d in pattern_dirs),
        **_executor_fields(executor, scheduler, send_bytes),
    )


def _with_memory_bound(options, max_memory: int):
    """``--max-memory``: the resident-memory bound of one document (issue 15)."""
    from dataclasses import replace

    if max_memory < 0:
        raise AuditorError("--max-memory must be 0 (no bound) or a positive number of MiB")
    if 0 < max_memory < MIN_MEMORY_MB:
        raise AuditorError(f"--max-memory must be at least {MIN_MEMORY_MB} MiB (a worker needs that much to start)")
    return replace(options, max_rss_mb=max_memory)


MIN_MEMORY_MB = 64


def _write(text: str, output: Optional[Path]) -> None:
    from auditor.outfile import write_file, write_stdout

    if output is None:
        write_stdout(text)
    else:
        write_file(text, output)


def _refuse_inputs(output: Optional[Path], paths: Iterable[Path], found) -> None:
    """--output must not be an input document nor a PDF inside a scanned folder."""
    from auditor.outfile import refuse_inputs
    from auditor.pipeline import PDF_SUFFIXES

    docs = [t.path for c in found.cases for t in c.documents]
    refuse_inputs(output, list(paths), docs, PDF_SUFFIXES)


OCR_HELP = "OCR of pages without a usable text layer: auto (default), off, force (every page)."


def _executor_fields(executor: str, scheduler: Optional[str], send_bytes: bool) -> dict[str, Any]:
    """The ScanOptions fields of ``--executor``; the scheduler's address falls back
    to ``DASK_SCHEDULER_ADDRESS``, and is None for a LocalCluster."""
    if executor not in ("local", "dask"):
        raise AuditorError(f"--executor must be one of: local, dask (got {executor!r})")
    if executor == "local":
        if scheduler:
            raise AuditorError("--scheduler needs --executor dask")
        if send_bytes:
            raise AuditorError("--send-bytes needs --executor dask")
        return {"executor": executor}
    from auditor.ingest.dask_executor import SCHEDULER_ENV

    address = (scheduler or os.environ.get(SCHEDULER_ENV) or "").strip()
    return {"executor": executor, "scheduler": address or None, "send_bytes": send_bytes}


# --- scan ----------------------------------------------------------------------------------


@app.command(cls=_FastCommand)
def scan(
    paths: List[Path] = typer.Argument(..., help="PDF files or folders; each folder that holds PDFs is a case."),
    format: str = typer.Option("table", "--format", "-f", help="table, json, markdown, sarif, csv or html."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE instead of stdout."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 if a finding has this severity or higher (info, low, medium, high, critical)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 3 if any document could not be read."),
    rules: List[Path] = typer.Option([], "--rules", help="Extra rule directory or jurisdiction pack (repeatable, e.g. packs/kenya), loaded after the built-in pack; a rule with a built-in id replaces it. A case folder's case.yaml (pack: kenya) adds a pack for that case."),
    no_builtin_rules: bool = typer.Option(False, "--no-builtin-rules", help="Use only the rules given with --rules."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="A previous JSON report: its findings are marked known and do not count for --fail-on."),
    ocr: str = typer.Option("auto", "--ocr", help=OCR_HELP),
    ocr_lang: str = typer.Option("eng", "--ocr-lang", help="Main tesseract language(s), e.g. eng or eng+urd; pages read poorly are retried with another installed script (e.g. urd)."),
    dpi: int = typer.Option(300, "--dpi", help="Rendering resolution for OCR."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes (0 = number of CPUs)."),
    doc_timeout: float = typer.Option(300.0, "--doc-timeout", help="Seconds allowed per document before it is reported as 'timeout'."),
    executor: str = typer.Option("local", "--executor", help="Where documents are read: local (worker processes on this machine) or dask (a Dask cluster; needs the optional 'dask' extra of auditor)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", help="With --executor dask: the scheduler's address, e.g. tcp://10.0.0.5:8786 (default: $DASK_SCHEDULER_ADDRESS, else a local cluster of --jobs workers)."),
    send_bytes: bool = typer.Option(False, "--send-bytes", help="With --executor dask: send the documents' bytes to the workers (when they cannot see the files)."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Cache directory (default: the user cache directory)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    timestamp: bool = typer.Option(False, "--timestamp", help="Put the scan time in the report (off: output is deterministic)."),
    timings: bool = typer.Option(False, "--timings", help="Add per-stage seconds to the JSON report, and print the time to render and the total on stderr."),
    width: int = typer.Option(0, "--width", help="Width of the table output (0 = the terminal's)."),
    debug: bool = typer.Option(False, "--debug", help="Print the traceback of internal errors (bugs) on stderr."),
    max_memory: int = typer.Option(160, "--max-memory", help="MiB of resident memory one document may use (its worker process and OCR together); more: 'too-large'. 0 = no bound."),
) -> None:
    """Scan PDFs and report red flags with page-cited evidence.

    Example: auditor scan filings/ --format sarif --output auditor.sarif --fail-on high
    """
    t_entry = time.perf_counter()
    if debug:
        from auditor.ingest.worker import DEBUG_ENV

        os.environ[DEBUG_ENV] = "1"  # the workers inherit it
    from auditor.models import Severity
    from auditor.pipeline import discover, load_baseline, run_scan
    from auditor.report import Format, RenderOptions, render

    clock: dict[str, float] = {}
    try:
        try:
            fmt = Format(format.lower())
        except ValueError:
            raise AuditorError(f"--format must be one of: {', '.join(f.value for f in Format)} (got {format!r})") from None
        try:
            threshold = Severity.parse(fail_on) if fail_on else None
        except ValueError as exc:
            raise AuditorError(f"--fail-on: {exc}") from None
        options = _scan_options(ocr, ocr_lang, dpi, jobs, doc_timeout, cache_dir, no_cache, quiet, rules,
                                executor, scheduler, send_bytes)
        options = _with_memory_bound(options, max_memory)
        clock["startup"] = time.perf_counter() - _T_IMPORT
        t0 = time.perf_counter()
        from auditor.ruleset.packs import with_case_packs

        rule_cache = _rule_cache_dir(options)
        base_dirs = _rule_dirs(rules, builtin=not no_builtin_rules)
        loaded = _load_rule_set(rules, builtin=not no_builtin_rules, cache_dir=rule_cache)
        rule_set = list(loaded.rules)
        if not rule_set:
            raise AuditorError("no rules to apply (--no-builtin-rules without --rules)")
        clock["load_rules"] = time.perf_counter() - t0
        known = load_baseline(baseline) if baseline else None
        t0 = time.perf_counter()
        found, notes = with_case_packs(discover(paths), base_dirs, loaded, rule_cache)
        _refuse_inputs(output, paths, found)
        _warn(notes)
        clock["discover"] = time.perf_counter() - t0
        stamp = None
        if timestamp:
            from datetime import datetime, timezone

            stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        on_document, finish = _progress(found, options)
        try:
            result = run_scan(paths, options, rule_set, baseline=known, on_document=on_document, discovery=found,
                              timestamp=stamp, notes=notes)
        finally:
            finish()
        if timings:
            result = _with_clock(result, clock)
        from auditor.report.terminal import table_width, use_color

        term_width = table_width(width, sys.stdout)
        color = use_color(sys.stdout, to_file=output is not None, is_table=fmt is Format.TABLE)
        links: tuple = ()
        if fmt in (Format.HTML, Format.MARKDOWN):  # links to the documents, relative to where the report goes
            from auditor.report.html import document_links

            docs = [(t.rel, t.path) for case in found.cases for t in case.documents]
            links = document_links(docs, (output.parent if output is not None else Path.cwd()).resolve())
        t0 = time.perf_counter()
        text = render(result, fmt, RenderOptions(width=term_width, color=color, timings=timings, document_links=links))
        clock["report"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        _write(text, output)
        clock["write"] = time.perf_counter() - t0
    except AuditorError as err:
        _fail(err)
        return
    if timings:
        # The report cannot hold the time it took to render itself: said on stderr.
        import json

        clock["command"] = time.perf_counter() - t_entry
        clock["total"] = time.perf_counter() - _T_IMPORT
        typer.echo("auditor timings: " + json.dumps({k: round(v, 4) for k, v in clock.items()}), err=True)
    if output is not None and not quiet:
        n = sum(len(c.findings) for c in result.cases)
        from auditor.safe_text import strip_controls

        typer.echo(f"wrote {strip_controls(str(output))} ({n} finding(s) in {len(result.cases)} case(s))", err=True)
    code = exit_code(result, threshold, strict)
    if code is ExitCode.INTERNAL:
        docs, checks = internal_errors(result)
        typer.echo(f"auditor: internal error (a bug) in {docs} document(s) and {checks} rule check(s); "
                   "the report lists them" + ("" if debug else " (--debug shows the tracebacks)"), err=True)
    if code is not ExitCode.OK:
        raise typer.Exit(int(code))


def internal_errors(result) -> tuple[int, int]:
    """(documents whose fact extraction failed, rule checks that raised): bugs."""
    from auditor.errors import INTERNAL_ERROR_CODE
    from auditor.models import Outcome

    docs = sum(1 for d in result.documents
               if (d.error is not None and d.error.code == INTERNAL_ERROR_CODE) or d.internal_errors)
    checks = sum(1 for c in result.cases for k in c.checks if k.outcome is Outcome.ERROR)
    return docs, checks


def exit_code(result, threshold, strict: bool) -> ExitCode:
    """The exit code of a scan that ran, by priority: an internal error (4) over
    an unreadable document with --strict (3) over a finding at --fail-on (1)."""
    from auditor.pipeline import failing

    if any(internal_errors(result)):
        return ExitCode.INTERNAL
    if strict and result.stats.errors:
        return ExitCode.UNREADABLE
    if failing(result, threshold):
        return ExitCode.FINDINGS
    return ExitCode.OK


def _with_clock(result, clock: dict[str, float]):
    """The result with the CLI's own stages (start-up, rule loading, discovery)
    added to the per-stage seconds of ``--timings``."""
    from dataclasses import replace

    stage = dict(result.stats.seconds)
    for name in ("startup", "load_rules", "discover"):
        if name in clock:
            stage[name] = round(clock[name], 4)
    return replace(result, stats=replace(result.stats, seconds=tuple(sorted(stage.items()))))


def _rule_cache_dir(options) -> Optional[Path]:
    """Where the validated rule pack is cached: beside the document cache, and
    not at all with --no-cache."""
    if not options.use_cache:
        return None
    if options.cache_dir is not None:
        return options.cache_dir
    from auditor.ingest.cache import default_dir

    return default_dir()


def _progress(found, options):
    """A progress bar on stderr when it is a terminal (documents, pages, current file, ETA)."""
    if not options.progress:
        return None, lambda: None
    try:
        from auditor.progress import ScanProgress
    except ImportError:
        return None, lambda: None
    bar = ScanProgress(found)
    bar.start()
    return bar, bar.stop  # called per finished document; the pool also tells it what is in flight


# --- facts ----------------------------------------------------------------------------------


@app.command(cls=_FastCommand)
def facts(
    paths: List[Path] = typer.Argument(..., help="PDF files or folders."),
    format: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
    kind: List[str] = typer.Option([], "--kind", "-k", help="Only facts of this kind (repeatable)."),
    asserted_only: bool = typer.Option(False, "--asserted", help="Only asserted facts (hide negated, hypothetical, reported)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to FILE instead of stdout."),
    ocr: str = typer.Option("auto", "--ocr", help=OCR_HELP),
    ocr_lang: str = typer.Option("eng", "--ocr-lang", help="Tesseract language(s)."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes (0 = number of CPUs)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Cache directory."),
    width: int = typer.Option(0, "--width", help="Width of the table output (0 = the terminal's)."),
) -> None:
    """Every fact extracted from the documents, with its evidence and status, so you
    can see why a rule fired or did not.

    Example: auditor facts fixtures/cases/clean-open-tender --kind tendering-waived
    """
    from auditor.extract.kinds import FACT_KINDS
    from auditor.facts_report import render_facts
    from auditor.pipeline import discover, iter_case_results

    try:
        if format not in ("table", "json", "csv"):
            raise AuditorError(f"--format must be one of: table, json, csv (got {format!r})")
        for k in kind:
            if k not in FACT_KINDS:
                raise AuditorError(f"unknown fact kind {k!r} (known: {', '.join(FACT_KINDS)})")
        options = _scan_options(ocr, ocr_lang, 300, jobs, 300.0, cache_dir, no_cache, True)
        from auditor.ruleset.packs import with_case_packs

        base = _rule_dirs(None)
        found, notes = with_case_packs(discover(paths), base, _load_rule_set(None, cache_dir=_rule_cache_dir(options)),
                                       _rule_cache_dir(options))
        _refuse_inputs(output, paths, found)
        _warn(notes)
        rows = []
        for spec, results in iter_case_results(found, options):
            for r in results:
                for f in r.facts:
                    if kind and f.kind not in kind:
                        continue
                    if asserted_only and not f.asserted:
                        continue
                    rows.append((spec.id, r.info, f))
        term_width = width or (os.get_terminal_size().columns if sys.stdout.isatty() else 140)
        _write(render_facts(rows, format, term_width), output)
    except AuditorError as err:
        _fail(err)


# --- rules ----------------------------------------------------------------------------------


@rules_app.command("list", cls=_FastCommand)
def rules_list(
    rules: List[Path] = typer.Option([], "--rules", help="Extra rule directory (repeatable)."),
) -> None:
    """List the rules: id, severity, status, title.

    Example: auditor rules list
    """
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from auditor.safe_text import strip_controls

    try:
        rule_set = _load_rules(rules)
    except AuditorError as err:
        _fail(err)
        return
    table = Table(title=f"{len(rule_set)} rules")
    for col in ("id", "severity", "status", "title", "tests"):
        table.add_column(col)
    for r in sorted(rule_set, key=lambda r: r.id):
        table.add_row(Text(r.id), r.severity.value, r.status, Text(strip_controls(r.title)), "yes" if r.test_file else "no")
    Console(width=max(100, os.get_terminal_size().columns if sys.stdout.isatty() else 120)).print(table)


@rules_app.command("show", cls=_FastCommand)
def rules_show(
    rule_id: str = typer.Argument(..., help="The rule id, e.g. waived-tendering."),
    rules: List[Path] = typer.Option([], "--rules", help="Extra rule directory (repeatable)."),
) -> None:
    """What a rule flags, why it matters, its legal basis and an example.

    Example: auditor rules show short-bidding-period
    """
    from auditor.ruleset.docs import rule_markdown

    try:
        rule_set = _load_rules(rules)
    except AuditorError as err:
        _fail(err)
        return
    match = [r for r in rule_set if r.id == rule_id]
    if not match:
        import difflib

        close = difflib.get_close_matches(rule_id, [r.id for r in rule_set], n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        typer.echo(f"error: no rule {rule_id!r}{hint}", err=True)
        raise typer.Exit(int(ExitCode.USAGE))
    typer.echo(rule_markdown(match[0]))


@rules_app.command("validate", cls=_FastCommand)
def rules_validate(
    directory: Optional[Path] = typer.Argument(None, help="Rule directory (default: the built-in pack)."),
) -> None:
    """Check rule files against the schema and report every problem as file:line:col.

    Example: auditor rules validate my-rules/
    """
    from auditor.ruleset.packs import load_rule_set
    from auditor.ruleset.schema import builtin_rules_dir
    from auditor.ruleset.selftest import lint_tests

    target = directory or builtin_rules_dir()
    loaded, problems = load_rule_set([target], collect=True)
    own = _own_rules(loaded.rules, target)
    problems = problems + lint_tests(target, own)
    for p in sorted(problems, key=lambda p: (p.file, p.line, p.col)):
        typer.echo(p.render())
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {target}", err=True)
        raise typer.Exit(int(ExitCode.USAGE))
    _warn(loaded.notes)
    typer.echo(f"{len(own)} rule(s) valid in {target}")


@rules_app.command("schema", cls=_FastCommand)
def rules_schema(
    kind: str = typer.Option("rule", "--kind", help="rule (a rule file), pattern (a pattern set file), macros (patterns/macros.yaml), relevance (patterns/relevance.yaml), language (patterns/language.yaml) or pack (pack.yaml)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the schema to FILE instead of stdout."),
) -> None:
    """Print the JSON Schema (draft 2020-12) of rule files, pattern files or pack
    manifests, for editors and CI; generated from the validator's own tables.

    Example: auditor rules schema --kind rule -o rule.schema.json
    """
    from auditor.ruleset.json_schema import KINDS, render

    try:
        if kind not in KINDS:
            raise AuditorError(f"--kind must be one of: {', '.join(KINDS)} (got {kind!r})")
        _write(render(kind), output)
    except AuditorError as err:
        _fail(err)


@rules_app.command("test", cls=_FastCommand)
def rules_test(
    directory: Optional[Path] = typer.Argument(None, help="Rule directory (default: the built-in pack)."),
    rule_id: Optional[str] = typer.Option(None, "--rule", help="Only this rule."),
) -> None:
    """Run the rules' self-tests (<id>.test.yaml): texts that must fire and must not.

    Example: auditor rules test --rule waived-tendering
    """
    from auditor.ruleset.packs import load_rule_set
    from auditor.ruleset.schema import builtin_rules_dir
    from auditor.ruleset.selftest import load_tests, run_case

    target = directory or builtin_rules_dir()
    try:
        loaded, _ = load_rule_set([target])
    except AuditorError as err:
        _fail(err)
        return
    failed = total = 0
    for rule in sorted(_own_rules(loaded.rules, target), key=lambda r: r.id):
        if rule_id and rule.id != rule_id:
            continue
        try:
            cases = load_tests(rule)
        except AuditorError as err:
            _fail(err)
            return
        for case in cases:
            total += 1
            ok, detail = run_case(rule, case, loaded.settings)
            if not ok:
                failed += 1
                typer.echo(f"FAIL {rule.id} [{case.expect} #{case.index}] {case.label}: {detail}")
    typer.echo(f"{total - failed}/{total} rule test(s) passed")
    if failed:
        raise typer.Exit(int(ExitCode.FINDINGS))


def _own_rules(rules, directory: Path) -> list:
    """The rules defined in this directory (not those of the packs it extends)."""
    here = directory.resolve()
    return [r for r in rules if Path(r.source).resolve().parent == here]


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        import errno

        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            # a full disk or device (stdout > /dev/full): the environment's, not a bug
            from auditor.outfile import drop_stdout

            drop_stdout()
            typer.echo(f"error: cannot write: {exc.strerror or exc}", err=True)
            sys.exit(int(ExitCode.USAGE))
        _internal(exc)


def _internal(exc: BaseException) -> None:
    """A bug: one line, the traceback only with --debug; exit 4."""
    from auditor.ingest.worker import DEBUG_ENV

    if os.environ.get(DEBUG_ENV) or "--debug" in sys.argv[1:]:
        import traceback

        traceback.print_exception(exc)
    from auditor.safe_text import strip_controls

    detail = strip_controls(str(exc).strip().splitlines()[0]) if str(exc).strip() else ""
    typer.echo(f"auditor: internal error: {type(exc).__name__}" + (f": {detail}" if detail else ""), err=True)
    sys.exit(int(ExitCode.INTERNAL))
