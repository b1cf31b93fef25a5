"""Make PDFs at test time, ordinary and hostile, into a folder the test owns.

The PDF objects are written by hand (a few lines of PDF syntax each), so every
hostile property is explicit: a text layer mapped to private-use code points, a
stream that inflates to gigabytes, two thousand pages, a file cut in half.
pikepdf is used only to encrypt; pypdfium2 only to render pages for the
image-only (scanned) variant.
"""

from __future__ import annotations

import os
import zlib
from functools import lru_cache
from pathlib import Path
from typing import Sequence

LETTER = (612, 792)

_HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"


# --- a minimal PDF writer ------------------------------------------------------------------


def stream(entries: bytes, data: bytes) -> bytes:
    """A stream object body: ``<< entries /Length n >> stream ... endstream``."""
    return b"<< " + entries + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"


def write_pdf(path: Path, objects: Sequence[bytes]) -> Path:
    """Write objects 1..n (object 1 is the catalog) with a correct xref table."""
    path = Path(path)
    out = bytearray(_HEADER)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n" % (len(objects) + 1)
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def _escape(text: str) -> bytes:
    raw = text.encode("cp1252", "replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _text_content(lines: Sequence[str], size: int = 12, top: int = 720) -> bytes:
    body = [b"BT /F1 %d Tf %d TL 72 %d Td" % (size, int(size * 1.4), top)]
    for line in lines:
        body.append(b"(" + _escape(line) + b") Tj T*")
    body.append(b"ET")
    return b"\n".join(body)


def _pages_pdf(path: Path, contents: Sequence[bytes], font: bytes, extra: Sequence[bytes] = (),
               size: tuple[int, int] = LETTER, resources: bytes | None = None) -> Path:
    """Catalog (1), pages (2), font (3), extra objects (4..), then for each page a
    page object and its content stream."""
    n_fixed = 3 + len(extra)
    kids = []
    objects: list[bytes] = [b"", b"", font, *extra]
    res = resources or b"<< /Font << /F1 3 0 R >> >>"
    for content in contents:
        page_no = len(objects) + 1
        kids.append(page_no)
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources %s /Contents %d 0 R >>"
                       % (size[0], size[1], res, page_no + 1))
        objects.append(stream(b"", content))
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R >>"
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    assert n_fixed == 3 + len(extra)
    return write_pdf(path, objects)


_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


# --- ordinary documents ----------------------------------------------------------------------


def text_pdf(path: Path, pages: Sequence[Sequence[str] | str], size: int = 12) -> Path:
    """A born-digital PDF: each page is a list of lines (or one string) in Helvetica."""
    contents = [_text_content([p] if isinstance(p, str) else p, size) for p in pages]
    return _pages_pdf(path, contents, _HELVETICA)


def many_pages_pdf(path: Path, count: int, line: str = "Page of a very long document about procurement.") -> Path:
    """``count`` pages sharing one content stream (fast to write, ~100 bytes a page)."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", _HELVETICA,
                            stream(b"", _text_content([line]))]
    first = len(objects) + 1
    kids = b" ".join(b"%d 0 R" % (first + i) for i in range(count))
    objects[1] = b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    objects.extend([page] * count)
    return write_pdf(path, objects)


def private_use_pdf(path: Path, lines: Sequence[str], size: int = 20) -> Path:
    """Visible Helvetica text whose text layer is private-use garbage: a /ToUnicode
    map sends every character code 0x20-0x7E to U+F020-U+F07E (as Print-to-PDF
    does with unmapped CID fonts).  Rendering shows the real words; extraction
    yields only private-use code points."""
    cmap = b"\n".join([
        b"/CIDInit /ProcSet findresource begin",
        b"12 dict begin",
        b"begincmap",
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        b"/CMapName /Adobe-Identity-UCS def",
        b"/CMapType 2 def",
        b"1 begincodespacerange",
        b"<00> <FF>",
        b"endcodespacerange",
        b"1 beginbfrange",
        b"<20> <7E> <F020>",
        b"endbfrange",
        b"endcmap",
        b"CMapName currentdict /CMap defineresource pop",
        b"end",
        b"end",
    ])
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding /ToUnicode 4 0 R >>"
    return _pages_pdf(path, [_text_content(lines, size)], font, extra=[stream(b"", cmap)])


def image_only_pdf(path: Path, source: Path, dpi: int = 300, stamp: str | None = None) -> Path:
    """A scan of ``source``: every page rendered (pypdfium2, 8-bit gray) and
    embedded as a full-page image, with no text layer at all — or only a
    scanner app's ``stamp`` ("Scanned with CamScanner") in small type."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(source))
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    try:
        for i in range(len(pdf)):
            page = pdf[i]
            w_pt, h_pt = page.get_size()
            bitmap = page.render(scale=dpi / 72, grayscale=True)
            w, h, stride = bitmap.width, bitmap.height, bitmap.stride
            buf = bytes(bitmap.buffer)
            if stride != w:
                buf = b"".join(buf[r * stride: r * stride + w] for r in range(h))
            bitmap.close()
            page.close()
            img = len(objects) + 1
            objects.append(stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                                  b"/BitsPerComponent 8 /Filter /FlateDecode" % (w, h), zlib.compress(buf, 6)))
            content = b"q %.2f 0 0 %.2f 0 0 cm /Im0 Do Q" % (w_pt, h_pt)
            font = b""
            if stamp:
                content += b"\nBT /F1 8 Tf %.2f 12 Td (" % (w_pt - 150) + _escape(stamp) + b") Tj ET"
                font = b"/Font << /F1 " + _HELVETICA + b" >> "
            objects.append(stream(b"", content))
            kids.append(len(objects) + 1)
            objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] "
                           b"/Resources << %s/XObject << /Im0 %d 0 R >> >> /Contents %d 0 R >>"
                           % (w_pt, h_pt, font, img, img + 1))
    finally:
        pdf.close()
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    return write_pdf(path, objects)


def blank_pdf(path: Path, pages: int = 1) -> Path:
    """Pages that draw nothing at all."""
    return _pages_pdf(path, [b""] * pages, _HELVETICA)


# --- hostile files --------------------------------------------------------------------------------


def empty_file(path: Path) -> Path:
    Path(path).write_bytes(b"")
    return Path(path)


def random_bytes(path: Path, size: int = 64 * 1024, seed: int = 7) -> Path:
    """Bytes that are no PDF at all (deterministic, no ``%PDF-`` in them)."""
    import random

    rng = random.Random(seed)
    data = bytes(rng.getrandbits(8) for _ in range(size)).replace(b"%PDF", b"%PDX")
    Path(path).write_bytes(data)
    return Path(path)


def truncated(path: Path, source: Path, keep: float = 0.5) -> Path:
    """The first ``keep`` share of another PDF (a download cut short)."""
    data = Path(source).read_bytes()
    Path(path).write_bytes(data[: int(len(data) * keep)])
    return Path(path)


def encrypted(path: Path, source: Path, user: str = "u", owner: str = "o") -> Path:
    """``source`` encrypted with a user password (nothing opens it without)."""
    import pikepdf

    with pikepdf.open(source) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user=user, owner=owner))
    return Path(path)


def _zeros_zlib(total: int, chunk: int = 1 << 24) -> bytes:
    """A zlib stream that inflates to ``total`` zero bytes, built without
    compressing them all: after a full flush deflate restarts from scratch, so
    every further chunk of zeros compresses to the same bytes, and the Adler-32
    of n zeros is (n mod 65521) << 16 | 1."""
    assert total % chunk == 0
    n = total // chunk
    zeros = bytes(chunk)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    repeat = c.compress(zeros) + c.flush(zlib.Z_FULL_FLUSH)
    end = c.flush()
    adler = ((total % 65521) << 16) | 1
    return b"\x78\xda" + first + repeat * (n - 1) + end + adler.to_bytes(4, "big")


def content_bomb_pdf(path: Path, gib: int = 4) -> Path:
    """One page whose content stream is a few MB of Flate that inflates to
    ``gib`` GiB of zero bytes."""
    data = _zeros_zlib(gib << 30)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               stream(b"/Filter /FlateDecode", data)]
    return write_pdf(path, objects)


def image_bomb_pdf(path: Path, side: int = 65536) -> Path:
    """One page showing a ``side`` × ``side`` 8-bit gray image (4 GiB decoded for
    65536) stored as a few MB of Flate: harmless until something renders it."""
    data = _zeros_zlib(side * side)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>",
               b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
               stream(b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                      b"/BitsPerComponent 8 /Filter /FlateDecode" % (side, side), data),
               stream(b"", b"q 612 0 0 792 0 0 cm /Im0 Do Q")]
    return write_pdf(path, objects)


def slow_pdf(path: Path, pages: int = 40, glyphs: int = 60_000) -> Path:
    """Pages that each carry tens of thousands of positioned glyphs: legal, but
    slow to extract (seconds), for the per-document time limit."""
    row = b"".join(b"1 0 Td (x) Tj " for _ in range(100))
    body = b"BT /F1 1 Tf 0 0 Td " + row * (glyphs // 100) + b"ET"
    compressed = zlib.compress(body, 9)
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", _HELVETICA,
                            stream(b"/Filter /FlateDecode", compressed)]
    first = len(objects) + 1
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % (first + i) for i in range(pages)) + b"] /Count %d >>" % pages
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    objects.extend([page] * pages)
    return write_pdf(path, objects)


def sizes(folder: Path) -> dict[str, int]:
    return {p.name: os.path.getsize(p) for p in sorted(Path(folder).iterdir())}


@lru_cache(maxsize=None)
def page_words(path: str, page: int) -> str:
    """The text layer of one page (1-based) as pdfium reads it, whitespace-normalised: an
    extractor independent of the scan's, to check that a quote stands on its page."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(path)
    try:
        pg = pdf[page - 1]
        tp = pg.get_textpage()
        text = tp.get_text_range()
        tp.close()
        pg.close()
        return " ".join(text.split())
    finally:
        pdf.close()


def read_pages(path: Path, ocr: str = "off") -> list:
    """The pages of a PDF as a scan's worker reads them (tables and register rows
    included), without the cache."""
    from auditor.ingest.worker import _Reader
    from auditor.options import OcrMode, ScanOptions

    return _Reader(ScanOptions(ocr=OcrMode(ocr), use_cache=False), None, {}).read(path)


def read_and_analyse(path: Path) -> tuple:
    """(path, pages, facts analysis) of a PDF read as a scan's worker reads it."""
    from auditor.extract.facts import analyse

    pages = read_pages(path)
    return path, pages, analyse(path.name, "0" * 64, pages)
