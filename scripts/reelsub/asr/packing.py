"""The ``packed`` decoding layout: a span's speech laid end to end, pauses cut out, and the words'
times mapped back to the film's; and which layout a film gets (:func:`layout_for`).

``packed`` is faster-whisper's own layout (``vad.collect_chunks`` and
``restore_speech_timestamps``): each decoding region (Silero's speech padded 0.4 s, the regions
the raw engine decodes) is cut out of the audio and the regions are laid end to end, so a 30 s
window holds up to 30 s of *speech*. A film with pauses then needs fewer windows, and Whisper's
encoder runs once per window whatever the window holds: on the bench's 6.2 minutes of real
speech, 11 windows where the ``windows`` layout (:mod:`.windows`: up to 30 s of *audio*, pauses
kept) decodes 15, tails included; the raw engine's speed (1.03x). The windows layout packs the
tails it decodes again this way too (reelsub.asr.decoding.decode_until_finished).

Where the film's pauses are quiet, each region keeps 0.75 s of its pauses' edges instead of 0.4 s
(reelsub.asr.vad.packed_pad), so Whisper hears sentences apart up to 1.5 s: tiny.en, packed at
0.4 s, read row 1's real speech at 11.0% WER where sequential faster-whisper read 9.9% and pauses
kept whole (windows) 9.6%; it garbled clauses where 30 s of speech sat in one window with every
pause shortened to 0.8 s (JFK's "ask what you can do for your country" gone, "ill disposed" read
"old sposed" five times in eight). With 0.75 s: 8.8%, at the same speed (issue 24, bench row c). In
noise a longer pause is more noise, and the noisy films read worse with it (251 -> 271 words), so a
film whose pauses are noisy keeps 0.4 s.

Packed time is the time in the packed audio. A word is placed in the region its middle falls in,
as faster-whisper places it, and its times are shifted by that region's offset, clipped to it.
Back in film time the pauses are there again, so the sentences are cut again by the rules every
transcript is cut by (reelsub.asr.output.split_sentences): a segment Whisper ran across a cut
pause, or across two window tails packed side by side, would otherwise span both in film time
(one of a 2-hour film's ran from 6331 s to 6717 s).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from typing import Any

from reelsub.asr.audio import PcmAudio
from reelsub.asr.output import join_words, split_sentences
from reelsub.asr.vad import WINDOW_S
from reelsub.asr.windows import decoding_windows
from reelsub.contracts.transcript import Segment, SpeechRegion, Word, in_time_order
from reelsub.media import SAMPLE_RATE


def layout_for(layout: str, switches_language: bool, word_times: bool) -> str:
    """``asr.layout`` for one film. ``auto`` (the default) packs a film whose sentences are all in
    its own language and are decoded with word times; otherwise it keeps the windows.

    - Where a sentence may switch to another language (asr.other_languages: the English lines
      of a Hindi film): packed, the Kokoro Hindi/English test film lost a Hindi sentence.
      Whisper base decoded the English line after it in its place, and the English words,
      mapped back through the cut pauses, covered the Hindi sentence's region, so no second
      pass looked at it again. With the pauses kept, every sentence is there, in its language.
      (A span of such a film with lines in several languages is decoded language by language,
      each one's speech packed among itself, where no line sits beside one in another language:
      reelsub.asr.decoding.decode_by_language.)
    - Without word times (Whisper's translate task): packed time goes back to film time word by
      word, and a segment without words that spans several regions has no one film time. The
      translated English cues of the Hindi test film straddled two sentences, 3 of 12.
    """
    if layout != "auto":
        return layout
    return "packed" if word_times and not switches_language else "windows"


@dataclass(frozen=True)
class PackedSpeech:
    """Decoding regions (film time) laid end to end: where each one starts in packed time."""

    regions: tuple[SpeechRegion, ...]
    packed_starts: tuple[float, ...]

    @classmethod
    def of(cls, regions: list[SpeechRegion]) -> PackedSpeech:
        starts, cursor = [], 0.0
        for region in regions:
            starts.append(round(cursor, 3))
            cursor += region.duration
        return cls(tuple(regions), tuple(starts))

    @property
    def packed_regions(self) -> list[SpeechRegion]:
        """Each region where it lies in packed time."""
        return [
            SpeechRegion(s, round(s + r.duration, 3))
            for s, r in zip(self.packed_starts, self.regions, strict=True)
        ]

    def windows(self, limit: float = WINDOW_S) -> list[SpeechRegion]:
        """Packed-time windows of consecutive regions holding at most ``limit`` s of speech
        (collect_chunks' rule, which is the windows layout's rule in packed time)."""
        return decoding_windows(self.packed_regions, limit)

    def samples(self, span_samples: Any, span_start: float) -> Any:
        """The regions' samples, cut out of ``span_samples`` (which start at ``span_start``) and
        joined in one array."""
        import numpy as np

        pieces = []
        for region in self.regions:
            first = max(0, int(round((region.start - span_start) * SAMPLE_RATE)))
            pieces.append(span_samples[first : first + int(round(region.duration * SAMPLE_RATE))])
        return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)

    def read(self, audio: PcmAudio) -> Any:
        """The regions' samples, each read from ``audio`` on its own (regions far apart in a long
        film are not read in between), joined in one array."""
        import numpy as np

        pieces = [audio.read(region.start, region.end) for region in self.regions]
        return np.concatenate(pieces) if pieces else np.zeros(0, np.float32)

    def region_at(self, packed_t: float) -> int:
        return max(0, bisect.bisect_right(self.packed_starts, packed_t) - 1)

    def film_time(self, packed_t: float, region: int) -> float:
        """``packed_t`` in film time, counted in ``region`` and clipped to it."""
        start = self.regions[region]
        offset = min(start.duration, max(0.0, packed_t - self.packed_starts[region]))
        return round(start.start + offset, 3)

    def to_film(self, segments: list[Segment], language: str | None) -> list[Segment]:
        """Packed-time segments in film time, in order: each word in the region of its middle, and
        the sentences cut again where film time parts them."""
        mapped = []
        for segment in segments:
            if not segment.words:
                region = self.region_at((segment.start + segment.end) / 2)
                start, end = self.film_time(segment.start, region), self.film_time(segment.end, region)
                mapped.append(Segment(start, end, segment.text, language=segment.language))
                continue
            words = []
            for word in segment.words:
                region = self.region_at((word.start + word.end) / 2)
                words.append(
                    Word(
                        self.film_time(word.start, region),
                        self.film_time(word.end, region),
                        word.word,
                        word.probability,
                    )
                )
            for sentence in split_sentences(words, language):
                mapped.append(
                    Segment(
                        sentence[0].start,
                        sentence[-1].end,
                        join_words(sentence, language),
                        sentence,
                        segment.language,
                    )
                )
        return in_time_order(mapped)
