"""Cues: broadcast-grade subtitles from word timings.

A *cue* is one subtitle event: up to ``max_lines`` lines of at most ``max_chars_per_line`` characters,
on screen from ``start`` to ``end``. The numbers are Netflix's and the BBC's (see
docs/subtitle-standards.md); every one is a field of :class:`SubtitleRules`.

How a film's words become cues:

1. :func:`spoken_words` reads the transcript's words (``estimated_words`` for segments that have none,
   e.g. translations), in whole milliseconds, ordered and never overlapping.
2. Grouping (dynamic programming over word boundaries) chooses where cues break: at sentence and
   clause ends and at pauses; never between an article and its noun; each group must fit
   ``max_lines`` lines (re-wrapped, so a translation never yields a 3-line cue), be spoken within
   ``max_duration`` and hold no silence longer than ``max_lead + max_lag``. Where the transcript
   knows its speakers, a change of speaker is a cue break as good as a sentence's end, and a cue
   holds one speaker's words, or two speakers' as a dialogue: two lines, each starting with
   :data:`DIALOGUE_DASH`, one per speaker (QC checks it: ``speaker_mix``).
3. Timing gives each cue at least its *reading time* (``min_duration`` and ``max_cps``) inside its
   *reading window*: its own speech, plus its share of the silences on either side (see
   :func:`silence_shares`), at most ``max_lead`` before the first word and ``max_lag`` after the last.

What is guaranteed for every input (tests/test_cues.py tests it with hypothesis; qc.py checks it):
ordered cues at least ``min_gap_frames`` apart, at most ``max_lines`` lines, no line longer than
``max_chars_per_line`` unless it is one word, no cue longer than ``max_duration``, no word lost or
reordered. Reading speed, minimum duration and timing to speech are met unless the speech itself
makes it impossible; those cues are counted exceptions with a stated cause (qc.EXCEPTIONS). QC
checks all of it from the rules and the words alone: it imports nothing of this builder.

All timing arithmetic is in whole milliseconds, the resolution of SRT and WebVTT: each rule is
rounded in the direction that keeps it (:class:`CueTiming`), so what is written to a file still
meets the rule exactly.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from reelsub import text
from reelsub.contracts.transcript import Transcript
from reelsub.subtitles.rules import DIALOGUE_DASH, Cue, CueTiming, SubtitleRules
from reelsub.subtitles.spoken import (
    SpokenWord,
    article_split_forced,
    film_end_ms,
    sentence_pause_ms,
    speaker_changes,
    spoken_words,
)
from reelsub.text import (
    BreakWords,
    break_words_for,
    ends_clause,
    keeps_together,
    splits_article,
    visible_length,
)

# -- line breaking ------------------------------------------------------------------------------

# Costs of ending a line between two words. Lower is better; weighed against line balance below.
SENTENCE_BREAK = 0.0
CLAUSE_BREAK = 1.0
BEFORE_CONJUNCTION = 2.0  # "..., | and so": the new line starts a new thought
AFTER_POSTPOSITION = 2.0
PLAIN_BREAK = 4.0
DANGLING_BREAK = 6.0  # a line that ends on "and" or "of" leaves the reader hanging
TOGETHER_BREAK = 10.0  # inside a name ("New / Jersey") or a number and its unit ("5 / km")
FORCED_ARTICLE_BREAK = 20.0  # article and noun do not fit on one line together: allowed, counted
ARTICLE_BREAK = 1e7  # never where avoidable; dearer than any exception
BALANCE_PER_CHARACTER = 0.2  # lines of similar length; a comma break wins over 15 characters' imbalance
TOP_HEAVY = 0.01  # between two equal choices, the shorter line on top (a pyramid)


def line_break_cost(left: str, right: str, words: BreakWords, max_chars: int) -> float:
    """How good a line break between two words is."""
    if splits_article(left, right, words):
        together = visible_length(left) + 1 + visible_length(right)
        return FORCED_ARTICLE_BREAK if together > max_chars else ARTICLE_BREAK
    if text.ends_sentence(left, words.language):
        return SENTENCE_BREAK
    if ends_clause(left):
        return CLAUSE_BREAK
    if text.bare(left) in words.break_before or text.bare(right) in words.break_after:
        return DANGLING_BREAK
    if text.bare(right) in words.break_before:
        return BEFORE_CONJUNCTION
    if text.bare(left) in words.break_after:
        return AFTER_POSTPOSITION
    if keeps_together(left, right, words.language):
        return TOGETHER_BREAK
    return PLAIN_BREAK


@dataclass(frozen=True)
class LinePlan:
    cost: float
    starts: tuple[int, ...]  # index of the first word of each line after the first

    @property
    def line_count(self) -> int:
        return len(self.starts) + 1


def plan_lines(
    lengths: Sequence[int], break_costs: Sequence[float], max_chars: int, max_lines: int
) -> LinePlan | None:
    """The best way to lay out words of these visible lengths in as few lines as they fit.

    ``break_costs[k]`` is the cost of a line break after word ``k``. A line may be longer than
    ``max_chars`` only if it is one word (which is never cut). ``None`` if the words need more than
    ``max_lines`` lines.
    """
    count = len(lengths)
    total = sum(lengths) + count - 1
    if count <= 1 or total <= max_chars:
        return LinePlan(0.0, ())
    if max_lines == 2:  # the common case, in one pass
        best: LinePlan | None = None
        top = -1
        for start in range(1, count):
            top += lengths[start - 1] + 1
            bottom = total - top - 1
            if (top <= max_chars or start == 1) and (bottom <= max_chars or start == count - 1):
                cost = break_costs[start - 1] + BALANCE_PER_CHARACTER * abs(top - bottom)
                cost += TOP_HEAVY if top > bottom else 0.0
                if best is None or cost < best.cost:
                    best = LinePlan(cost, (start,))
        return best
    for line_count in range(2, max_lines + 1):
        plan = _plan_exactly(lengths, break_costs, max_chars, line_count)
        if plan is not None:
            return plan
    return None


def _plan_exactly(
    lengths: Sequence[int], break_costs: Sequence[float], max_chars: int, line_count: int
) -> LinePlan | None:
    """Dynamic programme over line breaks for ``line_count`` lines (more than two lines is rare)."""
    count = len(lengths)
    prefix = [0]
    for length in lengths:
        prefix.append(prefix[-1] + length)
    mean = (prefix[-1] + count - line_count) / line_count

    def line_cost(first: int, stop: int) -> float | None:
        width = prefix[stop] - prefix[first] + stop - first - 1
        if width > max_chars and stop - first > 1:
            return None
        return BALANCE_PER_CHARACTER * abs(width - mean)

    # best[k][stop]: cheapest layout of words[:stop] in k lines, with the start of the last line
    best: list[dict[int, tuple[float, tuple[int, ...]]]] = [{0: (0.0, ())}]
    for lines in range(1, line_count + 1):
        layer: dict[int, tuple[float, tuple[int, ...]]] = {}
        for first, (cost, starts) in best[lines - 1].items():
            for stop in range(first + 1, count + 1):
                if lines == line_count and stop != count:
                    continue
                added = line_cost(first, stop)
                if added is None:
                    break
                total = cost + added + (break_costs[stop - 1] if stop < count else 0.0)
                new_starts = starts + ((stop,) if stop < count else ())
                if stop not in layer or total < layer[stop][0]:
                    layer[stop] = (total, new_starts)
        best.append(layer)
    if count not in best[line_count]:
        return None
    cost, starts = best[line_count][count]
    return LinePlan(cost, starts)


class CueTooLong(ValueError):
    """Text that does not fit one cue; build_cues splits such text into several cues."""


def wrap_lines(content: str, rules: SubtitleRules, language: str = "en") -> list[str]:
    """Break ``content`` into as few lines as fit, balanced, at the best places: after sentence and
    clause ends, before a conjunction or preposition, never between an article and its noun.

    Raises :class:`CueTooLong` if the text needs more than ``rules.max_lines`` lines.
    """
    tokens = content.split()
    if not tokens:
        return []
    words = break_words_for(language)
    costs = [line_break_cost(a, b, words, rules.max_chars_per_line) for a, b in itertools.pairwise(tokens)]
    plan = plan_lines([visible_length(t) for t in tokens], costs, rules.max_chars_per_line, rules.max_lines)
    if plan is None:
        raise CueTooLong(
            f"{visible_length(content)} characters do not fit {rules.max_lines} lines: {content[:60]!r}..."
        )
    return _lines(tokens, plan)


def _lines(tokens: Sequence[str], plan: LinePlan) -> list[str]:
    bounds = (0, *plan.starts, len(tokens))
    return [" ".join(tokens[a:b]) for a, b in itertools.pairwise(bounds)]


# -- reading windows ----------------------------------------------------------------------------


def silence_shares(silence: int, timing: CueTiming) -> tuple[int, int]:
    """How a silence (ms) between two cues' words is shared: (lag of the cue before, lead of the
    cue after). The minimum gap is kept out of both; the rest is split in proportion to
    ``max_lag : max_lead`` and capped by them.

    A fixed split, decided by the silence alone, makes each cue's reading window independent of
    how its neighbours are timed: grouping can judge a cue on its own, and an exception can be
    proven from the words alone. A silence shorter than the gap gives a negative lag: the cue
    before must leave that much before its last word ends.
    """
    usable = silence - timing.min_gap
    if usable < 0:
        return usable, 0
    reach = timing.max_lead + timing.max_lag
    lead = min(timing.max_lead, usable * timing.max_lead // reach) if reach else 0
    return min(timing.max_lag, usable - lead), lead


def reading_window(
    words: Sequence[SpokenWord], first: int, stop: int, timing: CueTiming, film_end: int
) -> tuple[int, int]:
    """The earliest start and latest end (ms) of a cue showing ``words[first:stop]``, given only its
    share of the silences around it (:func:`silence_shares`), the film's start and its end."""
    if first == 0:
        earliest = words[0].start - min(timing.max_lead, words[0].start)
    else:
        earliest = words[first].start - silence_shares(words[first].start - words[first - 1].end, timing)[1]
    last = words[stop - 1]
    if stop == len(words):
        latest = last.end + min(timing.max_lag, film_end - last.end)
    else:
        latest = last.end + silence_shares(words[stop].start - last.end, timing)[0]
    return earliest, latest


# -- building cues ------------------------------------------------------------------------------

# Grouping costs: rule-keeping first (an avoidable article split costs more than anything), then as
# few exceptions as possible, then the craft of where cues break.
CROWDED_CUE = 1e6
FAST_CUE = 1e4
PER_CUE = 3.0  # fewer, fuller cues: each new cue is a new thing to read
CUE_BREAK_SENTENCE = 0.0
CUE_BREAK_PAUSE = 0.5
CUE_BREAK_SEGMENT = 1.0
CUE_BREAK_CLAUSE = 2.0
CUE_BREAK_BEFORE_CONJUNCTION = 6.0
CUE_BREAK_PLAIN = 12.0
CUE_BREAK_DANGLING = 16.0
CUE_BREAK_TOGETHER = 24.0  # inside a name or a number and its unit, unless the speaker paused there
CUE_BREAK_SPEAKER = 0.0  # a new speaker is a new cue: as good a break as a sentence's end, even inside one
PAUSE_INSIDE_CUE = 6.0  # a pause is where a cue should end
SENTENCE_INSIDE_CUE = 1.0  # two short sentences may share a cue
# Two speakers share a cue (as a dialogue, see DIALOGUE_DASH) only where that saves more than a cue:
# an exchange too quick to read as cues of its own ("- Hello?" / "- Hello?").
SPEAKER_CHANGE_INSIDE_CUE = 4.0
STRADDLING_CUE = 60.0  # ... but not the end of one and the start of the next, unless rules force it


@dataclass(frozen=True)
class _Group:
    first: int
    stop: int
    plan: LinePlan
    characters: int
    dialogue: bool = False  # two speakers: one line each, each line starting with DIALOGUE_DASH


class _Builder:
    def __init__(
        self,
        words: list[SpokenWord],
        rules: SubtitleRules,
        timing: CueTiming,
        break_words: BreakWords,
        film_end: int,
        sentence_pause: int,
    ):
        self.words, self.rules, self.timing, self.film_end = words, rules, timing, film_end
        count = len(words)
        self.silence = [0] + [words[k].start - words[k - 1].end for k in range(1, count)]  # before word k
        self.speaker_change = speaker_changes(words)  # before word k
        self.line_cost = [0.0] + [self._line_break(k, break_words) for k in range(1, count)]  # before word k
        self.cue_cost = [0.0] + [self._cue_break(k, break_words) for k in range(1, count)] + [0.0]
        self.inside_cost = [0.0] + [
            PAUSE_INSIDE_CUE
            if self.silence[k] >= timing.pause
            else SENTENCE_INSIDE_CUE
            if text.ends_sentence(words[k - 1].text, break_words.language)
            else 0.0
            for k in range(1, count)
        ]
        for k in range(1, count):
            if self.speaker_change[k]:
                self.inside_cost[k] += SPEAKER_CHANGE_INSIDE_CUE
        # sentence_end[k]: a sentence ends after word k (punctuation, or a pause as long as the one
        # align cuts sentences at); the film's edges count as sentence edges
        self.sentence_end = [
            text.ends_sentence(words[k].text, break_words.language)
            or (k + 1 < count and self.silence[k + 1] >= sentence_pause)
            for k in range(count)
        ]

    def _straddles(self, first: int, stop: int, ends_inside: bool) -> bool:
        """The cue words[first:stop] holds the end of one sentence and the start of the next."""
        whole_start = first == 0 or self.sentence_end[first - 1]
        whole_end = stop == len(self.words) or self.sentence_end[stop - 1]
        return ends_inside and not (whole_start and whole_end)

    def _line_break(self, k: int, break_words: BreakWords) -> float:
        cost = line_break_cost(
            self.words[k - 1].text, self.words[k].text, break_words, self.rules.max_chars_per_line
        )
        return (
            min(cost, CLAUSE_BREAK) if self.silence[k] >= self.timing.pause and cost < ARTICLE_BREAK else cost
        )

    def _cue_break(self, k: int, break_words: BreakWords) -> float:
        left, right = self.words[k - 1], self.words[k]
        if self.speaker_change[k]:
            # even inside a name or after an article: the other speaker's words are a new cue,
            # or the second line of a dialogue cue
            return CUE_BREAK_SPEAKER
        if splits_article(left.text, right.text, break_words):
            return (
                FORCED_ARTICLE_BREAK
                if article_split_forced(left, right, self.rules, self.timing)
                else ARTICLE_BREAK
            )
        if (
            text.bare(left.text) in break_words.break_before
            or text.bare(right.text) in break_words.break_after
        ):
            cost = CUE_BREAK_DANGLING
        elif (
            text.bare(right.text) in break_words.break_before
            or text.bare(left.text) in break_words.break_after
        ):
            cost = CUE_BREAK_BEFORE_CONJUNCTION
        else:
            cost = CUE_BREAK_PLAIN
        if text.ends_sentence(left.text, break_words.language):
            cost = min(cost, CUE_BREAK_SENTENCE)
        if self.silence[k] >= self.timing.pause:
            cost = min(cost, CUE_BREAK_PAUSE)
        if left.ends_segment:
            cost = min(cost, CUE_BREAK_SEGMENT)
        if ends_clause(left.text):
            cost = min(cost, CUE_BREAK_CLAUSE)
        if (
            keeps_together(left.text, right.text, break_words.language)
            and self.silence[k] < self.timing.pause
        ):
            cost = max(cost, CUE_BREAK_TOGETHER)  # a segment's end is no reason to part "New / Jersey"
        return cost

    # -- grouping ---------------------------------------------------------------------------
    def groups(self) -> list[_Group]:
        """The cheapest split of the words into cues (dynamic programming over word boundaries)."""
        words, rules, timing = self.words, self.rules, self.timing
        count = len(words)
        longest_silence = timing.max_lead + timing.max_lag
        best: list[float] = [0.0] + [math.inf] * count
        chosen: list[_Group | None] = [None] * (count + 1)
        for first in range(count):
            if best[first] == math.inf:
                continue
            width, inside, silence, ends_inside = -1, 0.0, 0, False
            turn = None  # where the second speaker's words begin, in a dialogue cue
            for stop in range(first + 1, count + 1):
                last = stop - 1
                width += words[last].length + 1
                if stop - first > 1:
                    ends_inside = ends_inside or self.sentence_end[last - 1]
                    # One cue may not span a silence that no lead or lag could cover, nor speech
                    # longer than it may stay on screen; both only grow as words are added.
                    silence = max(silence, self.silence[last])
                    if (
                        silence > longest_silence
                        or words[last].end - words[first].start > timing.max_duration
                    ):
                        break
                    inside += self.inside_cost[last]
                    if self.speaker_change[last]:
                        if turn is not None:  # a third turn: three speakers, or one line each no more
                            break
                        turn = last
                if turn is None:
                    plan = plan_lines(
                        [w.length for w in words[first:stop]],
                        self.line_cost[first + 1 : stop],
                        rules.max_chars_per_line,
                        rules.max_lines,
                    )
                else:
                    plan = self._dialogue_plan(first, turn, stop)
                if plan is None:
                    break
                characters = width - (plan.line_count - 1)
                if turn is not None:
                    characters += 2 * visible_length(DIALOGUE_DASH)
                cost = best[first] + PER_CUE + inside + plan.cost + self.cue_cost[stop]
                cost += self._timing_cost(first, stop, characters)
                if self._straddles(first, stop, ends_inside):
                    cost += STRADDLING_CUE
                if cost < best[stop]:
                    best[stop] = cost
                    chosen[stop] = _Group(first, stop, plan, characters, dialogue=turn is not None)
        groups: list[_Group] = []
        stop = count
        while stop > 0:
            group = chosen[stop]
            assert group is not None
            groups.append(group)
            stop = group.first
        return groups[::-1]

    def _dialogue_plan(self, first: int, turn: int, stop: int) -> LinePlan | None:
        """Two speakers' words as a dialogue cue: ``words[first:turn]`` on the first line and
        ``words[turn:stop]`` on the second, each after a dash; None where a line would be too long
        (a dash line is never let run over, even for one long word: that word gets a cue of its own)."""
        if self.rules.max_lines < 2:
            return None
        dash = visible_length(DIALOGUE_DASH)
        for a, b in ((first, turn), (turn, stop)):
            if dash + sum(w.length for w in self.words[a:b]) + (b - a - 1) > self.rules.max_chars_per_line:
                return None
        return LinePlan(0.0, (turn - first,))

    def _timing_cost(self, first: int, stop: int, characters: int) -> float:
        earliest, latest = reading_window(self.words, first, stop, self.timing, self.film_end)
        available = min(self.timing.max_duration, latest - earliest)
        if latest - earliest < self.timing.frame:
            return CROWDED_CUE
        shortfall = self.timing.shortest_duration(characters) - available
        return FAST_CUE + shortfall / 100 if shortfall > 0 else 0.0

    # -- timing -----------------------------------------------------------------------------
    def cues(self, groups: list[_Group]) -> list[Cue]:
        timing, words = self.timing, self.words
        slots = [self._place(g) for g in groups]
        for index, slot in enumerate(slots):
            if slot.short_of_time:
                self._borrow(slots, index)
        self._chain(slots)
        # Crowded speech: a cue whose window is under one frame still shows for one frame, after
        # the previous cue and its gap; that may push the following cues later, until a silence
        # absorbs the delay.
        for index, slot in enumerate(slots):
            if index:
                slot.start = max(slot.start, slots[index - 1].end + timing.min_gap)
            slot.end = max(slot.end, slot.start + timing.frame)
        cues = []
        for group, slot in zip(groups, slots, strict=True):
            tokens = [w.text for w in words[group.first : group.stop]]
            lines = _lines(tokens, group.plan)
            if group.dialogue:
                lines = [DIALOGUE_DASH + line for line in lines]
            cues.append(Cue(slot.start / 1000, slot.end / 1000, lines))
        return cues

    def _place(self, group: _Group) -> _Slot:
        """Time one cue inside its own reading window: in at speech onset where the window allows,
        out when its speech ends or its reading time is up, whichever is later."""
        timing = self.timing
        first, last = self.words[group.first], self.words[group.stop - 1]
        earliest, latest = reading_window(self.words, group.first, group.stop, timing, self.film_end)
        need = timing.shortest_duration(group.characters)
        slot = _Slot(
            earliest, latest, need, first.start, last.end, group.stop - group.first == 1, short_of_time=False
        )
        if latest - earliest < timing.frame:  # crowded: fixed later
            slot.start, slot.end = earliest, earliest + timing.frame
            slot.short_of_time = True
            return slot
        if need <= min(timing.max_duration, latest - earliest):
            start = first.start if first.start + need <= latest else latest - need
            end = min(max(start + need, min(last.end, latest)), start + timing.max_duration, latest)
            slot.start, slot.end = start, end
        elif latest - earliest <= timing.max_duration:  # fast speech: all of its window
            slot.start, slot.end, slot.short_of_time = earliest, latest, True
        else:  # text too long to read within max_duration (long words): the max_duration that covers most speech
            start = max(earliest, min(first.start, latest - timing.max_duration))
            slot.start, slot.end, slot.short_of_time = start, start + timing.max_duration, True
        return slot

    def _borrow(self, slots: list[_Slot], index: int) -> None:
        """A cue short of reading time takes what its neighbours can spare: time they do not need
        for their own reading time, within its own lead and lag limits."""
        timing, slot = self.timing, slots[index]
        left_limit = max(0, slot.speech_start - timing.max_lead)
        if index:
            previous = slots[index - 1]
            self._move_earlier(slots, index - 1)
            left_limit = max(left_limit, previous.earliest_end(timing) + timing.min_gap)
        right_limit = min(slot.speech_end + timing.max_lag, self.film_end)
        if index + 1 < len(slots):
            following = slots[index + 1]
            right_limit = min(right_limit, following.latest_start() - timing.min_gap)
        target = min(slot.need, timing.max_duration)
        extra = target - (slot.end - slot.start)
        if extra <= 0:
            return
        new_end = max(slot.end, min(right_limit, slot.end + extra, slot.start + timing.max_duration))
        extra -= new_end - slot.end
        new_start = min(slot.start, max(left_limit, slot.start - extra, new_end - timing.max_duration))
        slot.start, slot.end = new_start, new_end
        if index:
            slots[index - 1].end = min(slots[index - 1].end, slot.start - timing.min_gap)
        if index + 1 < len(slots):
            slots[index + 1].start = max(slots[index + 1].start, slot.end + timing.min_gap)

    def _move_earlier(self, slots: list[_Slot], index: int) -> None:
        """Start a cue as early as its own rules allow (max_lead before its speech, after the cue
        before it and the gap), so that the cue after it may borrow the time it no longer needs.
        A cue placed late in its window (timed back from the end of its share of a silence) would
        otherwise hold time its neighbour is short of."""
        timing, slot = self.timing, slots[index]
        if slot.short_of_time:
            return
        lowest = max(0, slot.speech_start - timing.max_lead, slot.end - timing.max_duration)
        if index:
            lowest = max(lowest, slots[index - 1].end + timing.min_gap)
        if lowest < slot.start:
            slot.start = lowest

    def _chain(self, slots: list[_Slot]) -> None:
        """Close gaps shorter than ``chain_frames`` to the minimum gap: a cue that vanishes for a
        moment and a new one that appears makes the screen flicker (Netflix: 'chaining')."""
        timing = self.timing
        for slot, following in itertools.pairwise(slots):
            gap = following.start - slot.end
            if timing.min_gap < gap < timing.chain:
                latest = min(
                    following.start - timing.min_gap,
                    slot.speech_end + timing.max_lag,
                    slot.start + timing.max_duration,
                    self.film_end,
                )
                slot.end = max(slot.end, latest)


@dataclass
class _Slot:
    """A cue's time while it is being placed (ms)."""

    start: int
    end: int
    need: int  # reading time: min duration and reading speed
    speech_start: int
    speech_end: int
    single_word: bool
    short_of_time: bool  # needs more than its own reading window (fast or crowded speech)

    def earliest_end(self, timing: CueTiming) -> int:
        """How early this cue could leave and still keep its own rules."""
        if self.short_of_time:
            return self.end
        # out-time: not before its last word ends, less the gap (a word held longer than max_duration
        # is let go at max_duration: see _place)
        spoken_until = (
            min(self.speech_end, self.start + timing.max_duration) if self.single_word else self.speech_end
        )
        out_time = spoken_until - timing.min_gap
        return max(self.start + self.need, out_time, self.start + timing.frame)

    def latest_start(self) -> int:
        """How late this cue could appear and still keep its own rules."""
        if self.short_of_time:
            return self.start
        return min(self.speech_start, self.end - self.need)


def build_cues(transcript: Transcript, rules: SubtitleRules, fps: float) -> list[Cue]:
    """Cues for a transcript, from its word timings (estimated from segment times where it has
    none, as for a translation), to ``rules`` at the film's frame rate ``fps``."""
    timing = rules.timing(fps)
    words = spoken_words(transcript)
    if not words:
        return []
    builder = _Builder(
        words,
        rules,
        timing,
        break_words_for(transcript.language),
        film_end_ms(transcript, words),
        sentence_pause_ms(transcript),
    )
    return builder.cues(builder.groups())
