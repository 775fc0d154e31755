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
_LOCAL_SCHEMES = {"data", "blob", "about", "chrome", "chrome-extension"}


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

    def route(route) -> None:
        request_url = route.request.url
        parts = urlsplit(request_url)
        if parts.scheme in _LOCAL_SCHEMES or parts.hostname == LOCAL_HOST:
            route.continue_()
        else:
            report.external_requests.append(request_url)
            route.abort("blockedbyclient")

    def on_response(response) -> None:
        if response.status >= 400:
            report.failed_requests.append(f"{response.status} {response.url}")

    def on_request_failed(request) -> None:
        if request.url not in report.external_requests:
            report.failed_requests.append(f"{request.failure} {request.url}")

    page.route("**/*", route)
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
