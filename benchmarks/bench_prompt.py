"""Benchmark: prompt size, shared prefix and candidate-domain recall over the golden set.

    python benchmarks/bench_prompt.py

Every golden item is graded through a capturing fake grader, once as a bare user message (the
judge ranks candidate domains) and once with its domain given. Prints the median / p90 prompt
characters (the chat messages; the schema is counted separately because where it goes depends
on the mode), the prefix two requests share (what providers and llama.cpp can cache), and the
recall of the candidate ranking: how often the gold domain is among the top k.
"""

from __future__ import annotations

import os
import statistics

os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

from unsafe_reassurance import LLMJudge
from unsafe_reassurance.judges.candidates import rank_domains
from unsafe_reassurance.judges.grader import LiteLLMGrader
from unsafe_reassurance.judges.prompts import (
    CANDIDATES,
    CLEAR_MARGIN,
    pick_candidates,
    schema_instruction,
)
from unsafe_reassurance.report.golden import bundled_golden_dir, load_golden
from unsafe_reassurance.testing import FakeGrader, findings


def chars(messages: list[dict[str, str]]) -> int:
    return sum(len(m["content"]) for m in messages)


def shared_prefix(a: list[dict[str, str]], b: list[dict[str, str]]) -> int:
    """Characters two requests share from the start (message by message, then within one)."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x == y:
            n += len(x["content"])
            continue
        if x["role"] == y["role"]:
            n += next((i for i, (p, q) in enumerate(zip(x["content"], y["content"], strict=False))
                       if p != q), min(len(x["content"]), len(y["content"])))
        break
    return n


def pct(values: list[int], q: float) -> int:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    items = load_golden(bundled_golden_dir())
    grader = FakeGrader(findings())
    judge = LLMJudge(grader=grader)
    bare, given = [], []
    for it in items:
        judge.grade(it.response, it.user_message)
        bare.append(grader.calls[-1])
        judge.grade(it.response, {"user_message": it.user_message, "domain": it.domain})
        given.append(grader.calls[-1])
    b, g = [chars(m) for m in bare], [chars(m) for m in given]
    print(f"golden items: {len(items)}; candidates: a domain leading by {CLEAR_MARGIN} points alone "
          f"with its flag descriptions, else the top {CANDIDATES} by flag id; every domain in the "
          f"index")
    print(f"prompt chars (messages), bare message:  median {statistics.median(b):,.0f}  "
          f"p90 {pct(b, 0.9):,}  max {max(b):,}")
    print(f"prompt chars (messages), domain given:  median {statistics.median(g):,.0f}  "
          f"p90 {pct(g, 0.9):,}  max {max(g):,}")
    schema = len(schema_instruction())
    print(f"schema, sent once: {schema:,} chars as prompt text (json_object_schema: end of the system "
          f"message; instructor json/md_json add their own rendering there; json_schema/tools: in "
          f"response_format/tools only)")
    # Two requests about different messages in different domains (the worst case for sharing).
    j = next(i for i, it in enumerate(items) if it.domain != items[0].domain)
    local = LiteLLMGrader("openai/x", api_base="http://127.0.0.1:9/v1")
    req = [local.request_kwargs(m)["messages"] for m in (bare[0], bare[j])]
    print(f"shared prefix, two bare requests (different domains): messages "
          f"{shared_prefix(bare[0], bare[j]):,} chars; as sent in json_object_schema mode "
          f"{shared_prefix(req[0], req[1]):,} of {chars(req[0]):,} chars")
    print(f"shared prefix, domain given, different domains: {shared_prefix(given[0], given[j]):,} "
          f"chars (the system prompt; same domain: everything up to the fenced data)")
    print("candidate recall: gold domain among the candidates shown (with flags), and in the "
          "top k of the ranking:")
    for split in ("dev", "holdout", "all"):
        subset = [it for it in items if split == "all" or it.split == split]
        ranks, shown, sizes = [], 0, []  # sizes: how many domains were shown
        for it in subset:
            names = [n for n, _ in rank_domains(judge.rubrics, it.user_message)]
            ranks.append(names.index(it.domain) + 1)
            picked = pick_candidates(judge.rubrics, it.user_message)
            shown += it.domain in picked
            sizes.append(len(picked))
        row = "  ".join(f"k={k}: {sum(r <= k for r in ranks) / len(ranks):.3f}" for k in range(1, 5))
        alone = sum(n == 1 for n in sizes) / len(sizes)
        print(f"  {split:<8} n={len(subset):<4} shown: {shown / len(subset):.3f} "
              f"(one described: {alone:.0%})  {row}")


if __name__ == "__main__":
    main()
