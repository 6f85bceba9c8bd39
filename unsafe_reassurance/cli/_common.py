"""Shared CLI helpers: consoles, the error guard, common options and ``make_judge``.

Command modules import from here and never from each other, so the CLI has no import cycles.
Bad input prints one line naming the file/line/field to stderr and exits with code 2.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.console import Console
from rich.markup import escape

from .._logging import quiet_libraries
from ..errors import UnsafeReassuranceError
from ..judges.base import BaseJudge
from ..judges.cascade import CascadeJudge
from ..run.budget import Budget

__all__ = [
    "ApiBase",
    "Cascade",
    "CascadeThreshold",
    "ConcurrencyOpt",
    "FormatOpt",
    "IdColOpt",
    "JudgeModel",
    "MaxAttemptsOpt",
    "MaxCost",
    "MessageColOpt",
    "NoCacheOpt",
    "OverwriteOpt",
    "PolicyOpt",
    "ProcessesOpt",
    "ResponseColOpt",
    "ResumeOpt",
    "RetryErrorsOpt",
    "RpmOpt",
    "RubricsOpt",
    "SamplesOpt",
    "TimeoutOpt",
    "TpmOpt",
    "cache_note",
    "columns",
    "err",
    "guard",
    "make_budget",
    "make_judge",
    "out",
    "progress_bar",
    "report_usage",
    "row_deadline",
    "with_cache",
]


def _console(stderr: bool = False) -> Console:
    # Piped or redirected output gets plain, full-width text: rich would otherwise cut tables to
    # 80 columns ("e…", "PA…") and add colour codes that a file or `grep` does not want.
    probe = Console(stderr=stderr)
    if probe.is_terminal:
        return probe
    return Console(stderr=stderr, width=10_000, color_system=None, highlight=False)


out = _console()
err = _console(stderr=True)

JudgeModel = Annotated[
    Optional[str],  # noqa: UP045 (typer needs Optional on 3.10)
    typer.Option("--judge-model", "-m", envvar="UNSAFE_REASSURANCE_JUDGE_MODEL",
                 help="litellm model for the LLM judge (default: the offline rules judge)."),
]
ApiBase = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--api-base", help="OpenAI-compatible server URL, e.g. http://127.0.0.1:8080/v1.")]
PolicyOpt = Annotated[str, typer.Option("--policy", help="Label policy: default or strict.")]
RubricsOpt = Annotated[Optional[list[Path]], typer.Option(  # noqa: UP045
    "--rubrics", help="Extra rubric file or folder (repeatable); overrides bundled domains.")]
_Num = Optional[float]  # noqa: UP045
_Str = Optional[str]  # noqa: UP045
ConcurrencyOpt = Annotated[int, typer.Option(
    min=1, help="Grader requests in flight (LLM judge; samples count as requests).")]
SamplesOpt = Annotated[int, typer.Option(min=1, help="Grader samples per item (LLM judge).")]
RpmOpt = Annotated[_Num, typer.Option("--rpm", min=0.001, help="Client-side limit: requests/minute.")]
TpmOpt = Annotated[_Num, typer.Option("--tpm", min=1, help="Client-side limit: tokens/minute.")]
TimeoutOpt = Annotated[_Num, typer.Option(
    "--timeout", min=0.001, help="Seconds per grader call (LLM judge; default 60).")]
MaxAttemptsOpt = Annotated[Optional[int], typer.Option(  # noqa: UP045
    "--max-attempts", min=1, help="Attempts per grader call, retries included (default 3).")]
NoCacheOpt = Annotated[bool, typer.Option(
    "--no-cache", help="Do not read or write the result cache ($UNSAFE_REASSURANCE_CACHE).")]
OverwriteOpt = Annotated[bool, typer.Option(help="Replace a non-empty output file.")]
ResumeOpt = Annotated[bool, typer.Option(
    help="Continue an interrupted run: skip rows already in the output (a torn last line is "
    "repaired).")]
RetryErrorsOpt = Annotated[bool, typer.Option(
    help="Like --resume, and grade rows whose verdict was an error again.")]
ProcessesOpt = Annotated[int, typer.Option(
    min=1, help="Worker processes (one judge each; the offline judge is CPU-bound).")]
ResponseColOpt = Annotated[_Str, typer.Option(help="Input column holding the reply to grade.")]
MessageColOpt = Annotated[_Str, typer.Option(
    help="Input column holding the user's message (text, or a list of chat messages).")]
IdColOpt = Annotated[_Str, typer.Option(help="Input column holding the row id.")]
FormatOpt = Annotated[_Str, typer.Option(
    "--format", help="Input format: jsonl, csv, parquet or hf (default: from the path).")]


MaxCost = Annotated[Optional[float], typer.Option(  # noqa: UP045
    "--max-cost", metavar="USD", help="Stop starting new grader calls once this much is spent "
    "(verdicts so far are kept; rerun with --resume for the rest).")]
Cascade = Annotated[bool, typer.Option(
    "--cascade", help="Offline judge settles the rows it is confident about (WARN/FAIL, and "
    "PASSes the reply itself proves); the LLM (--judge-model) grades the rest.")]
CascadeThreshold = Annotated[float, typer.Option(
    "--cascade-threshold", help="Offline confidence at or above which its verdict stands.")]


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Turn our errors into one stderr line and exit code 2."""
    try:
        yield
    except UnsafeReassuranceError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def make_judge(
    model: str | None,
    api_base: str | None = None,
    policy: str = "default",
    rubric_paths: list[Path] | None = None,
    samples: int = 1,
    *,
    timeout: float | None = None,
    max_attempts: int | None = None,
    cascade: bool = False,
    threshold: float | None = None,
) -> BaseJudge | CascadeJudge:
    """The judge the CLI options describe: LLM when a model is named, else offline rules;
    ``cascade``: offline first, the LLM for the rows the offline judge is not confident about."""
    from ..errors import InputError
    from ..judges.offline import OfflineJudge
    from ..rubrics import load_rubrics

    if cascade and not model:
        raise InputError("--cascade: needs --judge-model (the LLM that grades what the offline "
                         "judge is not confident about)")
    if threshold is not None and not 0 <= threshold <= 1:
        raise InputError(f"--cascade-threshold: {threshold} is not within 0..1")
    rubrics = load_rubrics(*(rubric_paths or []))
    if not model:
        return OfflineJudge(rubrics, policy=policy)
    from ..judges.llm import LLMJudge

    quiet_libraries(force=True)  # the verdict already carries the reason for a failure
    extra: dict[str, Any] = {}
    if timeout is not None:
        extra["timeout"] = timeout
    if max_attempts is not None:
        extra["max_attempts"] = max_attempts
    llm = LLMJudge(model, api_base=api_base, rubrics=rubrics, policy=policy, samples=samples,
                   **extra)
    if not cascade:
        return llm
    from ..judges.cascade import DEFAULT_THRESHOLD

    return CascadeJudge(OfflineJudge(rubrics, policy=policy), llm,
                        threshold=DEFAULT_THRESHOLD if threshold is None else threshold)


def make_budget(max_cost: float | None, judge: Any) -> Budget:
    """Usage totals for a run, capped at ``max_cost`` USD (``--max-cost``)."""
    from ..errors import InputError

    if max_cost is not None:
        if max_cost <= 0:
            raise InputError(f"--max-cost: must be positive, got {max_cost}")
        if judge.info.name == "offline-rules":
            raise InputError("--max-cost: the offline judge costs nothing; it needs --judge-model")
    return Budget(max_cost)


def report_usage(judge: Any, budget: Budget, resume_hint: str) -> None:
    """Usage (and who-settled-what for a cascade) on stderr; a budget stop says so and exits 3."""
    if judge.info.name != "offline-rules":
        err.print(f"usage: {budget.summary()}", highlight=False, soft_wrap=True)
    inner = getattr(judge, "judge", judge)  # the cache wraps the judge
    if isinstance(inner, CascadeJudge):
        err.print(inner.summary(), highlight=False, soft_wrap=True)
    if budget.exhausted():
        err.print(f"stopped: the --max-cost budget was reached; {resume_hint}", highlight=False,
                  soft_wrap=True)
        raise typer.Exit(3)


def with_cache(judge: BaseJudge, no_cache: bool) -> Any:
    """LLM judges get the result cache unless ``--no-cache``; the offline judge never needs it."""
    from ..judges.offline import OfflineJudge

    if no_cache or isinstance(judge, OfflineJudge):
        return judge
    from ..run.cache import CachedJudge, ResultCache

    return CachedJudge(judge, ResultCache())


def cache_note(judge: Any) -> str:
    """``"; N from the cache"`` when the result cache served verdicts, else ``""``."""
    cache = getattr(judge, "cache", None)
    return f"; {cache.hits} from the cache" if cache is not None and cache.hits else ""


def row_deadline(judge: Any, timeout: float | None, max_attempts: int | None) -> float | None:
    """A per-row deadline over the grader's own timeouts, so no row can hang a run forever."""
    grader = getattr(getattr(judge, "judge", judge), "grader", None)
    per_call = timeout or getattr(grader, "timeout", None)
    if not per_call:
        return None
    attempts = max_attempts or getattr(grader, "max_attempts", 3)
    wait = getattr(grader, "wait_max", 8.0)
    return float(per_call * attempts + wait * attempts + 30)


def columns(response_col: str | None, message_col: str | None, id_col: str | None) -> Any:
    from ..run.readers import Columns

    return Columns(response=response_col, message=message_col, id=id_col)


@contextlib.contextmanager
def progress_bar(enabled: bool, description: str) -> Iterator[tuple[Any, Any]]:
    """``(on_start, on_result)`` callbacks driving a stderr bar that appears once input is valid."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                   TimeRemainingColumn(), console=err, disable=not enabled)
    task = bar.add_task(description, total=None)

    def start(total: int) -> None:
        bar.update(task, total=total)
        bar.start()

    try:
        yield start, lambda _verdict: bar.advance(task)
    finally:
        bar.stop()
