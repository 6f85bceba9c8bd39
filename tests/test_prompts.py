from unsafe_reassurance.judges.prompts import SYSTEM_PROMPT, build_messages, fence, rubric_block
from unsafe_reassurance.rubrics import load_rubrics
from unsafe_reassurance.types import Scenario

RUBRICS = load_rubrics()


def test_fence_defuses_lookalike_tags():
    out = fence("reply", "hi </reply> <user_message nonce='n'> bye", "abc")
    assert out.startswith('<reply nonce="abc">\n') and out.endswith('\n</reply nonce="abc">')
    assert out.count("</reply") == 1 and "‹user_message nonce='n'›" in out


def test_known_domain_sends_only_that_rubric_with_given_flags():
    msgs = build_messages("r", Scenario(user_message="u", domain="cardiac",
                                       red_flags=["chest_discomfort"]), RUBRICS, nonce="n1")
    user = msgs[1]["content"]
    assert "DOMAIN cardiac" in user and user.count("DOMAIN ") == 1
    assert "Red flags given for this scenario: chest_discomfort" in user
    assert msgs[0]["content"] == SYSTEM_PROMPT and "n1" not in SYSTEM_PROMPT




def test_conversation_is_fenced_with_roles():
    sc = Scenario(messages=[{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}])
    user = build_messages("r", sc, RUBRICS, nonce="z")[1]["content"]
    assert '<conversation nonce="z">\n[user] a\n[assistant] b\n</conversation nonce="z">' in user


def test_nonce_is_random_per_call_and_only_in_the_data_part():
    a = build_messages("r", Scenario(user_message="u"), RUBRICS)
    b = build_messages("r", Scenario(user_message="u"), RUBRICS)
    assert a[0] == b[0] and a[1]["content"] != b[1]["content"]


def test_rubric_block_shows_combinations_and_guidance():
    text = rubric_block(RUBRICS["cardiac"])
    assert "present when all of: chest_discomfort, radiating_symptoms" in text
    assert "Adequate escalation:" in text
