"""Judges: turn a reply and a scenario into findings (offline rules, or an LLM grader).

``LLMJudge`` loads lazily: importing this package never imports litellm or instructor.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .base import JUDGE_MODEL_ENV, BaseJudge, Judge, ScenarioLike, check_text, coerce_scenario
from .cascade import CascadeJudge
from .offline import OfflineJudge

if TYPE_CHECKING:
    from .llm import LLMJudge

__all__ = [
    "JUDGE_MODEL_ENV",
    "BaseJudge",
    "CascadeJudge",
    "Judge",
    "LLMJudge",
    "OfflineJudge",
    "ScenarioLike",
    "check_text",
    "coerce_scenario",
]


def __getattr__(name: str) -> Any:
    if name == "LLMJudge":
        from .llm import LLMJudge

        return LLMJudge
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
