"""Figure of the false-positive chapter (notebook 02): the samples the original tests accept, per
configuration, split into correct programs and false positives."""

from __future__ import annotations

import numpy as np

from .style import ROLE_COLORS


def accepted_by_base(shares):
    """One horizontal stacked bar per configuration (``shares`` is
    :func:`flaws.pass_rates.by_configuration`): the share of its samples that pass the original and
    the plus tests (correct), then the share that pass the original tests only (false positives).
    The legend sits below the axes, outside the bars. Returns the figure."""
    import matplotlib.pyplot as plt

    labels = list(shares["model"] + " · " + shares["prompt_style"])
    y = np.arange(len(labels))
    fig, ax = plt.subplots(figsize=(7.5, 0.3 * len(labels) + 1.6))
    correct, fp = shares["correct"].to_numpy(), shares["false_positive"].to_numpy()
    ax.barh(y, correct, height=0.7, color=ROLE_COLORS["correct"],
            label="passes the original and the plus tests (correct)")
    ax.barh(y, fp, left=correct, height=0.7, color=ROLE_COLORS["false positive"],
            label="passes the original tests only (false positive)")
    ax.set_yticks(y)
    ax.set_yticklabels(labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xlabel("share of the configuration's samples")
    ax.set_title("Samples accepted by the original tests")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1)
    fig.tight_layout()
    return fig
