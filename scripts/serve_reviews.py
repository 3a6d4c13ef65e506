"""Serve the review pages to a browser on this machine: python scripts/serve_reviews.py [--port N] [folder]

This serves the workflow folder on 127.0.0.1 only, with the range requests a browser needs to seek
in a film, and prints the batch page's and each review page's address. The addresses carry this
run's token: a page opened at one of them can edit, save and approve; any other request to save or
approve is refused. Opened from disk (Firefox reads the tracks from disk; Chromium does not), a
page is read-only.
"""

import argparse
from pathlib import Path
from urllib.parse import quote

from reelsub.review.serve import make_server, page_address


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=".", type=Path, help="the workflow folder (holds jobs/)")
    parser.add_argument("--port", type=int, default=8000)
    arguments = parser.parse_args()
    server = make_server(arguments.folder, arguments.port)
    base = server.base
    pages = sorted(arguments.folder.glob("jobs/index.html")) + sorted(
        arguments.folder.glob("jobs/*/review.html")
    )
    for page in pages:
        print(page_address(base, quote(page.relative_to(arguments.folder).as_posix()), server.token))
    if not pages:
        print(
            f"no review pages under {arguments.folder}/jobs/ yet: run `snakemake reviews` first; serving {base}"
        )
    print("Ctrl-C to stop")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
