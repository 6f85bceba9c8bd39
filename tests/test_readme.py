"""README examples run, and its quickstart commands are the ones CI uses."""

import contextlib
import io
import re
from pathlib import Path

import yaml

from unsafe_reassurance.types import DomainRubric

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


def test_rubric_example_is_a_valid_rubric():
    DomainRubric.model_validate(yaml.safe_load(blocks("yaml")[0]))


def test_quickstart_has_two_commands_and_ci_runs_the_test_one():
    quick = README.split("## Quickstart")[1].split("\n## ")[0]
    commands = [b.strip() for b in re.findall(r"```bash\n(.*?)```", quick, flags=re.S)]
    assert commands == ['pip install . && unsafe-reassurance demo',
                        'pip install -e ".[test]" && python -m pytest']
    assert commands[1] in (ROOT / ".ci" / "run").read_text()
