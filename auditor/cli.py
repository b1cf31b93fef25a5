"""Command line: parse options, call the pipeline, choose a renderer, exit code.

Nothing else lives here.  Heavy libraries (pdfplumber, pandas, pypdfium2, yaml,
rich tables) are imported only by the code paths that use them, so ``auditor
--help`` starts fast; and the options of the commands are converted without
typer's pydantic layer (see ``_FastCommand``).  The console script itself is
``auditor.entry.main``: a well-formed ``auditor scan`` runs there without typer at
all (``auditor.scan_command``), and only ``--help``, errors and the other commands
come here; both paths run the same ``scan_command.run``.
"""

from __future__ import annotations

import time

_T_IMPORT = time.perf_counter()  # for --timings: when this module began to load

import os
import sys
from pathlib import Path
from typing import Any, List, Optional

import typer
import typer.core

from auditor import __version__
from auditor.errors import AuditorError, ExitCode
from auditor.scan_command import (  # noqa: F401  (shared with the facts and rules commands; exit_code for callers)
    FORMAT_CHOICES,
    SEVERITY_CHOICES,
    _load_rule_set,
    _refuse_inputs,
    _rule_cache_dir,
    _rule_dirs,
    _scan_options,
    _write,
    choice,
    exit_code,
    internal_errors,
)

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
        for param in params:  # --help: a flag takes no value, so it shows no type (not <bool>)
            if getattr(param, "is_flag", False) and getattr(param, "metavar", None) is None:
                param.metavar = ""
            elif getattr(param, "param_type_name", "") == "argument" and getattr(param, "metavar", None):
                param.display_type_rich = lambda ctx=None: None  # the metavar says it (not <list[Path]>)
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
    add_completion=True,
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
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """auditor: the procurement red-flag auditor."""


# --- shared helpers ----------------------------------------------------------------------


def _fail(err: AuditorError) -> None:
    from auditor.safe_text import strip_controls

    typer.echo(strip_controls(err.render(), keep_newlines=True), err=True)
    raise typer.Exit(int(err.exit_code))


def _load_rules(rule_dirs: list[Path] | None, builtin: bool = True, cache_dir: Optional[Path] = None):
    return list(_load_rule_set(rule_dirs, builtin, cache_dir).rules)


def _warn(notes) -> None:
    """Rule-pack warnings, once each on stderr."""
    from auditor.safe_text import strip_controls

    for note in notes:
        typer.echo(f"auditor: {strip_controls(str(note))}", err=True)


_MAX_DOC_TIMEOUT = 7 * 24 * 3600.0  # a week: above it a timer overflows, and no scan means it


OCR_HELP = "OCR of pages without a usable text layer: auto (default), off, force (every page)."


# --- scan ----------------------------------------------------------------------------------


@app.command(cls=_FastCommand)
def scan(
    ctx: typer.Context,
    paths: List[Path] = typer.Argument(..., metavar="PATH", help="PDF files or folders; each folder that holds PDFs is a case, and files of one folder given one by one form that folder's case. '-' reads one path per line from stdin."),
    format: str = typer.Option("table", "--format", "-f", metavar=f"[{FORMAT_CHOICES}]", help="Report format; jsonl is one finding per line; cardinal is OCP Cardinal's indicator output (OCDS input)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the report to FILE instead of stdout."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", metavar=f"[{SEVERITY_CHOICES}]", help="Exit 1 if a finding (not known, not suppressed) has this severity or higher."),
    strict: bool = typer.Option(False, "--strict", help="Exit 3 if any document could not be read."),
    rules: List[Path] = typer.Option([], "--rules", metavar="DIR", help="Extra rule directory or jurisdiction pack (repeatable, e.g. packs/kenya), loaded after the built-in pack; a rule with a built-in id replaces it. A case folder's case.yaml (pack: kenya) adds a pack for that case."),
    no_builtin_rules: bool = typer.Option(False, "--no-builtin-rules", help="Use only the rules given with --rules."),
    select: List[str] = typer.Option([], "--select", metavar="ID|TAG", help="Run only the rules with this id or tag (repeatable or comma-separated)."),
    ignore: List[str] = typer.Option([], "--ignore", metavar="ID|TAG", help="Do not run the rules with this id or tag (repeatable or comma-separated)."),
    exclude: List[str] = typer.Option([], "--exclude", metavar="GLOB", help="Leave out documents and folders whose path (or its trailing part) matches GLOB, e.g. 'drafts/*' (repeatable); they are listed as skipped."),
    case_per_file: bool = typer.Option(False, "--case-per-file", help="Make every document a case of its own (archives of unrelated documents)."),
    whole_case: bool = typer.Option(False, "--whole-case", help="A PDF given by name brings the other documents of its folder's case with it (the pre-commit hook: a changed PDF is checked with the documents it is compared with)."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", metavar="FILE", help="A previous JSON report: its findings are marked known and do not count for --fail-on."),
    suppressions: Optional[Path] = typer.Option(None, "--suppressions", metavar="FILE", help="A suppressions file (fingerprint + reason per finding): those findings are shown as suppressed and do not count for --fail-on."),
    write_suppressions: Optional[Path] = typer.Option(None, "--write-suppressions", metavar="FILE", help="Write (or update) a suppressions file with every finding of this scan; needs --reason."),
    reason: str = typer.Option("", "--reason", metavar="TEXT", help="With --write-suppressions: the reason recorded for each new entry."),
    config: Optional[Path] = typer.Option(None, "--config", metavar="FILE", help="Read options from FILE (.auditor.yaml or pyproject.toml) instead of the nearest one above the current directory."),
    no_config: bool = typer.Option(False, "--no-config", help="Read no configuration file."),
    sarif_base_uri: Optional[str] = typer.Option(None, "--sarif-base-uri", metavar="DIR", help="SARIF: make document URIs relative to DIR (default: the git repository's top level, else the current directory)."),
    ocr: str = typer.Option("auto", "--ocr", metavar="[auto|off|force]", help=OCR_HELP),
    ocr_lang: str = typer.Option("eng", "--ocr-lang", metavar="LANG", help="Main tesseract language(s), e.g. eng or eng+urd; pages read poorly are retried with another installed script (e.g. urd)."),
    dpi: int = typer.Option(300, "--dpi", metavar="N", help="Rendering resolution for OCR."),
    jobs: int = typer.Option(0, "--jobs", "-j", metavar="N", help="Worker processes (0 = number of CPUs)."),
    doc_timeout: float = typer.Option(300.0, "--doc-timeout", metavar="SECONDS", help="Seconds allowed per document before it is reported as 'timeout'."),
    executor: str = typer.Option("local", "--executor", metavar="[local|dask]", help="Where documents are read: local (worker processes on this machine) or dask (a Dask cluster; needs the optional 'dask' extra of auditor)."),
    scheduler: Optional[str] = typer.Option(None, "--scheduler", metavar="ADDRESS", help="With --executor dask: the scheduler's address, e.g. tcp://10.0.0.5:8786 (default: $DASK_SCHEDULER_ADDRESS, else a local cluster of --jobs workers)."),
    send_bytes: bool = typer.Option(False, "--send-bytes", help="With --executor dask: send the documents' bytes to the workers (when they cannot see the files)."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", metavar="DIR", help="Cache directory (default: the user cache directory)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    timestamp: bool = typer.Option(False, "--timestamp", help="Put the scan time in the report (off: output is deterministic)."),
    timings: bool = typer.Option(False, "--timings", help="Add per-stage seconds to the JSON report, and print the time to render and the total on stderr."),
    width: int = typer.Option(0, "--width", metavar="COLUMNS", help="Width of the table output (0 = the terminal's)."),
    debug: bool = typer.Option(False, "--debug", help="Print the traceback of internal errors (bugs) on stderr."),
    max_memory: int = typer.Option(256, "--max-memory", metavar="MB", help="MiB of resident memory one document may use (its worker process and OCR together); more: 'too-large'. 0 = no bound."),
    cardinal_settings: Optional[Path] = typer.Option(None, "--cardinal-settings", metavar="FILE", help="OCP Cardinal's settings INI for OCDS input: which indicators run and their thresholds (with --format cardinal: Cardinal's output)."),
) -> None:
    """Scan PDFs and report red flags with page-cited evidence.

    Example: auditor scan filings/ --format sarif --output auditor.sarif --fail-on high
    """
    from auditor.scan_command import run

    values = {k: v for k, v in locals().items() if k != "ctx"}
    given = {name for name in values if _given(ctx, name)}
    code = run(values, given, _T_IMPORT)
    if code:
        raise typer.Exit(code)


def _given(ctx: Any, name: str) -> bool:
    """Whether the option was given on the command line (not left at its default)."""
    try:
        from typer._click.core import ParameterSource

        return ctx.get_parameter_source(name) not in (ParameterSource.DEFAULT, ParameterSource.DEFAULT_MAP, None)
    except Exception:  # another typer/click: every option counts as given, the config file yields to it
        return True


# --- facts ----------------------------------------------------------------------------------


@app.command(cls=_FastCommand)
def facts(
    paths: List[Path] = typer.Argument(..., metavar="PATH", help="PDF files or folders."),
    format: str = typer.Option("table", "--format", "-f", metavar="[table|json|csv]", help="Output format."),
    kind: List[str] = typer.Option([], "--kind", "-k", metavar="KIND", help="Only facts of this kind (repeatable)."),
    asserted_only: bool = typer.Option(False, "--asserted", help="Only asserted facts (hide negated, hypothetical, reported)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
    ocr: str = typer.Option("auto", "--ocr", metavar="[auto|off|force]", help=OCR_HELP),
    ocr_lang: str = typer.Option("eng", "--ocr-lang", metavar="LANG", help="Tesseract language(s)."),
    jobs: int = typer.Option(0, "--jobs", "-j", metavar="N", help="Worker processes (0 = number of CPUs)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", metavar="DIR", help="Cache directory."),
    width: int = typer.Option(0, "--width", metavar="COLUMNS", help="Width of the table output (0 = the terminal's)."),
) -> None:
    """Every fact extracted from the documents, with its evidence and status, so you
    can see why a rule fired or did not.

    Example: auditor facts fixtures/cases/clean-open-tender --kind tendering-waived
    """
    from auditor.extract.kinds import FACT_KINDS
    from auditor.facts_report import render_facts
    from auditor.pipeline import _ocds_scan, discover, iter_case_results

    try:
        format = choice("--format", format, ("table", "json", "csv"))
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

        def add(case_id: str, results) -> None:
            for r in results:
                for f in r.facts:
                    if kind and f.kind not in kind:
                        continue
                    if asserted_only and not f.asserted:
                        continue
                    rows.append((case_id, r.info, f))

        # the OCDS records' facts too, as the scan reads them (beside a case's PDFs, or alone)
        ocds = _ocds_scan(found, options)
        for spec, results in iter_case_results(found, options):
            add(spec.id, results)
            if spec.ocds and ocds is not None:
                add(spec.id, ocds.beside_pdfs(spec.ocds, {r.info.kind for r in results if r.info.error is None},
                                              ocids=spec.ocids, pdfs=results))
        if ocds is not None:
            for case_id, results in ocds.standalone(found.ocds_files, found.ocds_selection):
                add(case_id, results)
        term_width = width or (os.get_terminal_size().columns if sys.stdout.isatty() else 140)
        _write(render_facts(rows, format, term_width), output, "json" if format == "json" else "text")
    except AuditorError as err:
        _fail(err)


# --- terms ----------------------------------------------------------------------------------


@app.command(cls=_FastCommand)
def terms(
    paths: List[Path] = typer.Argument(..., metavar="PATH", help="PDF files or folders; each folder that holds PDFs is a case."),
    format: str = typer.Option("table", "--format", "-f", metavar="[table|json|csv]", help="Output format; csv is one row per case, one column per term."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write to FILE instead of stdout."),
    ocr: str = typer.Option("auto", "--ocr", metavar="[auto|off|force]", help=OCR_HELP),
    ocr_lang: str = typer.Option("eng", "--ocr-lang", metavar="LANG", help="Tesseract language(s)."),
    jobs: int = typer.Option(0, "--jobs", "-j", metavar="N", help="Worker processes (0 = number of CPUs)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", metavar="DIR", help="Cache directory."),
    width: int = typer.Option(0, "--width", metavar="COLUMNS", help="Width of the table output (0 = the terminal's)."),
) -> None:
    """The contract term sheet of each case: buyer, vendors, lenders, borrower, contract
    value, estimates, financing, procurement method, dates and subject, each with the
    pages it rests on, the conflicts between documents and the terms no document states.

    Example: auditor terms fixtures/cases/islamabad-safe-city --format csv
    """
    from auditor.pipeline import discover, run_scan
    from auditor.report.terms_view import render_terms

    try:
        format = choice("--format", format, ("table", "json", "csv"))
        options = _scan_options(ocr, ocr_lang, 300, jobs, 300.0, cache_dir, no_cache, True)
        from auditor.ruleset.packs import with_case_packs

        rule_cache = _rule_cache_dir(options)
        loaded = _load_rule_set(None, cache_dir=rule_cache)
        found, notes = with_case_packs(discover(paths), _rule_dirs(None), loaded, rule_cache)
        _refuse_inputs(output, paths, found)
        _warn(notes)
        result = run_scan(paths, options, list(loaded.rules), discovery=found, notes=notes)
        term_width = width or (os.get_terminal_size().columns if sys.stdout.isatty() else 100)
        _write(render_terms(result, format, term_width), output, "json" if format == "json" else "text")
    except AuditorError as err:
        _fail(err)


# --- rules ----------------------------------------------------------------------------------


@rules_app.command("list", cls=_FastCommand)
def rules_list(
    rules: List[Path] = typer.Option([], "--rules", metavar="DIR", help="Extra rule directory (repeatable)."),
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
    rule_id: str = typer.Argument(..., metavar="RULE_ID", help="The rule id, e.g. waived-tendering."),
    rules: List[Path] = typer.Option([], "--rules", metavar="DIR", help="Extra rule directory (repeatable)."),
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
    directory: Optional[Path] = typer.Argument(None, metavar="[DIR]", help="Rule directory (default: the built-in pack)."),
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
    kind: str = typer.Option("rule", "--kind", metavar="[rule|pattern|macros|relevance|language|pack]", help="rule (a rule file), pattern (a pattern set file), macros (patterns/macros.yaml), relevance (patterns/relevance.yaml), language (patterns/language.yaml) or pack (pack.yaml)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", metavar="FILE", help="Write the schema to FILE instead of stdout."),
) -> None:
    """Print the JSON Schema (draft 2020-12) of rule files, pattern files or pack
    manifests, for editors and CI; generated from the validator's own tables.

    Example: auditor rules schema --kind rule -o rule.schema.json
    """
    from auditor.ruleset.json_schema import KINDS, render

    try:
        kind = choice("--kind", kind, KINDS)
        _write(render(kind), output, "json")
    except AuditorError as err:
        _fail(err)


@rules_app.command("test", cls=_FastCommand)
def rules_test(
    directory: Optional[Path] = typer.Argument(None, metavar="[DIR]", help="Rule directory (default: the built-in pack)."),
    rule_id: Optional[str] = typer.Option(None, "--rule", metavar="RULE_ID", help="Only this rule."),
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
    from auditor.scan_command import guarded

    guarded(lambda: app(), sys.argv[1:])
