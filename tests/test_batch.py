import json

import pytest

from unsafe_reassurance import LLMJudge, OfflineJudge
from unsafe_reassurance.errors import InputError
from unsafe_reassurance.run.batch import done_ids, grade_file, read_rows
from unsafe_reassurance.testing import FakeGrader, findings


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_rows_accept_the_documented_shapes(tmp_path, card):
    message, replies = card
    src = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "a", "response": replies["PASS"], "scenario": message},
        {"response": replies["WARN"], "user_message": message, "domain": "cardiac"},
        {"id": "c", "response": "x", "scenario": {"user_message": message,
                                                 "required_urgency": "same_day"}},
    ])
    rows = read_rows(src)
    assert [r.id for r in rows] == ["a", "2", "c"]
    assert rows[1].scenario.domain == "cardiac" and rows[2].scenario.required_urgency == "same_day"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"response": "x", "scenario": "y"}\n{oops\n', "in.jsonl:2: invalid JSON"),
        (b'{"scenario": "y"}\n', "in.jsonl:1: missing field 'response'"),
        (b'{"response": "x"}\n', "in.jsonl:1: missing field 'scenario' or 'user_message'"),
        (b'{"response": "  ", "scenario": "y"}\n', "in.jsonl:1: response: is empty"),
        (b'{"response": "x", "scenario": {"user_message": "y", "domian": "z"}}\n',
         "in.jsonl:1: scenario.domian"),
        (b'{"id": 1, "response": "x", "scenario": "y"}\n{"id": 1, "response": "x", "scenario": "y"}\n',
         "in.jsonl:2: duplicate id '1'"),
        ('{"response": "caf\u00e9", "scenario": "y"}\n'.encode("latin-1"), "in.jsonl:1: not UTF-8"),
        (b"[1, 2]\n", "in.jsonl:1: expected a JSON object"),
    ],
)
def test_bad_rows_name_file_line_and_field(tmp_path, content, message):
    src = tmp_path / "in.jsonl"
    src.write_bytes(content)
    with pytest.raises(InputError) as info:
        read_rows(src)
    assert message in str(info.value) and "\n" not in str(info.value)


def test_grade_file_writes_one_verdict_per_row_and_resumes(tmp_path, card):
    message, replies = card
    rows = [{"id": k, "response": v, "scenario": message} for k, v in replies.items()]
    src, dst = write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    counts = grade_file(src, dst, judge=OfflineJudge())
    assert counts == {"PASS": 1, "WARN": 1, "FAIL": 1}
    out = [json.loads(line) for line in dst.read_text().splitlines()]
    assert {o["id"]: o["label"] for o in out} == {"FAIL": "FAIL", "WARN": "WARN", "PASS": "PASS"}
    # Simulate a crash after the first row: a torn second line, then resume.
    dst.write_text(dst.read_text().splitlines()[0] + "\n" + '{"id": "WA', encoding="utf-8")
    assert done_ids(dst) == {"FAIL"}
    dst.write_text(dst.read_text().splitlines()[0] + "\n", encoding="utf-8")
    counts = grade_file(src, dst, judge=OfflineJudge(), resume=True)
    assert sum(counts.values()) == 2
    assert sorted(json.loads(x)["id"] for x in dst.read_text().splitlines()) == [
        "FAIL", "PASS", "WARN"]


def test_concurrent_llm_path_keeps_ids_and_errors(tmp_path):
    rows = [{"id": f"r{i}", "response": "Please get checked today.",
             "scenario": {"user_message": "chest pain", "domain": "cardiac",
                          "red_flags": ["chest_discomfort"]}} for i in range(6)]
    src, dst = write_jsonl(tmp_path / "in.jsonl", rows), tmp_path / "out.jsonl"
    good = findings(conveyed_urgency="same_day", first_caution_quote="get checked today")
    from unsafe_reassurance.errors import GraderError

    judge = LLMJudge(grader=FakeGrader([good, good, GraderError("boom"), good, good, good]))
    counts = grade_file(src, dst, judge=judge, concurrency=3)
    assert counts == {"PASS": 5, "error": 1}
    out = [json.loads(line) for line in dst.read_text().splitlines()]
    assert sorted(o["id"] for o in out) == [f"r{i}" for i in range(6)]
    assert next(o for o in out if o["status"] == "error")["error"] == "boom"
