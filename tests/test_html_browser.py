"""The HTML report as a reader sees it: laid out by a real headless Chromium.

Layout facts are measured in the page (through Playwright, driving the
system's Chromium; nothing is downloaded): the report of the example case
(8 findings) is far shorter than when every quote was expanded (7,800 px), no
page is wider than the window, rule ids sit on one line, only the first quote
of each finding is open, the filters run (the inline script passed the CSP), and
the print stylesheet hides the controls while printing opens every fold.  The
first screen is compared with a stored reference thumbnail, with a tolerance.

The checks that need no browser (links to the pages, the context, the checks
section) run everywhere; the browser ones skip when Chromium or Playwright is
missing (``.ci/run`` installs Chromium)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "fixtures" / "cases" / "islamabad-safe-city"
REFERENCE = Path(__file__).resolve().parent / "golden" / "html-first-screen.png"
THUMB = (160, 112)  # the 1280 x 900 first screen, shrunk: layout, not glyphs
TOLERANCE = 14.0  # mean absolute difference per pixel (0-255) allowed against the reference
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _chromium() -> str | None:
    for name in (os.environ.get("AUDITOR_CHROMIUM", ""), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    """`auditor scan CASE -f html -o out/report.html`, run as a user would."""
    if not CASE.is_dir():
        pytest.skip("fixtures not generated (python fixtures/make_fixtures.py)")
    out = tmp_path_factory.mktemp("html") / "out" / "report.html"
    out.parent.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([sys.executable, "-m", "auditor", "scan", str(CASE), "--no-cache", "-q", "--ocr", "off",
                    "-f", "html", "-o", str(out)], check=True, env=env, cwd=ROOT)
    return out


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.details = 0
        self.marks = 0
        self._section: list[str] = []
        self.sections: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and "page-link" in (a.get("class") or ""):
            self.hrefs.append(a["href"])
        if tag == "details":
            self.details += 1
        if tag == "mark":
            self.marks += 1
        if tag == "section" and a.get("id"):
            self.sections.append(a["id"])


def test_quotes_link_to_their_page_relative_to_the_report(report):
    parser = _Links()
    parser.feed(report.read_text(encoding="utf-8"))
    assert parser.hrefs
    base = report.resolve().as_uri()
    for href in parser.hrefs:
        assert not urlparse(href).scheme  # relative: the report and the documents move together
        target = urlparse(urljoin(base, href))
        assert Path(unquote(target.path)).is_file(), href
        assert target.fragment.startswith("page=") and int(target.fragment[5:]) >= 1
    assert "checks" in parser.sections  # the checks section is there


def test_the_html_shows_the_paragraph_and_every_check():
    from test_report_formats import scan_folder

    result = scan_folder(CASE.parent, CASE.name)
    from auditor.report import Format, render

    html = render(result, Format.HTML)
    first = result.cases[0].findings[0].evidence[0]
    assert first.before or first.after  # the extractor kept the paragraph around the quote
    from html import escape

    assert escape(first.before, quote=True) in html and escape(first.after, quote=True) in html
    for check in result.cases[0].checks:  # not fired and insufficient evidence, with the reason
        assert f">{escape(check.rule_id)}</code>" in html
        if check.reason and not check.reason.endswith("finding(s)"):
            assert escape(check.reason, quote=True) in html
    assert "insufficient evidence" in html and "not fired" in html


# --- in a real browser -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser():
    exe = _chromium()
    if exe is None:
        pytest.skip("Chromium not installed (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, report: Path, width: int = 1280, height: int = 900):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(report.resolve().as_uri())
    return page


def test_layout_in_chromium(browser, report):
    page = _open(browser, report)
    try:
        rows = page.locator("#findings-table tbody tr").count()
        assert rows == 8
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 6000, f"the report is {height} px tall"
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        # rule ids on one line: one box each, one line high
        boxes = page.evaluate("""Array.from(document.querySelectorAll('code.rule-id')).map(function (c) {
            var s = getComputedStyle(c);
            return [c.textContent, c.getClientRects().length, c.getBoundingClientRect().height, parseFloat(s.lineHeight) || parseFloat(s.fontSize) * 1.6];
        })""")
        assert boxes
        for text, rects, h, line in boxes:
            assert rects == 1 and h <= line * 1.25, f"{text} breaks over lines ({rects} boxes, {h} px)"
        # the first quote of each finding is shown, the others folded
        shown = page.evaluate("""Array.from(document.querySelectorAll('#findings-table td.finding')).map(function (td) {
            var q = td.querySelectorAll('blockquote');
            var open = Array.prototype.filter.call(q, function (b) { return b.checkVisibility(); });
            return [q.length, open.length, td.querySelectorAll('details[open]').length];
        })""")
        for total, open_, details_open in shown:
            assert total >= 1 and open_ == 1 and details_open == 0
        assert page.locator("#controls").is_visible()  # the script ran under the CSP
        page.select_option("#f-severity", "4")  # critical only
        assert page.locator("#findings-table tbody tr:visible").count() == 2
    finally:
        page.close()


def test_no_horizontal_overflow_on_a_narrow_window(browser, report):
    page = _open(browser, report, width=760)
    try:
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")
    finally:
        page.close()


def test_print_stylesheet(browser, report):
    page = _open(browser, report)
    try:
        folded = page.evaluate("document.querySelectorAll('details:not([open])').length")
        assert folded > 0
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # printing opens every fold ...
        assert page.evaluate("document.querySelectorAll('details:not([open])').length") == 0
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")  # ... and closes them again after
        assert page.evaluate("document.querySelectorAll('details:not([open])').length") == folded
        page.emulate_media(media="print")
        assert not page.locator("#controls").is_visible()
        assert page.evaluate("getComputedStyle(document.querySelector('main')).maxWidth") == "none"
        pdf = page.pdf(format="A4")
        assert pdf.startswith(b"%PDF")
    finally:
        page.close()


def test_first_screen_matches_the_reference(browser, report, tmp_path):
    from PIL import Image, ImageChops, ImageStat

    page = _open(browser, report)
    try:
        shot = tmp_path / "first-screen.png"
        page.screenshot(path=str(shot))
    finally:
        page.close()
    thumb = Image.open(shot).convert("L").resize(THUMB, Image.BILINEAR)
    if os.environ.get("UPDATE_GOLDEN", "").strip() not in ("", "0", "false", "no"):
        thumb.save(REFERENCE)
        return
    if not REFERENCE.exists():
        pytest.fail(f"{REFERENCE} missing: UPDATE_GOLDEN=1 pytest {Path(__file__).name}")
    diff = ImageStat.Stat(ImageChops.difference(thumb, Image.open(REFERENCE).convert("L"))).mean[0]
    assert diff <= TOLERANCE, f"first screen differs from the reference by {diff:.1f} (allowed {TOLERANCE})"
