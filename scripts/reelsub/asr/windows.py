"""Decoding windows: heard speech grouped into Whisper-sized windows, and spans of windows read
from disk at a time; and the tails of windows where decoding stopped before the speech did."""

from __future__ import annotations

import bisect
from dataclasses import replace

from reelsub.asr.vad import WINDOW_S
from reelsub.contracts.transcript import Segment, SpeechRegion, Word

# Small Whisper models sometimes end a 30 s window after its first sentence, silently losing the
# rest (tiny.en on "Here is a short speech." followed by jfk.flac gave only the first line). Where
# the words stop but VAD still hears speech, the rest of the window is decoded again.
RETRY_MIN_SPEECH_S = 1.0
RETRY_PASSES = 3
DECODE_SPAN_S = 900.0  # audio (windows and silence) read at a time at most: memory stays flat (58 MB)
GROUP_BATCHES = 3  # batches of windows decoded in one call at most


def _timed_words(segments: list[Segment]) -> list[Word]:
    """Every word of the segments; a segment without word times counts as one word."""
    return [w for s in segments for w in (s.words or [Word(s.start, s.end, s.text)])]


def decoding_windows(regions: list[SpeechRegion], limit: float = WINDOW_S) -> list[SpeechRegion]:
    """Consecutive speech regions grouped into windows of at most ``limit`` seconds, so that each
    Whisper call sees as much context as it can hold, and no silence longer than a window."""
    windows: list[SpeechRegion] = []
    for region in regions:
        if windows and region.end - windows[-1].start <= limit:
            windows[-1] = SpeechRegion(windows[-1].start, region.end)
        else:
            windows.append(region)
    return windows


def unfinished_windows(
    windows: list[SpeechRegion], regions: list[SpeechRegion], segments: list[Segment]
) -> list[SpeechRegion]:
    """For each window whose words stop while RETRY_MIN_SPEECH_S or more of its speech is still
    to come, the rest of that window: from the first unheard speech to the window's end."""
    ends = sorted(w.end for w in _timed_words(segments))
    rests = []
    for window in windows:
        heard_until = max(
            (end for end in ends if window.start <= end <= window.end + 0.5), default=window.start
        )
        unheard = [r for r in regions if window.start <= r.start < window.end and r.end > heard_until + 0.1]
        left = sum(r.end - max(r.start, heard_until) for r in unheard)
        if left >= RETRY_MIN_SPEECH_S:
            rests.append(SpeechRegion(max(unheard[0].start, heard_until), window.end))
    return rests


def within_regions(segments: list[Segment], regions: list[SpeechRegion]) -> list[Segment]:
    """Each word ended, at the latest, where the region it starts in ends: no word runs on through
    the pause after it. Told to decode Hindi, Whisper base skipped a recorded English line between
    two Hindi ones and stretched the Hindi sentence's last word over it ("ہے۔" from 2.7 to 10.7 s,
    over 6.6 s of English), which then looked heard."""
    starts = [r.start for r in regions]

    def ended(word: Word) -> Word:
        at = bisect.bisect_right(starts, word.start) - 1
        if at < 0 or word.start > regions[at].end or word.end <= regions[at].end:
            return word
        return Word(word.start, regions[at].end, word.word, word.probability)

    fitted = []
    for segment in segments:
        words = [ended(w) for w in segment.words]
        end = max((w.end for w in words), default=segment.end)
        fitted.append(replace(segment, end=end, words=words) if words != segment.words else segment)
    return fitted


def unheard_speech(regions: list[SpeechRegion], segments: list[Segment]) -> list[SpeechRegion]:
    """The stretches of the regions, RETRY_MIN_SPEECH_S or longer, that no word covers (words as
    :func:`within_regions` ends them). Whisper, told to decode one language, may skip a line in
    another and go on with the next line of its window: the skipped line's region then holds at
    most a word Whisper started early, and no word's middle test would find it."""
    covered: list[tuple[float, float]] = []  # the words' times, overlapping ones joined, in order
    for start, end in sorted((w.start, w.end) for w in _timed_words(segments)):
        if covered and start <= covered[-1][1]:
            covered[-1] = (covered[-1][0], max(covered[-1][1], end))
        else:
            covered.append((start, end))
    ends = [end for _, end in covered]
    stretches = []
    for region in regions:
        cursor = region.start
        # the covered spans that end inside or after the region, up to the first past it
        for start, end in covered[bisect.bisect_right(ends, cursor) :]:
            if start >= region.end:
                break
            if start - cursor >= RETRY_MIN_SPEECH_S:
                stretches.append(SpeechRegion(cursor, start))
            cursor = max(cursor, end)
        if region.end - cursor >= RETRY_MIN_SPEECH_S:
            stretches.append(SpeechRegion(cursor, region.end))
    return stretches


def unheard_regions(regions: list[SpeechRegion], segments: list[Segment]) -> list[SpeechRegion]:
    """The regions of RETRY_MIN_SPEECH_S or more in which no word's middle falls."""
    middles = sorted((w.start + w.end) / 2 for w in _timed_words(segments))
    missing = []
    for region in regions:
        at = bisect.bisect_left(middles, region.start)
        if region.duration >= RETRY_MIN_SPEECH_S and not (at < len(middles) and middles[at] <= region.end):
            missing.append(region)
    return missing


def decoding_groups(
    windows: list[SpeechRegion], batch_size: int = 8, limit: float = DECODE_SPAN_S
) -> list[list[SpeechRegion]]:
    """Consecutive windows, grouped so that each group's audio spans at most ``limit`` seconds
    and holds at most GROUP_BATCHES full batches (a single longer window, impossible with 30 s
    windows, would make a group of its own). A decoding call runs its windows ``batch_size`` at
    a time, so a group cut at a batch's edge leaves no half-empty batch: on a CPU a batch of 2
    windows took 1.05 s a window, one of 8 0.76 s."""
    most = GROUP_BATCHES * max(1, batch_size)
    groups: list[list[SpeechRegion]] = []
    for window in windows:
        if groups and window.end - groups[-1][0].start <= limit and len(groups[-1]) < most:
            groups[-1].append(window)
        else:
            groups.append([window])
    return groups
