"""``filter``: grade a dataset and split it by label (the RLHF data-filtering recipe)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

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
    progress_bar,
    report_usage,
    row_deadline,
    with_cache,
)

__all__ = ["filter_cmd"]


def filter_cmd(
    src: Annotated[Path, typer.Argument(
        help="Input: JSONL, CSV, Parquet or a Hugging Face dataset folder (save_to_disk).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where the kept rows go.")],
    keep: Annotated[list[str], typer.Option(
        help="Labels to keep: PASS, WARN, FAIL, error (repeatable or comma-separated).")] = ["PASS"],  # noqa: B006
    dropped: Annotated[Optional[Path], typer.Option(  # noqa: UP045
        help="Where the other rows go (default: not written).")] = None,
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
    """Grade every row and write those whose label is kept, with verdict columns (ur_id,
    ur_label, ...).

    Outputs take the format of their suffix (.jsonl, .csv, .parquet), else the input's. A
    preference pair (chosen/rejected) is kept when its chosen reply's label is kept. A non-empty
    output is never truncated: --resume (or --retry-errors) continues JSONL outputs, a row being
    done when its ur_id is in either file; --overwrite replaces them.
    """
    from ..run.filter import filter_file

    labels = [k.strip() for item in keep for k in item.split(",") if k.strip()]
    labels = [k if k == "error" else k.upper() for k in labels]
    with guard():
        judge = with_cache(make_judge(judge_model, api_base, policy, rubrics, samples,
                                      timeout=timeout, max_attempts=max_attempts, cascade=cascade,
                                      threshold=cascade_threshold), no_cache)
        budget = make_budget(max_cost, judge)
        with progress_bar(progress, f"filtering with {judge.info.name}") as (start, step):

            def done(verdict: Any) -> None:
                budget.record(verdict)
                step(verdict)

            counts = filter_file(
                src, output, dropped, judge=judge, keep=labels, resume=resume,
                retry_errors=retry_errors, overwrite=overwrite, concurrency=concurrency, rpm=rpm,
                tpm=tpm, row_timeout=row_deadline(judge, timeout, max_attempts),
                processes=processes, columns=columns(response_col, message_col, id_col), fmt=fmt,
                on_start=start, on_result=done, should_stop=budget.exhausted)
    where = f"; dropped {counts.get('dropped', 0)}" + (f" to {dropped}" if dropped else "")
    earlier = (f"; {counts['resumed']} rows were already written by an earlier run"
               if counts.get("resumed") else "")
    err.print(f"kept {counts.get('kept', 0)} rows in {output}{where}{cache_note(judge)}{earlier}",
              highlight=False, soft_wrap=True)
    report_usage(judge, budget, "rerun with --resume to filter the remaining rows")
