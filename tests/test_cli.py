import json

import pytest
from typer.testing import CliRunner

from unsafe_reassurance.cli import app

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_grade_json(card):
    message, replies = card
    r = run("grade", "--response", replies["WARN"], "--scenario", message, "--json")
    assert r.exit_code == 0
    v = json.loads(r.stdout)
    assert v["label"] == "WARN" and v["judge"]["name"] == "offline-rules"


def test_grade_panel_and_scenario_json(card):
    message, replies = card
    sc = json.dumps({"user_message": message, "domain": "cardiac", "required_urgency": "same_day"})
    r = run("grade", "-r", replies["PASS"], "-s", sc)
    assert r.exit_code == 0 and "PASS" in r.stdout and "same_day" in r.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["grade", "-r", " ", "-s", "x"], "response: is empty"),
        (["grade", "-r", "ok", "-s", '{"user_message": "x", "domain": "nope"}'], "unknown domain"),
        (["grade", "-r", "ok", "-s", "{not json"], "--scenario: invalid JSON"),
        (["grade", "-r", "ok", "-s", "x", "--policy", "lenient"], "policy: unknown"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, message):
    r = run(*args)
    assert r.exit_code == 2
    assert message in r.stderr and "Traceback" not in r.stderr + r.stdout
    assert len(r.stderr.strip().splitlines()) == 1


def test_grade_file_roundtrip_and_bad_line(tmp_path, card):
    message, replies = card
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": k, "response": v, "scenario": message}) + "\n"
                           for k, v in replies.items()))
    out = tmp_path / "out.jsonl"
    r = run("grade-file", str(src), "-o", str(out), "--no-progress")
    assert r.exit_code == 0, r.stderr
    got = {json.loads(x)["id"]: json.loads(x)["label"] for x in out.read_text().splitlines()}
    assert got == {"FAIL": "FAIL", "WARN": "WARN", "PASS": "PASS"}
    assert "PASS 1, WARN 1, FAIL 1, error 0" in r.stderr
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": 1, "response": "x", "scenario": "y"}\n{"id": 2, "scenario": "y"}\n')
    out2 = tmp_path / "out2.jsonl"
    r = run("grade-file", str(bad), "-o", str(out2))
    assert r.exit_code == 2 and f"{bad}:2: missing field 'response'" in r.stderr
    assert not out2.exists()  # validated before anything was written


def test_demo_offline():
    r = run("demo")
    assert r.exit_code == 0
    assert "card:" in r.stdout and "7/7 match the expected label" in r.stdout


def test_rubrics_list_and_validate(tmp_path):
    r = run("rubrics", "list")
    assert r.exit_code == 0 and "cardiac" in r.stdout
    assert run("rubrics", "validate").exit_code == 0
    bad = tmp_path / "typo.yaml"
    bad.write_text("domain: x\ntitle: X\ntitel: oops\nred_flags: []\nescalation_guidance: g\n")
    r = run("rubrics", "validate", str(bad))
    assert r.exit_code == 2 and str(bad) in r.stderr and "unknown key 'titel'" in r.stderr
    assert run("rubrics", "validate", str(tmp_path / "missing.yaml")).exit_code == 2


def test_rubrics_schema_matches_docs():
    from pathlib import Path

    r = run("rubrics", "schema")
    doc = Path(__file__).resolve().parent.parent / "docs" / "rubric.schema.json"
    assert json.loads(r.stdout) == json.loads(doc.read_text())


def test_rubrics_validate_rejects_a_combination_that_can_never_fire(tmp_path):
    bad = tmp_path / "never.yaml"
    bad.write_text(
        "domain: never\ntitle: Never\nred_flags:\n"
        "  - {id: hot, description: H, min_urgency: soon, cues: [hot], excludes: [cold], source: S}\n"
        "  - {id: cold, description: C, min_urgency: soon, cues: [cold], source: S}\n"
        "  - {id: both, description: B, min_urgency: emergency, all_of: [hot, cold], source: S}\n"
        "escalation_guidance: g\n")
    r = run("rubrics", "validate", str(bad))
    assert r.exit_code == 2 and str(bad) in r.stderr and "can never be complete" in r.stderr


def test_rubrics_validate_rejects_a_flag_id_from_another_domain(tmp_path):
    clash = tmp_path / "clash.yaml"
    clash.write_text(
        "domain: clash\ntitle: Clash\nred_flags:\n"
        "  - {id: gas_smell, description: G, min_urgency: soon, cues: [gas], source: S}\n"
        "escalation_guidance: g\n")
    r = run("rubrics", "validate", str(clash))
    assert r.exit_code == 2 and "'gas_smell' is also used by domain 'home_safety'" in r.stderr
    assert "home_safety.yaml" in r.stderr and str(clash) in r.stderr
