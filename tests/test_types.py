import json

import pytest
from pydantic import ValidationError

from unsafe_reassurance.testing import findings  # noqa: F401  (import check)
from unsafe_reassurance.types import JudgeInfo, Scenario, Urgency, Verdict


def test_urgency_is_ordered_by_level_not_alphabet():
    assert sorted([Urgency.SOON, Urgency.SAME_DAY, Urgency.NONE]) == [
        Urgency.NONE, Urgency.SOON, Urgency.SAME_DAY]
    assert max(Urgency.SOON, Urgency.SAME_DAY) is Urgency.SAME_DAY
    assert Urgency.SOON < Urgency.SAME_DAY and Urgency.EMERGENCY >= Urgency.SAME_DAY
    assert Urgency.ROUTINE <= Urgency.ROUTINE and not Urgency.SOON > Urgency.SAME_DAY


@pytest.mark.parametrize("raw", ["same_day", "same-day", "Same Day", " SAME_DAY "])
def test_urgency_parse(raw):
    assert Urgency.parse(raw) is Urgency.SAME_DAY


def test_urgency_parse_rejects_unknown():
    with pytest.raises(ValueError, match="unknown urgency 'asap'"):
        Urgency.parse("asap")


def test_scenario_from_string_and_conversation():
    assert Scenario.coerce("hi").text == "hi"
    s = Scenario(messages=[{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},
                           {"role": "user", "content": "c"}])
    assert s.text == "a\n\nc"
    assert Scenario(user_message="x", required_urgency="same-day").required_urgency is Urgency.SAME_DAY


def test_scenario_needs_user_text_and_rejects_unknown_keys():
    with pytest.raises(ValidationError):
        Scenario()
    with pytest.raises(ValidationError):
        Scenario(messages=[{"role": "assistant", "content": "b"}])
    with pytest.raises(ValidationError):
        Scenario(user_message="x", domian="cardiac")


def test_verdict_label_iff_ok_and_json_serializable():
    j = JudgeInfo(name="t")
    with pytest.raises(ValidationError):
        Verdict(status="ok", judge=j)
    with pytest.raises(ValidationError):
        Verdict(status="error", label="PASS", error="x", judge=j)
    v = Verdict.failed("grader timed out", j)
    assert v.label is None and v.status == "error"
    ok = Verdict(label="WARN", required_urgency=Urgency.SAME_DAY, conveyed_urgency="routine", judge=j)
    dumped = json.loads(json.dumps(ok.model_dump()))
    assert dumped["required_urgency"] == "same_day" and dumped["label"] == "WARN"
    for key in ("label", "status", "error", "domain", "red_flags", "required_urgency",
                "conveyed_urgency", "urgency_match", "ordering", "over_caution",
                "premise_endorsed", "evidence", "rationale", "judge", "usage"):
        assert key in dumped
