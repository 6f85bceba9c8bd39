"""Agreement statistics for judge-vs-gold comparisons (scikit-learn, imported lazily)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["agreement", "expected_calibration_error", "wilson_interval"]


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float] | None:
    """Wilson score interval for k successes in n trials (None when n == 0)."""
    if n == 0:
        return None
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=confidence, method="wilson")
    return float(ci.low), float(ci.high)


def agreement(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """Accuracy, Cohen's kappa, per-class precision/recall/F1 and a confusion matrix.

    >>> agreement(["PASS", "FAIL"], ["PASS", "WARN"], ["PASS", "WARN", "FAIL"])["accuracy"]
    0.5
    """
    from sklearn.metrics import cohen_kappa_score, confusion_matrix, precision_recall_fscore_support

    labels = list(labels)
    n = len(gold)
    if n == 0:
        return {"n": 0, "accuracy": None, "kappa": None, "per_class": {}, "confusion": {}}
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / n
    # Kappa is undefined when both raters use one single label; report None rather than NaN.
    kappa = None
    if len(set(gold) | set(pred)) > 1:
        value = float(cohen_kappa_score(gold, pred, labels=labels))
        kappa = None if value != value else value
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    per_class = {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                       "support": int(s[i])} for i, lab in enumerate(labels)}
    cm = confusion_matrix(gold, pred, labels=labels)
    confusion = {g: {q: int(cm[i][j]) for j, q in enumerate(labels)} for i, g in enumerate(labels)}
    return {"n": n, "accuracy": accuracy, "kappa": kappa, "per_class": per_class,
            "confusion": confusion}


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], n_bins: int = 10
) -> float | None:
    """Expected calibration error: bin by confidence, average |accuracy - confidence| weighted
    by bin size. Hand-written: it is a few lines and scikit-learn has no ECE.

    >>> expected_calibration_error([1.0, 1.0, 0.5, 0.5], [True, False, True, False])
    0.25
    """
    n = len(confidences)
    if n == 0:
        return None
    bins: dict[int, list[tuple[float, bool]]] = {}
    for c, ok in zip(confidences, correct, strict=True):
        bins.setdefault(min(int(c * n_bins), n_bins - 1), []).append((c, ok))
    total = 0.0
    for members in bins.values():
        conf = sum(c for c, _ in members) / len(members)
        acc = sum(ok for _, ok in members) / len(members)
        total += len(members) / n * abs(acc - conf)
    return total
