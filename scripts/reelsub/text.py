"""Text as a subtitler reads it: one table of punctuation, quotes, abbreviations and scripts.

Every stage that asks "does a sentence end here?", "how long is this line?" or "is this track in the
script its audience reads?" asks this module: asr when it cuts Whisper's output into sentences,
the cue builder and QC when they break and check lines, translation when it joins segments into
sentences for the model. A second copy of any of these tables is how the Arabic-script full stop
went missing from the ASR's sentence splitter while translation knew it: Hindi that Whisper wrote
in Urdu script was never cut into sentences, and its cues straddled them.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import regex

GRAPHEME = regex.compile(r"\X")


def visible_length(text: str) -> int:
    """Characters as a viewer sees them: extended grapheme clusters, not code points.

    "नमस्ते" is 6 code points but 3 clusters (न, म, स्ते): a virama joins consonants into one
    conjunct and a vowel sign belongs to its consonant.
    """
    return len(GRAPHEME.findall(text))


# -- punctuation, by script ------------------------------------------------------------------

# Marks that end a sentence, per script family. Latin marks serve every script that borrows them
# (Hindi written in Devanagari often ends questions with "?").
SENTENCE_END_MARKS: dict[str, str] = {
    "Latin and shared": ".?!…",
    "Devanagari (danda, double danda; also Bengali, Gurmukhi, Odia, Assamese)": "।॥",
    "Arabic script (question mark, Urdu full stop; Urdu, Kashmiri, Sindhi)": "؟۔",
    "Ol Chiki (mucaad, double mucaad; Santali)": "᱾᱿",
    "Meetei Mayek (cheikhei; Manipuri)": "꯫",
    "CJK (ideographic full stop, fullwidth marks)": "。？！",
    "Myanmar, Ethiopic, Tibetan": "။።།",
}
SENTENCE_ENDS = frozenset("".join(SENTENCE_END_MARKS.values()))

# Marks after which a clause ends: a good place for a line or cue break inside a sentence.
CLAUSE_END_MARKS: dict[str, str] = {
    "Latin and shared": ",;:—–",
    "Arabic script (comma, semicolon)": "،؛",
    "CJK (ideographic comma, fullwidth comma, semicolon, colon)": "、，；：",
}
CLAUSE_ENDS = frozenset("".join(CLAUSE_END_MARKS.values()))

# Quotes and brackets that may stand before a word or after a sentence's end: «"Stop!"» ends one.
OPENING = "\"'“‘«‹„‚¿¡([{"
CLOSING = "\"'”’»›)]}"

# Words that end in a full stop without ending a sentence (lower case), per language. English ones
# apply to every language (Hindi dialogue says "Mr. Sharma" too), and so do initials and dotted
# abbreviations ("e.g."). "no." is left out on purpose: "I said no." ends a sentence far more often.
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(
        """mr. mrs. ms. mx. dr. st. jr. sr. prof. rev. fr. gen. col. capt. lt. sgt. gov. sen. rep. mt. ft.
        vs. etc. approx. dept. inc. ltd. corp. vol. fig. al. cf. jan. feb. mar. apr. jun.
        jul. aug. sep. sept. oct. nov. dec.""".split()
    ),
    "hi": frozenset({"डॉ.", "श्री.", "श्रीमती.", "कु.", "प्रो.", "सु.", "स्व."}),
    "mr": frozenset({"डॉ.", "श्री.", "सौ.", "कु.", "प्रा."}),
    "bn": frozenset({"ডঃ", "ডা.", "শ্রী.", "মো."}),
    "fr": frozenset({"m.", "mme.", "mlle.", "dr.", "st.", "ste.", "etc.", "p.", "av."}),
    "de": frozenset({"dr.", "hr.", "fr.", "prof.", "bzw.", "usw.", "ca.", "nr.", "str.", "st."}),
    "es": frozenset({"sr.", "sra.", "srta.", "dr.", "dra.", "ud.", "uds.", "etc."}),
}
# "e.g.", "i.e.", "U.S.", "a.m.": letters each followed by a full stop.
_DOTTED = re.compile(r"^(?:\w\.){2,}$")
# An initial, "J." in "J. R. R. Tolkien": one capital letter and a full stop.
_INITIAL = re.compile(r"^[A-Z]\.$")


def base_language(language: str | None) -> str:
    """``hi`` from ``hi``, ``hi-IN`` or ``hi_Deva``; empty for None."""
    return (language or "").split("-")[0].split("_")[0].lower()


def strip_closing(token: str) -> str:
    return token.rstrip(CLOSING)


def bare(token: str) -> str:
    """The word itself, without quotes or punctuation around it, case-folded."""
    return token.strip(OPENING + CLOSING + "".join(SENTENCE_ENDS | CLAUSE_ENDS) + "-").casefold()


def is_abbreviation(token: str, language: str | None = None) -> bool:
    """A token that ends in a full stop which is not a sentence's end ("Mr.", "e.g.", "J.")."""
    word = strip_closing(token).lstrip(OPENING)
    if not word.endswith("."):
        return False
    if _DOTTED.match(word) or _INITIAL.match(word):
        return True
    folded = word.casefold()
    return folded in ABBREVIATIONS["en"] or folded in ABBREVIATIONS.get(base_language(language), frozenset())


def ends_sentence(token: str, language: str | None = None) -> bool:
    """Whether a sentence ends with this token (its last mark, quotes after it allowed)."""
    tail = strip_closing(token.rstrip())
    if not tail or tail[-1] not in SENTENCE_ENDS:
        return False
    return not (tail.endswith(".") and not tail.endswith("..") and is_abbreviation(tail, language))


def ends_with_sentence(line: str, language: str | None = None) -> bool:
    """Whether a line of text (a segment) ends a sentence: its last token does."""
    tokens = line.split()
    return bool(tokens) and ends_sentence(tokens[-1], language)


def ends_clause(token: str) -> bool:
    tail = strip_closing(token.rstrip())
    return bool(tail) and (tail[-1] in CLAUSE_ENDS or tail.endswith("--"))


# -- scripts ------------------------------------------------------------------------------------

# ISO 15924 codes (as IndicTrans2's FLORES codes and reelsub.languages use them) -> the Unicode
# script names the `regex` module knows.
UNICODE_SCRIPTS: dict[str, str] = {
    "Latn": "Latin",
    "Deva": "Devanagari",
    "Arab": "Arabic",
    "Beng": "Bengali",
    "Gujr": "Gujarati",
    "Guru": "Gurmukhi",
    "Knda": "Kannada",
    "Mlym": "Malayalam",
    "Orya": "Oriya",
    "Taml": "Tamil",
    "Telu": "Telugu",
    "Olck": "Ol_Chiki",
    "Mtei": "Meetei_Mayek",
    "Cyrl": "Cyrillic",
    "Grek": "Greek",
    "Hebr": "Hebrew",
    "Thai": "Thai",
    "Hani": "Han",
    "Hira": "Hiragana",
    "Kana": "Katakana",
    "Hang": "Hangul",
    "Sinh": "Sinhala",
    "Tibt": "Tibetan",
}
_SCRIPT_PATTERNS = {code: regex.compile(rf"\p{{Script={name}}}") for code, name in UNICODE_SCRIPTS.items()}
OTHER_SCRIPT = "other"


def letter_script(char: str) -> str:
    """The ISO 15924 code of a letter's script, or ``other``."""
    for code, pattern in _SCRIPT_PATTERNS.items():
        if pattern.match(char):
            return code
    return OTHER_SCRIPT


def letter_scripts(text: str) -> Counter[str]:
    """How many letters of each script ``text`` holds (vowel signs, digits and marks not counted:
    a script is told by its letters)."""
    counts: Counter[str] = Counter()
    for char in text:
        if unicodedata.category(char).startswith("L"):
            counts[letter_script(char)] += 1
    return counts


def share_in_scripts(counts: Counter[str], scripts: Iterable[str]) -> float:
    """The share of letters written in one of ``scripts`` (1.0 for text without letters)."""
    total = sum(counts.values())
    if not total:
        return 1.0
    return sum(counts[code] for code in set(scripts)) / total


def script_names(scripts: Iterable[str]) -> str:
    return " or ".join(UNICODE_SCRIPTS.get(code, code).replace("_", " ") for code in scripts)


# -- words that steer line and cue breaks, per language -----------------------------------------


@dataclass(frozen=True)
class BreakWords:
    """Words of one language that decide where a line or cue may break (lower case)."""

    language: str = ""
    articles: frozenset[str] = frozenset()  # never end a line with one: its noun must follow it
    break_before: frozenset[str] = frozenset()  # conjunctions, prepositions: good words to start a line
    break_after: frozenset[str] = frozenset()  # postpositions (Hindi में, का): good words to end a line


_ENGLISH_CONJUNCTIONS = """and but or nor yet so because although though while whereas if unless until since
when whenever where wherever whether which who whom whose that than as once after before"""
_ENGLISH_PREPOSITIONS = """about above across against along among around at behind below beneath beside besides
between beyond by despite down during except for from in inside into like near of off on onto out outside over
past through throughout till to toward towards under underneath up upon via with within without"""

# Add a language here to give it grammar-aware breaks; others still break at punctuation and pauses.
BREAK_WORDS: dict[str, BreakWords] = {
    "en": BreakWords(
        "en",
        articles=frozenset({"a", "an", "the"}),
        break_before=frozenset((_ENGLISH_CONJUNCTIONS + " " + _ENGLISH_PREPOSITIONS).split()),
    ),
    # Hindi has postpositions, not prepositions: a line ends well after one and should not start with one.
    "hi": BreakWords(
        "hi",
        break_before=frozenset({"और", "लेकिन", "मगर", "किन्तु", "परन्तु", "या", "कि", "क्योंकि", "अगर", "जब", "तो"}),
        break_after=frozenset({"का", "की", "के", "को", "में", "से", "ने", "तक", "पर"}),
    ),
}


def break_words_for(language: str | None) -> BreakWords:
    base = base_language(language)
    return BREAK_WORDS.get(base, BreakWords(base))


def is_article(token: str, words: BreakWords) -> bool:
    """A bare article. "the," or "the..." is not one: there the speaker stopped, no noun follows."""
    return token.lstrip(OPENING).casefold() in words.articles


def splits_article(left: str, right: str, words: BreakWords) -> bool:
    """A break between ``left`` and ``right`` separates an article from the word it introduces."""
    return is_article(left, words) and not is_article(right, words)


# Units a number is read with: "5 km", "10 %", "3 p.m.", "20 रुपये".
UNITS = frozenset(
    """% ° °c °f km m cm mm kg g mg lb lbs oz ft in mph kph km/h kmh h hr hrs min mins s sec secs ms
    am a.m. pm p.m. percent per cent degrees dollars euros pounds rupees rs rs. inr usd eur gb mb kb tb
    kw w v hz khz mhz ghz l ml रुपये रुपए रुपया किलो किमी मीटर प्रतिशत बजे साल""".split()
)
_NUMBER = re.compile(r"^[$€£₹]?\d[\d,.:/]*(?:st|nd|rd|th)?$")


def keeps_together(left: str, right: str, language: str | None = None) -> bool:
    """Two words a reader takes as one: a number and its unit ("5 km", "$ 20"), a title and the
    name it introduces ("Mr. Sharma"), or a run of capitalised words ("New Jersey"). A break
    between them is a last resort."""
    if ends_clause(left) or ends_sentence(left, language):
        return is_abbreviation(left, language) and right[:1].isupper()
    if _NUMBER.match(left.lstrip(OPENING)) and (
        bare(right) in UNITS or right.strip(CLOSING + ",;:").casefold() in UNITS
    ):
        return True
    if left.strip(OPENING) in {"$", "€", "£", "₹"} and _NUMBER.match(right):
        return True
    return _capitalised(left) and _capitalised(right)


def _capitalised(token: str) -> bool:
    word = token.strip(OPENING + CLOSING)
    return len(word) > 1 and word[0].isupper() and not word.isupper() and word[0].isalpha()
