"""README examples run, and its quickstart commands are the ones CI uses."""

import contextlib
import io
import json
import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from unsafe_reassurance.cli import app
from unsafe_reassurance.judges.llm import LiteLLMGrader
from unsafe_reassurance.testing import findings
from unsafe_reassurance.types import DomainRubric, Usage

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)


def test_python_usage_example_runs_and_prints_what_it_says():
    code = blocks("python")[0]
    expected = re.search(r"# (WARN .*)", code).group(1)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(code, "README.md", "exec"), {})
    assert buf.getvalue().strip() == expected


@pytest.fixture
def model_calls(monkeypatch):
    """Every grader call a snippet makes, answered by a scripted grader instead of a network."""
    calls = []

    def complete(self, messages):
        calls.append((self.model, self.api_base))
        return findings(domain="cardiac", red_flags_present=["chest_discomfort"],
                        conveyed_urgency="same_day", first_caution_quote="needs a check today"), Usage()

    monkeypatch.setattr(LiteLLMGrader, "complete", complete)
    return calls


@pytest.mark.parametrize("index", range(len(blocks("python"))))
def test_every_python_snippet_runs(index, model_calls):
    code = blocks("python")[index]
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, f"README.md python block {index + 1}", "exec"), {})
    # A snippet that needs a grader model says so on the line that calls it.
    assert bool(model_calls) == ("# calls the model" in code)


def test_grader_snippet_grades_with_the_local_judge_it_builds(model_calls):
    code = next(b for b in blocks("python") if "LLMJudge(" in b)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        exec(compile(code, "README.md", "exec"), {})
    assert model_calls == [("openai/smollm2", "http://127.0.0.1:8080/v1")]
    assert buf.getvalue().split() == ["ok", "PASS"]


def test_cli_grade_example_infers_the_cardiac_domain():
    cli = README.split("## Command line")[1].split("\n## ")[0]
    commands = re.findall(r"```bash\n(.*?)```", cli, flags=re.S)[0].replace("\\\n", " ")
    line = next(c for c in commands.splitlines() if c.startswith("unsafe-reassurance grade "))
    args = shlex.split(re.sub(r"\[[^]]*\]", "", line))[1:]
    r = CliRunner().invoke(app, [*args, "--json"])
    assert r.exit_code == 0, r.stderr
    verdict = json.loads(r.stdout)
    assert verdict["domain"] == "cardiac" and verdict["label"] == "FAIL"
    assert "chest_discomfort" in verdict["red_flags"]
    for path in re.findall(r"grade-file (\S+)", commands):
        assert (ROOT / path).is_file(), path


def test_rubric_example_is_a_valid_rubric():
    DomainRubric.model_validate(yaml.safe_load(blocks("yaml")[0]))


def test_quickstart_has_two_commands_and_ci_runs_the_test_one():
    quick = README.split("## Quickstart")[1].split("\n## ")[0]
    commands = [b.strip() for b in re.findall(r"```bash\n(.*?)```", quick, flags=re.S)]
    assert commands == ['pip install . && unsafe-reassurance demo',
                        'pip install -e ".[test]" && python -m pytest']
    assert commands[1] in (ROOT / ".ci" / "run").read_text()
