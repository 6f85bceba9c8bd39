"""Sliding window, request-level concurrency, rate limits, and fault injection end to end."""

import asyncio
import json
import time

from loopback_grader import REPLY, SCENARIO, LoopbackGrader

from unsafe_reassurance import LLMJudge
from unsafe_reassurance.run.batch import grade_file
from unsafe_reassurance.run.window import RateLimits, TokenBucket, run_window, until
from unsafe_reassurance.testing import findings
from unsafe_reassurance.types import Usage

GOOD = findings(conveyed_urgency="same_day", first_caution_quote="Please get checked today")


def rows_file(path, n, response=REPLY):
    path.write_text("".join(json.dumps({"id": f"r{i}", "response": response(i) if callable(response)
                                        else response, "scenario": SCENARIO}) + "\n"
                            for i in range(n)))
    return path


class SlowGrader:
    """Async grader: sleeps per call (longer when the reply says so) and counts calls in flight."""

    model = "slow"

    def __init__(self, delay=0.01, slow=1.0):
        self.delay, self.slow = delay, slow
        self.in_flight = self.peak = self.calls = 0

    def complete(self, messages):
        raise AssertionError("sync path not expected")

    async def acomplete(self, messages):
        self.calls += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.slow if "SLOW" in messages[-1]["content"] else self.delay)
            return GOOD.model_copy(deep=True), Usage(prompt_tokens=100, completion_tokens=20)
        finally:
            self.in_flight -= 1


def test_window_has_no_barrier():
    finished = []

    async def work(i):
        await asyncio.sleep(0.4 if i == 0 else 0.01)
        return i

    t = time.perf_counter()
    asyncio.run(run_window(range(60), work, lambda i, _r: finished.append(i), workers=4))
    elapsed = time.perf_counter() - t
    # 59 quick items on 3 free workers take ~0.2 s, done while item 0 is still running.
    assert finished[-1] == 0 and sorted(finished) == list(range(60))
    assert elapsed < 0.4 + 0.15, elapsed


def test_a_failing_writer_stops_the_run():
    async def work(i):
        return i

    def done(i, _r):
        if i == 3:
            raise OSError("disk full")

    try:
        asyncio.run(run_window(range(100), work, done, workers=2))
    except OSError as exc:
        assert "disk full" in str(exc)
    else:
        raise AssertionError("expected the writer's error")


def test_hung_rows_do_not_stall_the_others(tmp_path):
    src = rows_file(tmp_path / "in.jsonl", 40, lambda i: REPLY + (" SLOW" if i % 10 == 0 else ""))
    grader = SlowGrader(delay=0.01, slow=30)
    t = time.perf_counter()
    counts = grade_file(src, tmp_path / "out.jsonl", judge=LLMJudge(grader=grader),
                        concurrency=8, row_timeout=0.5)
    elapsed = time.perf_counter() - t
    assert counts == {"PASS": 36, "error": 4}
    assert elapsed < 1.5, elapsed  # four hung rows cost one deadline, not four
    errors = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()
              if '"error"' in x and '"status":"error"' in x]
    assert sorted(e["id"] for e in errors) == ["r0", "r10", "r20", "r30"]
    assert all("no verdict within 0.5s" in e["error"] for e in errors)


def test_concurrency_counts_requests_not_items(tmp_path):
    src = rows_file(tmp_path / "in.jsonl", 24)
    grader = SlowGrader(delay=0.02)
    grade_file(src, tmp_path / "out.jsonl", judge=LLMJudge(grader=grader, samples=2),
               concurrency=6)
    assert grader.calls == 48 and grader.peak <= 6
    assert grader.peak >= 4  # the window is actually used


def test_token_bucket_waits_for_refill_and_debt():
    async def run():
        bucket = TokenBucket(per_minute=600)  # 10 per second, bursts of 600
        await bucket.acquire(600)
        t = time.perf_counter()
        await bucket.acquire(2)
        first = time.perf_counter() - t
        bucket.debit(3)  # the real cost was higher than the estimate
        t = time.perf_counter()
        await bucket.acquire(1)
        return first, time.perf_counter() - t

    first, second = asyncio.run(run())
    assert 0.15 < first < 0.4 and 0.3 < second < 0.6, (first, second)


def test_rpm_limit_paces_requests(tmp_path):
    src = rows_file(tmp_path / "in.jsonl", 3)
    grader = SlowGrader(delay=0)
    limits = RateLimits(rpm=120)
    limits.requests.level = 1  # start nearly empty instead of with a minute's burst
    asyncio.run(limits.requests.acquire(1))
    t = time.perf_counter()

    async def run():
        for _ in range(2):
            await limits.acquire(100)

    asyncio.run(run())
    assert 0.85 < time.perf_counter() - t < 1.6  # two requests per second
    counts = grade_file(src, tmp_path / "out.jsonl", judge=LLMJudge(grader=grader), rpm=6000,
                        tpm=1_000_000)
    assert counts == {"PASS": 3}


def test_tpm_estimate_learns_from_real_usage():
    limits = RateLimits(tpm=100_000)
    assert limits.estimate(400) == 2_100  # chars / 4 + the prompt allowance, before any usage
    taken = asyncio.run(limits.acquire(400))
    assert taken == 2_100 and 97_800 < limits.tokens.level < 98_000
    limits.settle(taken, 5_100)  # the call really used more: the difference becomes debt
    assert 94_800 < limits.tokens.level < 95_000
    assert limits.estimate(400) == 5_100


def test_injected_faults_still_write_every_row_exactly_once(tmp_path):
    """30% 429 / 500 / garbage from a loopback grader: every row ends as a label or an error."""
    src = rows_file(tmp_path / "in.jsonl", 50)
    with LoopbackGrader(fault_rate=0.3, seed=3) as server:
        judge = LLMJudge("openai/loopback", api_base=server.base_url, max_attempts=2,
                         wait_max=0.01, timeout=10)
        counts = grade_file(src, tmp_path / "out.jsonl", judge=judge, concurrency=16)
        assert server.faults >= 8
    out = [json.loads(x) for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert sorted(o["id"] for o in out) == sorted(f"r{i}" for i in range(50))
    assert sum(counts.values()) == 50 and counts["error"] > 0 and counts["PASS"] > 25
    assert all((o["status"] == "ok") == (o["label"] == "PASS") for o in out)
    assert all(o["error"] for o in out if o["status"] == "error")


def test_should_stop_leaves_the_rest_for_resume(tmp_path):
    src = rows_file(tmp_path / "in.jsonl", 30)
    grader = SlowGrader(delay=0.01)
    done = []

    def stop():
        return len(done) >= 10

    counts = grade_file(src, tmp_path / "out.jsonl", judge=LLMJudge(grader=grader),
                        concurrency=4, on_result=done.append, should_stop=stop)
    written = len((tmp_path / "out.jsonl").read_text().splitlines())
    assert 10 <= written <= 14 and sum(counts.values()) == written  # in-flight rows still land
    assert grader.calls == written
    counts = grade_file(src, tmp_path / "out.jsonl", judge=LLMJudge(grader=grader), resume=True)
    assert sum(counts.values()) == 30 - written


def test_until_asks_before_each_item():
    asked = []

    def stop():
        asked.append(1)
        return len(asked) > 3

    assert list(until(stop, iter(range(10)))) == [0, 1, 2] and len(asked) == 4
