"""``batch export | import``: grade through a provider's batch API (or by hand) instead of live.

    unsafe-reassurance batch export rows.jsonl -o requests.jsonl --judge-model gpt-4o-mini
    # upload requests.jsonl to the provider's batch API, download the results, then:
    unsafe-reassurance batch import results.jsonl --rows rows.jsonl -o verdicts.jsonl
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ._common import JudgeModel, PolicyOpt, RubricsOpt, err, guard, make_judge

__all__ = ["batch_app"]

batch_app = typer.Typer(help="Provider batch jobs: export grading requests, import the results.",
                        no_args_is_help=True)


@batch_app.command("export")
def export_cmd(
    src: Annotated[Path, typer.Argument(help="Rows JSONL (as for grade-file).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Requests JSONL to upload.")],
    judge_model: JudgeModel = None,
    fmt: Annotated[str, typer.Option(
        "--format", help="openai (Batch API), anthropic (Message Batches) or prompts "
        "({custom_id, messages} to answer by hand).")] = "openai",
    mode: Annotated[str, typer.Option(
        help="openai only: json_schema (structured outputs) or json (JSON mode, schema in the "
        "prompt).")] = "json_schema",
    max_tokens: Annotated[int, typer.Option(help="anthropic only: max_tokens per answer.")] = 1024,
    rubrics: RubricsOpt = None,
) -> None:
    """Write one grading request per row, in a provider's batch format."""
    from ..errors import InputError
    from ..run.provider_batch import FORMATS, export_requests

    with guard():
        if fmt not in FORMATS:
            raise InputError(f"--format: unknown {fmt!r} (choose from {', '.join(FORMATS)})")
        if mode not in ("json_schema", "json"):
            raise InputError(f"--mode: unknown {mode!r} (choose from json_schema, json)")
        if fmt != "prompts" and not judge_model:
            raise InputError(f"--judge-model: required for --format {fmt} (the model to batch)")
        judge = make_judge(judge_model or "prompts", rubric_paths=rubrics)
        n = export_requests(src, output, judge=judge, fmt=fmt, mode=mode,  # type: ignore[arg-type]
                            max_tokens=max_tokens)
    err.print(f"wrote {n} {fmt} request(s) to {output}", highlight=False, soft_wrap=True)


@batch_app.command("import")
def import_cmd(
    results: Annotated[list[Path], typer.Argument(
        help="Results JSONL file(s): OpenAI output/error files, Anthropic results, or "
        "{custom_id, content} lines.")],
    rows: Annotated[Path, typer.Option("--rows", help="The rows JSONL that was exported.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Verdicts JSONL.")],
    judge_model: Annotated[Optional[str], typer.Option(  # noqa: UP045
        "--judge-model", "-m", help="Model name recorded in verdicts when results lack one.")] = None,
    policy: PolicyOpt = "default",
    rubrics: RubricsOpt = None,
    missing: Annotated[str, typer.Option(
        help="Rows without a result: error (an error verdict each) or skip (left for a later "
        "import with --resume).")] = "error",
    resume: Annotated[bool, typer.Option(help="Keep verdicts already in the output file.")] = False,
) -> None:
    """Turn batch results into verdicts (same findings -> policy path as a live grade)."""
    from ..errors import InputError
    from ..run.provider_batch import import_results

    with guard():
        if missing not in ("error", "skip"):
            raise InputError(f"--missing: unknown {missing!r} (choose from error, skip)")
        judge = make_judge(judge_model or "batch", policy=policy, rubric_paths=rubrics)
        counts = import_results(results, rows, output, judge=judge, missing=missing,  # type: ignore[arg-type]
                                resume=resume)
    summary = ", ".join(f"{k} {counts.get(k, 0)}" for k in ("PASS", "WARN", "FAIL", "error"))
    err.print(f"wrote {sum(counts.values())} verdicts to {output} ({summary})", highlight=False,
              soft_wrap=True)
