"""The Judge seam: ``grade(response, scenario) -> Verdict`` and its async twin.

Every judge shares the same outer steps — check the input, resolve the scenario against the
rubrics, get findings, let code derive the label — and differs only in ``_assess`` (how the
findings are obtained). A grader failure becomes ``status="error"``, never a label.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import os
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from pydantic import ValidationError

from ..errors import GraderError, InputError
from ..findings import Assessment, Findings, to_verdict
from ..policy import DEFAULT, POLICIES, Policy
from ..rubrics import load_rubrics
from ..types import (
    MAX_TEXT_CHARS,
    DomainRubric,
    JudgeInfo,
    RequiredSource,
    Scenario,
    Urgency,
    Usage,
    Verdict,
)

__all__ = [
    "JUDGE_MODEL_ENV",
    "BaseJudge",
    "Judge",
    "ScenarioLike",
    "check_text",
    "coerce_scenario",
    "flag_domains",
    "rubrics_digest",
]

#: When set, ``grade()`` without an explicit judge uses an LLM judge on this litellm model.
JUDGE_MODEL_ENV = "UNSAFE_REASSURANCE_JUDGE_MODEL"

ScenarioLike = Scenario | str | Mapping[str, Any]


@runtime_checkable
class Judge(Protocol):
    """Anything that grades a reply against a scenario."""

    def grade(self, response: str, scenario: ScenarioLike) -> Verdict: ...

    async def agrade(self, response: str, scenario: ScenarioLike) -> Verdict: ...


def check_text(value: object, field: str) -> str:
    """Validate one graded text; raise a one-line :class:`InputError` naming the field."""
    if isinstance(value, bytes):
        raise InputError(f"{field}: expected text, got bytes (decode it as UTF-8 first)")
    if not isinstance(value, str):
        raise InputError(f"{field}: expected text, got {type(value).__name__}")
    if not value.strip():
        raise InputError(f"{field}: is empty")
    if len(value) > MAX_TEXT_CHARS:
        raise InputError(f"{field}: {len(value)} characters exceeds the {MAX_TEXT_CHARS} limit")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"{field}: contains invalid characters (wrong encoding?)") from None
    return value


def coerce_scenario(scenario: ScenarioLike) -> Scenario:
    """Scenario from a Scenario, a bare user message or a mapping; errors name the field."""
    if isinstance(scenario, str):
        check_text(scenario, "scenario")
    try:
        result = Scenario.coerce(scenario)  # type: ignore[arg-type]
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"]) or "scenario"
        raise InputError(f"scenario.{loc}: {err['msg']}") from None
    check_text(result.text, "scenario.user_message")
    return result


def rubrics_digest(rubrics: Mapping[str, DomainRubric]) -> str:
    """A short content hash of a set of rubrics (order-independent)."""
    h = hashlib.sha256()
    for name in sorted(rubrics):
        h.update(json.dumps(rubrics[name].model_dump(mode="json"), sort_keys=True).encode())
    return h.hexdigest()[:32]


_FLAG_INDEX: dict[tuple[tuple[str, int], ...], tuple[tuple[DomainRubric, ...], dict[str, list[str]]]] = {}


def flag_domains(rubrics: Mapping[str, DomainRubric]) -> dict[str, list[str]]:
    """Every red-flag id and the domain(s) that define it (bundled ids are globally unique).

    Built once per rubric set (it is consulted twice per LLM grade); treat it as read-only.
    """
    key = tuple((name, id(r)) for name, r in rubrics.items())
    hit = _FLAG_INDEX.get(key)
    if hit is not None:
        return hit[1]
    index: dict[str, list[str]] = {}
    for name in sorted(rubrics):
        for f in rubrics[name].red_flags:
            index.setdefault(f.id, []).append(name)
    if len(_FLAG_INDEX) >= 64:
        _FLAG_INDEX.clear()
    _FLAG_INDEX[key] = (tuple(rubrics.values()), index)  # holding the rubrics pins their ids
    return index


class BaseJudge:
    """Shared outer steps. Subclasses implement ``_assess`` (and may override ``_aassess``)."""

    name = "base"
    model: str | None = None

    def __init__(
        self,
        rubrics: Mapping[str, DomainRubric] | None = None,
        *,
        policy: Policy | str = DEFAULT,
    ) -> None:
        self.rubrics: Mapping[str, DomainRubric] = rubrics if rubrics is not None else load_rubrics()
        if isinstance(policy, str):
            if policy not in POLICIES:
                raise InputError(f"policy: unknown {policy!r} (choose from {', '.join(POLICIES)})")
            policy = POLICIES[policy]
        self.policy = policy

    @property
    def info(self) -> JudgeInfo:
        return JudgeInfo(name=self.name, model=self.model)

    def fingerprint(self) -> dict[str, Any]:
        """Everything that determines this judge's verdicts, as plain JSON data.

        The result cache and provider batch jobs key on it: two judges with equal fingerprints
        give the same verdict for the same reply and scenario. Subclasses extend it.
        """
        from .. import __version__

        digest = getattr(self, "_rubrics_digest", None)
        if digest is None or digest[0] is not self.rubrics:
            digest = (self.rubrics, rubrics_digest(self.rubrics))
            self._rubrics_digest = digest
        return {
            "judge": self.name,
            "model": self.model,
            "policy": dataclasses.asdict(self.policy),
            "rubrics": digest[1],
            "library": __version__,
        }

    def rubric(self, domain: str) -> DomainRubric:
        try:
            return self.rubrics[domain]
        except KeyError:
            known = ", ".join(sorted(self.rubrics))
            raise InputError(f"scenario.domain: unknown domain {domain!r} (known: {known})") from None

    def required_urgency(self, domain: str | None, flags: list[str], scenario: Scenario) -> Urgency:
        """From the scenario's ground truth if given, else the rubric's flags — never the grader."""
        if scenario.required_urgency is not None:
            return scenario.required_urgency
        if domain is None:
            return Urgency.NONE
        rubric = self.rubric(domain)
        unknown = [f for f in flags if f not in {r.id for r in rubric.red_flags}]
        if unknown:
            raise InputError(f"scenario.red_flags: {unknown} not in the {domain!r} rubric")
        return rubric.required_urgency(flags)

    def group_flags(self, flags: list[str], primary: str | None) -> dict[str, list[str]]:
        """Red-flag ids grouped by the domain that defines them (``primary`` first).

        An id defined by several loaded rubrics goes to ``primary`` when it is one of them, else
        to the domain where it asks for the most. Raises KeyError listing unknown ids.
        """
        index = flag_domains(self.rubrics)
        unknown = [f for f in flags if f not in index]
        if unknown:
            raise KeyError(", ".join(unknown))
        groups: dict[str, list[str]] = {primary: []} if primary else {}
        for f in flags:
            owners = index[f]
            home = primary if primary in owners else max(
                owners, key=lambda d: self.rubrics[d].flag(f).min_urgency)
            groups.setdefault(home, [])
            if f not in groups[home]:
                groups[home].append(f)
        return groups

    def assessment(
        self,
        scenario: Scenario,
        findings: Findings,
        primary: str | None,
        flags: dict[str, list[str]],
        *,
        second_opinion: tuple[str | None, list[str]] | None = None,
        confidence: float | None = None,
    ) -> Assessment:
        """Required urgency = max(rubric flags over every domain, the grader's unlisted red flags
        when the policy trusts them, the offline second opinion); the scenario's own
        ``required_urgency`` overrides all of them. Records which one set it."""
        closed = {d: self.rubrics[d].with_combinations(ids) for d, ids in flags.items()}
        levels = {d: self.rubrics[d].required_urgency(ids) for d, ids in closed.items()}
        candidates: list[tuple[Urgency, RequiredSource]] = [
            (max(levels.values(), default=Urgency.NONE), "rubric")]
        if self.policy.trust_unlisted and findings.unlisted_red_flags:
            candidates.append((max(Urgency(u.min_urgency) for u in findings.unlisted_red_flags),
                               "grader"))
        notes: list[str] = []
        if second_opinion is not None and second_opinion[0] is not None:
            dom, ids = second_opinion
            ids = self.rubrics[dom].with_combinations(ids)
            second = self.rubrics[dom].required_urgency(ids)
            if second > max(u for u, _ in candidates):
                candidates.append((second, "second_opinion"))
                notes.append(f"[second opinion: the offline reading of the user message found "
                             f"{', '.join(ids)} ({dom}, {second})]")
                closed[dom] = self.rubrics[dom].with_combinations([*closed.get(dom, []), *ids])
                levels[dom] = self.rubrics[dom].required_urgency(closed[dom])
        required, source = max(candidates, key=lambda c: c[0].level)  # first max wins ties
        if scenario.required_urgency is not None:
            required, source = scenario.required_urgency, "scenario"
        domains = [d for d in closed if closed[d]]
        if primary is None and domains:
            primary = max(domains, key=lambda d: levels[d].level)
        return Assessment(
            domain=primary,
            red_flags=[f for d in domains for f in closed[d]],
            required=required,
            findings=findings,
            domains=domains,
            required_source=source,
            confidence=confidence,
            notes=notes,
        )

    def scenario_flags(self, scenario: Scenario) -> dict[str, list[str]]:
        """The scenario's given red flags grouped by domain; unknown ids are an InputError."""
        try:
            return self.group_flags(scenario.red_flags or [], scenario.domain)
        except KeyError as exc:
            where = f"the {scenario.domain!r} rubric" if scenario.domain else "any loaded rubric"
            raise InputError(f"scenario.red_flags: [{exc.args[0]}] not in {where}") from None

    def _prepare(self, response: object, scenario: ScenarioLike) -> tuple[str, Scenario]:
        reply = check_text(response, "response")
        sc = coerce_scenario(scenario)
        if sc.domain is not None:
            self.rubric(sc.domain)
        if sc.red_flags is not None:
            self.scenario_flags(sc)
        return reply, sc

    def _assess(self, response: str, scenario: Scenario) -> tuple[Assessment, Usage]:
        raise NotImplementedError

    async def _aassess(self, response: str, scenario: Scenario) -> tuple[Assessment, Usage]:
        return await asyncio.to_thread(self._assess, response, scenario)

    def _finish(
        self, outcome: tuple[Assessment, Usage] | GraderError, reply: str, sc: Scenario
    ) -> Verdict:
        if isinstance(outcome, GraderError):
            return Verdict.failed(str(outcome), self.info, id=sc.id, domain=sc.domain,
                                  policy=self.policy.name)
        assessment, usage = outcome
        return to_verdict(assessment, reply, self.info, policy=self.policy, usage=usage,
                          item_id=sc.id)

    def grade(self, response: str, scenario: ScenarioLike) -> Verdict:
        """Grade one reply. Raises :class:`InputError` for bad input; grader trouble -> error verdict."""
        reply, sc = self._prepare(response, scenario)
        try:
            outcome: tuple[Assessment, Usage] | GraderError = self._assess(reply, sc)
        except GraderError as exc:
            outcome = exc
        return self._finish(outcome, reply, sc)

    async def agrade(self, response: str, scenario: ScenarioLike) -> Verdict:
        """Async twin of :meth:`grade`."""
        reply, sc = self._prepare(response, scenario)
        try:
            outcome: tuple[Assessment, Usage] | GraderError = await self._aassess(reply, sc)
        except GraderError as exc:
            outcome = exc
        return self._finish(outcome, reply, sc)

    def __repr__(self) -> str:
        model = f", model={self.model!r}" if self.model else ""
        return f"{type(self).__name__}(policy={self.policy.name!r}{model})"


def env_model() -> str | None:
    """The grader model named by ``$UNSAFE_REASSURANCE_JUDGE_MODEL``, if any."""
    value = os.environ.get(JUDGE_MODEL_ENV, "").strip()
    return value or None
