"""One exception tree.  Each error knows its exit code and, where it has one,
its ``file:line:col`` location.  Exit codes are documented in the README and
never reused for another meaning."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0  # the scan ran; no finding reached --fail-on
    FINDINGS = 1  # a finding at or above --fail-on
    USAGE = 2  # bad command line, missing path, invalid rule file
    UNREADABLE = 3  # --strict and some document could not be read
    INTERNAL = 4  # internal error (a bug): in a document's fact extraction, a rule, or the tool
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it)
    BROKEN_PIPE = 141  # stdout was closed before the report was written (| head): 128 + SIGPIPE


# The environment variable that makes a span's or a document's internal error print its
# traceback (``--debug`` sets it; the workers inherit it).
DEBUG_ENV = "AUDITOR_DEBUG"

# Stable codes for documents that cannot be read (the report's error.code).
DOCUMENT_ERROR_CODES = ("corrupt", "empty", "encrypted", "not-pdf", "not-ocds", "too-large", "timeout")
# The error code of a document that was read but whose facts could not be
# extracted because of a bug in the auditor (not a problem of the document).
INTERNAL_ERROR_CODE = "internal-error"
# The (internal) code of a path that turned out not to be a regular file when it
# was opened (a FIFO or device swapped in after discovery): the pipeline moves
# such a document to the report's ``skipped`` list with the reason; it never
# appears as a document.
NOT_A_FILE_CODE = "not-a-file"


class AuditorError(Exception):
    exit_code: ExitCode = ExitCode.USAGE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def render(self) -> str:
        return f"error: {self.message}"


class UsageError(AuditorError):
    exit_code = ExitCode.USAGE


class InternalError(AuditorError):
    """A bug: something the auditor's own code or data got wrong (a rule whose
    message names a field nothing fills, a keyed parameter without the key asked
    for, a broken bundled table).  Never a silent fallback."""

    exit_code = ExitCode.INTERNAL

    def render(self) -> str:
        return f"internal error: {self.message}"


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a rule file, located as precisely as the YAML allows."""

    file: str
    line: int
    col: int
    message: str
    hint: str | None = None

    def render(self) -> str:
        text = f"{self.file}:{self.line}:{self.col}: {self.message}"
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class RuleFileError(AuditorError):
    """Every problem found in a set of rule files, reported at once."""

    exit_code = ExitCode.USAGE

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.col, p.message))
        super().__init__("\n".join(p.render() for p in self.problems))

    def render(self) -> str:
        return self.message


class DocumentReadError(Exception):
    """Raised inside ingestion; becomes a DocumentError record, never a crash."""

    def __init__(self, code: str, message: str) -> None:
        if code not in DOCUMENT_ERROR_CODES:
            raise ValueError(f"unknown document error code {code!r}")
        super().__init__(message)
        self.code = code
        self.message = message.splitlines()[0] if message else code
