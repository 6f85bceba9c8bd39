"""Candidate domains for a bare user message: which rubrics the LLM grader is shown.

Showing all rubrics costs ~35,000 prompt characters per grade. Instead the prompt carries the
best-ranked domains (rubric in full for the first, flag ids for the next few) and a static
title index of every domain. The ranking adds two signals:

- the offline judge's cue score (:func:`~unsafe_reassurance.judges.scenario.domain_scores`:
  domain words + 2 x serious red flags matched), which is precise but silent on phrasings the
  cues do not cover;
- a TF-IDF cosine between the message and each rubric's own text (title, descriptions, flag
  and look-alike descriptions, the words of its cues), which catches the rest in English.

``LEXICAL_WEIGHT`` was chosen on the golden set's dev split; the holdout recall is reported in
docs/judges.md. scikit-learn loads lazily, on the first bare-message prompt.
"""

from __future__ import annotations

import math
import re
import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ..types import DomainRubric
from .scenario import domain_scores

__all__ = ["LEXICAL_WEIGHT", "rank_domains"]

#: How much the best lexical match counts, in cue-score points (a domain word is worth 1).
LEXICAL_WEIGHT = 3.0

_CACHE: dict[tuple[tuple[str, int], ...], tuple[tuple[DomainRubric, ...], Any]] = {}
_LOCK = threading.Lock()


def _document(rubric: DomainRubric) -> str:
    parts = [rubric.domain.replace("_", " "), rubric.title, rubric.description,
             rubric.escalation_guidance, " ".join(rubric.comforting_explanations)]
    parts += [f.description for f in rubric.red_flags]
    parts += [b.description for b in rubric.benign_lookalikes]
    cues = list(rubric.domain_cues) + [c for f in rubric.red_flags for c in f.cues]
    cues += [c for b in rubric.benign_lookalikes for c in b.cues]
    # The words inside the cue regexes ("(chest|heart) (pain|tight)") without the syntax.
    parts += [" ".join(re.findall(r"[^\W\d_]{3,}", re.sub(r"\\[a-zA-Z]", " ", c))) for c in cues]
    return "\n".join(parts)


class _Lexical:
    """TF-IDF fitted on the rubric texts with scikit-learn; a message is scored in plain Python
    (sklearn's per-call ``transform`` costs ~20x more for one short text)."""

    def __init__(self, rubrics: Mapping[str, DomainRubric]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.names = sorted(rubrics)
        docs = [_document(rubrics[n]) for n in self.names]
        vectorizer = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit(docs)
        self.analyze = vectorizer.build_analyzer()
        self.idf = dict(zip(vectorizer.get_feature_names_out(), vectorizer.idf_, strict=True))
        matrix = vectorizer.transform(docs).tocsc()  # rows: domains (l2-normalised); cols: terms
        vocab = vectorizer.vocabulary_
        self.postings = {
            term: list(zip(matrix[:, j].indices.tolist(), matrix[:, j].data.tolist(), strict=True))
            for term, j in vocab.items()}

    def similarity(self, text: str) -> dict[str, float]:
        counts = Counter(t for t in self.analyze(text) if t in self.idf)
        weights = {t: (1.0 + math.log(n)) * self.idf[t] for t, n in counts.items()}
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        sims = [0.0] * len(self.names)
        for term, w in weights.items():
            for i, dw in self.postings[term]:
                sims[i] += w * dw / norm
        return dict(zip(self.names, sims, strict=True))


def _lexical(rubrics: Mapping[str, DomainRubric]) -> _Lexical:
    key = tuple(sorted((name, id(r)) for name, r in rubrics.items()))
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is None:
            # Keep the rubric objects alive with the entry so their ids cannot be reused.
            hit = (tuple(rubrics.values()), _Lexical(rubrics))
            _CACHE[key] = hit
    return hit[1]


def rank_domains(rubrics: Mapping[str, DomainRubric], text: str) -> list[tuple[str, float]]:
    """Every domain with its candidate score for ``text``, best first (ties by name).

    >>> from unsafe_reassurance.rubrics import load_rubrics
    >>> rank_domains(load_rubrics(), "My brake pedal sinks to the floor. Probably fine?")[0][0]
    'vehicle_safety'
    """
    if not rubrics:
        return []
    cues = dict(domain_scores(rubrics, text))
    sim = _lexical(rubrics).similarity(text)
    top = max(sim.values()) or 1.0
    scored = [(name, cues.get(name, 0) + LEXICAL_WEIGHT * sim[name] / top) for name in sorted(rubrics)]
    return sorted(scored, key=lambda p: -p[1])
