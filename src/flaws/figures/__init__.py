"""Every figure of the book, one function each, and the one style they share.

A notebook calls a figure function in one line; the numbers come from the analysis modules
(:mod:`flaws.correlation`, :mod:`flaws.resampling`, :mod:`flaws.leaderboard`, ...). Modules:

- :mod:`.style`: colours by role, :func:`use_style`, :func:`save_figure_data` (the data behind a
  figure as CSV) and :func:`save_book_figure` (a committed SVG for a Markdown page);
- :mod:`.ceiling`: Fig. 1a on our data and the ceilings against n (notebook 03);
- :mod:`.scaling`: the K_opt heatmaps, the false-positive share by attempt, reward-curve panels
  (notebooks 04, 05, 08) and reward curves marked at their K_opt (notebook 09);
- :mod:`.verifier`: ceilings and Fig. 1a slope against the verifier's strength (notebook 08);
- :mod:`.code_quality`: adherence by outcome and within-task differences (notebook 06);
- :mod:`.leaderboard`: Fig. 1a on the EvalPlus leaderboard (notebook 07);
- :mod:`.pass_rates`: the samples the original tests accept, correct and false positives
  (notebook 02).
"""

from .ceiling import accuracy_vs_ceiling, ceilings_by_samples
from .code_quality import adherence_by_outcome, within_task_differences
from .leaderboard import leaderboard_fits
from .pass_rates import accepted_by_base
from .scaling import (curve_panels, fp_share_by_attempt, k_opt_curve_data, k_opt_curves, k_opt_heatmap,
                      k_opt_heatmaps)
from .style import (BOOK_FIGURE_DIR, FIGURE_DATA_DIR, ROLE_COLORS, FigureData, save_book_figure,
                    save_figure_data, use_style)
from .verifier import ceiling_vs_false_positive_rate, ceiling_vs_m, slope_vs_m

__all__ = [
    "ROLE_COLORS", "use_style", "FigureData", "FIGURE_DATA_DIR", "BOOK_FIGURE_DIR", "save_figure_data",
    "save_book_figure", "accuracy_vs_ceiling", "ceilings_by_samples", "k_opt_heatmap", "k_opt_heatmaps",
    "fp_share_by_attempt", "curve_panels", "k_opt_curves", "k_opt_curve_data", "ceiling_vs_m", "slope_vs_m",
    "ceiling_vs_false_positive_rate", "leaderboard_fits", "adherence_by_outcome", "within_task_differences",
    "accepted_by_base",
]
