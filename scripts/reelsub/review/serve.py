"""Serving review pages over loopback http, for browsers that will not read them from disk.

Chromium blocks a page opened from file:// from loading its <track> files, and it can only seek in
a film whose server answers HTTP range requests (Python's http.server does not: every seek lands
back at 0). :class:`RangeRequestHandler` adds single ranges (``Range: bytes=first-last``).

The server is for the review pages alone (:class:`ReviewRequestHandler`): it serves the pages and
what they load (the subtitle and QC files under ``jobs/``, the films) and nothing else: no folder
listing, no dotfile, no file that resolves outside the folder it serves (symlinks are resolved
before the check), and it answers only requests addressed to it by name, ``127.0.0.1:<port>`` or
``localhost:<port>``: a web page that rebinds its own host name to 127.0.0.1 cannot read it.

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
from typing import TYPE_CHECKING, Any, AnyStr, BinaryIO, cast

from reelsub.review.page import CONTAINER_TYPES

if TYPE_CHECKING:  # typeshed's protocols, as http.server's own stub names them
    from _typeshed import SupportsRead, SupportsWrite

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
# Under jobs/: the pages and the files they load (tracks as WebVTT, QC, the SRTs people edit).
PAGE_FILES = (".html", ".vtt", ".srt", ".json")
NOT_SERVED = (404, "not a file of the review pages")


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


class ReviewRequestHandler(RangeRequestHandler):
    """Only the review pages and what they load, only to requests addressed to this server."""

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        refusal = self._refusal()
        if refusal is not None:
            status, reason = refusal
            self.send_error(status, reason)
            return None
        return super().send_head()

    def _refusal(self) -> tuple[int, str] | None:
        port = cast("http.server.HTTPServer", self.server).server_port
        host = self.headers.get("Host", "")
        if host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            return 421, f"this server answers only 127.0.0.1:{port} and localhost:{port}, not {host!r}"
        root = Path(self.directory).resolve()
        asked = Path(self.translate_path(self.path))
        try:
            inside = asked.relative_to(Path(self.directory))
        except ValueError:
            return NOT_SERVED
        if any(part.startswith(".") for part in inside.parts):
            return NOT_SERVED
        resolved = asked.resolve()
        if not resolved.is_relative_to(root) or not resolved.is_file():
            return NOT_SERVED  # a folder (no listing), a link out, nothing
        suffix = resolved.suffix.lower()
        page_file = inside.parts[:1] == ("jobs",) and suffix in PAGE_FILES
        if not page_file and suffix not in CONTAINER_TYPES:
            return NOT_SERVED
        return None


class QuietRangeRequestHandler(ReviewRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def copyfile(self, source: SupportsRead[AnyStr], outputfile: SupportsWrite[AnyStr]) -> None:
        try:
            return super().copyfile(source, outputfile)
        except (BrokenPipeError, ConnectionResetError):  # a browser stops reading a film it has enough of
            return None


def make_server(folder: Path, port: int = 0, quiet: bool = False) -> http.server.ThreadingHTTPServer:
    """A server of ``folder``'s review pages on 127.0.0.1 only (nothing is offered to the network)."""
    handler = QuietRangeRequestHandler if quiet else ReviewRequestHandler
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
