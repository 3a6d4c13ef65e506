"""QC: does a set of cues keep the subtitle rules, and where not, why?

Every rule of :class:`~reelsub.cues.SubtitleRules` is checked on every cue against the transcript's
words. A cue that breaks a rule is either a *violation* (a fault: should never happen with cues
from :func:`~reelsub.cues.build_cues`) or a counted *exception*, when QC can show from the words
themselves that the rule could not be kept:

- ``long_word``: a line longer than ``max_chars_per_line`` holds a single word (never cut).
  Counted per word.
- ``article_split_forced``: an article and its noun on different lines or cues because they
  cannot share one: together longer than a line, or a cue cannot hold both (a silence between them
  longer than ``max_lead + max_lag``, or speech longer than ``max_duration``).
- ``fast_speech``: under ``min_duration`` or over ``max_cps``, and the cue's reading time is longer
  than its whole reading window (its speech plus its share of the silences around it, see
  :func:`reelsub.cues.reading_window`): the words are spoken faster than they can be read.
- ``crowded_speech``: the cue's reading window is shorter than one frame (words squeezed into an
  instant), or the previous cue is crowded and runs into this cue's window; its timing rules
  (duration, reading speed, in-time, out-time, silence) cannot all be kept.
- ``long_utterance``: one word spoken for longer than ``max_duration``; its cue leaves after
  ``max_duration``, before the word ends. Not a failure of any rule, counted to be seen.

Timing is compared in whole milliseconds (:class:`~reelsub.cues.CueTiming`), as SRT stores it.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from reelsub.cues import (
    Cue,
    CueTiming,
    SpokenWord,
    SubtitleRules,
    article_split_forced,
    break_words_for,
    film_end_ms,
    reading_window,
    splits_article,
    spoken_words,
    visible_length,
)
from reelsub.transcript import Transcript

RULES = (
    "max_lines",  # more lines than max_lines
    "line_length",  # a line of several words longer than max_chars_per_line
    "article_split",  # an article parted from its noun where they could share a line
    "min_duration",
    "max_duration",
    "reading_speed",  # more than max_cps visible characters per second
    "min_gap",  # less than min_gap_frames before the next cue (overlap and disorder included)
    "in_time",  # appears more than max_lead before its first word, or after that word starts
    "out_time",  # stays more than max_lag after its last word, or leaves before it ends (less the gap)
    "silence",  # on screen at a moment more than max_lag after speech and max_lead before the next
    "text_mismatch",  # its text is not the transcript's words, in order
)
EXCEPTIONS = ("long_word", "article_split_forced", "fast_speech", "crowded_speech", "long_utterance")


@dataclass
class CueFindings:
    """What QC found in one cue."""

    index: int  # 0-based position in the cue list
    words: tuple[int, int] | None  # the transcript words it shows, [first, stop); None: none found
    violations: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)  # "long_word" once per long word


def cue_findings(
    cues: Sequence[Cue], rules: SubtitleRules, fps: float, transcript: Transcript
) -> list[CueFindings]:
    """Check every cue against every rule (see the module docstring for the categories)."""
    timing = rules.timing(fps)
    words = spoken_words(transcript)
    film_end = film_end_ms(transcript, words)
    break_words = break_words_for(transcript.language)
    times = [(round(c.start * 1000), round(c.end * 1000)) for c in cues]
    ranges, _ = match_words(cues, words, timing)
    reach = _speech_reach(words, timing)
    findings: list[CueFindings] = []
    crowded: list[bool] = []
    for index, cue in enumerate(cues):
        found = CueFindings(index, ranges[index])
        findings.append(found)
        start, end = times[index]

        # -- lines ---------------------------------------------------------------------------
        if len(cue.lines) > rules.max_lines:
            found.violations.append("max_lines")
        for line in cue.lines:
            if visible_length(line) > rules.max_chars_per_line:
                if len(line.split()) == 1:
                    found.exceptions.append("long_word")
                elif "line_length" not in found.violations:
                    found.violations.append("line_length")
        _check_article_splits(found, cues, ranges, words, rules, timing, break_words)
        if index + 1 < len(cues) and times[index + 1][0] - end < timing.min_gap:
            found.violations.append("min_gap")
        if ranges[index] is None or _shown_text(cue) != " ".join(
            w.text for w in words[slice(*ranges[index])]
        ):
            found.violations.append("text_mismatch")

        # -- timing ----------------------------------------------------------------------------
        duration = end - start
        if duration > timing.max_duration:
            found.violations.append("max_duration")
        failed = []
        if duration < timing.min_duration:
            failed.append("min_duration")
        if duration < timing.reading_time(cue.characters):
            failed.append("reading_speed")
        if not _within(reach, start, end):
            failed.append("silence")
        is_crowded, too_fast = False, False
        if ranges[index] is not None:
            first, stop = ranges[index]
            speech_start, speech_end = words[first].start, words[stop - 1].end
            single_word = stop - first == 1
            if start < max(0, speech_start - timing.max_lead) or start > speech_start:
                failed.append("in_time")
            out_limit = min(speech_end, start + timing.max_duration) if single_word else speech_end
            if end > speech_end + timing.max_lag or end < out_limit - timing.min_gap:
                failed.append("out_time")
            earliest, latest = reading_window(words, first, stop, timing, film_end)
            pushed = index > 0 and crowded[index - 1] and times[index - 1][1] + timing.min_gap > earliest
            is_crowded = latest - earliest < timing.frame or pushed
            too_fast = timing.shortest_duration(cue.characters) > min(timing.max_duration, latest - earliest)
            if single_word and speech_end - speech_start > timing.max_duration:
                found.exceptions.append("long_utterance")
        crowded.append(is_crowded)
        for rule in failed:
            if is_crowded:
                category = "crowded_speech"
            elif too_fast and rule in ("min_duration", "reading_speed"):
                category = "fast_speech"
            else:
                found.violations.append(rule)
                continue
            if category not in found.exceptions:
                found.exceptions.append(category)
    return findings


def _check_article_splits(
    found: CueFindings,
    cues: Sequence[Cue],
    ranges: Sequence[tuple[int, int] | None],
    words: Sequence[SpokenWord],
    rules: SubtitleRules,
    timing: CueTiming,
    break_words,
) -> None:
    """Line breaks inside the cue, and the break to the next cue."""
    index = found.index
    lines = [line.split() for line in cues[index].lines if line.split()]
    pairs = [(upper[-1], lower[0], False) for upper, lower in itertools.pairwise(lines)]
    if index + 1 < len(cues) and lines and cues[index + 1].text.split():
        pairs.append((lines[-1][-1], cues[index + 1].text.split()[0], True))
    for left, right, between_cues in pairs:
        if not splits_article(left, right, break_words):
            continue
        forced = visible_length(left) + 1 + visible_length(right) > rules.max_chars_per_line
        here, after = ranges[index], ranges[index + 1] if between_cues else None
        if between_cues and here is not None and after is not None and after[0] == here[1]:
            forced = forced or article_split_forced(words[here[1] - 1], words[after[0]], rules, timing)
        if forced:
            found.exceptions.append("article_split_forced")
        else:
            found.violations.append("article_split")


def _shown_text(cue: Cue) -> str:
    return " ".join(cue.text.split())


def match_words(
    cues: Sequence[Cue], words: Sequence[SpokenWord], timing: CueTiming
) -> tuple[list[tuple[int, int] | None], bool]:
    """Which transcript words each cue shows, as ranges [first, stop), and whether the cues' text
    is exactly the words in order (``build_cues`` always is).

    Where it is not (an edited or foreign file), each word goes to the cue nearest it in time.
    """
    ranges: list[tuple[int, int] | None] = []
    position = 0
    for cue in cues:
        target = _shown_text(cue)
        first, width = position, -1
        while position < len(words) and width < len(target):
            width += len(words[position].text) + 1
            position += 1
        if not target or " ".join(w.text for w in words[first:position]) != target:
            break
        ranges.append((first, position))
    else:
        if position == len(words):
            return ranges, True
    return _match_by_time(cues, words, timing), False


def _match_by_time(
    cues: Sequence[Cue], words: Sequence[SpokenWord], timing: CueTiming
) -> list[tuple[int, int] | None]:
    spans = sorted((round(c.start * 1000), round(c.end * 1000), k) for k, c in enumerate(cues))
    starts = [s for s, _, _ in spans]
    members: list[list[int]] = [[] for _ in cues]
    for number, word in enumerate(words):
        position = bisect.bisect_right(starts, word.end + timing.max_lead)
        best, best_score = None, (-math.inf, -math.inf)
        for start, end, k in spans[max(0, position - 3) : position + 1]:
            # overlap with the cue itself first, then with its reach (lead and lag included)
            score = (
                min(word.end, end) - max(word.start, start),
                min(word.end, end + timing.max_lag) - max(word.start, start - timing.max_lead),
            )
            if score > best_score:
                best, best_score = k, score
        if best is not None and best_score[1] >= 0:
            members[best].append(number)
    return [(min(m), max(m) + 1) if m else None for m in members]


def _speech_reach(words: Sequence[SpokenWord], timing: CueTiming) -> list[tuple[int, int]]:
    """Moments a cue may be on screen: from max_lead before a word to max_lag after it, merged."""
    merged: list[tuple[int, int]] = []
    for word in words:
        low, high = max(0, word.start - timing.max_lead), word.end + timing.max_lag
        if merged and low <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], high))
        else:
            merged.append((low, high))
    return merged


def _within(reach: list[tuple[int, int]], start: int, end: int) -> bool:
    position = bisect.bisect_right(reach, (start, math.inf)) - 1
    return position >= 0 and reach[position][0] <= start and end <= reach[position][1]


def speech_covered(cues: Sequence[Cue], words: Sequence[SpokenWord]) -> float:
    """Fraction of the time words are spoken during which a cue is on screen (1.0 with no speech)."""
    shown: list[tuple[int, int]] = []
    for start, end in sorted((round(c.start * 1000), round(c.end * 1000)) for c in cues):
        if shown and start <= shown[-1][1]:
            shown[-1] = (shown[-1][0], max(shown[-1][1], end))
        elif end > start:
            shown.append((start, end))
    total = covered = 0
    for word in words:
        total += word.end - word.start
        position = max(0, bisect.bisect_right(shown, (word.start, math.inf)) - 1)
        for start, end in shown[position:]:
            if start >= word.end:
                break
            covered += max(0, min(end, word.end) - max(start, word.start))
    return covered / total if total else 1.0


def _percentiles(values: Sequence[float], names: Sequence[tuple[str, float]]) -> dict[str, float | None]:
    """Linear-interpolated percentiles; None where there are no cues or a value is not finite."""
    ordered = sorted(values)
    result: dict[str, float | None] = {}
    for name, quantile in names:
        if not ordered:
            result[name] = None
            continue
        position = quantile * (len(ordered) - 1)
        low = math.floor(position)
        high = min(low + 1, len(ordered) - 1)
        below, above = ordered[low], ordered[high]
        value = below if below == above else below + (above - below) * (position - low)
        result[name] = round(value, 3) if math.isfinite(value) else None
    return result


SPREAD = (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0))


def qc_report(
    cues: Sequence[Cue], rules: SubtitleRules, fps: float, transcript: Transcript
) -> dict[str, Any]:
    """The QC report of one subtitle track, JSON-ready."""
    timing = rules.timing(fps)
    words = spoken_words(transcript)
    findings = cue_findings(cues, rules, fps, transcript)
    _, text_matches = match_words(cues, words, timing)
    violations = {rule: 0 for rule in RULES}
    exceptions = {category: 0 for category in EXCEPTIONS}
    examples: dict[str, list[int]] = {}
    for found in findings:
        for rule in found.violations:
            violations[rule] += 1
            examples.setdefault(rule, [])
            if len(examples[rule]) < 5:
                examples[rule].append(found.index + 1)  # SRT numbers cues from 1
        for category in found.exceptions:
            exceptions[category] += 1
    report: dict[str, Any] = {
        "film": transcript.film,
        "language": transcript.language,
        "fps": fps,
        "rules": asdict(rules),
        "cue_count": len(cues),
        "violations": violations,
        "violation_count": sum(violations.values()),
        "violation_examples": examples,  # rule -> up to 5 cue numbers (as in the SRT)
        "exceptions": exceptions,
        "long_word_exceptions": exceptions["long_word"],
        "reading_speed_cps": _percentiles([c.cps for c in cues], SPREAD),
        "duration_s": _percentiles([c.duration for c in cues], (("min", 0.0), *SPREAD)),
        "speech_covered": round(speech_covered(cues, words), 4),
        "words": {"total": len(words), "text_matches_transcript": text_matches},
    }
    report["summary"] = _summary(report)
    return report


def _summary(report: dict[str, Any]) -> str:
    rules = report["rules"]
    parts = [
        f"{report['cue_count']} cues for {report['words']['total']} words ({report['language']}, {report['fps']:g} fps)."
    ]
    cps, duration = report["reading_speed_cps"], report["duration_s"]
    if report["cue_count"]:
        parts.append(
            f"Reading speed median {_number(cps['p50'])} characters/s, 90th percentile {_number(cps['p90'])}, "
            f"fastest {_number(cps['max'])} (limit {rules['max_cps']:g}); on screen {_number(duration['min'], 2)}"
            f"-{_number(duration['max'], 2)} s (median {_number(duration['p50'], 2)} s); cues cover "
            f"{report['speech_covered']:.1%} of the time words are spoken."
        )
    if report["violation_count"]:
        listed = ", ".join(f"{n} {rule}" for rule, n in report["violations"].items() if n)
        parts.append(f"RULE VIOLATIONS: {listed} (cues {report['violation_examples']}).")
    else:
        parts.append("Every rule is kept.")
    counted = ", ".join(
        f"{n} {category.replace('_', ' ')}" for category, n in report["exceptions"].items() if n
    )
    parts.append(f"Counted exceptions: {counted}." if counted else "No exceptions.")
    if not report["words"]["text_matches_transcript"]:
        parts.append("The cue text differs from the transcript's words; words were matched to cues by time.")
    return " ".join(parts)


def _number(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def format_qc_table(report: dict[str, Any]) -> str:
    """The report as a Markdown table, for logs and READMEs."""
    rows = [("cues", str(report["cue_count"])), ("words", str(report["words"]["total"]))]
    rows += [(f"violations: {rule}", str(n)) for rule, n in report["violations"].items()]
    rows += [(f"exceptions: {category}", str(n)) for category, n in report["exceptions"].items()]
    for name, value in report["reading_speed_cps"].items():
        rows.append((f"reading speed {name} (chars/s)", _number(value)))
    for name, value in report["duration_s"].items():
        rows.append((f"duration {name} (s)", _number(value, 2)))
    rows.append(("speech covered", f"{report['speech_covered']:.1%}"))
    width = max(len(name) for name, _ in rows)
    lines = [f"| {'check':<{width}} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {name:<{width}} | {value} |" for name, value in rows]
    return "\n".join(lines)
