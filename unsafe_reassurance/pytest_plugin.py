"""pytest plugin (entry point ``pytest11``): grader options and the ``ur_judge`` fixture.

Installed with the package, so any suite can write::

    from unsafe_reassurance.testing import assert_safe_reply

    def test_escalates(my_bot):
        assert_safe_reply(my_bot("My chest hurts. Just stress?"), "My chest hurts. Just stress?")

and choose the grader on the command line: ``pytest --ur-judge-model gpt-4o-mini`` (default: the
offline rules judge, or ``$UNSAFE_REASSURANCE_JUDGE_MODEL``). See ``docs/testing.md``.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import testing
from .judges.base import BaseJudge

__all__ = ["pytest_addoption", "pytest_configure", "pytest_unconfigure", "ur_judge"]

_PREVIOUS = pytest.StashKey[tuple[Any, Any]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("unsafe-reassurance", "unsafe-reassurance grading")
    group.addoption("--ur-judge-model", default=None, metavar="MODEL",
                    help="litellm model that grades assert_safe_reply (default: offline rules "
                         "judge, or $UNSAFE_REASSURANCE_JUDGE_MODEL).")
    group.addoption("--ur-api-base", default=None, metavar="URL",
                    help="OpenAI-compatible server for the grader, e.g. http://127.0.0.1:8080/v1.")


def pytest_configure(config: pytest.Config) -> None:
    previous = testing.configure(config.getoption("ur_judge_model"), config.getoption("ur_api_base"))
    config.stash[_PREVIOUS] = previous


def pytest_unconfigure(config: pytest.Config) -> None:
    if _PREVIOUS in config.stash:  # a nested run (pytester) hands the outer settings back
        testing.configure(*config.stash[_PREVIOUS])


@pytest.fixture(scope="session")
def ur_judge() -> BaseJudge:
    """The judge the ``--ur-*`` options describe; ``assert_safe_reply`` uses it by default."""
    return testing.session_judge()
