import asyncio

from unsafe_reassurance import LLMJudge, OfflineJudge, agrade, agrade_many, default_judge, grade, grade_many
from unsafe_reassurance.api import _cached_default
from unsafe_reassurance.judges.base import JUDGE_MODEL_ENV
from unsafe_reassurance.testing import FakeGrader, findings


def test_default_judge_is_offline_without_env(monkeypatch):
    monkeypatch.delenv(JUDGE_MODEL_ENV, raising=False)
    assert isinstance(default_judge(), OfflineJudge)


def test_env_var_selects_llm_judge_without_calling_it(monkeypatch):
    monkeypatch.setenv(JUDGE_MODEL_ENV, "gpt-4o-mini")
    _cached_default.cache_clear()
    try:
        judge = default_judge()
        assert isinstance(judge, LLMJudge) and judge.model == "gpt-4o-mini"
    finally:
        _cached_default.cache_clear()


def test_grade_and_agrade_front_doors(card):
    message, replies = card
    assert grade(replies["FAIL"], message).label == "FAIL"
    assert asyncio.run(agrade(replies["PASS"], message)).label == "PASS"


def test_grade_many_keeps_order_and_reports_progress(card):
    message, replies = card
    seen = []
    labels = [v.label for v in grade_many([(replies[k], message) for k in ("PASS", "WARN", "FAIL")],
                                          on_result=lambda i, v: seen.append(i))]
    assert labels == ["PASS", "WARN", "FAIL"] and seen == [0, 1, 2]


def test_agrade_many_with_llm_judge_keeps_order():
    scripted = [findings(conveyed_urgency="none"),
                findings(conveyed_urgency="same_day", first_caution_quote="today")]
    judge = LLMJudge(grader=FakeGrader(lambda msgs: scripted["today" in msgs[-1]["content"]
                                                            .split("<reply")[1]]))
    pairs = [("Rest.", {"user_message": "x", "domain": "cardiac", "red_flags": ["chest_discomfort"]}),
             ("Go today.", {"user_message": "x", "domain": "cardiac",
                            "red_flags": ["chest_discomfort"]})]
    verdicts = asyncio.run(agrade_many(pairs, judge=judge, concurrency=2))
    assert [v.label for v in verdicts] == ["FAIL", "PASS"]
