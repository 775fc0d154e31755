"""The exercises work where students do them: in JupyterLab, in a real browser.

A module fixture starts ``jupyter lab`` on 127.0.0.1 (a free port, a random token, a
temporary root folder and temporary Jupyter config/data/runtime/settings/workspace
folders, so neither the repository nor the user's Jupyter setup is touched or used) and
shuts it down at the end through the REST API (which also stops the kernels), killing
it only if that fails. Debian's ``chromium`` runs headless through Playwright's Python
API (no ``playwright install``); every request it makes to a host other than
127.0.0.1 is aborted and recorded, and the tests assert that there was none.

Each test copies a notebook into the root folder, opens it in JupyterLab (a workspace
of its own), runs all its cells with JupyterLab's own ``notebook:run-all-cells`` command
(Run ▸ Run All Cells; the app is exposed to the page with
``--LabApp.expose_app_in_browser=True``), waits until that settles and the kernel is
idle, and reads what the page shows. The tests:

- ``exercises/04_denoising.ipynb``, unsolved, runs to the end (only cells tagged
  ``raises-exception`` show an error, as in nbval) and every check cell shows
  "FAIL: ... not implemented yet" — a message, not a traceback;
- an explorer from ``course_ae.explorers`` displays as a live widget, and moving its
  slider with the keyboard in the page redraws its figure (kernel round trip).

Skipped, with the reason, only when chromium is not installed. Set
``COURSE_AE_SCREENSHOTS=<folder>`` to keep a screenshot of each notebook after the run.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import nbformat
import pytest

import browser

ROOT = Path(__file__).resolve().parents[1]
EXERCISE = ROOT / "exercises" / "04_denoising.ipynb"
HOST = browser.LOCAL_HOST

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.xdist_group("jupyterlab"),
    pytest.mark.skipif(
        browser.chromium_path() is None,
        reason="Debian's chromium is not installed (apt-get install chromium); "
        "the JupyterLab test needs a real browser",
    ),
]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab server: its URL, token, root folder and log."""

    url: str
    token: str
    root: Path
    log: Path
    process: subprocess.Popen

    def api(self, path: str, method: str = "GET", timeout: float = 5.0) -> bytes:
        request = urllib.request.Request(
            f"{self.url}{path}", method=method, headers={"Authorization": f"token {self.token}"}
        )
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()

    def log_tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]


def _start_lab(tmp: Path) -> Lab:
    root = tmp / "root"
    root.mkdir()
    port, token = _free_port(), secrets.token_hex(16)
    env = {key: value for key, value in os.environ.items() if not key.startswith("JUPYTER")}
    # The kernel must show figures inline: drop the Agg backend the test session uses.
    env.pop("MPLBACKEND", None)
    for name in ("config", "data", "runtime"):
        (tmp / name).mkdir()
    # Do not ask about (or fetch) Jupyter news: no pop-up over the notebook.
    notification = tmp / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    # Render every cell: with JupyterLab's default windowing, cells scrolled out of view
    # have no DOM, so their outputs would not be on the page for the test to read.
    tracker = tmp / "settings" / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings"
    tracker.parent.mkdir(parents=True)
    tracker.write_text(json.dumps({"windowingMode": "none"}))
    env.update(
        JUPYTER_CONFIG_DIR=str(tmp / "config"),
        JUPYTER_DATA_DIR=str(tmp / "data"),
        JUPYTER_RUNTIME_DIR=str(tmp / "runtime"),
        JUPYTER_PLATFORM_DIRS="1",
        PYTHONUNBUFFERED="1",
    )
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--ServerApp.open_browser=False",
        "--LabApp.expose_app_in_browser=True",
        f"--LabApp.user_settings_dir={tmp / 'settings'}",
        f"--LabApp.workspaces_dir={tmp / 'workspaces'}",
        # No news or update checks: nothing the server fetches from the internet either.
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
        command.append("--allow-root")
    log = tmp / "jupyterlab.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    lab = Lab(url=f"http://{HOST}:{port}", token=token, root=root, log=log, process=process)
    deadline = time.monotonic() + 60
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {process.returncode}:\n{lab.log_tail()}")
        try:
            json.loads(lab.api("/api/status", timeout=2))
            return lab
        except (urllib.error.URLError, ConnectionError, TimeoutError, json.JSONDecodeError):
            if time.monotonic() > deadline:
                _stop_lab(lab)
                raise RuntimeError(f"jupyter lab did not answer within 60 s:\n{lab.log_tail()}") from None
            time.sleep(0.25)


def _stop_lab(lab: Lab) -> None:
    """Shut the server (and its kernels) down through the API; signal it if that fails."""
    if lab.process.poll() is None:
        try:
            lab.api("/api/shutdown", method="POST")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        try:
            lab.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            lab.process.send_signal(signal.SIGTERM)
            try:
                lab.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(lab.process.pid, signal.SIGKILL)  # its own session: the server and its kernels
                lab.process.wait(timeout=10)


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    started = time.monotonic()
    server = _start_lab(tmp_path_factory.mktemp("jupyterlab"))
    print(f"jupyter lab answered after {time.monotonic() - started:.1f} s")
    try:
        yield server
    finally:
        _stop_lab(server)
        assert server.process.returncode is not None


@dataclass
class Traffic:
    """Every request and websocket the browser made, and those aborted as external."""

    requests: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def lab_browser(lab: Lab, chromium_browser) -> Iterator[tuple[object, Traffic]]:
    traffic = Traffic()

    def route(route) -> None:
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in browser._LOCAL_SCHEMES or parts.hostname == HOST:
            route.continue_()
        else:
            traffic.external.append(url)
            route.abort("blockedbyclient")

    def on_websocket(ws) -> None:
        traffic.requests.append(ws.url)
        if urlsplit(ws.url).hostname != HOST:
            traffic.external.append(ws.url)

    context = chromium_browser.new_context(viewport={"width": 1280, "height": 1000})
    context.route("**/*", route)
    context.on("request", lambda request: traffic.requests.append(request.url))
    context.on("page", lambda page: page.on("websocket", on_websocket))
    try:
        yield context, traffic
    finally:
        context.close()


# Not async: Playwright's wait_for_function does not await a returned promise.
_NOTEBOOK_READY_JS = """
(path) => {
  const app = window.jupyterapp;
  if (!app || !app.commands.hasCommand('notebook:run-all-cells')) { return false; }
  const panel = app.shell.currentWidget;
  if (!panel || !panel.context || panel.context.path !== path || !panel.context.isReady) { return false; }
  const session = panel.sessionContext;
  const kernel = session && session.isReady && session.session && session.session.kernel;
  return !!kernel && kernel.status === 'idle';
}
"""

# Start Run All Cells (the Run menu's command) without awaiting it here: the promise
# settles in the page, and the test polls for it with its own deadline.
_RUN_ALL_JS = """
() => {
  window.__courseRunAll = null;
  window.jupyterapp.commands.execute('notebook:run-all-cells')
    .then(result => { window.__courseRunAll = {done: true, result: String(result)}; })
    .catch(error => { window.__courseRunAll = {done: true, error: String(error)}; });
  return true;
}
"""

# Run All has settled, no cell shows "[*]" and the kernel is idle.
_FINISHED_JS = """
() => {
  const panel = window.jupyterapp.shell.currentWidget;
  const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
  const cells = panel.content.widgets.filter(cell => cell.model.type === 'code');
  const running = cells.filter(cell => cell.promptNode.textContent.includes('*')).length;
  return {runAll: window.__courseRunAll, running: running,
          idle: !!kernel && kernel.status === 'idle'};
}
"""

# What each code cell shows: its execution count, tags, whether an output is an error,
# and the rendered text of its outputs.
_CELLS_JS = """
() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return panel.content.widgets.filter(cell => cell.model.type === 'code').map(cell => {
    const outputs = cell.model.outputs.toJSON();
    const tags = cell.model.getMetadata('tags') || [];
    return {count: cell.model.executionCount, tags: tags,
            error: outputs.some(output => output.output_type === 'error'),
            text: cell.outputArea ? cell.outputArea.node.innerText : ''};
  });
}
"""


@dataclass
class Cell:
    """One code cell as JupyterLab shows it after Run All."""

    count: int | None
    tags: list[str]
    error: bool
    text: str


def _run_notebook(context, lab: Lab, notebook: Path, *, timeout: float = 120.0,
                  screenshot: Path | None = None):
    """Open a copy of ``notebook`` in JupyterLab, run all its cells, wait until done.

    Asserts that every code cell ran and that only cells tagged ``raises-exception``
    show an error (an untagged error would stop Run All for a student). Returns the
    open page and a ``Cell`` per code cell.
    """
    name = notebook.name
    shutil.copy(notebook, lab.root / name)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    # A workspace of its own, so that notebooks opened by earlier tests are not restored.
    workspace = notebook.stem.replace("_", "-")
    page.goto(f"{lab.url}/lab/workspaces/{workspace}/tree/{name}?token={lab.token}",
              wait_until="domcontentloaded")
    page.wait_for_function(_NOTEBOOK_READY_JS, arg=name, timeout=60_000, polling=250)
    page.evaluate(_RUN_ALL_JS)
    deadline = time.monotonic() + timeout
    settled = 0
    while settled < 2:  # finished twice in a row, 0.25 s apart
        state = page.evaluate(_FINISHED_JS)
        finished = state["runAll"] is not None and state["running"] == 0 and state["idle"]
        settled = settled + 1 if finished else 0
        if time.monotonic() > deadline:
            raise AssertionError(f"{name} did not finish within {timeout:.0f} s: {state}\n{lab.log_tail()}")
        page.wait_for_timeout(250)
    assert "error" not in state["runAll"], f"Run All Cells failed: {state['runAll']}"
    cells = [Cell(**cell) for cell in page.evaluate(_CELLS_JS)]
    if screenshot is not None:
        page.screenshot(path=str(screenshot), full_page=False)
    assert not errors, f"JavaScript errors in JupyterLab: {errors}"
    not_run = [i for i, cell in enumerate(cells) if cell.count is None]
    assert not not_run, f"{name}: code cells {not_run} did not run (Run All stopped at an error?)"
    untagged = [i for i, cell in enumerate(cells) if cell.error and "raises-exception" not in cell.tags]
    assert not untagged, (
        f"{name}: code cells {untagged} raised without the raises-exception tag: "
        + "; ".join(cells[i].text[-300:] for i in untagged)
    )
    return page, cells


def _screenshot_path(stem: str) -> Path | None:
    folder = os.environ.get("COURSE_AE_SCREENSHOTS")
    if not folder:
        return None
    Path(folder).mkdir(parents=True, exist_ok=True)
    return Path(folder) / f"jupyterlab-{stem}.png"


def _check_cells(notebook: nbformat.NotebookNode) -> list[int]:
    """Indices (among code cells) of the cells that call a ``course_ae.checks`` function."""
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    return [i for i, cell in enumerate(code) if "checks.check_" in cell.source]


def test_exercise_notebook_runs_in_jupyterlab(lab: Lab, lab_browser) -> None:
    """The unsolved exercise runs to the end in JupyterLab; every check cell shows its FAIL."""
    context, traffic = lab_browser
    notebook = EXERCISE
    if not notebook.exists():
        pytest.fail(f"{notebook} is missing: generate exercises/ with `python -m course_ae exercises`")
    original = notebook.read_bytes()
    checks = _check_cells(nbformat.read(notebook, as_version=4))
    assert checks, f"no check cells (calls of checks.check_...) in {notebook}"
    started = time.monotonic()
    page, cells = _run_notebook(context, lab, notebook, screenshot=_screenshot_path(notebook.stem))
    print(f"{notebook.name}: opened and ran in {time.monotonic() - started:.1f} s")
    try:
        for i in checks:
            text = cells[i].text
            assert "FAIL" in text and "not implemented yet" in text, (
                f"check cell {i} does not say FAIL: ... not implemented yet: {text!r}"
            )
            assert not cells[i].error and "Traceback" not in text, f"check cell {i} shows a traceback"
        assert "not implemented yet" in page.locator(".jp-Notebook").inner_text()
    finally:
        page.close()
    assert traffic.requests, "the browser made no requests at all"
    assert not traffic.external, f"requests to hosts other than {HOST} (aborted): {traffic.external}"
    assert notebook.read_bytes() == original, "the notebook was modified; only its copy may be"


def test_explorer_widget_reacts_in_jupyterlab(lab: Lab, lab_browser, tmp_path: Path) -> None:
    """An explorer displays as a live widget; moving its slider in the page redraws the figure."""
    context, traffic = lab_browser
    notebook = tmp_path / "explorer.ipynb"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell(
            "from course_ae.explorers import SparsityExplorer\nexplorer = SparsityExplorer(0.05)\nexplorer"
        ),
    ]
    nbformat.write(nb, notebook)
    page, _ = _run_notebook(context, lab, notebook, screenshot=_screenshot_path("explorer"))
    try:
        widget = page.locator(".jp-OutputArea .widget-vbox").first
        widget.wait_for(timeout=20_000)
        image = widget.locator(".widget-output img").first
        image.wait_for(timeout=20_000)
        readout = widget.locator(".widget-readout").first
        assert readout.inner_text().strip() == "0.05"
        before = image.get_attribute("src")
        # Move the slider with the keyboard, as a student would: one step to the right.
        widget.locator(".noUi-handle").first.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(
            "(src) => { const img = document.querySelector('.jp-OutputArea .widget-output img');"
            " return !!img && img.getAttribute('src') !== src; }",
            arg=before, timeout=20_000,
        )
        assert readout.inner_text().strip() == "0.06"
    finally:
        page.close()
    assert not traffic.external, f"requests to hosts other than {HOST} (aborted): {traffic.external}"
