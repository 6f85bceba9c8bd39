"""Griffe extension for the API pages: the package's docstrings are written for ``help()`` and
doctest, so at docs build time ``:class:`X``` roles become cross-references and ``>>>`` examples
become fenced Python console blocks (Markdown would otherwise read ``>>>`` as a quote).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_ROLE = re.compile(r":(?:class|func|meth|mod|data|attr|exc|obj):`~?([\w.]+)`")


def _fence_doctests(text: str) -> str:
    out: list[str] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            block = []
            while i < len(lines) and lines[i].strip() and lines[i].startswith(indent):
                block.append(lines[i][len(indent):])
                i += 1
            out += [f"{indent}```pycon", *(indent + b for b in block), f"{indent}```"]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


class ReSTRolesAndDoctests(griffe.Extension):
    """Rewrite ``:role:`target``` as an autorefs link and fence ``>>>`` doctest blocks."""

    def on_package(self, *, pkg: griffe.Module, **kwargs: Any) -> None:
        # After the whole package is loaded, so a role can name anything defined later.
        self._walk(pkg, pkg)

    on_package_loaded = on_package  # the same hook's name before griffe 1.0

    def _walk(self, obj: griffe.Object, root: griffe.Module) -> None:
        if obj.docstring is not None:
            text = _fence_doctests(obj.docstring.value)
            obj.docstring.value = _ROLE.sub(lambda m: self._link(m.group(1), obj, root), text)
        for member in obj.members.values():
            if not member.is_alias:
                self._walk(member, root)

    @staticmethod
    def _link(target: str, obj: griffe.Object, root: griffe.Module) -> str:
        short = target.rsplit(".", 1)[-1]
        if "." in target:
            return f"[`{short}`][{target}]"
        # A bare name: look where Python would (the object, its module), then the package's API.
        module = obj if obj.is_module else obj.module
        for scope in (obj, obj.parent, module, root):
            member = getattr(scope, "members", {}).get(target) if scope is not None else None
            if member is not None:
                path = member.target_path if member.is_alias else member.path
                return f"[`{short}`][{path}]"
        return f"`{short}`"
