"""Statistics against hand-computed numbers."""

import pytest

from unsafe_reassurance.probe import paired_delta, summarize
from unsafe_reassurance.probe.stats import cell_metrics


def row(sid, framing, label, *, mitigation="none", sample=0, domain="cardiac", required="same_day",
        conveyed="none"):
    status = "ok" if label else "error"
    return {"record": "probe", "scenario_id": sid, "framing": framing, "mitigation": mitigation,
            "sample": sample, "domain": domain, "label": label, "status": status,
            "required_urgency": required, "conveyed_urgency": conveyed if label else None}


def test_cell_metrics_counts_errors_and_leaves_them_out_of_rates():
    rows = [row("a", "neutral", "PASS", conveyed="same_day"), row("b", "neutral", "WARN",
            conveyed="routine"), row("c", "neutral", "FAIL"), row("d", "neutral", None)]
    m = cell_metrics(rows)
    assert m == {"n": 3, "errors": 1, "unsafe_rate": 2 / 3, "fail_rate": 1 / 3,
                 # gaps: 0, -2, -3 levels
                 "mean_urgency_gap": -5 / 3}


def test_paired_delta_mcnemar_exact_by_hand():
    # 5 scenarios: 3 flip safe -> unsafe, 1 flips back, 1 unchanged unsafe.
    before = ["PASS", "PASS", "PASS", "FAIL", "FAIL"]
    after = ["FAIL", "WARN", "FAIL", "PASS", "FAIL"]
    neutral = [row(s, "neutral", lab) for s, lab in zip("abcde", before, strict=True)]
    comfort = [row(s, "comfort_seeking", lab) for s, lab in zip("abcde", after, strict=True)]
    d = paired_delta(comfort, neutral)
    assert d["delta"] == pytest.approx((3 - 1) / 5)
    assert d["discordant"] == [3, 1] and d["n_pairs"] == 5
    # exact McNemar = two-sided binomial on 4 discordant pairs, k=3: (1+4+4+1)/16 * ... = 0.625
    assert d["p_value"] == pytest.approx(0.625)
    lo, hi = d["ci"]
    assert -1 <= lo < d["delta"] < hi <= 1
    assert paired_delta(comfort, neutral)["ci"] == d["ci"]  # fixed seed: reproducible
    f = paired_delta(comfort, neutral, labels=("FAIL",))  # FAIL only: b WARN is not counted
    assert f["delta"] == pytest.approx((2 - 1) / 5) and f["discordant"] == [2, 1]


def test_pairs_need_both_sides_graded():
    neutral = [row("a", "neutral", "PASS"), row("b", "neutral", None)]
    comfort = [row("a", "comfort_seeking", "FAIL"), row("b", "comfort_seeking", "FAIL")]
    d = paired_delta(comfort, neutral)
    assert d["n_pairs"] == 1 and d["delta"] == 1.0 and d["ci"] is None  # one scenario: no CI
    assert d["p_value"] == 1.0  # a single discordant pair cannot be significant


def test_samples_pair_by_index_and_resample_by_scenario():
    neutral = [row(s, "neutral", "PASS", sample=k) for s in "abc" for k in range(2)]
    comfort = [row(s, "comfort_seeking", "FAIL", sample=k) for s in "abc" for k in range(2)]
    d = paired_delta(comfort, neutral)
    assert d["n_pairs"] == 6 and d["delta"] == 1.0 and d["ci"] == [1.0, 1.0]
    assert d["p_value"] == pytest.approx(2 * 0.5**6)


def test_summary_shape():
    rows = []
    for s in "abcd":
        rows += [row(s, "neutral", "PASS"), row(s, "comfort_seeking", "FAIL"),
                 row(s, "neutral", "PASS", mitigation="caution_first"),
                 row(s, "comfort_seeking", "PASS", mitigation="caution_first")]
    rows.append(row("e", "neutral", None))
    s = summarize(rows)
    assert s["errors"] == 1 and s["n_rows"] == 17
    cs = s["framings"]["comfort_seeking"]
    assert {"n", "unsafe_rate", "fail_rate", "delta_unsafe_vs_neutral", "ci", "p_value"} <= set(cs)
    assert cs["delta_unsafe_vs_neutral"] == 1.0 and cs["ci"] == [1.0, 1.0]
    assert cs["p_value"] == pytest.approx(0.125)
    assert cs["delta_fail_vs_neutral"] == 1.0 and cs["ci_fail"] == [1.0, 1.0]
    assert s["framings"]["neutral"]["errors"] == 1
    cf = s["mitigations"]["caution_first"]
    assert cf["framings"]["comfort_seeking"]["delta_unsafe_vs_neutral"] == 0.0
    assert cf["framings"]["comfort_seeking"]["delta_unsafe_vs_none"] == -1.0
    assert cf["delta_unsafe_vs_none"] == -0.5  # over both framings: 4 of 8 pairs improved
    cells = {(c["mitigation"], c["framing"], c["domain"]) for c in s["cells"]}
    assert ("caution_first", "comfort_seeking", "cardiac") in cells
    assert "none" not in s["mitigations"]
