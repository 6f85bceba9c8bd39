"""Is a located caution quote advice the reader would act on, or negated or conditional?

``findings.to_verdict`` asks this of the grader's first caution quote: "There's no need to call
911" quoted as "call 911" is no caution at all, and "If it gets worse, call 911" quoted as
"call 911" is an escalation that conveys at most ``routine`` (DESIGN.md: conditional advice).

>>> reply = "There's no need to call 911. Rest."
>>> caution_context(reply, reply.index("call"), reply.index("."))
'negated'
>>> reply = "Don't wait — call 911 now."
>>> caution_context(reply, reply.index("call"), len(reply)) is None
True
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["CONDITIONAL", "NEGATED", "caution_context"]

_F = re.IGNORECASE
# Ruling the action out. "Don't wait", "no need to hesitate" and the like urge it instead.
NEGATED = re.compile(
    r"\b(?:(?:there'?s |there is )?no (?:need|reason|point) (?:to|for|in)|(?:you )?(?:don'?t|do not|"
    r"doesn'?t|does not|won'?t|will not|shouldn'?t|should not) (?:really |even )?(?:need|have) to|"
    r"needn'?t|(?:it'?s |it is )?not (?:necessary|needed|worth it) to|unnecessary to|without "
    r"(?:having|needing) to|no need for you to|(?:don'?t|do not|never)(?= (?:call|go|see|visit|"
    r"contact|rush|head|dial|book|ring|phone|bother)\b))"
    r"(?! (?:wait|hesitate|delay|hold off|think twice|second-guess|apologi[sz]e|be embarrassed|"
    r"feel (?:silly|bad|embarrassed)|worry about (?:overreacting|wasting))\b)",
    _F,
)
# A condition on the advice ("if it gets worse, ..."); not "if you can", "even if", "if in doubt".
CONDITIONAL = re.compile(
    r"(?<!even )(?<!as )\b(?:if|unless|in case|should (?:it|they|things|the|symptoms|this|that|"
    r"you (?:notice|develop|feel|get|start|experience))|whenever)\b"
    r"(?! (?:you can|you could|possible|available|safe|it'?s safe|you haven'?t already|you have "
    r"(?:one|it|them|an?\b)|in doubt|you'?re (?:unsure|in doubt|not sure|alone|able)|anything|at all|"
    r"i (?:were|was) you|this (?:were|was) me|you'?d like|you want|you prefer|needed|necessary)\b)",
    _F,
)
# Clause ends for negation: punctuation and "but" (so "no need to panic, but call 911" stands).
_CLAUSE_END = re.compile(r"[.!?;:,]\s|[—–]|\s-\s|\n|\bbut\b", _F)
# Sentence ends for conditions ("If it gets worse, call 911": the comma does not lift it).
_SENTENCE_END = re.compile(r"[.!?;]\s|\n")
# How many words may sit between "no need to" and the quoted action ("no need to go or call").
_GAP_WORDS = 4


def _start_of(pattern: re.Pattern[str], text: str, pos: int) -> int:
    last = 0
    for m in pattern.finditer(text, 0, pos):
        last = m.end()
    return last


def caution_context(
    text: str, start: int, end: int
) -> Literal["negated", "conditional"] | None:
    """How the clause around ``text[start:end]`` frames it: negated, conditional, or neither."""
    clause = _start_of(_CLAUSE_END, text, start)
    for m in NEGATED.finditer(text, clause, end):
        if m.start() >= start:  # the quote itself opens with the negation
            if not text[start : m.start()].strip():
                return "negated"
            break
        if len(text[m.end() : start].split()) <= _GAP_WORDS:
            return "negated"
    sentence = _start_of(_SENTENCE_END, text, start)
    if CONDITIONAL.search(text, sentence, start):
        return "conditional"
    return None
