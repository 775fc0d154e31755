"""Generate the student notebooks in ``exercises/`` from the solved ones in ``solutions/``.

``solutions/`` is the single source. In a solution notebook every answer sits inside a
function body between two marker lines::

    def masking_noise(X, q, rng):
        ### BEGIN SOLUTION
        ### HINT: keep = rng.random(X.shape) >= q is True with probability 1 − q
        keep = rng.random(X.shape) >= q
        return X * keep
        ### END SOLUTION

``generate`` replaces each such region, markers included, by a stub at the indentation
of the ``### BEGIN SOLUTION`` line::

        # YOUR CODE HERE
        raise NotImplementedError("keep = rng.random(X.shape) >= q is True with probability 1 − q")

The message is the region's optional ``### HINT:`` line (else a generic one). It also
clears every output and execution count, and tags ``raises-exception`` (the tag nbval and
Jupyter Book honour) every cell that raises when the notebook is run unsolved. The rule:

* a function is *unsolved* if its body contains a stub, or (transitively) if it calls an
  unsolved function;
* a cell *raises* if one of its top-level statements, outside the bodies of ``def``
  statements (lambdas count: they are called where they are written), calls an unsolved
  function or reads a name that an earlier raising statement would have bound (that
  statement, and the rest of its cell, never ran).

Check cells pass the function itself (``checks.check_x(x)``), which is not a call, and the
checks never raise, so they are not tagged. Anything else the solution cells carry
(metadata, other tags, cell ids) is kept, and the JSON is written deterministically
(nbformat 4, sorted keys, one-space indent, a trailing newline), so generating twice gives
byte-identical files.

Command line::

    python -m course_ae.exercises [--check] [SOLUTIONS EXERCISES]

writes ``exercises/*.ipynb`` from ``solutions/*.ipynb`` (the defaults); with ``--check`` it
writes nothing and exits with status 1, listing the stale files, when ``exercises/`` is not
what it would write.
"""

from __future__ import annotations

import argparse
import ast
import copy
import json
import re
import sys
from pathlib import Path
from typing import Any, Iterable, Sequence

__all__ = ["generate", "stale", "render", "stub_source", "dumps", "main", "SolutionMarkerError",
           "BEGIN", "END", "HINT", "TAG", "GENERIC_HINT"]

BEGIN = "### BEGIN SOLUTION"
END = "### END SOLUTION"
HINT = "### HINT:"
TAG = "raises-exception"
GENERIC_HINT = "replace this line with your solution"

_BEGIN_RE = re.compile(r"^(?P<indent>[ \t]*)### BEGIN SOLUTION[ \t]*$")
_END_RE = re.compile(r"^[ \t]*### END SOLUTION[ \t]*$")
_HINT_RE = re.compile(r"^[ \t]*### HINT:[ \t]*(?P<text>.*?)[ \t]*$")


class SolutionMarkerError(ValueError):
    """A solution region is malformed (unbalanced markers, or a stub that is not valid Python)."""


def _py_string(text: str) -> str:
    """A double-quoted Python string literal for ``text``."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped + '"'


def stub_source(source: str, where: str = "cell") -> tuple[str, int]:
    """Replace every solution region of a cell's source by a stub; return (source, count)."""
    lines = source.split("\n")
    out: list[str] = []
    count = 0
    i = 0
    while i < len(lines):
        match = _BEGIN_RE.match(lines[i])
        if match is None:
            if _END_RE.match(lines[i]):
                raise SolutionMarkerError(f"{where}, line {i + 1}: {END!r} without a {BEGIN!r} before it")
            out.append(lines[i])
            i += 1
            continue
        indent, start = match.group("indent"), i
        hint = None
        i += 1
        while i < len(lines) and not _END_RE.match(lines[i]):
            if _BEGIN_RE.match(lines[i]):
                raise SolutionMarkerError(f"{where}, line {i + 1}: nested {BEGIN!r} (the one on line "
                                          f"{start + 1} is not closed)")
            h = _HINT_RE.match(lines[i])
            if h and hint is None:
                hint = h.group("text")
            i += 1
        if i == len(lines):
            raise SolutionMarkerError(f"{where}, line {start + 1}: {BEGIN!r} without a matching {END!r}")
        out.append(f"{indent}# YOUR CODE HERE")
        out.append(f"{indent}raise NotImplementedError({_py_string(hint or GENERIC_HINT)})")
        count += 1
        i += 1  # skip the END line
    new = "\n".join(out)
    if count:
        try:
            ast.parse(new)
        except SyntaxError as exc:
            raise SolutionMarkerError(f"{where}: the cell with its stubs is not valid Python "
                                      f"(line {exc.lineno}: {exc.msg}); put the markers inside a "
                                      "function body, at the indentation of that body") from None
    return new, count


# ------------------------------------------------------------------------ which cells raise


def _calls_outside_defs(tree: ast.AST) -> tuple[set[str], set[str]]:
    """(names called, names read) anywhere except inside ``def`` bodies."""
    called: set[str] = set()
    read: set[str] = set()

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for sub in node.decorator_list + node.args.defaults + [d for d in node.args.kw_defaults if d]:
                visit(sub)
            return
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.add(node.func.id)
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            read.add(node.id)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return called, read


def _names_called(node: ast.AST) -> set[str]:
    return {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}


def _assigned(stmt: ast.stmt) -> set[str]:
    """Names a top-level statement binds (a def or class binds its name)."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return {stmt.name}
    names = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return names


def _is_stub(node: ast.AST) -> bool:
    return (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)
            and isinstance(node.exc.func, ast.Name) and node.exc.func.id == "NotImplementedError")


def _raising_cells(sources: Sequence[str | None], stubbed: Sequence[bool]) -> list[bool]:
    """For each code cell's source (None for other cells): does it raise when run unsolved?

    The cell's top-level statements are followed in order, as the kernel runs them: a def
    makes its name unsolved or solved; the first statement that calls an unsolved function
    or reads an undefined name raises, and the names it and every later statement of the
    cell would bind stay undefined.
    """
    unsolved: set[str] = set()
    undefined: set[str] = set()
    result = []
    for source, has_stub in zip(sources, stubbed):
        if source is None:
            result.append(False)
            continue
        try:
            tree = ast.parse(source)
        except SyntaxError:  # IPython magics and the like: not our business
            result.append(False)
            continue
        raises = False
        for index, stmt in enumerate(tree.body):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                called, read = _calls_outside_defs(stmt)  # decorators and defaults run now
                if not (called & unsolved or read & undefined):
                    undefined.discard(stmt.name)
                    if (has_stub and any(_is_stub(n) for n in ast.walk(stmt))) or _names_called(stmt) & unsolved:
                        unsolved.add(stmt.name)
                    else:
                        unsolved.discard(stmt.name)
                    continue
            else:
                called, read = _calls_outside_defs(stmt)
                if not (called & unsolved or read & undefined):
                    undefined -= _assigned(stmt)
                    continue
            raises = True
            for later in tree.body[index:]:
                undefined |= _assigned(later)
            break
        result.append(raises)
    return result


# ------------------------------------------------------------------------------- notebooks


def _source(cell: dict[str, Any]) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def render(notebook: dict[str, Any], name: str = "notebook") -> dict[str, Any]:
    """The exercise version of a solution notebook (a new dict; the input is not changed)."""
    nb = copy.deepcopy(notebook)
    if nb.get("nbformat") != 4:
        raise ValueError(f"{name}: expected an nbformat 4 notebook; got nbformat {nb.get('nbformat')!r}")
    sources: list[str | None] = []
    stubbed: list[bool] = []
    for index, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            src = _source(cell)
            if BEGIN in src or END in src:
                raise SolutionMarkerError(f"{name}, cell {index}: solution markers outside a code cell")
            sources.append(None)
            stubbed.append(False)
            continue
        new, count = stub_source(_source(cell), f"{name}, cell {index}")
        cell["source"] = new
        cell["outputs"] = []
        cell["execution_count"] = None
        meta = cell.setdefault("metadata", {})
        meta.pop("execution", None)
        tags = [t for t in meta.get("tags", []) if t != TAG]
        if tags:
            meta["tags"] = tags
        else:
            meta.pop("tags", None)
        sources.append(new)
        stubbed.append(count > 0)
    for cell, raises in zip(nb.get("cells", []), _raising_cells(sources, stubbed)):
        if raises:
            cell["metadata"].setdefault("tags", []).append(TAG)
    return nb


def _split_lines(text: Any) -> Any:
    return text.splitlines(keepends=True) if isinstance(text, str) else text


def dumps(notebook: dict[str, Any]) -> str:
    """The JSON Jupyter itself writes: multi-line strings as lists of lines, sorted keys,
    one-space indent, UTF-8 text, a trailing newline (so saving in JupyterLab changes nothing)."""
    nb = copy.deepcopy(notebook)
    for cell in nb.get("cells", []):
        cell["source"] = _split_lines(cell.get("source", ""))
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = _split_lines(output["text"])
            for key, value in output.get("data", {}).items():
                if not key.endswith("json"):
                    output["data"][key] = _split_lines(value)
    return json.dumps(nb, sort_keys=True, indent=1, ensure_ascii=False, separators=(",", ": ")) + "\n"


def _plan(solutions_dir: Path, exercises_dir: Path) -> dict[Path, str]:
    sources = sorted(solutions_dir.glob("*.ipynb"))
    if not sources:
        raise FileNotFoundError(f"no notebooks (*.ipynb) in {solutions_dir}")
    plan = {}
    for path in sources:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        plan[exercises_dir / path.name] = dumps(render(notebook, str(path)))
    return plan


def stale(solutions_dir: str | Path = "solutions", exercises_dir: str | Path = "exercises") -> list[Path]:
    """The exercise files that differ from what ``generate`` would write (missing ones included),
    and notebooks in ``exercises_dir`` that have no solution notebook."""
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    plan = _plan(solutions_dir, exercises_dir)
    out = [p for p, text in plan.items() if not p.is_file() or p.read_text(encoding="utf-8") != text]
    out += [p for p in sorted(exercises_dir.glob("*.ipynb")) if p not in plan]
    return out


def generate(solutions_dir: str | Path = "solutions", exercises_dir: str | Path = "exercises") -> list[Path]:
    """Write ``exercises_dir/<name>.ipynb`` for every ``solutions_dir/<name>.ipynb``.

    Files whose content would not change are left untouched. Returns the paths written.
    """
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    plan = _plan(solutions_dir, exercises_dir)
    exercises_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path, text in plan.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_ae.exercises",
        description="Generate the exercise notebooks from the solution notebooks: every "
                    f"'{BEGIN}' ... '{END}' region becomes `raise NotImplementedError(<hint>)`.")
    parser.add_argument("solutions", nargs="?", default="solutions",
                        help="folder of solution notebooks (default: solutions)")
    parser.add_argument("exercises", nargs="?", default="exercises",
                        help="folder to write the exercise notebooks to (default: exercises)")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 and list the stale files if the exercises are out of date")
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        if args.check:
            bad = stale(args.solutions, args.exercises)
            if bad:
                print("out of date (run `python -m course_ae.exercises` to regenerate):")
                for path in bad:
                    print(f"  {path}")
                return 1
            print(f"{args.exercises} is up to date with {args.solutions}")
            return 0
        written = generate(args.solutions, args.exercises)
    except (OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    if not written:
        print(f"{args.exercises} was already up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
