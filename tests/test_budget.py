"""Run usage totals and the --max-cost budget (library hook and CLI, loopback grader only)."""

import asyncio
import json

import pytest
from stub_server import StubServer, chat_body
from typer.testing import CliRunner

from unsafe_reassurance import LLMJudge
from unsafe_reassurance.cli import app
from unsafe_reassurance.run.batch import done_ids, grade_file
from unsafe_reassurance.run.budget import Budget
from unsafe_reassurance.testing import FakeGrader, findings
from unsafe_reassurance.types import JudgeInfo, Usage, Verdict

SCENARIO = {"user_message": "chest tight", "domain": "cardiac", "red_flags": ["chest_discomfort"]}
PASSING = findings(conveyed_urgency="same_day", first_caution_quote="get checked today")
# Distinct replies per row, so the result cache never serves one row for another.


class PricedGrader(FakeGrader):
    """A fake grader whose calls cost one cent each."""

    def complete(self, messages):
        result, usage = super().complete(messages)
        return result, usage.model_copy(update={"cost_usd": 0.01})


def rows(tmp_path, n):
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": str(i), "response": f"Please get checked today ({i}).",
                                       "scenario": SCENARIO}) + "\n" for i in range(n)))
    return src


def verdict(cost, tokens=(100, 10)):
    return Verdict(label="PASS", judge=JudgeInfo(name="llm"),
                   usage=Usage(prompt_tokens=tokens[0], completion_tokens=tokens[1], cost_usd=cost))


def test_totals_and_unpriced_calls_are_counted_apart():
    b = Budget()
    for v in (verdict(0.5), verdict(None), verdict(0.25), verdict(None, (0, 0))):
        b.record(v)
    assert (b.verdicts, b.prompt_tokens, b.cost_usd, b.unpriced) == (4, 300, 0.75, 1)
    assert not b.exhausted() and "1 with a price litellm does not know" in b.summary()
    with pytest.raises(ValueError):
        Budget(0)


def test_grade_file_stops_at_the_cap_and_resume_finishes_without_duplicates(tmp_path):
    src, out = rows(tmp_path, 8), tmp_path / "out.jsonl"
    budget = Budget(max_usd=0.025)
    judge = LLMJudge(grader=PricedGrader(PASSING))
    counts = grade_file(src, out, judge=judge, concurrency=1, on_result=budget.record,
                        should_stop=budget.exhausted)
    assert sum(counts.values()) == 3 and budget.exhausted()  # 3 cents >= 2.5 cents
    assert len(judge.grader.calls) == 3
    grade_file(src, out, judge=judge, resume=True, concurrency=1)
    ids = [json.loads(x)["id"] for x in out.read_text().splitlines()]
    assert sorted(ids, key=int) == [str(i) for i in range(8)] and done_ids(out) == set(ids)


def test_concurrent_run_overshoots_by_at_most_the_calls_in_flight(tmp_path):
    src, out = rows(tmp_path, 40), tmp_path / "out.jsonl"
    budget = Budget(max_usd=0.05)
    judge = LLMJudge(grader=PricedGrader(PASSING))
    grade_file(src, out, judge=judge, concurrency=4, on_result=budget.record,
               should_stop=budget.exhausted)
    written = len(out.read_text().splitlines())
    assert 5 <= written <= 5 + 4 and written == len(judge.grader.calls)


def test_guarded_judge_returns_error_verdicts_after_the_cap():
    budget = Budget(max_usd=0.015)
    judge = budget.guard(LLMJudge(grader=PricedGrader(PASSING)))
    got = [judge.grade("Please get checked today.", SCENARIO) for _ in range(4)]
    assert [v.status for v in got] == ["ok", "ok", "error", "error"]
    assert "budget was reached" in got[-1].error and len(judge.grader.calls) == 2
    assert asyncio.run(judge.agrade("Please get checked today.", SCENARIO)).status == "error"


def test_cli_max_cost_stops_with_exit_3_then_resume_completes(tmp_path):
    src, out = rows(tmp_path, 6), tmp_path / "out.jsonl"
    body = chat_body(PASSING.model_dump_json())
    body["model"] = "gpt-4o-mini"  # priced by litellm: 50 + 20 tokens ~ $0.0000195 per call
    runner = CliRunner()
    with StubServer([(200, body)]) as s:
        common = ["grade-file", str(src), "-o", str(out), "--no-progress", "--concurrency", "1",
                  "--judge-model", "openai/gpt-4o-mini", "--api-base", s.base_url]
        r = runner.invoke(app, [*common, "--max-cost", "0.00004"])
        assert r.exit_code == 3, r.stderr
        assert "--max-cost budget was reached" in r.stderr and "usage: 3 verdict(s)" in r.stderr
        assert len(out.read_text().splitlines()) == 3 and len(s.requests) == 3
        r = runner.invoke(app, [*common, "--resume"])
    assert r.exit_code == 0 and len(out.read_text().splitlines()) == 6 and len(s.requests) == 6


def test_cli_max_cost_needs_an_llm_judge(tmp_path):
    r = CliRunner().invoke(app, ["grade-file", str(rows(tmp_path, 1)), "-o", str(tmp_path / "o"),
                                 "--max-cost", "1"])
    assert r.exit_code == 2 and "--max-cost" in r.stderr
