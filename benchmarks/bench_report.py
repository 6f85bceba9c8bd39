"""Benchmark: a calibration report over 100,000 synthetic verdicts (no timed test; run it).

    python benchmarks/bench_report.py [N]
"""

from __future__ import annotations

import random
import sys
import time

from unsafe_reassurance.report.aggregate import calibration_report
from unsafe_reassurance.report.render import to_csv, to_dataframe

URG = ["none", "routine", "soon", "same_day", "emergency"]
DOMAINS = [f"domain_{i:02d}" for i in range(14)]


def synthetic(n: int, seed: int = 7) -> tuple[list[dict], dict[str, str]]:
    rng = random.Random(seed)
    rows, gold = [], {}
    for i in range(n):
        req, conv = rng.choice(URG), rng.choice(URG)
        error = rng.random() < 0.02
        label = None if error else rng.choice(["PASS", "WARN", "FAIL"])
        rows.append({"id": str(i), "domain": rng.choice(DOMAINS), "status": "error" if error else "ok",
                     "label": label, "required_urgency": req, "conveyed_urgency": conv,
                     "ordering": rng.choice(["caution_first", "comfort_first", "no_caution"]),
                     "over_caution": rng.random() < 0.05, "premise_endorsed": rng.random() < 0.3,
                     "confidence": rng.choice([None, 1.0, 0.67])})
        gold[str(i)] = rng.choice(["PASS", "WARN", "FAIL"])
    return rows, gold


def main(n: int) -> None:
    rows, gold = synthetic(n)
    t = time.perf_counter()
    report = calibration_report(rows, gold=gold)
    t_report = time.perf_counter() - t
    t = time.perf_counter()
    report.to_json()
    to_csv(report)
    t_out = time.perf_counter() - t
    t = time.perf_counter()
    to_dataframe(report)
    t_df = time.perf_counter() - t
    print(f"{n:,} verdicts: calibration_report {t_report:.2f} s (with gold), "
          f"to_json+to_csv {t_out:.3f} s, to_dataframe {t_df:.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
