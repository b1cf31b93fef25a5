"""Renderers: one pure function ``render(result: AuditResult) -> str`` per format.

The mapping from Format to module is exhaustive (a test checks it), and no
renderer decides exit codes: that is the CLI's business.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Iterator

from auditor.models import AuditResult


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """The few presentation choices a renderer may take (all typed, none free-form)."""

    width: int = 100  # terminal width for the table
    color: bool = False  # ANSI styling (the CLI turns it on for terminals)
    timings: bool = False  # include per-stage seconds (benchmarks); off = deterministic
    # HTML: where each document is, as a relative link from the report's folder
    # (document path as in the report -> href); a document not listed is linked
    # by its path relative to the scanned root.
    document_links: tuple[tuple[str, str], ...] = ()
    base_dir: str | None = None  # SARIF: the directory (absolute) that document URIs are relative to


class Format(str, Enum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"
    MARKDOWN = "markdown"
    SARIF = "sarif"
    CSV = "csv"
    HTML = "html"
    CARDINAL = "cardinal"  # OCP Cardinal's indicator output, for OCDS input


_MODULES: dict[Format, str] = {
    Format.TABLE: "auditor.report.table",
    Format.JSON: "auditor.report.json_",
    Format.JSONL: "auditor.report.jsonl",
    Format.MARKDOWN: "auditor.report.markdown",
    Format.SARIF: "auditor.report.sarif",
    Format.CSV: "auditor.report.csv_",
    Format.HTML: "auditor.report.html",
    Format.CARDINAL: "auditor.report.cardinal",
}


def renderer(fmt: Format) -> Callable[[AuditResult, RenderOptions], str]:
    return importlib.import_module(_MODULES[fmt]).render


def render(result: AuditResult, fmt: Format, options: RenderOptions | None = None) -> str:
    return renderer(fmt)(result, options or RenderOptions())


def render_chunks(result: AuditResult, fmt: Format, options: RenderOptions | None = None) -> Iterator[str]:
    """The report in pieces whose concatenation is ``render``'s text: formats that
    can (JSON, JSON Lines) write case by case, never holding every case's text;
    the others give their whole text at once."""
    module = importlib.import_module(_MODULES[fmt])
    stream = getattr(module, "stream", None)
    if stream is None:
        yield module.render(result, options or RenderOptions())
    else:
        yield from stream(result, options or RenderOptions())
