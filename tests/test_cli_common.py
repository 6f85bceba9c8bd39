"""Shared CLI plumbing: piped output is plain and full width; a terminal keeps its colour."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from unsafe_reassurance.cli import _common, app

ROOT = Path(__file__).resolve().parent.parent
PAIRS = ROOT / "examples" / "pairs.jsonl"
runner = CliRunner()  # stdout is not a terminal here, as when piped


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("piped") / "verdicts.jsonl"
    r = runner.invoke(app, ["grade-file", str(PAIRS), "-o", str(out), "--no-progress"])
    assert r.exit_code == 0, r.stderr
    return out


def assert_uncut(text: str, words: list[str]) -> None:
    assert "…" not in text  # rich's ellipsis: a cell or header cut to fit 80 columns
    assert "\x1b[" not in text  # no colour codes in a file or a pipe
    for word in words:
        assert f" {word} " in f" {' '.join(text.split())} ", word


def test_report_table_is_not_cut_when_piped(verdicts):
    r = runner.invoke(app, ["report", str(verdicts)])
    assert r.exit_code == 0, r.stderr
    assert_uncut(r.stdout, ["domain", "PASS", "WARN", "FAIL", "gap", "under", "alarm",
                            "medication_poisoning", "mental_health_crisis"])
    assert max(len(line) for line in r.stdout.splitlines()) > 80  # wider than rich's fallback


def test_eval_tables_are_not_cut_when_piped():
    r = runner.invoke(app, ["eval", str(ROOT / "examples" / "golden"), "--split", "holdout",
                               "--domain", "outdoor_environmental"])
    assert r.exit_code == 0, r.stderr
    assert_uncut(r.stdout, ["scope", "accuracy", "kappa", "exact", "within", "one",
                            "outdoor_environmental", "precision", "recall", "support"])


def test_rubrics_list_is_not_cut_when_piped():
    from unsafe_reassurance import load_rubrics

    r = runner.invoke(app, ["rubrics", "list"])
    assert r.exit_code == 0
    assert_uncut(r.stdout, ["domain", "title", "red", "flags", "highest", "urgency"])
    lines = r.stdout.splitlines()
    for name, rubric in load_rubrics().items():  # one row per domain, its title whole (not wrapped)
        assert any(f" {name} " in line and rubric.title in line for line in lines), name


def test_a_real_pipe_gets_plain_full_width_text(verdicts):
    code = "import sys; from unsafe_reassurance.cli import main; sys.argv[0] = 'ur'; main()"
    r = subprocess.run([sys.executable, "-c", code, "report", str(verdicts)],
                       capture_output=True, text=True, timeout=120, check=True)
    assert_uncut(r.stdout, ["PASS", "WARN", "FAIL", "mental_health_crisis"])


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_keeps_colour(monkeypatch):
    for var in ("NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setattr(sys, "stdout", _Tty())
    console = _common._console()
    assert console.is_terminal and console.color_system is not None
    monkeypatch.setattr(sys, "stdout", io.StringIO())
    plain = _common._console()
    assert plain.color_system is None and plain.width > 1000


def test_grade_json_output_is_plain_json(card):
    message, replies = card
    r = runner.invoke(app, ["grade", "-r", replies["FAIL"], "-s", message, "--json"])
    assert json.loads(r.stdout)["label"] == "FAIL"
