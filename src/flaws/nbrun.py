"""Execute stage notebooks in place, reproducibly: ``python -m flaws.nbrun notebooks/0*.ipynb``.

Runs each notebook top to bottom in its own folder (as the book build and nbval do), drops the
per-cell execution timestamps that nbclient records (so a re-run is byte-identical when the
outputs are), and replaces the file atomically. ``make notebooks`` calls it.
"""

from __future__ import annotations

import pathlib
import sys

import nbformat
from nbclient import NotebookClient
from ._io import atomic_path


def strip_volatile(nb) -> None:
    """Remove execution timing metadata from every cell."""
    for cell in nb.cells:
        cell.get("metadata", {}).pop("execution", None)


def run(path: pathlib.Path, timeout: int = 900) -> None:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    strip_volatile(nb)
    with atomic_path(path) as tmp:
        nbformat.write(nb, tmp)


def main(argv: list[str] | None = None) -> int:
    paths = [pathlib.Path(p) for p in (sys.argv[1:] if argv is None else argv)]
    if not paths:
        print("usage: python -m flaws.nbrun NOTEBOOK.ipynb ...", file=sys.stderr)
        return 2
    for p in paths:
        print(f"executing {p}", flush=True)
        run(p)
    return 0


if __name__ == "__main__":
    sys.exit(main())
