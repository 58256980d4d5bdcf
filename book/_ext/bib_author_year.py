"""Sphinx extension: a pybtex style whose bibliography labels are author and year.

The text cites author-year ("Stroebl et al., 2024": ``bibtex_reference_style: author_year``), but
pybtex's ``plain`` style numbers the bibliography [1]-[19], so a reader cannot find a citation in
the list by its label. ``bibtex_default_style: author_year_plain`` (this style) labels each entry
"Stroebl et al., 2024", sorted by author, year and title, with "a", "b" added to labels that
would otherwise repeat.
"""

from __future__ import annotations

from collections import Counter

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle

STYLE_NAME = "author_year_plain"


def _surname(person) -> str:
    return " ".join(person.prelast_names + person.last_names) or " ".join(person.first_names)


def _authors(entry) -> str:
    people = entry.persons.get("author") or entry.persons.get("editor") or []
    if not people:
        # @misc entries of organisations: the key's leading word stands in
        return (entry.fields.get("organization") or entry.fields.get("publisher") or entry.key).replace("{", "").replace("}", "")
    names = [_surname(p).replace("{", "").replace("}", "") for p in people]
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} et al."


class AuthorYearLabelStyle(BaseLabelStyle):
    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [f"{_authors(e)}, {e.fields.get('year', 'n.d.')}" for e in entries]
        repeated = {label for label, n in Counter(labels).items() if n > 1}
        seen: Counter = Counter()
        for label in labels:
            if label in repeated:
                seen[label] += 1
                base, year = label.rsplit(", ", 1)
                label = f"{base}, {year}{'abcdefghijklmnopqrstuvwxyz'[seen[label] - 1]}"
            yield label


class AuthorYearStyle(PlainStyle):
    default_label_style = AuthorYearLabelStyle
    default_sorting_style = "author_year_title"


def setup(app):
    register_plugin("pybtex.style.formatting", STYLE_NAME, AuthorYearStyle, force=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
