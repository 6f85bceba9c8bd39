"""Result cache: content-addressed verdicts; the second run over the same rows calls no grader."""

import json
import multiprocessing
import pickle

import pytest
from loopback_grader import REPLY, SCENARIO, LoopbackGrader
from typer.testing import CliRunner

from unsafe_reassurance import LLMJudge, OfflineJudge, Scenario
from unsafe_reassurance.cli import app
from unsafe_reassurance.errors import GraderError
from unsafe_reassurance.run.batch import grade_file
from unsafe_reassurance.run.cache import CACHE_ENV, CachedJudge, ResultCache, cache_key, default_cache_dir
from unsafe_reassurance.testing import FakeGrader, findings

GOOD = findings(conveyed_urgency="same_day", first_caution_quote="Please get checked today")
SC = Scenario.model_validate(SCENARIO)


def test_location_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv(CACHE_ENV)
    assert "unsafe-reassurance" in str(default_cache_dir())


def test_key_ignores_id_metadata_and_nonce_but_not_content():
    fp = LLMJudge(grader=FakeGrader(GOOD)).fingerprint()
    base = cache_key(fp, REPLY, SC)
    assert cache_key(fp, REPLY, SC.model_copy(update={"id": "other", "metadata": {"a": 1}})) == base
    assert cache_key(fp, REPLY + " ", SC) != base
    assert cache_key(fp, REPLY, SC.model_copy(update={"domain": None})) != base
    assert cache_key({**fp, "policy": {"name": "strict"}}, REPLY, SC) != base


def test_fingerprint_names_everything_that_changes_the_verdict():
    judge = LLMJudge("openai/x", api_base="http://127.0.0.1:9/v1", samples=3, temperature=0.7)
    fp = judge.fingerprint()
    assert fp["judge"] == "llm" and fp["model"] == "openai/x" and fp["samples"] == 3
    assert fp["grader"]["temperature"] == 0.7 and fp["grader"]["mode"] == "json_object_schema"
    assert fp["prompt_version"] and len(fp["rubrics"]) == 32 and fp["policy"]["name"] == "default"
    assert "api_key" not in json.dumps(fp) and "timeout" not in fp["grader"]
    other = LLMJudge("openai/x", api_base="http://127.0.0.1:9/v1", samples=3, temperature=0.7,
                     rubrics={k: v for k, v in judge.rubrics.items() if k != "cardiac"})
    assert other.fingerprint()["rubrics"] != fp["rubrics"]
    assert OfflineJudge(policy="strict").fingerprint()["policy"]["fail_gap"] == 2


def test_hit_is_marked_cached_with_zero_usage_and_the_row_id(tmp_path):
    grader = FakeGrader(GOOD)
    judge = CachedJudge(LLMJudge(grader=grader), ResultCache(tmp_path))
    first = judge.grade(REPLY, SC.model_copy(update={"id": "a"}))
    second = judge.grade(REPLY, SC.model_copy(update={"id": "b"}))
    assert len(grader.calls) == 1 and first.cached is False and second.cached is True
    assert second.id == "b" and second.usage.prompt_tokens == 0 and second.label == first.label
    assert judge.info == judge.judge.info and judge.lookup(REPLY, SC) is not None


def test_error_verdicts_are_not_cached(tmp_path):
    grader = FakeGrader([GraderError("down"), GOOD])
    judge = CachedJudge(LLMJudge(grader=grader), ResultCache(tmp_path))
    assert judge.grade(REPLY, SC).status == "error"
    assert judge.grade(REPLY, SC).label == "PASS" and len(grader.calls) == 2
    assert judge.grade(REPLY, SC).cached and len(judge.cache) == 1


def _writer(folder, start):
    cache = ResultCache(folder)
    v = LLMJudge(grader=FakeGrader(GOOD)).grade(REPLY, SC)
    for i in range(start, start + 150):
        cache.put(f"k{i}", v)


def test_concurrent_writers_in_several_processes(tmp_path):
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(tmp_path, i * 100)) for i in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert [p.exitcode for p in procs] == [0, 0, 0]
    assert len(ResultCache(tmp_path)) == 350  # overlapping keys replaced, none lost or torn


def test_cache_survives_pickling_for_worker_processes(tmp_path):
    cache = ResultCache(tmp_path)
    cache.put("k", LLMJudge(grader=FakeGrader(GOOD)).grade(REPLY, SC))
    clone = pickle.loads(pickle.dumps(cache))
    assert clone.get("k") is not None


def test_unusable_cache_folder_is_a_one_line_error(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(Exception, match="is not a folder"):
        ResultCache(tmp_path / "file")


def test_grade_file_with_a_cached_judge_makes_no_calls_the_second_time(tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "response": REPLY, "scenario": SCENARIO}) + "\n"
                           for i in range(5)))
    grader = FakeGrader(GOOD)
    judge = CachedJudge(LLMJudge(grader=grader), ResultCache(tmp_path / "c"))
    grade_file(src, tmp_path / "a.jsonl", judge=judge, concurrency=1)
    calls = len(grader.calls)
    assert calls == 1  # identical rows: one call, four hits
    grade_file(src, tmp_path / "b.jsonl", judge=judge, concurrency=4)
    assert len(grader.calls) == calls
    out = [json.loads(x) for x in (tmp_path / "b.jsonl").read_text().splitlines()]
    assert sorted(o["id"] for o in out) == ["0", "1", "2", "3", "4"] and all(o["cached"] for o in out)


def test_two_cli_runs_same_cache_second_makes_no_grader_call(tmp_path, monkeypatch):
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "response": f"{REPLY} ({i})", "scenario": SCENARIO})
                           + "\n" for i in range(6)))
    runner = CliRunner()
    with LoopbackGrader() as server:
        args = ["grade-file", str(src), "-m", "openai/loopback", "--api-base", server.base_url,
                "--no-progress", "--concurrency", "3"]
        first = runner.invoke(app, [*args, "-o", str(tmp_path / "one.jsonl")])
        assert first.exit_code == 0, first.output
        assert server.requests == 6
        second = runner.invoke(app, [*args, "-o", str(tmp_path / "two.jsonl")])
        assert second.exit_code == 0, second.output
        assert server.requests == 6 and "6 from the cache" in second.output
        third = runner.invoke(app, [*args, "--no-cache", "-o", str(tmp_path / "three.jsonl")])
        assert third.exit_code == 0 and server.requests == 12
    two = [json.loads(x) for x in (tmp_path / "two.jsonl").read_text().splitlines()]
    assert len(two) == 6 and all(v["cached"] and v["label"] == "PASS" for v in two)
