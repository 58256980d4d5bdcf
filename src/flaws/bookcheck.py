r"""Check the built HTML book in a real browser.

``python -m flaws.bookcheck _build/html`` serves the built book on 127.0.0.1, opens every page
of the table of contents (``_toc.yml``) in headless Chromium driven by Playwright, and checks
that

* every page loads with HTTP 200 and without console errors or uncaught exceptions coming from
  the book itself (requests to other hosts are blocked: the check runs offline, and messages
  caused by blocked third-party resources such as MathJax from a CDN do not count);
* every ``<img>`` on the page has loaded (``naturalWidth > 0``) and is served by the book, and
  every figure in the page's article has alt text;
* every internal link (``<a href>`` to the same host) points to an existing file, and its
  ``#fragment``, if any, to an element with that ``id`` (or ``name``) in that file;
* no math is left as literal TeX: once MathJax (served from the build, ``_static/mathjax``) has
  typeset the page, its text outside code blocks shows none of ``\(``, ``\)``, ``\[`` or ``$$``;
* no table is clipped: a table that runs past the text column (the page's ``article``) must sit
  in a scroll box (an element with ``overflow-x: auto`` or ``scroll``) that itself fits the
  column;
* every table reads as a table for a reader: no column header that is a raw code name
  (``lt_only``, ``conditional_accuracy_worst``: lower-case words joined by underscores), no cell
  that says ``NaN``, ``None``, ``<NA>`` or ``NaT`` (a missing value is "—" or "unknown"), and no
  pandas index column (a rendered data frame whose rows start with the numbers 0, 1, 2, ... or
  1, 2, 3, ...);
* no Colab launch button opens a ``.md`` page (Colab opens only notebooks);
* with ``require_landing_figure`` (``--require-landing-figure``), the landing page shows at least
  one figure (an image with alt text in its article);

and saves screenshots of the landing page, of the ceiling figure
(``notebooks/03_ceiling_and_correlation``) and of the report (``book/report``) into
``_build/screenshots/``. ``--json FILE`` also writes the report (pages, figures per page,
problems) as JSON.

Chromium is the system one (Debian package ``chromium``); set ``FLAWS_CHROMIUM`` or pass
``--chromium`` to use another executable. Exit status 0 when no problem was found, 1 otherwise,
2 on a usage error.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import shutil
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import yaml
from ._io import atomic_path

__all__ = [
    "CHROMIUM_ARGS",
    "CEILING_PAGE",
    "BookCheckError",
    "Report",
    "toc_pages",
    "serve",
    "check_book",
    "main",
]

#: Flags for a headless, offline, quiet Chromium (root in a container needs --no-sandbox).
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: The page holding the ceiling figure (the paper's Fig. 1a on our data).
CEILING_PAGE = "notebooks/03_ceiling_and_correlation"
#: Pages screenshotted above the fold (besides the landing page): docname -> file name.
SCREENSHOT_PAGES = {"book/report": "report.png"}
#: Text that means MathJax did not typeset the math around it.
LITERAL_MATH = ("\\(", "\\)", "\\[", "$$")
DEFAULT_CHROMIUM = "/usr/bin/chromium"
VIEWPORT = {"width": 1280, "height": 900}
PAGE_TIMEOUT_MS = 30_000


class BookCheckError(RuntimeError):
    """The check could not run (no built book, no table of contents, no browser)."""


@dataclass
class Report:
    """What was checked and what was wrong; ``ok`` when nothing was."""

    pages: list[str] = field(default_factory=list)
    images: int = 0
    links: int = 0
    tables: int = 0
    #: docname -> number of figures (loaded images with alt text in the article)
    figures: dict[str, int] = field(default_factory=dict)
    screenshots: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        lines = [
            f"bookcheck: {len(self.pages)} pages, {self.images} images, {self.tables} tables, "
            f"{self.links} internal links checked; {len(self.problems)} problem(s)"
        ]
        lines += [f"  screenshot: {p}" for p in self.screenshots]
        lines += [f"  note: {n}" for n in self.notes]
        lines += [f"  PROBLEM: {p}" for p in self.problems]
        return "\n".join(lines)

    def to_json(self) -> dict:
        """The report as plain data (screenshot paths as given)."""
        return {
            "pages": self.pages, "images": self.images, "tables": self.tables, "links": self.links,
            "figures": self.figures, "screenshots": [str(p) for p in self.screenshots],
            "notes": self.notes, "problems": self.problems, "ok": self.ok,
        }


# --------------------------------------------------------------------------- table of contents


def toc_pages(toc_file: str | Path) -> list[str]:
    """Docnames (paths without suffix, relative to the book root) in ``_toc.yml`` order."""
    toc_file = Path(toc_file)
    try:
        toc = yaml.safe_load(toc_file.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise BookCheckError(f"{toc_file}: cannot read the table of contents: {exc}") from exc
    if not isinstance(toc, dict) or "root" not in toc:
        raise BookCheckError(f"{toc_file}: no 'root' entry; not a Jupyter Book table of contents")

    pages: list[str] = []

    def add(entry: str) -> None:
        name = str(entry)
        for suffix in (".md", ".ipynb", ".rst"):
            if name.endswith(suffix):
                name = name[: -len(suffix)]
        if name not in pages:
            pages.append(name)

    def walk(node) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            if "file" in node:
                add(node["file"])
            for key in ("parts", "chapters", "sections"):
                if key in node:
                    walk(node[key])

    add(toc["root"])
    walk(toc)
    return pages


# --------------------------------------------------------------------------- local HTTP server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature of the base class
        pass


@contextmanager
def serve(directory: str | Path):
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="bookcheck-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# --------------------------------------------------------------------------- anchors of a file


class _AnchorParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.anchors: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if value and (key == "id" or (key == "name" and tag == "a")):
                self.anchors.add(value)


@functools.lru_cache(maxsize=None)
def _anchors(path: Path) -> frozenset[str]:
    parser = _AnchorParser()
    parser.feed(path.read_text(encoding="utf-8", errors="replace"))
    return frozenset(parser.anchors)


def _local_file(html_dir: Path, url_path: str) -> Path | None:
    """The file a same-host URL path maps to, or None when there is none."""
    rel = unquote(url_path).lstrip("/")
    target = (html_dir / rel).resolve()
    try:
        target.relative_to(html_dir)
    except ValueError:
        return None
    if target.is_dir():
        target = target / "index.html"
    return target if target.is_file() else None


# --------------------------------------------------------------------------- the check

_IMAGES_JS = """() => Array.from(document.images).map(i => ({
    src: i.currentSrc || i.src, attr: i.getAttribute('src') || '', complete: i.complete,
    width: i.naturalWidth, alt: (i.getAttribute('alt') || '').trim(),
    content: i.closest('article') !== null}))"""
_LINKS_JS = """() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"""
_EAGER_JS = """() => { for (const i of document.images) { i.loading = 'eager'; } }"""
_IMAGES_DONE_JS = """() => Array.from(document.images).every(i => i.complete)"""
# MathJax 3 typesets after its startup promise resolves; without MathJax there is nothing to wait for.
# At most 20 s: math still untypeset then is reported as literal TeX.
_MATHJAX_DONE_JS = """async () => {
    const M = window.MathJax;
    if (M && M.startup && M.startup.promise) {
        const late = new Promise(r => setTimeout(r, 20000));
        try { await Promise.race([M.startup.promise, late]); } catch (e) { return String(e); }
    }
    return '';
}"""
# Text nodes outside code, scripts and MathJax's own output that still hold TeX delimiters.
_LITERAL_MATH_JS = """(marks) => {
    const skip = 'script, style, noscript, template, pre, code, kbd, samp, textarea, .highlight, mjx-container';
    const found = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.nodeValue;
        if (!marks.some(m => text.includes(m))) { continue; }
        if (node.parentElement && node.parentElement.closest(skip)) { continue; }
        found.push(text.replace(/\\s+/g, ' ').trim().slice(0, 80));
    }
    return found;
}"""
# Tables in the text column: wider than the column and not inside a scroll box that fits it.
_TABLES_JS = """() => {
    const column = document.querySelector('article') || document.querySelector('main') || document.body;
    const edge = column.getBoundingClientRect();
    const out = [];
    const tables = Array.from(column.querySelectorAll('table'));
    for (const [index, table] of tables.entries()) {
        const r = table.getBoundingClientRect();
        if (r.width === 0 && r.height === 0) { continue; }  // not displayed (e.g. a folded cell)
        let box = null;
        for (let el = table.parentElement; el && el !== column; el = el.parentElement) {
            const o = getComputedStyle(el).overflowX;
            if (o === 'auto' || o === 'scroll') { box = el; break; }
        }
        const outer = box ? box.getBoundingClientRect() : r;
        const label = Array.from(table.querySelectorAll('caption, th, td'))
            .map(e => e.textContent.trim()).find(t => t) || '';
        out.push({
            index: index + 1, count: tables.length,
            width: Math.round(r.width), column: Math.round(edge.width), scrolls: box !== null,
            fits: outer.left >= edge.left - 1 && outer.right <= edge.right + 1,
            label: label.replace(/\\s+/g, ' ').trim().slice(0, 60),
        });
    }
    return out;
}"""
# What a reader sees of each table in the article: header texts, cells, and the row headers of a
# rendered data frame (pandas writes its index as a <th> at the start of each body row).
_TABLE_TEXT_JS = """() => {
    const column = document.querySelector('article') || document.querySelector('main') || document.body;
    const clean = t => t.replace(/\\s+/g, ' ').trim();
    return Array.from(column.querySelectorAll('table')).map((table, index) => ({
        index: index + 1,
        headers: Array.from(table.querySelectorAll('thead th')).map(e => clean(e.textContent)),
        cells: Array.from(table.querySelectorAll('tbody td, tbody th')).map(e => clean(e.textContent)),
        rowHeaders: Array.from(table.querySelectorAll('tbody tr')).map(tr => {
            const first = tr.firstElementChild;
            return first && first.tagName === 'TH' ? clean(first.textContent) : null;
        }),
    }));
}"""
#: a cell a reader should never see: pandas's and Python's names for a missing value
MISSING_CELLS = frozenset({"NaN", "nan", "None", "<NA>", "NaT"})
_COLAB_HOST = "colab.research.google.com"
#: pages whose tables are not yet converted to flaws.book.table: their table problems are listed as
#: notes, not problems, until they are (remove a page from here when its tables read well)
TABLE_RULES_PENDING: frozenset = frozenset()


def table_problems(table: dict) -> list[str]:
    """What reads badly in one rendered table (see the module docstring): raw code names as column
    headers, cells saying NaN, a pandas index column."""
    from .book import RAW_NAME

    out = []
    raw = [h for h in table["headers"] if RAW_NAME.match(h)]
    if raw:
        out.append(f"column header(s) {', '.join(map(repr, raw[:4]))} are code names, not words")
    missing = sorted({c for c in table["cells"] if c in MISSING_CELLS})
    if missing:
        n = sum(c in MISSING_CELLS for c in table["cells"])
        out.append(f"{n} cell(s) say {' / '.join(missing)} (write '—' or 'unknown')")
    rows = table["rowHeaders"]
    if len(rows) >= 2 and all(r is not None for r in rows):
        if rows in ([str(i) for i in range(len(rows))], [str(i) for i in range(1, len(rows) + 1)]):
            out.append("a pandas index column (rows numbered " + f"{rows[0]}, {rows[1]}, ...)")
    return out


_FIND_CEILING_JS = """() => {
    const scope = document.querySelector('main') || document.querySelector('article') || document.body;
    const imgs = Array.from(scope.querySelectorAll('img'))
        .filter(i => i.naturalWidth > 0 && i.getBoundingClientRect().width > 0);
    const hit = imgs.find(i => /ceiling/i.test(i.getAttribute('alt') || '')) || imgs[0];
    if (!hit) { return false; }
    hit.setAttribute('data-bookcheck-ceiling', '1');
    return true;
}"""


def _launch(playwright, chromium: str):
    return playwright.chromium.launch(
        executable_path=chromium, headless=True, args=list(CHROMIUM_ARGS)
    )


def find_chromium(explicit: str | None = None) -> str:
    """The Chromium executable: ``explicit``, else ``$FLAWS_CHROMIUM``, else the Debian one."""
    candidate = explicit or os.environ.get("FLAWS_CHROMIUM") or DEFAULT_CHROMIUM
    path = candidate if os.path.isabs(candidate) else shutil.which(candidate)
    if not path or not os.access(path, os.X_OK):
        raise BookCheckError(
            f"Chromium not found at {candidate!r}: install the Debian package "
            "(apt-get install -y chromium) or set FLAWS_CHROMIUM"
        )
    return path


def check_book(
    html_dir: str | Path,
    pages: list[str] | None = None,
    toc_file: str | Path | None = None,
    screenshots_dir: str | Path | None = None,
    chromium: str | None = None,
    landing_page: str | None = None,
    ceiling_page: str = CEILING_PAGE,
    require_alt: bool = True,
    require_landing_figure: bool = False,
) -> Report:
    """Open every page of the book in headless Chromium and check it (see the module doc).

    ``pages`` are docnames (``book/intro``); by default read from ``toc_file``, by default the
    ``_toc.yml`` two levels above ``html_dir`` (``<root>/_build/html``). Screenshots go to
    ``screenshots_dir``, by default ``<html_dir>/../screenshots``. ``landing_page`` defaults
    to the first page. With ``require_alt``, every image in a page's article (figures, not
    theme icons) needs alt text; with ``require_landing_figure``, the landing page needs at
    least one figure. Literal math and clipped tables are always problems.
    """
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    html_dir = Path(html_dir).resolve()
    if not html_dir.is_dir():
        raise BookCheckError(f"{html_dir}: no built book here (run `make book` first)")
    if pages is None:
        toc_file = Path(toc_file) if toc_file else html_dir.parent.parent / "_toc.yml"
        pages = toc_pages(toc_file)
    if not pages:
        raise BookCheckError("no pages to check")
    screenshots_dir = Path(screenshots_dir) if screenshots_dir else html_dir.parent / "screenshots"
    landing_page = landing_page or pages[0]
    chromium = find_chromium(chromium)

    report = Report(pages=list(pages))
    linked: dict[str, set[str]] = {}  # target URL (without host) -> pages linking to it

    with serve(html_dir) as base, sync_playwright() as pw:
        host = urlsplit(base).netloc
        browser = _launch(pw, chromium)
        try:
            context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
            # Offline: anything not served by our server is blocked (and not held against the book).
            context.route(
                "**/*",
                lambda route: route.continue_()
                if urlsplit(route.request.url).netloc == host
                else route.abort(),
            )
            page = context.new_page()
            page.set_default_timeout(PAGE_TIMEOUT_MS)
            for docname in pages:
                _check_page(page, base, host, html_dir, docname, report, linked, require_alt)
                if docname == landing_page:
                    report.screenshots.append(_screenshot_page(page, screenshots_dir / "landing.png"))
                if docname == ceiling_page:
                    report.screenshots += _screenshot_ceiling(page, screenshots_dir, report)
                if docname in SCREENSHOT_PAGES:
                    shot = screenshots_dir / SCREENSHOT_PAGES[docname]
                    report.screenshots.append(_screenshot_page(page, shot))
            if require_landing_figure and report.figures.get(landing_page, 0) == 0:
                report.problems.append(f"{landing_page}: the landing page shows no figure")
            if ceiling_page not in pages:
                report.notes.append(f"{ceiling_page} is not in the table of contents: no ceiling screenshot")
        except PlaywrightError as exc:
            report.problems.append(f"browser error: {exc}")
        finally:
            browser.close()

    # Internal links: the file must exist; a fragment must name an element of that file.
    for target in sorted(linked):
        report.links += 1
        url_path, fragment = urldefrag(target)
        path = _local_file(html_dir, urlsplit(url_path).path)
        sources = ", ".join(sorted(linked[target])[:3])
        if path is None:
            report.problems.append(f"broken link {target} (from {sources}): no such file")
        elif fragment and path.suffix == ".html" and unquote(fragment) not in _anchors(path):
            report.problems.append(f"broken link {target} (from {sources}): no element with id {fragment!r}")
    return report


#: the text of every value pasted by myst-nb's {glue:text} role
_PASTED_JS = "() => Array.from(document.querySelectorAll('.pasted-text'), e => e.textContent)"


def _has_alt_text(img: dict) -> bool:
    """Real alt text: Sphinx writes the image path as alt when none was given."""
    alt = img["alt"]
    if not alt or alt == img["attr"] or alt == img["src"]:
        return False
    return not alt.lower().endswith((".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp"))


def _check_page(page, base, host, html_dir, docname, report, linked, require_alt) -> None:
    url = f"{base}{docname}.html"
    errors: list[str] = []

    def on_console(msg):
        if msg.type != "error":
            return
        where = (msg.location or {}).get("url", "")
        if where and urlsplit(where).netloc not in ("", host):
            return  # a blocked third-party resource (e.g. MathJax from a CDN)
        if "net::ERR_FAILED" in msg.text and not where:
            return  # the message Chromium logs for a request we aborted
        errors.append(f"console error: {msg.text}")

    def on_pageerror(exc):
        errors.append(f"uncaught exception: {exc}")

    def on_response(response):
        if urlsplit(response.url).netloc == host and response.status >= 400:
            errors.append(f"HTTP {response.status} for {response.url.removeprefix(base)}")

    page.on("console", on_console)
    page.on("pageerror", on_pageerror)
    page.on("response", on_response)
    try:
        response = page.goto(url, wait_until="load")
        if response is None or response.status != 200:
            status = None if response is None else response.status
            report.problems.append(f"{docname}: HTTP status {status} for {docname}.html")
            return
        page.evaluate(_EAGER_JS)
        try:
            page.wait_for_function(_IMAGES_DONE_JS, timeout=PAGE_TIMEOUT_MS)
        except Exception:  # reported below, image by image
            pass
        figures = 0
        for img in page.evaluate(_IMAGES_JS):
            report.images += 1
            src = img["src"].removeprefix(base)
            if urlsplit(img["src"]).netloc != host:
                report.problems.append(f"{docname}: image from another host (not available offline): {img['src']}")
            elif not img["complete"] or img["width"] <= 0:
                report.problems.append(f"{docname}: image not loaded (naturalWidth 0): {src}")
            if img["content"] and _has_alt_text(img) and img["complete"] and img["width"] > 0:
                figures += 1
            if require_alt and img["content"] and not _has_alt_text(img):
                report.problems.append(f"{docname}: figure without alt text: {src}")
        report.figures[docname] = figures
        mathjax_error = page.evaluate(_MATHJAX_DONE_JS)
        if mathjax_error:
            errors.append(f"MathJax failed: {mathjax_error}")
        literal = page.evaluate(_LITERAL_MATH_JS, list(LITERAL_MATH))
        if literal:
            report.problems.append(
                f"{docname}: math shown as literal TeX (MathJax did not typeset it) in {len(literal)} "
                "place(s): " + "; ".join(literal[:3]) + ("; ..." if len(literal) > 3 else "")
            )
        from .book import check_text

        for text in page.evaluate(_PASTED_JS):
            bad = check_text(text)
            if bad:
                report.problems.append(f"{docname}: glued value {text!r} reads badly ({', '.join(bad)})")
        for table in page.evaluate(_TABLES_JS):
            report.tables += 1
            if table["fits"]:
                continue
            where = "its scroll box runs past" if table["scrolls"] else "no scroll box; runs past"
            report.problems.append(
                f"{docname}: table {table['index']} of {table['count']} clipped ({table['width']} px, {where} the "
                f"{table['column']} px text column), starting {table['label']!r}"
            )
        for table in page.evaluate(_TABLE_TEXT_JS):
            for why in table_problems(table):
                if docname in TABLE_RULES_PENDING:
                    report.notes.append(f"{docname}: table {table['index']} (table rules pending): {why}")
                else:
                    report.problems.append(f"{docname}: table {table['index']}: {why}")
        for href in page.evaluate(_LINKS_JS):
            parts = urlsplit(href)
            if parts.netloc == _COLAB_HOST and parts.path.endswith(".md"):
                report.problems.append(f"{docname}: Colab launch link to a Markdown file (Colab opens only notebooks): {href}")
            if parts.scheme in ("http", "https") and parts.netloc == host:
                target = parts.path + (f"#{parts.fragment}" if parts.fragment else "")
                linked.setdefault(target, set()).add(docname)
    finally:
        page.remove_listener("console", on_console)
        page.remove_listener("pageerror", on_pageerror)
        page.remove_listener("response", on_response)
    report.problems += [f"{docname}: {e}" for e in errors]


def _screenshot_page(page, path: Path) -> Path:
    with atomic_path(path, suffix=".png") as tmp:
        page.screenshot(path=str(tmp), full_page=False)
    return path


def _screenshot_ceiling(page, screenshots_dir: Path, report: Report) -> list[Path]:
    shots = [_screenshot_page(page, screenshots_dir / "ceiling_page.png")]
    if not page.evaluate(_FIND_CEILING_JS):
        report.problems.append(f"{CEILING_PAGE}: no visible figure on the page to screenshot")
        return shots
    img = page.locator("img[data-bookcheck-ceiling]").first
    img.scroll_into_view_if_needed()
    path = screenshots_dir / "ceiling_figure.png"
    with atomic_path(path, suffix=".png") as tmp:
        img.screenshot(path=str(tmp))
    shots.append(path)
    return shots


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m flaws.bookcheck",
        description="Check the built HTML book in headless Chromium: pages load, images load, "
        "internal links resolve, math is typeset, tables fit; take screenshots.",
    )
    parser.add_argument("html_dir", nargs="?", default="_build/html", help="built book (default: _build/html)")
    parser.add_argument("--toc", help="table of contents (default: <html_dir>/../../_toc.yml)")
    parser.add_argument("--screenshots", help="screenshot folder (default: <html_dir>/../screenshots)")
    parser.add_argument("--chromium", help=f"Chromium executable (default: $FLAWS_CHROMIUM or {DEFAULT_CHROMIUM})")
    parser.add_argument("--no-alt-check", action="store_true", help="do not require alt text on figures")
    parser.add_argument("--require-landing-figure", action="store_true",
                        help="fail when the landing page shows no figure")
    parser.add_argument("--json", help="also write the report to this file as JSON")
    args = parser.parse_args(argv)
    try:
        report = check_book(
            args.html_dir, toc_file=args.toc, screenshots_dir=args.screenshots,
            chromium=args.chromium, require_alt=not args.no_alt_check,
            require_landing_figure=args.require_landing_figure,
        )
    except BookCheckError as exc:
        print(f"bookcheck: error: {exc}", file=sys.stderr)
        return 2
    print(report.summary())
    if args.json:
        Path(args.json).write_text(json.dumps(report.to_json(), indent=1) + "\n", encoding="utf-8")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
