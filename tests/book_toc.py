"""The book's table of contents as the tests read it: one walker for _toc.yml."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every ``file:`` of _toc.yml, its root first, through parts, chapters and sections, in order."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    names = [str(toc["root"])]

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "file" in node:
                names.append(str(node["file"]))
            for key in ("parts", "chapters", "sections"):
                walk(node.get(key))
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc)
    return [re.sub(r"\.(md|ipynb)$", "", name) for name in names]


def is_myst_notebook(path: Path) -> bool:
    """A .md page with a jupytext header (a chapter that executes), not plain Markdown."""
    return path.suffix == ".md" and path.exists() and bool(
        re.search(r"^jupytext:", path.read_text(encoding="utf-8"), re.MULTILINE))
