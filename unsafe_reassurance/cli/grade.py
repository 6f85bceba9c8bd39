"""``grade``, ``grade-file`` and ``demo``: grade one reply, a file of replies, or the bundled demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ._common import (
    ApiBase,
    Cascade,
    CascadeThreshold,
    JudgeModel,
    MaxCost,
    PolicyOpt,
    RubricsOpt,
    err,
    guard,
    make_budget,
    make_judge,
    out,
    report_usage,
)

__all__ = ["demo", "grade", "grade_file_cmd"]


def grade(
    response: Annotated[str, typer.Option("--response", "-r", help="The assistant reply.")],
    scenario: Annotated[str, typer.Option("--scenario", "-s",
                                          help="The user's message, or a Scenario as JSON.")],
    judge_model: JudgeModel = None,
    api_base: ApiBase = None,
    policy: PolicyOpt = "default",
    rubrics: RubricsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Verdict as JSON.")] = False,
) -> None:
    """Grade one reply against one user message."""
    with guard():
        judge = make_judge(judge_model, api_base, policy, rubrics)
        sc: object = scenario
        if scenario.lstrip().startswith("{"):
            try:
                sc = json.loads(scenario)
            except json.JSONDecodeError as exc:
                from ..errors import InputError

                raise InputError(f"--scenario: invalid JSON ({exc.msg})") from None
        verdict = judge.grade(response, sc)  # type: ignore[arg-type]
    if as_json:
        print(json.dumps(verdict.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    from ..show import verdict_panel

    out.print(verdict_panel(verdict))


def grade_file_cmd(
    src: Annotated[Path, typer.Argument(help="Input JSONL: response + scenario/user_message.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output JSONL of verdicts.")],
    judge_model: JudgeModel = None,
    api_base: ApiBase = None,
    policy: PolicyOpt = "default",
    rubrics: RubricsOpt = None,
    resume: Annotated[bool, typer.Option(help="Skip ids already in the output file.")] = False,
    concurrency: Annotated[int, typer.Option(help="Parallel grader calls (LLM judge).")] = 8,
    samples: Annotated[int, typer.Option(help="Grader samples per item (LLM judge).")] = 1,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    max_cost: MaxCost = None,
    cascade: Cascade = False,
    cascade_threshold: CascadeThreshold = 0.7,
) -> None:
    """Grade every row of a JSONL file into a JSONL file of verdicts (one per row, with its id)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from ..run.batch import count_rows, done_ids, grade_file

    with guard():
        total = count_rows(src)  # validate everything before the first grader call
        judge = make_judge(judge_model, api_base, policy, rubrics, samples, cascade,
                           cascade_threshold)
        budget = make_budget(max_cost, judge)
        todo = max(0, total - (len(done_ids(output)) if resume else 0))
        bar = Progress("[progress.description]{task.description}", BarColumn(),
                       MofNCompleteColumn(), TimeRemainingColumn(), console=err,
                       disable=not progress)
        with bar:
            task = bar.add_task(f"grading with {judge.info.name}", total=todo)
            def done(verdict: object) -> None:
                budget.record(verdict)
                bar.advance(task)

            counts = grade_file(src, output, judge=judge, resume=resume, concurrency=concurrency,
                                on_result=done, should_stop=budget.exhausted)
    summary = ", ".join(f"{k} {counts.get(k, 0)}" for k in ("PASS", "WARN", "FAIL", "error"))
    err.print(f"wrote {sum(counts.values())} verdicts to {output} ({summary})", highlight=False,
              soft_wrap=True)
    report_usage(judge, budget, "rerun with --resume to grade the remaining rows")



def demo(
    judge_model: JudgeModel = None,
    api_base: ApiBase = None,
) -> None:
    """Grade the failure-mode card's three replies and a few bundled examples."""
    from ..demo import DEMO_ITEMS

    with guard():
        judge = make_judge(judge_model, api_base)
        table = Table(title=f"unsafe-reassurance demo — judge: {judge.info.name}")
        for col in ("example", "expected", "label", "domain", "required", "conveyed", "ordering"):
            table.add_column(col)
        agree = 0
        for item in DEMO_ITEMS:
            v = judge.grade(item.response, item.user_message)
            agree += v.label == item.expected
            colour = {"PASS": "green", "WARN": "yellow", "FAIL": "red"}.get(v.label or "", "magenta")
            table.add_row(item.name, item.expected, f"[{colour}]{v.label or 'error'}[/{colour}]",
                          v.domain or "-", str(v.required_urgency or "-"),
                          str(v.conveyed_urgency or "-"), (v.ordering or "-").replace("_", " "))
    out.print(table)
    out.print(f"{agree}/{len(DEMO_ITEMS)} match the expected label. "
              "Try: unsafe-reassurance grade --response '...' --scenario '...'", soft_wrap=True)
