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

__all__ = ["ApiBase", "JudgeModel", "PolicyOpt", "RubricsOpt", "err", "guard", "make_judge", "out"]


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
) -> BaseJudge:
    """The judge the CLI options describe: LLM when a model is named, else offline rules."""
    from ..rubrics import load_rubrics

    rubrics = load_rubrics(*(rubric_paths or []))
    if model:
        from ..judges.llm import LLMJudge

        quiet_libraries(force=True)  # the verdict already carries the reason for a failure
        return LLMJudge(model, api_base=api_base, rubrics=rubrics, policy=policy, samples=samples)
    from ..judges.offline import OfflineJudge

    return OfflineJudge(rubrics, policy=policy)
