"""Probe outputs: terminal tables, Markdown, a forest plot of framing deltas, a framing × domain
heatmap, and one self-contained HTML page (figures need the ``report`` extra: matplotlib)."""

from __future__ import annotations

import html
import json
from typing import Any

from rich.table import Table

__all__ = [
    "domain_heatmap", "forest_plot", "render", "summary_tables", "to_csv", "to_html", "to_markdown",
]


def _pct(v: float | None) -> str:
    return "-" if v is None else f"{v:.0%}"


def _delta(v: float | None, ci: list[float] | None) -> str:
    if v is None:
        return "-"
    return f"{v:+.2f}" + (f" [{ci[0]:+.2f}, {ci[1]:+.2f}]" if ci else "")


def _p(v: float | None) -> str:
    return "-" if v is None else (f"{v:.2g}" if v < 0.001 else f"{v:.3f}")


def _rows(summary: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    out = [("none", f, e) for f, e in summary.get("framings", {}).items()]
    for m, block in summary.get("mitigations", {}).items():
        out.extend((m, f, e) for f, e in block["framings"].items())
    return out


_HEAD = ["mitigation", "framing", "n", "err", "unsafe", "FAIL", "gap", "Δ unsafe vs neutral [95% CI]",
         "p", "Δ FAIL vs neutral", "Δ unsafe vs none"]


def _cells(m: str, f: str, e: dict[str, Any]) -> list[str]:
    gap = e.get("mean_urgency_gap")
    return [m, f, str(e["n"]), str(e["errors"]), _pct(e["unsafe_rate"]), _pct(e["fail_rate"]),
            "-" if gap is None else f"{gap:+.2f}",
            _delta(e.get("delta_unsafe_vs_neutral"), e.get("ci")), _p(e.get("p_value")),
            _delta(e.get("delta_fail_vs_neutral"), e.get("ci_fail")),
            _delta(e.get("delta_unsafe_vs_none"), e.get("ci_vs_none"))]


def summary_tables(summary: dict[str, Any]) -> list[Table]:
    """Rich tables: framings per mitigation, then each mitigation against none."""
    t = Table(title="Framing probe: unsafe = WARN + FAIL; Δ is paired on the same scenarios",
              caption="gap: mean conveyed - required urgency (levels); p: McNemar exact")
    for h in _HEAD:
        t.add_column(h, justify="left" if h in ("mitigation", "framing") else "right")
    for m, f, e in _rows(summary):
        t.add_row(*_cells(m, f, e))
    tables = [t]
    if summary.get("mitigations"):
        t2 = Table(title="Mitigations against none (all framings, paired)")
        for h in ("mitigation", "n", "unsafe", "Δ unsafe vs none [95% CI]", "p"):
            t2.add_column(h)
        for m, b in summary["mitigations"].items():
            t2.add_row(m, str(b["n"]), _pct(b["unsafe_rate"]),
                       _delta(b["delta_unsafe_vs_none"], b["ci"]), _p(b["p_value"]))
        tables.append(t2)
    return tables


def to_markdown(summary: dict[str, Any]) -> str:
    lines = ["| " + " | ".join(_HEAD) + " |", "|" + "---|" * len(_HEAD)]
    lines += ["| " + " | ".join(_cells(m, f, e)) + " |" for m, f, e in _rows(summary)]
    return "\n".join(lines) + "\n"


def forest_plot(summary: dict[str, Any]) -> Any:
    """Δ unsafe rate vs neutral with 95% CIs, one row per framing, one marker per mitigation."""
    from ..report.render import _plt

    plt = _plt()
    rows = [(m, f, e) for m, f, e in _rows(summary) if f != "neutral"]
    mits = list(dict.fromkeys(m for m, _, _ in rows))
    frames = list(dict.fromkeys(f for _, f, _ in rows))
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(frames) * max(1, len(mits)) + 1.5))
    step = 0.8 / max(1, len(mits))
    for k, m in enumerate(mits):
        ys, xs, lo, hi = [], [], [], []
        for m2, f, e in rows:
            d = e.get("delta_unsafe_vs_neutral")
            if m2 != m or d is None:
                continue
            ci = e.get("ci") or [d, d]
            ys.append(frames.index(f) + k * step)
            xs.append(d)
            lo.append(d - ci[0])
            hi.append(ci[1] - d)
        ax.errorbar(xs, ys, xerr=[lo, hi], fmt="o", capsize=3, label=m)
    ax.axvline(0, color="grey", lw=1, ls="--")
    ax.set_yticks([i + step * (len(mits) - 1) / 2 for i in range(len(frames))], frames)
    ax.invert_yaxis()
    ax.set_xlim(-1.05, 1.05)
    ax.set_xlabel("Δ unsafe rate vs neutral framing (paired, 95% CI)")
    ax.legend(title="mitigation", fontsize=8)
    ax.set_title("Framing effects")
    fig.tight_layout()
    return fig


def domain_heatmap(summary: dict[str, Any], *, mitigation: str = "none") -> Any:
    """Unsafe rate per framing (rows) × domain (columns) for one mitigation."""
    from ..report.render import _plt

    plt = _plt()
    cells = [c for c in summary.get("cells", []) if c["mitigation"] == mitigation]
    frames = list(dict.fromkeys(c["framing"] for c in cells))
    domains = sorted({c["domain"] or "-" for c in cells})
    grid = [[float("nan")] * len(domains) for _ in frames]
    for c in cells:
        if c["unsafe_rate"] is not None:
            grid[frames.index(c["framing"])][domains.index(c["domain"] or "-")] = c["unsafe_rate"]
    fig, ax = plt.subplots(figsize=(max(6, 0.45 * len(domains) + 3), 0.45 * len(frames) + 2))
    im = ax.imshow(grid, cmap="Reds", vmin=0, vmax=1, aspect="auto")
    for i, row in enumerate(grid):
        for j, v in enumerate(row):
            if v == v:  # not NaN
                ax.text(j, i, f"{v:.0%}", ha="center", va="center", fontsize=6,
                        color="white" if v > 0.6 else "black")
    ax.set_xticks(range(len(domains)), domains, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(frames)), frames, fontsize=8)
    fig.colorbar(im, ax=ax, label="unsafe rate (WARN + FAIL)")
    ax.set_title(f"Unsafe rate by framing and domain (mitigation: {mitigation})")
    fig.tight_layout()
    return fig


def to_html(summary: dict[str, Any], *, title: str = "Framing probe",
            meta: dict[str, Any] | None = None) -> str:
    """One self-contained page: the summary table, the forest plot, the heatmap, the JSON."""
    from ..report.render import _png

    head = "".join(f"<th>{html.escape(h)}</th>" for h in _HEAD)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in _cells(m, f, e))
                   + "</tr>" for m, f, e in _rows(summary))
    figs = [("Framing effects", forest_plot(summary)),
            ("Unsafe rate by framing and domain", domain_heatmap(summary))]
    imgs = "".join(f"<h2>{html.escape(t)}</h2><img alt=\"{html.escape(t)}\" "
                   f"src=\"data:image/png;base64,{_png(f)}\">" for t, f in figs)
    about = "".join(f"<li>{html.escape(str(k))}: {html.escape(str(v))}</li>"
                    for k, v in (meta or {}).items() if v is not None)
    data = json.dumps(summary).replace("</", "<\\/")
    return (
        "<!doctype html><html><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>body{{font-family:sans-serif;margin:2em;"
        "max-width:1200px}table{border-collapse:collapse;font-size:90%}td,th{border:1px solid "
        "#ccc;padding:3px 6px}img{max-width:100%}</style></head><body>"
        f"<h1>{html.escape(title)}</h1><ul>{about}</ul>"
        f"<p>{summary['n_rows']} replies, {summary['errors']} errors (excluded from rates). "
        "Unsafe = WARN or FAIL. Δ is the paired difference in unsafe rate against the neutral "
        "framing on the same scenarios and samples, with a 95% scenario-level bootstrap CI; p is "
        "McNemar's exact test.</p>"
        f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{imgs}"
        f"<script type=\"application/json\" id=\"probe-summary\">{data}</script></body></html>"
    )


_CELL_KEYS = ["mitigation", "framing", "domain", "n", "errors", "unsafe_rate", "fail_rate",
              "mean_urgency_gap", "delta_unsafe_vs_neutral", "ci", "p_value", "n_pairs"]


def to_csv(summary: dict[str, Any]) -> str:
    """One line per framing × domain × mitigation cell."""
    import csv
    import io

    buf = io.StringIO()
    w = csv.writer(buf)
    keys = [k for k in _CELL_KEYS if k != "ci"]
    w.writerow([*keys, "ci_low", "ci_high"])
    for c in summary.get("cells", []):
        ci = c.get("ci") or ["", ""]
        w.writerow([*("" if c.get(k) is None else c[k] for k in keys), *ci])
    return buf.getvalue()


def render(summary: dict[str, Any], fmt: str) -> str | list[Table]:
    """The summary as json / md / csv / html text, or rich tables for ``table``."""
    if fmt == "table":
        return summary_tables(summary)
    return {"json": lambda: json.dumps(summary, indent=2), "md": lambda: to_markdown(summary),
            "csv": lambda: to_csv(summary), "html": lambda: to_html(summary)}[fmt]()
