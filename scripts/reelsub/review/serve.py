"""Serving review pages over loopback http, for browsers that will not read them from disk.

Chromium blocks a page opened from file:// from loading its <track> files, and it can only seek in
a film whose server answers HTTP range requests (Python's http.server does not: every seek lands
back at 0). :class:`RangeRequestHandler` adds single ranges (``Range: bytes=first-last``).

The server is for the review pages alone (:class:`ReviewRequestHandler`): it serves the pages and
what they load (the subtitle and QC files under ``jobs/``, the films) and nothing else: no folder
listing, no dotfile, no file that resolves outside the folder it serves (symlinks are resolved
before the check), and it answers only requests addressed to it by name, ``127.0.0.1:<port>`` or
``localhost:<port>``: a web page that rebinds its own host name to 127.0.0.1 cannot read it.

The pages edit through ``/api/`` (reelsub.review.edit): a track's cues and QC, the QC of an edit,
saving a track's SRT, approving a track. Every API request must carry the token the server made
when it started (``X-Reelsub-Token``; the server prints the pages' addresses with it as ``?token=``,
and the page reads it from there), so no other page and no other user's process can save or
approve through it. A write goes to one track's ``subtitles/<lang>.srt`` (its old version to
``subtitles/history/``) or to the film's ``review.json``, named by film and language, never by
path. A bad request gets a 4xx with its reason as JSON, and the server goes on.

The batch page, ``jobs/index.html``, is rendered afresh for each request (the films its file lists,
their state now), so an approval shows as soon as the page is reloaded.

    python scripts/serve_reviews.py          # then open the printed address
"""

from __future__ import annotations

import functools
import hmac
import http.server
import io
import json
import os
import re
import secrets
import threading
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, AnyStr, BinaryIO, cast
from urllib.parse import parse_qs, urlsplit

from reelsub.review import edit
from reelsub.review.batch import BATCH_PAGE, film_states, films_listed, render_batch_page
from reelsub.review.edit import EditRefused
from reelsub.review.page import CONTAINER_TYPES

if TYPE_CHECKING:  # typeshed's protocols, as http.server's own stub names them
    from _typeshed import SupportsRead, SupportsWrite

RANGE = re.compile(r"bytes=(\d*)-(\d*)$")
# Under jobs/: the pages and the files they load (tracks as WebVTT, QC, the SRTs people edit).
PAGE_FILES = (".html", ".vtt", ".srt", ".json")
NOT_SERVED = (404, "not a file of the review pages")
API = "/api/"
TOKEN_HEADER = "X-Reelsub-Token"
MAX_BODY = 16 * 1024 * 1024  # bytes: a 3-hour film's cues as JSON are under 1 MB


class ReviewServer(http.server.ThreadingHTTPServer):
    """The review pages' server: its token, and one lock for the writes (two saves of one track
    from two tabs go one after the other, each checking the hash the other left)."""

    token: str
    writing: threading.Lock

    @property
    def base(self) -> str:
        """Its address, ending in '/'."""
        return f"http://127.0.0.1:{self.server_port}/"


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
    """Only the review pages and what they load, only to requests addressed to this server; the
    API only with the server's token."""

    def send_head(self) -> io.BytesIO | BinaryIO | None:
        refusal = self._host_refusal() or self._path_refusal()
        if refusal is not None:
            status, reason = refusal
            self.send_error(status, reason)
            return None
        if urlsplit(self.path).path == f"/jobs/{BATCH_PAGE}":
            return self._batch_page()
        return super().send_head()

    def do_GET(self) -> None:
        if urlsplit(self.path).path.startswith(API):
            self._api("GET")
        else:
            super().do_GET()

    def do_POST(self) -> None:
        self._api("POST")

    def _host_refusal(self) -> tuple[int, str] | None:
        port = cast("http.server.HTTPServer", self.server).server_port
        host = self.headers.get("Host", "")
        if host not in (f"127.0.0.1:{port}", f"localhost:{port}"):
            return 421, f"this server answers only 127.0.0.1:{port} and localhost:{port}, not {host!r}"
        return None

    def _path_refusal(self) -> tuple[int, str] | None:
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

    def _batch_page(self) -> io.BytesIO:
        jobs = Path(self.directory) / "jobs"
        films = films_listed((jobs / BATCH_PAGE).read_text(encoding="utf-8"))
        body = render_batch_page(film_states(jobs, films)).encode("utf-8")
        self._send_head(200, "text/html; charset=utf-8", body)
        return io.BytesIO(body)  # the base class writes it for GET, and not for HEAD

    # -- the API ---------------------------------------------------------------------------------

    def _api(self, method: str) -> None:
        try:
            refusal = self._host_refusal()
            if refusal is not None:
                raise EditRefused(*refusal)
            server = cast("ReviewServer", self.server)
            if not hmac.compare_digest(self.headers.get(TOKEN_HEADER, ""), server.token):
                raise EditRefused(
                    403, f"no valid {TOKEN_HEADER}: open the page at the address the server printed"
                )
            self._json(200, self._route(method, server))
        except EditRefused as refused:
            self._json(refused.status, {"error": refused.reason})
        except Exception as error:  # a bug must not stop the server: the page says what broke
            traceback.print_exc()
            self._json(500, {"error": f"{type(error).__name__}: {error}"})

    def _route(self, method: str, server: ReviewServer) -> dict[str, Any]:
        url = urlsplit(self.path)
        jobs = Path(self.directory) / "jobs"
        if method == "GET" and url.path == f"{API}track":
            query = {name: values[-1] for name, values in parse_qs(url.query).items()}
            return edit.track_document(edit.find_track(jobs, query.get("film", ""), query.get("lang", "")))
        if method != "POST" or url.path not in (f"{API}check", f"{API}save", f"{API}approve"):
            raise EditRefused(404, f"no {method} {url.path} here")
        data = self._body()
        files = edit.find_track(jobs, data.get("film", ""), data.get("lang", ""))
        if url.path == f"{API}check":
            return edit.check(files, edit.cues_of(data.get("cues")))
        loaded = data.get("sha256")
        if not isinstance(loaded, str):
            raise EditRefused(400, "sha256: the hash of the file as the page loaded it is missing")
        with server.writing:
            if url.path == f"{API}save":
                return edit.save(files, edit.cues_of(data.get("cues")), loaded)
            reviewer = data.get("reviewer")
            return edit.approve_track(files, loaded, reviewer if isinstance(reviewer, str) else None)

    def _body(self) -> dict[str, Any]:
        if self.headers.get_content_type() != "application/json":
            raise EditRefused(415, "send JSON (Content-Type: application/json)")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise EditRefused(411, "Content-Length is missing") from None
        if not 0 <= length <= MAX_BODY:
            raise EditRefused(413, f"a request of {length} bytes is over the {MAX_BODY} this server reads")
        try:
            data = json.loads(self.rfile.read(length))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise EditRefused(400, f"not JSON: {error}") from None
        if not isinstance(data, dict):
            raise EditRefused(400, "send a JSON object")
        return data

    def _json(self, status: int, document: dict[str, Any]) -> None:
        body = json.dumps(document, ensure_ascii=False).encode("utf-8")
        self._send_head(status, "application/json; charset=utf-8", body)
        self.wfile.write(body)

    def _send_head(self, status: int, content_type: str, body: bytes) -> None:
        """The status and headers of a page or an answer made here: never cached (the state changes)."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()


class QuietRangeRequestHandler(ReviewRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass

    def copyfile(self, source: SupportsRead[AnyStr], outputfile: SupportsWrite[AnyStr]) -> None:
        try:
            return super().copyfile(source, outputfile)
        except (BrokenPipeError, ConnectionResetError):  # a browser stops reading a film it has enough of
            return None


def make_server(folder: Path, port: int = 0, quiet: bool = False, token: str | None = None) -> ReviewServer:
    """A server of ``folder``'s review pages on 127.0.0.1 only (nothing is offered to the network),
    with a new token (``server.token``) unless one is given."""
    handler = QuietRangeRequestHandler if quiet else ReviewRequestHandler
    server = ReviewServer(("127.0.0.1", port), functools.partial(handler, directory=str(folder)))
    server.token = token or secrets.token_urlsafe(24)
    server.writing = threading.Lock()
    return server


def page_address(base: str, page: str, token: str) -> str:
    """A page's address with the token its editing needs."""
    return f"{base}{page}?token={token}"


@contextmanager
def served(folder: Path) -> Iterator[ReviewServer]:
    """``folder`` served on a free loopback port while the block runs (``server.base`` is its URL,
    ending in '/'; ``server.token`` its token)."""
    server = make_server(folder, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
