"""``unsafe-reassurance eval``: judge-vs-gold metrics on a golden set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.table import Table

from ._common import (
    ApiBase,
    Cascade,
    CascadeThreshold,
    JudgeModel,
    MaxCost,
    err,
    guard,
    make_budget,
    make_judge,
    out,
    report_usage,
)

__all__ = ["evaluate_cmd"]


def _pct(x: Any) -> str:
    return "-" if x is None else f"{x:.1%}"


def _num(x: Any) -> str:
    return "-" if x is None else f"{x:.3f}"


def _print(metrics: dict[str, Any], console: Console, title: str) -> None:
    head = Table(title=title)
    for col in ("scope", "n", "errors", "accuracy", "kappa", "urgency exact", "within one"):
        head.add_column(col, justify="right" if col != "scope" else "left")
    rows = [("overall", metrics)]
    rows += [(f"split {k}", v) for k, v in metrics.get("per_split", {}).items()]
    rows += [(k, v) for k, v in metrics.get("per_domain", {}).items()]
    for name, m in rows:
        u = m.get("urgency", {})
        head.add_row(name, str(m["n"]), str(m["n_error"]), _pct(m.get("accuracy")),
                     _num(m.get("kappa")), _pct(u.get("exact")), _pct(u.get("within_one")))
    console.print(head)
    if metrics.get("by_confidence"):
        bands = Table(title="by judge confidence (overall): does it know when it does not know?")
        for col in ("confidence", "n", "accuracy", "unsafe graded PASS"):
            bands.add_column(col, justify="right" if col != "confidence" else "left")
        for name, b in metrics["by_confidence"].items():
            bands.add_row(name, str(b["n"]), _pct(b["accuracy"]), str(b["unsafe_graded_pass"]))
        console.print(bands)
    if "per_class" in metrics:
        pc = Table(title="per class (overall)")
        for col in ("label", "precision", "recall", "f1", "support"):
            pc.add_column(col, justify="right")
        for lab, s in metrics["per_class"].items():
            pc.add_row(lab, _pct(s["precision"]), _pct(s["recall"]), _pct(s["f1"]),
                       str(s["support"]))
        console.print(pc)
        cm = Table(title="confusion (rows gold, columns judge)")
        cm.add_column("gold \\ judge")
        labels = list(metrics["confusion"])
        for lab in labels:
            cm.add_column(lab, justify="right")
        for g in labels:
            cm.add_row(g, *(str(metrics["confusion"][g].get(p, 0)) for p in labels))
        console.print(cm)


def evaluate_cmd(
    golden: Annotated[Path, typer.Argument(help="Golden JSONL file or folder.")],
    judge_model: JudgeModel = None,
    api_base: ApiBase = None,
    split: Annotated[str, typer.Option(help="dev, holdout or all.")] = "all",
    domain: Annotated[Optional[str], typer.Option(help="Only this domain.")] = None,  # noqa: UP045
    infer: Annotated[bool, typer.Option(
        help="Give the judge only the user message (it must infer domain and red flags).")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable metrics.")] = False,
    verdicts_out: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        "--verdicts", help="Also write the verdicts as JSONL (for `report`).")] = None,
    max_cost: MaxCost = None,
    cascade: Cascade = False,
    cascade_threshold: CascadeThreshold = 0.7,
) -> None:
    """Grade a golden set and report judge-vs-gold agreement (accuracy, kappa, per class, ...)."""
    from ..errors import InputError
    from ..report.evaluate import evaluate
    from ..report.golden import load_golden

    with guard():
        if split not in ("dev", "holdout", "all"):
            raise InputError(f"--split: {split!r} is not one of dev, holdout, all")
        items = [i for i in load_golden(golden) if split == "all" or i.split == split]
        if domain:
            items = [i for i in items if i.domain == domain]
        if not items:
            raise InputError(f"{golden}: no items match split={split} domain={domain}")
        judge = make_judge(judge_model, api_base, cascade=cascade, threshold=cascade_threshold)
        budget = make_budget(max_cost, judge)
        from rich.progress import Progress

        with Progress(console=err, transient=True, disable=as_json) as bar:
            task = bar.add_task(f"grading {len(items)} items with {judge.info.name}",
                                total=len(items))
            # The offline judge stays unwrapped: it costs nothing and grade_many runs it inline.
            graded_by = judge if judge.info.name == "offline-rules" else budget.guard(judge)
            result = evaluate(items, graded_by, infer=infer,
                              on_result=lambda _i, _v: bar.advance(task))
    if verdicts_out is not None:
        with verdicts_out.open("w", encoding="utf-8") as fh:
            for v in result.verdicts:
                fh.write(json.dumps(v.model_dump(mode="json"), ensure_ascii=False) + "\n")
    m = dict(result.metrics, judge=judge.info.model_dump(), split=split, infer=infer)
    m["usage"] = {"prompt_tokens": budget.prompt_tokens, "completion_tokens": budget.completion_tokens,
                  "cost_usd": budget.cost_usd, "unpriced": budget.unpriced}
    if hasattr(judge, "settled"):
        m["cascade_settled"] = dict(judge.settled)
    if as_json:
        print(json.dumps(m, indent=2))
        report_usage(judge, budget, "metrics cover the items graded before it")
        return
    title = f"{judge.info.name} vs gold — {golden} (split {split}{', inferred' if infer else ''})"
    _print(m, out, title)
    if m["n_error"]:
        err.print(f"{m['n_error']} item(s) could not be graded (status=error); not scored.")
    report_usage(judge, budget, "metrics cover the items graded before it")
