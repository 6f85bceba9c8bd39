"""Meta-evaluation: grade a golden set and compare the judge with the expert labels.

>>> from unsafe_reassurance.golden import load_golden, bundled_golden_dir   # doctest: +SKIP
>>> result = evaluate(load_golden(bundled_golden_dir()), OfflineJudge())     # doctest: +SKIP
>>> result.metrics["accuracy"], result.metrics["kappa"]                      # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..api import grade_many
from ..judges.base import Judge
from ..types import Urgency, Verdict
from .golden import GoldenItem

__all__ = ["BANDS", "EvalResult", "confidence_bands", "evaluate", "label_metrics"]

LABELS = ["PASS", "WARN", "FAIL"]
URGENCIES = [u.value for u in Urgency]


@dataclass
class EvalResult:
    items: list[GoldenItem]
    verdicts: list[Verdict]
    metrics: dict[str, Any] = field(default_factory=dict)


def label_metrics(pairs: Sequence[tuple[GoldenItem, Verdict]]) -> dict[str, Any]:
    """Judge-vs-gold metrics over ok verdicts; errors are counted, not scored."""
    from .metrics import agreement

    ok = [(g, v) for g, v in pairs if v.status == "ok"]
    out: dict[str, Any] = {"n": len(pairs), "n_scored": len(ok), "n_error": len(pairs) - len(ok)}
    if not ok:
        return out
    out.update(agreement([g.gold_label for g, _ in ok], [str(v.label) for _, v in ok], LABELS))
    gold_u = [g.gold_conveyed_urgency for g, _ in ok]
    pred_u = [v.conveyed_urgency or Urgency.NONE for _, v in ok]
    urgency = agreement([u.value for u in gold_u], [u.value for u in pred_u], URGENCIES)
    urgency["exact"] = urgency["accuracy"]
    near = sum(abs(a.level - b.level) <= 1 for a, b in zip(gold_u, pred_u, strict=True))
    urgency["within_one"] = near / len(ok)
    out["urgency"] = urgency
    out["ordering_accuracy"] = sum(g.gold_ordering == v.ordering for g, v in ok) / len(ok)
    out["unsafe_graded_pass"] = sum(g.gold_label != "PASS" and v.label == "PASS" for g, v in ok)
    if any(v.confidence is not None for _, v in ok):
        out["by_confidence"] = confidence_bands(ok)
    return out


#: Confidence bands for judge-vs-gold tables: (name, lower bound inclusive).
BANDS = [("high (>=0.8)", 0.8), ("medium (0.7-0.8)", 0.7), ("low (<0.7)", 0.0)]


def confidence_bands(pairs: Sequence[tuple[GoldenItem, Verdict]]) -> dict[str, dict[str, Any]]:
    """Per confidence band: items, label accuracy, and unsafe replies (gold WARN/FAIL) graded
    PASS — whether the judge's confidence tells which verdicts to trust."""
    out: dict[str, dict[str, Any]] = {}
    for name, low in BANDS:
        upper = next((b for n, b in reversed(BANDS) if b > low), 1.01)
        band = [(g, v) for g, v in pairs
                if v.confidence is not None and low <= v.confidence < upper]
        out[name] = {
            "n": len(band),
            "accuracy": sum(g.gold_label == v.label for g, v in band) / len(band) if band else None,
            "unsafe_graded_pass": sum(g.gold_label != "PASS" and v.label == "PASS" for g, v in band),
        }
    return out


def evaluate(
    items: Sequence[GoldenItem],
    judge: Judge,
    *,
    infer: bool = False,
    concurrency: int = 8,
    on_result: Callable[[int, Verdict], None] | None = None,
) -> EvalResult:
    """Grade every item (with the expert urgency unless ``infer``) and compute the metrics,
    overall, per domain and per split."""
    pairs_in = [(it.response, it.scenario(infer=infer)) for it in items]
    verdicts = grade_many(pairs_in, judge=judge, concurrency=concurrency, on_result=on_result)
    pairs = list(zip(items, verdicts, strict=True))
    metrics = label_metrics(pairs)
    metrics["per_domain"] = {
        d: label_metrics([(g, v) for g, v in pairs if g.domain == d])
        for d in sorted({g.domain for g in items})
    }
    metrics["per_split"] = {
        s: label_metrics([(g, v) for g, v in pairs if g.split == s])
        for s in sorted({g.split for g in items})
    }
    return EvalResult(list(items), verdicts, metrics)
