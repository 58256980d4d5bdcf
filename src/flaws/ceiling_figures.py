"""Old name of :mod:`flaws.figures.ceiling`, kept for the notebooks that import it."""

from .figures.ceiling import accuracy_vs_ceiling, ceilings_by_samples  # noqa: F401
