"""QC: does a subtitle track keep the rules, is it in the right script, and what should a person look at?

QC reads the track's cues, the transcript they were made from, and the rules. It imports nothing of
the cue builder (reelsub.subtitles.cues): every judgement below is made again from the rules (reelsub.
subtitle_rules), the words (reelsub.subtitles.spoken) and the text rules (reelsub.text), so that a wrong rule
in the builder shows up here as a violation instead of being repeated.

Three kinds of finding, each listed in ``qc.json`` with its cue number and times:

*Violations* (a rule is broken): the layout and timing rules of :class:`SubtitleRules` (RULES
below), a cue mixing two speakers without dialogue dashes (``speaker_mix``), and a track mostly
in a script its language's readers do not read (``wrong_script``, counted once for the track).

*Exceptions* (a rule could not be kept, and the words show why):

- ``long_word``: a line longer than ``max_chars_per_line`` holds a single word (never cut).
- ``article_split_forced``: an article and its noun cannot share a line or a cue.
- ``fast_speech``: the cue's reading time is longer than the most time it could have: from its
  first word (or ``max_lead`` before it, not before the previous cue's words end) to its last word
  plus ``max_lag`` (not after the next cue's words start, less the gap).
- ``crowded_speech``: that most time is under one frame, or the previous cue is crowded and runs
  into this one.
- ``long_utterance``: one word spoken for longer than ``max_duration``.

*Review flags* (no rule is broken, but a viewer would notice): a cue holding the end of one
sentence and the start of the next, a cue mostly in a foreign script, low confidence (Whisper's
word probabilities), likely hallucinations (a cue over no speech VAD heard, a repeated line, text on a
film under a second long, a highly compressible line), and a language mismatch between what was
heard and what was configured or tagged.

Timing is compared in whole milliseconds (:class:`~reelsub.subtitles.rules.CueTiming`), as SRT stores it.
"""

from __future__ import annotations

import bisect
import itertools
import math
import zlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace

from reelsub import text
from reelsub.contracts.qc_report import Finding, LanguageCheck, QcReport, ScriptShare, Words
from reelsub.contracts.transcript import SpeechRegion, Transcript, estimated_words
from reelsub.languages import display_name, expected_scripts, resolve
from reelsub.pauses import silences
from reelsub.subtitles.rules import Cue, CueTiming, SubtitleRules, dialogue_lines, spoken_text
from reelsub.subtitles.spoken import (
    SpokenWord,
    article_split_forced,
    film_end_ms,
    sentence_pause_ms,
    spoken_words,
)
from reelsub.text import break_words_for, splits_article, visible_length

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
    "speaker_mix",  # words of two speakers without the dialogue-dash convention
    "wrong_script",  # the track: most of its letters are in a script its language is not written in
)
EXCEPTIONS = ("long_word", "article_split_forced", "fast_speech", "crowded_speech", "long_utterance")
FLAGS = (
    "straddles_sentences",  # holds the end of one sentence and the start of the next
    "foreign_script",  # most of the cue's letters are in a script its language is not written in
    "low_confidence",  # Whisper was unsure of the words
    "no_speech_heard",  # likely hallucination: VAD heard no speech while its words are said
    "repeated_line",  # likely hallucination: the same text as the cue before
    "subsecond_film",  # likely hallucination: text on a film under a second long
    "high_compression",  # likely hallucination: its segment's text compresses like a loop
    "language_mismatch",  # the language heard is not the one configured or tagged (track-level)
)

# Thresholds of the review flags, each written once here.
LOW_CONFIDENCE = 0.45  # mean word probability; Whisper's real words on clean speech sit near 0.8-0.9
COMPRESSION_RATIO = 2.4  # Whisper's own hallucination threshold (compression_ratio_threshold)
SUBSECOND_FILM_S = 1.0
HEARD_SHARE = 0.1  # a cue whose words overlap heard speech for less than this share of their time
CONFIDENT_DETECTION = 0.7  # a detected language this probable can disagree with config
MOSTLY = 0.5  # a cue, or a track, with less than this share of letters in its scripts


@dataclass
class CueFindings:
    """What QC found in one cue."""

    index: int  # 0-based position in the cue list
    words: tuple[int, int] | None  # the transcript words it shows, [first, stop); None: none found
    violations: list[str] = field(default_factory=list)
    exceptions: list[str] = field(default_factory=list)  # "long_word" once per long word
    flags: list[str] = field(default_factory=list)


class _HeardSpeech:
    """VAD's speech regions in whole milliseconds, asked how much of a span they cover. Sorted once,
    so a 2-hour film's 1,900 regions are not all visited for each of its 22,000 words (that was 17 s
    of the subtitle stage's 19 s); regions that overlap one another (no VAD gives them, but the
    contract allows them) are summed as before, visiting all of them."""

    def __init__(self, speech: Sequence[SpeechRegion]) -> None:
        self.regions = sorted((round(r.start * 1000), round(r.end * 1000)) for r in speech)
        self.starts = [start for start, _ in self.regions]
        self.disjoint = all(a[1] <= b[0] for a, b in itertools.pairwise(self.regions))

    def overlap_ms(self, start: int, end: int) -> int:
        """Milliseconds of [start, end] that regions cover (each region's share counted)."""
        if (
            self.disjoint
        ):  # only the regions that start before the span ends, back to one that ends before it starts
            last = bisect.bisect_left(self.starts, end)
            first = max(0, bisect.bisect_right(self.starts, start) - 1)
            chosen: Sequence[tuple[int, int]] = self.regions[first:last]
        else:
            chosen = self.regions
        return sum(max(0, min(end, high) - max(start, low)) for low, high in chosen)


@dataclass
class _Track:
    """What every check of one track reads."""

    cues: Sequence[Cue]
    rules: SubtitleRules
    timing: CueTiming
    transcript: Transcript
    words: list[SpokenWord]
    word_languages: list[str]
    word_speakers: list[str | None]
    word_probabilities: list[float | None]
    word_segments: list[int]
    ranges: list[tuple[int, int] | None]
    times: list[tuple[int, int]]
    film_end: int
    heard: _HeardSpeech


def _track(cues: Sequence[Cue], rules: SubtitleRules, fps: float, transcript: Transcript) -> _Track:
    timing = rules.timing(fps)
    words = spoken_words(transcript)
    languages, speakers, probabilities, segments = [], [], [], []
    for number, segment in enumerate(transcript.segments):
        for word in estimated_words(segment):
            if not word.word.strip():
                continue
            languages.append(transcript.segment_language(segment))
            speakers.append(word.speaker or segment.speaker)
            probabilities.append(word.probability)
            segments.append(number)
    ranges, _ = match_words(cues, words, timing)
    return _Track(
        cues,
        rules,
        timing,
        transcript,
        words,
        languages,
        speakers,
        probabilities,
        segments,
        ranges,
        [(round(c.start * 1000), round(c.end * 1000)) for c in cues],
        film_end_ms(transcript, words),
        _HeardSpeech(transcript.speech or []),
    )


def cue_findings(
    cues: Sequence[Cue], rules: SubtitleRules, fps: float, transcript: Transcript
) -> list[CueFindings]:
    """Check every cue against every rule and review flag (see the module docstring)."""
    track = _track(cues, rules, fps, transcript)
    findings = [CueFindings(index, track.ranges[index]) for index in range(len(cues))]
    crowded: list[bool] = []
    reach = _speech_reach(track.words, track.timing)
    boundaries = _sentence_ends(track)
    dense = _too_dense(track)
    for found in findings:
        _check_lines(track, found)
        crowded.append(_check_timing(track, found, reach, crowded, found.index in dense))
        _check_sentences(track, found, boundaries)
        _check_script(track, found)
        _check_speakers(track, found)
        _check_hallucination(track, found)
    return findings


# -- layout -------------------------------------------------------------------------------------


def _check_lines(track: _Track, found: CueFindings) -> None:
    cue, rules = track.cues[found.index], track.rules
    if len(cue.lines) > rules.max_lines:
        found.violations.append("max_lines")
    for line in cue.lines:
        if visible_length(line) > rules.max_chars_per_line:
            if len(line.split()) == 1:
                found.exceptions.append("long_word")
            elif "line_length" not in found.violations:
                found.violations.append("line_length")
    _check_article_splits(track, found)
    index = found.index
    if (
        index + 1 < len(track.cues)
        and track.times[index + 1][0] - track.times[index][1] < track.timing.min_gap
    ):
        found.violations.append("min_gap")
    words = found.words
    if words is None or _shown_text(cue) != " ".join(w.text for w in track.words[slice(*words)]):
        found.violations.append("text_mismatch")


def _check_article_splits(track: _Track, found: CueFindings) -> None:
    """Line breaks inside the cue, and the break to the next cue."""
    index, cues = found.index, track.cues
    break_words = break_words_for(track.transcript.language)
    shown, dialogue = dialogue_lines(cues[index].lines)
    lines = [line.split() for line in shown if line.split()]
    # a dialogue's line break is where the other speaker starts, not a choice of where to break
    pairs = [] if dialogue else [(upper[-1], lower[0], False) for upper, lower in itertools.pairwise(lines)]
    following = dialogue_lines(cues[index + 1].lines)[0] if index + 1 < len(cues) else []
    if lines and following and following[0].split():
        here, after = track.ranges[index], track.ranges[index + 1]
        new_speaker = (
            here is not None
            and after is not None
            and after[0] == here[1]
            and after[0] < len(track.words)
            and track.word_speakers[after[0] - 1] is not None
            and track.word_speakers[after[0]] not in (None, track.word_speakers[after[0] - 1])
        )
        if not new_speaker:  # when A stops on "the" and B answers, the break is not a choice
            pairs.append((lines[-1][-1], following[0].split()[0], True))
    for left, right, between_cues in pairs:
        if not splits_article(left, right, break_words):
            continue
        forced = visible_length(left) + 1 + visible_length(right) > track.rules.max_chars_per_line
        here, after = track.ranges[index], track.ranges[index + 1] if between_cues else None
        if between_cues and here is not None and after is not None and after[0] == here[1]:
            forced = forced or article_split_forced(
                track.words[here[1] - 1], track.words[after[0]], track.rules, track.timing
            )
        found.exceptions.append("article_split_forced") if forced else found.violations.append(
            "article_split"
        )


# -- timing -------------------------------------------------------------------------------------


def _check_timing(
    track: _Track, found: CueFindings, reach: list[tuple[int, int]], crowded: list[bool], dense: bool
) -> bool:
    """Timing rules; whether the cue is short of time (for the next cue's judgement). ``dense``: the
    cue is in a stretch whose cues cannot all have their reading time (see _too_dense)."""
    index, timing, words = found.index, track.timing, track.words
    cue = track.cues[index]
    start, end = track.times[index]
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
    is_crowded = too_fast = False
    if found.words is not None:
        first, stop = found.words
        speech_start, speech_end = words[first].start, words[stop - 1].end
        single_word = stop - first == 1
        if start < max(0, speech_start - timing.max_lead) or start > speech_start:
            failed.append("in_time")
        out_limit = min(speech_end, start + timing.max_duration) if single_word else speech_end
        if end > speech_end + timing.max_lag or end < out_limit - timing.min_gap:
            failed.append("out_time")
        earliest, latest = _most_time(track, first, stop)
        # A cue short of time before this one (crowded, or faster than it can be read) takes all the
        # time it can; where it runs into this cue's time, this cue is pushed too.
        pushed = index > 0 and crowded[index - 1] and track.times[index - 1][1] + timing.min_gap > earliest
        is_crowded = latest - earliest < timing.frame or pushed
        too_fast = timing.shortest_duration(cue.characters) > min(timing.max_duration, latest - earliest)
        is_crowded = is_crowded or (too_fast and pushed)
        if single_word and speech_end - speech_start > timing.max_duration:
            found.exceptions.append("long_utterance")
    for rule in failed:
        if is_crowded:
            category = "crowded_speech"
        elif too_fast and rule in ("min_duration", "reading_speed"):
            category = "fast_speech"
        elif dense:
            category = "crowded_speech"
        else:
            found.violations.append(rule)
            continue
        if category not in found.exceptions:
            found.exceptions.append(category)
    return is_crowded or too_fast or dense


def _too_dense(track: _Track) -> set[int]:
    """Cues in stretches too dense for all their cues to be read: timed one after another as early as
    the rules let them, each for its reading time, some cue would end after the latest it may. There
    every cue of the stretch may be short of time (which gives way is a choice, not a fault). A
    stretch starts where a cue can start at its earliest, not pushed by the one before."""
    timing, dense = track.timing, set()
    chain: list[int] = []
    previous_end: int | None = None
    for index, words in enumerate(track.ranges):
        if words is None:
            chain, previous_end = [], None
            continue
        earliest, latest = _most_time(track, *words)
        start = earliest if previous_end is None else max(earliest, previous_end + timing.min_gap)
        if start == earliest:
            chain = []
        chain.append(index)
        first, stop = words
        need = min(timing.shortest_duration(track.cues[index].characters), timing.max_duration)
        # a cue may not leave before its words are said (out_time), less the gap
        spoken_until = track.words[stop - 1].end
        if stop - first == 1:
            spoken_until = min(spoken_until, start + timing.max_duration)
        end = max(start + need, min(spoken_until - timing.min_gap, start + timing.max_duration))
        if end > latest:
            dense.update(chain)
            end = max(start + timing.frame, latest)
        previous_end = end
    return dense


def _most_time(track: _Track, first: int, stop: int) -> tuple[int, int]:
    """The earliest start and latest end (ms) any timing of the cue showing words[first:stop] could
    have while its neighbours keep their own in- and out-times: from max_lead before its first word,
    not before the previous words end; to max_lag after its last word, not after the next words
    start less the gap, nor after the film."""
    words, timing = track.words, track.timing
    earliest = max(0, words[first].start - timing.max_lead, words[first - 1].end if first else 0)
    latest = min(track.film_end, words[stop - 1].end + timing.max_lag)
    if stop < len(words):
        latest = min(latest, words[stop].start - timing.min_gap)
    return earliest, latest


# -- sentences, script, speakers ------------------------------------------------------------------


def _sentence_ends(track: _Track) -> set[int]:
    """Indices of words after which a sentence ends: at sentence punctuation (abbreviations aside),
    and where VAD heard a silence of the transcript's sentence pause or more between two words (Whisper often
    leaves Indian-language speech unpunctuated; the silence is the evidence then)."""
    words = track.words
    ends = {
        k
        for k, word in enumerate(words)
        if text.ends_sentence(word.text, track.word_languages[k] if k < len(track.word_languages) else None)
    }
    between = [(words[k].end + words[k + 1].start) / 2 for k in range(len(words) - 1)]
    ordered = all(a <= b for a, b in itertools.pairwise(between))
    for silence in silences(track.transcript.speech or [], sentence_pause_ms(track.transcript) / 1000):
        middle = silence.middle * 1000
        nearest = _nearest(between, middle, ordered)
        if nearest is not None and words[nearest].start < middle < words[nearest + 1].end + 1000:
            ends.add(nearest)
    return ends


def _nearest(values: list[float], target: float, ordered: bool) -> int | None:
    """The first index of the value nearest ``target`` (as min() over every index finds it), by
    bisection where ``values`` are ``ordered`` (the moments between words in time order), else by
    visiting each: one search per silence over a 2-hour film's words was 9 s."""
    if not values:
        return None
    if not ordered:
        return min(range(len(values)), key=lambda k: abs(values[k] - target))
    after = bisect.bisect_left(values, target)
    candidates = [k for k in (after - 1, after) if 0 <= k < len(values)]
    best = min(candidates, key=lambda k: (abs(values[k] - target), k))
    return bisect.bisect_left(values, values[best])  # the first of equal values, as min() takes it


def _check_sentences(track: _Track, found: CueFindings, ends: set[int]) -> None:
    """A cue may hold two whole sentences, but not the end of one and the start of the next."""
    if found.words is None:
        return
    first, stop = found.words
    inside = [k for k in range(first, stop - 1) if k in ends]
    if not inside:
        return
    starts_whole = first == 0 or (first - 1) in ends
    ends_whole = stop == len(track.words) or (stop - 1) in ends
    if not (starts_whole and ends_whole):
        found.flags.append("straddles_sentences")


def _check_script(track: _Track, found: CueFindings) -> None:
    allowed = _allowed_scripts(track, found)
    if not allowed:
        return
    letters = text.letter_scripts(track.cues[found.index].text)
    if sum(letters.values()) and text.share_in_scripts(letters, allowed) < MOSTLY:
        found.flags.append("foreign_script")


def _allowed_scripts(track: _Track, found: CueFindings) -> set[str]:
    """The scripts of the track's language, and of the languages the cue's words were spoken in."""
    scripts = set(expected_scripts(track.transcript.language))
    if not scripts:
        return set()
    if found.words is not None:
        for k in range(*found.words):
            if k < len(track.word_languages):
                scripts |= set(expected_scripts(track.word_languages[k]))
    return scripts


def _check_speakers(track: _Track, found: CueFindings) -> None:
    if found.words is None:
        return
    speakers = [s for s in track.word_speakers[slice(*found.words)] if s is not None]
    distinct = list(dict.fromkeys(speakers))
    if len(distinct) < 2:
        return
    lines, dashed = dialogue_lines(track.cues[found.index].lines)
    if len(distinct) > 2 or not dashed or not _one_speaker_a_line(track, found.words, lines):
        found.violations.append("speaker_mix")


def _one_speaker_a_line(track: _Track, words: tuple[int, int], lines: list[str]) -> bool:
    """A dialogue cue's first line holds one speaker's words and its second line the other's."""
    first, stop = words
    split = first + len(lines[0].split())
    upper = {s for s in track.word_speakers[first:split] if s is not None}
    lower = {s for s in track.word_speakers[split:stop] if s is not None}
    return len(upper) == 1 and len(lower) == 1 and upper != lower


# -- review flags ---------------------------------------------------------------------------------


def _check_hallucination(track: _Track, found: CueFindings) -> None:
    index, transcript = found.index, track.transcript
    cue = track.cues[index]
    if found.words is not None:
        probabilities = [p for p in track.word_probabilities[slice(*found.words)] if p is not None]
        if probabilities and sum(probabilities) / len(probabilities) < LOW_CONFIDENCE:
            found.flags.append("low_confidence")
        if transcript.speech is not None and _heard_share(track, *found.words) < HEARD_SHARE:
            found.flags.append("no_speech_heard")
        segments = {track.word_segments[k] for k in range(*found.words) if k < len(track.word_segments)}
        if any(_compression_ratio(transcript.segments[s].text) > COMPRESSION_RATIO for s in segments):
            found.flags.append("high_compression")
    if index and _normal(cue.text) and _normal(cue.text) == _normal(track.cues[index - 1].text):
        found.flags.append("repeated_line")
    if 0 < transcript.duration < SUBSECOND_FILM_S:
        found.flags.append("subsecond_film")


def _heard_share(track: _Track, first: int, stop: int) -> float:
    """The share of the cue's spoken time (its words) during which VAD heard speech."""
    spoken = sum(max(0, w.end - w.start) for w in track.words[first:stop])
    if spoken == 0:
        return 1.0
    heard = sum(track.heard.overlap_ms(word.start, word.end) for word in track.words[first:stop])
    return heard / spoken


def _compression_ratio(line: str) -> float:
    data = line.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _normal(line: str) -> str:
    return " ".join(text.bare(token) for token in line.split())


def _shown_text(cue: Cue) -> str:
    return spoken_text(cue)


# -- matching cues to words -----------------------------------------------------------------------


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


# -- the report -------------------------------------------------------------------------------


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


def script_summary(cues: Sequence[Cue], language: str) -> ScriptShare:
    """The track's letters by script against the scripts its language is written in."""
    letters = text.letter_scripts(" ".join(c.text for c in cues))
    expected = tuple(expected_scripts(language))
    total = sum(letters.values())
    return ScriptShare(
        expected=expected,
        letters=dict(letters.most_common()),
        share_expected=None
        if not expected or not total
        else round(text.share_in_scripts(letters, expected), 4),
    )


def language_check(transcript: Transcript, translated: bool) -> LanguageCheck:
    """What asr heard against what config said and the audio track's tag (source tracks only)."""
    asr = transcript.stage("asr")
    settings = asr.settings if asr else {}
    detected, probability = settings.get("detected_language"), settings.get("language_probability")
    configured = settings.get("language")
    tag = (settings.get("audio_track") or {}).get("language")
    problems = []
    if not translated and detected and probability is not None and probability >= CONFIDENT_DETECTION:
        if configured and not _same_language(detected, configured):
            problems.append(
                f"heard {display_name(detected)} (p={probability:.2f}) but source_lang is "
                f"{display_name(configured)}"
            )
        if tag and tag not in ("und", "") and not _same_language(detected, tag):
            problems.append(
                f"heard {display_name(detected)} (p={probability:.2f}) but the audio track is tagged {tag!r}"
            )
    return LanguageCheck(
        detected=detected,
        probability=probability,
        configured=configured,
        track_tag=tag,
        mismatch=tuple(problems),
    )


def _same_language(a: str, b: str) -> bool:
    try:
        return resolve(a).id == resolve(b).id
    except ValueError:
        return a.lower() == b.lower()


def qc_report(
    cues: Sequence[Cue], rules: SubtitleRules, fps: float, transcript: Transcript, translated: bool = False
) -> QcReport:
    """The QC report of one subtitle track, as its ``qc.json`` holds it (reelsub.contracts.qc_report)."""
    timing = rules.timing(fps)
    words = spoken_words(transcript)
    findings = cue_findings(cues, rules, fps, transcript)
    _, text_matches = match_words(cues, words, timing)
    violations = dict.fromkeys(RULES, 0)
    exceptions = dict.fromkeys(EXCEPTIONS, 0)
    flags = dict.fromkeys(FLAGS, 0)
    examples: dict[str, list[int]] = {}
    listed: list[Finding] = []
    for found in findings:
        cue = cues[found.index]
        for kind, names, counts in (
            ("violation", found.violations, violations),
            ("exception", found.exceptions, exceptions),
            ("flag", found.flags, flags),
        ):
            for name in names:
                counts[name] += 1
                # SRT numbers cues from 1
                listed.append(Finding(name, kind, found.index + 1, round(cue.start, 3), round(cue.end, 3)))
                if kind == "violation" and len(examples.setdefault(name, [])) < 5:
                    examples[name].append(found.index + 1)
    script = script_summary(cues, transcript.language)
    if script.share_expected is not None and script.share_expected < MOSTLY:
        violations["wrong_script"] = 1
        examples["wrong_script"] = []
        detail = f"{script.share_expected:.0%} of the letters are {text.script_names(script.expected)}"
        listed.append(Finding("wrong_script", "violation", None, None, None, detail))
    languages = language_check(transcript, translated)
    if languages.mismatch:
        flags["language_mismatch"] = 1
        listed.append(Finding("language_mismatch", "flag", None, None, None, "; ".join(languages.mismatch)))
    violation_count, flag_count = sum(violations.values()), sum(flags.values())
    report = QcReport(
        film=transcript.film,
        language=transcript.language,
        translated=translated,
        fps=fps,
        rules=asdict(rules),
        sentence_pause_s=sentence_pause_ms(transcript) / 1000,  # the pause sentences were cut and judged at
        cue_count=len(cues),
        violations=violations,
        violation_count=violation_count,
        violation_examples={rule: tuple(cues) for rule, cues in examples.items()},
        exceptions=exceptions,
        long_word_exceptions=exceptions["long_word"],
        flags=flags,
        flag_count=flag_count,
        findings=tuple(listed),
        script=script,
        language_check=languages,
        reading_speed_cps=_percentiles([c.cps for c in cues], SPREAD),
        duration_s=_percentiles([c.duration for c in cues], (("min", 0.0), *SPREAD)),
        speech_covered=round(speech_covered(cues, words), 4),
        words=Words(total=len(words), text_matches_transcript=text_matches),
        verdict="violations" if violation_count else "review" if flag_count else "ok",
        summary="",
        # what a track without cues is told by: silence, or speech no word was recognised in
        audio_s=round(transcript.duration, 3),
        speech_heard_s=None
        if transcript.speech is None
        else round(sum(r.duration for r in transcript.speech), 3),
    )
    return replace(report, summary=_summary(report))


def _summary(report: QcReport) -> str:
    rules = report.rules
    parts = [
        f"{report.cue_count} cues for {report.words.total} words ({report.language}, {report.fps:g} fps)."
    ]
    cps, duration = report.reading_speed_cps, report.duration_s
    if report.cue_count:
        parts.append(
            f"Reading speed median {_number(cps['p50'])} characters/s, 90th percentile {_number(cps['p90'])}, "
            f"fastest {_number(cps['max'])} (limit {rules['max_cps']:g}); on screen {_number(duration['min'], 2)}"
            f"-{_number(duration['max'], 2)} s (median {_number(duration['p50'], 2)} s); cues cover "
            f"{report.speech_covered:.1%} of the time words are spoken."
        )
    else:
        parts.append(_without_cues(report))
    script = report.script
    if script.share_expected is not None and script.share_expected < 1:
        parts.append(
            f"Script: {script.share_expected:.0%} of the letters are {text.script_names(script.expected)}"
            f" ({_letters(script.letters)})."
        )
    if report.violation_count:
        listed = ", ".join(f"{n} {rule}" for rule, n in report.violations.items() if n)
        where = {rule: list(cues) for rule, cues in report.violation_examples.items() if cues}
        parts.append(f"RULE VIOLATIONS: {listed}" + (f" (cues {where})." if where else "."))
    flagged = [f for f in report.findings if f.kind == "flag"]
    if flagged:
        by_check: dict[str, list[str]] = {}
        for finding in flagged:
            by_check.setdefault(finding.check, []).append(
                str(finding.cue) if finding.cue is not None else finding.detail
            )
        named = "; ".join(
            f"{check.replace('_', ' ')}: {', '.join(where[:8])}" for check, where in by_check.items()
        )
        parts.append(f"FLAGGED FOR REVIEW ({len(flagged)}): {named}.")
    if not report.cue_count:
        pass  # no cue to keep a rule: said above
    elif not report.violation_count and not flagged:
        parts.append("Every rule is kept and nothing is flagged.")
    elif not report.violation_count:
        parts.append("No rule is broken, but the flagged cues need a person's look.")
    counted = ", ".join(f"{n} {category.replace('_', ' ')}" for category, n in report.exceptions.items() if n)
    parts.append(f"Counted exceptions: {counted}." if counted else "No exceptions.")
    if not report.words.text_matches_transcript:
        parts.append("The cue text differs from the transcript's words; words were matched to cues by time.")
    return " ".join(parts)


def _without_cues(report: QcReport) -> str:
    """Why a track has no cue, said plainly: mux leaves a track without cues out of out.mkv (an
    empty track would show as a subtitle choice that never shows a line), so the QC line says so
    rather than "every rule is kept" of a track that is not there."""
    audio, heard = report.audio_s, report.speech_heard_s
    length = f"{audio:.1f} s of audio" if audio is not None else "the audio"
    if heard is None:
        why = f"No words recognised in {length}"
    elif heard == 0:
        why = f"No speech heard in {length}"
    else:
        why = f"{heard:.1f} s of speech heard in {length} but no words recognised in it (worth a listen)"
    return f"{why}: no cues, so out.mkv gets no subtitle track for it."


def _letters(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {text.script_names([code])}" for code, n in counts.items())


def _number(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def format_qc_table(report: QcReport) -> str:
    """The report as a Markdown table, for logs and READMEs."""
    rows = [("cues", str(report.cue_count)), ("words", str(report.words.total))]
    rows += [(f"violations: {rule}", str(n)) for rule, n in report.violations.items()]
    rows += [(f"exceptions: {category}", str(n)) for category, n in report.exceptions.items()]
    rows += [(f"flags: {flag}", str(n)) for flag, n in report.flags.items()]
    share = report.script.share_expected
    rows.append(("letters in the expected script", "n/a" if share is None else f"{share:.1%}"))
    for name, value in report.reading_speed_cps.items():
        rows.append((f"reading speed {name} (chars/s)", _number(value)))
    for name, value in report.duration_s.items():
        rows.append((f"duration {name} (s)", _number(value, 2)))
    rows.append(("speech covered", f"{report.speech_covered:.1%}"))
    width = max(len(name) for name, _ in rows)
    lines = [f"| {'check':<{width}} | value |", f"|{'-' * (width + 2)}|-------|"]
    lines += [f"| {name:<{width}} | {value} |" for name, value in rows]
    return "\n".join(lines)
