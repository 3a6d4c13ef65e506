"""The transcript's words as cues are made of them and checked against: in whole milliseconds,
ordered and never overlapping. The cue builder and QC read the speech through here."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from reelsub.contracts.transcript import Transcript, estimated_words
from reelsub.subtitles.rules import CueTiming, SubtitleRules
from reelsub.text import visible_length
from reelsub.workflow.settings import schema_defaults


@dataclass(frozen=True)
class SpokenWord:
    """A word as cues see it: its text with whitespace tidied, its visible length, and its time in
    whole milliseconds, ordered and not overlapping the next word."""

    text: str
    start: int
    end: int
    length: int
    ends_segment: bool = False
    speaker: str | None = None  # None: the transcript does not say


def spoken_words(transcript: Transcript) -> list[SpokenWord]:
    """Every word of the transcript in order; words of no visible text are dropped.

    Times are made monotonic: a word that starts before the previous one is moved to its start, and
    a word that runs into the next is cut at the next one's start. Aligners do emit such overlaps;
    without this, two cues would have to share a moment.
    """
    raw: list[tuple[str, int, int, bool, str | None]] = []
    for segment in transcript.segments:
        words = [w for w in estimated_words(segment) if w.word.strip()]
        for position, word in enumerate(words):
            text = " ".join(word.word.split())
            speaker = word.speaker or segment.speaker
            raw.append(
                (text, round(word.start * 1000), round(word.end * 1000), position == len(words) - 1, speaker)
            )
    starts = list(itertools.accumulate((start for _, start, _, _, _ in raw), max))
    spoken: list[SpokenWord] = []
    for index, (text, _, end, last, speaker) in enumerate(raw):
        start = starts[index]
        end = max(start, end)
        if index + 1 < len(raw):
            end = min(end, starts[index + 1])
        spoken.append(SpokenWord(text, start, end, visible_length(text), last, speaker))
    return spoken


def known_speakers(words: Sequence[SpokenWord]) -> list[str | None]:
    """Each word's speaker, where the transcript knows some: a word of no known speaker is taken to
    be the previous word's speaker (the first words, the first known one's). All None where the
    transcript knows none."""
    speakers: list[str | None] = []
    current = next((w.speaker for w in words if w.speaker), None)
    for word in words:
        current = word.speaker or current
        speakers.append(current)
    return speakers


def speaker_changes(words: Sequence[SpokenWord]) -> list[bool]:
    """Whether a new speaker starts at each word (:func:`known_speakers`): never at the first word,
    nowhere in a transcript that knows no speakers. A cue breaks there, or turns into a dialogue."""
    speakers = known_speakers(words)
    return [False] + [
        speakers[k] is not None and speakers[k] != speakers[k - 1] for k in range(1, len(words))
    ]


# A silence this long between two words parts two sentences, in the cue builder and in QC as in
# the stages that cut segments there (config align.sentence_pause). The transcript records the
# pause it was cut with; the schema's default is for one that does not say.
DEFAULT_SENTENCE_PAUSE_MS = round(schema_defaults("align")["sentence_pause"] * 1000)


def sentence_pause_ms(transcript: Transcript) -> int:
    """The silence (ms) that parts two sentences of this transcript: the one its sentences were cut at."""
    recorded = transcript.recorded_sentence_pause()
    return DEFAULT_SENTENCE_PAUSE_MS if recorded is None else round(recorded * 1000)


UNKNOWN_FILM_LENGTH = 10**12  # ms: a transcript of duration 0 does not say when the film ends


def film_end_ms(transcript: Transcript, words: Sequence[SpokenWord]) -> int:
    """The last moment a cue may show: the end of the audio, or after the last word if the
    transcript does not say how long the audio is (or says it ends before the last word)."""
    last_word_end = words[-1].end if words else 0
    if transcript.duration > 0:
        return max(round(transcript.duration * 1000), last_word_end)
    return last_word_end + UNKNOWN_FILM_LENGTH  # only max_lag limits the last cue


def article_split_forced(
    left: SpokenWord, right: SpokenWord, rules: SubtitleRules, timing: CueTiming
) -> bool:
    """An article and its noun that cannot share a line of one cue: together they are longer than
    a line, or a cue cannot hold both (a silence between them no lead or lag covers, or speech
    longer than max_duration)."""
    return (
        left.length + 1 + right.length > rules.max_chars_per_line
        or right.start - left.end > timing.max_lead + timing.max_lag
        or right.end - left.start > timing.max_duration
    )
