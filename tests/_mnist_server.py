"""Local HTTP helpers for the MNIST download tests. Only 127.0.0.1 is ever used.

``serve_directory(folder)`` serves a folder over HTTP on 127.0.0.1 (port chosen by
the OS) from a background thread and yields its base URL; it also records the paths
requested, so a test can check what was (or was not) fetched. With ``chunk`` and
``pause`` it sends each file ``chunk`` bytes at a time with ``pause`` seconds between
(a slow or trickling mirror).
``closed_port_url()`` is a base URL on 127.0.0.1 where nothing listens, so a
download fails at once with "connection refused", as when offline.
``load_in_process(...)`` is the body of a separate process that loads MNIST (for the
tests of several processes repairing one cache at once).
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self.server.requested.append(self.path)  # type: ignore[attr-defined]
        super().do_GET()

    def copyfile(self, source, outputfile) -> None:  # type: ignore[override]
        chunk, pause = self.server.throttle  # type: ignore[attr-defined]
        if chunk is None:
            return super().copyfile(source, outputfile)
        stopping = self.server.stopping  # type: ignore[attr-defined]
        try:
            while (buf := source.read(chunk)) and not stopping.is_set():
                outputfile.write(buf)
                outputfile.flush()
                stopping.wait(pause)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up: fine
            pass


class LocalServer:
    """A running server: ``url`` is its base URL, ``requested`` the paths asked for."""

    def __init__(self, url: str, requested: list[str]) -> None:
        self.url = url
        self.requested = requested


@contextmanager
def serve_directory(folder: Path, *, chunk: int | None = None, pause: float = 0.0) -> Iterator[LocalServer]:
    """Serve ``folder`` at ``http://127.0.0.1:<port>/`` until the block ends (throttled
    to ``chunk`` bytes every ``pause`` seconds when ``chunk`` is given)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requested = []  # type: ignore[attr-defined]
    server.throttle = (chunk, pause)  # type: ignore[attr-defined]
    server.stopping = threading.Event()  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield LocalServer(f"http://{host}:{port}/", server.requested)  # type: ignore[attr-defined]
    finally:
        server.stopping.set()  # type: ignore[attr-defined]
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url() -> str:
    """A base URL on 127.0.0.1 at a port that was free a moment ago (nothing listens)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def load_in_process(url: str, barrier, results, index: int, delay: float = 0.0) -> None:
    """Wait at ``barrier`` (then ``delay`` seconds), call ``load_mnist(url=url)`` on the
    user cache of the environment, and put ``(index, outcome)`` on ``results``: the MD5
    of the arrays, or the exception's type and message."""
    from course_ae.data import load_mnist

    barrier.wait(timeout=60)
    time.sleep(delay)
    try:
        X, y = load_mnist(url=url, timeout=10)
        outcome = ("ok", hashlib.md5(X.tobytes() + y.tobytes()).hexdigest())
    except BaseException as exc:  # report anything, the parent test decides
        outcome = ("error", f"{type(exc).__name__}: {exc}")
    results.put((index, outcome))
