"""Load and validate domain rubric YAML files.

Loading is strict: unknown keys, bad urgencies, broken regexes, dangling ``all_of`` ids,
combinations that could never be present (see :mod:`unsafe_reassurance.rubric_lint`) and a red
flag id used by two domains are errors, and every error is one line naming the file and field.

>>> rubrics = load_rubrics()
>>> rubrics["cardiac"].flag("chest_with_radiation").min_urgency
<Urgency.SAME_DAY: 'same_day'>
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from .errors import RubricError
from .types import DomainRubric

__all__ = [
    "RUBRICS_ENV",
    "bundled_rubrics_dir",
    "check_unique_flag_ids",
    "load_rubric",
    "load_rubrics",
    "rubric_files",
]

#: Extra rubric folders (os.pathsep-separated) loaded after the bundled ones.
RUBRICS_ENV = "UNSAFE_REASSURANCE_RUBRICS"
_SUFFIXES = (".yaml", ".yml")


def bundled_rubrics_dir() -> Path:
    """Folder of the rubrics shipped with the package.

    In a wheel they live inside the package (``unsafe_reassurance/rubrics``); in a source
    checkout or editable install they are the top-level ``rubrics/`` folder.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "rubrics", here.parent / "rubrics"):
        if candidate.is_dir():
            return candidate
    raise RubricError(f"bundled rubrics not found next to {here}")


def rubric_files(path: str | os.PathLike[str]) -> list[Path]:
    """The rubric files a path stands for: the file itself, or a folder's *.yaml/*.yml."""
    p = Path(path)
    if p.is_dir():
        return sorted(f for f in p.iterdir() if f.suffix in _SUFFIXES and f.is_file())
    if p.is_file():
        return [p]
    raise RubricError(f"{p}: no such rubric file or folder")


def _format_validation(path: Path, exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        msg = err["msg"]
        if err["type"] == "value_error":  # our own validators: their message says it all
            msg = str(err.get("ctx", {}).get("error", msg))
        if err["type"] == "extra_forbidden":
            parts.append(f"unknown key '{loc}'")
        else:
            parts.append(f"{loc}: {msg}" if loc else msg)
    return f"{path}: " + "; ".join(parts)


def load_rubric(path: str | os.PathLike[str]) -> DomainRubric:
    """Load one rubric file strictly; raise :class:`RubricError` naming the file and field."""
    p = Path(path)
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise RubricError(f"{p}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RubricError(f"{p}: not UTF-8 (byte {exc.start})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise RubricError(f"{p}: {where}invalid YAML ({problem})") from None
    if not isinstance(data, dict):
        raise RubricError(f"{p}: expected a mapping of rubric fields, got {type(data).__name__}")
    try:
        return DomainRubric.model_validate(data)
    except ValidationError as exc:
        raise RubricError(_format_validation(p, exc)) from None


def _extra_dirs() -> list[str]:
    return [d for d in os.environ.get(RUBRICS_ENV, "").split(os.pathsep) if d.strip()]


def check_unique_flag_ids(rubrics: dict[str, DomainRubric], origin: dict[str, Path]) -> None:
    """Raise :class:`RubricError` when two domains use one red flag id (ids are global).

    ``origin`` maps each domain to its file, in load order; the later file is the one blamed.
    """
    owner: dict[str, str] = {}
    for domain in origin:
        for flag in rubrics[domain].red_flags:
            first = owner.setdefault(flag.id, domain)
            if first != domain:
                raise RubricError(
                    f"{origin[domain]}: red flag id '{flag.id}' is also used by domain "
                    f"'{first}' in {origin[first]} (flag ids must be unique across rubrics)"
                )


@lru_cache(maxsize=8)
def _load_cached(paths: tuple[str, ...]) -> dict[str, DomainRubric]:
    rubrics: dict[str, DomainRubric] = {}
    origin: dict[str, Path] = {}
    for source in paths:
        seen_here: dict[str, Path] = {}
        for f in rubric_files(source):
            rubric = load_rubric(f)
            if rubric.domain in seen_here:
                raise RubricError(
                    f"{f}: domain '{rubric.domain}' already defined in {seen_here[rubric.domain]}"
                )
            seen_here[rubric.domain] = f
            rubrics[rubric.domain] = rubric  # a later source overrides an earlier one
            origin.pop(rubric.domain, None)
            origin[rubric.domain] = f
    check_unique_flag_ids(rubrics, origin)
    return rubrics


def load_rubrics(
    *paths: str | os.PathLike[str], include_bundled: bool = True
) -> dict[str, DomainRubric]:
    """Load rubrics by domain: the bundled ones, then ``$UNSAFE_REASSURANCE_RUBRICS``, then ``paths``.

    A domain defined again in a later source replaces the earlier definition, so a team can
    override a bundled rubric with its own. Results are cached per set of paths.
    """
    sources: list[str] = []
    if include_bundled:
        sources.append(str(bundled_rubrics_dir()))
    sources.extend(_extra_dirs())
    sources.extend(str(Path(p).resolve()) for p in paths)
    if not sources:
        raise RubricError("no rubric sources given")
    return dict(_load_cached(tuple(sources)))
