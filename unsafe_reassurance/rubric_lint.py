"""The combination lint: reject a combination flag that could never be present.

A combination (``all_of``) is present when every item holds; an item is a flag id or
``{any_of: [ids]}``. Loading already rejects ids that are not defined. This lint adds the rule:

    A combination may not name itself, directly or through other combinations (a cycle), and it
    must have at least one *way to fire*: a set of cue-detected (plain) flags that completes it
    such that no two flags present together — the way's flags plus every combination they
    complete — are declared mutually exclusive (``excludes``, read symmetrically).

Otherwise it is an error naming the flag and the reason (the cycle, or the exclusive pair that
every way runs into). The check is exact for the declared relations: it enumerates the ways,
so a combination passes only if one concrete set of flags really makes it fire.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import product
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .types import DomainRubric, RedFlag

__all__ = ["unsatisfiable_combinations"]

_MAX_WAYS = 10_000  # far above any real rubric; a guard against pathological files


def _ids(item: object) -> list[str]:
    return [item] if isinstance(item, str) else list(item.any_of)  # type: ignore[attr-defined]


class _Cycle(Exception):
    def __init__(self, path: list[str]) -> None:
        super().__init__(" -> ".join(path))


def _ways(flags: dict[str, RedFlag], fid: str, path: tuple[str, ...]) -> Iterator[frozenset[str]]:
    """Every set of plain flags that makes ``fid`` present (lazily; raises _Cycle)."""
    if fid in path:
        raise _Cycle([*path, fid])
    flag = flags[fid]
    if flag.cues:
        yield frozenset({fid})
    if not flag.all_of:
        return
    here = (*path, fid)
    options = [
        [way for alt in _ids(item) for way in _ways(flags, alt, here)] for item in flag.all_of
    ]
    for combo in product(*options):
        yield frozenset().union(*combo)


def _closure(flags: dict[str, RedFlag], base: frozenset[str]) -> set[str]:
    present = set(base)
    changed = True
    while changed:
        changed = False
        for f in flags.values():
            if f.id not in present and f.completed_by(present):
                present.add(f.id)
                changed = True
    return present


def _clash(present: set[str], exclusive: set[frozenset[str]]) -> tuple[str, str] | None:
    for pair in exclusive:
        if pair <= present:
            a, b = sorted(pair)
            return a, b
    return None


def unsatisfiable_combinations(rubric: DomainRubric) -> str | None:
    """A one-line description of the first combination that can never fire, else None."""
    flags = {f.id: f for f in rubric.red_flags}
    exclusive = {frozenset((f.id, other)) for f in rubric.red_flags for other in f.excludes}
    for flag in rubric.red_flags:
        if not flag.all_of:
            continue
        clash: tuple[str, str] | None = None
        try:
            for n, way in enumerate(_ways(flags, flag.id, ())):
                if n >= _MAX_WAYS:
                    return f"red flag {flag.id!r}: all_of has too many ways to check (> {_MAX_WAYS})"
                clash = _clash(_closure(flags, way), exclusive)
                if clash is None:
                    break
        except _Cycle as cycle:
            return f"red flag {flag.id!r}: all_of can never be complete (it needs itself: {cycle})"
        if clash is not None:
            a, b = clash
            return (f"red flag {flag.id!r}: all_of can never be complete (every way to complete "
                    f"it has both {a!r} and {b!r}, which exclude each other)")
    return None
