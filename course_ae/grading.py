"""Grade a folder of submitted exercise notebooks: ``python -m course_ae grade``.

::

    python -m course_ae grade SUBMISSIONS_DIR --out grades.csv [-j JOBS] [--timeout SECONDS]
                              [--assignment PATH] [--feedback DIR] [--keep DIR]

``SUBMISSIONS_DIR`` holds one folder per student (``alice/02_pca.ipynb``, any data files
beside it), or a flat list of notebooks (``alice_02_pca.ipynb``, ``bob.ipynb``), or both.
The notebooks are graded against ``--assignment``: a folder of exercise notebooks (default:
the repository's ``exercises/``) or one notebook. The graded items are the checks that the
assignment's cells call (``checks.check_normalize(normalize)``); each is worth one point.
A student's notebook is matched to an assignment notebook by file name (``02_pca.ipynb``,
or a name that ends with it, e.g. ``alice_02_pca.ipynb``); a flat notebook whose name
matches none is graded against the assignment notebook whose checks it calls most.

Each notebook runs in a fresh kernel, in a temporary copy of the student's folder (a flat
notebook: a folder holding only that notebook), with a time limit for the whole notebook
(``--timeout``), ``-j`` of them at a time. The kernel's working directory, ``HOME``,
``TMPDIR`` and caches all point into that copy, and a Python audit hook installed before the
student's first cell refuses, and records, any write, deletion or rename outside it and any
attempt to start another program. Every check the notebook runs appends its result to a
log outside the copy (``COURSE_AE_GRADING_LOG``, see :mod:`course_ae.checks`), so the checks
that ran before a hang, a crash of the kernel (``os._exit``) or the time limit keep their
result; a check that never ran is a FAIL. After grading, the submissions folder is compared
with a snapshot taken before (every file's size and SHA-256): a change is reported and the
command exits with status 1.

Output: ``--out`` (CSV, one row per student: ``student``, ``points``, ``max_points``, then
per check ``<notebook>/<check>`` = PASS or FAIL and ``<notebook>/<check> points``, then
``notes``: time limits, dead kernels, missing notebooks, refused writes), and one feedback
file per student, ``<feedback>/<student>.txt`` (default ``--feedback``: ``<out>`` without
``.csv`` plus ``-feedback``), holding each check's own output.

Limits: the audit hook sees what Python code does (``open``, ``os``, ``shutil``,
``subprocess``, ``pathlib``, NumPy's and torch's file writing go through it); code that calls
the C library directly (``ctypes``) is not seen, which is why the snapshot comparison runs
after. For untrusted submissions run the command inside a container or a throw-away user
account as well.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from . import options
from .checks._core import GRADING_LOG_ENV

__all__ = ["Assignment", "Submission", "NotebookResult", "load_assignments", "find_submissions",
           "grade_notebook", "grade", "main"]

_CHECK_CALL = re.compile(r"\bchecks\.(check_\w+)\s*\(")
_DEFAULT_ASSIGNMENT = Path(__file__).resolve().parent.parent / "exercises"


@dataclass
class Assignment:
    """One exercise notebook: its file name and the checks it calls, in order."""

    name: str
    path: Path
    checks: list[str]


@dataclass
class Submission:
    """One student: the folder to copy and, per assignment name, the notebook to run."""

    student: str
    folder: Path | None  # None: a flat notebook, copied alone
    notebooks: dict[str, Path]
    notes: list[str] = field(default_factory=list)


@dataclass
class NotebookResult:
    student: str
    assignment: str
    status: str  # "ok", "time limit", "kernel died", "missing", "error: ..."
    records: list[dict]
    blocked: list[str]
    seconds: float = 0.0


class GradingError(Exception):
    """Bad input to ``grade``: the message says what was wrong and what is expected."""


# =============================================================================== discovery


def _code_checks(path: Path) -> list[str]:
    import nbformat

    nb = nbformat.read(path, as_version=4)
    found: list[str] = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            for name in _CHECK_CALL.findall(cell.source):
                if name not in found:
                    found.append(name)
    return found


def load_assignments(path: Path) -> list[Assignment]:
    """The assignment notebooks in ``path`` (a folder, or one ``.ipynb``) and their checks."""
    path = Path(path)
    if path.is_file() and path.suffix == ".ipynb":
        files = [path]
    elif path.is_dir():
        files = sorted(p for p in path.glob("*.ipynb"))
    else:
        raise GradingError(f"--assignment {path}: expected a folder of exercise notebooks or one .ipynb file")
    out = [Assignment(p.name, p, _code_checks(p)) for p in files]
    out = [a for a in out if a.checks]
    if not out:
        raise GradingError(f"--assignment {path}: no notebook there calls a check (checks.check_...(...))")
    return out


def _match(name: str, assignments: list[Assignment]) -> Assignment | None:
    exact = [a for a in assignments if a.name == name]
    if exact:
        return exact[0]
    ends = [a for a in assignments if name.endswith(a.name)]
    return max(ends, key=lambda a: len(a.name)) if ends else None


def _student_name(text: str) -> str:
    return re.sub(r"[^\w.@+-]", "_", text) or "student"


def find_submissions(root: Path, assignments: list[Assignment]) -> list[Submission]:
    """One Submission per student folder of ``root`` and per notebook lying directly in it."""
    root = Path(root)
    if not root.is_dir():
        raise GradingError(f"{root}: expected a folder of submissions (one folder per student, or .ipynb files)")
    subs: list[Submission] = []
    for entry in sorted(root.iterdir()):
        if entry.name.startswith("."):
            continue
        if entry.is_dir() and not entry.is_symlink():
            notebooks: dict[str, Path] = {}
            notes = []
            for nb in sorted(entry.rglob("*.ipynb")):
                if ".ipynb_checkpoints" in nb.parts:
                    continue
                a = _match(nb.name, assignments)
                if a is None:
                    notes.append(f"{nb.relative_to(entry)}: matches no assignment notebook, not graded")
                elif a.name in notebooks:
                    notes.append(f"{nb.relative_to(entry)}: a second notebook for {a.name}, not graded")
                else:
                    notebooks[a.name] = nb
            subs.append(Submission(_student_name(entry.name), entry, notebooks, notes))
        elif entry.is_file() and entry.suffix == ".ipynb":
            a = _match(entry.name, assignments)
            student = entry.stem
            if a is not None:
                if entry.name != a.name:
                    student = entry.name[: -len(a.name)].rstrip("_-. ") or entry.stem
            else:
                try:
                    called = set(_code_checks(entry))
                except Exception:
                    called = set()
                a = max(assignments, key=lambda x: len(called & set(x.checks)))
            subs.append(Submission(_student_name(student), None, {a.name: entry}))
    names = [s.student for s in subs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise GradingError(f"{root}: several submissions for the same student name {dupes}; give each student "
                           "one folder (or one notebook per assignment)")
    if not subs:
        raise GradingError(f"{root}: no submissions (expected one folder per student, or .ipynb files)")
    return subs


# ============================================================================ the sandbox

# Runs in the kernel before the student's first cell. An audit hook cannot be removed once
# added, so the student's code runs under it for the kernel's whole life.
_GUARD = r'''
def __course_ae_grading_guard(allowed_dir, log_path):
    import json, os, sys
    allowed_dir = os.path.realpath(allowed_dir)
    log_path = os.path.realpath(log_path)
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC
    state = {"busy": False}

    def resolve(path, dir_fd=None):
        if isinstance(path, int):
            return None
        path = os.fsdecode(path)
        if not os.path.isabs(path) and dir_fd is not None:
            try:
                path = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path)
            except OSError:
                pass
        return os.path.realpath(path)

    def inside(path):
        return path is None or path == log_path or path == os.devnull or path == allowed_dir \
            or path.startswith(allowed_dir + os.sep)

    def refuse(what, path):
        if not state["busy"]:
            state["busy"] = True
            try:
                with open(log_path, "a", encoding="utf-8") as log:
                    log.write(json.dumps({"blocked": what, "path": path}) + "\n")
            finally:
                state["busy"] = False
        raise PermissionError(f"grading: {what} outside the submission folder is not allowed: {path}")

    def hook(event, args):
        if state["busy"]:
            return
        if event == "open":
            path, mode, flags = args
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or \
                (mode is None and isinstance(flags, int) and flags & write_flags)
            if writing:
                p = resolve(path)
                if not inside(p):
                    refuse("writing", p)
        elif event in ("os.remove", "os.rmdir", "os.mkdir", "os.chmod", "os.chown", "os.truncate",
                       "os.utime", "shutil.rmtree"):
            dir_fd = args[-1] if event != "os.truncate" and len(args) > 1 else None
            p = resolve(args[0], dir_fd if isinstance(dir_fd, int) else None)
            if not inside(p):
                refuse(event.split(".")[-1], p)
        elif event in ("os.rename", "os.link", "os.symlink"):
            for path in args[:2]:
                p = resolve(path)
                if event != "os.symlink" or path is args[1]:
                    if not inside(p):
                        refuse(event.split(".")[-1], p)
        elif event in ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
                       "os.forkpty", "pty.spawn"):
            what = args[1] if event in ("subprocess.Popen", "os.exec", "os.posix_spawn") and len(args) > 1 \
                else (args[0] if args else event)
            if isinstance(what, (list, tuple)):
                what = " ".join(os.fsdecode(a) if isinstance(a, (bytes, str)) else str(a) for a in what)
            elif isinstance(what, bytes):
                what = os.fsdecode(what)
            refuse("starting another program", str(what))

    sys.dont_write_bytecode = True
    sys.addaudithook(hook)


__course_ae_grading_guard({allowed!r}, {log!r})
del __course_ae_grading_guard
'''


def _worker(spec_path: str) -> int:
    """Execute one notebook (in a subprocess of the grader): ``python -m course_ae.grading --worker``."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    spec = json.loads(Path(spec_path).read_text())
    deadline = time.monotonic() + spec["timeout"]
    try:
        nb = nbformat.read(spec["notebook"], as_version=4)
    except Exception as exc:  # not JSON, not a notebook
        Path(spec["status"]).write_text(f"error: the notebook file could not be read ({type(exc).__name__})")
        return 0
    guard = nbformat.v4.new_code_cell(_GUARD.replace("{allowed!r}", repr(spec["allowed"]))
                                      .replace("{log!r}", repr(spec["log"])))
    nb.cells.insert(0, guard)
    client = NotebookClient(nb, timeout=spec["timeout"], allow_errors=True, kernel_name="python3",
                            resources={"metadata": {"path": spec["cwd"]}}, shutdown_kernel="immediate",
                            startup_timeout=120, record_timing=False,
                            timeout_func=lambda cell: max(1, int(deadline - time.monotonic()) + 1))

    def note_pid(**kwargs):
        try:
            pid = client.km.provisioner.pid
            Path(spec["pidfile"]).write_text(str(pid))
        except Exception:
            pass

    client.on_notebook_start = note_pid
    client.on_cell_start = note_pid
    status = "ok"
    try:
        client.execute()
    except CellTimeoutError:
        status = "time limit"
    except DeadKernelError:
        status = "kernel died"
    except Exception as exc:  # the kernel could not start, a broken notebook file, ...
        status = f"error: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    Path(spec["status"]).write_text(status)
    return 0


def _kernel_env(work: Path, log: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "PYTHONPATH", "COURSE_AE_DATA", "LANG", "LC_ALL",
                                                        "VIRTUAL_ENV", "CUDA_VISIBLE_DEVICES")}
    home = work
    env.update({
        "HOME": str(home), "TMPDIR": str(work / ".tmp"), "TMP": str(work / ".tmp"), "TEMP": str(work / ".tmp"),
        "XDG_CACHE_HOME": str(work / ".cache"), "XDG_CONFIG_HOME": str(work / ".config"),
        "XDG_DATA_HOME": str(work / ".local" / "share"), "MPLCONFIGDIR": str(work / ".cache" / "matplotlib"),
        "IPYTHONDIR": str(work / ".ipython"), "TORCH_HOME": str(work / ".cache" / "torch"),
        "PYTHONDONTWRITEBYTECODE": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        GRADING_LOG_ENV: str(log),
    })
    return env


def _seed_caches(work: Path) -> None:
    """Copy matplotlib's font list into the copy's cache: otherwise every kernel rebuilds it
    (seconds) and asks fc-list, another program, which the guard refuses."""
    try:
        import matplotlib

        src = Path(matplotlib.get_cachedir())
        dst = work / ".cache" / "matplotlib"
        dst.mkdir(parents=True, exist_ok=True)
        for f in src.glob("fontlist-*.json"):
            shutil.copy2(f, dst / f.name)
    except Exception:  # only a speed-up
        pass


def _kill(pid: int) -> None:
    for sig in (signal.SIGKILL,):
        try:
            os.killpg(pid, sig)
        except (ProcessLookupError, PermissionError, OSError):
            try:
                os.kill(pid, sig)
            except (ProcessLookupError, PermissionError, OSError):
                pass


def grade_notebook(student: str, assignment: str, notebook: Path, folder: Path | None, timeout: float,
                   scratch: Path) -> NotebookResult:
    """Run one notebook in a copy of its folder under ``scratch`` and read its checks' log."""
    job = Path(tempfile.mkdtemp(prefix=f"{student}-", dir=scratch))
    work, private = job / "work", job / "grader"
    private.mkdir()
    if folder is not None:
        shutil.copytree(folder, work, symlinks=True, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        nb_copy = work / notebook.relative_to(folder)
    else:
        work.mkdir()
        nb_copy = work / notebook.name
        shutil.copy2(notebook, nb_copy)
    for sub in (".tmp", ".cache", ".config", ".ipython"):
        (work / sub).mkdir(exist_ok=True)
    log = private / "log.jsonl"
    log.touch()
    spec = {"notebook": str(nb_copy), "cwd": str(nb_copy.parent), "timeout": timeout, "log": str(log),
            "status": str(private / "status"), "pidfile": str(private / "kernel.pid"),
            "allowed": str(work)}  # the kernel may write only inside the copy
    _seed_caches(work)
    (private / "spec.json").write_text(json.dumps(spec))
    env = _kernel_env(work, log)
    env["JUPYTER_RUNTIME_DIR"] = str(private / "runtime")
    env["JUPYTER_CONFIG_DIR"] = str(private / "config")
    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "course_ae.grading", "--worker", str(private / "spec.json")],
                            cwd=spec["cwd"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    status = None
    try:
        _, err = proc.communicate(timeout=timeout + 60)  # the worker keeps the limit; this is the safety net
    except subprocess.TimeoutExpired:
        _kill(proc.pid)
        _, err = proc.communicate()
        status = "time limit"
        pidfile = private / "kernel.pid"
        if pidfile.exists():  # the kernel runs in its own session, left behind by the killed worker
            try:
                _kill(int(pidfile.read_text()))
            except ValueError:
                pass
    if status is None:
        status = (private / "status").read_text() if (private / "status").exists() else \
            f"error: the grading process stopped ({' '.join((err or b'').decode(errors='replace').split())[-200:]})"
    records, blocked = [], []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if not isinstance(rec, dict):
            continue
        if "blocked" in rec:
            path = str(rec.get("path"))
            if path.startswith(str(job)):  # inside the grader's scratch space: say it as the student wrote it
                path = os.path.relpath(path, work)
            blocked.append(f"{rec.get('blocked')} {path}")
        elif isinstance(rec.get("check"), str) and isinstance(rec.get("passed"), bool):
            records.append(rec)
    return NotebookResult(student, assignment, status, records, blocked, time.monotonic() - start)


# ================================================================================ grading


def _snapshot(root: Path) -> dict[str, tuple[int, str]]:
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_file() and not p.is_symlink():
            out[str(p.relative_to(root))] = (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
        elif p.is_symlink():
            out[str(p.relative_to(root))] = (-1, os.readlink(p))
    return out


def _columns(assignments: list[Assignment]) -> list[tuple[str, str]]:
    return [(Path(a.name).stem, c) for a in assignments for c in a.checks]


def grade(submissions: Path, out: Path, *, assignment: Path | None = None, feedback: Path | None = None,
          jobs: int | None = None, timeout: float = 300.0, keep: Path | None = None,
          log=print) -> int:
    """Grade every submission; write the CSV and the feedback files. Returns the exit status."""
    submissions = Path(submissions).resolve()
    out = Path(out)
    assignments = load_assignments(Path(assignment) if assignment else _DEFAULT_ASSIGNMENT)
    subs = find_submissions(submissions, assignments)
    feedback = Path(feedback) if feedback else out.with_name(out.stem + "-feedback")
    for target in (out.resolve(), feedback.resolve()):
        if target == submissions or submissions in target.parents:
            raise GradingError(f"{target}: write the grades outside the submissions folder {submissions}")
    jobs = jobs or os.cpu_count() or 1
    before = _snapshot(submissions)
    scratch_root = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="course-ae-grade-"))
    scratch_root.mkdir(parents=True, exist_ok=True)
    tasks = [(s, a) for s in subs for a in assignments if a.name in s.notebooks]
    log(f"grading {len(tasks)} notebook(s) of {len(subs)} student(s), {jobs} at a time, "
        f"time limit {timeout:g} s per notebook")
    results: dict[tuple[str, str], NotebookResult] = {}
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {pool.submit(grade_notebook, s.student, a.name, s.notebooks[a.name], s.folder, timeout,
                                   scratch_root): (s.student, a.name) for s, a in tasks}
            for fut, key in futures.items():
                try:
                    results[key] = fut.result()
                except Exception as exc:  # the grader's own failure for this notebook: still a row
                    results[key] = NotebookResult(key[0], key[1], f"error: {type(exc).__name__}: {exc}", [], [])
                r = results[key]
                log(f"  {key[0]} / {key[1]}: {r.status} ({r.seconds:.0f} s)")
    finally:
        if not keep:
            shutil.rmtree(scratch_root, ignore_errors=True)
    after = _snapshot(submissions)
    changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))

    cols = _columns(assignments)
    header = ["student", "points", "max_points"]
    for nb, check in cols:
        header += [f"{nb}/{check}", f"{nb}/{check} points"]
    header.append("notes")
    out.parent.mkdir(parents=True, exist_ok=True)
    feedback.mkdir(parents=True, exist_ok=True)
    rows = []
    for s in subs:
        row = {"student": s.student}
        total = 0
        notes = list(s.notes)
        lines = [f"Feedback for {s.student}", ""]
        for a in assignments:
            nb = Path(a.name).stem
            r = results.get((s.student, a.name))
            if r is None:
                r = NotebookResult(s.student, a.name, "missing", [], [])
            last = {}
            for rec in r.records:
                last[rec["check"]] = rec
            status_line = {"ok": "ran to the end", "missing": "not submitted",
                           "time limit": f"stopped at the time limit of {timeout:g} s",
                           "kernel died": "the kernel died (the notebook ended the Python process)"}.get(
                r.status, r.status)
            lines += [f"== {a.name}: {status_line}", ""]
            if r.status != "ok":
                notes.append(f"{a.name}: {status_line}")
            if r.blocked:
                notes.append(f"{a.name}: refused {len(r.blocked)} action(s) outside the folder: "
                             + "; ".join(sorted(set(r.blocked))))
                lines += ["Refused (outside your folder): " + "; ".join(sorted(set(r.blocked))), ""]
            for check in a.checks:
                rec = last.get(check)
                passed = bool(rec and rec["passed"])
                row[f"{nb}/{check}"] = "PASS" if passed else "FAIL"
                row[f"{nb}/{check} points"] = 1 if passed else 0
                total += passed
                if rec is None:
                    why = "not submitted" if r.status == "missing" else "did not run"
                    lines += [f"FAIL: {check} — {why}", ""]
                else:
                    lines += [rec["text"], ""]
        row["points"] = total
        row["max_points"] = len(cols)
        row["notes"] = " | ".join(notes)
        rows.append(row)
        (feedback / f"{s.student}.txt").write_text("\n".join(lines).rstrip() + "\n", encoding="utf-8")
    with open(out, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    log(f"wrote {out} ({len(rows)} students) and the feedback files in {feedback}")
    if changed:
        print(f"error: the submissions folder changed while grading (a notebook wrote outside its copy?): "
              f"{changed[:10]}", file=sys.stderr)
        return 1
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = options.OneLineParser(
        prog="python -m course_ae grade",
        description="Run every submitted exercise notebook in a fresh kernel and write one CSV row per "
                    "student (each check's PASS/FAIL and points) and a feedback file per student.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
        epilog=textwrap.dedent("""\
            SUBMISSIONS_DIR holds one folder per student (alice/02_pca.ipynb, ...) or .ipynb files
            (alice_02_pca.ipynb, ...). Nothing inside it is modified."""))
    p.add_argument("submissions", type=Path, metavar="SUBMISSIONS_DIR")
    p.add_argument("--out", type=Path, required=True, help="the CSV file to write")
    p.add_argument("--assignment", type=Path, default=None,
                   help=f"the exercise notebooks that define the checks: a folder or one .ipynb "
                        f"(default: {_DEFAULT_ASSIGNMENT})")
    p.add_argument("--feedback", type=Path, default=None,
                   help="folder for the per-student feedback files (default: next to --out, <name>-feedback)")
    p.add_argument("-j", "--jobs", type=options.positive_int, default=os.cpu_count() or 1, help="notebooks run at a time")
    p.add_argument("--timeout", type=options.seconds, default=300.0, help="time limit per notebook, in seconds")
    p.add_argument("--keep", type=Path, default=None,
                   help="keep the executed copies in this folder (to inspect them) instead of deleting them")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--worker"] and len(argv) == 2:
        return _worker(argv[1])
    args = build_parser().parse_args(argv)
    try:
        return grade(args.submissions, args.out, assignment=args.assignment, feedback=args.feedback,
                     jobs=args.jobs, timeout=args.timeout, keep=args.keep)
    except GradingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
