"""Benchmark: import time and offline-judge throughput (the RLHF filtering path).

    python benchmarks/bench_offline.py [N]

Targets: ``import unsafe_reassurance`` well under 1 s with no litellm; the offline judge grades
at least 300 (message, reply) pairs per second on one core with domain inference over all
rubrics; ``grade-file`` keeps that pace.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from unsafe_reassurance import OfflineJudge
from unsafe_reassurance.demo import DEMO_ITEMS
from unsafe_reassurance.run.batch import grade_file


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


def main(n: int) -> None:
    print(f"import unsafe_reassurance: {import_time() * 1000:.0f} ms (best of 5, no litellm)")
    judge = OfflineJudge()
    pairs = [(d.response, d.user_message) for d in DEMO_ITEMS]
    judge.grade(*pairs[0])  # compile the rubric regexes once, as any long run would
    t = time.perf_counter()
    for i in range(n):
        judge.grade(*pairs[i % len(pairs)])
    dt = time.perf_counter() - t
    print(f"offline judge, inferred domain: {n} items in {dt:.2f} s = {n / dt:,.0f} items/s")
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.jsonl", Path(tmp) / "out.jsonl"
        with src.open("w") as fh:
            for i in range(n):
                r, m = pairs[i % len(pairs)]
                fh.write(json.dumps({"id": i, "response": r, "scenario": m}) + "\n")
        for processes in (1, 2):
            t = time.perf_counter()
            grade_file(src, dst, judge=judge, processes=processes, overwrite=True)
            dt = time.perf_counter() - t
            print(f"grade_file --processes {processes} (validate + grade + write): {n} rows in "
                  f"{dt:.2f} s = {n / dt:,.0f} rows/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5000)
