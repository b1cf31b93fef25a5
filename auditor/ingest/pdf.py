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
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from auditor.errors import DocumentReadError
from auditor.models import Page, PageSource

# Bump when page reading changes what a document yields (text-quality heuristics,
# OCR decisions, rendering): it is part of the cache key.
INGEST_VERSION = "3"

_CHUNK = 1 << 20
_PDF_MAGIC = b"%PDF-"
_SNIFF_BYTES = 1024


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sniff(path: Path) -> None:
    """Cheap checks before a PDF library sees the file: empty, not a PDF."""
    size = path.stat().st_size
    if size == 0:
        raise DocumentReadError("empty", "the file is empty (0 bytes)")
    with open(path, "rb") as fh:
        head = fh.read(_SNIFF_BYTES)
    if _PDF_MAGIC not in head:
        raise DocumentReadError("not-pdf", "no PDF header in the first 1 KiB: not a PDF file")


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


def open_pdf(path: Path, password: str | None = None):
    """Open with pypdfium2, mapping failures to the contract's error codes."""
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path), password=password)
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "(pdfium: success)" in msg:  # pdfium's answer to a document without any page
            raise DocumentReadError("empty", "the PDF has no pages") from None
        if "password" in msg or "security" in msg:
            raise DocumentReadError("encrypted", "the PDF is encrypted with a password") from None
        if "format" in msg or "file" in msg or "data" in msg:
            raise DocumentReadError("corrupt", f"the PDF cannot be parsed ({exc})") from None
        raise DocumentReadError("corrupt", f"the PDF cannot be opened ({exc})") from None


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
