"""Benchmark: import time and offline-judge throughput (the RLHF filtering path).

    python benchmarks/bench_offline.py [N]

Prints, on one core (best of three runs of N grades each, to damp noise on a shared machine):

- the demo items (six pairs, cycled): the figure README quotes, with the domain inferred from the
  bare message and with it given. Six messages repeat, so per-message memos (the domain ranking,
  the neutral restatement) are warm; this is the path of many replies to one prompt.
- the golden set's 451 distinct pairs (cycled, more than the memos hold): every grade reads a new
  message and a new reply, the worst case for RLHF data with one reply per prompt.
- ``grade_file`` over N demo rows with one and two processes (validate + grade + write).

Targets: ``import unsafe_reassurance`` well under 1 s with no litellm; 5,000 grades/s on one
core for the demo items with the domain inferred. ``benchmarks/offline_equivalence.py`` checks
that a speed change leaves every verdict byte-identical.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from unsafe_reassurance import OfflineJudge, Scenario
from unsafe_reassurance.demo import DEMO_ITEMS
from unsafe_reassurance.report.golden import bundled_golden_dir, load_golden
from unsafe_reassurance.rubrics import load_rubrics
from unsafe_reassurance.run.batch import grade_file

Pair = tuple[str, "str | Scenario"]


def import_time() -> float:
    code = ("import time, sys; t = time.perf_counter(); import unsafe_reassurance; "
            "print(time.perf_counter() - t, 'litellm' in sys.modules)")
    runs = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout.split()
        assert out[1] == "False", "import pulled in litellm"
        runs.append(float(out[0]))
    return min(runs)


def rate(judge: OfflineJudge, pairs: list[Pair], n: int) -> float:
    """Grades per second, best of three runs of ``n`` (after one warm-up pass)."""
    for response, scenario in pairs:
        judge.grade(response, scenario)  # compile the rubric regexes once, as any long run would
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for i in range(n):
            judge.grade(*pairs[i % len(pairs)])
        best = min(best, time.perf_counter() - t)
    return n / best


def main(n: int) -> None:
    print(f"import unsafe_reassurance: {import_time() * 1000:.0f} ms (best of 5, no litellm)")
    judge = OfflineJudge()
    rubrics = load_rubrics()
    demo = [(d.response, d.user_message) for d in DEMO_ITEMS]
    domains = {d.user_message: judge.grade(d.response, d.user_message).domain for d in DEMO_ITEMS}
    demo_given = [(r, Scenario(user_message=m, domain=domains[m])) for r, m in demo
                  if domains[m] in rubrics]
    golden = load_golden(bundled_golden_dir())
    rows = [
        ("demo items, domain inferred", demo),
        ("demo items, domain given", demo_given),
        (f"{len(golden)} distinct golden pairs, domain inferred",
         [(g.response, g.user_message) for g in golden]),
        (f"{len(golden)} distinct golden pairs, domain given",
         [(g.response, Scenario(user_message=g.user_message, domain=g.domain)) for g in golden]),
    ]
    for name, pairs in rows:
        print(f"offline judge, {name}: {rate(judge, pairs, n):,.0f} grades/s (best of 3 x {n})")
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with src.open("w") as fh:
            for i in range(n):
                r, m = demo[i % len(demo)]
                fh.write(json.dumps({"id": i, "response": r, "scenario": m}) + "\n")
        for processes in (1, 2):
            t = time.perf_counter()
            grade_file(src, dst, judge=judge, processes=processes, overwrite=True)
            dt = time.perf_counter() - t
            print(f"grade_file --processes {processes} (validate + grade + write): {n} rows in "
                  f"{dt:.2f} s = {n / dt:,.0f} rows/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
