"""The ``unsafe-reassurance`` command line (typer + rich): one module per command group.

Bad input prints one line naming the file/line/field to stderr and exits with code 2; there is
never a traceback for it.
"""

from __future__ import annotations

import sys

import typer

from ._common import err
from .batch import batch_app
from .eval import evaluate_cmd
from .filter import filter_cmd
from .grade import demo, grade, grade_file_cmd
from .probe import probe_cmd
from .report import report
from .rubrics import rubrics_app

__all__ = ["app", "main"]

app = typer.Typer(
    help="Grade AI assistant replies for unsafe reassurance (comfort despite red flags).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(grade)
app.command("grade-file")(grade_file_cmd)
app.command("filter")(filter_cmd)
app.command()(demo)
app.command("eval")(evaluate_cmd)
app.command("report")(report)
app.command("probe")(probe_cmd)
app.add_typer(rubrics_app, name="rubrics")
app.add_typer(batch_app, name="batch")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)
