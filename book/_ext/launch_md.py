"""Sphinx extension: no Colab launch button on pages written as MyST Markdown.

sphinx-book-theme gives every executed page launch buttons. For a page whose source is a MyST
Markdown file with code cells (``book/environment.md``, ``book/provenance.md``) its Colab button
opens ``.../blob/main/book/<page>.md`` on Colab, which opens only ``.ipynb`` files and shows an
error. This drops the Colab button from such pages; Binder (JupyterLab on the whole repository)
and the download button stay. The browser check (``python -m flaws.bookcheck``) reports any Colab
link to a ``.md`` file.
"""

from __future__ import annotations


def drop_colab_for_markdown(app, pagename, templatename, context, doctree):
    if not str(context.get("sourcename", "")).endswith((".md", ".md.txt")):
        return
    for button in context.get("header_buttons") or []:
        if button.get("label") == "launch-buttons" and isinstance(button.get("buttons"), list):
            button["buttons"] = [b for b in button["buttons"] if b.get("text") != "Colab"]
    context["header_buttons"] = [
        b for b in context.get("header_buttons") or []
        if not (b.get("label") == "launch-buttons" and not b.get("buttons"))
    ]


def setup(app):
    # After sphinx-book-theme's add_launch_buttons (priority 501) and before its header buttons are
    # rendered by the template.
    app.connect("html-page-context", drop_colab_for_markdown, priority=510)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
