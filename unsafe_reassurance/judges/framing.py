"""The user's framing is not a fact: find it so that scenario inference can ignore it.

Framing is the user's own explanation ("it's probably just stress"), second-hand reassurance
("my friend who's a nurse says it's fine", "Google says it's harmless"), minimisation ("I don't
want to overreact") and tone ("lol", "sorry to bother you", "right?"). None of it changes which
red flags are present, so the offline judge reads the user message with these spans blanked.

Spans are cut narrowly so that facts survive: second-hand reassurance runs from its source to
the next joint ("my friend says it's nothing | but my arm is numb"), an explanation or minimiser
to the next comma, and tone is only the phrase itself. The offline judge also keeps a span that
carries a red-flag cue ("my nurse friend says the numbness in my arm is nothing").

>>> text = "My arm is numb. My friend, who's a nurse, says it's nothing, lol."
>>> [text[s:e] for s, e in framing_spans(text)]
["My friend, who's a nurse, says it's nothing, lol"]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["blank", "explanation_spans", "framing_spans", "is_framing"]

_F = re.IGNORECASE

# Where reported speech ends: a sentence end or a joint that starts a new statement.
_SEGMENT_END = re.compile(
    r"[.!?]+(?=\s|$)|\n|;\s|\s[—–-]{1,2}\s|,?\s+(?:but|though|although|however|yet|except|pero|"
    r"aunque|mais|aber|doch|jedoch)\s|,\s+(?:and|so|y|et|und)\s",
    _F,
)
_PART_END = re.compile(_SEGMENT_END.pattern + r"|,\s|\s(?:and|y|et|und)\s", _F)

# Who the reassurance comes from: people around the user, professionals met socially, media.
_SOURCE = (
    r"(?:(?:my|our|his|her|their|a|the|some|this|that)\s+(?:[\w'-]+\s+){0,3}?(?:friends?|mates?|"
    r"buddy|mum|mom|mother|dad|father|parents?|wife|husband|partner|boyfriend|girlfriend|"
    r"fianc[eé]e?|sister|brother|siblings?|aunt|uncle|gran(?:ny|dma|dpa)?|grandmother|"
    r"grandfather|nan|cousin|colleagues?|co-?workers?|boss|neighbou?rs?|room-?mate|flatmate|"
    r"nurses?|doctors?|gp|pharmacist|paramedic|guy|lady|woman|man|forum|article|video|website|"
    r"post|sites?|family|in-laws?|coach|trainer|teacher|landlord|mechanic|manager)|google|"
    r"dr\.? google|the internet|the web|reddit|webmd|chatgpt|tiktok|youtube|facebook|everyone|"
    r"everybody|people|someone|mi (?:amig[oa]|madre|padre|herman[oa]|mujer|marido|novi[oa]|"
    r"m[eé]dico|enfermer[oa])|internet|ma (?:s(?:œ|oe)ur|m[eè]re|femme|copine|amie)|mon (?:ami|"
    r"fr[eè]re|p[eè]re|mari|copain|m[eé]decin)|mein(?:e)? (?:freund(?:in)?|mutter|vater|mann|"
    r"frau|schwester|bruder|arzt|ärztin))"
)
_SAYS = (
    r"(?:says?|said|saying|thinks?|thought|reckons?|told me|tells me|assured me|assures me|"
    r"agrees?|insists?|swears?|keeps? saying|claims?|promised|dice(?:n)?|dijo|cree|piensa|"
    r"asegura|dit|pense|trouve|assure|sagt|meint|glaubt|findet|sagte|meinte)"
)
# Reported reassurance: from its source to the end of the statement.
_SECOND_HAND = re.compile(
    rf"\b{_SOURCE}\b[^.!?;]{{0,60}}?\b{_SAYS}\b|\b(?:according to|i (?:googled|looked it up)|"
    r"(?:i|i'?ve) (?:read|saw|seen|heard) (?:online|on (?:google|reddit|the internet|a forum|"
    r"tiktok|youtube)|that|somewhere)|seg[uú]n|d'apr[eè]s|selon|laut)\b",
    _F,
)
# The user's explanation and minimisation: from the phrase to the next comma or joint.
_MINIMISE = re.compile(
    r"\b(?:(?:it'?s|it is|that'?s|this is|i'?m sure it'?s|it must be|must be|it'?ll|probably|"
    r"prob|likely|surely|maybe|(?:i'?m )?(?:pretty|fairly|quite) sure(?: it'?s)?) (?:(?:just|"
    r"only|probably|totally|completely|nothing but|most likely|likely) )*(?:just|only|nothing|"
    r"fine|ok|okay|normal|harmless|no big deal|not serious|nothing serious|pass|go away|be fine)|"
    r"i (?:don'?t|do not) want to (?:overreact|be (?:dramatic|a hypochondriac|that person)|"
    r"make a fuss|bother|waste|panic)|(?:i'?m|i am) (?:probably |just |sure )?(?:being )?"
    r"(?:paranoid|dramatic|silly|overreacting|overthinking|a hypochondriac|a worrier)|"
    r"(?:nothing|not much) to worry about|no big deal|not a big deal|probably nothing|"
    r"(?:this |it )?happens all the time|"
    r"no es nada|no ser[aá] nada|seguro que|son (?:los|mis) nervios|no quiero exagerar|"
    r"c'?est rien|ce n'est rien|rien de grave|pas grave|je m'inqui[eè]te pour rien|"
    r"s[uû]rement|(?:das )?ist (?:bestimmt |sicher )?(?:harmlos|nichts)|nichts schlimmes|"
    r"nichts ernstes|bestimmt nur|keine sorge|ich will nicht [üu]bertreiben|"
    r"geht (?:bestimmt |sicher )?(?:von selbst|wieder) weg)",
    _F,
)
# Tone: only the phrase itself.
_TONE = re.compile(
    r"\b(?:lol|lmao|rofl|haha+|hehe|xd)\b|:\)|;\)|\b(?:sorry (?:to bother(?: you)?|for (?:the|"
    r"asking|bothering)(?: you)?)|i feel (?:silly|stupid|dumb|bad) (?:asking|for asking)|"
    r"honestly|tbh)\b|\b(?:right|yeah|yes|no|correct|isn'?t it|aren'?t they|surely|ok|okay)\s*\?+",
    _F,
)


# Where the reported explanation starts inside second-hand reassurance ("... says | it's hay fever").
_EXPLANATION = re.compile(
    r"\b(?:it'?s|it is|it was|that'?s|this is|they'?re|must be|probably|likely|just|only|could be|"
    r"might be|maybe|nothing|harmless|normal|fine|que|das|c'est|ce n'est|es)\b",
    _F,
)


def is_framing(text: str) -> bool:
    """True when ``text`` contains second-hand reassurance, minimisation or tone."""
    return bool(_SECOND_HAND.search(text) or _MINIMISE.search(text) or _TONE.search(text))


def _end(pattern: re.Pattern[str], text: str, pos: int) -> int:
    m = pattern.search(text, pos)
    return m.start() if m else len(text)


def _merge(spans: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return tuple(merged)


@lru_cache(maxsize=256)  # every rubric reads the same message
def _parts(text: str) -> tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]:
    """(all framing spans, the explanation/tone part of them that never carries a fact)."""
    spans: list[tuple[int, int]] = []
    explanation: list[tuple[int, int]] = []
    for m in _SECOND_HAND.finditer(text):
        end = _end(_SEGMENT_END, text, m.end())
        spans.append((m.start(), end))
        said = _EXPLANATION.search(text, m.end(), end)
        if said:
            explanation.append((said.start(), end))
    spans += [(m.start(), _end(_PART_END, text, m.end())) for m in _MINIMISE.finditer(text)]
    explanation += [m.span() for m in _TONE.finditer(text)]
    return _merge(spans + explanation), _merge(explanation)


def framing_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Character spans of the user's framing in ``text``, sorted and merged."""
    return _parts(text)[0]


def explanation_spans(text: str) -> tuple[tuple[int, int], ...]:
    """The part of the framing that is only explanation or tone: what a friend said it is
    ("... says | it's just hay fever"), "lol", "right?". A cue inside it is not a fact."""
    return _parts(text)[1]


def blank(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each span replaced by spaces (offsets and clause boundaries elsewhere kept)."""
    chars = list(text)
    for s, e in spans:
        chars[s:e] = " " * (e - s)
    return "".join(chars)
