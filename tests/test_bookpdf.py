"""The book's PDF (flaws.bookpdf, ``make pdf``): a one-page HTML book printed by headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_book_browser import mathjax_dir, png

from flaws.bookcheck import BookCheckError
from flaws.bookpdf import pdf_pages, print_pdf, start_page


def site(tmp_path: Path, sections: int) -> Path:
    """A singlehtml build as Jupyter Book writes it: index.html redirects to book/intro.html."""
    html = tmp_path / "singlehtml"
    (html / "book").mkdir(parents=True)
    (html / "index.html").write_text('<meta http-equiv="Refresh" content="0; url=book/intro.html" />\n', encoding="utf-8")
    (html / "_images").mkdir()
    (html / "_images" / "fig.png").write_bytes(png(60, 40))
    # Links relative to the output folder, as Sphinx's singlehtml writes them into book/intro.html.
    body = "".join(
        f"<section style='break-before: page'><h1>Chapter {i}</h1><p>Text of chapter {i}.</p>"
        f"<img alt='figure {i}' src='_images/fig.png'></section>"
        for i in range(1, sections + 1)
    )
    # A script from another host: blocked (the print runs offline) and must not stall the print.
    (html / "book" / "intro.html").write_text(
        "<!doctype html><html><head><meta charset='utf-8'><title>book</title>"
        "<script async src='https://cdn.example.org/never.js'></script></head>"
        f"<body><nav class='bd-sidebar-primary'>navigation</nav>{body}</body></html>",
        encoding="utf-8",
    )
    return html


@pytest.mark.parametrize("sections", [1, 3])
def test_print_pdf_one_page_per_forced_break(tmp_path, sections):
    pdf = print_pdf(site(tmp_path, sections), tmp_path / "pdf" / "book.pdf")
    assert pdf == tmp_path / "pdf" / "book.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    assert pdf_pages(pdf) == sections
    assert not list(pdf.parent.glob(".*.tmp"))


def test_print_pdf_stops_on_a_missing_figure(tmp_path):
    html = site(tmp_path, 2)
    (html / "_images" / "fig.png").unlink()
    with pytest.raises(BookCheckError, match=r"2 image\(s\) did not load: _images/fig.png"):
        print_pdf(html, tmp_path / "book.pdf")
    assert not (tmp_path / "book.pdf").exists()


def test_print_pdf_typesets_math_with_the_offline_mathjax_or_stops(tmp_path):
    html = site(tmp_path, 1)
    page = html / "book" / "intro.html"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", "<p><span class='math notranslate nohighlight'>\\(R^2\\)</span></p></body>"), encoding="utf-8")
    with pytest.raises(BookCheckError, match=r"math left as literal TeX in 1 place\(s\): \\\(R\^2\\\)"):
        print_pdf(html, tmp_path / "book.pdf")
    (html / "_static").mkdir()
    (html / "_static" / "mathjax").symlink_to(mathjax_dir(), target_is_directory=True)
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</head>", "<script defer src='_static/mathjax/tex-chtml.js'></script></head>"), encoding="utf-8")
    assert pdf_pages(print_pdf(html, tmp_path / "book.pdf")) == 1


def test_pdf_pages_counts_page_objects_not_the_page_tree(tmp_path):
    fake = tmp_path / "fake.pdf"
    fake.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 2 >>\n2 0 obj << /Type /Page >>\n"
                     b"3 0 obj <</Type/Page/Parent 1 0 R>>\n4 0 obj << /Type /Outlines >>\n")
    assert pdf_pages(fake) == 2
    (tmp_path / "not.pdf").write_text("hello", encoding="utf-8")
    with pytest.raises(ValueError):
        pdf_pages(tmp_path / "not.pdf")


def test_start_page_follows_the_meta_refresh(tmp_path):
    html = site(tmp_path, 1)
    assert start_page(html) == "book/intro.html"
    assert start_page(html, "book/intro.html") == "book/intro.html"
    (html / "index.html").write_text("<meta http-equiv='refresh' content='0; url=gone.html'>", encoding="utf-8")
    with pytest.raises(BookCheckError, match="gone.html"):
        start_page(html)


def test_print_pdf_needs_the_single_page_build(tmp_path):
    with pytest.raises(BookCheckError, match="singlehtml"):
        print_pdf(tmp_path, tmp_path / "book.pdf")
