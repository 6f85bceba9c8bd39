"""The LLM judge: a grader model reports findings, code derives the label.

The grader (:mod:`unsafe_reassurance.judges.grader`) imports litellm and instructor lazily, so
building an ``LLMJudge`` is cheap and ``import unsafe_reassurance`` never pays for them.
``render`` and ``verdict_from_text`` split one grade into "the prompt" and "the answer" for
provider batch jobs.

>>> judge = LLMJudge("gpt-4o-mini")                                       # doctest: +SKIP
>>> judge = LLMJudge("openai/smollm2", api_base="http://127.0.0.1:8080/v1")  # doctest: +SKIP
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ..errors import GraderError
from ..findings import Assessment, Findings
from ..policy import DEFAULT, Policy
from ..types import DomainRubric, Scenario, Usage, Verdict
from .base import BaseJudge, ScenarioLike
from .grader import MODES, Grader, LiteLLMGrader, parse_findings
from .prompts import PROMPT_VERSION, build_messages, pick_candidates

__all__ = ["MODES", "Grader", "LLMJudge", "LiteLLMGrader"]


class LLMJudge(BaseJudge):
    """Grade with an LLM: the grader reports findings, code derives the label.

    ``samples > 1`` asks the grader several times; the majority label wins and ``confidence`` is
    the share of samples that agree with it (an error sample counts as disagreement).
    """

    name = "llm"

    def __init__(
        self,
        model: str | None = None,
        *,
        grader: Grader | None = None,
        samples: int = 1,
        rubrics: Mapping[str, DomainRubric] | None = None,
        policy: Policy | str = DEFAULT,
        **grader_kwargs: Any,
    ) -> None:
        super().__init__(rubrics, policy=policy)
        if grader is None:
            if not model:
                raise ValueError("LLMJudge needs a litellm model name or a grader")
            grader = LiteLLMGrader(model, **grader_kwargs)
        self.grader = grader
        self.model = model or getattr(grader, "model", None) or type(grader).__name__
        self.samples = max(1, samples)
        self._candidates: dict[str, list[str]] = {}  # bare message -> ranked candidate domains

    def _assessment(self, scenario: Scenario, findings: Findings) -> Assessment:
        domain = scenario.domain or findings.domain or self._flag_owner(findings.red_flags_present)
        if domain is not None and domain not in self.rubrics:
            raise GraderError(f"grader named unknown domain {domain!r}")
        if domain is None:
            return Assessment(None, [], self.required_urgency(None, [], scenario), findings)
        rubric = self.rubrics[domain]
        if scenario.red_flags is not None:
            flags = rubric.with_combinations(scenario.red_flags)
        else:
            known = {f.id for f in rubric.red_flags}
            unknown = [f for f in findings.red_flags_present if f not in known]
            if unknown:
                findings.rationale += f" [ignored unknown red flag ids: {', '.join(unknown)}]"
            flags = rubric.with_combinations([f for f in findings.red_flags_present if f in known])
        return Assessment(domain, flags, self.required_urgency(domain, flags, scenario), findings)

    def _flag_owner(self, flag_ids: list[str]) -> str | None:
        """The domain of the first known flag id (ids are unique across the bundled rubrics),
        so flags reported from a candidate shown by id count even when 'domain' is null."""
        for fid in flag_ids:
            for name, rubric in self.rubrics.items():
                if any(f.id == fid for f in rubric.red_flags):
                    return name
        return None

    # -- the prompt and the grader's text: the seam batch export/import uses ------------------

    def _render(self, reply: str, sc: Scenario) -> tuple[list[dict[str, str]], list[str] | None]:
        if sc.domain:
            return build_messages(reply, sc, self.rubrics), None
        shown = self._candidates.get(sc.text)
        if shown is None:  # samples and preference pairs (chosen/rejected) share a message
            if len(self._candidates) >= 4096:
                self._candidates.clear()
            shown = self._candidates[sc.text] = pick_candidates(self.rubrics, sc.text)
        return build_messages(reply, sc, self.rubrics, candidates=shown), shown

    def render(self, response: str, scenario: ScenarioLike) -> list[dict[str, str]]:
        """The chat messages one grading call sends (input is validated as for
        :meth:`~unsafe_reassurance.judges.base.BaseJudge.grade`)."""
        reply, sc = self._prepare(response, scenario)
        return self._render(reply, sc)[0]

    def verdict_from_text(self, text: str | None, response: str, scenario: ScenarioLike,
                          *, usage: Usage | None = None) -> Verdict:
        """The verdict for a grader's answer obtained elsewhere (a provider batch job, a helper).

        Same findings -> policy path as :meth:`~unsafe_reassurance.judges.base.BaseJudge.grade`;
        unparseable or unusable text gives an error verdict naming why, never a label.
        """
        reply, sc = self._prepare(response, scenario)
        outcome: tuple[Assessment, Usage] | GraderError
        try:
            findings = parse_findings(text)
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            outcome = GraderError(f"grader output unparseable: {_one_line(exc)}")
        else:
            try:
                outcome = self._checked(sc, findings, self._render(reply, sc)[1], usage or Usage())
            except GraderError as exc:
                outcome = exc
        return self._finish(outcome, reply, sc)

    def _checked(self, sc: Scenario, findings: Findings, shown: list[str] | None,
                 usage: Usage) -> tuple[Assessment, Usage]:
        again = self._second_look(sc, findings, shown)
        if again is not None:
            raise GraderError(f"grader placed the message in domain {again.domain!r}, whose rubric "
                              "was not in the prompt; grade it again with that domain")
        return self._assessment(sc, findings), usage

    def _second_look(self, sc: Scenario, findings: Findings, shown: list[str] | None
                     ) -> Scenario | None:
        """A bare message the grader placed in a domain shown only by title: grade it again
        with that domain's rubric in full (one more call, for the few the ranking misses)."""
        if shown is None or findings.domain not in self.rubrics or findings.domain in shown:
            return None
        return sc.model_copy(update={"domain": findings.domain})

    def _assess(self, response: str, scenario: Scenario) -> tuple[Assessment, Usage]:
        messages, shown = self._render(response, scenario)
        findings, usage = self.grader.complete(messages)
        again = self._second_look(scenario, findings, shown)
        if again is None:
            return self._assessment(scenario, findings), usage
        findings, more = self.grader.complete(build_messages(response, again, self.rubrics))
        return self._assessment(again, findings), _add(usage, more)

    async def _aassess(self, response: str, scenario: Scenario) -> tuple[Assessment, Usage]:
        messages, shown = self._render(response, scenario)
        findings, usage = await self.grader.acomplete(messages)
        again = self._second_look(scenario, findings, shown)
        if again is None:
            return self._assessment(scenario, findings), usage
        findings, more = await self.grader.acomplete(build_messages(response, again, self.rubrics))
        return self._assessment(again, findings), _add(usage, more)

    def fingerprint(self) -> dict[str, Any]:
        """What determines this judge's verdicts, for caches and batch jobs (never the nonce)."""
        return {
            "judge": self.name,
            "model": self.model,
            "mode": getattr(self.grader, "mode", None),
            "temperature": getattr(self.grader, "temperature", None),
            "samples": self.samples,
            "policy": self.policy.name,
            "rubrics": rubrics_hash(self.rubrics),
            "prompt_version": PROMPT_VERSION,
        }

    def _combine(self, verdicts: list[Verdict]) -> Verdict:
        labels = [v.label for v in verdicts]
        counts = Counter(lab for lab in labels if lab is not None)
        if not counts:
            return verdicts[0].model_copy(update={"samples": labels, "confidence": 0.0})
        # Ties go to the more severe label: under uncertainty, do not round toward PASS.
        severity = {"FAIL": 2, "WARN": 1, "PASS": 0}
        top = max(counts, key=lambda lab: (counts[lab], severity[lab]))
        chosen = next(v for v in verdicts if v.label == top)
        usage = functools.reduce(_add, (v.usage for v in verdicts))
        return chosen.model_copy(update={"samples": labels, "usage": usage,
                                         "confidence": counts[top] / len(labels)})

    def grade(self, response: str, scenario: ScenarioLike) -> Verdict:
        if self.samples == 1:
            return super().grade(response, scenario)
        return self._combine([super(LLMJudge, self).grade(response, scenario)
                              for _ in range(self.samples)])

    async def agrade(self, response: str, scenario: ScenarioLike) -> Verdict:
        if self.samples == 1:
            return await super().agrade(response, scenario)
        import asyncio

        runs = [super(LLMJudge, self).agrade(response, scenario) for _ in range(self.samples)]
        return self._combine(list(await asyncio.gather(*runs)))


def findings_json_schema() -> str:
    """The JSON Schema the grader must fill (handy for debugging a local model)."""
    return json.dumps(Findings.model_json_schema(), indent=2)


def _add(a: Usage, b: Usage) -> Usage:
    """Sum of two usages; the cost is unknown (None) if either is."""
    unknown = a.cost_usd is None or b.cost_usd is None
    return Usage(prompt_tokens=a.prompt_tokens + b.prompt_tokens,
                 completion_tokens=a.completion_tokens + b.completion_tokens,
                 cost_usd=None if unknown else (a.cost_usd or 0.0) + (b.cost_usd or 0.0))


def rubrics_hash(rubrics: Mapping[str, DomainRubric]) -> str:
    """A short content hash of a rubric set (changes whenever any rubric text changes)."""
    blob = json.dumps({k: r.model_dump(mode="json") for k, r in sorted(rubrics.items())},
                      sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]
