"""Helpers for the browser tests of the built book (tests/test_book.py).

``serve(folder)`` serves a folder over HTTP on 127.0.0.1 (a port the OS picks) from a
background thread. ``launch_chromium(playwright)`` starts Debian's ``chromium`` headless
through Playwright's Python API, without ``playwright install`` and with Chromium's own
background traffic switched off. ``inspect_page(context, url)`` opens one page, waits for
MathJax and the images, and returns a ``PageReport`` of what went wrong: requests to
another host (aborted, so nothing leaves the machine), failed local requests, math that
was not typeset or typeset with an error, images that did not load, JavaScript errors.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

LOCAL_HOST = "127.0.0.1"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
    "--disable-sync",
]

# Schemes that never reach the network.
_LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension", "file"}


def _is_local(url: str) -> bool:
    """A request that cannot leave the machine: a local scheme, or the 127.0.0.1 server."""
    parts = urlsplit(url)
    return parts.scheme in _LOCAL_SCHEMES or parts.hostname == LOCAL_HOST


def _keep_local(page, blocked: list[str] | None = None) -> None:
    """Let ``page`` reach only local URLs; abort any other request (appended to ``blocked``)."""

    def route(route) -> None:
        if _is_local(route.request.url):
            route.continue_()
        else:
            if blocked is not None:
                blocked.append(route.request.url)
            route.abort("blockedbyclient")

    page.route("**/*", route)


def chromium_path() -> str | None:
    """The path of Debian's ``chromium``, or None when it is not installed."""
    return shutil.which("chromium")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".json": "application/json",
        ".woff": "font/woff",
        ".woff2": "font/woff2",
        ".svg": "image/svg+xml",
    }

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` at ``http://127.0.0.1:<port>/`` until the block ends; yields the URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="book-http", daemon=True)
    thread.start()
    try:
        yield f"http://{LOCAL_HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def launch_chromium(playwright):
    """Launch Debian's chromium headless; Playwright's own browser download is not used."""
    executable = chromium_path()
    if executable is None:
        raise RuntimeError("Debian's chromium is not installed (apt-get install chromium)")
    return playwright.chromium.launch(
        executable_path=executable, headless=True, args=CHROMIUM_ARGS
    )


@dataclass
class PageReport:
    """What one page did in the browser; ``problems()`` lists what is wrong."""

    url: str
    requests: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    has_mathjax: bool = False
    math_elements: int = 0
    untypeset_math: list[str] = field(default_factory=list)
    mjx_containers: int = 0
    math_errors: list[str] = field(default_factory=list)
    images: int = 0
    broken_images: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        out = []
        if self.external_requests:
            out.append(f"requests to other hosts (aborted): {self.external_requests}")
        if self.failed_requests:
            out.append(f"failed requests: {self.failed_requests}")
        if self.page_errors:
            out.append(f"JavaScript errors: {self.page_errors}")
        if self.math_elements and not self.has_mathjax:
            out.append(f"{self.math_elements} math elements but MathJax is not loaded")
        if self.untypeset_math:
            out.append(
                f"{len(self.untypeset_math)} of {self.math_elements} math elements "
                f"not typeset, e.g. {self.untypeset_math[:3]}"
            )
        if self.math_errors:
            out.append(f"MathJax errors (mjx-merror): {self.math_errors}")
        if self.broken_images:
            out.append(f"images that did not load: {self.broken_images}")
        return out


_TYPESET_JS = """
async () => {
  const out = {hasMathJax: false};
  if (window.MathJax && window.MathJax.startup && window.MathJax.startup.promise) {
    out.hasMathJax = true;
    await window.MathJax.startup.promise;
  }
  await document.fonts.ready;
  const maths = [...document.querySelectorAll('.math')];
  out.mathElements = maths.length;
  out.untypeset = maths.filter(el => !el.querySelector('mjx-container'))
                       .map(el => el.textContent.trim().slice(0, 80));
  out.containers = document.querySelectorAll('mjx-container').length;
  out.errors = [...document.querySelectorAll('mjx-merror')]
                 .map(el => (el.getAttribute('data-mjx-error') || el.textContent).slice(0, 120));
  return out;
}
"""

_IMAGES_JS = """
async () => {
  const imgs = [...document.images];
  for (const img of imgs) { img.loading = 'eager'; }
  await Promise.all(imgs.map(img => img.complete ? null :
      new Promise(resolve => { img.addEventListener('load', resolve);
                               img.addEventListener('error', resolve); })));
  return imgs.map(img => ({src: img.currentSrc || img.src,
                           ok: img.complete && img.naturalWidth > 0}));
}
"""


def inspect_page(context, url: str, *, screenshot: Path | None = None) -> PageReport:
    """Open ``url`` in a new tab of ``context`` and report what it loaded and rendered.

    Any request to a host other than 127.0.0.1 is aborted (and reported), so nothing
    leaves the machine even when the page tries.
    """
    report = PageReport(url=url)
    page = context.new_page()

    def on_response(response) -> None:
        if response.status >= 400:
            report.failed_requests.append(f"{response.status} {response.url}")

    def on_request_failed(request) -> None:
        if request.url not in report.external_requests:
            report.failed_requests.append(f"{request.failure} {request.url}")

    _keep_local(page, report.external_requests)
    page.on("request", lambda request: report.requests.append(request.url))
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    page.on("pageerror", lambda error: report.page_errors.append(str(error)))
    try:
        page.goto(url, wait_until="load")
        math = page.evaluate(_TYPESET_JS)
        report.has_mathjax = math["hasMathJax"]
        report.math_elements = math["mathElements"]
        report.untypeset_math = math["untypeset"]
        report.mjx_containers = math["containers"]
        report.math_errors = math["errors"]
        images = page.evaluate(_IMAGES_JS)
        report.images = len(images)
        report.broken_images = [image["src"] for image in images if not image["ok"]]
        # Let late requests (fonts, lazy components) happen before the verdict.
        page.wait_for_load_state("networkidle")
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=False)
    finally:
        page.close()
    return report


# --------------------------------------------------------------------------------------
# Layout: what a reader sees on the page, at a given viewport width.

_LAYOUT_JS = r"""
() => {
  const out = {rawTex: [], sticksOut: [], scrolls: [], noAlt: [], headerShown: false,
               searchBoxes: 0, column: 0};
  const main = document.querySelector('article.bd-article') || document.querySelector('main')
               || document.body;
  const col = main.getBoundingClientRect();
  out.column = Math.round(col.width);
  const header = document.querySelector('#pst-header');
  if (header) {
    const r = header.getBoundingClientRect();
    out.headerShown = getComputedStyle(header).display !== 'none' && r.height > 0;
  }
  out.searchBoxes = [...document.querySelectorAll('.search-button-field')]
    .filter(el => el.getBoundingClientRect().width > 0).length;
  // TeX that MathJax never saw: text outside math containers, code and scripts.
  const skipTex = 'mjx-container, .math, pre, code, kbd, script, style, .highlight, textarea,' +
                  'mjx-assistive-mml, .MathJax, .cell_input';
  const tex = /\\(mathbf|mathrm|mathbb|mathcal|boldsymbol|lVert|rVert|lvert|rvert|frac|tfrac|dfrac|sum|prod|hat|tilde|bar|begin|end|left|right|partial|top|cdot|quad|qquad|operatorname|sqrt|text|alpha|beta|lambda|rho|sigma|odot|le|ge|approx|in|mid)(?![a-zA-Z])|\$\$|\\\(|\\\[|\$[^$\s][^$]*[\\^_][^$]*\$/;
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skipTex)) continue;
    const text = node.textContent;
    if (tex.test(text)) out.rawTex.push(text.trim().replace(/\s+/g, ' ').slice(0, 100));
  }
  // Elements that stick out of the column, and boxes that scroll sideways.
  const byDesign = 'pre, .highlight, div.cell_input';
  const label = el => {
    const cls = (el.className && el.className.baseVal === undefined) ? el.className : '';
    return el.tagName.toLowerCase() + (cls ? '.' + String(cls).trim().split(/\s+/).join('.') : '')
           + ' "' + (el.textContent || el.getAttribute('alt') || '').trim().replace(/\s+/g, ' ').slice(0, 50) + '"';
  };
  for (const el of main.querySelectorAll('*')) {
    if (el.closest(byDesign)) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    let clipped = false;   // inside a box that scrolls: that box is judged instead
    for (let a = el.parentElement; a && a !== main; a = a.parentElement) {
      const ox = getComputedStyle(a).overflowX;
      if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') { clipped = true; break; }
    }
    if (!clipped && (r.right > col.right + 2 || r.left < col.left - 2)) {
      out.sticksOut.push(label(el) + ` (${Math.round(r.width)} px in a ${out.column} px column)`);
    }
    const ox = getComputedStyle(el).overflowX;
    if ((ox === 'auto' || ox === 'scroll') && el.scrollWidth > el.clientWidth + 2) {
      const kind = el.matches('mjx-container[display="true"], mjx-container[display="true"] *') ? 'math'
                 : (el.closest('.pst-scrollable-table-container, table') || el.querySelector('table'))
                   ? 'table' : 'other';
      out.scrolls.push({kind, what: label(el) + ` (${el.scrollWidth} px in ${el.clientWidth} px)`});
    }
  }
  for (const img of main.querySelectorAll('img')) {
    const alt = (img.getAttribute('alt') || '').trim();
    if (!alt || /\.(png|jpe?g|svg|gif)$/i.test(alt) || alt.includes('_images/')) {
      out.noAlt.push((img.getAttribute('src') || '').split('/').pop());
    }
  }
  return out;
}
"""


@dataclass
class LayoutReport:
    """What a reader sees wrong on one page at one viewport width."""

    url: str
    width: int
    raw_tex: list[str] = field(default_factory=list)
    sticks_out: list[str] = field(default_factory=list)
    scrolls: list[dict] = field(default_factory=list)
    no_alt: list[str] = field(default_factory=list)
    header_shown: bool = False
    search_boxes: int = 0
    column: int = 0

    def problems(self, *, scroll_ok: tuple[str, ...] = ()) -> list[str]:
        """The defects; ``scroll_ok`` names kinds of box ("math", "table") allowed to scroll."""
        out = []
        if self.raw_tex:
            out.append(f"raw TeX in the text (not typeset): {self.raw_tex[:5]}")
        if self.sticks_out:
            out.append(f"{len(self.sticks_out)} element(s) wider than the column: {self.sticks_out[:5]}")
        scrolls = [s["what"] for s in self.scrolls if s["kind"] not in scroll_ok]
        if scrolls:
            out.append(f"{len(scrolls)} box(es) that scroll sideways: {scrolls[:5]}")
        if self.no_alt:
            out.append(f"{len(self.no_alt)} image(s) without alt text: {self.no_alt[:5]}")
        if self.header_shown:
            out.append("the theme's empty top bar (#pst-header) is shown")
        return out


def inspect_layout(context, url: str, *, screenshot: Path | None = None) -> LayoutReport:
    """Open ``url`` (MathJax typeset, images loaded) and report layout defects."""
    page = context.new_page()
    _keep_local(page)
    try:
        page.goto(url, wait_until="load")
        page.evaluate(_TYPESET_JS)
        page.evaluate(_IMAGES_JS)
        data = page.evaluate(_LAYOUT_JS)
        if screenshot is not None:
            page.screenshot(path=str(screenshot), full_page=False)
    finally:
        page.close()
    return LayoutReport(url=url, width=page.viewport_size["width"] if page.viewport_size else 0,
                        raw_tex=data["rawTex"], sticks_out=data["sticksOut"],
                        scrolls=data["scrolls"], no_alt=data["noAlt"],
                        header_shown=data["headerShown"], search_boxes=data["searchBoxes"],
                        column=data["column"])


# --------------------------------------------------------------------------------------
# Search: what the search page lists for a query, offline.

@dataclass
class SearchReport:
    url: str
    snippets: list[str] = field(default_factory=list)   # each result's summary text
    titles: list[str] = field(default_factory=list)
    external_requests: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


_SNIPPETS_JS = """
() => [...document.querySelectorAll('#search-results li')].map(li => ({
  title: (li.querySelector('a') || li).textContent,
  snippet: (li.querySelector('p.context') || {textContent: ''}).textContent}))
"""


def search(context, url: str, *, min_snippets: int, timeout_s: float = 60) -> SearchReport:
    """Open the search page ``url`` (``search.html?q=...``) and wait for its snippets.

    Sphinx fetches every result's page to cut its snippet; this waits until at least
    ``min_snippets`` results have one (or the time is up) and returns them all.
    Requests to other hosts are aborted and reported.
    """
    report = SearchReport(url=url)
    page = context.new_page()

    _keep_local(page, report.external_requests)
    page.on("pageerror", lambda error: report.page_errors.append(str(error)))
    try:
        page.goto(url, wait_until="load")
        deadline = time.monotonic() + timeout_s
        results: list[dict] = []
        while time.monotonic() < deadline:
            results = page.evaluate(_SNIPPETS_JS)
            if sum(1 for r in results if r["snippet"].strip()) >= min_snippets:
                break
            page.wait_for_timeout(250)
        page.wait_for_load_state("networkidle")
        results = page.evaluate(_SNIPPETS_JS)
        report.titles = [r["title"] for r in results]
        report.snippets = [r["snippet"] for r in results if r["snippet"].strip()]
    finally:
        page.close()
    return report


def tex_to_text(context, url: str, tex: list[str]) -> list[str]:
    """The book's search script's TeX → text conversion (``courseAeTexToText``) on ``tex``."""
    page = context.new_page()
    _keep_local(page)
    try:
        page.goto(url, wait_until="load")
        return page.evaluate("(items) => items.map(t => window.courseAeTexToText(t))", tex)
    finally:
        page.close()
