"""Old name of :mod:`flaws.figures.verifier`, kept for the notebooks that import it."""

from .figures.verifier import ceiling_vs_m, slope_vs_m  # noqa: F401
