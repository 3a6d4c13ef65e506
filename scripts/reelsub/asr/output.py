"""What every ASR engine hands on: its words as contract segments, cut into sentences, and the
transcript with provenance. Both engines (faster-whisper, mlx-whisper) go through here."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from reelsub import text
from reelsub.asr.settings import AsrSettings
from reelsub.contracts.transcript import Provenance, Segment, SpeechRegion, Transcript, Word, package_versions

# A longer gap between two words' times ends a sentence even without punctuation. Whisper's word
# times often run on through pauses, so this only catches the obvious; reelsub.pauses then cuts
# at the pauses VAD heard.
WORD_GAP_SENTENCE_S = 1.0
# Whisper writes these languages without spaces between words: each of its words is a word.
LANGUAGES_WITHOUT_SPACES = frozenset({"zh", "ja", "th", "lo", "my", "yue", "bo"})


def collect_segments(
    segments: Iterable[Any], offset: float = 0.0, language: str | None = None
) -> Iterable[Segment]:
    """Engine segments as contract segments, ``offset`` seconds later; empty text is dropped.

    Words keep whole: engines return "cold-hearted" as " cold" and "-hearted", and a word that
    does not start with a space continues the one before it (outside languages written without
    spaces). Segments with word times are cut into sentences (at sentence punctuation, not after
    an abbreviation, or a long gap): batched decoding without timestamp tokens returns one segment
    per 30 s window, and translation and subtitles work sentence by sentence.
    """
    for raw in segments:
        if not raw.text.strip():
            continue
        words = whole_words(raw.words or [], offset, language)
        if not words:
            yield Segment(
                round(offset + float(raw.start), 3), round(offset + float(raw.end), 3), raw.text.strip()
            )
            continue
        for sentence in split_sentences(words, language):
            yield Segment(
                start=sentence[0].start,
                end=sentence[-1].end,
                text=join_words(sentence, language),
                words=sentence,
            )


def whole_words(raw_words: Sequence[Any], offset: float, language: str | None) -> list[Word]:
    """Engine words (text with its leading space, start, end, probability) as contract words,
    pieces of one word joined."""
    glue = text.base_language(language) not in LANGUAGES_WITHOUT_SPACES
    words: list[Word] = []
    for raw in raw_words:
        if not raw.word.strip():
            continue
        word = Word(
            start=round(offset + float(raw.start), 3),
            end=round(offset + float(raw.end), 3),
            word=raw.word.strip(),
            probability=round(float(raw.probability), 4),
        )
        if glue and words and not raw.word[:1].isspace():
            previous = words[-1]
            previous.word += word.word
            previous.end = max(previous.end, word.end)
            previous.probability = min(previous.probability or 1.0, word.probability or 1.0)
        else:
            words.append(word)
    return words


def join_words(words: Sequence[Word], language: str | None) -> str:
    joiner = "" if text.base_language(language) in LANGUAGES_WITHOUT_SPACES else " "
    return joiner.join(w.word for w in words)


def split_sentences(words: list[Word], language: str | None) -> Iterable[list[Word]]:
    sentence: list[Word] = []
    for word, following in zip(words, [*words[1:], None], strict=True):
        sentence.append(word)
        if (
            following is None
            or text.ends_sentence(word.word, language)
            or following.start - word.end > WORD_GAP_SENTENCE_S
        ):
            yield sentence
            sentence = []


def asr_transcript(
    film: str,
    settings: AsrSettings,
    engine: str,
    packages: tuple[str, ...],
    detected_language: str | None,
    duration: float,
    segments: list[Segment],
    speech: list[SpeechRegion] | None,
    **engine_facts: Any,
) -> Transcript:
    """What every backend hands on: the segments, and provenance with the settings it ran."""
    provenance = Provenance(
        stage="asr",
        engine=engine,
        model=settings.model,
        versions=package_versions(*packages),
        settings={**settings.public(), "detected_language": detected_language, **engine_facts},
    )
    return Transcript(
        film=film,
        language=settings.language or detected_language or "und",  # "und": no speech to detect from
        duration=round(duration, 3),
        segments=segments,
        provenance=[provenance],
        speech=speech,
    )
