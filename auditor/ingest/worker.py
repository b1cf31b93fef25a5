"""Read one document: pages of text (text layer, OCR where needed) and its facts.

This is the unit of work of the worker processes (``auditor.ingest.pool``) and of
the cache (``auditor.ingest.cache``).  Every failure becomes a DocumentError with a
stable code; nothing raises out of ``process_document``.

Which pages are OCR'd (``--ocr``):

* ``auto``: pages whose text layer is missing or unusable (``pdf.text_quality``),
  and scans that carry only a stamp of text ("Scanned with CamScanner": fewer than
  ``SPARSE_CHARS`` characters over an image covering ``SCAN_COVER`` of the page);
* ``force``: every page that draws anything (OCR text replaces the text layer);
* ``off``: none; such pages are unread with the note "image-only page; OCR off".

A page that cannot be OCR'd (no tesseract, a missing language pack, tesseract
failing or timing out on it) becomes unread with a note saying why; the document
goes on.  A blank page (nothing drawn, or no ink when rendered) is unread with the
note "blank page", without running tesseract.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from auditor.errors import DEBUG_ENV, INTERNAL_ERROR_CODE, NOT_A_FILE_CODE, DocumentReadError
from auditor.models import DocumentError, DocumentInfo, DocumentResult, Page, PageSource
from auditor.options import OcrMode, ScanOptions
from auditor.settings import DEFAULT as DEFAULT_SETTINGS
from auditor.settings import ExtractionSettings

# DEBUG_ENV (from auditor.errors; set by ``auditor scan --debug``, inherited by the workers):
# tracebacks of internal errors on stderr
SPARSE_CHARS = 100  # a text layer this thin over a page-sized image is a scanner's stamp
SCAN_COVER = 0.4  # share of the page an image must cover to count as a scan
BLANK_INK = 0.00005  # rendered pages with less ink than this are blank (no OCR run)
MIN_CHARS = 12  # OCR output with fewer non-space characters found nothing
_MAX_RETRIES = 2  # other-script language packs tried on a page read with low confidence
_BETTER_BY = 10.0  # confidence points a retry must gain to be kept


@dataclass(frozen=True, slots=True)
class DocTask:
    path: Path  # absolute path on disk
    rel: str  # posix path relative to the scanned root (shown in reports)
    case_id: str
    settings: ExtractionSettings = DEFAULT_SETTINGS  # the case's jurisdiction pack's (cache key too)


@dataclass(frozen=True, slots=True)
class Outcome:
    """A document's result plus what the pool needs to know about it."""

    result: DocumentResult
    cacheable: bool  # False: the result depends on a passing condition (OCR timeout...)
    recycle: bool = False  # the worker process should be replaced (after a MemoryError)


def process_document(task: DocTask, options: ScanOptions, sha256: str | None = None,
                     deadline: float | None = None) -> DocumentResult:
    """Read one document in this process.  ``deadline`` (time.monotonic()) bounds
    per-page OCR; the hard per-document limit is enforced by the pool."""
    return run_document(task, options, sha256, deadline).result


def run_document(task: DocTask, options: ScanOptions, sha256: str | None = None,
                 deadline: float | None = None, on_page: Callable[[int, int], None] | None = None) -> Outcome:
    """Read one document (a pure function of the file's bytes and the options:
    nothing a previous document left in this process changes the outcome).

    The file is opened once, only if it is a regular file; the sha256 in the
    result is of the bytes this function read through that open file, whatever
    ``sha256`` (the caller's hash, used only to say whether the file changed
    since) says, and pdfium reads the same open file.  A file that changes while
    it is read (size or times differ after reading) gives a result that is not
    cached."""
    from auditor.ingest.pdf import NotRegularFile, open_regular, sha256_stream, sniff_head

    timings: dict[str, float] = {}
    try:
        fh = open_regular(task.path)
    except NotRegularFile as exc:
        return Outcome(not_a_file(task, exc.reason), cacheable=False)
    except OSError as exc:
        return Outcome(failed(task, "", DocumentReadError("corrupt", f"cannot read the file: {exc.strerror or exc}")), cacheable=False)
    with fh:
        digest = ""
        try:
            before = os.fstat(fh.fileno())
            if before.st_size > options.max_bytes:
                raise DocumentReadError("too-large", f"the file is {_mib(before.st_size)}, more than the limit of {_mib(options.max_bytes)}")
            t0 = time.perf_counter()
            digest = sha256_stream(fh)
            timings["hash"] = time.perf_counter() - t0
            fh.seek(0)
            sniff_head(fh.read(1024), before.st_size)
        except DocumentReadError as exc:
            return Outcome(failed(task, digest, exc), cacheable=False)
        except OSError as exc:
            return Outcome(failed(task, digest, DocumentReadError("corrupt", f"cannot read the file: {exc.strerror or exc}")), cacheable=False)
        outcome = _read_and_extract(task, options, deadline, timings, digest, fh, on_page)
        try:
            after = os.fstat(fh.fileno())
            changed = _stamp(after) != _stamp(before) or (sha256 is not None and sha256 != digest)
        except OSError:
            changed = True
    if changed and outcome.cacheable:
        outcome = Outcome(outcome.result, cacheable=False, recycle=outcome.recycle)
    return outcome


def over_memory(options: ScanOptions) -> str:
    """The one message of a document over the memory bound, whichever check saw it
    first (the worker's allocation failing, or the parent's resident-memory poll):
    the same document always gets the same report."""
    return f"reading it needs more memory than the limit ({memory_limit_words(options)})"


def memory_limit_words(options: ScanOptions) -> str:
    """The memory limit a worker runs under, as a report says it."""
    if options.max_rss_mb > 0:
        return f"{options.max_rss_mb} MiB, --max-memory"
    return f"{options.max_memory_mb} MiB of address space"


def _stamp(st: os.stat_result) -> tuple:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def not_a_file(task: DocTask, reason: str) -> DocumentResult:
    """A path that is not a regular file (moved to ``skipped`` by the pipeline)."""
    info = DocumentInfo(path=task.rel, sha256="", pages=0, error=DocumentError(NOT_A_FILE_CODE, reason))
    return DocumentResult(info)


def _read_and_extract(task: DocTask, options: ScanOptions, deadline: float | None, timings: dict[str, float],
                      digest: str, fh, on_page: Callable[[int, int], None] | None = None) -> Outcome:
    reader = _Reader(options, deadline, timings, on_page=on_page)
    try:
        pages = reader.read(task.path, fh.fileno())
    except DocumentReadError as exc:
        return Outcome(failed(task, digest, exc), cacheable=False)
    except MemoryError:
        msg = over_memory(options)
        return Outcome(failed(task, digest, DocumentReadError("too-large", msg)), cacheable=False, recycle=True)
    except RecursionError:
        return Outcome(failed(task, digest, DocumentReadError("corrupt", "the PDF's structure is nested too deeply")), cacheable=False)
    except Exception as exc:  # a PDF library failing on a hostile file
        return Outcome(failed(task, digest, DocumentReadError("corrupt", f"the PDF cannot be read ({type(exc).__name__}: {exc})")), cacheable=False)

    from auditor.extract.facts import analyse

    t1 = time.perf_counter()
    try:
        from auditor.extract import patterns

        pack = patterns.load(patterns.pack_dirs(options.pattern_dirs))
        analysis = analyse(task.rel, digest, pages, pack=pack, settings=task.settings)
    except MemoryError:
        del pages
        msg = over_memory(options)
        return Outcome(failed(task, digest, DocumentReadError("too-large", msg)), cacheable=False, recycle=True)
    except Exception as exc:  # an extractor bug: the PDF was read, our code failed on it
        # (the PDF libraries raise only while reading, above: that is "corrupt")
        if os.environ.get(DEBUG_ENV):
            print(f"auditor: internal error while extracting facts from {task.rel}:\n{traceback.format_exc()}",
                  file=sys.stderr, flush=True)
        return Outcome(internal_error(task, digest, "fact extraction", exc), cacheable=False)
    timings["facts"] = time.perf_counter() - t1

    unread = tuple(p.number for p in pages if p.source is PageSource.NONE)
    reasons = sorted({p.note for p in pages if p.source is PageSource.NONE and p.note})
    info = DocumentInfo(
        path=task.rel,
        sha256=digest,
        pages=len(pages),
        ocr_pages=tuple(p.number for p in pages if p.source is PageSource.OCR),
        unread_pages=unread,
        unread_reason="; ".join(reasons) if reasons else None,
        kind=analysis.kind,
        year=analysis.year,
        internal_errors=analysis.span_errors,
    )
    result = DocumentResult(info, analysis.facts, tuple(sorted((k, round(v, 6)) for k, v in timings.items())))
    return Outcome(result, cacheable=reader.complete and not analysis.span_errors)  # a bug's result is not kept


def failed(task: DocTask, digest: str, exc: DocumentReadError) -> DocumentResult:
    info = DocumentInfo(path=task.rel, sha256=digest, pages=0, error=DocumentError(exc.code, exc.message))
    return DocumentResult(info)


def internal_error(task: DocTask, digest: str, stage: str, exc: BaseException) -> DocumentResult:
    """The result of a document on which the auditor's own code failed (a bug):
    code ``internal-error``, a one-line message naming the stage and the exception."""
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    message = f"internal error in {stage}: {type(exc).__name__}" + (f": {detail}" if detail else "")
    info = DocumentInfo(path=task.rel, sha256=digest, pages=0, error=DocumentError(INTERNAL_ERROR_CODE, message))
    return DocumentResult(info)


def _with_rows(pages: list[Page], tables: list) -> list[Page]:
    from dataclasses import replace

    from auditor.extract.rows import build_rows

    rows = build_rows(tables)
    # a table that gave no rows (no headers) stays with the text-line reading
    return [replace(p, rows=rows[p.number]) if p.number in rows else replace(p, table_spans=()) if p.table_spans else p
            for p in pages]


def _ocr_lines_in(boxes: tuple, k: float, tables: list) -> list[str]:
    """The lines of tesseract's text (its own lines, as the page text has them)
    whose words lie mostly inside a table's box (``k``: pixels -> points)."""
    by_line: dict[int, list] = {}
    for box in boxes:
        by_line.setdefault(box[5], []).append(box)
    out = []
    for bs in by_line.values():
        inside = sum(1 for x, y, w, h, _, _ in bs for t in tables
                     if t.bbox[0] <= (x + w / 2) * k <= t.bbox[2] and t.bbox[1] <= (y + h / 2) * k <= t.bbox[3])
        if 2 * inside >= len(bs):
            out.append(unicodedata.normalize("NFC", " ".join(b[4] for b in bs)))
    return out


def _mib(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MiB" if n >= 1024 * 1024 else f"{n} bytes"


@dataclass
class _Reader:
    options: ScanOptions
    deadline: float | None
    timings: dict[str, float]
    complete: bool = True  # no page was left unread for a passing reason
    on_page: Callable[[int, int], None] | None = None  # (pages read, pages in the document), for progress
    _ocr_block: str | None = field(default=None, init=False)
    _ocr_words: tuple | None = field(default=None, init=False)  # the last OCR'd page's word boxes and dpi

    def read(self, path: Path, fileno: int | None = None) -> list[Page]:
        """The pages of the PDF at ``path`` (or of the open file ``fileno``,
        already sniffed by the caller)."""
        from auditor.ingest import ocr
        from auditor.ingest.pdf import open_pdf, sniff

        t0 = time.perf_counter()
        if fileno is None:
            sniff(path)
        pdf = open_pdf(path, fileno=fileno)
        try:
            n = len(pdf)
            self.timings["open"] = time.perf_counter() - t0
            if n == 0:
                raise DocumentReadError("empty", "the PDF has no pages")
            if n > self.options.max_pages:
                raise DocumentReadError("too-large", f"{n} pages: more than the limit of {self.options.max_pages}")
            if self.options.ocr is not OcrMode.OFF:
                self._ocr_block = ocr.unavailable(self.options.ocr_lang)
            pages = []
            tables: list[tuple[int, list]] = []  # (page number, its ruled tables) of register pages
            for i in range(n):
                t0 = time.perf_counter()
                page = pdf[i]  # pdfium parses the page here: part of reading its text
                self._add("text", t0)
                try:
                    read = self._page(page, i + 1)
                    continued = bool(tables) and tables[-1][0] == i and bool(tables[-1][1])
                    if read.source is PageSource.TEXT:
                        read = self._tables(page, read, continued, tables)
                    elif read.source is PageSource.OCR and self._ocr_words is not None:
                        read = self._ocr_tables(read, continued, tables)
                    pages.append(read)
                finally:
                    t0 = time.perf_counter()
                    page.close()
                    self._add("text", t0)
                if self.on_page is not None:
                    self.on_page(i + 1, n)
            if tables:
                pages = _with_rows(pages, tables)
            return pages
        finally:
            pdf.close()

    def _tables(self, page, read: Page, continued: bool, found: list) -> Page:
        """The ruled tables of a page that looks like a register (``auditor.ingest.tables``);
        the page's rows are attached once the whole document is read (headers carry over)."""
        from dataclasses import replace

        from auditor.ingest.tables import find_tables, looks_like_register, table_spans

        if not looks_like_register(read.text, continued):
            return read
        t0 = time.perf_counter()
        textpage = page.get_textpage()
        try:
            height = page.get_size()[1]
            tables = find_tables(page, textpage)
            if not tables:  # no ruling lines: a table set in columns, from the words' positions
                from auditor.ingest.stream import find_stream_tables, pdfium_words

                tables = find_stream_tables(pdfium_words(textpage, height))
            spans = table_spans(read.text, textpage, tables, height) if tables else ()
        except MemoryError:
            raise
        except Exception:  # a drawing pdfium cannot enumerate: the page stays text only
            tables, spans = [], ()
        finally:
            textpage.close()
            self._add("tables", t0)
        found.append((read.number, tables))
        return replace(read, table_spans=spans) if spans else read

    def _ocr_tables(self, read: Page, continued: bool, found: list) -> Page:
        """The table of an OCR'd register page, from tesseract's word boxes
        (``auditor.ingest.stream``): a scan shows its ruling lines only as pixels."""
        from dataclasses import replace

        from auditor.ingest.stream import Word, find_stream_tables
        from auditor.ingest.tables import looks_like_register, spans_of_lines

        boxes, dpi = self._ocr_words  # type: ignore[misc]
        self._ocr_words = None
        if not looks_like_register(read.text, continued):
            return read
        t0 = time.perf_counter()
        k = 72.0 / dpi  # pixels -> points
        # ("|": a ruling line tesseract read as a glyph)
        kept = [b for b in boxes if b[4].strip("|¦‖[]")]
        words = [Word(x * k, y * k, (x + w) * k, (y + h) * k, unicodedata.normalize("NFC", text))
                 for x, y, w, h, text, _ in kept]
        tables = find_stream_tables(words)
        spans = spans_of_lines(read.text, _ocr_lines_in(boxes, k, tables)) if tables else ()
        self._add("tables", t0)
        found.append((read.number, tables))
        return replace(read, table_spans=spans) if spans else read

    # -- one page --

    def _page(self, page, number: int) -> Page:
        from auditor.ingest.pdf import PageLayout, page_layout, page_text, text_chars, text_quality

        self._ocr_words = None
        t0 = time.perf_counter()
        try:
            text = page_text(page)
        except MemoryError:
            raise
        except Exception as exc:  # pdfium refusing one page: the others still count
            self._add("text", t0)
            return Page(number, "", PageSource.NONE, f"page cannot be read ({type(exc).__name__})")
        usable, why = text_quality(text)
        mode = self.options.ocr
        layer = Page(number, text, PageSource.TEXT) if usable else None
        if usable and mode is not OcrMode.FORCE and text_chars(text) >= SPARSE_CHARS:
            self._add("text", t0)
            return layer  # type: ignore[return-value]
        try:
            layout = page_layout(page)
        except MemoryError:
            raise
        except Exception:  # objects pdfium cannot enumerate: assume a page that draws something
            layout = PageLayout(objects=1, image_cover=0.0)
        self._add("text", t0)
        # What stands in for OCR text if OCR cannot run (fallback) or finds nothing (if_empty)
        if mode is OcrMode.FORCE:
            fallback = if_empty = layer  # the text layer was fine: force only re-reads it
        elif usable:
            if layout.image_cover < SCAN_COVER:
                return layer  # type: ignore[return-value]
            fallback, if_empty = None, layer  # a scan under a scanner's stamp
        else:
            fallback = if_empty = None
        what = "image-only page" if why in (None, "no text layer") else why
        if layout.objects == 0:
            return if_empty or Page(number, "", PageSource.NONE, "blank page")
        if mode is OcrMode.OFF:
            return Page(number, "", PageSource.NONE, f"{what}; OCR off")
        if self._ocr_block:
            return fallback or Page(number, "", PageSource.NONE, f"{what}: {self._ocr_block}")
        return self._ocr(page, number, what, fallback, if_empty)

    def _ocr(self, page, number: int, what: str, fallback: Page | None, if_empty: Page | None) -> Page:
        from auditor.ingest import ocr
        from auditor.ingest.pdf import normalise_page_text, render_gray, text_chars

        t0 = time.perf_counter()
        try:
            try:
                rendered = render_gray(page, self.options.dpi)
            except MemoryError:
                raise
            except Exception as exc:
                return fallback or Page(number, "", PageSource.NONE, f"{what}: cannot be rendered for OCR ({type(exc).__name__})")
            if rendered.ink < BLANK_INK:
                return if_empty or Page(number, "", PageSource.NONE, "blank page")
            timeout = ocr.PAGE_TIMEOUT
            if self.deadline is not None:
                timeout = max(1.0, min(timeout, self.deadline - time.monotonic()))
            try:
                found = ocr.recognise(rendered.image, self.options.ocr_lang, rendered.dpi, timeout=timeout)
            except ocr.OcrError as exc:
                self.complete = False
                return fallback or Page(number, "", PageSource.NONE, f"{what}: {exc}")
            if found.confidence < ocr.LOW_CONFIDENCE and text_chars(found.text) >= MIN_CHARS:
                found, problem = self._other_script(rendered, found, timeout)
                if problem:
                    return fallback or Page(number, "", PageSource.NONE, f"{what}: {problem}")
            text = normalise_page_text(unicodedata.normalize("NFC", found.text)).strip()
            if text_chars(text) < MIN_CHARS:
                return if_empty or Page(number, "", PageSource.NONE, "blank page (OCR found no text)")
            self._ocr_words = (found.boxes, rendered.dpi)  # for a register's rows (``_ocr_tables``)
            return Page(number, text + "\n", PageSource.OCR)
        finally:
            self._add("ocr", t0)

    def _other_script(self, rendered, found, timeout: float):
        """OCR confidence is low: is the page in a script the OCR languages do not
        cover?  Then read it again with an installed language pack for another
        script added (``--ocr-lang eng`` on an Urdu notice reads it as ``eng+urd``)
        and keep the reading if it is clearly more confident; otherwise say
        which pack is missing.  tesseract's script detection (OSD) is a hint
        only: it takes Nastaliq Urdu for Japanese or Katakana, so the packs for
        the detected script are tried first, then the other installed ones
        (at most ``_MAX_RETRIES`` in all).
        Returns (recognised text, problem-or-None)."""
        from auditor.ingest import ocr
        from auditor.ingest.pdf import text_chars

        script = ocr.detect_script(rendered.image, rendered.dpi)
        if not script or script in ("Latin", "Common"):
            return found, None
        langs = self.options.ocr_lang.split("+")
        packs = _SCRIPT_CODES.get(script, ())
        if set(langs) & set(packs):
            return found, None
        engine = ocr.probe()
        installed = engine.langs if engine is not None else frozenset()
        others = [p for codes in _SCRIPT_CODES.values() for p in codes]
        candidates = [p for p in (*packs, *others) if p in installed and p not in langs]
        candidates = list(dict.fromkeys(candidates))[:_MAX_RETRIES]
        best = found
        for pack in candidates:
            try:
                again = ocr.recognise(rendered.image, "+".join([*langs, pack]), rendered.dpi, timeout=timeout)
            except ocr.OcrError as exc:
                self.complete = False
                return found, str(exc)
            if again.confidence >= best.confidence + _BETTER_BY and text_chars(again.text) >= MIN_CHARS:
                best = again
        if best is not found:
            return best, None
        tip = f" (install tesseract language '{packs[0]}')" if packs else ""
        return found, (f"OCR found no reliable text (confidence {found.confidence:.0f} %; "
                       f"the script looks like {script}, not covered by OCR language '{self.options.ocr_lang}'){tip}")

    def _add(self, stage: str, t0: float) -> None:
        self.timings[stage] = self.timings.get(stage, 0.0) + time.perf_counter() - t0


# tesseract language packs per OSD script, preferred first (Urdu before Arabic:
# the documents this tool reads are often Pakistani)
_SCRIPT_CODES: dict[str, tuple[str, ...]] = {
    "Arabic": ("urd", "ara", "fas", "pus", "snd", "uig", "script/Arabic"),
    "Cyrillic": ("rus", "ukr", "bul", "srp", "mkd", "bel", "kaz", "script/Cyrillic"),
    "Devanagari": ("hin", "mar", "nep", "san", "script/Devanagari"),
    "Han": ("chi_sim", "chi_tra", "script/HanS", "script/HanT"),
    "Hangul": ("kor", "script/Hangul"),
    "Japanese": ("jpn", "script/Japanese"),
    "Greek": ("ell", "grc", "script/Greek"),
    "Bengali": ("ben", "asm", "script/Bengali"),
    "Thai": ("tha", "script/Thai"),
    "Hebrew": ("heb", "yid", "script/Hebrew"),
}
