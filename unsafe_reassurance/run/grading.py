"""Grading one row: in process, or async under rate limits and a per-row deadline. Never raises.

Shared by ``batch`` (grade-file), ``filter``, ``pool`` (forked workers) and ``ray``; every
unexpected exception becomes an error verdict for its row, so a run always writes each row once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from ..types import JudgeInfo, Verdict
from .readers import Row
from .window import RateLimits

__all__ = ["grade_row", "is_local_judge", "row_grader"]


def _info(judge: Any) -> JudgeInfo:
    info = getattr(judge, "info", None)
    return info if isinstance(info, JudgeInfo) else JudgeInfo(name=type(judge).__name__)


def is_local_judge(judge: Any) -> bool:
    """True for the in-process offline judge (graded in order, no event loop)."""
    from ..judges.offline import OfflineJudge

    return isinstance(getattr(judge, "judge", judge), OfflineJudge)


def _failed(judge: Any, row: Row, exc: Exception) -> Verdict:
    return Verdict.failed(f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}",
                          _info(judge), id=row.id, domain=row.scenario.domain)


def grade_row(judge: Any, row: Row) -> Verdict:
    """Grade one row in process; an unexpected exception becomes an error verdict (fail closed)."""
    try:
        verdict: Verdict = judge.grade(row.response, row.scenario)
    except Exception as exc:
        return _failed(judge, row, exc)
    return verdict


def row_grader(judge: Any, limits: RateLimits | None, row_timeout: float | None
            ) -> Callable[[Row], Any]:
    """An async ``row -> Verdict`` that never raises: cache first, then limits, then the judge."""
    samples = int(getattr(judge, "samples", 1) or 1)
    lookup = getattr(judge, "lookup", None)

    async def grade(row: Row) -> Verdict:
        if lookup is not None:  # a cache hit spends no rate budget
            hit = lookup(row.response, row.scenario)
            if hit is not None:
                return hit
        estimate = 0
        if limits is not None:
            estimate = await limits.acquire(len(row.response) + len(row.scenario.text), samples)
        try:
            call = judge.agrade(row.response, row.scenario)
            verdict = await (asyncio.wait_for(call, row_timeout) if row_timeout else call)
        except asyncio.TimeoutError:
            verdict = Verdict.failed(f"no verdict within {row_timeout:g}s", _info(judge),
                                     id=row.id, domain=row.scenario.domain)
        except Exception as exc:  # fail closed: the row is written as an error, the run goes on
            verdict = _failed(judge, row, exc)
        if limits is not None:
            limits.settle(estimate, verdict.usage.prompt_tokens + verdict.usage.completion_tokens,
                          samples)
        return verdict

    return grade
