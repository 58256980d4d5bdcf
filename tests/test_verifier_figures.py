"""The verifier chapter's figures draw what they are given."""

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from flaws import figures  # noqa: E402


def _table(shift):
    ms = [0, 1, 10, "all"]
    rows = [{"m": m, "model": mdl, "prompt_style": st, "reachable": 0.5 + shift + 0.1 * j}
            for mdl, styles in (("a", ["base", "rule"]), ("b", ["base"])) for st in styles
            for j, m in enumerate(ms)]
    return pd.DataFrame(rows)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def test_ceiling_vs_m_one_panel_per_model():
    fig = figures.ceiling_vs_m(_table(0), _table(0.05), 0.8, "strong")
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in visible] == ["a", "b"]
    np.testing.assert_allclose(visible[0].lines[0].get_ydata(), [0.5, 0.6, 0.7, 0.8])
    np.testing.assert_allclose(visible[0].lines[1].get_ydata(), [0.55, 0.65, 0.75, 0.85])
    assert [t.get_text() for t in visible[0].get_xticklabels()] == ["0", "1", "10", "all"]
    assert _png(fig)[:4] == b"\x89PNG"


def test_slope_vs_m_draws_both_families():
    s = pd.DataFrame({"family": ["first"] * 3 + ["random"] * 3, "m": [0, 5, "all"] * 2,
                      "slope": [0.2, 0.1, 0.0, 0.2, 0.05, 0.0], "low": [0.1, 0.0, 0.0, 0.1, -0.05, 0.0],
                      "high": [0.3, 0.2, 0.0, 0.3, 0.15, 0.0]})
    fig = figures.slope_vs_m(s)
    assert len(fig.axes[0].get_legend().get_texts()) == 2
    assert _png(fig)[:4] == b"\x89PNG"
