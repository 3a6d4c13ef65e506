"""The transcript: the data contract between asr, align, export, translate and subtitle.

asr writes it, align refines its word times, export publishes it, translate writes one per
target language, subtitle turns it into cues. No stage parses another stage's ad-hoc output:
everything goes through :class:`Transcript`.

JSON shape (times are seconds from the start of the film, floats)::

    {
      "schema": "reelsub.transcript/2",
      "film": "demo",
      "language": "hi",                 # the film's language: ISO 639-1 where one exists, else 639-3
      "duration": 42.1,                 # audio duration in seconds
      "speech": [[0.52, 3.91], ...],    # where VAD heard speech; null when no VAD ran
      "segments": [                     # sentences, in order
        {"start": 0.5, "end": 3.9, "text": "...", "language": "hi",   # null: the film's language
         "speaker": "SPEAKER_00",                                      # null: not known
         "words": [{"start": 0.5, "end": 0.8, "word": "...", "probability": 0.93, "speaker": null}]}
      ],
      "provenance": [                   # one entry per stage that wrote this file, oldest first
        {"stage": "asr", "engine": "faster-whisper", "model": "base",
         "versions": {"faster-whisper": "1.2.1"}, "settings": {"beam_size": 5, ...}}
      ]
    }

``words`` may be empty (a translated transcript has sentence-level times only). Version 1 files
(no ``speech``, no segment ``language`` or ``speaker``) are still read.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from reelsub.contracts.base import ContractError, read_document, write_document, write_text_atomically

SCHEMA = "reelsub.transcript/2"
READABLE = ("reelsub.transcript/1", SCHEMA)

__all__ = [
    "SCHEMA",
    "ContractError",
    "Provenance",
    "Segment",
    "SpeechRegion",
    "Transcript",
    "Word",
    "estimated_words",
    "package_versions",
    "write_text_atomically",
]


@dataclass(frozen=True)
class SpeechRegion:
    """A stretch of audio in which VAD hears speech (seconds)."""

    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


@dataclass
class Word:
    start: float
    end: float
    word: str
    probability: float | None = None
    speaker: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Word:
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            word=str(data["word"]),
            probability=None if data.get("probability") is None else float(data["probability"]),
            speaker=_optional_text(data.get("speaker")),
        )


@dataclass
class Segment:
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)
    language: str | None = None  # where a line is in another language than the film's (English in Hindi)
    speaker: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Segment:
        return cls(
            start=float(data["start"]),
            end=float(data["end"]),
            text=str(data["text"]),
            words=[Word.from_dict(w) for w in data.get("words", [])],
            language=_optional_text(data.get("language")),
            speaker=_optional_text(data.get("speaker")),
        )


@dataclass
class Provenance:
    stage: str
    engine: str
    model: str | None = None
    versions: dict[str, str] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Provenance:
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
    speech: list[SpeechRegion] | None = None

    # -- reading and writing -------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["speech"] = None if self.speech is None else [[r.start, r.end] for r in self.speech]
        return {"schema": SCHEMA, **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        if data.get("schema") not in READABLE:
            raise ContractError(f"not a {SCHEMA} document (schema={data.get('schema')!r})")
        try:
            speech = data.get("speech")
            transcript = cls(
                film=str(data["film"]),
                language=str(data["language"]),
                duration=float(data["duration"]),
                segments=[Segment.from_dict(s) for s in data["segments"]],
                provenance=[Provenance.from_dict(p) for p in data.get("provenance", [])],
                speech=None if speech is None else [SpeechRegion(float(a), float(b)) for a, b in speech],
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ContractError(f"malformed transcript: {error!r}") from error
        transcript.validate()
        return transcript

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write atomically, so that a killed job never leaves a half-written transcript; and only
        a valid one, so that the stage that made a bad transcript fails, not the next stage."""
        self.validate()
        write_document(path, self.to_dict(), Transcript.from_dict)

    @classmethod
    def read(cls, path: str | os.PathLike[str]) -> Transcript:
        return read_document(path, READABLE, cls.from_dict)

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
        for region in self.speech or []:
            if not (0 <= region.start <= region.end):
                raise ContractError(f"speech region {region.start}-{region.end}")

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def words(self) -> Iterable[Word]:
        for segment in self.segments:
            yield from segment.words

    def recorded_sentence_pause(self) -> float | None:
        """The ``sentence_pause`` (s) the newest stage that cut sentences recorded in provenance (asr,
        align, translate), or None: cues and QC judge sentences by the pause they were cut with."""
        for step in reversed(self.provenance):
            if "sentence_pause" in step.settings:
                return float(step.settings["sentence_pause"])
        return None

    def segment_language(self, segment: Segment) -> str:
        return segment.language or self.language

    def stage(self, name: str) -> Provenance | None:
        """The newest provenance entry of a stage (``asr``, ``align``...), if it wrote this file."""
        return next((p for p in reversed(self.provenance) if p.stage == name), None)

    def with_stage(self, provenance: Provenance, **changes: Any) -> Transcript:
        """A copy with a stage's changes applied and its provenance appended."""
        return replace(self, **{"provenance": [*self.provenance, provenance], **changes})


def transcript_in_language(paths: Iterable[str | os.PathLike[str]], language: str) -> Transcript:
    """The first of ``paths`` (a film's transcript, then its translations) in ``language``: the words
    an edited track of that language is checked against (mux, the review server). LookupError where
    none is."""
    for path in paths:
        transcript = Transcript.read(path)
        if transcript.language == language:
            return transcript
    raise LookupError(f"no transcript in {language!r} to check the edited subtitles against")


def in_time_order(segments: Iterable[Segment]) -> list[Segment]:
    """Segments by start, then end: the order a transcript keeps them in (Transcript.validate)."""
    return sorted(segments, key=lambda segment: (segment.start, segment.end))


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
    for token, weight in zip(tokens, weights, strict=True):
        end = cursor + span * weight / total
        words.append(Word(start=round(cursor, 3), end=round(end, 3), word=token, speaker=segment.speaker))
        cursor = end
    words[-1].end = segment.end
    return words


def package_versions(*names: str) -> dict[str, str]:
    """Installed versions of the packages a stage ran with, for provenance."""
    from importlib import metadata  # 15-25 ms to import: only the stages that record versions pay it

    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)
