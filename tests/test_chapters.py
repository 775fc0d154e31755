"""Every chapter of the book also runs under nbval (--nbval-lax), converted with jupytext.

The book build executes the chapters too; this second run is the one a maintainer can
start alone (``pytest tests/test_chapters.py``) and it reports the failing cell of each
chapter as its own test. It runs twice: with MNIST (as CI and the book have it) and with
MNIST unavailable (an empty data folder, downloads pointed at a closed port on
127.0.0.1), where every chapter must fall back to the 8×8 digits and say so. The converted notebooks are written to a temporary mirror of
the repository (``book/`` holds the .ipynb files, every other top-level entry is a
symbolic link), so a chapter reads ``../bench/results.json`` or ``../exercises`` exactly
as it does in the book, and nothing is written into the repository.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from book_toc import is_myst_notebook, toc_files

ROOT = Path(__file__).resolve().parents[1]


def _toc_chapters() -> list[str]:
    return [name for name in toc_files() if is_myst_notebook(ROOT / f"{name}.md")]


CHAPTERS = _toc_chapters()


def test_every_book_notebook_is_listed():
    # Guards the list below: a chapter with a jupytext header must be in the toc.
    on_disk = {f"book/{p.stem}" for p in (ROOT / "book").glob("*.md")
               if re.search(r"^jupytext:", p.read_text(), re.MULTILINE)}
    assert on_disk <= set(CHAPTERS), f"not in _toc.yml: {sorted(on_disk - set(CHAPTERS))}"


def _closed_port_url() -> str:
    import socket

    with socket.socket() as sock:  # bound and closed again: nothing listens there
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"


# "mnist": the environment's data (make test sets COURSE_AE_DATA to ../shared/data/mnist);
# "digits": MNIST made unavailable, so every chapter takes the fallback.
@pytest.fixture(scope="module", params=["mnist", "digits"])
def nbval_run(request, tmp_path_factory) -> tuple[str, str]:
    data = request.param
    mirror = tmp_path_factory.mktemp(f"chapters-{data}")
    for entry in ROOT.iterdir():
        if entry.name not in ("book", ".git", "_build"):
            (mirror / entry.name).symlink_to(entry)
    (mirror / "book").mkdir()
    for entry in (ROOT / "book").iterdir():
        if entry.suffix != ".md":
            (mirror / "book" / entry.name).symlink_to(entry)
    jupytext = [sys.executable, "-m", "jupytext", "--to", "ipynb", "--quiet"]
    for name in CHAPTERS:
        subprocess.run(jupytext + ["--output", str(mirror / f"{name}.ipynb"), str(ROOT / f"{name}.md")],
                       check=True)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # kernels must show figures
    if data == "digits":
        empty = mirror / "no-mnist"
        empty.mkdir()
        env.update(COURSE_AE_DATA=str(empty), COURSE_AE_MNIST_URL=_closed_port_url(),
                   XDG_CACHE_HOME=str(mirror / "cache"))
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-p", "no:cacheprovider",
         "-q", "-rA", "--rootdir", str(mirror), *[f"{name}.ipynb" for name in CHAPTERS]],
        cwd=mirror, env=env, capture_output=True, text=True, timeout=1800,
    )
    return proc.stdout + proc.stderr, data


@pytest.mark.slow
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_runs_under_nbval(nbval_run, chapter):
    output, data = nbval_run
    stem = Path(chapter).name
    failed = [line for line in output.splitlines()
              if line.startswith(("FAILED", "ERROR")) and f"{stem}.ipynb" in line]
    passed = [line for line in output.splitlines() if line.startswith("PASSED") and f"{stem}.ipynb" in line]
    assert not failed, "\n".join(failed) + "\n\n" + output[-6000:]
    assert passed, f"no cell of {stem} ran under nbval:\n{output[-6000:]}"
