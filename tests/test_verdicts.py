"""flaws.verdicts: each rule flips exactly where the book says it does (made-up estimates)."""

import numpy as np
import pytest

from flaws import verdicts as v


def test_effect_reproduced_needs_sign_significance_and_paper_inside():
    assert v.effect(0.22, 0.20, (0.10, 0.30), 0.001) == "reproduced"
    # paper outside our interval, still significant and same sign: partly
    assert v.effect(0.40, 0.20, (0.10, 0.30), 0.001) == "partly reproduced"
    # paper inside, not significant, the interval holds 0 too: the data cannot tell
    assert v.effect(0.22, 0.20, (-0.05, 0.45), 0.20) == "inconclusive"
    assert v.effect(0.22, -0.02, (-0.25, 0.30), 0.70, kind="supported") == "inconclusive"
    # paper inside, not significant by its test while the interval excludes 0: partly
    assert v.effect(0.22, 0.20, (0.01, 0.45), 0.07) == "partly reproduced"
    # same sign, neither: not
    assert v.effect(0.80, 0.20, (-0.05, 0.45), 0.20) == "not reproduced"
    # opposite sign, significant: not
    assert v.effect(0.22, -0.20, (-0.30, -0.10), 0.001) == "not reproduced"


def test_effect_flips_at_alpha_and_at_the_interval_edge():
    assert v.effect(0.22, 0.20, (0.10, 0.30), 0.0499) == "reproduced"
    assert v.effect(0.22, 0.20, (0.10, 0.30), 0.05) == "partly reproduced"
    assert v.effect(0.30, 0.20, (0.10, 0.30), 0.01) == "reproduced"
    assert v.effect(0.3001, 0.20, (0.10, 0.30), 0.01) == "partly reproduced"


def test_effect_supported_words_and_bad_input():
    assert v.effect(0.22, 0.20, (0.10, 0.30), 0.001, kind="supported") == "supported"
    with pytest.raises(ValueError):
        v.effect(0.2, float("nan"), (0, 1), 0.1)
    with pytest.raises(ValueError):
        v.effect(0.2, 0.2, (1, 0), 0.1)
    with pytest.raises(ValueError):
        v.word(1, "maybe")


def test_share_majority_rule():
    assert v.share(5, 8) == "reproduced"
    assert v.share(4, 8) == "reproduced"
    assert v.share(3, 8) == "partly reproduced"
    assert v.share(1, 8, kind="supported") == "partly supported"
    assert v.share(0, 8, kind="supported") == "not supported"
    assert v.share(3, 8, majority=0.25) == "reproduced"
    with pytest.raises(ValueError):
        v.share(3, 2)


def test_joint_level_is_bonferroni():
    assert v.joint_level(1) == pytest.approx(0.95)
    assert v.joint_level(8) == pytest.approx(1 - 0.05 / 8)
    assert v.joint_level(20, 0.90) == pytest.approx(0.995)
    assert v.joint_level(8) > v.joint_level(4)  # more members, wider intervals
    assert v.joint_level(np.int64(8)) == v.joint_level(8)  # a count from pandas
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError):
            v.joint_level(bad)
    with pytest.raises(ValueError):
        v.joint_level(3, 1.0)


def test_family_after_correction():
    assert v.family([0.1, 0.2, 0.1], [0.01, 0.02, 0.2], -1) == "not reproduced"
    assert v.family([-0.1, -0.2, 0.1], [0.01, 0.02, 0.2], -1) == "reproduced"
    assert v.family([-0.1, 0.2, 0.1, 0.1], [0.01, 0.3, 0.2, 0.5], -1) == "partly reproduced"
    # a significant result against the claim blocks "reproduced"
    assert v.family([-0.1, -0.2, 0.1], [0.01, 0.02, 0.01], -1) == "partly reproduced"
    # one raw p of 0.008 among 8 is not significant after Holm: the caller passes adjusted p
    from flaws.stats import holm
    p = holm([0.008] + [0.5] * 7)
    assert v.family([-0.1] * 8, p, -1) == "not reproduced"


def test_consistency():
    assert v.consistency([0.87, 0.13], [0.8738, 0.1382], tolerance=0.01) == "consistent with the paper's fit"
    assert v.consistency([0.87, 0.13], [0.8738, 0.16], tolerance=0.01) == "not consistent with the paper's fit"
