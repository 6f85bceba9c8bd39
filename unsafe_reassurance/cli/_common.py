"""Shared CLI helpers: consoles, the error guard, common options and ``make_judge``.

Command modules import from here and never from each other, so the CLI has no import cycles.
Bad input prints one line naming the file/line/field to stderr and exits with code 2.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from .._logging import quiet_libraries
from ..errors import UnsafeReassuranceError
from ..judges.base import BaseJudge
from ..judges.cascade import CascadeJudge
from ..run.budget import Budget

__all__ = ["ApiBase", "Cascade", "CascadeThreshold", "JudgeModel", "MaxCost", "PolicyOpt",
           "RubricsOpt", "err", "guard", "make_budget", "make_judge", "out", "report_usage"]


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
MaxCost = Annotated[Optional[float], typer.Option(  # noqa: UP045
    "--max-cost", metavar="USD", help="Stop starting new grader calls once this much is spent "
    "(verdicts so far are kept; grade-file resumes with --resume).")]
Cascade = Annotated[bool, typer.Option(
    "--cascade", help="Offline judge settles the rows it is confident about; the LLM "
    "(--judge-model) grades the rest.")]
CascadeThreshold = Annotated[float, typer.Option(
    "--cascade-threshold", help="Offline confidence at or above which its verdict stands.")]


@contextlib.contextmanager
def guard() -> Iterator[None]:
    """Turn our errors into one stderr line and exit code 2."""
    try:
        yield
    except UnsafeReassuranceError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def make_judge(
    model: str | None,
    api_base: str | None = None,
    policy: str = "default",
    rubric_paths: list[Path] | None = None,
    samples: int = 1,
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
    rubrics = load_rubrics(*(rubric_paths or []))
    if not model:
        return OfflineJudge(rubrics, policy=policy)
    from ..judges.llm import LLMJudge

    quiet_libraries(force=True)  # the verdict already carries the reason for a failure
    llm = LLMJudge(model, api_base=api_base, rubrics=rubrics, policy=policy, samples=samples)
    if not cascade:
        return llm
    from ..judges.cascade import DEFAULT_THRESHOLD

    if threshold is not None and not 0 <= threshold <= 1:
        raise InputError(f"--cascade-threshold: {threshold} is not within 0..1")
    return CascadeJudge(OfflineJudge(rubrics, policy=policy), llm,
                        threshold=DEFAULT_THRESHOLD if threshold is None else threshold)


def make_budget(max_cost: float | None, judge: BaseJudge | CascadeJudge) -> Budget:
    """Usage totals for a run, capped at ``max_cost`` USD (``--max-cost``)."""
    from ..errors import InputError

    if max_cost is not None:
        if max_cost <= 0:
            raise InputError(f"--max-cost: must be positive, got {max_cost}")
        if judge.info.name == "offline-rules":
            raise InputError("--max-cost: the offline judge costs nothing; it needs --judge-model")
    return Budget(max_cost)


def report_usage(judge: BaseJudge | CascadeJudge, budget: Budget, resume_hint: str) -> None:
    """Usage (and who-settled-what for a cascade) on stderr; a budget stop says so and exits 3."""
    if judge.info.name != "offline-rules":
        err.print(f"usage: {budget.summary()}", highlight=False, soft_wrap=True)
    if isinstance(judge, CascadeJudge):
        err.print(judge.summary(), highlight=False, soft_wrap=True)
    if budget.exhausted():
        err.print(f"stopped: the --max-cost budget was reached; {resume_hint}", highlight=False,
                  soft_wrap=True)
        raise typer.Exit(3)
