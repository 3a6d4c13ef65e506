"""A substitute for a diarization model: a pyannote Pipeline that replays an RTTM's speaker turns.

No pyannote diarization weights can be had offline (none on PyPI or Debian). This class is NOT a
model and hears nothing: it returns the turns of the RTTM file its config.yaml names, whatever the
audio. It lets a test load a "model folder" through the real path, whisperx.diarize's
DiarizationPipeline and pyannote's Pipeline.from_pretrained, and run it as reelsub.align.speakers does.

A folder for it holds one config.yaml::

    pipeline:
      name: replayed_diarization.ReplayedTurns
      params: {rttm: /path/to/sample.rttm}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyannote.audio import Pipeline
from pyannote.core import Annotation, Segment


@dataclass
class ReplayedOutput:
    """What pyannote 4's speaker-diarization pipelines return, as far as whisperX reads it."""

    speaker_diarization: Annotation


class ReplayedTurns(Pipeline):
    def __init__(self, rttm: str, token=None, cache_dir=None):  # from_pretrained passes token, cache_dir
        super().__init__()
        self.rttm = rttm
        self.calls = 0

    def apply(self, file, num_speakers=None, min_speakers=None, max_speakers=None, hook=None):
        self.calls += 1
        annotation = Annotation(uri=file.get("uri"))
        for track, line in enumerate(Path(self.rttm).read_text().splitlines()):
            fields = line.split()
            if fields and fields[0] == "SPEAKER":
                onset, duration = float(fields[3]), float(fields[4])
                annotation[Segment(onset, onset + duration), track] = fields[7]
        return ReplayedOutput(annotation)


def replayed_pipeline_folder(folder: Path, rttm: Path) -> Path:
    """A pipeline folder for :class:`ReplayedTurns` replaying ``rttm``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "config.yaml").write_text(
        f"pipeline:\n  name: replayed_diarization.ReplayedTurns\n  params:\n    rttm: {rttm}\n"
    )
    return folder
