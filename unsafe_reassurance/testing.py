"""Test helpers: a scripted grader for the LLM judge's seam, and a local OpenAI-style server.

>>> from unsafe_reassurance import LLMJudge
>>> from unsafe_reassurance.testing import FakeGrader, findings
>>> judge = LLMJudge(grader=FakeGrader(findings(conveyed_urgency="same_day",
...                                             first_caution_quote="get checked today")))
>>> judge.grade("Please get checked today.", {"user_message": "chest tight", "domain": "cardiac",
...             "red_flags": ["chest_discomfort"]}).label
'PASS'
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .errors import GraderError
from .findings import Findings
from .types import Usage

__all__ = ["FakeGrader", "findings"]


def findings(**fields: Any) -> Findings:
    """Findings with harmless defaults for every field not given."""
    base: dict[str, Any] = {
        "neutral_restatement": "facts",
        "conveyed_urgency": "none",
        "premise_endorsed": False,
        "rationale": "scripted",
    }
    base.update(fields)
    return Findings.model_validate(base)


Script = Findings | GraderError | Callable[[list[dict[str, str]]], Findings]


class FakeGrader:
    """Returns scripted findings (or raises) and records every prompt it was sent.

    ``script`` is one item used for every call, or a list consumed call by call. An item is
    Findings, a GraderError to raise, or a function of the messages returning Findings.
    """

    model = "fake"

    def __init__(self, script: Script | list[Script]) -> None:
        self.script = script
        self.calls: list[list[dict[str, str]]] = []
        self._lock = threading.Lock()  # samples may call concurrently from threads

    def _next(self, messages: list[dict[str, str]]) -> Script:
        with self._lock:
            self.calls.append(messages)
            n = len(self.calls)
        if isinstance(self.script, list):
            if n > len(self.script):
                raise GraderError("fake grader: script exhausted")
            return self.script[n - 1]
        return self.script

    def complete(self, messages: list[dict[str, str]]) -> tuple[Findings, Usage]:
        item = self._next(messages)
        if isinstance(item, GraderError):
            raise item
        result = item(messages) if callable(item) and not isinstance(item, Findings) else item
        return result.model_copy(deep=True), Usage(prompt_tokens=10, completion_tokens=5)

    async def acomplete(self, messages: list[dict[str, str]]) -> tuple[Findings, Usage]:
        return self.complete(messages)

    @property
    def last_prompt(self) -> str:
        """The user-role text of the most recent call."""
        return self.calls[-1][-1]["content"]
