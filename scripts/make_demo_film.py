"""Build films/demo.mp4: a test pattern with espeak-ng narration around real speech (JFK, 1961).

python scripts/make_demo_film.py [films/demo.mp4]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from testkit.synth import Speech, make_film  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
DEMO_PARTS = (
    Speech(text="Welcome to the reel sub demonstration. This short film has a narrator and a famous speech."),
    Speech(silence=1.0),
    Speech(recording=PROJECT / "media" / "jfk.flac"),
    Speech(silence=1.0),
    Speech(text="That was President Kennedy in nineteen sixty one. Thank you for watching."),
    Speech(silence=1.5),
)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else PROJECT / "films" / "demo.mp4"
    placed = make_film(out, DEMO_PARTS)
    print(f"{out}: {len(placed)} spoken parts, ends at {placed[-1].end:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
