"""Where a report goes: stdout, a regular file (written atomically), or a
special file such as a FIFO or a device (streamed to it).

Every failure is a one-line usage error (exit 2): a full device, a parent that
is a file, an output that would overwrite one of the inputs.  A temporary file
is never left behind, whatever goes wrong while it is written.
"""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import Iterable

from auditor.errors import UsageError
from auditor.safe_text import display_path


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def refuse_inputs(output: Path | None, roots: Iterable[Path], documents: Iterable[Path],
                  input_suffixes: Iterable[str]) -> None:
    """Refuse an output that is one of the inputs, or a file with an input's
    suffix inside a scanned folder (the next scan would read the report)."""
    if output is None:
        return
    out = Path(os.path.abspath(output))
    try:
        resolved = out.resolve()
    except (OSError, RuntimeError):  # a symlink loop: the write itself will fail
        return
    suffixes = tuple(s.lower() for s in input_suffixes)
    try:
        out_stat = os.stat(out)
    except OSError:
        out_stat = None
    for doc in [*documents, *(r for r in roots if not Path(r).is_dir())]:
        doc = Path(doc)
        same = resolved == doc.resolve()
        if not same and out_stat is not None:
            try:
                st = os.stat(doc)
                same = (st.st_dev, st.st_ino) == (out_stat.st_dev, out_stat.st_ino)
            except OSError:
                pass
        if same:
            raise UsageError(f"--output {display_path(str(output))} is one of the input documents; "
                             "choose another file")
    if resolved.suffix.lower() in suffixes:
        for root in roots:
            root = Path(root)
            if root.is_dir() and resolved.is_relative_to(root.resolve()):
                raise UsageError(f"--output {display_path(str(output))} is a {resolved.suffix} file inside "
                                 f"the scanned folder {display_path(str(root))}; choose a name or place "
                                 "the scan does not read")


def write_stdout(text: str) -> None:
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:  # the reader went away (| head): the caller's exit code 141, no message
        raise
    except OSError as exc:
        drop_stdout()
        raise UsageError(f"cannot write the report to standard output: {_reason(exc)}") from None


def drop_stdout() -> None:
    """After a failed write, point stdout at /dev/null so that the interpreter's
    own flush at exit does not fail again (a second message, exit code 120)."""
    try:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, sys.stdout.fileno())
        os.close(fd)
    except (OSError, ValueError, AttributeError):
        pass


def write_file(text: "str | Iterable[str]", output: Path) -> None:
    """Write ``text`` (a string, or the pieces of one: a report rendered case by
    case) to ``output``: atomically (temporary file, then rename) when it is or
    will be a regular file, streamed when it is a special file; through a
    symlink to its target, the link kept."""
    shown = display_path(str(output))
    data = _pieces(text)
    if os.path.islink(output):
        # the link stays a link: its target is written (streamed when the link
        # leads somewhere the path cannot name, such as /dev/stdout -> a pipe)
        real = Path(os.path.realpath(output))
        try:
            same = real.exists() and os.path.samefile(real, output)
        except OSError:
            same = False
        if os.path.exists(output) and not same:
            _stream(data, output, shown)
            return
        output = real
    try:
        st = os.stat(output)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise UsageError(f"cannot write {shown}: a parent of it is not a directory") from None
    except OSError as exc:
        raise UsageError(f"cannot write {shown}: {_reason(exc)}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UsageError(f"cannot write {shown}: it is a directory")
    if st is not None and not stat.S_ISREG(st.st_mode):
        _stream(data, output, shown)
        return
    parent = Path(os.path.abspath(output)).parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise UsageError(f"cannot write {shown}: its parent {display_path(str(parent))} is not a directory") from None
    except NotADirectoryError:
        raise UsageError(f"cannot write {shown}: a parent of it is not a directory") from None
    except OSError as exc:
        raise UsageError(f"cannot write {shown}: {_reason(exc)}") from None
    _atomic(data, output, parent, shown, st)


def _pieces(text: "str | Iterable[str]") -> Iterable[bytes]:
    if isinstance(text, str):
        return (text.encode("utf-8"),)
    return (t.encode("utf-8") for t in text)


def _stream(data: Iterable[bytes], output: Path, shown: str) -> None:
    try:
        with open(output, "wb", buffering=0) as fh:  # a FIFO blocks here until a reader opens it
            for piece in data:
                view = memoryview(piece)
                while view:
                    n = fh.write(view)
                    view = view[n:]
    except OSError as exc:
        raise UsageError(f"cannot write {shown}: {_reason(exc)}") from None


def _atomic(data: Iterable[bytes], output: Path, parent: Path, shown: str, st: os.stat_result | None) -> None:
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{output.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            for piece in data:
                fh.write(piece)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~_umask())
        os.replace(tmp, output)
        tmp = None
    except OSError as exc:
        raise UsageError(f"cannot write {shown}: {_reason(exc)}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
