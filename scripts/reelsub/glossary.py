"""A film's glossary: names and places that must come out as given, in recognition and in translation.

The film sheet's ``glossary`` column lists terms separated by ``;``. A term is one name, or the same
name in several scripts separated by ``|``: ``Jai|जय;Veeru|वीरू;Basanti;Ramgarh|रामगढ़``.

- Recognition: every spelling goes into Whisper's prompt (:func:`prompt_words`), so the decoder knows
  the name in the film's own script as well as in the audience's.
- Translation: IndicTrans2 is free to translate or respell a name ("Jai" as "victory"). Before a
  sentence reaches the model, each spelling of a term found in it is replaced by a marker
  (``@RSG1``) that IndicTransToolkit's own placeholder rule (``[#|@]\\w+``) swaps for ``<ID1>``,
  the token IndicTrans2 was trained to copy; after the model, the toolkit puts the marker back and
  :meth:`ProtectedSentence.restore` writes the term in the target's script, or as given where the
  glossary has no spelling in that script. A marker the model dropped is reported, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from reelsub.text import letter_scripts

TERM_SEPARATOR = "|"  # spellings of one term; terms themselves are separated by ";" in the sheet
MARKER = "@RSG{}"
_MARKER_PATTERN = regex.compile(r"@RSG(\d+)")


@dataclass(frozen=True)
class GlossaryTerm:
    """One name, in one or more spellings (each in its own script)."""

    spellings: tuple[str, ...]

    @classmethod
    def parse(cls, entry: str) -> GlossaryTerm:
        spellings = tuple(s.strip() for s in entry.split(TERM_SEPARATOR) if s.strip())
        if not spellings:
            raise ValueError(f"glossary term {entry!r} has no spelling")
        return cls(spellings)

    def spelling_in(self, scripts: Sequence[str]) -> str:
        """The spelling written in one of ``scripts`` (ISO 15924), else the first one given."""
        for spelling in self.spellings:
            counts = letter_scripts(spelling)
            if counts and counts.most_common(1)[0][0] in scripts:
                return spelling
        return self.spellings[0]


def parse_glossary(entries: Iterable[str]) -> list[GlossaryTerm]:
    return [GlossaryTerm.parse(entry) for entry in entries if entry.strip()]


def prompt_words(entries: Iterable[str]) -> list[str]:
    """Every spelling of every term, in order, once: what Whisper's prompt is given."""
    words: list[str] = []
    for term in parse_glossary(entries):
        words.extend(s for s in term.spellings if s not in words)
    return words


@dataclass(frozen=True)
class ProtectedSentence:
    """A sentence with its glossary terms swapped for markers, and which term each marker stands for."""

    text: str
    terms: tuple[GlossaryTerm, ...]  # marker n (1-based) stands for terms[n - 1]

    def restore(self, translated: str, scripts: Sequence[str]) -> tuple[str, list[GlossaryTerm]]:
        """The translation with each marker written as its term in ``scripts``, and the terms
        whose marker the model dropped."""
        seen: set[int] = set()

        def spell(match: regex.Match[str]) -> str:
            number = int(match.group(1))
            if not 1 <= number <= len(self.terms):
                whole: str = match.group(0)  # not ours: leave it for a person to see
                return whole
            seen.add(number)
            return self.terms[number - 1].spelling_in(scripts)

        restored = _MARKER_PATTERN.sub(spell, translated)
        lost = [term for n, term in enumerate(self.terms, 1) if n not in seen]
        return restored, lost


def protect(sentence: str, terms: Sequence[GlossaryTerm]) -> ProtectedSentence:
    """``sentence`` with each whole-word occurrence of a term's spelling replaced by its marker,
    numbered in the order the terms first appear.

    Longer spellings are matched first, so "Ramgarh Fort" in a glossary wins over "Ramgarh".
    Whole words by Unicode's rules (the ``regex`` module counts Devanagari vowel signs as part of a
    word), so "Jai" never matches inside "Jaipur".
    """
    by_length = sorted(
        ((spelling, term) for term in terms for spelling in term.spellings), key=lambda pair: -len(pair[0])
    )
    taken = [False] * len(sentence)
    found: list[tuple[int, int, GlossaryTerm]] = []
    for spelling, term in by_length:
        for match in regex.finditer(rf"(?<!\w){regex.escape(spelling)}(?!\w)", sentence):
            if not any(taken[match.start() : match.end()]):
                taken[match.start() : match.end()] = [True] * (match.end() - match.start())
                found.append((match.start(), match.end(), term))
    used: list[GlossaryTerm] = []
    pieces, position = [], 0
    for start, end, term in sorted(found, key=lambda span: span[0]):
        if term not in used:
            used.append(term)
        pieces += [sentence[position:start], MARKER.format(used.index(term) + 1)]
        position = end
    return ProtectedSentence("".join([*pieces, sentence[position:]]), tuple(used))
