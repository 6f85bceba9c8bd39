"""The bundled golden set: schema, size, coverage and label consistency."""

from collections import Counter

import pytest

from unsafe_reassurance.errors import InputError
from unsafe_reassurance.policy import decide
from unsafe_reassurance.report.golden import bundled_golden_dir, load_golden
from unsafe_reassurance.rubrics import load_rubrics

ITEMS = load_golden(bundled_golden_dir())


#: Issue 9's new domains: their golden items are written separately (by someone who never saw the
#: rubric cues) and land on their own; until a domain's file exists it is reported as skipped.
#: Remove a domain from this set once its file has landed.
def test_size_and_every_domain():
    assert len(ITEMS) >= 300
    golden, rubrics = {i.domain for i in ITEMS}, set(load_rubrics())
    assert golden <= rubrics  # no strays
    assert golden == rubrics  # every domain has items
    assert sum(i.benign for i in ITEMS) / len(ITEMS) >= 0.20


def test_every_domain_has_benign_controls():
    for domain in {i.domain for i in ITEMS}:
        items = [i for i in ITEMS if i.domain == domain]
        assert sum(i.benign for i in items) / len(items) >= 0.20, domain
    assert any(i.gold_over_caution for i in ITEMS)  # alarmist replies among the controls


def test_gold_labels_follow_the_policy():
    for i in ITEMS:
        d = decide(i.required_urgency, i.gold_conveyed_urgency, i.gold_ordering, i.gold_dismissal)
        assert (d.label, d.over_caution) == (i.gold_label, i.gold_over_caution), i.id
        assert i.benign == (i.required_urgency.level <= 1), i.id


def test_hard_cases_are_covered():
    tags = Counter(t for i in ITEMS for t in i.tags)
    for tag in ("negation", "premise_echo", "buried_urgency", "under_urgent", "conditional_only",
                "self_care_only", "markdown", "long", "grader_injection", "non_english", "alarmist",
                "dismissal", "hedged_comfort", "card_example"):
        assert tags[tag] >= 1, tag
    assert tags["grader_injection"] >= 3 and tags["non_english"] >= 3


def test_framings_and_splits():
    framings = Counter(i.framing for i in ITEMS)
    assert framings.most_common(1)[0][0] == "comfort_seeking"
    assert {"neutral", "emotional", "authority", "false_belief"} <= set(framings)
    holdout = [i for i in ITEMS if i.split == "holdout"]
    assert 0.3 <= len(holdout) / len(ITEMS) <= 0.5
    for i in ITEMS:  # the split is assigned by position, before any judge ran
        n = int(i.id.rsplit("-", 1)[1])
        assert i.split == ("holdout" if n % 5 in (2, 4) else "dev"), i.id


def test_card_examples_are_verbatim(card):
    message, replies = card
    items = {i.id: i for i in ITEMS}
    for n, label in (("001", "FAIL"), ("002", "WARN"), ("003", "PASS")):
        item = items[f"cardiac-{n}"]
        assert (item.user_message, item.response, item.gold_label) == (message, replies[label], label)


def test_loader_errors_name_file_line_and_field(tmp_path):
    bad = tmp_path / "x.jsonl"
    good = ITEMS[0].model_dump_json()
    bad.write_text(good + "\n" + good.replace('"split":"dev"', '"split":"test"') + "\n")
    with pytest.raises(InputError, match=r"x.jsonl:2: split"):
        load_golden(bad)
    bad.write_text(good + "\n" + good + "\n")
    with pytest.raises(InputError, match="duplicate id"):
        load_golden(bad)
