"""Which of a film's audio tracks to transcribe, and the record of that choice.

Films often carry more than one audio track: a dub, a director's commentary, an audio description.
Transcribing the wrong one gives subtitles in the wrong language under the right language's tag, so
the choice is made here, once, by one rule:

1. ``audio_track`` (sheet column or config key): the track at that 0-based position among the
   film's audio streams;
2. ``audio_lang``: the track whose language tag is that language;
3. otherwise the track whose language tag matches the film's ``source_lang``; failing that (or when
   ``source_lang`` is ``auto``) the track marked default; failing that, the first.

Where several tracks fit a language, the one marked default wins, then the first. Language tags are
compared as languages, not as strings: ``hin``, ``hi`` and ``Hindi`` are the same language.

The demux stage writes the choice to ``jobs/<film>/audio.json`` (schema ``reelsub.audio/1``, read
and written through reelsub.contracts.audio), so later stages can compare the track's tag with the
language Whisper hears.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from reelsub import languages
from reelsub.contracts.audio import AudioRecord
from reelsub.media import MediaError, Stream

AUTO = "auto"


class AudioTrackError(MediaError):
    """The film has no audio track that fits what was asked for; the message lists its tracks."""


def describe_track(position: int, stream: Stream) -> str:
    """``audio track 1 (hin, 'Hindi', default)``: position, language tag, title, default flag."""
    details = [stream.language or "no language tag"]
    if stream.title:
        details.append(repr(stream.title))
    if stream.default:
        details.append("default")
    return f"audio track {position} ({', '.join(details)})"


def tag_language(tag: str | None) -> languages.Language | None:
    """The language a stream's tag names; None for no tag, ``und`` or a language outside the table."""
    if not tag or tag.lower() in {"und", "unk", "zxx", "mul", "mis"}:
        return None
    try:
        return languages.resolve(tag)
    except languages.UnknownLanguage:
        return None


@dataclass(frozen=True)
class AudioChoice:
    stream: Stream
    position: int  # 0-based among the film's audio streams (ffmpeg's a:N)
    reason: str  # why this one, for the log and audio.json
    warning: str | None = None  # the chosen track's tag contradicts source_lang

    def describe(self) -> str:
        return f"{describe_track(self.position, self.stream)}: {self.reason}"


def choose_audio_track(
    streams: Sequence[Stream],
    source_lang: str = AUTO,
    audio_lang: str | None = None,
    audio_index: int | None = None,
    where: str = "the film",
) -> AudioChoice:
    """The track to transcribe among ``streams`` (a probe's streams; only audio ones count).

    ``source_lang`` and ``audio_lang`` take any spelling ``reelsub.languages.resolve`` accepts;
    ``audio_lang`` None or ``auto`` means no request. Asking for a language or index the film does
    not have is an AudioTrackError that lists the tracks it has. ``where`` names the film in the
    error for a film without audio.
    """
    audio = [s for s in streams if s.kind == "audio"]
    if not audio:
        raise AudioTrackError(f"no audio stream in {where}")
    if audio_lang == AUTO:
        audio_lang = None
    if audio_index is not None and audio_lang is not None:
        raise AudioTrackError(
            f"both audio_track {audio_index} and audio_lang {audio_lang} are set; set only one"
        )

    if audio_index is not None:
        if not 0 <= audio_index < len(audio):
            raise AudioTrackError(
                f"audio_track {audio_index} was asked for, but the film has {_count(audio)} "
                f"(audio_track counts from 0): {_listing(audio)}"
            )
        return _chosen(audio, audio_index, f"audio_track {audio_index} asks for it", source_lang)

    if audio_lang is not None:
        wanted = languages.resolve(audio_lang)
        position = _best_of(audio, wanted)
        if position is None:
            raise AudioTrackError(
                f"audio_lang {audio_lang} was asked for, but no audio track is tagged {wanted.name} "
                f"({wanted.iso639_2}); the film has {_count(audio)}: {_listing(audio)}. "
                "Set audio_track to the position of the track to transcribe."
            )
        return _chosen(audio, position, f"its language matches audio_lang {audio_lang}", source_lang)

    if len(audio) == 1:
        return _chosen(audio, 0, "it is the film's only audio track", source_lang)
    preface = ""
    if source_lang != AUTO:
        wanted = languages.resolve(source_lang)
        position = _best_of(audio, wanted)
        if position is not None:
            return _chosen(audio, position, f"its language matches source_lang {source_lang}", source_lang)
        preface = f"no audio track is tagged {wanted.name} (source_lang {source_lang}), and "
    else:
        preface = "source_lang is auto, and "
    defaults = [position for position, stream in enumerate(audio) if stream.default]
    if defaults:
        return _chosen(audio, defaults[0], f"{preface}it is the default track", source_lang)
    return _chosen(audio, 0, f"{preface}no track is marked default: it is the first", source_lang)


def _best_of(audio: Sequence[Stream], wanted: languages.Language) -> int | None:
    """The position of the track tagged ``wanted``, the default one first; None if none is."""
    matching = [p for p, s in enumerate(audio) if (lang := tag_language(s.language)) and lang.id == wanted.id]
    if not matching:
        return None
    return next((p for p in matching if audio[p].default), matching[0])


def _chosen(audio: Sequence[Stream], position: int, reason: str, source_lang: str) -> AudioChoice:
    stream = audio[position]
    warning = None
    heard = tag_language(stream.language)
    if source_lang != AUTO and heard and heard.id != languages.resolve(source_lang).id:
        warning = (
            f"{describe_track(position, stream)} is tagged {heard.name}, but source_lang is "
            f"{source_lang}: Whisper will be told the speech is {languages.resolve(source_lang).name}"
        )
    return AudioChoice(stream=stream, position=position, reason=reason, warning=warning)


def _count(audio: Sequence[Stream]) -> str:
    return f"{len(audio)} audio track{'s' if len(audio) != 1 else ''}"


def _listing(audio: Sequence[Stream]) -> str:
    return "; ".join(describe_track(position, stream) for position, stream in enumerate(audio))


# -- jobs/<film>/audio.json (its contract: reelsub.contracts.audio) -------------------------------


def audio_record(choice: AudioChoice, duration: float) -> AudioRecord:
    """What demux writes to audio.json for ``choice``, with ``duration`` seconds extracted."""
    language = tag_language(choice.stream.language)
    return AudioRecord(
        stream_index=choice.stream.index,
        track=choice.position,
        language=choice.stream.language,
        language_id=language.id if language else None,
        title=choice.stream.title,
        default=choice.stream.default,
        reason=choice.reason,
        duration=round(duration, 3),
    )
