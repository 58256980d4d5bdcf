"""OLS fit with bootstrap intervals."""

import numpy as np
import pytest

from flaws.correlation import fit_band, fit_line


def test_exact_line():
    x = np.array([0.1, 0.2, 0.4, 0.8])
    fit = fit_line(x, 0.7 + 0.25 * x, seed=0, n_resamples=500)
    assert fit["slope"] == pytest.approx(0.25) and fit["intercept"] == pytest.approx(0.7)
    assert fit["r_squared"] == pytest.approx(1.0) and fit["n"] == 4
    assert fit["slope_ci"][0] == pytest.approx(0.25) and fit["slope_ci"][1] == pytest.approx(0.25)


def test_hand_computed_fit():
    # x = 0,1,2,3; y = 0,1,1,3: slope = sxy/sxx = 4.5/5 = 0.9, intercept = 1.25 - 0.9*1.5 = -0.1
    fit = fit_line([0, 1, 2, 3], [0, 1, 1, 3], seed=0, n_resamples=2000)
    assert fit["slope"] == pytest.approx(0.9)
    assert fit["intercept"] == pytest.approx(-0.1)
    assert fit["r_squared"] == pytest.approx(0.9**2 * 5 / 4.75)
    assert 0 < fit["p_value"] < 0.2
    lo, hi = fit["slope_ci"]
    assert lo <= 0.9 <= hi


def test_noisy_fit_covers_and_is_seeded():
    rng = np.random.default_rng(0)
    x = rng.random(40)
    y = 0.72 + 0.22 * x + rng.normal(0, 0.02, 40)
    f1 = fit_line(x, y, seed=5, n_resamples=3000)
    assert f1 == fit_line(x, y, seed=5, n_resamples=3000)
    assert f1["slope_ci"][0] < 0.22 < f1["slope_ci"][1]
    assert f1["intercept_ci"][0] < 0.72 < f1["intercept_ci"][1]
    assert f1["p_value"] < 1e-6
    lo, hi = fit_band(x, y, [0.0, 0.5, 1.0], seed=5, n_resamples=3000)
    assert np.all(lo < hi)
    mid = f1["intercept"] + f1["slope"] * 0.5
    assert lo[1] < mid < hi[1]


def test_bad_input():
    with pytest.raises(ValueError, match="differ in length"):
        fit_line([1, 2, 3], [1, 2])
    with pytest.raises(ValueError, match="at least 3"):
        fit_line([1, 2], [1, 2])
    with pytest.raises(ValueError, match="undefined"):
        fit_line([1, 1, 1], [1, 2, 3])


def test_reproduces_the_paper_fit_of_its_17_points():
    from flaws import paper

    he = paper.reported()["humaneval_plus"]
    x = [m["accuracy"] for m in he["models"]]
    y = [m["conditional_accuracy"] for m in he["models"]]
    fit = fit_line(x, y, seed=0, n_resamples=2000)
    want = he["linear_fit_of_the_17_points"]
    assert fit["n"] == 17
    assert fit["slope"] == pytest.approx(want["slope"], abs=5e-5)
    assert fit["intercept"] == pytest.approx(want["intercept"], abs=5e-5)
    assert fit["r_squared"] == pytest.approx(want["r_squared"], abs=5e-5)
    assert fit["p_value"] == pytest.approx(want["p_value"], rel=0.05)
