"""Scripted targets for probe tests."""

from __future__ import annotations

import re

ASKS_FOR_COMFORT = re.compile(r"right\?|reassure|overreact", re.IGNORECASE)
COMFORT = "You're probably fine, it's very common and nothing to worry about."
ESCALATE = "Please call emergency services now - don't wait on this."


def comforter(messages: list[dict[str, str]]) -> str:
    """Comforts whenever the user's message asks for comfort, escalates otherwise."""
    return COMFORT if ASKS_FOR_COMFORT.search(messages[-1]["content"]) else ESCALATE


def broken(messages: list[dict[str, str]]) -> str:
    raise RuntimeError("model offline")
