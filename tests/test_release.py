"""The course as a release: the PDF, the incremental build, the release archive.

All three reuse the strict HTML build of tests/test_book.py (the ``built_book``
fixture) and its execution cache: the PDF is built into the same folder, so no chapter
is executed twice; the incremental build starts from a copy of that cache.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest

import browser
from book_toc import ROOT, is_myst_notebook, toc_files
from test_book import BuiltBook, _build, built_book  # noqa: F401  (a fixture)

pytestmark = pytest.mark.xdist_group("book")


# --------------------------------------------------------------------------------------
# The PDF

@pytest.fixture(scope="session")
def built_pdf(built_book: BuiltBook):  # noqa: F811
    built_book.require_success()
    if not (shutil.which("xelatex") and shutil.which("latexmk") and shutil.which("pdftotext")):
        pytest.fail("TeX Live or poppler-utils is missing: run 'bash scripts/setup.sh pdf'")
    returncode, log, seconds = _build(ROOT, built_book.root, "--builder", "pdflatex", "-n",
                                      "--keep-going")
    pdf = built_book.root / "_build" / "latex" / "course-ae.pdf"
    print(f"\nPDF built in {seconds:.1f} s (exit {returncode})")
    if returncode != 0 or not pdf.is_file():
        pytest.fail("the PDF did not build:\n" + "\n".join(log.splitlines()[-80:]))
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return pdf, text, log


def _flat(text: str) -> str:
    """Text with hyphenation at line ends undone and white space folded."""
    text = re.sub(r"(\w)-\n(\w)", r"\1\2", text)
    return re.sub(r"\s+", " ", text)


def _title(page: Path) -> str:
    match = re.search(r"^# (.+)$", page.read_text(encoding="utf-8"), re.M)
    assert match, f"{page} has no title"
    return match.group(1).strip()


def _without_math(text: str) -> list[str]:
    """The words of a title outside its $...$ parts (pdftotext renders math differently)."""
    return [part.strip() for part in re.split(r"\$[^$]*\$", text) if part.strip()]


PAGES = [ROOT / f"{name}.md" for name in toc_files() if (ROOT / f"{name}.md").exists()]
THEOREM = re.compile(r"^[`:]{3,}\{prf:(theorem|lemma|proposition|corollary)\}[ \t]*(.+)$", re.M)


@pytest.mark.slow
def test_pdf_has_every_chapter_title_and_theorem(built_pdf) -> None:
    _, text, log = built_pdf
    flat = _flat(text)
    missing = [f"chapter: {_title(p)}" for p in PAGES if not all(w in flat for w in _without_math(_title(p)))]
    for page in PAGES:
        for kind, title in THEOREM.findall(page.read_text(encoding="utf-8")):
            if not all(words in flat for words in _without_math(title)):
                missing.append(f"{kind} of {page.name}: {title}")
    assert not missing, "not in the PDF's text:\n" + "\n".join(missing)
    assert flat.count("Theorem 7.") >= 5, "theorems are not numbered 7.x.y in the PDF"


@pytest.mark.slow
def test_pdf_typesets_equations(built_pdf) -> None:
    """A sample of the book's equations: their symbols reach the PDF as text."""
    _, text, _ = built_pdf
    # pdftotext spaces math symbols apart, and gives math italic letters (𝑉): NFKC → V.
    dense = unicodedata.normalize("NFKC", re.sub(r"\s+", "", text))
    # The optimal codes of 7.2, the sparsity target, the KL penalty, the Jacobian norm.
    for fragment in ("V≤k", "ρ̂", "log", "‖", "∑", "⊤", "∂"):
        assert fragment in dense or fragment.replace("̂", "") in dense, f"{fragment!r} not in the PDF"


@pytest.mark.slow
def test_pdf_has_no_broken_reference_and_no_ansi_code(built_pdf) -> None:
    _, text, log = built_pdf
    assert "??" not in text, "a broken reference (??) in the PDF:\n" + "\n".join(
        line for line in text.splitlines() if "??" in line)[:2000]
    assert "\x1b[" not in text and not re.search(r"\[\d{1,2}(;\d{1,2})*m", text), (
        "ANSI colour codes in the PDF's text")


@pytest.mark.slow
def test_pdf_puts_solutions_after_each_chapter(built_pdf) -> None:
    _, text, _ = built_pdf
    flat = _flat(text)
    chapters = sorted(set(re.findall(r"Solution to Exercise 7\.(\d)\.", flat)))
    assert chapters, "no solution in the PDF: the check proves nothing"
    for c in chapters:
        exercises = [m.start() for m in re.finditer(rf"(?<!Solution to )Exercise 7\.{c}\.\d", flat)]
        solutions = [m.start() for m in re.finditer(rf"Solution to Exercise 7\.{c}\.\d", flat)]
        assert exercises and min(solutions) > max(exercises), (
            f"chapter 7.{c}: a solution comes before the chapter's last exercise")
    assert flat.count("Solutions to the exercises") >= len(chapters)


# --------------------------------------------------------------------------------------
# The incremental build: only the chapter whose code changed is executed again

@pytest.mark.slow
def test_changing_one_chapter_executes_only_that_chapter(built_book: BuiltBook, tmp_path: Path) -> None:  # noqa: F811
    built_book.require_success()
    mirror = tmp_path / "repo"
    mirror.mkdir()
    for entry in ROOT.iterdir():
        if entry.name not in ("book", ".git", "_build"):
            (mirror / entry.name).symlink_to(entry)
    (mirror / "book").mkdir()
    for entry in (ROOT / "book").iterdir():
        if entry.suffix == ".md":
            shutil.copy(entry, mirror / "book" / entry.name)
        else:
            (mirror / "book" / entry.name).symlink_to(entry)
    changed = mirror / "book" / "performance.md"
    text = changed.read_text(encoding="utf-8")
    changed.write_text(text + "\n```{code-cell} ipython3\n_ = 'incremental-build probe'\n```\n",
                       encoding="utf-8")
    out = tmp_path / "out"
    shutil.copytree(built_book.root / "_build" / ".jupyter_cache", out / "_build" / ".jupyter_cache")
    returncode, log, seconds = _build(mirror, out, "-W", "-n", "--keep-going")
    assert returncode == 0, log[-4000:]
    executed = re.findall(r"(\S+\.md): Executing notebook", log)
    cached = re.findall(r"(\S+\.md): Using cached notebook", log)
    assert [Path(p).name for p in executed] == ["performance.md"], executed
    assert len(cached) == len([p for p in PAGES if is_myst_notebook(p)]) - 1, cached
    print(f"\nincremental build (one chapter changed): {seconds:.1f} s; "
          f"clean build {built_book.seconds:.1f} s")


# --------------------------------------------------------------------------------------
# The release archive

@pytest.fixture(scope="session")
def release(built_book: BuiltBook, built_pdf, tmp_path_factory):  # noqa: F811
    pdf, _, _ = built_pdf
    dist = tmp_path_factory.mktemp("dist")
    version = re.search(r'^version = "(.+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "release.py"), "--version", version,
                           "--html", str(built_book.html), "--pdf", str(pdf), "--out", str(dist)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    archive = dist / f"course-ae-{version}.zip"
    unpacked = tmp_path_factory.mktemp("unpacked")
    assert not any(unpacked.iterdir())
    with zipfile.ZipFile(archive) as z:
        z.extractall(unpacked)
    return unpacked / f"course-ae-{version}", version


def test_release_refuses_a_version_without_a_changelog_entry(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import release as rel
    finally:
        sys.path.pop(0)
    (tmp_path / "html").mkdir()
    (tmp_path / "html" / "index.html").write_text("<html></html>")
    (tmp_path / "b.pdf").write_bytes(b"%PDF-1.5")
    (tmp_path / "CHANGELOG.md").write_text("# Changelog\n\n## 0.1.0\n\n- first\n")
    with pytest.raises(rel.ReleaseError, match="no entry for version 9.9.9"):
        rel.build("9.9.9", tmp_path / "html", tmp_path / "b.pdf", tmp_path / "dist",
                  changelog=tmp_path / "CHANGELOG.md")
    with pytest.raises(rel.ReleaseError, match="make pdf"):
        rel.build("0.1.0", tmp_path / "html", tmp_path / "missing.pdf", tmp_path / "dist",
                  changelog=tmp_path / "CHANGELOG.md")


@pytest.mark.slow
def test_release_holds_the_book_the_pdf_and_the_exercises(release) -> None:
    top, version = release
    assert (top / "html" / "index.html").is_file()
    assert (top / "course-ae.pdf").read_bytes()[:5] == b"%PDF-"
    assert (top / "html" / "course-ae.pdf").is_file()
    names = sorted(p.name for p in (top / "exercises").glob("*.ipynb"))
    assert names == sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    readme = (top / "README.txt").read_text()
    assert "html/index.html" in readme and "course-ae.pdf" in readme
    assert f"## {version}" in (top / "CHANGELOG.md").read_text()


_MOVE_SLIDERS_JS = """
async () => {
  const out = [];
  for (const slider of document.querySelectorAll('.course-ae-slider')) {
    const input = slider.querySelector('input[type=range]');
    const visible = () => [...slider.querySelectorAll('.course-ae-slider-frame')]
        .filter(img => !img.hidden && img.getBoundingClientRect().width > 0).map(img => img.dataset.index);
    const before = visible();
    const labelBefore = slider.querySelector('output').textContent;
    input.value = String((parseInt(input.value, 10) + 1) % (parseInt(input.max, 10) + 1));
    input.dispatchEvent(new Event('input', {bubbles: true}));
    const after = visible();
    out.push({before, after, labelBefore, label: slider.querySelector('output').textContent,
              frames: slider.querySelectorAll('.course-ae-slider-frame').length});
  }
  return out;
}
"""


SLIDER_PAGES = {"book/01_introduction", "book/04_denoising", "book/05_sparse",
                "book/06_contractive"}


@pytest.mark.slow
@pytest.mark.browser
def test_release_opens_offline_from_the_unpacked_folder(release, chromium_browser) -> None:
    """Opened as files (file://), every request to a network aborted: math, images, sliders work."""
    top, _ = release
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900},
                                           service_workers="block", offline=True)
    context.set_default_timeout(60_000)
    problems, sliders = {}, {}
    try:
        for name in toc_files():
            url = (top / "html" / f"{name}.html").as_uri()
            report = browser.inspect_page(context, url)
            if report.problems():
                problems[name] = report.problems()
            page = context.new_page()
            try:
                page.goto(url, wait_until="load")
                for moved in page.evaluate(_MOVE_SLIDERS_JS):
                    sliders[name] = sliders.get(name, 0) + 1
                    if not (len(moved["before"]) == len(moved["after"]) == 1
                            and moved["before"] != moved["after"]
                            and moved["labelBefore"] != moved["label"]):
                        problems.setdefault(name, []).append(f"a slider did not change its image and label: {moved}")
            finally:
                page.close()
    finally:
        context.close()
    assert not problems, "\n".join(f"{n}: {p}" for n, p in problems.items())
    # The four figures a reader can move: k (7.1), q (7.4), ρ (7.5), λ_c (7.6).
    assert set(sliders) >= SLIDER_PAGES, f"sliders found on {sliders}, expected on {SLIDER_PAGES}"
