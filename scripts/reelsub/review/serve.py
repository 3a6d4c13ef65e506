"""Serving review pages over loopback http, for browsers that will not read them from disk.

Chromium blocks a page opened from file:// from loading its <track> files, and it can only seek in
a film whose server answers HTTP range requests (Python's http.server does not: every seek lands
back at 0). :class:`RangeRequestHandler` adds single ranges (``Range: bytes=first-last``).

    python scripts/serve_reviews.py          # then open the printed address
"""

from __future__ import annotations

import functools
import http.server
import io
import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, AnyStr, BinaryIO

if TYPE_CHECKING:  # typeshed's protocols, as http.server's own stub names them
    from _typeshed import SupportsRead, SupportsWrite

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")


class RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with ``Accept-Ranges: bytes``, answering one range with 206 Partial Content."""

    _range: tuple[int, int] | None = None

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        self._range = None
        wanted = RANGE.match(self.headers.get("Range", "").strip())
        path = self.translate_path(self.path)
        if not wanted or os.path.isdir(path) or not os.path.isfile(path):
            return super().send_head()
        size = os.path.getsize(path)
        first_text, last_text = wanted.groups()
        if first_text:
            first, last = int(first_text), min(int(last_text) if last_text else size - 1, size - 1)
        elif last_text:  # the last N bytes
            first, last = max(0, size - int(last_text)), size - 1
        else:
            return super().send_head()
        if first >= size or first > last:
            self.send_response(416)
            self.send_header("Content-Range", f"bytes */{size}")
            self.end_headers()
            return None
        handle = open(path, "rb")  # noqa: SIM115 (closed by copyfile's caller, as in the base class)
        handle.seek(first)
        self._range = (first, last)
        self.send_response(206)
        self.send_header("Content-Type", self.guess_type(path))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Range", f"bytes {first}-{last}/{size}")
        self.send_header("Content-Length", str(last - first + 1))
        self.end_headers()
        return handle

    def end_headers(self) -> None:
        if self._range is None:
            self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def copyfile(self, source: SupportsRead[AnyStr], outputfile: SupportsWrite[AnyStr]) -> None:
        if self._range is None:
            return super().copyfile(source, outputfile)
        remaining = self._range[1] - self._range[0] + 1
        while remaining > 0:
            chunk = source.read(min(64 * 1024, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)
        return None


class QuietRangeRequestHandler(RangeRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def copyfile(self, source: SupportsRead[AnyStr], outputfile: SupportsWrite[AnyStr]) -> None:
        try:
            return super().copyfile(source, outputfile)
        except (BrokenPipeError, ConnectionResetError):  # a browser stops reading a film it has enough of
            return None


def make_server(folder: Path, port: int = 0, quiet: bool = False) -> http.server.ThreadingHTTPServer:
    """A server for ``folder`` on 127.0.0.1 only (nothing is offered to the network)."""
    handler = QuietRangeRequestHandler if quiet else RangeRequestHandler
    return http.server.ThreadingHTTPServer(
        ("127.0.0.1", port), functools.partial(handler, directory=str(folder))
    )


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """``folder`` served on a free loopback port while the block runs; its base URL, ending in '/'."""
    server = make_server(folder, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
