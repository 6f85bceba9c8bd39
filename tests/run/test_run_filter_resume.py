"""``filter --resume`` / ``--retry-errors`` / ``--max-cost`` and ``--cascade``: every input record
ends up written exactly once to kept or dropped, even after a kill -9 mid-run."""

import asyncio
import json
import os
import signal
import subprocess
import sys
import time

import pytest
from loopback_grader import REPLY, SCENARIO, LoopbackGrader
from typer.testing import CliRunner

from unsafe_reassurance import LLMJudge, OfflineJudge
from unsafe_reassurance.cli import app
from unsafe_reassurance.errors import GraderError, InputError
from unsafe_reassurance.run.filter import filter_file
from unsafe_reassurance.testing import findings
from unsafe_reassurance.types import Usage

runner = CliRunner()
BAD = "It does sound like stress. Try deep breathing and rest."  # offline: FAIL, confidence 0.9


def write_rows(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def read(path):
    return [json.loads(x) for x in path.read_text().splitlines()] if path.exists() else []


def mixed_rows(n):
    """Even rows reach the LLM (an offline PASS is never settled), odd rows are offline FAILs."""
    return [{"id": f"r{i}", "response": REPLY if i % 2 == 0 else BAD, "scenario": SCENARIO}
            for i in range(n)]


def assert_each_once(kept, dropped, ids, in_order=True):
    written = [r["ur_id"] for r in read(kept) + read(dropped)]
    assert sorted(written) == sorted(ids) and len(set(written)) == len(written)
    # A resumed run appends the rest, so each file stays in input order (retried errors, taken
    # out of the files and graded again, come last).
    for path in (kept, dropped) if in_order else ():
        got = [r["ur_id"] for r in read(path)]
        assert got == [i for i in ids if i in set(got)]


def test_resume_after_kill_9_writes_every_row_once(tmp_path):
    ids = [f"r{i}" for i in range(60)]
    src = write_rows(tmp_path / "in.jsonl", mixed_rows(60))
    kept, dropped = tmp_path / "kept.jsonl", tmp_path / "dropped.jsonl"
    args = ["filter", str(src), "-o", str(kept), "--dropped", str(dropped), "--cascade",
            "-m", "openai/loopback", "--no-cache", "--max-attempts", "1", "--concurrency", "2",
            "--no-progress"]
    env = {**os.environ, "UNSAFE_REASSURANCE_CACHE": str(tmp_path / "cache")}
    with LoopbackGrader(latency=0.1, fault_rate=0.2) as server:
        base = ["--api-base", server.base_url]
        code = "from unsafe_reassurance.cli import main; main()"
        proc = subprocess.Popen([sys.executable, "-c", code, *args, *base], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            deadline = time.time() + 60
            while len(read(kept) + read(dropped)) < 8 and time.time() < deadline:
                assert proc.poll() is None, proc.stderr.read().decode()
                time.sleep(0.02)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            proc.stderr.close()
        assert proc.returncode == -signal.SIGKILL
        written = {r["ur_id"] for r in read(kept) + read(dropped)}
        before = len(written)
        assert 8 <= before < 60  # killed mid-run
        with kept.open("a") as fh:  # and mid-write: a torn last line
            fh.write('{"id": "r79", "response": "Please get')

        refused = runner.invoke(app, [*args, *base])
        assert refused.exit_code == 2 and "exists and is not empty" in refused.output
        assert "--resume" in refused.output

        calls = server.requests
        res = runner.invoke(app, [*args, *base, "--resume"])
        assert res.exit_code == 0, res.output
        assert f"{before} rows were already written by an earlier run" in res.output
        assert_each_once(kept, dropped, ids)
        # one call per LLM row not yet written (--max-attempts 1): done rows made none
        assert server.requests - calls == len(set(ids[::2]) - written)
        errors = [r["ur_id"] for r in read(dropped) if r["ur_status"] == "error"]
        assert errors and all(r["ur_status"] == "ok" for r in read(kept))

        server.fault_rate = 0.0
        calls = server.requests
        res = runner.invoke(app, [*args, *base, "--retry-errors"])
        assert res.exit_code == 0, res.output
        assert server.requests - calls == len(errors)  # only the error rows went back
        assert_each_once(kept, dropped, ids, in_order=False)
        assert all(r["ur_status"] == "ok" for r in read(kept) + read(dropped))
        assert {r["ur_id"] for r in read(kept)} == set(ids[::2])


def test_cascade_settles_offline_rows_without_a_call_and_reports_it(tmp_path):
    src = write_rows(tmp_path / "in.jsonl", mixed_rows(10))
    kept, dropped = tmp_path / "kept.jsonl", tmp_path / "dropped.jsonl"
    with LoopbackGrader() as server:
        res = runner.invoke(app, ["filter", str(src), "-o", str(kept), "--dropped", str(dropped),
                                  "--cascade", "-m", "openai/loopback", "--api-base",
                                  server.base_url, "--no-cache", "--no-progress"])
        assert res.exit_code == 0, res.output
        assert server.requests == 5  # the five offline FAILs made no call
    assert "cascade settled 5 row(s) offline, 5 by the LLM (50% offline)" in res.output
    assert "usage: 10 verdict(s): 500 prompt + 200 completion tokens" in res.output
    assert [r["ur_id"] for r in read(kept)] == [f"r{i}" for i in range(0, 10, 2)]
    assert {r["ur_label"] for r in read(dropped)} == {"FAIL"}
    no_model = runner.invoke(app, ["filter", str(src), "-o", str(tmp_path / "x.jsonl"),
                                   "--cascade"])
    assert no_model.exit_code == 2 and "--cascade: needs --judge-model" in no_model.output
    offline_cost = runner.invoke(app, ["filter", str(src), "-o", str(tmp_path / "y.jsonl"),
                                       "--max-cost", "1"])
    assert offline_cost.exit_code == 2 and "--max-cost" in offline_cost.output


class Ordered:
    """Async grader: later rows answer first; replies containing "#3" fail."""

    model = "ordered"

    def complete(self, messages):
        raise AssertionError

    async def acomplete(self, messages):
        n = int(messages[-1]["content"].split("#")[1].split()[0])
        await asyncio.sleep(0.03 - n * 0.001)
        if n == 3:
            raise GraderError("down")
        return (findings(conveyed_urgency="same_day", first_caution_quote="get checked today"),
                Usage(prompt_tokens=10, completion_tokens=5, cost_usd=0.01))


def llm_rows(n):
    return [{"id": i, "response": f"Please get checked today #{i} .", "user_message": SCENARIO[
        "user_message"], "domain": "cardiac", "red_flags": ["chest_discomfort"]} for i in range(n)]


def test_should_stop_leaves_a_prefix_that_resume_completes(tmp_path):
    src = write_rows(tmp_path / "in.jsonl", llm_rows(24))
    kept, dropped = tmp_path / "kept.jsonl", tmp_path / "dropped.jsonl"
    judge = LLMJudge(grader=Ordered())
    seen = []
    counts = filter_file(src, kept, dropped, judge=judge, concurrency=4,
                         on_result=seen.append, should_stop=lambda: len(seen) >= 6)
    written = [r["ur_id"] for r in read(kept) + read(dropped)]
    assert 0 < len(written) < 24 and sum(counts.values()) == len(written)
    assert sorted(written, key=int) == [str(i) for i in range(len(written))]  # a prefix
    counts = filter_file(src, kept, dropped, judge=judge, concurrency=4, resume=True)
    assert counts["resumed"] == len(written) and counts["kept"] + counts["dropped"] == 24 - len(written)
    assert_each_once(kept, dropped, [str(i) for i in range(24)])
    assert [r["ur_id"] for r in read(dropped)] == ["3"] and read(dropped)[0]["ur_error"] == "down"


def test_resume_pairs_without_dropped_file_and_refusals(tmp_path):
    msg = SCENARIO["user_message"]
    rows = [{"id": f"p{i}", "prompt": msg, "chosen": REPLY if i % 3 else BAD, "rejected": BAD}
            for i in range(9)]
    src = write_rows(tmp_path / "in.jsonl", rows)
    kept = tmp_path / "kept.jsonl"
    filter_file(src, kept, judge=OfflineJudge())
    full = kept.read_text()
    lines = full.splitlines(keepends=True)
    assert [json.loads(x)["ur_id"] for x in lines] == ["p1", "p2", "p4", "p5", "p7", "p8"]
    kept.write_text("".join(lines[:3]) + lines[3][:25])  # crashed while writing p5
    with pytest.raises(InputError, match="exists and is not empty; pass --resume"):
        filter_file(src, kept, judge=OfflineJudge())
    counts = filter_file(src, kept, judge=OfflineJudge(), resume=True)
    assert kept.read_text() == full  # dropped rows (in no file) were graded again, never kept twice
    assert counts == {"resumed": 3, "kept": 3, "dropped": 3}
    with pytest.raises(InputError, match=r"--resume needs \.jsonl outputs"):
        filter_file(src, kept, tmp_path / "dropped.csv", judge=OfflineJudge(), resume=True)
    dup = write_rows(tmp_path / "dup.jsonl", [{"id": "p1", "response": REPLY, "scenario": msg},
                                               rows[1]])
    with pytest.raises(InputError, match=r"dup\.jsonl:2: duplicate id 'p1'"):
        filter_file(dup, tmp_path / "k2.jsonl", judge=OfflineJudge())
