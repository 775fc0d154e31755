"""The book builds cleanly, fails on a cell error, and works offline in a real browser.

One strict build per session (``jupyter-book build . --all -W -n --keep-going``, the
flags of ``make book``) goes to a temporary folder through ``--path-output``, so the
user's ``_build/`` is left alone; every test below shares it. The browser tests open
every page of the book in Debian's ``chromium`` (headless, through Playwright's Python
API, without ``playwright install``) served from 127.0.0.1, and abort any request to
another host. They are skipped, with the reason, only when chromium is not installed.

Set ``COURSE_AE_SCREENSHOTS=<folder>`` to keep a screenshot of every page.
"""

from __future__ import annotations

import html.parser
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import yaml

import browser
from book_toc import toc_files

ROOT = Path(__file__).resolve().parents[1]
MATHJAX = ROOT / "book" / "_vendor" / "mathjax" / "tex-chtml-full.js"
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
# Not a Sphinx warning: ipykernel (7+) logs this on stderr each time a kernel starts
# over TCP, which is how every notebook is executed. Any other WARNING fails the test.
KERNEL_TCP_NOTICE = "[IPKernelApp] WARNING | Kernel is running over TCP without encryption"
# Pages the browser tests do not open: the redirect to the first page (opened by its own
# test), and the search and general index pages, which only list the others.
NOT_OPENED = {"index.html", "search.html", "genindex.html"}

# With pytest-xdist, `--dist loadgroup` keeps these tests on one worker: one build.
pytestmark = pytest.mark.xdist_group("book")


def _toc_docnames(toc_path: Path = ROOT / "_toc.yml") -> list[str]:
    """Every ``file:`` of _toc.yml (and its root), in order, without suffix."""
    return toc_files(toc_path)


def _source(docname: str) -> Path | None:
    for suffix in (".md", ".ipynb"):
        path = ROOT / f"{docname}{suffix}"
        if path.exists():
            return path
    return None


def _is_notebook(source: Path | None) -> bool:
    """A .ipynb, or a MyST Markdown notebook (a .md whose front matter has a kernelspec)."""
    if source is None:
        return False
    if source.suffix == ".ipynb":
        return True
    text = source.read_text(encoding="utf-8")
    match = re.match(r"---\r?\n(.*?)\r?\n---\r?\n", text, re.S)
    if not match:
        return False
    front_matter = yaml.safe_load(match.group(1))
    return isinstance(front_matter, dict) and "kernelspec" in front_matter


DOCNAMES = _toc_docnames()
NOTEBOOK_DOCNAMES = [name for name in DOCNAMES if _is_notebook(_source(name))]


def _jupyter_book() -> str:
    here = Path(sys.executable).with_name("jupyter-book")
    return str(here) if here.exists() else (shutil.which("jupyter-book") or "jupyter-book")


@dataclass
class BuiltBook:
    html: Path
    log: str
    returncode: int
    seconds: float
    root: Path        # the --path-output folder: _build/html, _build/.jupyter_cache

    def require_success(self) -> None:
        if self.returncode != 0:
            pytest.fail("the book did not build; see test_book_builds_without_warnings")


def _build(source: Path, output: Path, *flags: str) -> tuple[int, str, float]:
    command = [_jupyter_book(), "build", str(source), "--all", *flags,
               "--path-output", str(output)]
    # tests/conftest.py sets MPLBACKEND=Agg for the tests; a kernel that inherited it
    # would not display any matplotlib figure, and the chapters would lose them silently.
    env = {key: value for key, value in os.environ.items() if key != "MPLBACKEND"}
    start = time.monotonic()
    proc = subprocess.run(command, cwd=source, capture_output=True, text=True, env=env)
    seconds = time.monotonic() - start
    return proc.returncode, ANSI.sub("", proc.stdout + proc.stderr), seconds


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> BuiltBook:
    if not MATHJAX.exists():
        pytest.fail(f"{MATHJAX.relative_to(ROOT)} is missing: run 'bash scripts/setup.sh book' "
                    "(npm ci + scripts/vendor.sh) before building the book")
    output = tmp_path_factory.mktemp("book")
    returncode, log, seconds = _build(ROOT, output, "-W", "-n", "--keep-going")
    print(f"\nbook built in {seconds:.1f} s (exit {returncode}) into {output}")
    return BuiltBook(output / "_build" / "html", log, returncode, seconds, output)


def _html_pages(html_root: Path) -> list[Path]:
    return sorted(p for p in html_root.rglob("*.html")
                  if p.relative_to(html_root).parts[0] not in {"_static", "_sources", "_images"})


# --------------------------------------------------------------------------------------
# The build


@pytest.mark.slow
def test_book_builds_without_warnings(built_book: BuiltBook) -> None:
    warnings = [line for line in built_book.log.splitlines()
                if "WARNING" in line and KERNEL_TCP_NOTICE not in line]
    tail = "\n".join(built_book.log.splitlines()[-60:])
    assert built_book.returncode == 0, f"jupyter-book build failed:\n{tail}"
    assert not warnings, "the build printed warnings:\n" + "\n".join(warnings)


@pytest.mark.slow
def test_every_toc_entry_is_a_built_page(built_book: BuiltBook) -> None:
    built_book.require_success()
    built = {p.relative_to(built_book.html).as_posix() for p in _html_pages(built_book.html)}
    expected = {f"{name}.html" for name in DOCNAMES}
    assert expected <= built, f"pages in _toc.yml but not built: {sorted(expected - built)}"


def test_every_chapter_file_is_in_the_toc() -> None:
    """A page in book/ that _toc.yml does not list is silently left out of the book."""
    listed = set(DOCNAMES)
    sources = sorted(p for p in (ROOT / "book").glob("*") if p.suffix in {".md", ".ipynb"})
    missing = [p.relative_to(ROOT).as_posix() for p in sources
               if p.relative_to(ROOT).with_suffix("").as_posix() not in listed]
    assert not missing, f"add these to _toc.yml (or move them out of book/): {missing}"


@pytest.mark.slow
def test_a_cell_error_fails_the_build(tmp_path: Path) -> None:
    """nb_execution_raise_on_error works: a raising cell fails even a build without -W.

    (Without the setting, a build without -W only warns and exits 0.)
    """
    book = tmp_path / "src"
    (book / "book" / "_vendor").mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", book / "_config.yml")
    # What _config.yml names: the book's extension, CSS, LaTeX stand-in, bibliography.
    for folder in ("_ext", "_theme", "_latex"):
        shutil.copytree(ROOT / "book" / folder, book / "book" / folder)
    shutil.copy(ROOT / "references.bib", book / "references.bib")
    (book / "_toc.yml").write_text("format: jb-book\nroot: book/raises\n", encoding="utf-8")
    (book / "book" / "raises.md").write_text(
        "---\njupytext:\n  text_representation:\n    extension: .md\n    format_name: myst\n"
        "kernelspec:\n  display_name: Python 3\n  language: python\n  name: python3\n---\n\n"
        "# A chapter whose code raises\n\n"
        "```{code-cell} ipython3\nprint('this cell runs')\n```\n\n"
        "```{code-cell} ipython3\n"
        "raise RuntimeError('course-ae sentinel: this cell must fail the build')\n```\n",
        encoding="utf-8",
    )
    returncode, log, _ = _build(book, tmp_path / "out")
    assert returncode != 0, "a chapter whose cell raises was built without an error:\n" + log
    assert "course-ae sentinel" in log and "ExecutionError" in log, log[-3000:]


# --------------------------------------------------------------------------------------
# The built HTML, read as files


class _AssetParser(html.parser.HTMLParser):
    """Collects every URL a page loads by itself, and the text of its inline scripts."""

    LOADING_RELS = {"stylesheet", "preload", "modulepreload", "prefetch", "icon",
                    "shortcut", "manifest", "apple-touch-icon"}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script":
            self._in_script = True
            self.scripts.append("")
            if a.get("src"):
                self.urls.append(("script", a["src"]))
        elif tag == "link" and self.LOADING_RELS & set(a.get("rel", "").lower().split()):
            self.urls.append(("link", a.get("href", "")))
        elif tag in {"img", "source", "iframe", "video", "audio", "embed", "track", "input"}:
            for key in ("src", "poster"):
                if a.get(key):
                    self.urls.append((tag, a[key]))
            for candidate in a.get("srcset", "").split(","):
                if candidate.strip():
                    self.urls.append((tag, candidate.split()[0]))
        elif tag == "object" and a.get("data"):
            self.urls.append((tag, a["data"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


REMOTE = re.compile(r"^(https?:)?//", re.I)
REMOTE_IN_TEXT = re.compile(r"https?://[^\s\"'<>)]+", re.I)


@pytest.mark.slow
def test_no_page_loads_anything_from_another_server(built_book: BuiltBook) -> None:
    built_book.require_success()
    problems = []
    for page in _html_pages(built_book.html):
        parser = _AssetParser()
        parser.feed(page.read_text(encoding="utf-8"))
        name = page.relative_to(built_book.html).as_posix()
        problems += [f"{name}: <{tag}> {url}" for tag, url in parser.urls if REMOTE.match(url)]
        for body in parser.scripts:
            problems += [f"{name}: URL in a <script>: {url}"
                         for url in REMOTE_IN_TEXT.findall(body)]
    for css in (built_book.html / "_static").rglob("*.css"):
        for url in re.findall(r"(?:url\(|@import)\s*['\"]?((?:https?:)?//[^'\")\s]+)",
                              css.read_text(encoding="utf-8", errors="replace")):
            problems.append(f"{css.relative_to(built_book.html).as_posix()}: {url}")
    assert not problems, "the book would fetch from other servers:\n" + "\n".join(problems)


@pytest.mark.slow
def test_mathjax_is_served_from_the_build(built_book: BuiltBook) -> None:
    built_book.require_success()
    static = built_book.html / "_static" / "mathjax"
    assert (static / "tex-chtml-full.js").is_file()
    fonts = list((static / "output" / "chtml" / "fonts" / "woff-v2").glob("*.woff"))
    assert fonts, "MathJax's CHTML fonts were not copied"
    pages_with_math = 0
    for page in _html_pages(built_book.html):
        text = page.read_text(encoding="utf-8")
        if 'class="math' not in text:
            continue
        pages_with_math += 1
        assert re.search(r'<script[^>]+src="(\.\./)*_static/mathjax/tex-chtml-full\.js', text), (
            f"{page.name} has math but does not load the vendored MathJax")
    assert pages_with_math, "no page has math: the MathJax checks would prove nothing"


@pytest.mark.slow
def test_no_widget_output_is_left_blank(built_book: BuiltBook) -> None:
    """The book loads no ipywidgets JavaScript, so a widget output would be an empty box."""
    built_book.require_success()
    pages = [p.relative_to(built_book.html).as_posix() for p in _html_pages(built_book.html)
             if "application/vnd.jupyter.widget-view+json" in p.read_text(encoding="utf-8")]
    assert not pages, (f"widget outputs in {pages}: tag those cells `remove-output` "
                       "(and show a static figure) so the offline book has no blank output")


@pytest.mark.slow
@pytest.mark.parametrize("docname", NOTEBOOK_DOCNAMES)
def test_notebook_pages_offer_the_ipynb_download(built_book: BuiltBook, docname: str) -> None:
    """Every chapter (a notebook) can be downloaded, executed, as .ipynb."""
    built_book.require_success()
    page = (built_book.html / f"{docname}.html").read_text(encoding="utf-8")
    target = f"_sources/{docname}.ipynb"
    assert re.search(rf'href="(\.\./)*{re.escape(target)}"', page), (
        f"{docname}.html has no .ipynb link in its download menu")
    notebook = nbformat.read(built_book.html / target, as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not code or any(cell.get("outputs") for cell in code), (
        f"{target} has no outputs: it should be the executed notebook")


# --------------------------------------------------------------------------------------
# The built book in a real browser


@pytest.fixture(scope="session")
def book_url(built_book: BuiltBook):
    built_book.require_success()
    with browser.serve(built_book.html) as url:
        yield url


@pytest.fixture(scope="session")
def browser_context(chromium_browser):
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900},
                                           service_workers="block")
    context.set_default_timeout(60_000)
    try:
        yield context
    finally:
        context.close()


def _screenshot_path(docname: str) -> Path | None:
    folder = os.environ.get("COURSE_AE_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder) / (docname.replace("/", "__") + ".png")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_renders_offline_in_chromium(browser_context, book_url: str, docname: str) -> None:
    """Math typeset without error, every image loaded, no request left 127.0.0.1."""
    report = browser.inspect_page(browser_context, f"{book_url}{docname}.html",
                                  screenshot=_screenshot_path(docname))
    assert report.requests, "the page made no request at all"
    assert not report.problems(), f"{docname}:\n" + "\n".join(report.problems())


@pytest.mark.slow
@pytest.mark.browser
def test_other_built_pages_render_offline_in_chromium(
    browser_context, book_url: str, built_book: BuiltBook
) -> None:
    """Pages that Sphinx and its extensions add (e.g. sphinx-proof's index of proofs)."""
    chapters = {f"{name}.html" for name in DOCNAMES}
    others = [p.relative_to(built_book.html).as_posix() for p in _html_pages(built_book.html)]
    others = [name for name in others if name not in chapters and name not in NOT_OPENED]
    problems = {}
    for name in others:
        report = browser.inspect_page(browser_context, f"{book_url}{name}")
        if report.problems():
            problems[name] = report.problems()
    assert not problems, "\n".join(f"{name}: {p}" for name, p in problems.items())


@pytest.mark.slow
@pytest.mark.browser
def test_index_redirects_to_the_first_page(browser_context, book_url: str) -> None:
    page = browser_context.new_page()
    try:
        page.goto(book_url)
        page.wait_for_url(f"**/{DOCNAMES[0]}.html")
    finally:
        page.close()


def test_toc_lists_each_existing_page_once() -> None:
    assert DOCNAMES[0] == yaml.safe_load((ROOT / "_toc.yml").read_text())["root"]
    assert len(DOCNAMES) == len(set(DOCNAMES)), "a page is listed twice in _toc.yml"
    missing = [name for name in DOCNAMES if _source(name) is None]
    assert not missing, f"listed in _toc.yml but no .md or .ipynb file: {missing}"


# --------------------------------------------------------------------------------------
# What a reader sees: at a laptop's 1280 px and a phone's 390 px

WIDTHS = {"desktop": 1280, "phone": 390}
# MathJax 3 cannot break a display equation across lines, so on a phone a long one
# scrolls inside its own box (so do results tables); at 1280 px nothing may scroll but
# code, which scrolls by design everywhere.
SCROLL_OK = {"desktop": (), "phone": ("math", "table")}


@pytest.fixture(scope="session", params=list(WIDTHS))
def sized_context(request, chromium_browser):
    context = chromium_browser.new_context(viewport={"width": WIDTHS[request.param], "height": 900},
                                           service_workers="block")
    context.set_default_timeout(60_000)
    try:
        yield request.param, context
    finally:
        context.close()


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("docname", DOCNAMES)
def test_page_reads_well_at_desktop_and_phone_width(sized_context, book_url: str, docname: str) -> None:
    """No raw TeX, nothing wider than the column, alt text on every image, no empty top bar."""
    kind, context = sized_context
    shot = _screenshot_path(f"{docname}-{kind}")
    report = browser.inspect_layout(context, f"{book_url}{docname}.html", screenshot=shot)
    problems = report.problems(scroll_ok=SCROLL_OK[kind])
    assert not problems, f"{docname} at {WIDTHS[kind]} px:\n" + "\n".join(problems)
    if kind == "desktop":
        assert report.search_boxes == 1, f"{report.search_boxes} search boxes shown (one expected)"


def test_the_layout_check_finds_raw_tex_and_wide_boxes(chromium_browser, tmp_path: Path) -> None:
    """The check above fails on the defects it is for (a page written to show them)."""
    (tmp_path / "page.html").write_text(
        "<html><body><main style='width:300px'>"
        "<p>Part 2: \\lVert X \\rVert and $$x$$</p>"
        "<div style='width:900px'>too wide</div>"
        "<div style='overflow-x:auto'><div style='width:900px'>scrolls</div></div>"
        "<img src='a.png' alt='_images/a.png'>"
        "</main></body></html>", encoding="utf-8")
    context = chromium_browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        with browser.serve(tmp_path) as url:
            report = browser.inspect_layout(context, f"{url}page.html")
    finally:
        context.close()
    problems = "\n".join(report.problems())
    assert "raw TeX" in problems and "wider than the column" in problems
    assert "scroll sideways" in problems and "without alt text" in problems


# --------------------------------------------------------------------------------------
# Search, offline: results with readable snippets (math as text, not TeX source)

# Any TeX command, a math delimiter, or $$: none may reach a snippet.
TEX_IN_SNIPPET = re.compile(r"\\[A-Za-z]+|\\[()\[\]]|\$\$")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("query", ["gradient", "sigmoid", "jacobian"])
def test_search_works_offline_with_readable_snippets(browser_context, book_url: str,
                                                      query: str) -> None:
    report = browser.search(browser_context, f"{book_url}search.html?q={query}", min_snippets=3)
    assert not report.external_requests, report.external_requests
    assert not report.page_errors, report.page_errors
    assert len(report.snippets) >= 3, f"'{query}': {len(report.snippets)} snippets {report.titles}"
    raw = [s for s in report.snippets if TEX_IN_SNIPPET.search(s)]
    assert not raw, f"'{query}': TeX source in {len(raw)} snippet(s): {raw[:2]}"
    # The math is still there, as text: some snippet of these math-heavy pages shows a symbol.
    assert any(re.search("[σλρ∂∇‖ᵀ̂Σ]", s) for s in report.snippets), report.snippets[:3]


@pytest.mark.slow
@pytest.mark.browser
def test_search_snippet_math_reads_as_text(browser_context, book_url: str) -> None:
    """The conversion itself, against what a reader would write by hand."""
    cases = {
        r"\(\hat{\mathbf{x}}\)": "x̂",
        r"\(\frac{\partial L}{\partial W}\)": "(∂L)/(∂W)",
        r"\(\lVert W \rVert_F^2\)": "‖W ‖_F^2",
        r"\[\sum_{i=1}^{m} \lambda \sigma(a)\]": "Σ_i=1^m λσ(a)",
        r"\(W^{\top}\)": "Wᵀ",
        r"\[\begin{aligned} a &= b \\ c &= d \end{aligned}\]": "a = b c = d",
    }
    got = browser.tex_to_text(browser_context, f"{book_url}search.html", list(cases))
    assert dict(zip(cases, got)) == cases
