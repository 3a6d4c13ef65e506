"""A film's real frame times, and gaps between cues counted in frames a viewer sees.

The subtitle rules ask for at least ``min_gap_frames`` frames with no subtitle between two cues
(Netflix: 2 frames), so that the eye sees one cue leave before the next arrives. At a constant
frame rate that is a fixed time, ``min_gap_frames / fps``, and cues.build_cues keeps it. A film
with a variable frame rate (phone footage, a 25 fps part joined to a 10 fps one) has no such
time: 2 frames of its fast part are not 2 frames of its slow part, and its average rate is right
for neither. For such films the gap is checked, and kept, against the frames themselves.

A frame at time ``p`` shows a cue if ``cue.start <= p < cue.end``. Times are seconds from the
film's start (the first packet's time, as ffmpeg counts it when it extracts the audio the cues
were timed on). They are read from the container's packets, without decoding a picture.
"""

from __future__ import annotations

import bisect
import dataclasses
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reelsub.media import MediaError, open_input
from reelsub.subtitles.rules import Cue

# Frame durations that differ by less than this are one rate: Matroska keeps times in whole
# milliseconds, so 23.976 fps reads as 41 and 42 ms frames.
SAME_DURATION = 0.0015  # seconds


@dataclass(frozen=True)
class FrameTimes:
    """When each frame of a film's picture appears, in presentation order."""

    times: tuple[float, ...]  # seconds from the film's start, ascending

    @property
    def durations(self) -> list[float]:
        return [b - a for a, b in itertools.pairwise(self.times)]

    @property
    def is_variable(self) -> bool:
        """True when frames last different times (beyond the container's rounding)."""
        durations = self.durations
        return bool(durations) and max(durations) - min(durations) > SAME_DURATION

    @property
    def fastest_fps(self) -> float | None:
        """The rate of the film's fastest part: 1 / its shortest frame."""
        durations = [d for d in self.durations if d > 0]
        return 1 / min(durations) if durations else None

    def blank_frames(self, after: float, before: float) -> int:
        """Frames that show neither of two cues, the one ending at ``after`` and the one
        starting at ``before``: those at ``after <= p < before``."""
        return max(0, bisect.bisect_left(self.times, before) - bisect.bisect_left(self.times, after))


def read_frame_times(film: Path) -> FrameTimes | None:
    """The presentation times of the film's first picture stream (cover art is not one), from
    its packets: the file is read once, no frame is decoded. None for a film without pictures."""
    import av  # here: most users of reelsub.subtitles.frames never read a film

    try:
        with open_input(film) as container:
            streams = [
                s for s in container.streams.video if not s.disposition & av.stream.Disposition.attached_pic
            ]
            if not streams:
                return None
            stream = streams[0]
            start = (container.start_time or 0) / 1_000_000  # AV_TIME_BASE
            scale = float(stream.time_base or 0)
            stamps = sorted(p.pts for p in container.demux(stream) if p.size and p.pts is not None)
    except (av.FFmpegError, OSError) as error:
        raise MediaError(f"{film}: cannot read its frame times: {error}") from error
    return FrameTimes(tuple(p * scale - start for p in stamps))


def variable_frame_times(film: Path) -> FrameTimes | None:
    """The film's frame times if its frame rate varies, else None (no picture, or a constant
    rate, for which the gap in seconds from the rate is exact)."""
    frames = read_frame_times(film)
    return frames if frames is not None and frames.is_variable else None


def keep_gaps(cues: Sequence[Cue], frames: FrameTimes, min_gap_frames: int) -> list[Cue]:
    """The cues, each gap between consecutive ones showing at least ``min_gap_frames`` frames
    with no subtitle. Where a gap shows fewer, the earlier cue ends earlier, by as little as
    needed: at the first frame of the gap it needs. It never ends before it has shown its first
    frame for a whole frame (nor before its start plus a millisecond); a gap that cannot be kept
    then stays short, and blank_frames_per_gap shows it.

    Ends are whole milliseconds, rounded down, as SubRip and Matroska store them (a frame time
    that Matroska rounds to the nearest millisecond is never before such an end).
    """
    times = frames.times
    kept = list(cues)
    for index in range(len(kept) - 1):
        earlier, later = kept[index], kept[index + 1]
        if frames.blank_frames(earlier.end, later.start) >= min_gap_frames:
            continue
        first_of_later = bisect.bisect_left(times, later.start)
        gap_start = first_of_later - min_gap_frames
        if gap_start < 0:
            continue  # the film's first frames: there is no earlier frame to end at
        end = math.floor(times[gap_start] * 1000) / 1000
        first_shown = bisect.bisect_left(times, earlier.start)
        # The earliest end that still shows the earlier cue's first frame for a whole frame.
        floor = round(times[first_shown + 1], 3) if first_shown + 1 < len(times) else earlier.end
        floor = max(floor, round(earlier.start + 0.001, 3))
        kept[index] = dataclasses.replace(earlier, end=min(earlier.end, max(end, floor)))
    return kept


def blank_frames_per_gap(cues: Sequence[Cue], frames: FrameTimes) -> list[int]:
    """For QC: the frames with no subtitle in each gap between consecutive cues."""
    return [frames.blank_frames(a.end, b.start) for a, b in itertools.pairwise(cues)]
