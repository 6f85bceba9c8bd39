"""Old flat module paths (``unsafe_reassurance.batch`` ...) keep importing after the move into wings.

The package was one flat folder until 0.1; documented imports such as
``from unsafe_reassurance.aggregate import calibration_report`` must keep working. A meta-path
finder maps each old name to the module's new home, so there is one module object under two
names (no copies, no shim files) and a ``DeprecationWarning`` points at the new path.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import warnings
from types import ModuleType

__all__ = ["MOVED", "install"]

#: old module name -> new module name
MOVED = {
    "unsafe_reassurance.offline": "unsafe_reassurance.judges.offline",
    "unsafe_reassurance.lexicon": "unsafe_reassurance.judges.lexicon",
    "unsafe_reassurance.llm": "unsafe_reassurance.judges.llm",
    "unsafe_reassurance.prompts": "unsafe_reassurance.judges.prompts",
    "unsafe_reassurance.batch": "unsafe_reassurance.run.batch",
    "unsafe_reassurance.jsonl": "unsafe_reassurance.run.jsonl",
    "unsafe_reassurance.aggregate": "unsafe_reassurance.report.aggregate",
    "unsafe_reassurance.metrics": "unsafe_reassurance.report.metrics",
    "unsafe_reassurance.evaluate": "unsafe_reassurance.report.evaluate",
    "unsafe_reassurance.golden": "unsafe_reassurance.report.golden",
    "unsafe_reassurance.cli_eval": "unsafe_reassurance.cli.eval",
    "unsafe_reassurance.cli_report": "unsafe_reassurance.cli.report",
}


class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, fullname: str, path: object = None, target: object = None):  # type: ignore[override]
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = MOVED[spec.name]
        warnings.warn(f"{spec.name} moved to {new}", DeprecationWarning, stacklevel=3)
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        pass  # already executed under its new name


def install() -> None:
    """Register the finder once (idempotent)."""
    if not any(isinstance(f, _Finder) for f in sys.meta_path):
        sys.meta_path.append(_Finder())
