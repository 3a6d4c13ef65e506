"""Known words for the benchmark: the narration espeak-ng speaks, and how transcripts are scored.

Every arm (reelsub, raw batched, raw sequential, any layout) is scored by :func:`wer`, which
normalises both sides the same way (tests/test_wer_normaliser.py):
  - case and punctuation dropped, hyphens and slashes split, titles spelled out ("Mr." -> mister);
  - digits as English speech says them (batched faster-whisper writes "1961", "$360", "6:30",
    "42nd"): years in pairs, else cardinal; ordinals kept ordinal;
  - British spelling as American (Whisper writes "harbor", "meters"; references are often
    British): :data:`BRITISH_TO_AMERICAN`, with its inflections ("neighbours", "centred");
  - compounds: two words that one side writes together and the other apart ("on board" /
    "onboard", "silver fish" / "silverfish") are joined on the side that parts them.
What is left is a word the recogniser got wrong.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Sequence

NARRATION = (
    "The river was quiet in the early morning, and the boats waited by the old stone bridge.",
    "Our team measured every stage of the workflow on a small machine with two cores.",
    "She opened the window and listened to the rain falling on the garden.",
    "The train to the coast leaves at seven in the evening from platform four.",
    "Good subtitles are short, easy to read, and appear when the words are spoken.",
    "In nineteen sixty one the city built a new library near the central market.",
    "He packed a warm coat, two books, and a small camera for the journey north.",
    "The children played football in the park until the sun went down.",
    "Please remember to save your work before you close the computer.",
    "The museum shows paintings, maps, and letters from the last three hundred years.",
    "A gentle wind moved across the fields of wheat and tall green grass.",
    "The doctor said that a long walk every day is good for the heart.",
    "We drove through the mountains and stopped at a village for lunch.",
    "The film festival opens next week with a story about a family of farmers.",
    "Fresh bread from the bakery on the corner smells wonderful every morning.",
    "The teacher asked the students to write a short story about the sea.",
    "Our neighbours keep bees, and every summer they give us a jar of honey.",
    "The bridge was closed for repairs, so we took the ferry across the bay.",
    "Music filled the hall as the orchestra began to play the final piece.",
    "The weather report promised sunshine, but the afternoon turned cold and grey.",
    "Twenty five people joined the meeting to talk about the new school building.",
    "The cat slept on the warm roof while the birds sang in the trees.",
    "A good map and a full bottle of water are all you need for this trail.",
    "The market sells apples, onions, rice, and spices from many countries.",
    "After the storm, the workers cleared the roads and repaired the power lines.",
    "The old clock in the tower still rings every hour of the day.",
    "My grandmother taught me how to cook soup with carrots and potatoes.",
    "The lights of the harbour were shining when the ship finally arrived.",
    "Scientists study the ocean to learn how the climate is changing.",
    "The shop opens at nine and closes at six from Monday to Saturday.",
    "He wrote a long letter to his brother who lives in another country.",
    "The garden has roses, tomatoes, and a small pond with goldfish.",
    "Reading before bed helps many people relax after a busy day.",
    "The pilot welcomed the passengers and told them the flight would be smooth.",
    "Every spring the farmers plant seeds and hope for enough rain.",
    "The library lends books, films, and music to everyone in the town.",
    "A small boat carried the visitors to the island across the lake.",
    "The engineers tested the new bridge with heavy trucks before it opened.",
    "We watched the stars from the hill and counted the ones that fell.",
    "The coffee was hot, the room was bright, and the work went well.",
    "Her sister plays the piano in a band that travels around the world.",
    "The road follows the river for forty miles before it reaches the sea.",
    "Volunteers planted one hundred trees along the edge of the new park.",
    "The baker wakes up at four in the morning to prepare the bread.",
    "A loud noise in the kitchen woke the dog, who started to bark.",
    "The students cheered when the teacher announced a trip to the zoo.",
    "The snow covered the roofs, the cars, and the quiet streets of the town.",
    "Thank you for watching, and we hope you enjoyed this short film.",
)

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


_TITLES = {"mr": "mister", "mrs": "missus", "dr": "doctor"}


def number_words(n: int) -> list[str]:
    """Cardinal English words for 0 <= n < 10**9 ("three hundred sixty", no "and")."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    for size, name in ((10**6, "million"), (1000, "thousand"), (100, "hundred")):
        if n >= size:
            head, rest = divmod(n, size)
            return number_words(head) + [name] + (number_words(rest) if rest else [])
    raise AssertionError(n)


def spoken_number(token: str) -> list[str]:
    """Words for a digit token the way English speech says it: years in pairs, else cardinal."""
    n = int(token)
    if len(token) == 4 and 1100 <= n <= 1999 or 2010 <= n <= 2099:
        head, tail = divmod(n, 100)
        return number_words(head) + (
            number_words(tail) if tail >= 10 else (["hundred"] if tail == 0 else ["oh"] + number_words(tail))
        )
    return number_words(n)


# British spellings and their American forms (the base words; :func:`_inflected` adds the
# inflections: "neighbours", "favourite", "metres", "centred", "organising", "realisation").
_OUR = "arm behavi col endeav fav flav harb hon hum lab neighb od parl rum sav splend tum vap vig glam cand"
_RE = "cent met lit theat fib calib somb spect lust sab meag"
_ISE = (
    "real organ recogn apolog critic emphas final minim maxim memor modern normal optim priorit "
    "special standard summar symbol sympath util civil colon author character harmon legal mobil "
    "neutral popular stabil"
)
_LL = "travel cancel label model fuel level signal".split()  # British "travelled", "travelling"
_WORDS = {
    "grey": "gray",
    "catalogue": "catalog",
    "dialogue": "dialog",
    "analogue": "analog",
    "programme": "program",
    "tyre": "tire",
    "kerb": "curb",
    "cheque": "check",
    "plough": "plow",
    "mould": "mold",
    "aluminium": "aluminum",
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "pretence": "pretense",
    "jewellery": "jewelry",
    "pyjamas": "pajamas",
    "moustache": "mustache",
    "sceptical": "skeptical",
    "aeroplane": "airplane",
    "manoeuvre": "maneuver",
    "storey": "story",
    "marvellous": "marvelous",
    "woollen": "woolen",
    "analyse": "analyze",
    "paralyse": "paralyze",
    "traveller": "traveler",
    **{f"{verb}l{ending}": f"{verb}{ending}" for verb in _LL for ending in ("ed", "ing")},
}


def _inflected() -> dict[str, str]:
    table: dict[str, str] = {}
    for stem in _OUR.split():
        for ending in ("", "s", "ed", "ing", "ful", "hood", "hoods", "able", "ite", "ites", "er", "ers"):
            table[f"{stem}our{ending}"] = f"{stem}or{ending}"
    for stem in _RE.split():
        table.update({f"{stem}re": f"{stem}er", f"{stem}res": f"{stem}ers", f"{stem}red": f"{stem}ered"})
    for stem in _ISE.split():
        for ending in ("e", "es", "ed", "ing", "ation", "ations", "er", "ers"):
            table[f"{stem}is{ending}"] = f"{stem}iz{ending}"
    for british, us in _WORDS.items():
        table[british] = us
        if british[-1] not in "sd":  # a plural: "tyres", "travellers" (not "travelleds")
            table.setdefault(british + "s", us + "s")
    return table


BRITISH_TO_AMERICAN = _inflected()


def american(word: str) -> str:
    """``word`` in American spelling where it is a British spelling (or one's inflection)."""
    return BRITISH_TO_AMERICAN.get(word, word)


def joined_compounds(words: Sequence[str], other: Sequence[str]) -> list[str]:
    """``words`` with each pair joined that ``other`` writes as one word and never apart
    ("on board" where the other side has "onboard")."""
    written = set(other)
    pairs = set(zip(other, other[1:], strict=False))
    joined: list[str] = []
    index = 0
    while index < len(words):
        pair = tuple(words[index : index + 2])
        if len(pair) == 2 and pair[0] + pair[1] in written and pair not in pairs:
            joined.append(pair[0] + pair[1])
            index += 2
        else:
            joined.append(words[index])
            index += 1
    return joined


def normalise(text: str) -> list[str]:
    """Lower-case words without punctuation, digits spelled out, hyphens split."""
    text = text.lower().replace("%", " percent ").replace("&", " and ")
    # Whisper writes titles abbreviated; references (LibriVox) spell them out
    text = re.sub(r"\b(mr|mrs|dr)\.?(?=\s)", lambda m: _TITLES[m.group(1)], text)
    text = re.sub(r"\$(\d[\d,]*)", r"\1 dollars", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,000 -> 1000
    text = re.sub(r"(\d+)(st|nd|rd|th)\b", r"\1 ordinal", text)
    text = re.sub(r"(\d):(\d\d)", lambda m: f"{m.group(1)} {'' if m.group(2) == '00' else m.group(2)}", text)
    text = re.sub(r"[-–—/]", " ", text)
    text = re.sub(r"[^a-z0-9' ]+", " ", text).replace("'", "")
    words: list[str] = []
    for token in text.split():
        if token == "ordinal" and words:
            last = words[-1]
            words[-1] = _ORDINAL.get(last, last.rstrip("y") + ("ieth" if last.endswith("y") else "th"))
        elif token.isdigit():
            words += spoken_number(token) if len(token) < 10 else list(token)
        else:
            words.append(american(token))
    return words


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Word-level Levenshtein distance (substitutions, deletions, insertions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp_word in enumerate(hypothesis, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word))
        previous = current
    return previous[-1]


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance over characters, spaces left out, per reference character (scripts
    without reliable word boundaries in Whisper's output: the Hindi film)."""
    reference, hypothesis = reference.replace(" ", ""), hypothesis.replace(" ", "")
    return edit_distance(list(reference), list(hypothesis)) / max(len(reference), 1)


def wer(reference: str, hypothesis: str) -> tuple[float, int, int]:
    """(word error rate, errors, reference words) after normalising both sides."""
    ref, hyp = normalise(reference), normalise(hypothesis)
    ref, hyp = joined_compounds(ref, hyp), joined_compounds(hyp, ref)
    errors = edit_distance(ref, hyp)
    return errors / max(len(ref), 1), errors, len(ref)


def timing_errors(
    truth: Sequence[tuple[float, float, bool]], words: Sequence[tuple[float, float]]
) -> tuple[list[float], int]:
    """|first word start - sentence start| per spoken sentence, and how many sentences got no word.

    ``truth`` is (start, end, scored) of every spoken part in time order (unscored parts, such as
    a recording whose words are not timed, still bound their neighbours); ``words`` is (start,
    end) of every transcript word. A sentence's first word is the earliest word that starts between the middle
    of the pause before the sentence and the sentence's end. (Whisper stretches a sentence's last
    word into the pause after it, so "the first word that ends after the start" would often be
    the previous sentence's last word.)
    """
    starts = sorted(w[0] for w in words)
    errors, missed = [], 0
    previous_end = None
    for start, end, scored in truth:
        lower = start - 1.0 if previous_end is None else (previous_end + start) / 2
        inside = [w for w in starts if lower <= w < end]
        if not scored:
            pass
        elif inside:
            errors.append(abs(inside[0] - start))
        else:
            missed += 1
        previous_end = end
    return errors, missed


def percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")
