"""The chapters' source follows the book's style: code that fits the column, figures that
say what they show. (The rendered pages are checked in the browser by tests/test_book.py.)"""

from __future__ import annotations

import re

import pytest
import yaml

from test_prose_numbers import PAGES, ROOT, split_page

MAX_CODE_LINE = 88   # characters: black's and ruff's default, about the book's code width


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_code_lines_fit_the_column(page):
    code, _ = split_page(page.read_text(encoding="utf-8"))
    long = [line for cell in code for line in cell.splitlines() if len(line) > MAX_CODE_LINE]
    assert not long, (f"{page.relative_to(ROOT)}: {len(long)} code line(s) longer than "
                      f"{MAX_CODE_LINE} characters, e.g.\n  " + "\n  ".join(long[:5]))


FIGURE_CALL = re.compile(r"plt\.show\(\)|\bfilter_panels\(|\bfilter_grid\(|\breconstruction_grid\("
                         r"|\bimage_grid\(|\bplot_curves\(|\barchitecture_diagram\(")
CELL_META = re.compile(r"^```\{code-cell\}[^\n]*\n---\n(.*?)\n---\n(.*?)^```", re.S | re.M)
CELL_ANY = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```", re.S | re.M)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_every_figure_has_a_caption_and_alt_text(page):
    text = page.read_text(encoding="utf-8")
    missing = []
    for match in CELL_ANY.finditer(text):
        body = match.group(1)
        meta = {}
        head = re.match(r"---\n(.*?)\n---\n", body, re.S)
        if head:
            meta = yaml.safe_load(head.group(1)) or {}
            body = body[head.end():]
        if not FIGURE_CALL.search(body) or "remove-output" in meta.get("tags", []):
            continue
        if "FrameSlider" in body:   # a slider: FrameSlider itself requires the frames' alt text
            continue
        mystnb = meta.get("mystnb", {}) or {}
        caption = (mystnb.get("figure") or {}).get("caption", "").strip()
        alt = (mystnb.get("image") or {}).get("alt", "").strip()
        if not (caption and alt):
            first = body.strip().splitlines()[0][:70]
            missing.append(f"line {text[:match.start()].count(chr(10)) + 1}: {first} "
                           f"({'caption' if not caption else ''}{' and ' if not caption and not alt else ''}"
                           f"{'alt text' if not alt else ''} missing)")
    assert not missing, f"{page.relative_to(ROOT)}: figure cells without caption/alt:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_pages_with_figures_use_the_book_style(page):
    """A page that draws figures calls course_ae.plotting.book_style() before the first one
    (retina PNGs, fonts of at least 10 pt), in a code cell of its own source."""
    code, _ = split_page(page.read_text(encoding="utf-8"))
    first_figure = next((i for i, cell in enumerate(code) if FIGURE_CALL.search(cell)), None)
    if first_figure is None:
        pytest.skip(f"{page.name} draws no figure")
    styled = [i for i, cell in enumerate(code) if re.search(r"^\s*book_style\(\)", cell, re.M)]
    assert styled and styled[0] <= first_figure, (
        f"{page.relative_to(ROOT)}: book_style() is not called before the first figure "
        f"(code cell {first_figure})")
