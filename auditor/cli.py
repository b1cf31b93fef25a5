"""Command line: parse options, call the pipeline, choose a renderer, exit code.

Nothing else lives here.  Heavy libraries (pdfplumber, pandas) are imported only
by the code paths that use them, so ``auditor --help`` starts fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import List, Optional

import typer

from auditor import __version__
from auditor.errors import AuditorError, ExitCode

app = typer.Typer(
    name="auditor",
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
    typer.echo(err.render(), err=True)
    raise typer.Exit(int(err.exit_code))


def _load_rules(rule_dirs: list[Path] | None, builtin: bool = True):
    from auditor.ruleset.schema import builtin_rules_dir, load_rules

    dirs = ([builtin_rules_dir()] if builtin else []) + list(rule_dirs or [])
    rules, _ = load_rules(dirs)
    return rules


def _scan_options(ocr: str, ocr_lang: str, dpi: int, jobs: int, doc_timeout: float, cache_dir: Optional[Path],
                  no_cache: bool, quiet: bool):
    from auditor.options import OcrMode, ScanOptions

    try:
        mode = OcrMode(ocr)
    except ValueError:
        raise AuditorError(f"--ocr must be one of: auto, off, force (got {ocr!r})") from None
    if jobs < 0:
        raise AuditorError("--jobs must be 0 (all CPUs) or a positive number")
    if doc_timeout <= 0:
        raise AuditorError("--doc-timeout must be positive")
    return ScanOptions(
        ocr=mode,
        ocr_lang=ocr_lang,
        dpi=dpi,
        jobs=jobs,
        doc_timeout=doc_timeout,
        cache_dir=cache_dir,
        use_cache=not no_cache,
        progress=(not quiet) and sys.stderr.isatty(),
    )


def _write(text: str, output: Optional[Path]) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, output)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise AuditorError(f"cannot write {output}: {exc.strerror or exc}") from None


OCR_HELP = "OCR of pages without a usable text layer: auto (default), off, force (every page)."


# --- scan ----------------------------------------------------------------------------------


@app.command()
def scan(
    paths: List[Path] = typer.Argument(..., help="PDF files or folders; each folder that holds PDFs is a case."),
    format: str = typer.Option("table", "--format", "-f", help="table, json, markdown, sarif, csv or html."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the report to FILE instead of stdout."),
    fail_on: Optional[str] = typer.Option(None, "--fail-on", help="Exit 1 if a finding has this severity or higher (info, low, medium, high, critical)."),
    strict: bool = typer.Option(False, "--strict", help="Exit 3 if any document could not be read."),
    rules: List[Path] = typer.Option([], "--rules", help="Extra rule directory (repeatable); loaded after the built-in pack."),
    no_builtin_rules: bool = typer.Option(False, "--no-builtin-rules", help="Use only the rules given with --rules."),
    baseline: Optional[Path] = typer.Option(None, "--baseline", help="A previous JSON report: its findings are marked known and do not count for --fail-on."),
    ocr: str = typer.Option("auto", "--ocr", help=OCR_HELP),
    ocr_lang: str = typer.Option("eng", "--ocr-lang", help="Tesseract language(s), e.g. eng or eng+urd."),
    dpi: int = typer.Option(300, "--dpi", help="Rendering resolution for OCR."),
    jobs: int = typer.Option(0, "--jobs", "-j", help="Worker processes (0 = number of CPUs)."),
    doc_timeout: float = typer.Option(300.0, "--doc-timeout", help="Seconds allowed per document before it is reported as 'timeout'."),
    cache_dir: Optional[Path] = typer.Option(None, "--cache-dir", help="Cache directory (default: the user cache directory)."),
    no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write the cache."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    timestamp: bool = typer.Option(False, "--timestamp", help="Put the scan time in the report (off: output is deterministic)."),
    timings: bool = typer.Option(False, "--timings", help="Add per-stage seconds to the JSON report."),
    width: int = typer.Option(0, "--width", help="Width of the table output (0 = the terminal's)."),
) -> None:
    """Scan PDFs and report red flags with page-cited evidence.

    Example: auditor scan filings/ --format sarif --output auditor.sarif --fail-on high
    """
    from auditor.models import Severity
    from auditor.pipeline import discover, failing, load_baseline, run_scan
    from auditor.report import Format, RenderOptions, render

    try:
        try:
            fmt = Format(format.lower())
        except ValueError:
            raise AuditorError(f"--format must be one of: {', '.join(f.value for f in Format)} (got {format!r})") from None
        try:
            threshold = Severity.parse(fail_on) if fail_on else None
        except ValueError as exc:
            raise AuditorError(f"--fail-on: {exc}") from None
        options = _scan_options(ocr, ocr_lang, dpi, jobs, doc_timeout, cache_dir, no_cache, quiet)
        rule_set = _load_rules(rules, builtin=not no_builtin_rules)
        if not rule_set:
            raise AuditorError("no rules to apply (--no-builtin-rules without --rules)")
        known = load_baseline(baseline) if baseline else None
        found = discover(paths)
        stamp = None
        if timestamp:
            from datetime import datetime, timezone

            stamp = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
        on_document, finish = _progress(found, options)
        try:
            result = run_scan(paths, options, rule_set, baseline=known, on_document=on_document, discovery=found, timestamp=stamp)
        finally:
            finish()
        term_width = width or (os.get_terminal_size().columns if sys.stdout.isatty() else 120)
        text = render(result, fmt, RenderOptions(width=term_width, color=sys.stdout.isatty() and output is None and fmt is Format.TABLE, timings=timings))
        _write(text, output)
    except AuditorError as err:
        _fail(err)
        return
    if output is not None and not quiet:
        n = sum(len(c.findings) for c in result.cases)
        typer.echo(f"wrote {output} ({n} finding(s) in {len(result.cases)} case(s))", err=True)
    if strict and result.stats.errors:
        raise typer.Exit(int(ExitCode.UNREADABLE))
    if failing(result, threshold):
        raise typer.Exit(int(ExitCode.FINDINGS))


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
    return bar.document_done, bar.stop


# --- facts ----------------------------------------------------------------------------------


@app.command()
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
        found = discover(paths)
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


@rules_app.command("list")
def rules_list(
    rules: List[Path] = typer.Option([], "--rules", help="Extra rule directory (repeatable)."),
) -> None:
    """List the rules: id, severity, status, title.

    Example: auditor rules list
    """
    from rich.console import Console
    from rich.table import Table

    try:
        rule_set = _load_rules(rules)
    except AuditorError as err:
        _fail(err)
        return
    table = Table(title=f"{len(rule_set)} rules")
    for col in ("id", "severity", "status", "title", "tests"):
        table.add_column(col)
    for r in sorted(rule_set, key=lambda r: r.id):
        table.add_row(r.id, r.severity.value, r.status, r.title, "yes" if r.test_file else "no")
    Console(width=max(100, os.get_terminal_size().columns if sys.stdout.isatty() else 120)).print(table)


@rules_app.command("show")
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


@rules_app.command("validate")
def rules_validate(
    directory: Optional[Path] = typer.Argument(None, help="Rule directory (default: the built-in pack)."),
) -> None:
    """Check rule files against the schema and report every problem as file:line:col.

    Example: auditor rules validate my-rules/
    """
    from auditor.ruleset.schema import builtin_rules_dir, load_rules
    from auditor.ruleset.selftest import lint_tests

    target = directory or builtin_rules_dir()
    rule_set, problems = load_rules([target], collect=True)
    problems = problems + lint_tests(target, rule_set)
    for p in sorted(problems, key=lambda p: (p.file, p.line, p.col)):
        typer.echo(p.render())
    if problems:
        typer.echo(f"{len(problems)} problem(s) in {target}", err=True)
        raise typer.Exit(int(ExitCode.USAGE))
    typer.echo(f"{len(rule_set)} rule(s) valid in {target}")


@rules_app.command("test")
def rules_test(
    directory: Optional[Path] = typer.Argument(None, help="Rule directory (default: the built-in pack)."),
    rule_id: Optional[str] = typer.Option(None, "--rule", help="Only this rule."),
) -> None:
    """Run the rules' self-tests (<id>.test.yaml): texts that must fire and must not.

    Example: auditor rules test --rule waived-tendering
    """
    from auditor.ruleset.schema import builtin_rules_dir, load_rules
    from auditor.ruleset.selftest import load_tests, run_case

    target = directory or builtin_rules_dir()
    try:
        rule_set, _ = load_rules([target])
    except AuditorError as err:
        _fail(err)
        return
    failed = total = 0
    for rule in sorted(rule_set, key=lambda r: r.id):
        if rule_id and rule.id != rule_id:
            continue
        try:
            cases = load_tests(rule)
        except AuditorError as err:
            _fail(err)
            return
        for case in cases:
            total += 1
            ok, detail = run_case(rule, case)
            if not ok:
                failed += 1
                typer.echo(f"FAIL {rule.id} [{case.expect} #{case.index}] {case.label}: {detail}")
    typer.echo(f"{total - failed}/{total} rule test(s) passed")
    if failed:
        raise typer.Exit(int(ExitCode.FINDINGS))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
