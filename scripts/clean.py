"""clean: `make clean` removes jobs/, keeping what people edited (reelsub.review.keep_edits).

Every edited subtitle file (an edited ``subtitles/<lang>.srt``, a hand merge in
``<lang>.machine.srt``, anything else a person put in ``subtitles/``) is copied to
``edits-backup/<UTC time>/<film>/subtitles/`` and checked before jobs/ goes; each is named on
stdout. When one cannot be kept, nothing is removed and the exit status is 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from reelsub.review.keep_edits import (
    BACKUP_FOLDER,
    clean_jobs,
)  # python scripts/clean.py: scripts/ is on the path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jobs", type=Path, nargs="?", default=Path("jobs"), help="the jobs folder (jobs)")
    parser.add_argument(
        "--into", type=Path, default=Path(BACKUP_FOLDER), help="where edits go (edits-backup)"
    )
    args = parser.parse_args(argv)
    if not args.jobs.exists() and not args.jobs.is_symlink():
        print(f"make clean: there is no {args.jobs}/")
        return 0
    try:
        cleaned = clean_jobs(args.jobs, args.into)
    except OSError as error:
        print(f"make clean: kept {args.jobs}/ as it is: an edit could not be copied out of it: {error}")
        return 1
    if cleaned.backup is None:
        print(f"make clean: no edited subtitles in {args.jobs}/; removed {args.jobs}/")
        return 0
    print(f"make clean: kept {len(cleaned.moved)} file(s) people edited in {cleaned.backup}/:")
    for source, target in cleaned.moved:
        print(f"  {source} -> {target}")
    print(f"removed {args.jobs}/. Copy a file back to jobs/<film>/subtitles/ to use it again.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
