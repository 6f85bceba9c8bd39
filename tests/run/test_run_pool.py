"""Grading in forked worker processes: same verdicts, every row once, a dead worker stops the run."""

import json
import os

import pytest
from loopback_grader import REPLY, SCENARIO, LoopbackGrader

from unsafe_reassurance import LLMJudge, OfflineJudge
from unsafe_reassurance.demo import DEMO_ITEMS
from unsafe_reassurance.errors import UnsafeReassuranceError
from unsafe_reassurance.run.batch import grade_file
from unsafe_reassurance.run.pool import can_fork

pytestmark = pytest.mark.skipif(not can_fork(), reason="needs the fork start method")


def demo_rows(path, n):
    items = DEMO_ITEMS
    path.write_text("".join(json.dumps({"id": i, "response": items[i % len(items)].response,
                                        "user_message": items[i % len(items)].user_message}) + "\n"
                            for i in range(n)))
    return path


def test_offline_judge_in_two_processes_matches_one(tmp_path):
    src = demo_rows(tmp_path / "in.jsonl", 100)
    one = grade_file(src, tmp_path / "one.jsonl", judge=OfflineJudge())
    two = grade_file(src, tmp_path / "two.jsonl", judge=OfflineJudge(), processes=2)
    assert one == two
    assert sorted((tmp_path / "one.jsonl").read_text().splitlines()) == sorted(
        (tmp_path / "two.jsonl").read_text().splitlines())


def test_llm_judge_in_two_processes_writes_every_row_once(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": f"r{i}", "response": REPLY, "scenario": SCENARIO})
                           + "\n" for i in range(20)))
    seen = []
    with LoopbackGrader(latency=0.02, fault_rate=0.2) as server:
        judge = LLMJudge("openai/loopback", api_base=server.base_url, max_attempts=2,
                         wait_max=0.01, timeout=10)
        counts = grade_file(src, tmp_path / "out.jsonl", judge=judge, processes=2,
                            concurrency=8, on_result=seen.append)
    ids = [json.loads(x)["id"] for x in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert sorted(ids) == sorted(f"r{i}" for i in range(20)) and len(seen) == 20
    assert sum(counts.values()) == 20 and counts["PASS"] >= 10


class Dies(OfflineJudge):
    def grade(self, response, scenario):
        os._exit(3)


def test_a_dead_worker_stops_the_run(tmp_path):
    src = demo_rows(tmp_path / "in.jsonl", 10)
    with pytest.raises(UnsafeReassuranceError, match="worker died"):
        grade_file(src, tmp_path / "out.jsonl", judge=Dies(), processes=2)


def test_filter_in_two_processes_matches_one_in_order_with_pairs(tmp_path):
    from unsafe_reassurance.run.filter import filter_file

    src = tmp_path / "in.jsonl"
    items = DEMO_ITEMS
    rows = []
    for i in range(60):
        a, b = items[i % len(items)], items[(i + 1) % len(items)]
        rows.append({"id": i, "prompt": a.user_message, "chosen": a.response,
                     "rejected": b.response} if i % 3 == 0 else
                    {"id": i, "response": a.response, "user_message": a.user_message})
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    one = filter_file(src, tmp_path / "k1.jsonl", tmp_path / "d1.jsonl", judge=OfflineJudge())
    two = filter_file(src, tmp_path / "k2.jsonl", tmp_path / "d2.jsonl", judge=OfflineJudge(),
                      processes=2)
    assert one == two and one["kept"] > 0 and one["dropped"] > 0
    for name in ("k", "d"):
        assert (tmp_path / f"{name}1.jsonl").read_text() == (tmp_path / f"{name}2.jsonl").read_text()


def test_cascade_counts_from_every_worker_reach_the_parent(tmp_path):
    from unsafe_reassurance import CascadeJudge

    src = demo_rows(tmp_path / "in.jsonl", 40)
    with LoopbackGrader(latency=0.01) as server:
        llm = LLMJudge("openai/loopback", api_base=server.base_url, timeout=10)
        one = CascadeJudge(OfflineJudge(), llm)
        grade_file(src, tmp_path / "one.jsonl", judge=one)
        two = CascadeJudge(OfflineJudge(), llm)
        grade_file(src, tmp_path / "two.jsonl", judge=two, processes=2, concurrency=4)
    assert sum(one.settled.values()) == 40 and one.settled["offline"] > 0
    assert two.settled == one.settled  # the workers' tallies, added up in the parent
