"""Serve the review pages to a browser on this machine: python scripts/serve_reviews.py [--port N] [folder]

Chromium and Chrome do not load a page's subtitle tracks from disk; Firefox does (open
jobs/<film>/review.html directly). This serves the workflow folder on 127.0.0.1 only, with the range
requests a browser needs to seek in a film, and prints each review page's address.
"""

import argparse
from pathlib import Path
from urllib.parse import quote

from reelsub.review.serve import make_server


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", default=".", type=Path, help="the workflow folder (holds jobs/)")
    parser.add_argument("--port", type=int, default=8000)
    arguments = parser.parse_args()
    server = make_server(arguments.folder, arguments.port)
    base = f"http://127.0.0.1:{server.server_port}/"
    pages = sorted(arguments.folder.glob("jobs/index.html")) + sorted(
        arguments.folder.glob("jobs/*/review.html")
    )
    for page in pages:
        print(base + quote(page.relative_to(arguments.folder).as_posix()))
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
