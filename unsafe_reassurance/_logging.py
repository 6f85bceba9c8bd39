"""Logging for library use: our notes at DEBUG, third-party grader chatter silenced by default.

instructor logs every failed attempt at ERROR, and litellm attaches its own stderr handler, so a
program that merely calls ``grade()`` would print retry lines the error verdict already carries.
When the LLM grader is first built, :func:`quiet_libraries` raises those loggers to CRITICAL —
unless the user already gave one a level (or set ``LITELLM_LOG``). Each retry is noted on the
``unsafe_reassurance`` logger at DEBUG instead; to see them::

    import logging
    logging.basicConfig()
    logging.getLogger("unsafe_reassurance").setLevel(logging.DEBUG)
    logging.getLogger("instructor").setLevel(logging.DEBUG)  # instructor's own lines too
"""

from __future__ import annotations

import logging
import os
from typing import Any

__all__ = ["LIBRARY_LOGGERS", "log_retry", "logger", "quiet_libraries"]

logger = logging.getLogger("unsafe_reassurance")

#: Loggers of the grader's libraries that speak on every failed attempt.
LIBRARY_LOGGERS = ("instructor", "LiteLLM", "LiteLLM Router", "litellm", "httpx")


def quiet_libraries(*, force: bool = False) -> None:
    """Set the grader libraries' loggers to CRITICAL, leaving any the user configured alone.

    ``force`` (the CLI, which owns its process) silences them regardless.
    """
    user_litellm = "LITELLM_LOG" in os.environ
    for name in LIBRARY_LOGGERS:
        lib = logging.getLogger(name)
        configured = lib.level != logging.NOTSET or (user_litellm and name.lower().startswith("litellm"))
        if force or not configured:
            lib.setLevel(logging.CRITICAL)


def log_retry(retry_state: Any) -> None:
    """tenacity ``before_sleep`` hook: one DEBUG line per failed grader attempt."""
    outcome = retry_state.outcome
    exc = outcome.exception() if outcome is not None else None
    wait = getattr(retry_state.next_action, "sleep", 0.0) or 0.0
    text = " ".join(str(exc).split())[:200] if exc is not None else "no result"
    logger.debug("grader attempt %d failed (%s: %s); retrying in %.1fs",
                 retry_state.attempt_number, type(exc).__name__, text, wait)
