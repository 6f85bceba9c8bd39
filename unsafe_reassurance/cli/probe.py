"""``unsafe-reassurance probe``: ask a model the same facts in different framings and compare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from ._common import (
    ApiBase,
    JudgeModel,
    NoCacheOpt,
    PolicyOpt,
    RubricsOpt,
    err,
    guard,
    make_judge,
    out,
    with_cache,
)

__all__ = ["probe_cmd"]

Opt = Optional  # typer needs Optional (not X | None) on 3.10


def _split(value: str | None) -> list[str] | None:
    return None if value is None else [v.strip() for v in value.split(",") if v.strip()]


def _callable(spec: str) -> Any:
    """``package.module:function`` -> the function (for --target-callable)."""
    import importlib

    from ..errors import InputError

    module, _, attr = spec.partition(":")
    if not module or not attr:
        raise InputError(f"--target-callable: expected 'module:function', got {spec!r}")
    try:
        obj = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except (ImportError, AttributeError) as exc:
        raise InputError(f"--target-callable: cannot load {spec!r} ({exc})") from None
    if not callable(obj):
        raise InputError(f"--target-callable: {spec!r} is not callable")
    return obj


def _scenarios(scenarios: Path | None, golden: Path | None, domains: list[str] | None,
               per_domain: int | None, rubrics: Any) -> list[Any]:
    from ..errors import InputError
    from ..probe.scenarios import DOMAINS, bundled_scenarios, load_scenarios, scenarios_from_golden

    if scenarios and golden:
        raise InputError("--scenarios and --golden: give one, not both")
    if golden:
        items = scenarios_from_golden(golden, {d: r.comforting_explanations
                                               for d, r in rubrics.items()})
    elif scenarios:
        items = load_scenarios(scenarios)
    else:
        items = bundled_scenarios()
    if domains:
        known = {s.domain for s in items} | set(DOMAINS)
        unknown = [d for d in domains if d not in known]
        if unknown:
            raise InputError(f"--domains: unknown {', '.join(unknown)}")
        items = [s for s in items if s.domain in set(domains)]
    if per_domain is not None:
        seen: dict[str | None, int] = {}
        kept = []
        for s in items:
            seen[s.domain] = seen.get(s.domain, 0) + 1
            if seen[s.domain] <= per_domain:
                kept.append(s)
        items = kept
    if not items:
        raise InputError("no scenarios left to probe (check --domains / --per-domain)")
    return items


def probe_cmd(
    scenarios: Annotated[Opt[Path], typer.Option(
        "--scenarios", "-s", help="JSONL of {id, facts, domain?, required_urgency?, "
        "comforting_explanation?} (default: the bundled set).")] = None,
    golden: Annotated[Opt[Path], typer.Option(
        "--golden", help="Use a golden set's messages (framing stripped) as scenarios.")] = None,
    domains: Annotated[Opt[str], typer.Option(help="Only these domains (comma-separated).")] = None,
    per_domain: Annotated[Opt[int], typer.Option(help="At most N scenarios per domain.")] = None,
    framings: Annotated[Opt[str], typer.Option(
        help="Comma-separated framings (default: all).")] = None,
    mitigations: Annotated[str, typer.Option(
        help="Comma-separated: none, neutral_reformulation, risk_rubric, caution_first.")] = "none",
    target_model: Annotated[Opt[str], typer.Option(
        "--target-model", "-t", envvar="UNSAFE_REASSURANCE_TARGET_MODEL",
        help="litellm model to probe, e.g. openai/smollm2.")] = None,
    target_api_base: Annotated[Opt[str], typer.Option(
        help="OpenAI-compatible URL of the target, e.g. http://127.0.0.1:8080/v1.")] = None,
    target_callable: Annotated[Opt[str], typer.Option(
        help="Probe a Python function instead: 'package.module:function'.")] = None,
    persona: Annotated[Opt[str], typer.Option(help="Named system prompt: warm.")] = None,
    system_prompt: Annotated[Opt[str], typer.Option(help="System prompt for the target.")] = None,
    samples: Annotated[int, typer.Option(help="Replies per message.")] = 1,
    temperature: Annotated[float, typer.Option(help="Target sampling temperature.")] = 0.7,
    max_tokens: Annotated[int, typer.Option(help="Target reply token limit.")] = 300,
    target_timeout: Annotated[float, typer.Option(help="Seconds per target request.")] = 120.0,
    target_max_attempts: Annotated[int, typer.Option(
        help="Attempts per target request, retries included.")] = 3,
    concurrency: Annotated[int, typer.Option(help="Parallel target requests.")] = 4,
    rewriter_model: Annotated[Opt[str], typer.Option(
        help="litellm model that rewrites framings into natural variants.")] = None,
    rewriter_api_base: Annotated[Opt[str], typer.Option(help="URL of the rewriter model.")] = None,
    judge_model: JudgeModel = None,
    api_base: ApiBase = None,
    policy: PolicyOpt = "default",
    rubrics: RubricsOpt = None,
    no_cache: NoCacheOpt = False,
    output: Annotated[Opt[Path], typer.Option("-o", "--output", help="Results JSONL.")] = None,
    html_out: Annotated[Opt[Path], typer.Option("--html", help="Write an HTML report.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print only the summary JSON.")] = False,
    progress: Annotated[bool, typer.Option(help="Show a progress bar on stderr.")] = True,
) -> None:
    """Framing perturbation: the same facts, neutral vs comfort-seeking (and more), per mitigation."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from ..errors import InputError
    from ..probe.render import summary_tables, to_html
    from ..probe.rewriter import Rewriter
    from ..probe.study import probe
    from ..probe.targets import LiteLLMTarget

    with guard():
        if target_callable and target_model:
            raise InputError("--target-model and --target-callable: give one, not both")
        if not target_callable and not target_model:
            raise InputError("--target-model: required (a litellm model, e.g. openai/smollm2)")
        judge = with_cache(make_judge(judge_model, api_base, policy, rubrics), no_cache)
        items = _scenarios(scenarios, golden, _split(domains), per_domain, judge.rubrics)
        target: Any = (_callable(target_callable) if target_callable else LiteLLMTarget(
            target_model or "", api_base=target_api_base, temperature=temperature,
            max_tokens=max_tokens, timeout=target_timeout, max_attempts=target_max_attempts))
        rewriter = (Rewriter(rewriter_model, api_base=rewriter_api_base, timeout=target_timeout,
                             max_attempts=target_max_attempts) if rewriter_model else None)
        bar = Progress("[progress.description]{task.description}", BarColumn(),
                       MofNCompleteColumn(), TimeRemainingColumn(), console=err,
                       disable=not progress)
        with bar:
            task = bar.add_task("probing", total=None)
            result = probe(items, target=target, framings=_split(framings) or None,
                           mitigations=_split(mitigations), judge=judge, samples=samples,
                           concurrency=concurrency, system_prompt=system_prompt,
                           persona=persona, rewriter=rewriter,
                           on_progress=lambda done, total: bar.update(task, completed=done,
                                                                       total=total))
        if output is not None:
            result.to_jsonl(output)
            err.print(f"wrote {len(result.rows)} rows to {output}", highlight=False,
                      soft_wrap=True)
        summary = result.summary()
        if html_out is not None:
            from ..report.render import MissingExtraError

            try:
                html_out.write_text(to_html(summary, meta=result.meta), encoding="utf-8")
            except MissingExtraError as exc:
                raise InputError(str(exc)) from None
            err.print(f"wrote {html_out}", highlight=False, soft_wrap=True)
        if result.rows and result.errors == len(result.rows):
            first = next(r["error"] for r in result.rows if r.get("error"))
            raise InputError(f"every request failed; first error: {first}")
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    for table in summary_tables(summary):
        out.print(table)
    if summary["errors"]:
        err.print(f"{summary['errors']} error row(s) counted and left out of the rates",
                  highlight=False)
