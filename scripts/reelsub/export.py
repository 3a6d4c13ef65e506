"""export: publish a film's transcript for people and other tools.

``transcript.json`` is the contract itself (see reelsub.contracts.transcript); ``transcript.txt`` is one
segment per line; ``transcript.srt`` has one cue per segment, as Whisper segmented it. The
broadcast-grade subtitle tracks are the subtitle stage's job, not this one.
"""

from __future__ import annotations

from reelsub.contracts.transcript import Provenance, Transcript, package_versions, write_text_atomically
from reelsub.subtitles.files import write_srt
from reelsub.subtitles.rules import Cue


def export_transcript(transcript: Transcript, json_path: str, txt_path: str, srt_path: str) -> Transcript:
    published = transcript.with_stage(
        Provenance(stage="export", engine="reelsub", versions=package_versions("pysubs2"))
    )
    published.write(json_path)
    lines = [segment.text.strip() for segment in transcript.segments if segment.text.strip()]
    write_text_atomically(txt_path, "\n".join(lines) + ("\n" if lines else ""))
    write_srt(
        [
            Cue(start=s.start, end=s.end, lines=[s.text.strip()])
            for s in transcript.segments
            if s.text.strip()
        ],
        srt_path,
    )
    return published
