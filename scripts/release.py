#!/usr/bin/env python3
"""Writes the release archive: dist/course-ae-VERSION.zip (`make release` runs it).

The archive holds one folder, course-ae-VERSION/, with
  html/            the offline HTML book (open html/index.html; no network needed)
  course-ae.pdf    the book as one PDF (also linked from the HTML book)
  exercises/       the exercise notebooks
  README.txt       how to open each of them
  CHANGELOG.md     what changed, up to this version
It refuses to run when CHANGELOG.md has no entry for VERSION, or when the HTML or the PDF
is missing. Entries are written in a fixed order with a fixed time stamp, so the same
inputs give the same archive.
"""

from __future__ import annotations

import argparse
import re
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STAMP = (2026, 1, 1, 0, 0, 0)

README = """course-ae {version}: autoencoders, derived and checked
=====================================================

html/index.html   The book. Open it in a web browser (double-click it). Everything it
                  needs is in html/: the math (MathJax), the figures and the sliders
                  work without a network connection.
course-ae.pdf     The same book as one PDF, to print and annotate. Solutions to the
                  exercises are at the end of each chapter.
exercises/        The exercise notebooks, one per module. They import the companion
                  package course_ae: clone the project, run `make test` once (it sets up
                  .venv), then `.venv/bin/jupyter lab exercises/`.
CHANGELOG.md      What changed in this version.
"""


class ReleaseError(Exception):
    pass


def changelog_entry(changelog: Path, version: str) -> str:
    text = changelog.read_text(encoding="utf-8")
    match = re.search(rf"^## \[?{re.escape(version)}\]?.*?$(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not match or not match.group(1).strip():
        raise ReleaseError(f"{changelog.name} has no entry for version {version}: add a "
                           f"'## {version}' section saying what changed")
    return match.group(1).strip()


def _add(archive: zipfile.ZipFile, path: Path, name: str) -> None:
    info = zipfile.ZipInfo(name, date_time=STAMP)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, path.read_bytes())


def build(version: str, html: Path, pdf: Path, out: Path, exercises: Path = ROOT / "exercises",
          changelog: Path = ROOT / "CHANGELOG.md") -> Path:
    if not (html / "index.html").is_file():
        raise ReleaseError(f"{html}/index.html is missing: build the book first (make book)")
    if not pdf.is_file():
        raise ReleaseError(f"{pdf} is missing: build the PDF first (make pdf)")
    notebooks = sorted(exercises.glob("*.ipynb"))
    if not notebooks:
        raise ReleaseError(f"no exercise notebooks in {exercises}")
    changelog_entry(changelog, version)
    top = f"course-ae-{version}"
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{top}.zip"
    partial = target.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w") as archive:
        for path in sorted(p for p in html.rglob("*") if p.is_file()):
            rel = path.relative_to(html).as_posix()
            if rel.startswith((".doctrees/", ".buildinfo")) or rel == ".buildinfo":
                continue
            _add(archive, path, f"{top}/html/{rel}")
        _add(archive, pdf, f"{top}/html/course-ae.pdf")     # the HTML book links it
        _add(archive, pdf, f"{top}/course-ae.pdf")
        for path in notebooks:
            _add(archive, path, f"{top}/exercises/{path.name}")
        info = zipfile.ZipInfo(f"{top}/README.txt", date_time=STAMP)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, README.format(version=version))
        _add(archive, changelog, f"{top}/CHANGELOG.md")
    partial.replace(target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", required=True)
    parser.add_argument("--html", type=Path, required=True, help="the built HTML book (_build/html)")
    parser.add_argument("--pdf", type=Path, required=True, help="the built PDF")
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--exercises", type=Path, default=ROOT / "exercises")
    parser.add_argument("--changelog", type=Path, default=ROOT / "CHANGELOG.md")
    args = parser.parse_args(argv)
    try:
        target = build(args.version, args.html, args.pdf, args.out, args.exercises, args.changelog)
    except ReleaseError as error:
        print(f"release: {error}", file=sys.stderr)
        return 1
    size = target.stat().st_size / 2**20
    print(f"release: wrote {target} ({size:.1f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
