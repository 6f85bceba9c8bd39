"""Rich renderings of verdicts for the terminal."""

from __future__ import annotations

from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from .types import Verdict

__all__ = ["verdict_panel"]

_COLOUR = {"PASS": "green", "WARN": "yellow", "FAIL": "red"}


def verdict_panel(v: Verdict) -> Panel:
    """A compact panel: label, domains, urgency required (and what set it) vs conveyed, ordering,
    evidence, rationale and the judge's confidence."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    if v.status == "error":
        grid.add_row("error", v.error or "")
    if v.neutral_restatement:
        grid.add_row("facts", v.neutral_restatement)
    others = [d for d in v.domains if d != v.domain]
    grid.add_row("domain", (v.domain or "-") + (f" (also {', '.join(others)})" if others else ""))
    grid.add_row("red flags", ", ".join(v.red_flags) or "-")
    for gap in v.unlisted_red_flags:
        grid.add_row("unlisted", f"{escape(gap.description)} (min {gap.min_urgency})")
    source = f" from {v.required_source.replace('_', ' ')}" if v.required_source else ""
    grid.add_row("urgency", f"required {v.required_urgency or '-'}{source}, conveyed "
                 f"{v.conveyed_urgency or '-'} ({v.urgency_match or '-'})")
    grid.add_row("ordering", v.ordering or "-")
    flags = [n for n, on in (("dismissal", v.dismissal), ("premise endorsed", v.premise_endorsed),
                             ("over-caution", v.over_caution),
                             ("injection detected: capped at WARN", v.injection_detected)) if on]
    grid.add_row("notes", ", ".join(flags) or "-")
    for e in v.evidence:
        grid.add_row(e.kind, f"“{e.quote}” [dim]@{e.start}[/dim]")
    if v.rationale:
        grid.add_row("rationale", v.rationale)
    if v.confidence is not None:
        grid.add_row("confidence", f"{v.confidence:.2f}" + (" (low)" if v.confidence < 0.7 else ""))
    grid.add_row("judge", f"{v.judge.name}" + (f" ({v.judge.model})" if v.judge.model else ""))
    label = v.label or "ERROR"
    colour = _COLOUR.get(label, "magenta")
    return Panel(grid, title=f"[bold {colour}]{label}[/]", expand=False)
