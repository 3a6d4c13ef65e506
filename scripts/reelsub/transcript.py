"""The transcript: the one data contract between reelsub's stages.

asr writes it, align refines its word times, export publishes it, translate writes one per
target language, subtitle turns it into cues. No stage parses another stage's ad-hoc output:
everything goes through :class:`Transcript`.

JSON shape (times are seconds from the start of the film, floats)::

    {
      "schema": "reelsub.transcript/1",
      "film": "demo",
      "language": "en",                 # ISO 639-1 where one exists, else ISO 639-3
      "duration": 42.1,                 # audio duration in seconds
      "segments": [
        {"start": 0.0, "end": 4.2, "text": "And so my fellow Americans",
         "words": [{"start": 0.0, "end": 0.3, "word": "And", "probability": 0.93}, ...]}
      ],
      "provenance": [                   # one entry per stage that wrote this file, oldest first
        {"stage": "asr", "engine": "faster-whisper", "model": "tiny.en",
         "versions": {"faster-whisper": "1.2.1"}, "settings": {"beam_size": 5}}
      ]
    }

``words`` may be empty (a translated transcript has sentence-level times only).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

SCHEMA = "reelsub.transcript/1"


class ContractError(ValueError):
    """A transcript file does not follow the contract."""


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Word":
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            word=str(data["word"]),
            probability=None if data.get("probability") is None else float(data["probability"]),
        )


@dataclass
class Segment:
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Segment":
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            text=str(data["text"]),
            words=[Word.from_dict(w) for w in data.get("words", [])],
        )


@dataclass
class Provenance:
    stage: str
    engine: str
    model: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Provenance":
        return cls(
            stage=str(data["stage"]),
            engine=str(data["engine"]),
            model=data.get("model"),
            versions=dict(data.get("versions", {})),
            settings=dict(data.get("settings", {})),
        )


@dataclass
class Transcript:
    film: str
    language: str
    duration: float
    segments: list[Segment] = field(default_factory=list)
    provenance: list[Provenance] = field(default_factory=list)

    # -- reading and writing -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {"schema": SCHEMA, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Transcript":
        if data.get("schema") != SCHEMA:
            raise ContractError(f"not a {SCHEMA} document (schema={data.get('schema')!r})")
        try:
            transcript = cls(
                film=str(data["film"]),
                language=str(data["language"]),
                duration=float(data["duration"]),
                segments=[Segment.from_dict(s) for s in data["segments"]],
                provenance=[Provenance.from_dict(p) for p in data.get("provenance", [])],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ContractError(f"malformed transcript: {error!r}") from error
        transcript.validate()
        return transcript

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write atomically, so that a killed job never leaves a half-written transcript."""
        write_text_atomically(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=1))

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> "Transcript":
        try:
            return cls.from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
        except json.JSONDecodeError as error:
            raise ContractError(f"{path}: not JSON ({error})") from error
        except ContractError as error:
            raise ContractError(f"{path}: {error}") from error

    # -- checks and views ----------------------------------------------------------------
    def validate(self) -> None:
        """Times are finite, non-negative, ordered within each segment and word."""
        previous_start = 0.0
        for index, segment in enumerate(self.segments):
            if not (0 <= segment.start <= segment.end):
                raise ContractError(f"segment {index}: start {segment.start} / end {segment.end}")
            if segment.start + 1e-6 < previous_start:
                raise ContractError(f"segment {index} starts before segment {index - 1}")
            previous_start = segment.start
            for word in segment.words:
                if not (0 <= word.start <= word.end):
                    raise ContractError(
                        f"segment {index}: word {word.word!r} start {word.start} / end {word.end}"
                    )

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def words(self) -> Iterable[Word]:
        for segment in self.segments:
            yield from segment.words

    def with_stage(self, provenance: Provenance, **changes: Any) -> "Transcript":
        """A copy with a stage's changes applied and its provenance appended."""
        data = {
            "film": self.film,
            "language": self.language,
            "duration": self.duration,
            "segments": self.segments,
            "provenance": [*self.provenance, provenance],
        }
        data.update(changes)
        return Transcript(**data)


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """Write to a temporary file beside ``path``, then rename it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        # mkstemp makes the file private (0600); outputs should be as readable as any file the
        # user writes, e.g. by colleagues on a cluster's shared filesystem.
        os.fchmod(handle, 0o666 & ~_umask())
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def estimated_words(segment: Segment) -> list[Word]:
    """The segment's words, or, where it has none (a translated sentence), whitespace tokens with
    times spread over the segment in proportion to their length in characters.

    Spreading by length is what a subtitler does by eye: a long word takes longer to say.
    """
    if segment.words:
        return list(segment.words)
    tokens = segment.text.split()
    if not tokens:
        return []
    weights = [len(token) + 1 for token in tokens]  # +1: the space, so one-letter words get time
    span = segment.end - segment.start
    total = sum(weights)
    words, cursor = [], segment.start
    for token, weight in zip(tokens, weights):
        end = cursor + span * weight / total
        words.append(Word(start=round(cursor, 3), end=round(end, 3), word=token))
        cursor = end
    words[-1].end = segment.end
    return words


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current
