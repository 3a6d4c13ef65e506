"""Pauses come from the audio: Whisper's times fitted to the silences that VAD heard.

Whisper's word times come from cross-attention and run on through pauses: on a Hindi film of
sentences 0.7-1.3 s apart, Whisper base left no gap between any two words, so neither the
sentence splitter nor the cue builder ever saw a pause, and cues held the end of one sentence and
the start of the next. The transcript's ``speech`` regions (where VAD heard speech) are the
acoustic evidence. For every silence between them, the word boundary that belongs in it is found
(the one whose next word starts nearest the silence's end, a sentence's end preferred); the words between two such silences
are spread over the speech between them (the first starts when the speech does, the last ends
when it does), and a silence of ``sentence_pause`` or longer ends a sentence where the transcriber
left it unpunctuated (Whisper often does with Indian languages; where it punctuates, its full
stops say where sentences end, and a long pause inside one is a speaker's pause). A segment without word
times (Whisper's translate task) is treated the same way, the segment as one unit.

Nothing is invented: a silence with no word boundary near it (inside a long word, or where Whisper
heard nothing) is left alone, and words keep their order.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace

from reelsub import text
from reelsub.contracts.transcript import Segment, SpeechRegion, Transcript, Word

MIN_SILENCE_S = 0.25  # shorter silences between speech regions are breaths inside a phrase
MAX_SHIFT_S = 2.0  # how far Whisper's boundary may lie from the silence it belongs in
SENTENCE_END_BONUS_S = 0.6  # a boundary after sentence punctuation wins over one this much nearer


@dataclass(frozen=True)
class Silence:
    start: float
    end: float

    @property
    def middle(self) -> float:
        return (self.start + self.end) / 2


def silences(speech: Sequence[SpeechRegion], min_length: float = MIN_SILENCE_S) -> list[Silence]:
    """The gaps of at least ``min_length`` between consecutive speech regions."""
    return [Silence(a.end, b.start) for a, b in itertools.pairwise(speech) if b.start - a.end >= min_length]


@dataclass
class _Unit:
    """A word, or a segment that has no words: the smallest thing a boundary can fall between."""

    start: float
    end: float
    token: str  # its text, for sentence punctuation
    segment: int  # index of the segment it belongs to
    word: int | None  # index of the word in its segment; None: the segment itself


def fit_to_speech(
    transcript: Transcript, sentence_pause: float, min_silence: float = MIN_SILENCE_S
) -> Transcript:
    """The transcript with word and segment times moved out of the silences VAD heard, and
    segments cut where a heard silence of ``sentence_pause`` or more parts two words.

    Unchanged where the transcript has no speech regions (no VAD ran)."""
    if transcript.speech is None or not transcript.segments:
        return transcript
    units = _units(transcript.segments)
    if not units:
        return transcript
    speech = transcript.speech
    lo = speech[0].start if speech else 0.0
    hi = speech[-1].end if speech else transcript.duration
    boundaries = _boundaries_in_silences(units, silences(speech, min_silence), transcript.language)
    # stretches of speech between the chosen silences; every unit is placed inside its stretch
    cuts = sorted(boundaries)
    edges = [0, *cuts, len(units)]
    stretch_bounds = [lo] + [boundaries[k].end for k in cuts]
    stretch_ends = [boundaries[k].start for k in cuts] + [hi]
    for (first, stop), low, high in zip(itertools.pairwise(edges), stretch_bounds, stretch_ends, strict=True):
        _place(units[first:stop], low, max(low, high))
    pause_after = {
        k - 1
        for k in cuts
        if boundaries[k].end - boundaries[k].start >= sentence_pause
        and not _punctuated(transcript.segments[units[k - 1].segment], transcript.language)
    }
    segments = _rebuild(transcript.segments, units, pause_after)
    return replace(transcript, segments=segments)


def _punctuated(segment: Segment, language: str) -> bool:
    """Whether the transcriber ended this segment as a sentence: then a pause inside it is a pause
    inside a sentence ("ask not | what your country can do for you."), not the end of one."""
    return text.ends_with_sentence(segment.text, segment.language or language)


def _units(segments: Sequence[Segment]) -> list[_Unit]:
    units = []
    for index, segment in enumerate(segments):
        if segment.words:
            units += [_Unit(w.start, w.end, w.word, index, k) for k, w in enumerate(segment.words)]
        elif segment.text.strip():
            units.append(_Unit(segment.start, segment.end, segment.text.split()[-1], index, None))
    return units


def _boundaries_in_silences(units: list[_Unit], gaps: list[Silence], language: str) -> dict[int, Silence]:
    """For each silence, in order, the boundary (index k: between units k-1 and k) that belongs in
    it: the one whose next unit starts nearest the silence's end, a sentence's end (punctuated, or
    between two segments) preferred, never before one already chosen."""
    chosen: dict[int, Silence] = {}
    last = 0
    for gap in gaps:
        best, best_score = None, MAX_SHIFT_S
        for k in range(last + 1, len(units)):
            left, right = units[k - 1], units[k]
            if left.end > gap.middle + MAX_SHIFT_S and right.start > gap.middle + MAX_SHIFT_S:
                break
            # Whisper stretches the word before a pause through it, and starts the next word about
            # when the speech resumes: the boundary that belongs in a silence is the one whose
            # next word starts nearest the silence's end.
            distance = abs(right.start - gap.end)
            # a sentence's end: punctuated, or where the transcriber began another segment (a line
            # decoded again on its own, packed, ends unpunctuated: "... बाज़ार की तरफ़ जाता है")
            ended = left.segment != right.segment or text.ends_sentence(left.token, language)
            score = distance - (SENTENCE_END_BONUS_S if ended else 0.0)
            if distance <= MAX_SHIFT_S and score < best_score:
                best, best_score = k, score
        if best is not None:
            chosen[best] = gap
            last = best
    return chosen


def _place(units: list[_Unit], low: float, high: float) -> None:
    """Units mapped linearly onto [low, high], the stretch of speech between two heard silences:
    its first word starts when the speech does, its last ends when the speech does."""
    if not units:
        return
    first, last = units[0].start, max(u.end for u in units)
    span = last - first
    for unit in units:
        if span > 0:
            start = low + (unit.start - first) * (high - low) / span
            end = low + (unit.end - first) * (high - low) / span
        else:
            start = end = low
        unit.start, unit.end = round(start, 3), round(max(start, end), 3)


def _rebuild(segments: Sequence[Segment], units: list[_Unit], pause_after: set[int]) -> list[Segment]:
    """Segments with the units' new times, cut after every unit followed by a sentence pause."""
    rebuilt: list[Segment] = []
    by_segment: dict[int, list[tuple[int, _Unit]]] = {}
    for position, unit in enumerate(units):
        by_segment.setdefault(unit.segment, []).append((position, unit))
    for index, segment in enumerate(segments):
        members = by_segment.get(index)
        if not members:
            if segment.text.strip():
                rebuilt.append(segment)
            continue
        if members[0][1].word is None:  # a segment without words is one unit
            unit = members[0][1]
            rebuilt.append(replace(segment, start=unit.start, end=unit.end))
            continue
        pieces: list[list[Word]] = [[]]
        for position, unit in members:
            old = segment.words[unit.word]  # type: ignore[index]
            pieces[-1].append(replace(old, start=unit.start, end=unit.end))
            if position in pause_after and position != members[-1][0]:
                pieces.append([])
        for words in pieces:
            kept_text = segment.text if len(pieces) == 1 else " ".join(w.word for w in words)
            rebuilt.append(
                replace(
                    segment, start=words[0].start, end=max(w.end for w in words), text=kept_text, words=words
                )
            )
    return rebuilt
