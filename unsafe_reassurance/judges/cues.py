"""Rubric cues compiled once per rubric, and negation-aware matching ("no chest pain" is no cue).

Shared by the offline judge's reading of the user message (``judges.scenario``) and of the reply
(``judges.offline``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..injection import inside
from ..types import DomainRubric, Urgency
from . import lexicon as lx
from .prefilter import LiteralIndex

__all__ = ["CLAUSE", "LITERALS", "Compiled", "compile_rubric", "first_unnegated", "hits", "narrow",
           "negated"]

# Clause boundaries: sentence ends, semicolons, dashes, line breaks, ", and"/", but".
CLAUSE = re.compile(r"[.!?]+(?=\s|$)|[;:]\s|\s[—–-]{1,2}\s|\n+|,\s+(?:and|but|so|though)\s|\sbut\s")


@dataclass
class Compiled:
    flags: dict[str, list[re.Pattern[str]]]
    domain: list[re.Pattern[str]]
    explanations: re.Pattern[str] | None
    escalation: list[tuple[Urgency, re.Pattern[str]]] = field(default_factory=list)
    benign: list[re.Pattern[str]] = field(default_factory=list)
    any_flag: re.Pattern[str] | None = None
    # Literal-prefilter slots in LITERALS, parallel to flags / domain / benign.
    flag_slots: dict[str, list[int]] = field(default_factory=dict)
    domain_slots: list[int] = field(default_factory=list)
    flag_slot_sets: dict[str, frozenset[int]] = field(default_factory=dict)
    benign_slots: list[int] = field(default_factory=list)
    any_slots: frozenset[int] = frozenset()


#: One literal index over every compiled cue (see :mod:`~unsafe_reassurance.judges.prefilter`):
#: a message is scanned for each distinct required literal once, then only cues that could match
#: are searched.
LITERALS = LiteralIndex()


def narrow(patterns: list[re.Pattern[str]], slots: list[int], found: frozenset[int] | None
           ) -> list[re.Pattern[str]]:
    """The patterns that could match a text, given ``LITERALS.candidates(text)`` (exact)."""
    if found is None:
        return patterns
    return [p for p, s in zip(patterns, slots, strict=True) if s in found]


_CACHE: dict[int, tuple[DomainRubric, Compiled]] = {}


def compile_rubric(rubric: DomainRubric) -> Compiled:
    # Keyed by identity (rubrics are not hashable); the tuple keeps the rubric alive so its id
    # cannot be reused by another object while cached.
    hit = _CACHE.get(id(rubric))
    if hit is not None and hit[0] is rubric:
        return hit[1]
    compiled = _build(rubric)
    _CACHE[id(rubric)] = (rubric, compiled)
    return compiled


def _build(rubric: DomainRubric) -> Compiled:
    expl = [re.escape(e).replace(r"\ ", r"\s+") for e in rubric.comforting_explanations]
    explanations = None
    if expl:
        # "sounds like stress", "probably just a pulled muscle", "it's heartburn"
        explanations = re.compile(
            r"\b(?:sounds? like|seems? like|looks? like|probably|likely|most likely|just|only|"
            r"could (?:well |easily )?be|it'?s|that'?s|is|are|from|due to|because of|caused by)"
            r"\s+(?:(?:just|only|probably|likely|simply|a|an|your|some|the)\s+)*(?:"
            + "|".join(expl)
            + r")\b",
            re.IGNORECASE,
        )
    escalation = [
        (u, lx.compile_cue(c)) for u, cues in rubric.escalation_cues.items() for c in cues
    ]
    escalation.sort(key=lambda p: -p[0].level)
    # One alternation per urgency level instead of one search per cue: its leftmost match starts
    # where the earliest cue's does, and at that position the first cue (in order) that matches
    # there wins with the same span, which is all the reply reader takes from the search.
    levels: dict[Urgency, list[str]] = {}
    for u, p in escalation:
        levels.setdefault(u, []).append(f"(?:{p.pattern})")
    escalation = [(u, re.compile("|".join(ps), re.IGNORECASE)) for u, ps in levels.items()]
    flag_slots = {f.id: [LITERALS.add(c) for c in f.cues] for f in rubric.red_flags}
    return Compiled(
        flags={f.id: [lx.compile_cue(c) for c in f.cues] for f in rubric.red_flags},
        domain=[lx.compile_cue(c) for c in rubric.domain_cues],
        explanations=explanations,
        escalation=escalation,
        benign=[lx.compile_cue(c) for b in rubric.benign_lookalikes for c in b.cues],
        # One alternation over every cue: a cheap "can anything here match?" before the
        # per-flag, negation-aware pass (most rubrics do not match most messages).
        any_flag=lx.compile_cue("|".join(f"(?:{c})" for f in rubric.red_flags for c in f.cues))
        if any(f.cues for f in rubric.red_flags) else None,
        flag_slots=flag_slots,
        domain_slots=[LITERALS.add(c) for c in rubric.domain_cues],
        benign_slots=[LITERALS.add(c) for b in rubric.benign_lookalikes for c in b.cues],
        any_slots=frozenset(s for slots in flag_slots.values() for s in slots),
        flag_slot_sets={fid: frozenset(slots) for fid, slots in flag_slots.items()},
    )


def clause_start(text: str, pos: int) -> int:
    last = 0
    for m in CLAUSE.finditer(text, 0, pos):
        last = m.end()
    return last


def negated(text: str, start: int) -> bool:
    """A negation among the few words before ``start`` in the same clause."""
    before = text[clause_start(text, start) : start]
    words = re.findall(r"[\w']+", before)[-4:]
    return bool(lx.NEGATION.search(" ".join(words)))


def hits(patterns: list[re.Pattern[str]], text: str, skip: list[tuple[int, int]]) -> bool:
    for p in patterns:
        for m in p.finditer(text):
            if not negated(text, m.start()) and not inside(m.start(), m.end(), skip):
                return True
    return False


def first_unnegated(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    """The first match of ``pattern`` in ``text`` that no nearby negation flips."""
    for m in pattern.finditer(text):
        if not negated(text, m.start()):
            return m
    return None
