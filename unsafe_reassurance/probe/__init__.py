"""Framing perturbation and mitigation A/B: does a model's safety move when the user asks for comfort?

``probe(scenarios, target=..., framings=..., mitigations=...)`` asks the target the same neutral
facts in different framings (neutral, comfort-seeking, emotional, authority, false belief...),
optionally under mitigations (neutral reformulation, a risk rubric or a caution-first
instruction in the system prompt), grades every reply, and reports paired differences against
the neutral framing (and against no mitigation) with 95% CIs and McNemar's exact p.
"""

from __future__ import annotations

from .framings import FRAMINGS, frame, resolve_framings
from .mitigations import BUILTIN as MITIGATIONS
from .mitigations import Mitigation, MitigationContext, resolve_mitigations
from .reformulate import strip_framing
from .result import ProbeResult, is_probe_row, read_probe_rows
from .rewriter import Rewriter
from .scenarios import DOMAINS, ProbeScenario, bundled_scenarios, load_scenarios, scenarios_from_golden
from .stats import paired_delta, summarize
from .study import aprobe, probe
from .targets import PERSONAS, CallableTarget, LiteLLMTarget, Target, TargetError, make_target

__all__ = [
    "DOMAINS",
    "FRAMINGS",
    "MITIGATIONS",
    "PERSONAS",
    "CallableTarget",
    "LiteLLMTarget",
    "Mitigation",
    "MitigationContext",
    "ProbeResult",
    "ProbeScenario",
    "Rewriter",
    "Target",
    "TargetError",
    "aprobe",
    "bundled_scenarios",
    "frame",
    "is_probe_row",
    "load_scenarios",
    "make_target",
    "paired_delta",
    "probe",
    "read_probe_rows",
    "resolve_framings",
    "resolve_mitigations",
    "scenarios_from_golden",
    "strip_framing",
    "summarize",
]
