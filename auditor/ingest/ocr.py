"""OCR through the ``tesseract`` binary.

The route: pypdfium2 renders the page to an 8-bit grayscale image (PGM, no Pillow),
which is piped to ``tesseract stdin stdout -l LANG --dpi DPI --psm 3 tsv``.

* ``OMP_THREAD_LIMIT=1``: tesseract's OpenMP threads made it 5-6× slower on this
  kind of machine; documents are parallelised by the worker pool instead.
* ``--dpi``: without it tesseract guesses the resolution of stdin images and drops
  table rows.
* TSV output instead of plain text: the same text (rebuilt line by line,
  paragraphs separated by a blank line, as tesseract's text renderer does) plus a
  confidence per word, so a page read in the wrong language is noticed (the
  worker then asks tesseract's script detection, ``--psm 0``, and retries with
  an installed pack for another script, e.g. ``eng+urd``).

Measured on scanned court judgments and notices (A4, 300 dpi): ≈ 1.5 s per page
per core, rendering included.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass

# A page whose words average below this confidence (0-100) was most likely read in
# the wrong language or is not text at all (a photo, a signature).
LOW_CONFIDENCE = 45.0
# Seconds one page may take; the document's own time limit applies as well.
PAGE_TIMEOUT = 180.0
_PROBE_TIMEOUT = 20.0


class OcrError(Exception):
    """One page could not be OCR'd; the page becomes unread, the document goes on."""


@dataclass(frozen=True, slots=True)
class Engine:
    """The tesseract found on this machine (probed once per process)."""

    path: str
    version: str
    langs: frozenset[str]

    def missing(self, lang: str) -> list[str]:
        return [code for code in lang.split("+") if code and code not in self.langs]


@dataclass(frozen=True, slots=True)
class OcrText:
    text: str
    confidence: float  # mean word confidence, weighted by word length (0-100)
    words: int
    # every word: left, top, width, height (pixels), text, and its line (0, 1, ... as in ``text``)
    boxes: tuple[tuple[int, int, int, int, str, int], ...] = ()


_NOT_PROBED = object()
_engine: object = _NOT_PROBED


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def probe() -> Engine | None:
    """The installed tesseract, or None.  Cached for the process."""
    global _engine
    if _engine is _NOT_PROBED:
        _engine = _probe()
    return _engine  # type: ignore[return-value]


def set_engine(engine: Engine | None) -> None:
    """Adopt a probe made elsewhere (the pool probes once and tells its workers)."""
    global _engine
    _engine = engine


def forget() -> None:
    """Probe again on next use (after PATH or TESSDATA_PREFIX changed)."""
    global _engine
    _engine = _NOT_PROBED


def _probe() -> Engine | None:
    path = shutil.which("tesseract")
    if path is None:
        return None
    try:
        ver = subprocess.run([path, "--version"], capture_output=True, timeout=_PROBE_TIMEOUT, env=_env())
        langs = subprocess.run([path, "--list-langs"], capture_output=True, timeout=_PROBE_TIMEOUT, env=_env())
    except (OSError, subprocess.SubprocessError):
        return None
    if ver.returncode != 0:
        return None
    first = (ver.stdout or ver.stderr).decode("utf-8", "replace").strip().splitlines()
    version = first[0].strip() if first else "tesseract"
    codes = set()
    for line in langs.stdout.decode("utf-8", "replace").splitlines()[1:]:
        line = line.strip()
        if line and " " not in line:
            codes.add(line)
    return Engine(path, version, frozenset(codes))


def unavailable(lang: str, engine: Engine | None = None) -> str | None:
    """Why OCR in ``lang`` cannot run here (None: it can)."""
    engine = engine if engine is not None else probe()
    if engine is None:
        return "tesseract not installed"
    if not lang.strip("+"):
        return "no OCR language given"
    missing = engine.missing(lang)
    if len(missing) == 1:
        return f"OCR language '{missing[0]}' not installed"
    if missing:
        return "OCR languages " + ", ".join(f"'{m}'" for m in missing) + " not installed"
    return None


def engine_id(lang: str) -> str:
    """What identifies OCR output for the cache key: engine version and languages."""
    engine = probe()
    if engine is None:
        return "no-tesseract"
    return f"{engine.version}|{lang}|installed={'+'.join(sorted(engine.langs))}"


def _pdeathsig():
    """tesseract dies with the worker that runs it (Linux: ``PR_SET_PDEATHSIG``,
    set in the child before exec); None elsewhere."""
    import sys

    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here, not in the forked child
    except (OSError, AttributeError):
        return None

    def set_it() -> None:
        prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG

    return set_it


_die_with_worker = _pdeathsig()


def _run(args: list[str], image: bytes, timeout: float) -> bytes:
    engine = probe()
    if engine is None:
        raise OcrError("tesseract not installed")
    try:
        proc = subprocess.run(
            [engine.path, "stdin", "stdout", *args],
            input=image,
            capture_output=True,
            timeout=max(0.1, timeout),
            env=_env(),
            preexec_fn=_die_with_worker if _die_with_worker is not None else None,
        )
    except subprocess.TimeoutExpired:
        raise OcrError(f"OCR timed out after {timeout:.0f} s") from None
    except OSError as exc:
        raise OcrError(f"OCR could not start ({exc.strerror or exc})") from None
    if proc.returncode != 0:
        if proc.returncode < 0:
            try:
                why = f"killed by {signal.Signals(-proc.returncode).name}"
            except ValueError:
                why = f"signal {-proc.returncode}"
        else:
            lines = [ln for ln in proc.stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
            why = lines[-1].strip()[:160] if lines else f"exit status {proc.returncode}"
        raise OcrError(f"OCR failed ({why})")
    return proc.stdout


def recognise(image: bytes, lang: str, dpi: int, timeout: float = PAGE_TIMEOUT) -> OcrText:
    """Text of one page image (PGM/PNG bytes)."""
    out = _run(["-l", lang, "--dpi", str(dpi), "--psm", "3", "tsv"], image, timeout)
    return parse_tsv(out.decode("utf-8", "replace"))


def detect_script(image: bytes, dpi: int, timeout: float = 60.0) -> str | None:
    """The writing script tesseract's OSD sees on a page ("Latin", "Arabic"...)."""
    engine = probe()
    if engine is None or "osd" not in engine.langs:
        return None
    try:
        out = _run(["--dpi", str(dpi), "--psm", "0"], image, timeout)
    except OcrError:
        return None
    for line in out.decode("utf-8", "replace").splitlines():
        if line.startswith("Script:"):
            return line.split(":", 1)[1].strip() or None
    return None


def parse_tsv(tsv: str) -> OcrText:
    """Rebuild tesseract's text from its TSV: words of a line joined by spaces,
    lines by newlines, paragraphs and blocks separated by a blank line."""
    parts: list[str] = []
    current_par: tuple[str, str, str] | None = None
    current_line: tuple[str, str, str, str] | None = None
    line_words: list[str] = []
    boxes: list[tuple[int, int, int, int, str, int]] = []
    lines = -1
    weighted = 0.0
    chars = 0
    words = 0

    def flush_line() -> None:
        if line_words:
            parts.append(" ".join(line_words))
            line_words.clear()

    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5":
            continue
        word = cols[11].strip()
        if not word:
            continue
        par = (cols[1], cols[2], cols[3])
        line = (*par, cols[4])
        if line != current_line:
            flush_line()
            lines += 1
            if current_par is not None and par != current_par and parts:
                parts.append("")  # blank line between paragraphs
            current_line, current_par = line, par
        line_words.append(word)
        try:
            boxes.append((int(cols[6]), int(cols[7]), int(cols[8]), int(cols[9]), word, lines))
        except ValueError:
            pass
        try:
            conf = float(cols[10])
        except ValueError:
            conf = 0.0
        if conf >= 0:
            weighted += conf * len(word)
            chars += len(word)
            words += 1
    flush_line()
    text = "\n".join(parts)
    return OcrText(text, weighted / chars if chars else 0.0, words, tuple(boxes))
