"""``jobs/<film>/audio.json`` (schema ``reelsub.audio/1``): which of the film's audio tracks demux
transcribed, and why, so that later stages can compare the track's tag with the language Whisper hears.

reelsub.audio_track makes the choice (:func:`reelsub.audio_track.audio_record`); demux writes it
with :func:`write_audio_record` and asr reads it with :func:`read_audio_record`, both through
reelsub.contracts.base: the schema tag is checked, a bad record is a ContractError naming the file
and the key, and one that would not read back is never written.

    {"schema": "reelsub.audio/1", "stream_index": <int>, "track": <int>, "language": <tag or null>,
     "language_id": <id or null>, "title": <text or null>, "default": <bool>, "reason": <text>,
     "duration": <seconds>}
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass
from typing import Any

from reelsub.contracts.base import ContractError, read_document, write_document

SCHEMA = "reelsub.audio/1"


@dataclass(frozen=True)
class AudioRecord:
    """What demux transcribed: which stream, its tags, why it was chosen, how long it is."""

    stream_index: int  # the stream's index in the film (ffprobe's index, ffmpeg's 0:N)
    track: int  # 0-based among the film's audio streams (audio_track, ffmpeg's 0:a:N)
    language: str | None  # the stream's language tag as the film has it (hin), or None
    language_id: str | None  # reelsub's id of that language (hi); None for und or an unknown tag
    title: str | None
    default: bool
    reason: str
    duration: float  # seconds of audio extracted (the WAV the ASR stage reads)

    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, **asdict(self)}


_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "stream_index": (int,),
    "track": (int,),
    "language": (str, type(None)),
    "language_id": (str, type(None)),
    "title": (str, type(None)),
    "default": (bool,),
    "reason": (str,),
    "duration": (int, float),
}


def write_audio_record(path: str | os.PathLike[str], record: AudioRecord) -> None:
    write_document(path, record.to_dict(), _record)


def read_audio_record(path: str | os.PathLike[str]) -> AudioRecord:
    """The record demux wrote; ContractError for a file that is not a sound reelsub.audio/1 record."""
    return read_document(path, (SCHEMA,), _record)


def _record(data: dict[str, Any]) -> AudioRecord:
    if unknown := set(data) - set(_FIELD_TYPES) - {"schema"}:
        raise ContractError(f"unexpected key {', '.join(map(repr, sorted(unknown)))}")
    for key, types in _FIELD_TYPES.items():
        value = data.get(key, ...)
        # bool is an int to Python: a flag where a number belongs (or the reverse) is still wrong
        if value is ... or not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ContractError(f"key {key!r} is {'missing' if value is ... else repr(value)}")
    for key in ("stream_index", "track", "duration"):
        if not (math.isfinite(data[key]) and data[key] >= 0):
            raise ContractError(f"key {key!r} is {data[key]!r}: it must be a non-negative number")
    return AudioRecord(**{key: data[key] for key in _FIELD_TYPES})
