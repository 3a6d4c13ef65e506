"""Getting the script a language's audience reads (config ``asr.script``).

Small multilingual Whisper models write Hindi in Perso-Arabic (Urdu) script: Hindi and Urdu are one
spoken language, and the models learnt both spellings. Methods:

- ``transliterate`` (default): a sentence in a language written in Devanagari that Whisper wrote in
  Arabic letters is rewritten in Devanagari (reelsub.urdu_devanagari): the words Whisper heard, in
  the audience's script. Larger models, which write Hindi in Devanagari far more often, are left
  as they are: only Arabic letters in a Devanagari-script language are rewritten.
- ``as_written``: what Whisper writes; QC still counts the letters outside the language's script.

Measured on the Kokoro Hindi test film with Whisper base (docs/hindi-measurements.md): as written,
0% Devanagari; transliterated, 100% Devanagari, Devanagari CER 0.18, 10 of 12 sentences readable.
Decoding-time constraints were measured and rejected: suppressing the tokens that write Arabic
letters made base write an English translation (0 of 12 sentences), suppressing every token outside
Devanagari left a row of dandas, and a Devanagari prompt gave 36-86% Devanagari, run to run.
"""

from __future__ import annotations

from dataclasses import replace

from reelsub import text
from reelsub.contracts.transcript import Segment
from reelsub.languages import expected_scripts
from reelsub.urdu_devanagari import urdu_to_devanagari

METHODS = ("transliterate", "as_written")


def check_method(method: str) -> str:
    if method not in METHODS:
        raise ValueError(f"asr.script={method!r}: expected one of {', '.join(METHODS)}")
    return method


def rewrites(segment_language: str | None) -> bool:
    """Whether a sentence in this language is rewritten when Whisper wrote it in Arabic letters."""
    scripts = expected_scripts(segment_language)
    return "Deva" in scripts and "Arab" not in scripts


def apply(method: str, segments: list[Segment], film_language: str | None) -> tuple[list[Segment], int]:
    """The segments in their language's script, and how many were rewritten."""
    if check_method(method) == "as_written":
        return segments, 0
    out, rewritten = [], 0
    for segment in segments:
        language = segment.language or film_language
        if rewrites(language) and text.letter_scripts(segment.text).get("Arab"):
            segment = replace(
                segment,
                text=urdu_to_devanagari(segment.text),
                words=[replace(w, word=urdu_to_devanagari(w.word)) for w in segment.words],
            )
            rewritten += 1
        out.append(segment)
    return out, rewritten
