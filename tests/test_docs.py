"""The docs stay wired: every page is in the site's nav, and every module they name exists.

The site itself is built by ``mkdocs build --strict`` in ``.ci/run`` (it needs the docs extra).
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if "_ext" not in p.parts)
TEXTS = {p: p.read_text(encoding="utf-8") for p in [*PAGES, ROOT / "README.md"]}


def nav_pages(node: object) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, list):
        return [page for item in node for page in nav_pages(item)]
    if isinstance(node, dict):
        return [page for value in node.values() for page in nav_pages(value)]
    return []


def test_every_page_is_in_the_nav():
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    nav = nav_pages(config["nav"])
    assert sorted(nav) == sorted(str(p.relative_to(DOCS)) for p in PAGES)


@pytest.mark.parametrize("path", sorted(TEXTS), ids=lambda p: p.name)
def test_module_files_named_in_docs_exist(path):
    text = TEXTS[path]
    files = set(re.findall(r"\bunsafe_reassurance/[\w/]+\.py\b", text))
    assert [f for f in sorted(files) if not (ROOT / f).is_file()] == []


@pytest.mark.parametrize("path", sorted(TEXTS), ids=lambda p: p.name)
def test_modules_imported_or_documented_in_docs_exist(path):
    text = TEXTS[path]
    names = set(re.findall(r"(?:^::: |\bfrom |\bimport )(unsafe_reassurance(?:\.\w+)*)", text, re.M))
    for name in sorted(names):
        try:
            importlib.import_module(name)
        except ModuleNotFoundError:
            parent, _, attr = name.rpartition(".")  # `import unsafe_reassurance.x` or an attribute
            assert hasattr(importlib.import_module(parent), attr), name
