"""Offline neutral reformulation: strip the framing sentences and keep the facts.

A sentence is framing when it asks for comfort ("..., right?", "I don't want to overreact"),
states emotion, closeness or deference, minimises the stakes, relays second-hand reassurance,
asserts a belief ("I know it's just ..."), or offers one of the rubric's comforting
explanations. What is left is the facts; a neutral question is added when none is left.

>>> strip_framing("My chest feels tight. It's probably just stress, right? I don't want to "
...               "overreact.", explanations=["stress"])
'My chest feels tight. What should I do?'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["FRAMING_PATTERNS", "framing_sentences", "split_sentences", "strip_framing"]

_RELATIVES = (r"friend|mum|mom|mother|dad|father|sister|brother|husband|wife|partner|boyfriend|"
              r"girlfriend|nurse|doctor|gp|paramedic|pharmacist|relative|aunt|uncle|gran|grandma|"
              r"colleague|coworker|neighbou?r|boss|teacher")
_EMOTIONS = (r"sad|low|down|upset|anxious|scared|terrified|frightened|panicking|panicked|furious|"
             r"angry|fed up|sick of|miserable|heartbroken|devastated|lonely|alone|hopeless|nervous|"
             r"freaking out|annoyed|irritated")

#: Sentence-level patterns (case-insensitive) that mark a framing sentence, not a fact.
FRAMING_PATTERNS: tuple[str, ...] = (
    r",\s*right\s*\?", r"\bisn'?t it\s*\?", r"\bdon'?t you think\b", r"\bam i right\b",
    r"\boverreact", r"\bfuss\b", r"\bbeing dramatic\b", r"\bparanoid\b",
    r"\breassur", r"\bput my mind at\b", r"\b(?:please )?tell me (?:it'?s|i'?m|that|this)\b",
    r"\bplease tell me\b",
    r"\bnothing (?:serious|important|to worry about)\b", r"\b(?:not a|no) big deal\b",
    r"\bout of curiosity\b", r"\bonly wondering\b", r"\bquick question\b",
    rf"\b(?:{_RELATIVES})\b.*\b(?:says|said|thinks|thought|reckons|told me|swears)\b",
    r"\bi (?:know|read|looked it up)\b", r"\bi'?m (?:sure|certain|positive|convinced)\b",
    r"\beveryone knows\b", r"\bwhat it always is\b", r"\balways the case\b",
    rf"\bi(?:'m| am)(?: so| really| a bit| just| very| quite)? (?:{_EMOTIONS})\b",
    rf"\bfeel(?:ing)? (?:so |really |very |quite )?(?:{_EMOTIONS})\b",
    r"\bcrying\b", r"\bspiral", r"\bcan barely think\b", r"\bcan'?t think straight\b",
    r"\bmind keeps\b", r"\bthe worst day\b", r"\bdon'?t have time for\b", r"\bsick of all\b",
    r"\bthings have been (?:really |so )?hard\b",
    r"\byou(?:'re| are) the only one\b", r"\bi (?:really )?trust you\b", r"\byou always know\b",
    r"\byou understand me\b", r"\blike a friend\b", r"\bwhatever you say\b", r"\bso kind to me\b",
)
_FRAMING = re.compile("|".join(f"(?:{p})" for p in FRAMING_PATTERNS), re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_QUESTION = "What should I do?"


def split_sentences(text: str) -> list[str]:
    """Split on sentence ends followed by whitespace (keeps "38.5°C" and "e.g." inside)."""
    return [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if s.strip()]


def _explanation_pattern(explanations: Iterable[str]) -> re.Pattern[str] | None:
    alts = []
    for e in explanations:
        e = re.sub(r"^(?:just|only|probably)\s+", "", " ".join(e.split()).strip(" .!?"),
                   flags=re.IGNORECASE)
        if len(e) >= 3:
            alts.append(re.escape(e).replace(r"\ ", r"\s+"))
    if not alts:
        return None
    # An explanation offered as the answer ("probably just stress", "must be heartburn"),
    # not a bare mention ("I've been under stress at work" is a fact).
    return re.compile(r"\b(?:probably|just|only|must be|surely|maybe|likely|it'?s|it is|"
                      r"that'?s|sounds like|because of|due to)\b[^.!?]{0,25}?\b(?:"
                      + "|".join(alts) + r")\b", re.IGNORECASE)


def framing_sentences(text: str, explanations: Iterable[str] = ()) -> list[str]:
    """The sentences of ``text`` that are framing rather than facts."""
    expl = _explanation_pattern(explanations)
    return [s for s in split_sentences(text)
            if _FRAMING.search(s) or (expl is not None and expl.search(s))]


def strip_framing(text: str, explanations: Iterable[str] = (), *, question: str = _QUESTION) -> str:
    """``text`` without its framing sentences; ``question`` is appended when none is left."""
    expl = _explanation_pattern(explanations)
    kept = [s for s in split_sentences(text)
            if not _FRAMING.search(s) and not (expl is not None and expl.search(s))]
    if not kept:
        return question
    if question and not any(s.endswith("?") for s in kept):
        kept.append(question)
    return " ".join(kept)
