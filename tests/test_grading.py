"""``python -m course_ae grade``: real submissions made from solutions/ and exercises/, graded
in fresh kernels; the exact CSV, the feedback files, and nothing written outside the copies.

The submissions (assignment: exercises/02_pca.ipynb, five checks):

    alice/   the solution                                  5 PASS
    bob_02_pca.ipynb (flat)  the exercise, unsolved        0
    carol/   the solution with H computed from the raw X   4 PASS (linear autoencoder FAIL)
    dave/    the solution, then os._exit(1) after task 1   1 PASS, the kernel died
    amy/     the solution, then a hang after task 2        2 PASS, the time limit
    frank/   the solution, writing outside its folder, starting a program, and deleting
             every file of its own folder                  5 PASS, the refused actions noted
"""

from __future__ import annotations

import csv
import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from course_ae import cli, grading
from course_ae.checks import _core

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT = ROOT / "exercises" / "02_pca.ipynb"
SOLUTION = ROOT / "solutions" / "02_pca.ipynb"
CHECKS = ["check_normalize", "check_pca", "check_linear_autoencoder", "check_linear_ae_gradients",
          "check_linear_ae_training"]
TIMEOUT = 30


def _insert_after(nb, check: str, source: str):
    """A copy of ``nb`` with a code cell ``source`` right after the cell that calls ``check``."""
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    i = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and f"checks.{check}(" in c.source)
    nb.cells.insert(i + 1, nbformat.v4.new_code_cell(source))
    return nb


def _write(nb, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("grading")
    subs = tmp / "submissions"
    outside = tmp / "outside.txt"
    program_marker = tmp / "program-ran.txt"
    solution = nbformat.read(SOLUTION, as_version=4)

    _write(solution, subs / "alice" / "02_pca.ipynb")
    _write(nbformat.read(ASSIGNMENT, as_version=4), subs / "bob_02_pca.ipynb")

    carol = nbformat.from_dict(json.loads(json.dumps(solution)))
    for cell in carol.cells:
        if "def linear_autoencoder" in cell.source:
            cell.source = cell.source.replace('"H": normalize(X) @ V', '"H": X @ V')
            assert '"H": X @ V' in cell.source
    _write(carol, subs / "carol" / "02_pca.ipynb")

    _write(_insert_after(solution, "check_normalize", "import os\nos._exit(1)"), subs / "dave" / "02_pca.ipynb")
    _write(_insert_after(solution, "check_pca", "import time\nwhile True:\n    time.sleep(0.1)"),
           subs / "amy" / "02_pca.ipynb")

    frank_code = "\n".join([
        "import os, pathlib, shutil",
        "for attempt in (",
        f"    lambda: open({str(outside)!r}, 'w').write('escaped'),",
        "    lambda: pathlib.Path('../escaped.txt').write_text('escaped'),",
        f"    lambda: os.system('touch {program_marker}'),",
        "):",
        "    try:",
        "        attempt()",
        "    except PermissionError as exc:",
        "        print('refused:', exc)",
        "for name in os.listdir('.'):",  # its own folder (the copy): allowed, and harmless to the original
        "    if os.path.isfile(name):",
        "        os.remove(name)",
        "    elif not name.startswith('.'):",
        "        shutil.rmtree(name)",
    ])
    _write(_insert_after(solution, "check_normalize", frank_code), subs / "frank" / "02_pca.ipynb")
    (subs / "frank" / "data").mkdir()
    (subs / "frank" / "data" / "notes.txt").write_text("my notes\n")

    before = {p: p.read_bytes() for p in subs.rglob("*") if p.is_file()}
    out = tmp / "grades" / "grades.csv"
    lines: list[str] = []
    status = grading.grade(subs, out, assignment=ASSIGNMENT, jobs=3, timeout=TIMEOUT, log=lines.append)
    after = {p: p.read_bytes() for p in subs.rglob("*") if p.is_file()}
    return {"tmp": tmp, "subs": subs, "out": out, "status": status, "before": before, "after": after,
            "outside": outside, "program_marker": program_marker, "lines": lines}


def _row(student, passed, notes=""):
    row = [student, str(sum(passed)), str(len(CHECKS))]
    for check, ok in zip(CHECKS, passed):
        row += ["PASS" if ok else "FAIL", "1" if ok else "0"]
    return row + [notes]


def test_the_exact_csv(graded):
    rows = list(csv.reader(graded["out"].open(newline="")))
    header = ["student", "points", "max_points"]
    for check in CHECKS:
        header += [f"02_pca/{check}", f"02_pca/{check} points"]
    header.append("notes")
    refused = "; ".join(sorted([
        f"starting another program touch {graded['program_marker']}",
        f"writing {graded['outside']}",
        "writing ../escaped.txt",
    ]))
    assert rows == [
        header,
        _row("alice", [1, 1, 1, 1, 1]),
        _row("amy", [1, 1, 0, 0, 0], f"02_pca.ipynb: stopped at the time limit of {TIMEOUT} s"),
        _row("bob", [0, 0, 0, 0, 0]),
        _row("carol", [1, 1, 0, 1, 1]),
        _row("dave", [1, 0, 0, 0, 0], "02_pca.ipynb: the kernel died (the notebook ended the Python process)"),
        _row("frank", [1, 1, 1, 1, 1], f"02_pca.ipynb: refused 3 action(s) outside the folder: {refused}"),
    ]
    assert graded["status"] == 0


def test_nothing_was_written_outside(graded):
    assert not graded["outside"].exists()
    assert not graded["program_marker"].exists()
    assert graded["after"] == graded["before"]  # frank deleted his copy's files, not the originals
    leftovers = sorted(p.name for p in graded["tmp"].iterdir())
    assert leftovers == ["grades", "submissions"]


def test_feedback_files_hold_the_check_output(graded):
    fb = graded["out"].parent / "grades-feedback"
    assert sorted(p.name for p in fb.iterdir()) == [f"{s}.txt" for s in
                                                   ("alice", "amy", "bob", "carol", "dave", "frank")]
    carol = (fb / "carol.txt").read_text()
    assert "PASS: normalising the data" in carol
    assert "FAIL: the linear autoencoder from the SVD" in carol
    assert "compute H from normalize(X), not from the raw X" in carol
    amy = (fb / "amy.txt").read_text()
    assert "stopped at the time limit" in amy and "FAIL: check_linear_autoencoder — did not run" in amy
    bob = (fb / "bob.txt").read_text()
    assert bob.count("not implemented yet") == len(CHECKS)
    assert "Refused (outside your folder)" in (fb / "frank.txt").read_text()


def test_the_hang_did_not_stop_the_others(graded):
    assert any(line.startswith("  amy / 02_pca.ipynb: time limit") for line in graded["lines"])
    assert sum(": ok (" in line for line in graded["lines"]) == 4  # alice, bob, carol, frank


# ------------------------------------------------------------------------ fast, no kernel


def test_checks_write_the_grading_log(tmp_path, monkeypatch, capsys):
    from course_ae import checks

    log = tmp_path / "log.jsonl"
    monkeypatch.setenv(_core.GRADING_LOG_ENV, str(log))
    checks.check_squared_error(lambda Xh, X: 0.0)
    recs = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["check"], r["passed"]) for r in recs] == [("check_squared_error", False)]
    assert recs[0]["text"] == capsys.readouterr().out.rstrip("\n")


def test_find_submissions_flat_and_folders(tmp_path):
    assignments = grading.load_assignments(ASSIGNMENT)
    assert [a.checks for a in assignments] == [CHECKS]
    (tmp_path / "zoe").mkdir()
    nbformat.write(nbformat.read(ASSIGNMENT, as_version=4), tmp_path / "zoe" / "02_pca.ipynb")
    nbformat.write(nbformat.read(ASSIGNMENT, as_version=4), tmp_path / "yan-02_pca.ipynb")
    nbformat.write(nbformat.read(ASSIGNMENT, as_version=4), tmp_path / "xavier.ipynb")  # matched by its checks
    subs = grading.find_submissions(tmp_path, assignments)
    assert [(s.student, sorted(s.notebooks)) for s in subs] == [
        ("xavier", ["02_pca.ipynb"]), ("yan", ["02_pca.ipynb"]), ("zoe", ["02_pca.ipynb"])]


def test_bad_input_is_named(tmp_path, capsys):
    assert cli.main(["grade", str(tmp_path / "missing"), "--out", str(tmp_path / "g.csv"),
                     "--assignment", str(ASSIGNMENT)]) == 2
    assert "expected a folder of submissions" in capsys.readouterr().err
    (tmp_path / "subs").mkdir()
    assert cli.main(["grade", str(tmp_path / "subs"), "--out", str(tmp_path / "g.csv"),
                     "--assignment", str(tmp_path)]) == 2
    assert "no notebook there calls a check" in capsys.readouterr().err
    nbformat.write(nbformat.read(ASSIGNMENT, as_version=4), tmp_path / "subs" / "a.ipynb")
    assert cli.main(["grade", str(tmp_path / "subs"), "--out", str(tmp_path / "subs" / "g.csv"),
                     "--assignment", str(ASSIGNMENT)]) == 2
    assert "outside the submissions folder" in capsys.readouterr().err
    for option, value, message in [("--timeout", "0", "expected a number of seconds > 0, got 0"),
                                   ("--timeout", "inf", "expected a finite number of seconds"),
                                   ("-j", "0", "expected a whole number ≥ 1, got 0")]:
        with pytest.raises(SystemExit) as exc:
            cli.main(["grade", str(tmp_path / "subs"), "--out", "g.csv", option, value])
        err = capsys.readouterr().err
        assert exc.value.code == 2 and message in err
        # One line, like every other command's errors: no usage block.
        assert err.count("\n") == 1 and err.startswith("python -m course_ae grade: error:"), err


def test_an_unreadable_notebook_is_a_row_of_fails(tmp_path):
    subs = tmp_path / "subs"
    (subs / "zed").mkdir(parents=True)
    (subs / "zed" / "02_pca.ipynb").write_text("{ this is not a notebook")
    out = tmp_path / "g.csv"
    assert grading.grade(subs, out, assignment=ASSIGNMENT, jobs=1, timeout=30, log=lambda *_: None) == 0
    rows = list(csv.reader(out.open(newline="")))
    assert rows[1] == _row("zed", [0] * len(CHECKS), "02_pca.ipynb: error: the notebook file could not be read "
                                             "(NotJSONError)")
