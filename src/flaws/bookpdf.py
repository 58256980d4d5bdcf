"""Print the whole book as one PDF, the book's archived form (``make pdf``).

Jupyter Book 1.x's ``pdfhtml`` builder renders the book as one HTML page (Sphinx's
``singlehtml``) and prints it with Playwright's own Chromium, which it expects to have been
downloaded (``playwright install``); it also writes that single page into ``_build/html``, over
the HTML book. Here the same two steps run apart: ``jupyter-book build . --builder singlehtml``
writes ``_build/singlehtml``, and ::

    python -m flaws.bookpdf _build/singlehtml _build/pdf/book.pdf

prints its ``index.html`` (that is, the page it redirects to) with the system Chromium the browser check uses (``/usr/bin/chromium``,
or ``$FLAWS_CHROMIUM``), offline: the page is served from 127.0.0.1, requests to other hosts are
blocked, and MathJax (served from the build) has typeset the math before printing; a figure that
did not load or math left as literal TeX stops the print (an error, no PDF). The print
style is Jupyter Book's (no page break inside a cell's input or output) plus rules that hide the
navigation, the toggle buttons and the launch buttons. Folded code stays folded, as the HTML
book shows it, and its "show code" line is not printed: the code is in the repository.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from .bookcheck import _LITERAL_MATH_JS, CHROMIUM_ARGS, LITERAL_MATH, BookCheckError, find_chromium, serve
from ._io import atomic_path

__all__ = ["PRINT_CSS", "print_pdf", "pdf_pages", "start_page", "main"]

#: Added to the page before printing.
PRINT_CSS = """
div.cell_input, div.cell_output { break-inside: avoid; page-break-inside: avoid; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article, .bd-footer,
.bd-footer-article, .prev-next-area, .header-article-items, .toggle-button, button.toggle-button,
.copybtn, .headerlink, #pst-back-to-top, .search-button-field { display: none !important; }
.bd-main, .bd-content, .bd-article-container, .bd-page-width { max-width: 100% !important; }
.bd-main .bd-content .bd-article-container { padding: 0 !important; }
details.hide > summary, .cell .toggle-hidden + button { display: none !important; }
div.cell_output div.output, .pst-scrollable-table-container { overflow: visible !important; }
.skip-link { display: none !important; }
table { font-size: 0.72em !important; max-width: 100% !important; }
th, td { overflow-wrap: anywhere; padding: 0.15em 0.35em !important; }
img { max-width: 100% !important; break-inside: avoid; }
"""
_WAIT_JS = """async () => {
    for (const i of document.images) { i.loading = 'eager'; }
    await Promise.all(Array.from(document.images).map(i => i.complete ? null :
        new Promise(r => { i.addEventListener('load', r); i.addEventListener('error', r); })));
    const M = window.MathJax;
    if (M && M.startup && M.startup.promise) {  // at most 60 s; then the literal-TeX check stops the print
        await Promise.race([M.startup.promise, new Promise(r => setTimeout(r, 60000))]);
    }
    if (document.fonts && document.fonts.ready) { await document.fonts.ready; }
}"""
_BROKEN_IMAGES_JS = """() => Array.from(document.images).filter(i => !i.naturalWidth)
    .map(i => i.getAttribute('src') || '')"""
PAGE_TIMEOUT_MS = 300_000
#: The name the single page is served under, at the root of the build (see print_pdf).
PRINT_PAGE = "__flaws_book_print__.html"


def pdf_pages(path: str | Path) -> int:
    """Number of pages of a PDF written by Chromium (page objects are not compressed there)."""
    data = Path(path).read_bytes()
    if not data.startswith(b"%PDF-"):
        raise ValueError(f"{path}: not a PDF")
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", data))


_REFRESH = re.compile(r"""<meta\s+http-equiv=["']?refresh["']?\s+content=["']\s*\d+\s*;\s*url=([^"'>\s]+)""", re.I)


def start_page(html_dir: str | Path, page: str = "index.html") -> str:
    """``page``, or the page its meta refresh leads to (Jupyter Book's ``index.html`` points to the
    root document, ``book/intro.html``, which holds the whole book in a singlehtml build)."""
    html_dir = Path(html_dir)
    for _ in range(5):
        path = html_dir / page
        if not path.is_file():
            raise BookCheckError(f"{path}: not found (run `jupyter-book build . --builder singlehtml`)")
        match = _REFRESH.search(path.read_text(encoding="utf-8", errors="replace")[:2000])
        if not match:
            return page
        page = (Path(page).parent / match.group(1)).as_posix()
    raise BookCheckError(f"{html_dir}: too many redirects from index.html")


def print_pdf(html_dir: str | Path, pdf_file: str | Path, page: str = "index.html",
              chromium: str | None = None, paper: str = "A4") -> Path:
    """Print ``html_dir/page`` (after its meta refresh, if any) to ``pdf_file`` with headless
    Chromium, offline; returns the path."""
    from playwright.sync_api import sync_playwright

    html_dir, pdf_file = Path(html_dir), Path(pdf_file)
    page = start_page(html_dir, page)
    executable = find_chromium(chromium)
    pdf_file.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(pdf_file) as tmp, serve(html_dir) as base, sync_playwright() as pw:
        host = urlsplit(base).netloc
        browser = pw.chromium.launch(executable_path=executable, headless=True, args=list(CHROMIUM_ARGS))
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.route(
                "**/*",
                lambda route: route.continue_()
                if urlsplit(route.request.url).netloc == host
                else route.abort(),
            )
            # Sphinx's singlehtml builder writes the root document (book/intro.html) with links
            # relative to the output folder, so the page is served from there under another name.
            body = (html_dir / page).read_bytes()
            context.route(
                base + PRINT_PAGE,
                lambda route: route.fulfill(status=200, body=body, content_type="text/html; charset=utf-8"),
            )
            tab = context.new_page()
            tab.set_default_timeout(PAGE_TIMEOUT_MS)
            tab.goto(base + PRINT_PAGE, wait_until="load")
            tab.evaluate(_WAIT_JS)
            # An archive with a missing figure or untypeset math is no archive: stop instead.
            broken = tab.evaluate(_BROKEN_IMAGES_JS)
            if broken:
                raise BookCheckError(f"{len(broken)} image(s) did not load: {', '.join(broken[:3])}")
            literal = tab.evaluate(_LITERAL_MATH_JS, list(LITERAL_MATH))
            if literal:
                raise BookCheckError(f"math left as literal TeX in {len(literal)} place(s): {'; '.join(literal[:3])}")
            tab.add_style_tag(content=PRINT_CSS)
            tab.emulate_media(media="print")
            tab.pdf(
                path=str(tmp), format=paper, print_background=True, outline=True, tagged=True,
                margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"},
                display_header_footer=True, header_template="<span></span>",
                footer_template="<div style='font-size:8px;width:100%;text-align:center'>"
                "<span class='pageNumber'></span> / <span class='totalPages'></span></div>",
            )
        finally:
            browser.close()
    return pdf_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flaws.bookpdf",
        description="Print the book, built as one page (jupyter-book build . --builder singlehtml), "
        "to one PDF with headless Chromium.",
    )
    parser.add_argument("html_dir", nargs="?", default="_build/singlehtml", help="default: _build/singlehtml")
    parser.add_argument("pdf", nargs="?", default="_build/pdf/book.pdf", help="default: _build/pdf/book.pdf")
    parser.add_argument("--chromium", help="Chromium executable (default: $FLAWS_CHROMIUM or /usr/bin/chromium)")
    parser.add_argument("--paper", default="A4", help="paper size (default: A4)")
    args = parser.parse_args(argv)
    start = time.monotonic()
    try:
        path = print_pdf(args.html_dir, args.pdf, chromium=args.chromium, paper=args.paper)
    except BookCheckError as exc:
        print(f"bookpdf: error: {exc}", file=sys.stderr)
        return 2
    size = path.stat().st_size
    print(f"bookpdf: {args.pdf}: {pdf_pages(path)} pages, {size / 1e6:.1f} MB, "
          f"printed in {time.monotonic() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
