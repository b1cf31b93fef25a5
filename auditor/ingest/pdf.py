"""PDF -> pages of text, through pypdfium2 (measured ≈ 760 pages/s on born-digital
pages, ≈ 50× pdfplumber).  Every page object is closed as soon as its text is read,
so memory stays flat on long documents.

This module knows the PDF side only: sniffing, opening, the text layer and whether
it is usable, and rendering a page to a grayscale image for OCR.  Which pages get
OCR'd is decided in ``auditor.ingest.worker``; talking to tesseract lives in
``auditor.ingest.ocr``.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import DocumentReadError
from auditor.models import Page, PageSource

# Bump when page reading changes what a document yields (text-quality heuristics,
# OCR decisions, rendering): it is part of the cache key.
INGEST_VERSION = "4"

_CHUNK = 1 << 20
_PDF_MAGIC = b"%PDF-"
_SNIFF_BYTES = 1024


def sha256_file(path: Path) -> str:
    with open_regular(path) as fh:
        return sha256_stream(fh)


def sha256_stream(fh) -> str:
    """The sha256 of everything left in an open binary file."""
    digest = hashlib.sha256()
    while chunk := fh.read(_CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


def _file_kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a folder")):
        if test(mode):
            return name
    return "not a regular file"


class NotRegularFile(OSError):
    """The path names a FIFO, a device, a socket or a folder: it is never opened
    for reading (a FIFO would block, a device never ends)."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{kind}, not a regular file")
        self.kind = kind
        self.reason = f"{kind}, not a regular file"


def open_regular(path: Path):
    """``path`` opened for binary reading, only if it is a regular file (after
    following links).  Opening is non-blocking, so a FIFO swapped in after
    discovery never hangs the caller; the type is checked on the open file
    itself (``fstat``), so a swap between the check and the read cannot happen.
    Raises :class:`NotRegularFile` (an ``OSError``) for anything else."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(Path(path), _file_kind(st.st_mode))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def special_file_reason(path: Path) -> str | None:
    """Why ``path`` (a name met during discovery) is not read, if it is not a
    regular file or a folder: "a FIFO (named pipe), not a regular file"."""
    try:
        st = os.stat(path)
    except OSError as exc:
        return f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode):
        return None
    return f"{_file_kind(st.st_mode)}, not a regular file"


def sniff(path: Path) -> None:
    """Cheap checks before a PDF library sees the file: empty, not a PDF."""
    with open_regular(path) as fh:
        sniff_head(fh.read(_SNIFF_BYTES), os.fstat(fh.fileno()).st_size)


def sniff_head(head: bytes, size: int) -> None:
    """``empty`` for no bytes; no PDF header in the first KiB: ``not-pdf`` when
    the bytes are another known format (named in the message), ``corrupt`` when
    they are unrecognisable."""
    if size == 0:
        raise DocumentReadError("empty", "the file is empty (0 bytes)")
    binary = _binary_format(head)  # a ZIP holding a stored PDF has "%PDF-" in its first KiB too
    if binary is None and _PDF_MAGIC in head:
        return
    other = binary or other_format(head)
    if other is not None:
        raise DocumentReadError("not-pdf", f"the file is {other}, not a PDF (no PDF header in the first 1 KiB)")
    raise DocumentReadError("corrupt", "no PDF header in the first 1 KiB and the bytes are no known format")


# magic numbers of formats a file named *.pdf turns out to be (first bytes)
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"PK\x05\x06", "a ZIP archive (empty)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Office document (OLE)"),
    (b"{\\rtf", "an RTF document"),
)
_MARKUP = re.compile(rb"\s*(<!doctype\s+html|<html|<head|<body|<\?xml|<svg)", re.I)


def _binary_format(head: bytes) -> str | None:
    """The binary format whose magic number these bytes start with, or None."""
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "a WebP image"
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    return None


def other_format(head: bytes) -> str | None:
    """The known non-PDF format these first bytes are, or None."""
    binary = _binary_format(head)
    if binary is not None:
        return binary
    body = head[3:] if head.startswith(b"\xef\xbb\xbf") else head
    m = _MARKUP.match(body)
    if m:
        tag = m.group(1).lower()
        return "an XML document" if tag == b"<?xml" else "an SVG image" if tag == b"<svg" else "an HTML page"
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(body) - 3:  # not just a character cut at the end of the sniffed bytes
            return None
        text = body[: exc.start].decode("utf-8")
    if text.strip() and all(c.isprintable() or c in "\t\n\r\f" for c in text):
        return "a text file"
    return None


# --- text-layer quality ---------------------------------------------------------

_WS = re.compile(r"\s+")
# dot leaders and rules of tables of contents ("Evaluation ........ 15", "____")
_LEADERS = re.compile(r"([^\w\s]|_)\1{3,}")
# Character classes counted in C rather than char by char in Python (≈ 10× faster
# on a page; text_quality runs on every page): [^\W_] is exactly str.isalnum and
# str.split() splits on exactly what \s matches (checked over all code points).
_ALNUM_RUN = re.compile(r"[^\W_]+")
_NOT_PRIVATE_RUN = re.compile("[^\ue000-\uf8ff\U000f0000-\U0010ffff]+")


def _compact(text: str) -> str:
    """The text without any whitespace (= _WS.sub("", text))."""
    return "".join(text.split())


def normalise_page_text(raw: str) -> str:
    """pdfium's text with line endings normalised and control characters dropped."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text or "\x0c" in text or "\ufffe" in text:
        text = text.replace("\x00", "").replace("\x0c", "\n").replace("\ufffe", "")
    # pdfium marks soft hyphens at line ends with \x02; keep the hyphen visible
    text = text.replace("\x02", "-")
    return text


def text_quality(text: str) -> tuple[bool, str | None]:
    """Is this text layer usable?  Returns (usable, reason-if-not).

    Unusable: nothing (or almost nothing) but whitespace; mostly private-use code
    points (CID fonts without a Unicode map, as in some Urdu notices); mostly
    characters that are neither letters nor digits (broken encodings).  Dot
    leaders and underscore rules (tables of contents) do not count against a page."""
    compact = _compact(text)
    n = len(compact)
    if n < 12:
        return False, "no text layer"
    private = 0 if compact.isascii() else len(_NOT_PRIVATE_RUN.sub("", compact))
    if private / n > 0.2:
        return False, "text layer is private-use code points (unmapped font)"
    replacement = compact.count("\ufffd")
    if replacement / n > 0.1:
        return False, "text layer is mostly replacement characters"
    content = _LEADERS.sub("", compact)
    if len(content) < 12:
        return False, "no text layer"
    wordish = len(content) - len(_ALNUM_RUN.sub("", content))
    if wordish / len(content) < 0.45:
        return False, "text layer is mostly non-letters (broken encoding)"
    return True, None


def text_chars(text: str) -> int:
    """Non-whitespace characters of a page's text."""
    return len(_compact(text))


# --- opening ----------------------------------------------------------------------


def open_pdf(path: Path, password: str | None = None, fileno: int | None = None):
    """Open with pypdfium2, mapping failures to the contract's error codes.

    ``fileno``: an open descriptor of the file to read instead of ``path`` (on
    Linux pdfium opens ``/proc/self/fd/N``: the very file the caller checked and
    hashed, whatever the path names by now).

    pdfium keeps its last error in a process-wide variable that only a failed
    load sets: a document that loads but has no page must not be judged by that
    variable (it would hold the error of whatever document this process read
    before: ``encrypted`` after a password-protected file), so the page count is
    checked here, on the handle."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    target = str(path)
    if fileno is not None and os.path.isdir("/proc/self/fd"):
        target = f"/proc/self/fd/{fileno}"
    pw = None if password is None else (password + "\x00").encode("utf-8")
    raw = pdfium_c.FPDF_LoadDocument((target + "\x00").encode("utf-8", errors="surrogateescape"), pw)
    if not raw:
        code = pdfium_c.FPDF_GetLastError()
        if code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
            raise DocumentReadError("encrypted", "the PDF is encrypted with a password")
        what = {pdfium_c.FPDF_ERR_FORMAT: "data format error", pdfium_c.FPDF_ERR_FILE: "file error",
                pdfium_c.FPDF_ERR_PAGE: "page error"}.get(code, f"pdfium error {code}")
        raise DocumentReadError("corrupt", f"the PDF cannot be parsed ({what})")
    if pdfium_c.FPDF_GetPageCount(raw) < 1:
        pdfium_c.FPDF_CloseDocument(raw)
        raise DocumentReadError("empty", "the PDF has no pages")
    return pdfium.PdfDocument(raw)


def page_text(page) -> str:
    """The text layer of an open page, NFC-normalised."""
    textpage = page.get_textpage()
    try:
        raw = textpage.get_text_range()
    finally:
        textpage.close()
    return normalise_page_text(unicodedata.normalize("NFC", raw))


def read_text_layer(pdf, index: int) -> str:
    page = pdf[index]
    try:
        return page_text(page)
    finally:
        page.close()


def read_pages(path: Path) -> list[Page]:
    """Text of every page (text layer only; OCR is added by the worker)."""
    sniff(path)
    pdf = open_pdf(path)
    try:
        pages: list[Page] = []
        for i in range(len(pdf)):
            text = read_text_layer(pdf, i)
            usable, reason = text_quality(text)
            if usable:
                pages.append(Page(i + 1, text, PageSource.TEXT))
            else:
                pages.append(Page(i + 1, "", PageSource.NONE, reason))
        return pages
    finally:
        pdf.close()


# --- page content: images, emptiness ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageLayout:
    objects: int  # top-level page objects (0: nothing is drawn)
    image_cover: float  # share of the page area covered by its largest image (0..1)


def page_layout(page) -> PageLayout:
    """How many objects a page draws and how much of it its largest image covers
    (a scanned page is one image covering most of the page)."""
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    area = max(width * height, 1e-6)
    objects = 0
    cover = 0.0
    for obj in page.get_objects(max_depth=2):
        objects += 1
        if obj.type != pdfium_c.FPDF_PAGEOBJ_IMAGE:
            continue
        try:
            left, bottom, right, top = obj.get_bounds()
        except Exception:  # an image without bounds draws nothing we can measure
            continue
        w = max(0.0, min(right, width) - max(left, 0.0))
        h = max(0.0, min(top, height) - max(bottom, 0.0))
        cover = max(cover, min(1.0, (w * h) / area))
    return PageLayout(objects, cover)


# --- rendering for OCR ----------------------------------------------------------------

# Larger renders are scaled down (A3 at 300 dpi is 17 Mpx; a poster-sized page would
# otherwise need gigabytes): the effective DPI is passed on to tesseract.
MAX_RENDER_PIXELS = 40_000_000
_INK_LEVEL = 160  # gray values below this count as ink
_INK_TABLE = bytes(1 if v < _INK_LEVEL else 0 for v in range(256))


@dataclass(frozen=True, slots=True)
class Rendered:
    image: bytes  # binary PGM (P5), 8-bit gray: tesseract/leptonica read it from stdin
    width: int
    height: int
    dpi: int  # effective resolution after any downscaling
    ink: float  # share of dark pixels (0 = a white page)


def render_dpi(width_pt: float, height_pt: float, dpi: int, max_pixels: int = MAX_RENDER_PIXELS) -> int:
    """The resolution to render a page at: ``dpi``, lowered so the bitmap stays
    under ``max_pixels``."""
    pixels = (width_pt * dpi / 72.0) * (height_pt * dpi / 72.0)
    if pixels <= max_pixels:
        return dpi
    return max(1, int(dpi * math.sqrt(max_pixels / pixels)))


def render_gray(page, dpi: int, max_pixels: int = MAX_RENDER_PIXELS) -> Rendered:
    """Render a page to an 8-bit grayscale PGM image (no Pillow needed)."""
    width_pt, height_pt = page.get_size()
    eff = render_dpi(width_pt, height_pt, dpi, max_pixels)
    bitmap = page.render(scale=eff / 72.0, grayscale=True, may_draw_forms=True)
    try:
        w, h, stride = bitmap.width, bitmap.height, bitmap.stride
        buf = bytes(bitmap.buffer)
    finally:
        bitmap.close()
    if stride != w:  # drop row padding
        buf = b"".join(buf[r * stride : r * stride + w] for r in range(h))
    ink = buf.translate(_INK_TABLE).count(1) / max(w * h, 1)
    header = b"P5\n%d %d\n255\n" % (w, h)
    return Rendered(header + buf, w, h, eff, ink)
