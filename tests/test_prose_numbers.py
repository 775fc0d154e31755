"""Numbers in the book's prose come from the code, never typed by hand.

Every number written in a chapter's text — its paragraphs, inline math, captions, alt
texts and directives — must be one of:

- glued from a computed value (``{glue:text}`name```), which this test skips;
- a parameter of the chapter's experiments: a number that appears as a literal in one of
  the chapter's code cells (``k = 32``, ``q = 0.5``), so the text and the code cannot drift
  apart without the code showing it;
- a small integer (0–10), a section number of the lecture (7.1–7.7), a reference to a
  numbered part of a text ("section 14.1", "Theorem 3.3.16") or a year in a citation
  ("(Vincent et al., 2010)").

Display math (``$$ … $$`` and ``{math}`` blocks) is a formula, not a claim about a
measurement, and is not read. A measured value typed into the prose ("reaches 0.074",
"5,000 training images" when the code takes 4,800) fails this test.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest
import yaml

from book_toc import ROOT, is_myst_notebook, toc_files

def _pages() -> list[Path]:
    return [ROOT / f"{name}.md" for name in toc_files() if is_myst_notebook(ROOT / f"{name}.md")]


CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
NUMBER = re.compile(r"(?<![\w.\\])(\d[\d,]*(?:\.\d+)?(?:[eE][-+−]?\d+)?)(?![\w])")


def split_page(text: str) -> tuple[list[str], list[str]]:
    """(code cells' source, prose pieces) of a MyST notebook; cell metadata counts as prose."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)     # the jupytext header
    code, prose = [], []
    last = 0
    for match in CELL.finditer(text):
        prose.append(text[last:match.start()])
        body = match.group(1)
        meta = re.match(r"---\n(.*?)\n---\n", body, re.S)
        if meta:
            prose.append(_metadata_text(yaml.safe_load(meta.group(1))))
            body = body[meta.end():]
        code.append(body)
        last = match.end()
    prose.append(text[last:])
    return code, prose


def _metadata_text(meta: object) -> str:
    """Captions and alt texts of a cell's metadata (the only metadata a reader sees)."""
    out: list[str] = []

    def walk(node: object, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, str(k))
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in {"caption", "alt"}:
            out.append(node)

    walk(meta)
    return "\n".join(out)


def code_literals(cells: list[str]) -> set[float]:
    literals: set[float] = set()
    for source in cells:
        source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
        try:
            tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
        except (tokenize.TokenError, IndentationError, SyntaxError):
            continue
        for tok in tokens:
            if tok.type == tokenize.NUMBER:
                try:
                    literals.add(abs(float(tok.string.replace("_", ""))))
                except ValueError:
                    pass
            elif tok.type == tokenize.STRING:
                # numbers inside strings (labels such as "q = 0.25") are parameters too
                literals.update(_as_float(n) for n in NUMBER.findall(tok.string))
    literals.discard(None)  # type: ignore[arg-type]
    return literals


def _as_float(token: str) -> float | None:
    try:
        return abs(float(token.replace(",", "").replace("−", "-")))
    except ValueError:
        return None


def strip_non_claims(prose: str) -> str:
    """Remove what is not a typed claim: display math, glue, roles' targets, links, code."""
    s = prose
    s = re.sub(r"<!--.*?-->", " ", s, flags=re.S)
    s = re.sub(r"\$\$.*?\$\$", " ", s, flags=re.S)
    s = re.sub(r"^```\{math\}.*?^```", " ", s, flags=re.S | re.M)
    s = re.sub(r"\\begin\{(equation|align|aligned|gather)\*?\}.*?\\end\{\1\*?\}", " ", s, flags=re.S)
    s = re.sub(r"\{glue(?::\w+)?\}`[^`]*`", " ", s)
    s = re.sub(r"\{(doc|ref|numref|prf:ref|eq|cite|cite:[pt]|download|term|footcite)\}`[^`]*`", " ", s)
    s = re.sub(r"``[^`]*``|`[^`\n]*`", " ", s)                # inline code
    s = re.sub(r"\]\([^)]*\)", "]", s)                          # link targets
    s = re.sub(r"^\s*:(label|name|class|width|height|align|nonumber|tags)?:.*$", " ", s, flags=re.M)
    s = re.sub(r"^\(\S+\)=\s*$", " ", s, flags=re.M)            # (label)= targets
    s = re.sub(r"^:{3,}.*$|^`{3,}.*$", " ", s, flags=re.M)      # directive fences
    s = re.sub(r"\\(?:tag|label)\{[^}]*\}", " ", s)
    s = re.sub(r"\\(?:mathbb|mathcal|operatorname)\{[^}]*\}", " ", s)
    return s


def _allowed(token: str, context: str) -> bool:
    value = _as_float(token)
    if value is None:
        return True
    if value.is_integer() and value <= 10:
        return True
    if re.fullmatch(r"7\.[1-7]", token):                       # the lecture's modules
        return True
    if re.fullmatch(r"(19|20)\d\d", token) and re.search(r"(al\.|&|and|\(|,)\s*$", context[-30:]):
        return True                                             # a year in a citation
    if re.search(r"(\b(sections?|chapters?|theorem|lemma|eq\.|equation|figure|table|part)"
                 r"|§)\s*(\d+(\.\d+)*\s*(,|and|or|–|-)\s*)*$", context[-40:], re.I):
        return True                                             # a reference to a section
    return False


def typed_numbers(page: Path) -> list[str]:
    code, prose = split_page(page.read_text(encoding="utf-8"))
    literals = code_literals(code)
    bad = []
    for piece in prose:
        text = strip_non_claims(piece)
        for match in NUMBER.finditer(text):
            token = match.group(1).rstrip(",")
            before = text[max(0, match.start() - 40):match.start()]
            if _allowed(token, before):
                continue
            if _as_float(token) in literals:
                continue
            line = text[max(0, match.start() - 50):match.end() + 30].replace("\n", " ")
            bad.append(f"{token!r} in “…{line.strip()}…”")
    return bad


PAGES = _pages()


def test_the_check_finds_typed_numbers_and_accepts_glue_and_parameters():
    page = (
        "---\njupytext: {}\n---\n\n"
        "The model reaches 0.074 after 12 epochs, with {glue:text}`err:.3f` held out.\n\n"
        "```{code-cell} ipython3\nepochs = 12\nlabel = 'q = 0.25'\n```\n\n"
        "With $q = 0.25$ and $$\\sum_{i=1}^{784} x_i$$ (Vincent et al., 2010), in 7.4.\n"
    )
    tmp = ROOT / "tests" / ".prose-probe.md"
    try:
        tmp.write_text(page, encoding="utf-8")
        bad = typed_numbers(tmp)
    finally:
        tmp.unlink()
    assert len(bad) == 1 and bad[0].startswith("'0.074'"), bad


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.stem)
def test_numbers_in_the_prose_come_from_the_code(page: Path):
    bad = typed_numbers(page)
    assert not bad, (
        f"{page.relative_to(ROOT)}: numbers typed in the text that no code cell computes or sets "
        "(glue them with myst_nb.glue, or use the code's own parameter):\n  " + "\n  ".join(bad))
