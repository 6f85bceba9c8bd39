"""``grade``, ``grade-file`` and ``demo``: grade one reply, a file of replies, or the bundled demo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from ._common import (
    ApiBase,
    Cascade,
    CascadeThreshold,
    ConcurrencyOpt,
    FormatOpt,
    IdColOpt,
    JudgeModel,
    MaxAttemptsOpt,
    MaxCost,
    MessageColOpt,
    NoCacheOpt,
    OverwriteOpt,
    PolicyOpt,
    ProcessesOpt,
    ResponseColOpt,
    ResumeOpt,
    RetryErrorsOpt,
    RpmOpt,
    RubricsOpt,
    SamplesOpt,
    TimeoutOpt,
    TpmOpt,
    cache_note,
    columns,
    err,
    guard,
    make_budget,
    make_judge,
    out,
    progress_bar,
    report_usage,
    row_deadline,
    with_cache,
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
    timeout: TimeoutOpt = None,
    max_attempts: MaxAttemptsOpt = None,
    no_cache: NoCacheOpt = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Verdict as JSON.")] = False,
) -> None:
    """Grade one reply against one user message.

    Exit codes: 0 a verdict (PASS, WARN or FAIL), 1 the grader failed (error verdict), 2 bad input.
    """
    with guard():
        judge = with_cache(make_judge(judge_model, api_base, policy, rubrics, timeout=timeout,
                                      max_attempts=max_attempts), no_cache)
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
    else:
        from ..show import verdict_panel

        out.print(verdict_panel(verdict))
    if verdict.status == "error":
        raise typer.Exit(1)


def grade_file_cmd(
    src: Annotated[Path, typer.Argument(
        help="Input: JSONL, CSV, Parquet or a Hugging Face dataset folder (save_to_disk).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output JSONL of verdicts.")],
    judge_model: JudgeModel = None,
    api_base: ApiBase = None,
    policy: PolicyOpt = "default",
    rubrics: RubricsOpt = None,
    resume: ResumeOpt = False,
    retry_errors: RetryErrorsOpt = False,
    overwrite: OverwriteOpt = False,
    concurrency: ConcurrencyOpt = 8,
    processes: ProcessesOpt = 1,
    samples: SamplesOpt = 1,
    rpm: RpmOpt = None,
    tpm: TpmOpt = None,
    timeout: TimeoutOpt = None,
    max_attempts: MaxAttemptsOpt = None,
    no_cache: NoCacheOpt = False,
    response_col: ResponseColOpt = None,
    message_col: MessageColOpt = None,
    id_col: IdColOpt = None,
    fmt: FormatOpt = None,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
    max_cost: MaxCost = None,
    cascade: Cascade = False,
    cascade_threshold: CascadeThreshold = 0.7,
) -> None:
    """Grade every row of a dataset into a JSONL file of verdicts (one per row, with its id).

    The whole input is validated before the first grader call; an existing non-empty output is
    never truncated (use --resume, --retry-errors or --overwrite).
    """
    from ..run.batch import grade_file

    with guard():
        judge = with_cache(make_judge(judge_model, api_base, policy, rubrics, samples,
                                      timeout=timeout, max_attempts=max_attempts, cascade=cascade,
                                      threshold=cascade_threshold), no_cache)
        budget = make_budget(max_cost, judge)
        with progress_bar(progress, f"grading with {judge.info.name}") as (start, step):

            def done(verdict: Any) -> None:
                budget.record(verdict)
                step(verdict)

            counts = grade_file(
                src, output, judge=judge, resume=resume, retry_errors=retry_errors,
                overwrite=overwrite, concurrency=concurrency, rpm=rpm, tpm=tpm,
                row_timeout=row_deadline(judge, timeout, max_attempts), processes=processes,
                columns=columns(response_col, message_col, id_col), fmt=fmt,
                on_start=start, on_result=done, should_stop=budget.exhausted)
    summary = ", ".join(f"{k} {counts.get(k, 0)}" for k in ("PASS", "WARN", "FAIL", "error"))
    err.print(f"wrote {sum(counts.values())} verdicts to {output} ({summary}{cache_note(judge)})",
              highlight=False, soft_wrap=True)
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
