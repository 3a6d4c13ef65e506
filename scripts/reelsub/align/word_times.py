"""align: word-level times from a wav2vec2 CTC model (through WhisperX) where one is at hand,
whisper's own word timings otherwise.

Whisper's word times come from cross-attention and are often a few hundred milliseconds off
(on jfk.flac tiny.en puts "And" at 0.00 s; the word is spoken at 0.32 s). Forced alignment with a
wav2vec2 model fixes that, but needs a model per language, and none can be downloaded offline.

Which model, per ``transcript.language``:

1. ``align.models.<lang>`` in config: a local folder (or a hub id / torchaudio bundle name). It was
   asked for, so failing to load it is an error (:class:`ModelNotFound`) that names the fix.
2. Otherwise WhisperX's built-in default for the language, only when ``use_default_models`` is on
   and the hub is reachable. Offline it is not tried (it would download); unavailable, it falls back
   quietly, with the reason logged and recorded in provenance.
3. Otherwise whisper's own word timings are kept (method ``whisper-word-timestamps``).

Robustness (users report WhisperX dropping words): WhisperX's output is never taken as the word list.
The input transcript's words are the words of the output, in order, every one of them; WhisperX only
lends them times. A word it could not time (a segment whose alignment failed, a symbol, a sentence
its pandas ``groupby`` dropped) gets a time between its timed neighbours within its segment:
whisper's own time where that fits the gap, else a share of the gap by length. The pure functions
:func:`merge_alignment` and :func:`interpolate_word_times` do this and are tested without a model.

Memory (WhisperX issue #311: CPU alignment of long audio exhausting RAM): one copy of the audio
(float32), one segment aligned per :func:`whisperx.align` call, and nothing of WhisperX's output kept
past the segment it belongs to.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from reelsub.contracts.transcript import Provenance, Segment, SpeechRegion, Transcript, Word, package_versions
from reelsub.languages import is_supported, resolve
from reelsub.models import ModelNotFound, cache_dir, hub_is_offline, load_error_detail, looks_like_path
from reelsub.pauses import fit_to_speech
from reelsub.workflow.settings import schema_defaults

log = logging.getLogger(__name__)

METHOD_WAV2VEC2 = "wav2vec2"
METHOD_WHISPER = "whisper-word-timestamps"
SAMPLE_RATE = 16000  # whisperx.audio.SAMPLE_RATE; whisperx.load_audio resamples to it
PROGRESS_EVERY_S = 60.0  # log a progress line per this much aligned audio
# WhisperX splits these languages into characters, not words (whisperx.alignment.LANGUAGES_WITHOUT_SPACES).
LANGUAGES_WITHOUT_SPACES = ("ja", "zh")


_CONFIG = schema_defaults("align")  # every default below that config can set is the schema's


@dataclass
class AlignSettings:
    """The align stage's config (``align:``), with the device from the detected hardware."""

    # language id → local folder (or hub id / torchaudio bundle name) of a wav2vec2 CTC model,
    # e.g. {"hi": "/models/wav2vec2-hindi"}. Config key: align.models.<lang>.
    models: dict[str, str] = field(default_factory=dict)
    device: str = "cpu"
    # Whether WhisperX's built-in per-language defaults may be fetched; never tried offline.
    use_default_models: bool = _CONFIG["use_default_models"]
    # WhisperX's own filling of untimed words. "ignore" leaves them untimed, so that
    # interpolate_word_times places them *between* their neighbours; WhisperX's "nearest" would
    # give them a copy of a neighbour's time instead.
    interpolate_method: str = _CONFIG["interpolate_method"]
    # A silence VAD heard of at least this long between two words ends a sentence (reelsub.pauses)
    sentence_pause: float = _CONFIG["sentence_pause"]
    # torch CPU threads (the Snakemake rule's threads:); None leaves torch's default.
    threads: int | None = None

    def public(self) -> dict[str, Any]:
        """Settings as recorded in provenance."""
        return asdict(self)


@dataclass
class AlignedWord:
    """One word as the aligner returned it; start/end None where it could not time the word."""

    word: str
    start: float | None = None
    end: float | None = None
    score: float | None = None

    @property
    def timed(self) -> bool:
        return (
            self.start is not None
            and self.end is not None
            and math.isfinite(self.start)
            and math.isfinite(self.end)
        )


@dataclass
class ModelChoice:
    """Which alignment model to load for a language, and whether config asked for it."""

    language: str
    name: str | None  # folder, hub id or torchaudio bundle; None: WhisperX's default for the language
    configured: bool  # from align.models.<lang>: failing to load it is an error, not a fallback
    config_key: str = ""  # the <lang> as config spells it (hi, hin or Hindi), for error messages

    @property
    def label(self) -> str:
        return self.name or f"whisperx default for {self.language!r}"


@dataclass
class AlignStats:
    """What happened to the words, recorded in provenance so a reader can judge the times."""

    words: int = 0
    words_aligned: int = 0  # timed by wav2vec2
    words_interpolated: int = 0  # untimed by wav2vec2: whisper's time or a share of the gap
    segments_unaligned: int = 0  # segments WhisperX returned no timed word for
    segment_errors: list[str] = field(default_factory=list)  # first few, for the log reader


# -- pure functions: mapping WhisperX's words back onto the transcript's ------------------------


def words_of(segment: Segment) -> list[str]:
    """The segment's words as the transcript has them; whitespace tokens where it has none."""
    if segment.words:
        return [word.word.strip() for word in segment.words]
    return segment.text.split()


def times_from_aligned(
    tokens: Sequence[str], aligned: Sequence[AlignedWord]
) -> list[tuple[float, float] | None]:
    """Each token's (start, end) from the aligner's words, None where it has no time for it.

    We feed WhisperX the tokens joined by spaces, so normally its words are exactly our tokens.
    Where they are not (it dropped a sentence, split Japanese/Chinese into characters, or a token
    held a space), tokens are matched to its words character by character, ignoring whitespace; a
    token gets the span of the timed words at least half of its characters matched.
    """
    if [a.word for a in aligned] == list(tokens):
        return [(float(a.start), float(a.end)) if a.timed else None for a in aligned]  # type: ignore[arg-type]

    token_chars, token_owner = _characters(tokens)
    aligned_chars, aligned_owner = _characters([a.word for a in aligned])
    matcher = SequenceMatcher(None, token_chars, aligned_chars, autojunk=False)
    spans: list[list[float] | None] = [None] * len(tokens)
    matched = [0] * len(tokens)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            index = token_owner[block.a + offset]
            word = aligned[aligned_owner[block.b + offset]]
            if not word.timed:
                continue
            matched[index] += 1
            span = spans[index]
            if span is None:
                spans[index] = [float(word.start), float(word.end)]  # type: ignore[arg-type]
            else:
                span[0] = min(span[0], float(word.start))  # type: ignore[arg-type]
                span[1] = max(span[1], float(word.end))  # type: ignore[arg-type]
    times: list[tuple[float, float] | None] = []
    for index, token in enumerate(tokens):
        size = sum(1 for char in token if not char.isspace())
        span = spans[index]
        times.append((span[0], span[1]) if span is not None and 2 * matched[index] >= size else None)
    return times


def _characters(tokens: Sequence[str]) -> tuple[str, list[int]]:
    chars, owner = [], []
    for index, token in enumerate(tokens):
        for char in token:
            if not char.isspace():
                chars.append(char)
                owner.append(index)
    return "".join(chars), owner


def interpolate_word_times(
    tokens: Sequence[str],
    times: Sequence[tuple[float, float] | None],
    lo: float,
    hi: float,
    hints: Sequence[tuple[float, float] | None] | None = None,
) -> list[tuple[float, float]]:
    """A time for every token, in order, within [lo, hi] (the segment, clamped to the film).

    Timed tokens keep their times (clamped; one that would go back in time counts as untimed).
    Each run of untimed tokens lies in the gap between its timed neighbours (or the segment's
    edges): at its ``hints`` (whisper's own times) where those, clamped to the gap, are in order
    and not empty; else the gap is shared out by length (a long word takes longer to say). A gap
    of zero gives zero-length words at its start: the word survives even when there is no time
    left for it, as at the very end of a film.
    """
    if len(times) != len(tokens):
        raise ValueError(f"{len(tokens)} tokens but {len(times)} times")
    hi = max(lo, hi)
    kept: list[tuple[float, float] | None] = []
    last_end = lo
    for time_ in times:
        if time_ is None or not all(math.isfinite(t) for t in time_):
            kept.append(None)
            continue
        start, end = _clamp(time_[0], lo, hi), _clamp(time_[1], lo, hi)
        if start + 1e-6 < last_end:  # out of order: trust the neighbours, not this one
            kept.append(None)
            continue
        end = max(start, end)
        kept.append((start, end))
        last_end = end

    result: list[tuple[float, float]] = []
    index = 0
    while index < len(tokens):
        if kept[index] is not None:
            result.append(kept[index])  # type: ignore[arg-type]
            index += 1
            continue
        run_end = index
        while run_end < len(tokens) and kept[run_end] is None:
            run_end += 1
        gap_lo = result[-1][1] if result else lo
        gap_hi = kept[run_end][0] if run_end < len(tokens) else hi  # type: ignore[index]
        gap_hi = max(gap_lo, gap_hi)
        run_hints = None if hints is None else hints[index:run_end]
        result.extend(_fill_gap(tokens[index:run_end], gap_lo, gap_hi, run_hints))
        index = run_end
    return [(round(start, 3), round(end, 3)) for start, end in result]


def _fill_gap(
    tokens: Sequence[str],
    lo: float,
    hi: float,
    hints: Sequence[tuple[float, float] | None] | None,
) -> list[tuple[float, float]]:
    if hints is not None and all(hint is not None for hint in hints):
        clamped = [(_clamp(h[0], lo, hi), _clamp(h[1], lo, hi)) for h in hints]  # type: ignore[index]
        previous_end = lo
        usable = True
        for start, end in clamped:
            if end <= start or start + 1e-6 < previous_end:
                usable = False
                break
            previous_end = end
        if usable:
            return clamped
    weights = [len(token) + 1 for token in tokens]  # +1: the space, so one-letter words get time
    total = sum(weights)
    filled, cursor = [], lo
    for weight in weights:
        end = cursor + (hi - lo) * weight / total
        filled.append((cursor, end))
        cursor = end
    filled[-1] = (filled[-1][0], hi)
    return filled


def _clamp(value: float, lo: float, hi: float) -> float:
    return min(max(value, lo), hi)


def merge_alignment(segment: Segment, aligned: Sequence[AlignedWord], duration: float) -> Segment:
    """The segment with the aligner's word times, every one of its words kept, in order.

    The words (text and whisper's probability) are the transcript's; only their times change.
    The segment is tightened to its words, as WhisperX does: the aligned words are where the
    speech is, and a subtitle cue should cover exactly that.
    """
    return _merge(segment, aligned, duration)[0]


def _merge(segment: Segment, aligned: Sequence[AlignedWord], duration: float) -> tuple[Segment, int]:
    """merge_alignment, and how many words the aligner timed (for provenance)."""
    tokens = words_of(segment)
    lo = _clamp(segment.start, 0.0, duration)
    hi = _clamp(segment.end, lo, duration)
    if not tokens:
        return replace(segment, start=round(lo, 3), end=round(hi, 3), words=[]), 0
    hints = [(w.start, w.end) for w in segment.words] if segment.words else None
    aligned_times = times_from_aligned(tokens, aligned)
    timed = sum(1 for time_ in aligned_times if time_ is not None)
    times = interpolate_word_times(tokens, aligned_times, lo, hi, hints)
    probabilities = [w.probability for w in segment.words] if segment.words else [None] * len(tokens)
    speakers = [w.speaker for w in segment.words] if segment.words else [None] * len(tokens)
    words = [
        Word(start=start, end=end, word=token, probability=probability, speaker=speaker)
        for token, (start, end), probability, speaker in zip(
            tokens, times, probabilities, speakers, strict=True
        )
    ]
    return replace(segment, start=words[0].start, end=max(w.end for w in words), words=words), timed


def keep_whisper_timings(segment: Segment, duration: float) -> Segment:
    """The fallback: whisper's word times as they are, only clamped into [0, duration]."""
    start = _clamp(segment.start, 0.0, duration)
    end = _clamp(segment.end, start, duration)
    words = []
    for word in segment.words:
        word_start = _clamp(word.start, 0.0, duration)
        words.append(replace(word, start=word_start, end=_clamp(word.end, word_start, duration)))
    return replace(segment, start=start, end=end, words=words)


# -- the stage --------------------------------------------------------------------------------


def choose_model(language: str, settings: AlignSettings) -> tuple[ModelChoice | None, str]:
    """The model to try for ``language``, or None and why there is none."""
    configured = configured_model(language, settings.models)
    if configured is not None:
        key, name = configured
        return ModelChoice(language, name, configured=True, config_key=key), ""
    if not settings.use_default_models:
        return None, f"no align.models.{language} configured and use_default_models is off"
    if hub_is_offline():
        # WhisperX's defaults are downloaded (torchaudio's from the PyTorch site, the rest from the
        # hub): offline, not worth a slow failure, nor the 10 s import of whisperx.alignment.
        return None, (
            f"no align.models.{language} configured and whisperx's default model for {language!r} "
            "needs a download (HF_HUB_OFFLINE is set)"
        )
    from whisperx.alignment import DEFAULT_ALIGN_MODELS_HF, DEFAULT_ALIGN_MODELS_TORCH

    default = DEFAULT_ALIGN_MODELS_TORCH.get(language) or DEFAULT_ALIGN_MODELS_HF.get(language)
    if default is None:
        return None, f"no align.models.{language} configured and whisperx has no default for {language!r}"
    return ModelChoice(language, None, configured=False), ""


def configured_model(language: str, models: dict[str, str]) -> tuple[str, str] | None:
    """(config key, model) from align.models for the transcript's language id; the key may be any
    spelling reelsub.languages understands (``hi``, ``hin``, ``Hindi``)."""
    if models.get(language):
        return language, str(models[language])
    for key, name in models.items():
        if name and is_supported(key) and is_supported(language) and resolve(key).id == resolve(language).id:
            return key, str(name)
    return None


def load_model(choice: ModelChoice, settings: AlignSettings) -> tuple[Any, dict[str, Any]]:
    """WhisperX's (model, metadata) for the choice, or ModelNotFound with the fix in its message."""
    import whisperx

    name = choice.name
    if name is not None:
        expanded = os.path.expanduser(name)
        if os.path.isdir(expanded):
            name = expanded
        elif looks_like_path(name):
            raise _model_not_found(choice, "no such folder")
    try:
        model, metadata = whisperx.load_align_model(
            language_code=choice.language,
            device=settings.device,
            model_name=name,
            # Offline, transformers must not try the hub (it retries for over a minute).
            model_cache_only=hub_is_offline(),
        )
    except Exception as error:  # transformers, torchaudio and the network raise many kinds
        raise _model_not_found(choice, load_error_detail(error)) from error
    return model, metadata


def _model_not_found(choice: ModelChoice, detail: str) -> ModelNotFound:
    key = f"align.models.{choice.config_key or choice.language}"
    if choice.configured:
        fix = (
            f"Set {key} in config to a local folder holding a wav2vec2 CTC model for "
            f"{choice.language!r} (config.json, preprocessor_config.json, vocab.json and weights, as "
            f"saved by save_pretrained), or remove {key} to keep whisper's own word timings"
        )
        if not looks_like_path(choice.name or "") and hub_is_offline():
            fix += ", or allow the hub to download it (unset HF_HUB_OFFLINE)"
        return ModelNotFound(f"cannot load alignment model {choice.name!r} ({key}): {detail}. {fix}.")
    return ModelNotFound(f"cannot load {choice.label} ({detail}). Set {key} to a local model folder.")


def ensure_punkt(language: str) -> None:
    """Make whisperx.align's sentence splitter loadable offline.

    whisperx.align loads NLTK's punkt_tab for every segment and, when missing, calls
    nltk.download, which fails offline and then crashes the alignment. We only use its sentences
    to cut a segment into pieces that merge_alignment joins back, so where no punkt_tab is
    installed an empty parameter set (Punkt without abbreviation lists) serves just as well.
    """
    import nltk
    from whisperx.utils import PUNKT_LANGUAGES

    name = PUNKT_LANGUAGES.get(language, "english")
    try:
        nltk.data.find(f"tokenizers/punkt_tab/{name}/")
        return
    except LookupError:
        pass
    root = cache_dir() / "nltk_data"
    folder = root / "tokenizers" / "punkt_tab" / name
    if not folder.is_dir():
        # Built aside and renamed into place: a parallel job never finds a half-made model.
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{name}."))
        staging.chmod(0o755)  # mkdtemp makes it private; other users' jobs may share the cache
        for file_name in ("collocations.tab", "sent_starters.txt", "abbrev_types.txt", "ortho_context.tab"):
            (staging / file_name).touch()
        try:
            staging.rename(folder)
        except OSError:  # another job was first
            shutil.rmtree(staging, ignore_errors=True)
    if str(root) not in nltk.data.path:
        nltk.data.path.append(str(root))
    log.info("NLTK punkt_tab/%s not installed: using an empty one in %s (sentence cuts only)", name, root)


def align(transcript: Transcript, audio: Path, settings: AlignSettings) -> Transcript:
    """The transcript with wav2vec2 word times where a model is at hand, whisper's otherwise,
    then fitted to the pauses VAD heard (reelsub.pauses): word times moved out of silences,
    sentences cut at long ones."""
    timed = _word_times(transcript, audio, settings)
    if timed.speech is None and transcript.provenance and _vad_available():
        timed = replace(timed, speech=_heard_speech(audio))  # an engine without VAD (mlx) ran
    fitted = fit_to_speech(timed, settings.sentence_pause)
    fitted.provenance[-1].settings["sentences_after_pauses"] = len(fitted.segments)
    fitted.provenance[-1].settings["sentence_pause"] = settings.sentence_pause
    return fitted


def _vad_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("faster_whisper") is not None


def _heard_speech(audio: Path) -> list[SpeechRegion]:
    from reelsub.asr.audio import PcmAudio
    from reelsub.asr.vad import heard_speech

    with PcmAudio(audio) as source:
        return heard_speech(source)


def _word_times(transcript: Transcript, audio: Path, settings: AlignSettings) -> Transcript:
    language = transcript.language
    choice, reason = choose_model(language, settings)
    model_bundle = None
    if choice is not None:
        try:
            model_bundle = load_model(choice, settings)
        except ModelNotFound as error:
            if choice.configured:
                raise
            reason = str(error)
    if model_bundle is None:
        log.info("align %s: keeping whisper's word timings (%s)", transcript.film, reason)
        return _fallback(transcript, reason)
    assert choice is not None
    return _align_with_wav2vec2(transcript, audio, settings, choice, *model_bundle)


def _fallback(transcript: Transcript, reason: str) -> Transcript:
    segments = [keep_whisper_timings(segment, transcript.duration) for segment in transcript.segments]
    asr = next((p for p in reversed(transcript.provenance) if p.stage == "asr"), None)
    provenance = Provenance(
        stage="align",
        engine="none",
        model=None,
        versions={},
        settings={
            "method": METHOD_WHISPER,
            "reason": reason,
            "timings_from": None if asr is None else f"{asr.engine} {asr.model}",
            "segments_without_words": sum(1 for s in segments if not s.words and s.text.strip()),
        },
    )
    return transcript.with_stage(provenance, segments=segments)


def _align_with_wav2vec2(
    transcript: Transcript,
    audio: Path,
    settings: AlignSettings,
    choice: ModelChoice,
    model: Any,
    metadata: dict[str, Any],
) -> Transcript:
    import torch
    import whisperx

    if settings.threads:
        torch.set_num_threads(settings.threads)
    ensure_punkt(transcript.language)
    started = time.monotonic()
    # One float32 copy of the audio (4 bytes a sample, 230 MB an hour); torch.from_numpy shares it,
    # and whisperx.align slices views of it per segment.
    waveform = torch.from_numpy(whisperx.load_audio(str(audio)))
    audio_seconds = waveform.shape[0] / SAMPLE_RATE
    if abs(audio_seconds - transcript.duration) > 1.0:
        log.warning(
            "align %s: audio is %.1f s, transcript says %.1f s",
            transcript.film,
            audio_seconds,
            transcript.duration,
        )
    coverage = dictionary_coverage(transcript, metadata.get("dictionary", {}))
    if coverage < 0.5:
        log.warning(
            "align %s: only %.0f%% of the transcript's letters are in %s's vocabulary: is it a %r model?",
            transcript.film,
            100 * coverage,
            choice.label,
            transcript.language,
        )

    stats = AlignStats()
    segments: list[Segment] = []
    last_report = 0.0
    duration = transcript.duration
    for segment in transcript.segments:
        aligned = _align_segment(segment, model, metadata, waveform, settings, stats)
        merged, timed = _merge(segment, aligned, duration)
        del aligned
        if segments and merged.start < segments[-1].start:  # overlapping ASR segments: keep order
            merged.start = segments[-1].start
            merged.end = max(merged.end, merged.start)
        segments.append(merged)
        stats.words += len(merged.words)
        stats.words_aligned += timed
        stats.words_interpolated += len(merged.words) - timed
        if merged.words and timed == 0:
            stats.segments_unaligned += 1
        if segment.end - last_report >= PROGRESS_EVERY_S or segment is transcript.segments[-1]:
            log.info(
                "align progress: %.0f / %.0f s (%.0f%%), %.1f s elapsed",
                segment.end,
                duration,
                100 * min(segment.end, duration) / max(duration, 1e-9),
                time.monotonic() - started,
            )
            last_report = segment.end

    provenance = Provenance(
        stage="align",
        engine="whisperx",
        model=choice.name or f"whisperx-default:{transcript.language}",
        versions=package_versions("whisperx", "torch", "torchaudio", "transformers"),
        settings={
            **settings.public(),
            "method": METHOD_WAV2VEC2,
            "model_type": metadata.get("type"),
            "dictionary_coverage": round(coverage, 3),
            **asdict(stats),
        },
    )
    return transcript.with_stage(provenance, segments=segments)


def _align_segment(
    segment: Segment,
    model: Any,
    metadata: dict[str, Any],
    waveform: Any,
    settings: AlignSettings,
    stats: AlignStats,
) -> list[AlignedWord]:
    """WhisperX's words for one segment; none where it cannot align it (the merge then keeps
    whisper's times), so one bad segment never costs the film its alignment."""
    import whisperx

    tokens = words_of(segment)
    if not tokens:
        return []
    joiner = "" if metadata.get("language") in LANGUAGES_WITHOUT_SPACES else " "
    request = [{"start": segment.start, "end": segment.end, "text": joiner.join(tokens)}]
    try:
        result = whisperx.align(
            request,
            model,
            metadata,
            waveform,
            settings.device,
            interpolate_method=settings.interpolate_method,
            return_char_alignments=False,
        )
    except MemoryError:
        raise
    except Exception as error:  # pandas/torch errors on odd text; keep whisper's times there
        if len(stats.segment_errors) < 5:
            stats.segment_errors.append(f"{segment.start:.2f}s: {type(error).__name__}: {error}")
        log.warning(
            "align: segment at %.2f s not aligned (%s: %s)", segment.start, type(error).__name__, error
        )
        return []
    return [
        AlignedWord(
            word=str(item.get("word", "")),
            start=_finite(item.get("start")),
            end=_finite(item.get("end")),
            score=_finite(item.get("score")),
        )
        for piece in result["segments"]
        for item in piece.get("words", [])
    ]


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def dictionary_coverage(transcript: Transcript, dictionary: dict[str, int]) -> float:
    """The share of the transcript's letters (not digits, punctuation or spaces) the model knows.

    WhisperX aligns unknown characters as wildcards, so a model for the wrong script still
    "aligns", with meaningless times; a low share says so.
    """
    letters = [char.lower() for char in transcript.text if char.isalpha()]
    if not letters:
        return 1.0
    return sum(1 for char in letters if char in dictionary) / len(letters)
