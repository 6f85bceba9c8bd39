"""The package layout stays acyclic: every module imports alone, and the CLI is a leaf.

See the layout in README's "How it fits together": data flows rubric -> judge -> findings ->
policy -> verdict -> report, and ``cli/`` sits on top of everything without being imported back.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

import unsafe_reassurance
from unsafe_reassurance._aliases import MOVED

PKG = Path(unsafe_reassurance.__file__).resolve().parent
CLI = "unsafe_reassurance.cli"


def module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def imports_of(source: str, name: str, is_package: bool) -> list[tuple[int, set[str]]]:
    """Per import statement: its line and the absolute names it may load.

    ``from .x import y`` may load ``pkg.x`` and the submodule ``pkg.x.y``, so both are listed.
    """
    package = name if is_package else name.rpartition(".")[0]
    found: list[tuple[int, set[str]]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.append((node.lineno, {alias.name for alias in node.names}))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - (node.level - 1)])
                mod = f"{base}.{node.module}" if node.module else base
            else:
                mod = node.module or ""
            found.append((node.lineno, {mod} | {f"{mod}.{alias.name}" for alias in node.names}))
    return found


def in_cli(name: str) -> bool:
    return name == CLI or name.startswith(CLI + ".")


def is_command_module(target: str) -> bool:
    """A module under cli/ other than the package itself and cli/_common.py."""
    common = f"{CLI}._common"
    return in_cli(target) and target != CLI and target != common and not target.startswith(common + ".")


def layout_violations(name: str, source: str, is_package: bool = False) -> list[str]:
    """Import statements that break the layout rules for module ``name``."""
    bad = []
    for line, targets in imports_of(source, name, is_package):
        if not in_cli(name) and any(in_cli(t) for t in targets):
            bad.append(f"{name}:{line} imports the CLI: nothing outside cli/ may import cli")
        elif in_cli(name) and name != CLI and any(is_command_module(t) for t in targets):
            bad.append(f"{name}:{line} imports another command module: "
                       "command modules import only cli/_common.py")
    return bad


def test_every_module_is_found():
    assert {"unsafe_reassurance", "unsafe_reassurance.cli", "unsafe_reassurance.cli._common",
            "unsafe_reassurance.judges.offline", "unsafe_reassurance.report.render",
            "unsafe_reassurance.run.batch"} <= set(MODULES)


def test_each_module_imports_alone_in_a_fresh_interpreter():
    # One interpreter: before each import every unsafe_reassurance module is forgotten, so each
    # module is imported first, as a user's `import unsafe_reassurance.x.y` would.
    code = (
        "import importlib, sys, traceback\n"
        "failed = []\n"
        f"for name in {sorted(MODULES)!r}:\n"
        "    for m in [m for m in sys.modules if m.split('.')[0] == 'unsafe_reassurance']:\n"
        "        del sys.modules[m]\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception:\n"
        "        failed.append(name + ': ' + traceback.format_exc(limit=3))\n"
        "print('\\n'.join(failed))\n"
    )
    r = subprocess.run([sys.executable, "-W", "ignore", "-c", code], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", r.stdout


@pytest.mark.parametrize("name", sorted(MODULES))
def test_layout_rules(name):
    path = MODULES[name]
    assert layout_violations(name, path.read_text(encoding="utf-8"), path.name == "__init__.py") == []


@pytest.mark.parametrize(("name", "source", "expected"), [
    ("unsafe_reassurance.api", "from .cli import app", "nothing outside cli/"),
    ("unsafe_reassurance.report.render", "from ..cli._common import out", "nothing outside cli/"),
    ("unsafe_reassurance.run.batch", "import unsafe_reassurance.cli.grade", "nothing outside cli/"),
    ("unsafe_reassurance.demo", "from unsafe_reassurance import cli", "nothing outside cli/"),
    ("unsafe_reassurance.cli.eval", "from .grade import make_judge", "only cli/_common.py"),
    ("unsafe_reassurance.cli.report", "from . import eval", "only cli/_common.py"),
    ("unsafe_reassurance.cli.report", "from ._common import out", None),
    ("unsafe_reassurance.cli", "from .grade import grade", None),
    ("unsafe_reassurance.cli.grade", "from ..run.batch import grade_file", None),
])
def test_layout_check_catches_violations(name, source, expected):
    found = layout_violations(name, source, is_package=name == CLI)
    if expected is None:
        assert found == []
    else:
        assert len(found) == 1 and expected in found[0]


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_flat_module_paths_still_import(old):
    import importlib

    new = importlib.import_module(MOVED[old])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        sys.modules.pop(old, None)
        module = importlib.import_module(old)
    assert module is new  # one module object under two names, not a copy
    assert any(issubclass(w.category, DeprecationWarning) and MOVED[old] in str(w.message)
               for w in caught)
