"""The align stage's offline path without importing WhisperX: the alternative bench/run.py measures.

    python bench/align_alt.py ASR_JSON OUT_JSON

With no wav2vec2 model configured and the hub offline, scripts/align.py keeps Whisper's word
times (reelsub.align.word_times._fallback), but only after ``choose_model`` has imported
``whisperx.alignment`` (torch, transformers, pyannote: seconds of CPU and ~1 GB of RSS) to look up
a default model it will then not use. This does the same work without that import, so the
difference is what a lazy check would save per film.
"""

from __future__ import annotations

import sys
from pathlib import Path

from reelsub.align.word_times import _fallback
from reelsub.contracts.transcript import Transcript


def main() -> int:
    source, target = Path(sys.argv[1]), Path(sys.argv[2])
    _fallback(Transcript.read(source), "no align model; hub offline (bench alternative)").write(target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
