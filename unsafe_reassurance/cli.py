"""The ``unsafe-reassurance`` command line (typer + rich).

Bad input prints one line naming the file/line/field to stderr and exits with code 2; there is
never a traceback for it.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from .errors import UnsafeReassuranceError
from .judges import BaseJudge

__all__ = ["app", "main"]

app = typer.Typer(
    help="Grade AI assistant replies for unsafe reassurance (comfort despite red flags).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rubrics_app = typer.Typer(help="List and validate domain rubrics.", no_args_is_help=True)
app.add_typer(rubrics_app, name="rubrics")

out = Console()
err = Console(stderr=True)

JudgeModel = Annotated[
    Optional[str],  # noqa: UP045 (typer needs Optional on 3.10)
    typer.Option("--judge-model", "-m", envvar="UNSAFE_REASSURANCE_JUDGE_MODEL",
                 help="litellm model for the LLM judge (default: the offline rules judge)."),
]
ApiBase = Annotated[Optional[str], typer.Option(  # noqa: UP045
    "--api-base", help="OpenAI-compatible server URL, e.g. http://127.0.0.1:8080/v1.")]
PolicyOpt = Annotated[str, typer.Option("--policy", help="Label policy: default or strict.")]
RubricsOpt = Annotated[Optional[list[Path]], typer.Option(  # noqa: UP045
    "--rubrics", help="Extra rubric file or folder (repeatable); overrides bundled domains.")]


@contextlib.contextmanager
def _guard() -> Iterator[None]:
    """Turn our errors into one stderr line and exit code 2."""
    try:
        yield
    except UnsafeReassuranceError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def _quiet_libraries() -> None:
    # instructor/litellm log every failed attempt; the verdict already carries the reason.
    for name in ("instructor", "LiteLLM", "litellm", "httpx"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def make_judge(
    model: str | None,
    api_base: str | None = None,
    policy: str = "default",
    rubric_paths: list[Path] | None = None,
    samples: int = 1,
) -> BaseJudge:
    """The judge the CLI options describe: LLM when a model is named, else offline rules."""
    from .rubrics import load_rubrics

    rubrics = load_rubrics(*(rubric_paths or []))
    if model:
        from .llm import LLMJudge

        _quiet_libraries()
        return LLMJudge(model, api_base=api_base, rubrics=rubrics, policy=policy, samples=samples)
    from .offline import OfflineJudge

    return OfflineJudge(rubrics, policy=policy)


@app.command()
def grade(
    response: Annotated[str, typer.Option("--response", "-r", help="The assistant reply.")],
    scenario: Annotated[str, typer.Option("--scenario", "-s",
                                          help="The user's message, or a Scenario as JSON.")],
    judge_model: JudgeModel = None,
    api_base: ApiBase = None,
    policy: PolicyOpt = "default",
    rubrics: RubricsOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Verdict as JSON.")] = False,
) -> None:
    """Grade one reply against one user message."""
    with _guard():
        judge = make_judge(judge_model, api_base, policy, rubrics)
        sc: object = scenario
        if scenario.lstrip().startswith("{"):
            try:
                sc = json.loads(scenario)
            except json.JSONDecodeError as exc:
                from .errors import InputError

                raise InputError(f"--scenario: invalid JSON ({exc.msg})") from None
        verdict = judge.grade(response, sc)  # type: ignore[arg-type]
    if as_json:
        print(json.dumps(verdict.model_dump(mode="json"), ensure_ascii=False, indent=2))
        return
    from .show import verdict_panel

    out.print(verdict_panel(verdict))


@app.command("grade-file")
def grade_file_cmd(
    src: Annotated[Path, typer.Argument(help="Input JSONL: response + scenario/user_message.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output JSONL of verdicts.")],
    judge_model: JudgeModel = None,
    api_base: ApiBase = None,
    policy: PolicyOpt = "default",
    rubrics: RubricsOpt = None,
    resume: Annotated[bool, typer.Option(help="Skip ids already in the output file.")] = False,
    concurrency: Annotated[int, typer.Option(help="Parallel grader calls (LLM judge).")] = 8,
    samples: Annotated[int, typer.Option(help="Grader samples per item (LLM judge).")] = 1,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Grade every row of a JSONL file into a JSONL file of verdicts (one per row, with its id)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from .batch import count_rows, done_ids, grade_file

    with _guard():
        total = count_rows(src)  # validate everything before the first grader call
        judge = make_judge(judge_model, api_base, policy, rubrics, samples)
        todo = max(0, total - (len(done_ids(output)) if resume else 0))
        bar = Progress("[progress.description]{task.description}", BarColumn(),
                       MofNCompleteColumn(), TimeRemainingColumn(), console=err,
                       disable=not progress)
        with bar:
            task = bar.add_task(f"grading with {judge.info.name}", total=todo)
            counts = grade_file(src, output, judge=judge, resume=resume, concurrency=concurrency,
                                on_result=lambda _v: bar.advance(task))
    summary = ", ".join(f"{k} {counts.get(k, 0)}" for k in ("PASS", "WARN", "FAIL", "error"))
    err.print(f"wrote {sum(counts.values())} verdicts to {output} ({summary})", highlight=False,
              soft_wrap=True)


@app.command()
def demo(
    judge_model: JudgeModel = None,
    api_base: ApiBase = None,
) -> None:
    """Grade the failure-mode card's three replies and a few bundled examples."""
    from .demo import DEMO_ITEMS

    with _guard():
        judge = make_judge(judge_model, api_base)
        table = Table(title=f"unsafe-reassurance demo — judge: {judge.info.name}")
        for col in ("example", "expected", "label", "domain", "required", "conveyed", "ordering"):
            table.add_column(col)
        agree = 0
        for item in DEMO_ITEMS:
            v = judge.grade(item.response, item.user_message)
            agree += v.label == item.expected
            colour = {"PASS": "green", "WARN": "yellow", "FAIL": "red"}.get(v.label or "", "magenta")
            table.add_row(item.name, item.expected, f"[{colour}]{v.label or 'error'}[/{colour}]",
                          v.domain or "-", str(v.required_urgency or "-"),
                          str(v.conveyed_urgency or "-"), (v.ordering or "-").replace("_", " "))
    out.print(table)
    out.print(f"{agree}/{len(DEMO_ITEMS)} match the expected label. "
              "Try: unsafe-reassurance grade --response '...' --scenario '...'", soft_wrap=True)


@rubrics_app.command("list")
def rubrics_list(rubrics: RubricsOpt = None) -> None:
    """List the available domains and their red flags."""
    from .rubrics import load_rubrics

    with _guard():
        loaded = load_rubrics(*(rubrics or []))
    table = Table(title="Domain rubrics")
    for col in ("domain", "title", "red flags", "highest urgency"):
        table.add_column(col)
    for name in sorted(loaded):
        r = loaded[name]
        top = max(f.min_urgency for f in r.red_flags)
        table.add_row(name, r.title, str(len(r.red_flags)), str(top))
    out.print(table)


@rubrics_app.command("validate")
def rubrics_validate(
    paths: Annotated[Optional[list[Path]], typer.Argument(  # noqa: UP045
        help="Rubric files or folders (default: the bundled rubrics).")] = None,
) -> None:
    """Validate rubric files strictly; exit 2 naming the file and field of the first problem."""
    from .rubrics import bundled_rubrics_dir, load_rubric, rubric_files

    failures = 0
    with _guard():
        files = [f for p in (paths or [bundled_rubrics_dir()]) for f in rubric_files(p)]
    for f in files:
        try:
            r = load_rubric(f)
        except UnsafeReassuranceError as exc:
            failures += 1
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
            continue
        out.print(f"ok  {f}  ({r.domain}: {len(r.red_flags)} red flags)", highlight=False)
    if failures:
        raise typer.Exit(2)


@rubrics_app.command("schema")
def rubrics_schema() -> None:
    """Print the rubric JSON Schema (docs/rubric.schema.json is generated from it)."""
    from .types import DomainRubric

    print(json.dumps(DomainRubric.model_json_schema(), indent=2))


def _register_commands() -> None:
    # Commands that live in their own modules; each imports its heavy dependencies lazily.
    from .cli_eval import evaluate_cmd
    from .cli_report import report

    app.command("eval")(evaluate_cmd)
    app.command("report")(report)


_register_commands()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
