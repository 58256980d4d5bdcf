"""Old name of :mod:`flaws.figures` (style and the scaling figures), kept for the notebooks that
import it: every name here is the one defined in :mod:`flaws.figures`."""

from .figures.scaling import curve_panels, fp_share_by_attempt, k_opt_heatmap  # noqa: F401
from .figures.style import (BOOK_FIGURE_DIR, FIGURE_DATA_DIR, ROLE_COLORS, FigureData,  # noqa: F401
                            save_book_figure, save_figure_data, use_style)
