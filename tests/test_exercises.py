"""Exercise notebooks: generated from solutions/, up to date, and runnable solved and unsolved.

* ``exercises/`` is byte-for-byte what ``course_ae.exercises.generate`` makes of ``solutions/``;
* every solution notebook passes nbval in strict mode (stored outputs compared) and every
  check in it printed PASS;
* every exercise notebook runs unsolved with exactly its ``raises-exception`` cells raising,
  and every check cell prints "FAIL: ... not implemented yet" (no traceback);
* the generator's rules (stubs, hints, tags, determinism, the --check command line).
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_ae import exercises

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
STEMS = ["01_introduction", "02_pca", "03_regularization", "04_denoising", "05_sparse", "06_contractive",
         "07_summary"]
CHECK_CALL = re.compile(r"checks\.check_\w+\(")
# The flags to validate the solutions by hand: python -m pytest <these> solutions/
NBVAL_FLAGS = ["--nbval", "--nbval-current-env", "-p", "no:cacheprovider"]


def _text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _code_cells(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


# ------------------------------------------------------------------------------ the files


def test_one_solution_and_one_exercise_per_module():
    assert sorted(p.stem for p in SOLUTIONS.glob("*.ipynb")) == STEMS
    assert sorted(p.stem for p in EXERCISES.glob("*.ipynb")) == STEMS


def test_committed_exercises_are_generated_from_solutions(tmp_path):
    exercises.generate(SOLUTIONS, tmp_path)
    for stem in STEMS:
        expected = (tmp_path / f"{stem}.ipynb").read_bytes()
        assert (EXERCISES / f"{stem}.ipynb").read_bytes() == expected, (
            f"exercises/{stem}.ipynb is stale: run `python -m course_ae.exercises`")


@pytest.mark.parametrize("stem", STEMS)
def test_notebooks_are_valid_and_use_the_python3_kernel(stem):
    for folder in (SOLUTIONS, EXERCISES):
        nb = nbformat.read(folder / f"{stem}.ipynb", as_version=4)
        nbformat.validate(nb)
        assert nb.metadata["kernelspec"]["name"] == "python3"
        assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# 7.")


@pytest.mark.parametrize("stem", STEMS)
def test_every_solution_check_passed(stem):
    nb = nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
    check_cells = [c for c in _code_cells(nb) if CHECK_CALL.search(c.source)]
    assert check_cells, "a solution notebook without checks"
    for cell in _code_cells(nb):
        assert cell.execution_count is not None, "solutions are stored executed"
        assert "FAIL" not in _text(cell)
        assert not [o for o in cell.outputs if o.output_type == "error"]
    for cell in check_cells:
        assert _text(cell).startswith("PASS: "), cell.source
        assert "\nPASS" not in _text(cell).rstrip("\n")
        assert not [o for o in cell.outputs if o.output_type == "execute_result"], "check cells show no Out[]"


@pytest.mark.parametrize("stem", STEMS)
def test_exercises_have_no_solutions_and_no_outputs(stem):
    nb = nbformat.read(EXERCISES / f"{stem}.ipynb", as_version=4)
    solution = nbformat.read(SOLUTIONS / f"{stem}.ipynb", as_version=4)
    text = json.dumps(nb)
    assert exercises.BEGIN not in text and exercises.END not in text and exercises.HINT not in text
    stubs = sum(c.source.count("raise NotImplementedError(") for c in _code_cells(nb))
    regions = sum(c.source.count(exercises.BEGIN) for c in _code_cells(solution))
    assert stubs == regions > 0
    for cell in _code_cells(nb):
        assert cell.outputs == [] and cell.execution_count is None
        ast.parse(cell.source)


# ------------------------------------------------------------------------- running them


@pytest.mark.slow
def test_solutions_pass_nbval_strictly():
    """All seven notebooks in one pytest run (one process; a kernel per notebook)."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run([sys.executable, "-m", "pytest", *NBVAL_FLAGS, "-q", "--no-header", "-rf",
                           *[str(SOLUTIONS / f"{s}.ipynb") for s in STEMS]],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert re.search(r"\b\d+ passed\b", proc.stdout) and " failed" not in proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize("stem", STEMS)
def test_exercises_run_unsolved(stem):
    from nbclient import NotebookClient

    nb = nbformat.read(EXERCISES / f"{stem}.ipynb", as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": str(EXERCISES)}}).execute()
    for cell in _code_cells(nb):
        errors = [o for o in cell.outputs if o.output_type == "error"]
        tagged = exercises.TAG in cell.metadata.get("tags", [])
        assert bool(errors) == tagged, (cell.source, errors[0].ename if errors else "no error")
        for error in errors:
            assert error.ename in ("NotImplementedError", "NameError"), (cell.source, error.ename, error.evalue)
        if CHECK_CALL.search(cell.source):
            out = _text(cell)
            assert out.startswith("FAIL: ") and "not implemented yet" in out, out
            assert "Traceback" not in out


# ------------------------------------------------------------------------- the generator


def _nb(*cells):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    for i, (kind, source) in enumerate(cells):
        cell = nbformat.v4.new_code_cell(source) if kind == "code" else nbformat.v4.new_markdown_cell(source)
        cell.id = f"c{i}"
        nb.cells.append(cell)
    return nb


def test_stub_keeps_indentation_and_uses_the_hint():
    source = ("def f(x):\n"
              "    y = 1\n"
              "    ### BEGIN SOLUTION\n"
              "    ### HINT: use \"np.sum\" \\ here\n"
              "    z = x + y\n"
              "    return z\n"
              "    ### END SOLUTION\n")
    new, count = exercises.stub_source(source)
    assert count == 1
    assert new == ("def f(x):\n"
                   "    y = 1\n"
                   "    # YOUR CODE HERE\n"
                   "    raise NotImplementedError(\"use \\\"np.sum\\\" \\\\ here\")\n")
    namespace = {}
    exec(new, namespace)
    with pytest.raises(NotImplementedError, match=r'use "np.sum" \\ here'):
        namespace["f"](1)


def test_stub_without_hint_and_nested_blocks():
    source = ("class A:\n"
              "    def g(self):\n"
              "        for i in range(3):\n"
              "            ### BEGIN SOLUTION\n"
              "            pass\n"
              "            ### END SOLUTION\n"
              "        ### BEGIN SOLUTION\n"
              "        return 1\n"
              "        ### END SOLUTION\n")
    new, count = exercises.stub_source(source)
    assert count == 2
    assert f'            raise NotImplementedError("{exercises.GENERIC_HINT}")' in new
    assert f'        raise NotImplementedError("{exercises.GENERIC_HINT}")' in new
    ast.parse(new)


@pytest.mark.parametrize("source, message", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1\n", "without a matching"),
    ("def f():\n    return 1\n    ### END SOLUTION\n", "without a '### BEGIN SOLUTION'"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    ### END SOLUTION\n", "nested"),
    ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION\n    y = 2\n", "not valid Python"),
])
def test_malformed_markers_are_refused(source, message):
    with pytest.raises(exercises.SolutionMarkerError, match=message):
        exercises.stub_source(source)


def test_tagging_rule():
    nb = _nb(
        ("markdown", "# 7.9 Title"),
        ("code", "import math\nx0 = 1"),
        ("code", "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION"),
        ("code", "_ = check(f)"),                           # passes f, does not call it: not tagged
        ("code", "def helper(x):\n    return f(x) + 1"),   # defining is fine: not tagged
        ("code", "y = helper(2)\nz = 3"),                   # calls f through helper: tagged
        ("code", "print(y)"),                               # y was never assigned: tagged
        ("code", "print(x0)"),                              # x0 exists: not tagged
        ("code", "values = list(map(lambda v: f(v), [1]))"),  # a lambda runs where it stands: tagged
        ("code", "y = 5\nprint(y)"),                        # y defined again: not tagged
        ("code", "def g():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\ng()"),  # tagged
        ("code", "%matplotlib inline"),                     # not Python: left alone
    )
    out = exercises.render(nb)
    tagged = [c.id for c in out.cells if exercises.TAG in c.get("metadata", {}).get("tags", [])]
    assert tagged == ["c5", "c6", "c8", "c10"]


def test_render_clears_outputs_and_keeps_other_tags():
    nb = _nb(("code", "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION\nf()"))
    cell = nb.cells[0]
    cell.execution_count = 3
    cell.outputs = [nbformat.v4.new_output("execute_result", {"text/plain": "1"}, execution_count=3)]
    cell.metadata["tags"] = ["hide-input", exercises.TAG]
    cell.metadata["execution"] = {"iopub.status.busy": "2024-01-01T00:00:00Z"}
    out = exercises.render(nb)
    assert out.cells[0].outputs == [] and out.cells[0].execution_count is None
    assert out.cells[0].metadata == {"tags": ["hide-input", exercises.TAG]}
    assert nb.cells[0].execution_count == 3, "the input notebook is not modified"


def test_generate_is_deterministic_and_idempotent(tmp_path):
    src, dst = tmp_path / "solutions", tmp_path / "exercises"
    src.mkdir()
    nbformat.write(_nb(("markdown", "# 7.9 Ünïcode"), ("code", "def f():\n    ### BEGIN SOLUTION\n"
                                                             "    return 1\n    ### END SOLUTION")),
                   src / "09_x.ipynb")
    assert exercises.generate(src, dst) == [dst / "09_x.ipynb"]
    first = (dst / "09_x.ipynb").read_bytes()
    assert exercises.generate(src, dst) == []
    assert (dst / "09_x.ipynb").read_bytes() == first
    assert first.endswith(b"}\n") and "Ünïcode".encode() in first
    assert first.decode() == nbformat.writes(nbformat.reads(first.decode(), as_version=4)) + "\n", (
        "the same bytes Jupyter writes, so saving the notebook in JupyterLab changes nothing")


def test_command_line_check(tmp_path, capsys):
    src, dst = tmp_path / "solutions", tmp_path / "exercises"
    src.mkdir()
    nbformat.write(_nb(("code", "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")),
                   src / "01_a.ipynb")
    assert exercises.main(["--check", str(src), str(dst)]) == 1
    assert str(dst / "01_a.ipynb") in capsys.readouterr().out
    assert exercises.main([str(src), str(dst)]) == 0
    assert exercises.main(["--check", str(src), str(dst)]) == 0
    (dst / "99_orphan.ipynb").write_text("{}")
    assert exercises.main(["--check", str(src), str(dst)]) == 1
    assert "99_orphan.ipynb" in capsys.readouterr().out
    assert exercises.main(["--check", str(tmp_path / "missing"), str(dst)]) == 2


def test_module_is_runnable():
    proc = subprocess.run([sys.executable, "-m", "course_ae.exercises", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr



# ------------------------------------------------------------- tasks of graded difficulty

LEVELLED = STEMS  # every notebook has ★, ★★ and ★★★ tasks


@pytest.mark.parametrize("stem", LEVELLED)
def test_levelled_notebooks_mark_levels_link_the_chapter_and_hide_the_answers(stem):
    """Levels marked, the chapter linked, the stubs' messages ideas only (no code), each a
    checks.hint whose level 1 gives the idea and level 2 the formula."""
    from course_ae.checks.hints import HINTS

    nb = nbformat.read(EXERCISES / f"{stem}.ipynb", as_version=4)
    headings = [c.source.splitlines()[0] for c in nb.cells if c.cell_type == "markdown"
                and c.source.startswith("## Task")]
    for level in ("★ ", "★★ ", "★★★ "):
        assert any(f" {level}" in h.replace(":", " ") for h in headings), (level, headings)
    assert f"](../book/{stem}.md)" in nb.cells[0].source
    assert (ROOT / "book" / f"{stem}.md").exists()
    stubs = [found for cell in _code_cells(nb)
             for found in re.findall(r"def (\w+)\(.*?raise NotImplementedError\(\"(.*?)\"\)",
                                     cell.source, flags=re.S)]
    assert len(stubs) == sum(c.source.count("raise NotImplementedError(") for c in _code_cells(nb)) >= 3
    for fn, message in stubs:
        assert fn in HINTS, f"no checks.hint for {fn}"
        idea, formula = HINTS[fn]
        assert idea != formula, fn
        for code in ("np.", "@", " = ", ".sum", ".mean", "R.", "**"):
            assert code not in message, (fn, message)  # the stub gives the idea, never the code


# ----------------------------------------------------- links back to the chapter's sections (branch s2-ex12)

SECTION_LINK = re.compile(r"\]\((\.\./book/[\w.-]+\.md)#([\w-]+)\)")
SECTION_LINKED = ("01_introduction", "02_pca")  # notebooks whose every task links to its chapter's sections


def _section_ids(chapter: Path) -> set[str]:
    """The ids Sphinx gives the chapter's sections (docutils' make_id of each heading's text, the
    `$` of inline math dropped: "The best rank-$k$ approximation" -> the-best-rank-k-approximation),
    plus its explicit MyST labels `(name)=` and directive labels `:label: name`."""
    text = chapter.read_text(encoding="utf-8")
    ids: set[str] = set()
    fence = ""  # the opening run of backticks or colons of the fence we are in ("" outside)
    for line in text.splitlines():
        stripped = line.strip()
        run = re.match(r"(`{3,}|:{3,})", stripped)
        if run:
            if not fence:
                fence = run.group(1)
            elif stripped == fence[0] * len(stripped) and len(stripped) >= len(fence):
                fence = ""
        elif not fence and re.match(r"#{1,6} ", line):  # a heading (not a comment in a code cell)
            title = line.lstrip("#").strip().replace("$", "")
            ids.add(re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-"))
        found = re.match(r"\(([\w-]+)\)=$", stripped) or re.match(r":label:\s*([\w-]+)", stripped)
        if found:
            ids.add(found.group(1))
    return ids


def test_section_ids_follow_sphinx():
    """The slug rule above gives the ids the built book has (spot checks from a build of main)."""
    ids = _section_ids(ROOT / "book" / "01_introduction.md")
    assert {"the-encoder-and-the-decoder", "squared-error-for-real-valued-inputs", "choosing-f-and-g",
            "back-to-the-encoder-partial-l-partial-w", "the-batch-form-and-the-1-m-of-the-mean",
            "training-gradient-descent-and-minibatches"} <= ids
    assert "ex-intro-binary-decoder" in ids  # a directive's label
    assert not [i for i in ids if i.startswith("the-networks-in-this-chapter")]  # a comment in a code cell
    assert {"the-best-rank-k-approximation", "the-optimal-codes-are-a-linear-function-of-x",
            "thm-eckart-young"} <= _section_ids(ROOT / "book" / "02_pca.md")


@pytest.mark.parametrize("stem", STEMS)
def test_section_links_point_at_sections_that_exist(stem):
    for folder in (SOLUTIONS, EXERCISES):
        nb = nbformat.read(folder / f"{stem}.ipynb", as_version=4)
        for cell in nb.cells:
            if cell.cell_type != "markdown":
                continue
            for target, anchor in SECTION_LINK.findall(cell.source):
                chapter = (folder / target).resolve()
                assert chapter.exists(), (stem, target)
                assert anchor in _section_ids(chapter), f"{stem}: no section #{anchor} in {target}"


@pytest.mark.parametrize("stem", STEMS)
def test_each_notebook_links_the_sections_of_its_chapter_it_uses(stem):
    nb = nbformat.read(EXERCISES / f"{stem}.ipynb", as_version=4)
    links = {(target, anchor) for c in nb.cells if c.cell_type == "markdown"
             for target, anchor in SECTION_LINK.findall(c.source)}
    assert {target for target, _ in links} == {f"../book/{stem}.md"}, links
    assert len(links) >= 3, f"{stem} links {len(links)} sections of its chapter: {links}"


@pytest.mark.parametrize("stem", SECTION_LINKED)
def test_every_task_links_to_a_chapter_section(stem):
    nb = nbformat.read(EXERCISES / f"{stem}.ipynb", as_version=4)
    tasks = [c.source for c in nb.cells if c.cell_type == "markdown" and c.source.startswith("## Task")]
    assert len(tasks) >= 5
    for source in tasks:
        links = SECTION_LINK.findall(source)
        assert links and all(target == f"../book/{stem}.md" for target, _ in links), source.splitlines()[0]
