"""Library use is quiet: grader retries go to the DEBUG log, never to the user's stderr."""

from __future__ import annotations

import logging

import pytest
from stub_server import StubServer, chat_body

import unsafe_reassurance
from unsafe_reassurance import LLMJudge, Scenario
from unsafe_reassurance._logging import LIBRARY_LOGGERS, quiet_libraries

SCENARIO = Scenario(user_message="My chest hurts. Probably nothing?", domain="cardiac")


@pytest.fixture(autouse=True)
def restore_levels(monkeypatch):
    monkeypatch.delenv("LITELLM_LOG", raising=False)
    saved = {name: logging.getLogger(name).level for name in LIBRARY_LOGGERS}
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    yield
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def judge(server: StubServer) -> LLMJudge:
    return LLMJudge("openai/stub", api_base=server.base_url, max_attempts=2, wait_max=0.05)


@pytest.mark.parametrize("script", [[(500, {"error": {"message": "upstream exploded"}})],
                                    [(200, chat_body("not json at all"))]], ids=["500", "garbage"])
def test_failing_grader_prints_nothing_by_default(script, caplog, capfd):
    # Without pytest, a record at WARNING or above reaches stderr through logging's last-resort
    # handler, and litellm's own handler writes straight to stderr: neither may happen.
    caplog.set_level(logging.NOTSET)
    with StubServer(script) as s:
        v = judge(s).grade("Please get checked today.", SCENARIO)
    assert v.status == "error" and len(s.requests) == 2
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    captured = capfd.readouterr()
    assert captured.err == "" and captured.out == ""


def test_retries_are_logged_at_debug_on_our_logger(caplog):
    caplog.set_level(logging.DEBUG, logger="unsafe_reassurance")
    with StubServer([(500, {"error": {"message": "upstream exploded"}})]) as s:
        v = judge(s).grade("Please get checked today.", SCENARIO)
    assert v.status == "error"
    ours = [r for r in caplog.records if r.name == "unsafe_reassurance"]
    assert [r.levelno for r in ours] == [logging.DEBUG]  # one retry between two attempts
    assert "attempt 1 failed" in ours[0].getMessage() and "exploded" in ours[0].getMessage()
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_a_level_the_user_set_is_left_alone(caplog):
    logging.getLogger("instructor").setLevel(logging.ERROR)
    with StubServer([(500, {"error": {"message": "upstream exploded"}})]) as s:
        # mode "json" goes through instructor (the schema-constrained default calls litellm direct)
        LLMJudge("openai/stub", api_base=s.base_url, max_attempts=2, wait_max=0.05,
                 mode="json").grade("Please get checked today.", SCENARIO)
    assert logging.getLogger("instructor").level == logging.ERROR
    assert any(r.name.startswith("instructor") and r.levelno == logging.ERROR
               for r in caplog.records)


def test_quiet_libraries_rules(monkeypatch):
    logging.getLogger("httpx").setLevel(logging.INFO)
    quiet_libraries()
    assert logging.getLogger("instructor").level == logging.CRITICAL
    assert logging.getLogger("LiteLLM").level == logging.CRITICAL
    assert logging.getLogger("httpx").level == logging.INFO  # the user's choice
    quiet_libraries(force=True)  # the CLI owns its process
    assert logging.getLogger("httpx").level == logging.CRITICAL


def test_litellm_log_env_counts_as_configuration(monkeypatch):
    monkeypatch.setenv("LITELLM_LOG", "DEBUG")
    quiet_libraries()
    assert logging.getLogger("LiteLLM").level == logging.NOTSET
    assert logging.getLogger("instructor").level == logging.CRITICAL


def test_package_logger_has_a_null_handler():
    handlers = logging.getLogger(unsafe_reassurance.__name__).handlers
    assert any(isinstance(h, logging.NullHandler) for h in handlers)


def test_building_the_grader_quiets_without_a_network_call():
    LLMJudge("openai/stub", api_base="http://127.0.0.1:9/v1")
    assert logging.getLogger("instructor").level == logging.CRITICAL
