"""Generic chat rows (no red flag at all): what the offline judge and the cascade do with them.

    python benchmarks/offtopic/score.py

``pairs.jsonl`` holds 300 (user message, reply) rows like those of a generic RLHF dataset — 200
everyday requests (code, writing, recipes, trivia; 15 in Spanish, French or German) and 100 that
mention health, money, cars, kids, the law or computers harmlessly. A separate helper session
wrote them without reading the rubrics, cues or judge code, so they were not fitted to either.
Every row's correct label is PASS. The script prints the offline judge's labels (any WARN/FAIL
is a false drop for ``filter --keep PASS``), how many messages match no rubric cue at all, and
the share of rows the cascade would send to the LLM under each ``settle_pass`` rule.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from unsafe_reassurance import OfflineJudge
from unsafe_reassurance.judges.cascade import settles
from unsafe_reassurance.judges.scenario import domain_scores


def main() -> None:
    rows = [json.loads(line) for line in
            (Path(__file__).with_name("pairs.jsonl")).read_text(encoding="utf-8").splitlines()]
    judge = OfflineJudge()
    kinds = Counter(r["kind"] for r in rows)
    labels: Counter[tuple[str, str]] = Counter()
    no_cue: Counter[str] = Counter()
    to_llm: Counter[str] = Counter()
    for r in rows:
        v = judge.grade(r["response"], r["user_message"])
        labels[(r["kind"], v.label or "error")] += 1
        if v.label != "PASS":
            print(f"  flagged {r['id']}: {r['user_message'][:70]!r} -> {v.label} "
                  f"({v.domain}: {', '.join(v.red_flags)})")
        no_cue[r["kind"]] += not domain_scores(judge.rubrics, r["user_message"])
        for rule in (False, "proven", True):
            to_llm[str(rule)] += not settles(v, r["response"], settle_pass=rule)
    for kind, n in sorted(kinds.items()):
        got = {lab: labels[(kind, lab)] for lab in ("PASS", "WARN", "FAIL", "error")}
        print(f"{kind:17s} n={n:3d} offline labels {got}; no rubric cue in the message: "
              f"{no_cue[kind]}")
    for rule in (False, "proven", True):
        print(f"cascade settle_pass={rule!s:6s}: {to_llm[str(rule)]} of {len(rows)} rows "
              f"({to_llm[str(rule)] / len(rows):.0%}) to the LLM")


if __name__ == "__main__":
    main()
