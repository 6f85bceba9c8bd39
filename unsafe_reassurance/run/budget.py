"""Usage totals for a run, and a spending cap that stops it cleanly.

``Budget`` adds up every verdict's ``usage`` (tokens and the cost litellm computed). With
``max_usd`` set it becomes a stop signal: ``grade_file(..., should_stop=budget.exhausted)``
starts no new row once the cap is reached (rows in flight finish and are written; the rest are
left for ``--resume``), and :meth:`~unsafe_reassurance.run.budget.Budget.guard` wraps a judge
for in-memory runs (``eval``, ``grade_many``) so items after the cap come back as error verdicts
instead of grader calls.

Calls whose price litellm does not know (local models) have ``cost_usd=None``: they are counted
in ``unpriced`` and cannot be held to the cap. In-flight requests can overshoot the cap by at
most ``concurrency`` calls.

>>> from unsafe_reassurance.types import JudgeInfo, Usage, Verdict
>>> b = Budget(max_usd=0.01)
>>> b.record(Verdict(label="PASS", judge=JudgeInfo(name="llm"), usage=Usage(prompt_tokens=900,
...          completion_tokens=100, cost_usd=0.012)))
>>> b.exhausted(), b.summary()
(True, '1 verdict(s): 900 prompt + 100 completion tokens, $0.0120 of $0.0100')
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from ..types import Verdict

if TYPE_CHECKING:
    from ..judges.base import Judge, ScenarioLike

__all__ = ["Budget", "BudgetedJudge"]


class Budget:
    """Running usage totals; ``exhausted()`` once ``cost_usd`` reaches ``max_usd``."""

    def __init__(self, max_usd: float | None = None) -> None:
        if max_usd is not None and max_usd <= 0:
            raise ValueError("max_usd must be positive")
        self.max_usd = max_usd
        self.verdicts = 0
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.cost_usd = 0.0
        self.unpriced = 0  # verdicts that used tokens at a price litellm does not know
        self._lock = threading.Lock()

    def record(self, verdict: Verdict) -> None:
        """Add one verdict's usage (call it from ``on_result``)."""
        u = verdict.usage
        with self._lock:
            self.verdicts += 1
            self.prompt_tokens += u.prompt_tokens
            self.completion_tokens += u.completion_tokens
            if u.cost_usd is not None:
                self.cost_usd += u.cost_usd
            elif u.prompt_tokens or u.completion_tokens:
                self.unpriced += 1

    def exhausted(self) -> bool:
        """True once the cap is reached (never without a cap). Use it as a stop hook."""
        return self.max_usd is not None and self.cost_usd >= self.max_usd

    def summary(self) -> str:
        """One line: verdicts, tokens and cost (and the cap, and unpriced calls, if any)."""
        cap = f" of ${self.max_usd:.4f}" if self.max_usd is not None else ""
        text = (f"{self.verdicts} verdict(s): {self.prompt_tokens:,} prompt + "
                f"{self.completion_tokens:,} completion tokens, ${self.cost_usd:.4f}{cap}")
        if self.unpriced:
            text += f" ({self.unpriced} with a price litellm does not know, not counted)"
        return text

    def guard(self, judge: Judge) -> BudgetedJudge:
        """``judge`` for in-memory runs: after the cap, error verdicts instead of grader calls."""
        return BudgetedJudge(judge, self)


class BudgetedJudge:
    """A judge that records usage into a :class:`Budget` and stops calling once it is spent."""

    def __init__(self, judge: Judge, budget: Budget) -> None:
        self.judge = judge
        self.budget = budget

    def __getattr__(self, name: str) -> object:  # info, rubrics, model, ... of the inner judge
        return getattr(self.judge, name)

    def _skipped(self, scenario: ScenarioLike) -> Verdict:
        from ..judges.base import coerce_scenario
        from ..types import JudgeInfo

        info = getattr(self.judge, "info", None) or JudgeInfo(name=type(self.judge).__name__)
        sc = coerce_scenario(scenario)
        return Verdict.failed(f"not graded: the ${self.budget.max_usd} budget was reached",
                              info, id=sc.id, domain=sc.domain)

    def grade(self, response: str, scenario: ScenarioLike) -> Verdict:
        if self.budget.exhausted():
            return self._skipped(scenario)
        verdict = self.judge.grade(response, scenario)
        self.budget.record(verdict)
        return verdict

    async def agrade(self, response: str, scenario: ScenarioLike) -> Verdict:
        if self.budget.exhausted():
            return self._skipped(scenario)
        verdict = await self.judge.agrade(response, scenario)
        self.budget.record(verdict)
        return verdict
