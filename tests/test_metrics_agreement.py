"""Hand-computed checks of the agreement statistics used by `eval`."""

import pytest

from unsafe_reassurance.report.metrics import agreement, wilson_interval

L = ["PASS", "WARN", "FAIL"]


def test_agreement_hand_computed():
    gold = ["PASS", "FAIL", "WARN", "PASS"]
    pred = ["PASS", "WARN", "WARN", "PASS"]
    m = agreement(gold, pred, L)
    # observed 3/4; expected (2*2 + 1*2 + 1*0) / 16 = 0.375; kappa = (0.75-0.375)/(1-0.375) = 0.6
    assert m["accuracy"] == 0.75 and m["kappa"] == pytest.approx(0.6)
    assert m["per_class"]["WARN"] == {"precision": 0.5, "recall": 1.0, "f1": pytest.approx(2 / 3),
                                      "support": 1}
    assert m["confusion"]["FAIL"] == {"PASS": 0, "WARN": 1, "FAIL": 0}


def test_degenerate_inputs():
    assert agreement([], [], L)["accuracy"] is None
    single = agreement(["PASS", "PASS"], ["PASS", "PASS"], L)
    assert single["accuracy"] == 1.0 and single["kappa"] is None


def test_wilson_interval():
    assert wilson_interval(0, 0) is None
    low, high = wilson_interval(5, 10)
    # Wilson: (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n), z = 1.95996
    assert low == pytest.approx(0.2366, abs=1e-4) and high == pytest.approx(0.7634, abs=1e-4)
