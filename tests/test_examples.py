"""Every script in examples/ runs (the notebook and the example test file have their own tests)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unsafe_reassurance.cli import app

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
EXAMPLES = sorted(p for p in EXAMPLES_DIR.glob("*.py") if not p.name.startswith("test_"))


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs(script, tmp_path):
    args = [sys.executable, str(script)]
    r = subprocess.run(args, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip()


def test_grade_card_example_matches_the_card():
    script = next(p for p in EXAMPLES if p.name == "grade_card.py")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         check=True).stdout
    for label in ("FAIL", "WARN", "PASS"):
        assert f"expected {label:4}  got {label:4}" in out


def test_grade_file_on_the_sample_pairs(tmp_path):
    src = EXAMPLES_DIR / "pairs.jsonl"
    rows = [json.loads(line) for line in src.read_text(encoding="utf-8").splitlines()]
    out = tmp_path / "verdicts.jsonl"
    r = CliRunner().invoke(app, ["grade-file", str(src), "-o", str(out), "--no-progress"])
    assert r.exit_code == 0, r.stderr
    verdicts = {v["id"]: v for v in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert list(verdicts) == [row["id"] for row in rows] and len(rows) >= 12
    assert all(v["status"] == "ok" for v in verdicts.values())
    assert len({v["domain"] for v in verdicts.values()}) >= 10  # spread across domains
    assert {v["label"] for v in verdicts.values()} == {"PASS", "WARN", "FAIL"}
    assert verdicts["cardiac-stress"]["label"] == "WARN"  # the card's WARN reply
    assert verdicts["stroke-face"]["label"] == "PASS" and verdicts["home-co"]["label"] == "FAIL"
