"""Benchmark: grade-file concurrency against a loopback grader with fixed latency.

    python benchmarks/bench_batch.py [--rows 1000] [--latency 0.2] [--concurrency 32]

The grader (``tests/loopback_grader.py``) runs in its own process on 127.0.0.1, so its CPU does
not compete with the client's event loop. Four runs, each printing achieved/ideal where
ideal = concurrency / latency requests per second:

1. the sliding window alone, with a judge that only sleeps ``latency`` (the scheduler's ceiling);
2. ``grade_file`` with the real LLM judge from Python (an ``openai/<name>`` model at
   ``api_base``: the OpenAI SDK transport, judges/openai_compat.py);
3. the ``grade-file`` CLI in a subprocess (start-up subtracted: the grader's own clock, from the
   first request to the last response), with its peak memory;
4. the same with ``--processes 2`` (two event loops on two cores).

5. Then the CLI again against a grader that answers 30% of requests with a 429, a
500 or garbage: every row must be written exactly once, as a label or an error verdict.

Then memory flatness: peak RSS of validating 20k vs 200k rows (the id check is on disk).
Target (issue 11): run 3 reaches >= 0.90 of ideal at C=32, 200 ms, 1,000 rows.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from loopback_grader import REPLY, SCENARIO  # noqa: E402

from unsafe_reassurance.run.batch import grade_file  # noqa: E402
from unsafe_reassurance.run.window import run_window  # noqa: E402


def write_rows(path: Path, n: int) -> Path:
    with path.open("w") as fh:
        for i in range(n):
            fh.write(json.dumps({"id": f"r{i}", "response": REPLY, "scenario": SCENARIO}) + "\n")
    return path


def start_server(latency: float, fault_rate: float = 0.0) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "loopback_grader.py"),
                             "--latency", str(latency), "--seconds", "900",
                             "--fault-rate", str(fault_rate)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    port = int(proc.stdout.readline().split()[1])
    return proc, f"http://127.0.0.1:{port}"


def http(url: str, method: str = "GET") -> dict:
    req = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    with urllib.request.urlopen(req, timeout=10) as resp:  # loopback only
        return json.loads(resp.read())


def report(name: str, rows: int, seconds: float, concurrency: int, latency: float,
           extra: str = "") -> None:
    ideal = concurrency / latency
    rate = rows / seconds
    print(f"{name:<34} {rows} rows in {seconds:6.2f} s = {rate:7.1f} rows/s; "
          f"achieved/ideal {rate / ideal:.2f}{extra}")


def window_only(rows: int, concurrency: int, latency: float) -> None:
    async def sleep(_: int) -> int:
        await asyncio.sleep(latency)
        return 0

    t = time.perf_counter()
    asyncio.run(run_window(range(rows), sleep, lambda *_: None, workers=concurrency))
    report("1. sliding window (sleep only)", rows, time.perf_counter() - t, concurrency, latency)


def library(src: Path, base: str, concurrency: int, latency: float, rows: int) -> None:
    from unsafe_reassurance import LLMJudge

    judge = LLMJudge("openai/loopback", api_base=base + "/v1")
    with tempfile.TemporaryDirectory() as tmp:  # warm-up: imports, client, schema
        grade_file(write_rows(Path(tmp) / "w.jsonl", 4), Path(tmp) / "w.out", judge=judge)
    http(base + "/reset", "POST")
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        grade_file(src, Path(tmp) / "out.jsonl", judge=judge, concurrency=concurrency)
        wall = time.perf_counter() - t
    s = http(base + "/stats")
    report("2. grade_file (Python, LLM judge)", rows, s["last"] - s["first"], concurrency,
           latency, f" (wall {wall:.2f} s, peak in flight {s['max_in_flight']})")


_PEAK = ("import atexit, sys\n"
         "def peak():\n"
         "    hwm = [x for x in open('/proc/self/status') if x.startswith('VmHWM')][0]\n"
         "    print('PEAK', int(hwm.split()[1]) // 1024, file=sys.stderr)\n"
         "atexit.register(peak)\n")


def peak_mb(stderr: str) -> str:
    return next((x.split()[1] for x in stderr.splitlines() if x.startswith("PEAK")), "?")


def cli(src: Path, base: str, concurrency: int, latency: float, rows: int,
        processes: int = 1) -> None:
    http(base + "/reset", "POST")
    with tempfile.TemporaryDirectory() as tmp:
        code = _PEAK + "from unsafe_reassurance.cli import main\nmain()\n"
        cmd = [sys.executable, "-c", code, "grade-file", str(src), "-o",
               str(Path(tmp) / "out.jsonl"), "-m", "openai/loopback", "--api-base", base + "/v1",
               "--concurrency", str(concurrency), "--no-cache", "--no-progress",
               "--processes", str(processes)]
        t = time.perf_counter()
        done = subprocess.run(cmd, check=True, capture_output=True, text=True,
                              env={**os.environ, "OPENAI_API_KEY": "sk-local"})
        wall = time.perf_counter() - t
        lines = sum(1 for _ in (Path(tmp) / "out.jsonl").open())
    s = http(base + "/stats")
    assert lines == rows, f"{lines} verdicts for {rows} rows"
    name = "3. grade-file CLI" if processes == 1 else f"4. grade-file CLI --processes {processes}"
    report(f"{name:<30}", rows, s["last"] - s["first"], concurrency, latency,
           f" (wall {wall:.2f} s incl. start-up, peak RSS {peak_mb(done.stderr)} MB in the parent)")


def faults(src: Path, latency: float, concurrency: int, rows: int) -> None:
    """30% of requests answered 429 / 500 / garbage: every row still written once."""
    proc, base = start_server(latency, fault_rate=0.3)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "out.jsonl"
            subprocess.run([str(Path(sys.executable).with_name("unsafe-reassurance")),
                            "grade-file", str(src), "-o", str(out), "-m", "openai/loopback",
                            "--api-base", base + "/v1", "--concurrency", str(concurrency),
                            "--no-cache", "--no-progress", "--max-attempts", "3"],
                           check=True, capture_output=True, text=True,
                           env={**os.environ, "OPENAI_API_KEY": "sk-local"})
            verdicts = [json.loads(x) for x in out.read_text().splitlines()]
        s = http(base + "/stats")
    finally:
        proc.terminate()
        proc.wait(10)
    ids = [v["id"] for v in verdicts]
    labels = {k: sum(v["label"] == k for v in verdicts) for k in ("PASS", "WARN", "FAIL")}
    errors = sum(v["status"] == "error" for v in verdicts)
    ok = len(ids) == len(set(ids)) == rows
    print(f"5. 30% injected 429/500/garbage ({s.get('faults', '?')} of {s.get('requests', '?')} "
          f"requests): {len(set(ids))} of {rows} rows written once ({'ok' if ok else 'LOST/DUP'});"
          f" {labels} + {errors} error verdicts")


def memory() -> None:
    code = _PEAK + ("from unsafe_reassurance.run.batch import count_rows\n"
                    "print(count_rows(sys.argv[1]))\n")
    with tempfile.TemporaryDirectory() as tmp:
        for n in (20_000, 200_000):
            src = write_rows(Path(tmp) / f"m{n}.jsonl", n)
            t = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", code, str(src)], check=True,
                                  capture_output=True, text=True)
            print(f"6. validate {int(done.stdout):>7,} rows (ids checked on disk): peak RSS "
                  f"{peak_mb(done.stderr)} MB ({time.perf_counter() - t:.1f} s)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--latency", type=float, default=0.2)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--skip-memory", action="store_true")
    args = ap.parse_args()
    print(f"C={args.concurrency}, latency {args.latency * 1000:.0f} ms, ideal "
          f"{args.concurrency / args.latency:.0f} rows/s, {os.cpu_count()} CPUs")
    window_only(args.rows, args.concurrency, args.latency)
    proc, base = start_server(args.latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            src = write_rows(Path(tmp) / "in.jsonl", args.rows)
            library(src, base, args.concurrency, args.latency, args.rows)
            cli(src, base, args.concurrency, args.latency, args.rows)
            cli(src, base, args.concurrency, args.latency, args.rows, processes=2)
    finally:
        proc.terminate()
        proc.wait(10)
    with tempfile.TemporaryDirectory() as tmp:
        faults(write_rows(Path(tmp) / "in.jsonl", args.rows), args.latency, args.concurrency,
               args.rows)
    if not args.skip_memory:
        memory()


if __name__ == "__main__":
    main()
