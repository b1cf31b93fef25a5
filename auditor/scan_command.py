"""The ``scan`` command's work, without typer.

A warm rescan is bound by start-up, so ``auditor scan`` never waits for typer,
click, rich or pydantic before the cache answers: ``auditor.entry.main`` parses
a scan's command line with ``parse_scan_args`` (a table of the scan options,
kept equal to the typer declaration in ``auditor.cli`` by a test) and calls
``run``.  Anything that table does not know (``--help``, an unknown option, a
malformed number) goes to the typer CLI, which gives its usual messages and
``--help``; the typer ``scan`` command calls the same ``run``.  Messages go to
stderr; ``run`` returns the exit code.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any, Iterable, Optional

from auditor.errors import AuditorError, ExitCode

FORMAT_CHOICES = "table|json|jsonl|markdown|sarif|csv|html|cardinal"
SEVERITY_CHOICES = "info|low|medium|high|critical"


def say(text: str) -> None:
    """One message line on stderr."""
    print(text, file=sys.stderr, flush=True)


def warn_notes(notes) -> None:
    """Rule-pack warnings, once each on stderr."""
    for note in notes:
        say(f"auditor: {note}")


def _rule_dirs(rule_dirs: list[Path] | None, builtin: bool = True) -> list[Path]:
    from auditor.ruleset.schema import builtin_rules_dir

    return ([builtin_rules_dir()] if builtin else []) + list(rule_dirs or [])


def _load_rule_set(rule_dirs: list[Path] | None, builtin: bool = True, cache_dir: Optional[Path] = None):
    """The rules and extraction settings of the run (packs expanded)."""
    from auditor.ruleset.packs import load_rule_set

    rule_set, _ = load_rule_set(_rule_dirs(rule_dirs, builtin), cache_dir=cache_dir)
    return rule_set


_MAX_DOC_TIMEOUT = 7 * 24 * 3600.0  # a week: above it a timer overflows, and no scan means it
MIN_MEMORY_MB = 64


def _with_memory_bound(options, max_memory: int):
    """``--max-memory``: the resident-memory bound of one document (issue 15)."""
    from dataclasses import replace

    if max_memory < 0:
        raise AuditorError("--max-memory must be 0 (no bound) or a positive number of MiB")
    if 0 < max_memory < MIN_MEMORY_MB:
        raise AuditorError(f"--max-memory must be at least {MIN_MEMORY_MB} MiB (a worker needs that much to start)")
    return replace(options, max_rss_mb=max_memory)


def _executor_fields(executor: str, scheduler: Optional[str], send_bytes: bool) -> dict[str, Any]:
    """The ScanOptions fields of ``--executor``; the scheduler's address falls back
    to ``DASK_SCHEDULER_ADDRESS``, and is None for a LocalCluster."""
    executor = choice("--executor", executor, ("local", "dask"))
    if executor == "local":
        if scheduler:
            raise AuditorError("--scheduler needs --executor dask")
        if send_bytes:
            raise AuditorError("--send-bytes needs --executor dask")
        return {"executor": executor}
    from auditor.ingest.dask_executor import SCHEDULER_ENV

    address = (scheduler or os.environ.get(SCHEDULER_ENV) or "").strip()
    return {"executor": executor, "scheduler": address or None, "send_bytes": send_bytes}


def _refuse_inputs(output: Optional[Path], paths: Iterable[Path], found) -> None:
    """--output must not be an input document nor a PDF inside a scanned folder."""
    from auditor.outfile import refuse_inputs
    from auditor.pipeline import PDF_SUFFIXES

    docs = [t.path for c in found.cases for t in c.documents]
    refuse_inputs(output, list(paths), docs, PDF_SUFFIXES)


def _scan_options(ocr: str, ocr_lang: str, dpi: int, jobs: int, doc_timeout: float, cache_dir: Optional[Path],
                  no_cache: bool, quiet: bool, pattern_dirs: Iterable[Path] = ()):
    from auditor.options import OcrMode, ScanOptions

    try:
        mode = OcrMode(ocr)
    except ValueError:
        raise AuditorError(f"--ocr must be one of: auto, off, force (got {ocr!r})") from None
    if jobs < 0:
        raise AuditorError("--jobs must be 0 (all CPUs) or a positive number")
    if not (0 < doc_timeout < _MAX_DOC_TIMEOUT):  # also refuses inf and nan
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
    )


def _write(text, output: Optional[Path], kind: str = "text") -> None:
    """The report to FILE (UTF-8; atomically for a regular file, streamed to a
    FIFO or device; see auditor.outfile) or to stdout.  A stdout whose encoding
    cannot show every character (PYTHONIOENCODING=ascii, a legacy code page)
    still gets the whole report: JSON kinds with \\u escapes (lossless, still
    valid JSON), HTML with character references, text with '?' and a warning on
    stderr.  ``text`` may be the report's pieces (JSON and JSON Lines are rendered
    case by case): each is written as it comes."""
    from auditor.outfile import write_file, write_stdout

    if output is None:
        encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
        for piece in ((text,) if isinstance(text, str) else text):
            write_stdout(_encodable(piece, kind, encoding))
    else:
        write_file(text, output)


def _encodable(text: str, kind: str, encoding: str) -> str:
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        pass
    except LookupError:  # an unknown codec name: let the stream decide
        return text
    if kind == "json":
        import json
        import re

        return re.sub(r"[^\x00-\x7f]", lambda m: json.dumps(m.group())[1:-1], text)
    if kind == "html":
        return text.encode(encoding, "xmlcharrefreplace").decode(encoding)
    bad = sum(1 for ch in text if not _fits(ch, encoding))
    say(f"auditor: warning: the output encoding ({encoding}) cannot show {bad} character(s); they are "
        "shown as '?' (set PYTHONIOENCODING=utf-8, or write the report with --output FILE)")
    return text.encode(encoding, "replace").decode(encoding)


def _fits(ch: str, encoding: str) -> bool:
    try:
        ch.encode(encoding)
        return True
    except UnicodeEncodeError:
        return False


def choice(option: str, value: str, choices: Iterable[str]) -> str:
    """``value`` (lower-cased) if it is one of ``choices``, else a usage error that
    lists them and suggests the closest ("did you mean 'high'?")."""
    choices = tuple(choices)
    v = value.lower()
    if v in choices:
        return v
    import difflib

    close = difflib.get_close_matches(v, choices, n=1, cutoff=0.5)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    raise AuditorError(f"{option} must be one of: {', '.join(choices)} (got {value!r}{hint})")


def _stdin_paths(paths: list[Path]) -> list[Path]:
    """``-`` among the paths: one path per line from stdin (blank lines and
    ``#`` comments skipped), as ``git diff --name-only | auditor scan -`` gives."""
    if not any(str(p) == "-" for p in paths):
        return paths
    out: list[Path] = []
    for p in paths:
        if str(p) != "-":
            out.append(p)
            continue
        for line in sys.stdin.read().splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(Path(line))
    if not out:
        raise AuditorError("no path given: stdin ('-') held no path")
    return out


def _from_config(given: set[str], name: str, value: Any, config, key: str) -> Any:
    """The command line's value, unless the option was not given there and the
    config file sets it."""
    if key not in config.values or name in given:
        return value
    return config.values[key]


def _split(values) -> list[str]:
    """Repeatable options that also take comma-separated lists: --select a,b --select c."""
    return [v.strip() for item in values or () for v in str(item).split(",") if v.strip()]


def _selected(rule_set, found, select, ignore):
    """The run's rules and each case's own rules after --select/--ignore.  A
    selector must match a rule of the run (its packs' included)."""
    from dataclasses import replace

    from auditor.selection import check_selectors, select_rules

    every = {r.id: r for r in rule_set}
    for spec in found.cases:
        for r in spec.rules or ():
            every.setdefault(r.id, r)
    check_selectors(list(every.values()), select, ignore)
    kept = select_rules(rule_set, select, ignore)
    if not kept and not any(spec.rules for spec in found.cases):
        raise AuditorError("no rules left to apply after --select/--ignore")
    cases = [replace(spec, rules=tuple(select_rules(spec.rules, select, ignore))) if spec.rules is not None else spec
             for spec in found.cases]
    return kept, replace(found, cases=cases)


def internal_errors(result) -> tuple[int, int]:
    """(documents whose fact extraction failed, rule checks that raised): bugs."""
    from auditor.errors import INTERNAL_ERROR_CODE
    from auditor.models import Outcome

    counts = getattr(result.cases, "counts", None)
    if counts is not None:  # a scan's cases (auditor.spool.CaseList): counted as they were evaluated
        return counts.internal_documents, counts.rule_errors
    docs = checks = 0
    for c in result.cases:
        docs += sum(1 for d in c.documents
                    if (d.error is not None and d.error.code == INTERNAL_ERROR_CODE) or d.internal_errors)
        checks += sum(1 for k in c.checks if k.outcome is Outcome.ERROR)
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


def run(values: dict[str, Any], given: set[str], t_start: float) -> int:
    """Scan with these option values (every scan option, by its parameter name);
    ``given``: the names given on the command line (the others may come from a
    config file); ``t_start``: when the process began to load the CLI."""
    t_entry = time.perf_counter()
    paths = values['paths']
    format = values['format']
    output = values['output']
    fail_on = values['fail_on']
    strict = values['strict']
    rules = values['rules']
    no_builtin_rules = values['no_builtin_rules']
    select = values['select']
    ignore = values['ignore']
    exclude = values['exclude']
    case_per_file = values['case_per_file']
    whole_case = values['whole_case']
    baseline = values['baseline']
    suppressions = values['suppressions']
    write_suppressions = values['write_suppressions']
    reason = values['reason']
    config = values['config']
    no_config = values['no_config']
    sarif_base_uri = values['sarif_base_uri']
    ocr = values['ocr']
    ocr_lang = values['ocr_lang']
    dpi = values['dpi']
    jobs = values['jobs']
    doc_timeout = values['doc_timeout']
    cache_dir = values['cache_dir']
    no_cache = values['no_cache']
    quiet = values['quiet']
    timestamp = values['timestamp']
    timings = values['timings']
    width = values['width']
    debug = values['debug']
    max_memory = values['max_memory']
    cardinal_settings = values['cardinal_settings']
    executor = values['executor']
    scheduler = values['scheduler']
    send_bytes = values['send_bytes']
    if debug:
        from auditor.ingest.worker import DEBUG_ENV

        os.environ[DEBUG_ENV] = "1"  # the workers inherit it
    from auditor.models import Severity
    from auditor.pipeline import discover, load_baseline, run_scan
    from auditor.report import Format, RenderOptions, render_chunks

    clock: dict[str, float] = {}
    try:
        from auditor.config import load_config

        cfg = load_config(config, disabled=no_config)
        fail_on = _from_config(given, "fail_on", fail_on, cfg, "fail-on")
        select = _split(_from_config(given, "select", select, cfg, "select"))
        ignore = _split(_from_config(given, "ignore", ignore, cfg, "ignore"))
        exclude = _split(_from_config(given, "exclude", exclude, cfg, "exclude"))
        ocr = _from_config(given, "ocr", ocr, cfg, "ocr")
        jobs = _from_config(given, "jobs", jobs, cfg, "jobs")
        case_per_file = _from_config(given, "case_per_file", case_per_file, cfg, "case-per-file")
        suppressions = _from_config(given, "suppressions", suppressions, cfg, "suppressions")
        if not rules:  # --rules on the command line replaces the file's rules and packs
            rules = [*cfg.get("rules", []), *cfg.get("packs", [])]
        fmt = Format(choice("--format", format, [f.value for f in Format]))
        threshold = Severity.parse(choice("--fail-on", fail_on, SEVERITY_CHOICES.split("|"))) if fail_on else None
        ocr = choice("--ocr", ocr, ("auto", "off", "force"))
        if write_suppressions is not None and not reason.strip():
            raise AuditorError("--write-suppressions needs --reason TEXT: the reason recorded for each new entry "
                               "(refine it per finding in the file afterwards)")
        paths = _stdin_paths(list(paths))
        options = _scan_options(ocr, ocr_lang, dpi, jobs, doc_timeout, cache_dir, no_cache, quiet, rules)
        options = _with_memory_bound(options, max_memory)
        from dataclasses import replace as _replace

        options = _replace(options, **_executor_fields(executor, scheduler, send_bytes))
        if cardinal_settings is not None:
            if not cardinal_settings.is_file():
                raise AuditorError(f"--cardinal-settings: file not found: {cardinal_settings}")
            from dataclasses import replace as _replace

            options = _replace(options, cardinal_settings=cardinal_settings)
        clock["startup"] = time.perf_counter() - t_start
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
        suppressed = {}
        if suppressions is not None:
            from auditor.selection import load_suppressions

            suppressed = load_suppressions(suppressions)
        t0 = time.perf_counter()
        found, notes = with_case_packs(discover(paths, case_per_file=case_per_file, exclude=exclude,
                                                whole_case=whole_case),
                                       base_dirs, loaded, rule_cache)
        if select or ignore:
            rule_set, found = _selected(rule_set, found, select, ignore)
        _refuse_inputs(output, paths, found)
        warn_notes(notes)
        clock["discover"] = time.perf_counter() - t0
        if not found.cases and not found.ocds_files:
            message = "no PDF document found under " + ", ".join(str(p) for p in paths)
            if threshold is not None or strict:
                raise AuditorError(message + " (with --fail-on or --strict a scan of nothing is an error)")
            say(f"auditor: warning: {message}")
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
        if suppressed:
            from auditor.selection import apply_suppressions

            result = apply_suppressions(result, suppressed)
        if write_suppressions is not None:
            from auditor.selection import load_suppressions, write_suppressions as write_file

            existing = load_suppressions(write_suppressions) if write_suppressions.is_file() else {}
            added = write_file(result, write_suppressions, reason, existing)
            if not quiet:
                say(f"wrote {write_suppressions} ({added} new suppression(s))")
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
        base_uri = None
        if fmt is Format.SARIF:
            from auditor.report.sarif import repository_root

            base_uri = repository_root(sarif_base_uri)
        # rendered piece by piece as it is written (JSON, JSON Lines: case by case):
        # "report" is the time of both
        text = render_chunks(result, fmt, RenderOptions(width=term_width, color=color, timings=timings,
                                                        document_links=links, base_dir=base_uri))
        _write(text, output, "json" if fmt in (Format.JSON, Format.JSONL, Format.SARIF, Format.CARDINAL) else
               "html" if fmt is Format.HTML else "text")
        clock["report"] = time.perf_counter() - t0
    except AuditorError as err:
        say(err.render())
        return int(err.exit_code)
    if timings:
        # The report cannot hold the time it took to render itself: said on stderr.
        import json

        clock["command"] = time.perf_counter() - t_entry
        clock["total"] = time.perf_counter() - t_start
        say("auditor timings: " + json.dumps({k: round(v, 4) for k, v in clock.items()}))
    if output is not None and not quiet:
        counts = getattr(result.cases, "counts", None)
        n = counts.findings if counts is not None else sum(len(c.findings) for c in result.cases)
        from auditor.safe_text import strip_controls

        say(f"wrote {strip_controls(str(output))} ({n} finding(s) in {len(result.cases)} case(s))")
    code = exit_code(result, threshold, strict)
    if code is ExitCode.INTERNAL:
        docs, checks = internal_errors(result)
        say(f"auditor: internal error (a bug) in {docs} document(s) and {checks} rule check(s); "
            "the report lists them" + ("" if debug else " (--debug shows the tracebacks)"))
    return int(code)




# --- the command line, without typer -----------------------------------------------------------

# option -> (parameter name, kind); kinds: flag, str, int, float, path, strs (repeatable), paths (repeatable)
SCAN_OPTIONS: dict[str, tuple[str, str]] = {
    "--format": ("format", "str"), "-f": ("format", "str"),
    "--output": ("output", "path"), "-o": ("output", "path"),
    "--fail-on": ("fail_on", "str"),
    "--strict": ("strict", "flag"),
    "--rules": ("rules", "paths"),
    "--no-builtin-rules": ("no_builtin_rules", "flag"),
    "--select": ("select", "strs"),
    "--ignore": ("ignore", "strs"),
    "--exclude": ("exclude", "strs"),
    "--case-per-file": ("case_per_file", "flag"),
    "--whole-case": ("whole_case", "flag"),
    "--baseline": ("baseline", "path"),
    "--suppressions": ("suppressions", "path"),
    "--write-suppressions": ("write_suppressions", "path"),
    "--reason": ("reason", "str"),
    "--config": ("config", "path"),
    "--no-config": ("no_config", "flag"),
    "--sarif-base-uri": ("sarif_base_uri", "str"),
    "--ocr": ("ocr", "str"),
    "--ocr-lang": ("ocr_lang", "str"),
    "--dpi": ("dpi", "int"),
    "--jobs": ("jobs", "int"), "-j": ("jobs", "int"),
    "--doc-timeout": ("doc_timeout", "float"),
    "--cache-dir": ("cache_dir", "path"),
    "--no-cache": ("no_cache", "flag"),
    "--quiet": ("quiet", "flag"), "-q": ("quiet", "flag"),
    "--timestamp": ("timestamp", "flag"),
    "--timings": ("timings", "flag"),
    "--width": ("width", "int"),
    "--debug": ("debug", "flag"),
    "--max-memory": ("max_memory", "int"),
    "--cardinal-settings": ("cardinal_settings", "path"),
    "--executor": ("executor", "str"),
    "--scheduler": ("scheduler", "str"),
    "--send-bytes": ("send_bytes", "flag"),
}
SCAN_DEFAULTS: dict[str, Any] = {
    "format": "table", "output": None, "fail_on": None, "strict": False, "rules": [], "no_builtin_rules": False,
    "select": [], "ignore": [], "exclude": [], "case_per_file": False, "whole_case": False, "baseline": None, "suppressions": None,
    "write_suppressions": None, "reason": "", "config": None, "no_config": False, "sarif_base_uri": None,
    "ocr": "auto", "ocr_lang": "eng", "dpi": 300, "jobs": 0, "doc_timeout": 300.0, "cache_dir": None,
    "no_cache": False, "quiet": False, "timestamp": False, "timings": False, "width": 0, "debug": False,
    "max_memory": 256, "cardinal_settings": None, "executor": "local", "scheduler": None, "send_bytes": False,
}


def _convert(kind: str, text: str) -> Any:
    """A value of this kind, or ValueError (then typer decides, with its message)."""
    import re

    if kind in ("str", "strs"):
        return text
    if kind in ("path", "paths"):
        if not text:
            raise ValueError
        return Path(text)
    if kind == "int":
        if not re.fullmatch(r"\s*[+-]?[0-9]+\s*", text):
            raise ValueError
        return int(text)
    if kind == "float":
        if not re.fullmatch(r"\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\s*", text):
            raise ValueError
        return float(text)
    raise ValueError


def parse_scan_args(argv: list[str]) -> tuple[dict[str, Any], set[str]] | None:
    """(values, names given) for ``auditor scan ARGS``, or None when the arguments
    need the typer CLI (help, an unknown option, a bad value, no path)."""
    values = {k: (list(v) if isinstance(v, list) else v) for k, v in SCAN_DEFAULTS.items()}
    given: set[str] = set()
    paths: list[Path] = []
    i, only_paths = 0, False
    while i < len(argv):
        arg = argv[i]
        i += 1
        if only_paths or arg == "-" or not arg.startswith("-"):
            if not arg:
                return None
            paths.append(Path(arg))
            continue
        if arg == "--":
            only_paths = True
            continue
        name, eq, inline = arg.partition("=") if arg.startswith("--") else (arg, "", "")
        spec = SCAN_OPTIONS.get(name)
        if spec is None:
            return None
        dest, kind = spec
        if kind == "flag":
            if eq:
                return None
            values[dest] = True
        else:
            if eq:
                text = inline
            elif i < len(argv):
                text, i = argv[i], i + 1
            else:
                return None
            try:
                value = _convert(kind, text)
            except ValueError:
                return None
            if kind in ("strs", "paths"):
                values[dest].append(value)
            else:
                values[dest] = value
        given.add(dest)
    if not paths:
        return None
    values["paths"] = paths
    given.add("paths")
    return values, given


def guarded(fn, argv: list[str]) -> None:
    """Run the command and exit with its code.  Ctrl-C exits 130, a closed stdout
    141, and anything unexpected (a bug) exits 4 with one line on stderr (the
    traceback only with --debug)."""
    try:
        code = fn()
    except KeyboardInterrupt:
        say("interrupted")
        sys.exit(int(ExitCode.INTERRUPTED))
    except BrokenPipeError:  # the reader of stdout went away (| head): not a bug, nothing more to say
        try:
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        except OSError:
            pass
        sys.exit(int(ExitCode.BROKEN_PIPE))
    except Exception as exc:  # a bug: one line, the traceback only with --debug
        import errno

        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            # a full disk or device (stdout > /dev/full): the environment's, not a bug
            from auditor.outfile import drop_stdout

            drop_stdout()
            say(f"error: cannot write: {exc.strerror or exc}")
            sys.exit(int(ExitCode.USAGE))
        from auditor.ingest.worker import DEBUG_ENV

        if os.environ.get(DEBUG_ENV) or "--debug" in argv:
            import traceback

            traceback.print_exc()
        from auditor.safe_text import strip_controls

        detail = strip_controls(str(exc).strip().splitlines()[0]) if str(exc).strip() else ""
        say(f"auditor: internal error: {type(exc).__name__}" + (f": {detail}" if detail else ""))
        sys.exit(int(ExitCode.INTERNAL))
    sys.exit(int(code or 0))
