"""The subtitle standard as rules, the same rules in whole milliseconds, and the cue they apply to.

The numbers are Netflix's and the BBC's (docs/subtitle-standards.md); every one is a field of
:class:`SubtitleRules`, whose defaults are config/schema.yaml's. The cue builder (reelsub.subtitles.cues)
and QC (reelsub.subtitles.qc) both apply these rules; neither borrows the other's reasoning.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from reelsub.text import visible_length
from reelsub.workflow.settings import schema_defaults, settings_from

_CONFIG = schema_defaults("subtitle")  # every rule's default is the schema's
# Keys of the subtitle section that say how tracks are written, not how cues are timed
# (reelsub.subtitles.files.write_formats reads them).
NOT_RULES = ("formats",)


@dataclass(frozen=True)
class SubtitleRules:
    """The subtitle standard, one field per rule (config key ``subtitle``)."""

    max_chars_per_line: int = _CONFIG["max_chars_per_line"]
    max_lines: int = _CONFIG["max_lines"]
    min_duration: float = _CONFIG["min_duration"]  # seconds: 20 frames at 24 fps (5/6 s, to the ms)
    max_duration: float = _CONFIG["max_duration"]
    min_gap_frames: int = _CONFIG["min_gap_frames"]  # at the film's own frame rate
    max_cps: float = _CONFIG["max_cps"]  # reading speed; 20 for adult readers (Netflix English USA)
    pause_split: float = _CONFIG["pause_split"]  # a silence this long between words is a natural cue break
    max_lead: float = _CONFIG["max_lead"]  # a cue may appear this long before its first word is spoken
    max_lag: float = _CONFIG["max_lag"]  # ... and stay this long after its last word (BBC: at most 1.5 s)
    chain_frames: int = _CONFIG["chain_frames"]  # closer cues are chained: the gap closed to min_gap_frames

    def __post_init__(self) -> None:
        problems = []
        if self.max_chars_per_line < 1:
            problems.append(f"max_chars_per_line={self.max_chars_per_line} (must be >= 1)")
        if self.max_lines < 1:
            problems.append(f"max_lines={self.max_lines} (must be >= 1)")
        if not 0 < self.min_duration <= self.max_duration:
            problems.append(
                f"min_duration={self.min_duration}, max_duration={self.max_duration} (need 0 < min <= max)"
            )
        if self.max_cps <= 0:
            problems.append(f"max_cps={self.max_cps} (must be > 0)")
        for name in ("min_gap_frames", "chain_frames", "pause_split", "max_lead", "max_lag"):
            if getattr(self, name) < 0:
                problems.append(f"{name}={getattr(self, name)} (must be >= 0)")
        if problems:
            raise ValueError("subtitle rules: " + "; ".join(problems))

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> SubtitleRules:
        """Rules from the ``subtitle`` section of the config; keys left out keep the schema's defaults.

        An unknown key is an error, as in every section: a misspelt rule would otherwise silently
        not apply.
        """
        kinds = {f.name: f.type for f in fields(cls)}
        values: dict[str, Any] = {}
        for name, value in dict(config or {}).items():
            if name in NOT_RULES:
                continue
            if name not in kinds:
                values[name] = value  # settings_from refuses it, naming the allowed keys
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                # ValueError like every other bad rule: callers catch one error for a bad config
                raise ValueError(f"subtitle rules: {name}={value!r} is not a number")  # noqa: TRY004
            if kinds[name] == "int" and value != int(value):
                raise ValueError(f"subtitle rules: {name}={value!r} must be a whole number")
            values[name] = int(value) if kinds[name] == "int" else float(value)
        return settings_from(cls, "subtitle", values)

    def timing(self, fps: float) -> CueTiming:
        """These rules in whole milliseconds at the film's frame rate."""
        if not (fps > 0 and math.isfinite(fps)):
            raise ValueError(f"frame rate must be a positive number, not {fps!r}")
        frame = 1.0 / fps
        return CueTiming(
            frame=_at_least_ms(frame),
            min_gap=_at_least_ms(self.min_gap_frames * frame),
            min_duration=_at_least_ms(self.min_duration),
            max_duration=_at_most_ms(self.max_duration),
            max_lead=_at_most_ms(self.max_lead),
            max_lag=_at_most_ms(self.max_lag),
            pause=round(self.pause_split * 1000),
            chain=round(self.chain_frames * frame * 1000),
            max_cps=self.max_cps,
        )


def _at_least_ms(seconds: float) -> int:
    # The 1e-6 forgives float noise (2/25 s is 80.00000000000001 ms) without ever rounding a real
    # fraction of a millisecond down.
    return math.ceil(seconds * 1000 - 1e-6)


def _at_most_ms(seconds: float) -> int:
    return math.floor(seconds * 1000 + 1e-6)


@dataclass(frozen=True)
class CueTiming:
    """The rules in whole milliseconds, each rounded the way that keeps it (minimums up, maximums
    down), so that a cue that meets these in milliseconds meets the rule in seconds."""

    frame: int
    min_gap: int
    min_duration: int
    max_duration: int
    max_lead: int
    max_lag: int
    pause: int
    chain: int
    max_cps: float

    def reading_time(self, characters: int) -> int:
        """Milliseconds a viewer needs to read ``characters`` at ``max_cps``."""
        return _at_least_ms(characters / self.max_cps)

    def shortest_duration(self, characters: int) -> int:
        """The shortest a cue of ``characters`` may be on screen: min duration and reading speed."""
        return max(self.min_duration, self.reading_time(characters))


# -- cues -------------------------------------------------------------------------------------


@dataclass
class Cue:
    """One subtitle event: ``lines`` on screen from ``start`` to ``end`` (seconds)."""

    start: float
    end: float
    lines: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)

    @property
    def duration(self) -> float:
        return self.end - self.start

    @property
    def characters(self) -> int:
        """Visible characters: grapheme clusters of every line, spaces included, line breaks not
        (a line break is not read; an inter-word space is, as a pause between words)."""
        return sum(visible_length(line) for line in self.lines)

    @property
    def cps(self) -> float:
        """Reading speed: :attr:`characters` per second on screen (infinite for a cue of no time)."""
        return self.characters / self.duration if self.duration > 0 else math.inf


# Two speakers share a cue only as a dialogue: two lines, one per speaker, each starting with a
# hyphen and a space (Netflix's and the BBC's convention). The dash is shown, so it counts toward
# the line's length and the reading time.
DIALOGUE_DASH = "- "


def dialogue_lines(lines: Sequence[str]) -> tuple[list[str], bool]:
    """A cue's lines without their dialogue dashes, and whether it is a dialogue cue (exactly two
    lines, each starting with :data:`DIALOGUE_DASH`); other cues' lines come back as they are."""
    if len(lines) == 2 and all(line.startswith(DIALOGUE_DASH) for line in lines):
        return [line[len(DIALOGUE_DASH) :].lstrip() for line in lines], True
    return list(lines), False


def spoken_text(cue: Cue) -> str:
    """The words a cue shows, in one line: its text without line breaks and dialogue dashes."""
    return " ".join(" ".join(dialogue_lines(cue.lines)[0]).split())
