"""Speakers: who says each word, from speaker turns, and whether a cue keeps speakers apart.

Speaker turns are ``(start, end, speaker)`` stretches of audio, as a diarization model returns them
or as an RTTM file (NIST's Rich Transcription Time Marked format) annotates them. They become the
transcript's optional ``speaker`` on words and segments (reelsub.contracts.transcript), which the cue builder
uses to keep speakers apart (reelsub.subtitles.cues: a cue holds one speaker, or two with dialogue dashes).

Where turns come from:

- ``align.diarization_model`` in config: a pyannote speaker-diarization pipeline, loaded through
  whisperX's :class:`whisperx.diarize.DiarizationPipeline`, as a local folder (holding the
  pipeline's ``config.yaml``) or a hub id. Off (null) by default. Asked for, failing to load it is
  an error (:class:`ModelNotFound`) that names the key and the model: a film must not silently go
  without the speakers its config asked for.
- :func:`read_rttm`: a reference annotation, e.g. the ``sample.rttm`` shipped with pyannote-audio.

:func:`assign_speakers` is the one rule that maps turns onto words; it is pure and tested without a
model. :func:`cues_mixing_speakers` is the QC check of the cue builder's promise.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from reelsub.contracts.transcript import Provenance, Segment, Transcript, Word, package_versions
from reelsub.models import ModelNotFound, hub_is_offline, load_error_detail, looks_like_path
from reelsub.subtitles.rules import Cue, SubtitleRules
from reelsub.workflow.settings import schema_defaults

log = logging.getLogger(__name__)

CONFIG_KEY = "align.diarization_model"
_CONFIG = schema_defaults("align")


@dataclass(frozen=True)
class SpeakerTurn:
    """A stretch of audio in which one speaker talks (seconds). Turns of two speakers may overlap."""

    start: float
    end: float
    speaker: str

    def overlap(self, start: float, end: float) -> float:
        return max(0.0, min(self.end, end) - max(self.start, start))

    def distance(self, start: float, end: float) -> float:
        """Seconds between this turn and ``[start, end]``; 0 where they touch or overlap."""
        return max(0.0, self.start - end, start - self.end)


@dataclass(frozen=True)
class SpeakerStats:
    """What the assignment did, recorded in provenance so a reader can judge the speakers."""

    turns: int
    speakers: tuple[str, ...]
    words: int
    words_with_speaker: int
    words_by_overlap: int  # inside a turn; the rest are in gaps between turns: the nearest turn's speaker

    def public(self) -> dict[str, Any]:
        return {
            "turns": self.turns,
            "speakers": list(self.speakers),
            "words": self.words,
            "words_with_speaker": self.words_with_speaker,
            "words_by_overlap": self.words_by_overlap,
        }


# -- the rule: turns onto words ------------------------------------------------------------------


def speaker_of(start: float, end: float, turns: Sequence[SpeakerTurn]) -> tuple[str | None, bool]:
    """The speaker of ``[start, end]``, and whether a turn overlaps it.

    The speaker whose turns overlap it longest (summed over their turns: a backchannel "mm" of
    another speaker inside a long turn does not take the words over); where none overlaps (a word
    in a gap between turns, or of no duration), the speaker of the nearest turn. Ties go to the
    earlier turn. None when there are no turns.
    """
    if not turns:
        return None, False
    overlaps: dict[str, float] = {}
    for turn in turns:
        share = turn.overlap(start, end)
        if share > 0:
            overlaps[turn.speaker] = overlaps.get(turn.speaker, 0.0) + share
    if overlaps:
        return max(overlaps, key=lambda speaker: overlaps[speaker]), True  # max keeps the first of equals
    middle = (start + end) / 2
    nearest = min(turns, key=lambda turn: turn.distance(middle, middle))
    return nearest.speaker, False


def assign_speakers(transcript: Transcript, turns: Sequence[SpeakerTurn]) -> tuple[Transcript, SpeakerStats]:
    """The transcript with each word's and each segment's speaker from ``turns``
    (:func:`speaker_of`: longest overlap, nearest turn for words in gaps), and what was done.

    A segment's speaker is the one who speaks most of its time; its words keep their own, so a
    sentence that Whisper wrote across a change of speaker ("Neither did I. I thought...") is still
    split between them by the cue builder. Segments without words get the segment's speaker only.
    """
    ordered = sorted(turns, key=lambda turn: (turn.start, turn.end))
    segments: list[Segment] = []
    words = with_speaker = by_overlap = 0
    for segment in transcript.segments:
        new_words: list[Word] = []
        for word in segment.words:
            speaker, overlapped = speaker_of(word.start, word.end, ordered)
            new_words.append(replace(word, speaker=speaker))
            words += 1
            with_speaker += speaker is not None
            by_overlap += overlapped
        speaker, _ = speaker_of(segment.start, segment.end, ordered)
        segments.append(replace(segment, words=new_words, speaker=speaker))
    stats = SpeakerStats(
        turns=len(ordered),
        speakers=tuple(sorted({turn.speaker for turn in ordered})),
        words=words,
        words_with_speaker=with_speaker,
        words_by_overlap=by_overlap,
    )
    return replace(transcript, segments=segments), stats


# -- RTTM ---------------------------------------------------------------------------------------


class RttmError(ValueError):
    """An RTTM file that cannot be read as speaker turns; the message names the file and line."""


def read_rttm(path: str | os.PathLike[str], file_id: str | None = None) -> list[SpeakerTurn]:
    """The ``SPEAKER`` lines of an RTTM file as turns, in time order.

    An RTTM line is ten space-separated fields: ``SPEAKER <file> <channel> <onset> <duration> <NA>
    <NA> <speaker> <NA> <NA>``. Other record types (``SPKR-INFO``...) and ``;;`` comments are
    skipped. ``file_id`` keeps only that file's turns (one RTTM may annotate many recordings).
    """
    turns = []
    text = Path(path).read_text(encoding="utf-8")
    for number, line in enumerate(text.splitlines(), 1):
        fields = line.split()
        if not fields or fields[0].startswith(";;") or fields[0] != "SPEAKER":
            continue
        if len(fields) < 8:
            raise RttmError(
                f"{path}, line {number}: a SPEAKER line needs 8 or more fields, not {len(fields)}"
            )
        if file_id is not None and fields[1] != file_id:
            continue
        try:
            onset, duration = float(fields[3]), float(fields[4])
        except ValueError:
            raise RttmError(f"{path}, line {number}: onset {fields[3]!r} / duration {fields[4]!r}") from None
        if onset < 0 or duration < 0:
            raise RttmError(f"{path}, line {number}: negative onset or duration")
        turns.append(SpeakerTurn(onset, onset + duration, fields[7]))
    return sorted(turns, key=lambda turn: (turn.start, turn.end))


# -- diarization --------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiarizationSettings:
    """The align stage's speaker keys (config ``align``), with the device from the hardware."""

    # a pyannote diarization pipeline: local folder (with config.yaml) or hub id; None: no speakers
    diarization_model: str | None = _CONFIG["diarization_model"]
    device: str = "cpu"


def load_diarization(settings: DiarizationSettings) -> Any:
    """whisperX's DiarizationPipeline for the configured model, or ModelNotFound naming the fix."""
    name = settings.diarization_model
    assert name, "load_diarization needs a model"
    expanded = os.path.expanduser(name)
    if os.path.isdir(expanded):
        name = expanded
        if not os.path.isfile(os.path.join(expanded, "config.yaml")):
            raise _diarization_not_found(name, "the folder holds no config.yaml (a pyannote pipeline's)")
    elif looks_like_path(name):
        raise _diarization_not_found(name, "no such folder")
    # pyannote sends usage metrics unless told not to; an archive's workflow does not phone home
    # (a user who wants them sets PYANNOTE_METRICS_ENABLED=true)
    os.environ.setdefault("PYANNOTE_METRICS_ENABLED", "false")
    try:
        from whisperx.diarize import DiarizationPipeline

        # token=None: huggingface_hub reads HF_TOKEN itself where a gated hub model needs one
        return DiarizationPipeline(model_name=name, token=None, device=settings.device)
    except Exception as error:  # pyannote, huggingface_hub, torch and the network raise many kinds
        raise _diarization_not_found(name, load_error_detail(error)) from error


def _diarization_not_found(name: str, detail: str) -> ModelNotFound:
    fix = (
        f"Set {CONFIG_KEY} to a local folder holding a pyannote speaker-diarization pipeline "
        "(its config.yaml and the models it names), or to null to subtitle without speakers"
    )
    if not looks_like_path(name) and hub_is_offline():
        fix += ", or allow the hub to download it (unset HF_HUB_OFFLINE; gated models need HF_TOKEN)"
    return ModelNotFound(
        f"cannot load diarization model {name!r} ({CONFIG_KEY}): {detail.rstrip('.')}. {fix}."
    )


def diarize(pipeline: Any, audio: Path) -> list[SpeakerTurn]:
    """Speaker turns of the audio from a loaded DiarizationPipeline."""
    frame = pipeline(str(audio))
    return sorted(
        (SpeakerTurn(float(row.start), float(row.end), str(row.speaker)) for row in frame.itertuples()),
        key=lambda turn: (turn.start, turn.end),
    )


def with_speakers(
    transcript: Transcript, audio: Path, settings: DiarizationSettings, pipeline: Any = None
) -> Transcript:
    """The transcript with speakers from the configured diarization model (``pipeline``, loaded
    here unless given), and a ``speakers`` provenance entry; unchanged where no model is configured."""
    if not settings.diarization_model:
        return transcript
    if pipeline is None:
        pipeline = load_diarization(settings)
    turns = diarize(pipeline, audio)
    assigned, stats = assign_speakers(transcript, turns)
    log.info(
        "speakers of %s: %d turns of %d speakers; %d of %d words got a speaker (%d inside a turn)",
        transcript.film,
        stats.turns,
        len(stats.speakers),
        stats.words_with_speaker,
        stats.words,
        stats.words_by_overlap,
    )
    provenance = Provenance(
        stage="speakers",
        engine="whisperx.diarize.DiarizationPipeline",
        model=settings.diarization_model,
        versions=package_versions("whisperx", "pyannote.audio"),
        settings={**stats.public(), "device": settings.device},
    )
    return assigned.with_stage(provenance, segments=assigned.segments)


# -- QC -----------------------------------------------------------------------------------------


def cues_mixing_speakers(cues: Sequence[Cue], transcript: Transcript) -> list[int]:
    """0-based indices of cues that mix speakers: QC's ``speaker_mix`` violation (two speakers
    without the dialogue-dash convention, or three or more), which is the one definition of it."""
    from reelsub.subtitles.qc import (
        cue_findings,
    )  # qc imports the rules this module uses: import at call time

    findings = cue_findings(cues, SubtitleRules(), 25.0, transcript)
    return [found.index for found in findings if "speaker_mix" in found.violations]
