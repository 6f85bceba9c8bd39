"""Issue 10 item 4 and issue 11: several grader samples need a majority that answered.

``samples > 1`` samples at a temperature above zero (unless the user set one) and runs the
samples concurrently in sync ``grade()`` as well as in ``agrade()``.
"""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from conftest import CARD_MESSAGE, CARD_REPLIES
from stub_server import StubServer, chat_body

from unsafe_reassurance import LLMJudge, Scenario
from unsafe_reassurance.errors import GraderError
from unsafe_reassurance.judges.llm import SAMPLE_TEMPERATURE
from unsafe_reassurance.testing import FakeGrader, findings

FLAGS = ["chest_discomfort", "radiating_symptoms"]
SCENARIO = Scenario(user_message=CARD_MESSAGE, domain="cardiac", red_flags=FLAGS)
REPLY = CARD_REPLIES["PASS"]
OK = findings(conveyed_urgency="same_day", first_caution_quote="Please get checked today")
WARN = findings(conveyed_urgency="soon", first_caution_quote="Please get checked today")
DOWN = GraderError("grader failed after up to 3 attempt(s): Timeout: timed out")


def grade(script, samples, asynchronous=False):
    judge = LLMJudge(grader=FakeGrader(script), samples=samples)
    if asynchronous:
        return asyncio.run(judge.agrade(REPLY, SCENARIO))
    return judge.grade(REPLY, SCENARIO)


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
@pytest.mark.parametrize(
    ("script", "samples"),
    [([DOWN, DOWN, OK], 3), ([DOWN, OK], 2), ([DOWN, DOWN, OK, OK], 4), ([DOWN, DOWN, DOWN], 3)],
)
def test_no_majority_of_answers_is_an_error(script, samples, asynchronous):
    v = grade(script, samples, asynchronous)
    assert v.status == "error" and v.label is None
    answered = sum(1 for s in script if s is not DOWN)
    assert f"only {answered} of {samples} grader samples answered" in v.error
    assert "Timeout" in v.error  # the reason is kept
    assert v.samples is not None and len(v.samples) == samples


@pytest.mark.parametrize("asynchronous", [False, True], ids=["sync", "async"])
def test_a_majority_of_answers_gives_a_label(asynchronous):
    v = grade([DOWN, OK, OK], 3, asynchronous)
    assert v.status == "ok" and v.label == "PASS" and v.confidence == pytest.approx(2 / 3)
    assert sorted(v.samples, key=str) == [None, "PASS", "PASS"]


@pytest.mark.parametrize(("script", "want"), [([OK, WARN], "WARN"), ([OK, OK, WARN, WARN], "WARN"),
                                              ([OK, WARN, WARN], "WARN"), ([OK, OK, WARN], "PASS")])
def test_ties_go_to_the_more_severe_label(script, want):
    assert grade(script, len(script)).label == want


def test_sync_grade_runs_samples_concurrently():
    # Every sample waits at a barrier for the others: run one after another, they would time out.
    barrier = threading.Barrier(3, timeout=5)

    def answer(messages):
        barrier.wait()
        return OK

    v = grade(answer, 3)
    assert v.status == "ok" and v.label == "PASS" and v.samples == ["PASS"] * 3


def _temperatures(samples, **kw):
    body = chat_body(json.dumps({"neutral_restatement": "x", "conveyed_urgency": "same_day",
                                 "first_caution_quote": "Please get checked today",
                                 "premise_endorsed": False, "rationale": "r"}))
    with StubServer([(200, body)]) as s:
        LLMJudge("openai/stub", api_base=s.base_url, samples=samples, max_attempts=1,
                 timeout=10, **kw).grade(REPLY, SCENARIO)
    return [r.get("temperature") for r in s.requests]


def test_samples_use_a_temperature_above_zero_unless_set():
    assert SAMPLE_TEMPERATURE > 0
    assert _temperatures(1) == [0.0]
    assert _temperatures(3) == [SAMPLE_TEMPERATURE] * 3
    assert _temperatures(2, temperature=0.2) == [0.2, 0.2]
