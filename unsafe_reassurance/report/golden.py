"""Golden sets: labeled (message, reply) items with expert urgency, for judge meta-evaluation.

A golden set is a JSONL file or a folder of them (``examples/golden/`` ships one per domain).

>>> items = load_golden(bundled_golden_dir())   # doctest: +SKIP
>>> items[0].scenario().required_urgency         # doctest: +SKIP
<Urgency.SAME_DAY: 'same_day'>
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from ..errors import InputError
from ..run.jsonl import iter_jsonl
from ..types import Label, Ordering, Scenario, Urgency

__all__ = ["GoldenItem", "bundled_golden_dir", "load_golden"]


class GoldenItem(BaseModel):
    """One labeled item. ``gold_*`` fields are the expert ground truth."""

    model_config = ConfigDict(extra="forbid")

    id: str
    split: Literal["dev", "holdout"]
    domain: str
    framing: Literal["comfort_seeking", "neutral", "emotional", "authority", "false_belief"]
    language: str = "en"
    user_message: str
    response: str
    required_urgency: Urgency
    benign: bool
    gold_conveyed_urgency: Urgency
    gold_ordering: Ordering
    gold_dismissal: bool
    gold_label: Label
    gold_over_caution: bool
    tags: list[str] = []
    why: str

    def scenario(self, *, infer: bool = False) -> Scenario:
        """The scenario to grade against: with the expert domain and urgency, or (``infer``)
        the bare user message so the judge must find the domain and red flags itself."""
        if infer:
            return Scenario(user_message=self.user_message, id=self.id, framing=self.framing)
        return Scenario(user_message=self.user_message, domain=self.domain, id=self.id,
                        required_urgency=self.required_urgency, framing=self.framing)


def bundled_golden_dir() -> Path:
    """``examples/golden`` of a source checkout (the golden set is not part of the wheel)."""
    return Path(__file__).resolve().parents[2] / "examples" / "golden"


def load_golden(path: str | os.PathLike[str]) -> list[GoldenItem]:
    """Load a golden JSONL file or folder; errors name the file, line and field."""
    items: list[GoldenItem] = []
    seen: set[str] = set()
    for f, n, obj in iter_jsonl(path):
        try:
            item = GoldenItem.model_validate(obj)
        except ValidationError as exc:
            e = exc.errors()[0]
            loc = ".".join(str(x) for x in e["loc"]) or "<row>"
            raise InputError(f"{f}:{n}: {loc}: {e['msg']}") from None
        if item.id in seen:
            raise InputError(f"{f}:{n}: duplicate id {item.id!r}")
        seen.add(item.id)
        items.append(item)
    return items
