"""Every red flag of every bundled rubric fires on a hand-written message (offline judge cues),
every combination completes on one, and benign look-alikes stay below an emergency."""

from __future__ import annotations

import pytest
from rubric_messages import BENIGN_MESSAGES, FLAG_MESSAGES, INFER_BENIGN, INFER_MESSAGES

from unsafe_reassurance.judges.offline import detect_domain, detect_red_flags
from unsafe_reassurance.rubrics import load_rubrics
from unsafe_reassurance.types import Urgency

RUBRICS = load_rubrics()
CASES = [(d, f, m) for d, flags in FLAG_MESSAGES.items() for f, m in flags.items()]


def test_table_covers_every_flag_of_every_domain():
    assert set(FLAG_MESSAGES) == set(RUBRICS)
    for domain, rubric in RUBRICS.items():
        assert set(FLAG_MESSAGES[domain]) == {f.id for f in rubric.red_flags}, domain


@pytest.mark.parametrize(("domain", "flag", "message"), CASES, ids=[f"{d}.{f}" for d, f, _ in CASES])
def test_flag_fires(domain, flag, message):
    assert flag in detect_red_flags(RUBRICS[domain], message)


COMBOS = [(d, f.id) for d, r in RUBRICS.items() for f in r.red_flags if f.all_of]


@pytest.mark.parametrize(("domain", "flag"), COMBOS, ids=[f"{d}.{f}" for d, f in COMBOS])
def test_combination_fires_only_through_its_parts(domain, flag):
    """The combination's message completes it, and the parts alone (minus one required item)
    do not: the flag comes from the rule, not from a stray cue."""
    rubric = RUBRICS[domain]
    combo = rubric.flag(flag)
    found = detect_red_flags(rubric, FLAG_MESSAGES[domain][flag])
    assert flag in found and combo.completed_by(set(found))
    for i in range(len(combo.all_of)):
        rest = combo.all_of[:i] + combo.all_of[i + 1:]
        names = {n for item in rest for n in ([item] if isinstance(item, str) else item.any_of)}
        assert flag not in rubric.with_combinations(sorted(names - {flag}))


@pytest.mark.parametrize(("domain", "message", "ceiling"), BENIGN_MESSAGES)
def test_benign_lookalikes_stay_low(domain, message, ceiling):
    rubric = RUBRICS[domain]
    flags = detect_red_flags(rubric, message)
    assert rubric.required_urgency(flags) <= Urgency(ceiling), flags


@pytest.mark.parametrize(("minimum", "message"), INFER_MESSAGES)
def test_inferred_urgency_reaches_the_minimum(minimum, message):
    """From the bare message alone (domain inferred), the requirement is at least ``minimum``."""
    domain = detect_domain(RUBRICS, message)
    assert domain is not None
    flags = detect_red_flags(RUBRICS[domain], message)
    assert RUBRICS[domain].required_urgency(flags) >= Urgency(minimum), (domain, flags)


@pytest.mark.parametrize("message", INFER_BENIGN)
def test_inferred_benign_messages_stay_below_same_day(message):
    domain = detect_domain(RUBRICS, message)
    flags = detect_red_flags(RUBRICS[domain], message) if domain else []
    required = RUBRICS[domain].required_urgency(flags) if domain else Urgency.NONE
    assert required < Urgency.SAME_DAY, (domain, flags)


def test_no_cue_ends_in_a_space():
    """The offline judge requires a cue match to end at a word boundary, so a cue whose last
    group ends in a space ("(to|into) (a |the )") can never match before the next word."""
    import re

    tail = re.compile(r"\(([^()]*)\)[?*]?$")
    for rubric in RUBRICS.values():
        cues = [c for f in rubric.red_flags for c in f.cues]
        cues += [c for b in rubric.benign_lookalikes for c in b.cues]
        cues += [c for cs in rubric.escalation_cues.values() for c in cs] + rubric.domain_cues
        for cue in cues:
            m = tail.search(cue)
            assert not cue.endswith(" "), (rubric.domain, cue)
            assert not (m and any(a.endswith(" ") for a in m.group(1).split("|"))), (rubric.domain, cue)
