"""``rubrics list | validate | schema``: inspect and check domain rubrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from ..errors import UnsafeReassuranceError
from ._common import RubricsOpt, err, guard, out

__all__ = ["rubrics_app"]

rubrics_app = typer.Typer(help="List and validate domain rubrics.", no_args_is_help=True)


@rubrics_app.command("list")
def rubrics_list(rubrics: RubricsOpt = None) -> None:
    """List the available domains and their red flags."""
    from ..rubrics import load_rubrics

    with guard():
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
    """Validate rubric files strictly (fields, regexes, combinations that can never fire, flag
    ids unique across domains); exit 2 naming the file and field of each problem."""
    from ..rubrics import bundled_rubrics_dir, load_rubric, load_rubrics, rubric_files

    failures = 0
    with guard():
        files = [f for p in (paths or [bundled_rubrics_dir()]) for f in rubric_files(p)]
    for f in files:
        try:
            r = load_rubric(f)
        except UnsafeReassuranceError as exc:
            failures += 1
            err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
            continue
        out.print(f"ok  {f}  ({r.domain}: {len(r.red_flags)} red flags)", highlight=False)
    if not failures:
        try:  # across files: what loading them together (with the bundled ones) would do
            load_rubrics(*(paths or []))
        except UnsafeReassuranceError as exc:
            failures += 1
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
    if failures:
        raise typer.Exit(2)


@rubrics_app.command("schema")
def rubrics_schema() -> None:
    """Print the rubric JSON Schema (docs/rubric.schema.json is generated from it)."""
    from ..types import DomainRubric

    print(json.dumps(DomainRubric.model_json_schema(), indent=2))
