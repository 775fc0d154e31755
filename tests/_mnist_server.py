"""Local HTTP helpers for the MNIST download tests. Only 127.0.0.1 is ever used.

``serve_directory(folder)`` serves a folder over HTTP on 127.0.0.1 (port chosen by
the OS) from a background thread and yields its base URL; it also records the paths
requested, so a test can check what was (or was not) fetched.
``closed_port_url()`` is a base URL on 127.0.0.1 where nothing listens, so a
download fails at once with "connection refused", as when offline.
"""

from __future__ import annotations

import functools
import http.server
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:
        self.server.requested.append(self.path)  # type: ignore[attr-defined]
        super().do_GET()


class LocalServer:
    """A running server: ``url`` is its base URL, ``requested`` the paths asked for."""

    def __init__(self, url: str, requested: list[str]) -> None:
        self.url = url
        self.requested = requested


@contextmanager
def serve_directory(folder: Path) -> Iterator[LocalServer]:
    """Serve ``folder`` at ``http://127.0.0.1:<port>/`` until the block ends."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.requested = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield LocalServer(f"http://{host}:{port}/", server.requested)  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def closed_port_url() -> str:
    """A base URL on 127.0.0.1 at a port that was free a moment ago (nothing listens)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
