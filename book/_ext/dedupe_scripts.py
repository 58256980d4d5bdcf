"""Sphinx extension: drop repeated inline scripts from each HTML page.

With Sphinx 7.4, inline scripts that extensions add while documents are read (sphinx-thebe's
``const THEBE_JS_URL = ...``, sphinx-togglebutton's settings) end up twice in every page's
``<head>``. A repeated ``const`` declaration is a JavaScript error on every page, which the
browser check (``python -m flaws.bookcheck``) rightly reports. This keeps the first copy of
each identical inline script and leaves everything else untouched.
"""

from __future__ import annotations


def _key(script):
    filename = getattr(script, "filename", script)
    attributes = getattr(script, "attributes", {}) or {}
    if filename:
        return None  # external files are deduplicated by Sphinx itself
    return attributes.get("body")


def dedupe_inline_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[str] = set()
    kept = []
    for script in scripts:
        key = _key(script)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        kept.append(script)
    context["script_files"] = kept


def setup(app):
    # After the themes and extensions have added their page scripts.
    app.connect("html-page-context", dedupe_inline_scripts, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
