"""Translation: a transcript in one language becomes a transcript in another.

Two engines:
- ``indictrans2`` (default): AI4Bharat's IndicTrans2 through IndicTransToolkit, English ↔ the 22
  scheduled languages of India and Indic ↔ Indic. Three models, one per *direction*; a film with
  several target languages loads each model once (:class:`Translator` caches them).
- ``whisper``: faster-whisper's ``task="translate"`` straight from the audio, any language → English
  only (:func:`translate_with_whisper`).

What goes to the model is *sentences*, not ASR segments: Whisper cuts segments at pauses and at
its 30-s windows, often mid-sentence, and a translator given half a sentence has to guess the
other half (Hindi puts the verb last). Consecutive segments are joined into sentences
(:func:`join_sentences`), each sentence is translated once, and its translation is spread over the
sentence's time span by text length (:func:`spread_over_sentence`). Word order differs between
languages, so mapping translated words onto source word times would be false precision; the
subtitle stage re-wraps the result into cues.
"""

from __future__ import annotations

import logging
import os
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, replace
from itertools import pairwise
from pathlib import Path
from typing import Any

from reelsub import text
from reelsub.asr import AsrSettings, transcribe
from reelsub.contracts.transcript import (
    Provenance,
    Segment,
    Transcript,
    Word,
    estimated_words,
    package_versions,
)
from reelsub.glossary import GlossaryTerm, protect
from reelsub.languages import Language, UnknownLanguage, resolve
from reelsub.models import ModelNotFound, hub_is_offline
from reelsub.pauses import fit_to_speech
from reelsub.text import visible_length
from reelsub.workflow.cuda_libraries import FOR_TORCH
from reelsub.workflow.hardware import resolve_device
from reelsub.workflow.settings import schema_defaults

log = logging.getLogger(__name__)

ENGINES = ("indictrans2", "whisper")
DIRECTIONS = ("en-indic", "indic-en", "indic-indic")

# Hugging Face ids per model size (docs/indictrans2.md). The distilled models are the default:
# a third to a fifth of the 1B models' size and memory, for some loss in quality.
MODELS_BY_SIZE: dict[str, dict[str, str]] = {
    "distilled": {
        "en-indic": "ai4bharat/indictrans2-en-indic-dist-200M",
        "indic-en": "ai4bharat/indictrans2-indic-en-dist-200M",
        "indic-indic": "ai4bharat/indictrans2-indic-indic-dist-320M",
    },
    "1B": {
        "en-indic": "ai4bharat/indictrans2-en-indic-1B",
        "indic-en": "ai4bharat/indictrans2-indic-en-1B",
        "indic-indic": "ai4bharat/indictrans2-indic-indic-1B",
    },
}

_CONFIG = schema_defaults("translate")  # every default below that config can set is the schema's


class UnsupportedDirection(ValueError):
    """The requested source → target pair is not something the engine translates."""


@dataclass
class TranslateSettings:
    """The ``translate:`` section of config."""

    engine: str = _CONFIG["engine"]  # indictrans2 | whisper
    size: str = _CONFIG["size"]  # distilled | 1B: which IndicTrans2 models the default ids name
    # direction → Hugging Face id or local folder. Directions not given, or given as one of the
    # default ids (config.yaml lists the distilled ones), get the id for ``size``, so that
    # ``size: 1B`` alone switches to the 1B models; a folder or any other id is used as given.
    models: dict[str, str] = field(default_factory=dict)
    num_beams: int = _CONFIG["num_beams"]
    batch_size: int = _CONFIG["batch_size"]
    max_length: int = _CONFIG["max_length"]  # tokens, input and output (IndicTrans2 was trained with 256)
    device: str = _CONFIG["device"]  # auto (cuda when torch sees one) | cuda | cuda:N | cpu
    # torch threads on CPU (the rule's ``threads``); None leaves torch's default, one per core.
    # torch.set_num_threads is process-wide. Measured on a busy 2-core machine: 1 thread
    # translated 10x faster than 2, whose threads spin waiting for each other.
    cpu_threads: int | None = None
    # language → script for languages IndicTrans2 writes in two (ks: Arab|Deva, mni: Beng|Mtei,
    # sd: Arab|Deva); keys may be any code resolve() accepts
    scripts: dict[str, str] = field(default_factory=dict)
    # A heard silence this long between two segments ends a sentence even without punctuation
    # (Whisper often leaves Indic speech unpunctuated): config align.sentence_pause, the same rule
    # the align stage cuts segments by.
    sentence_pause: float = schema_defaults("align")["sentence_pause"]
    # Unpunctuated speech would otherwise join into one endless "sentence"; past this many
    # characters it is cut at the next segment boundary (well inside max_length tokens).
    max_sentence_chars: int = 300
    # Translated sentences are cut into chunks of at most this many characters (grapheme
    # clusters): two subtitle lines of 42.
    max_chunk_chars: int = 84
    # The key/value cache in generate(). None: use it, and if the model's code cannot take the
    # cache objects this transformers passes, decode without it (see _generate).
    use_cache: bool | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"translate.engine must be one of {ENGINES}, not {self.engine!r}")
        if self.size not in MODELS_BY_SIZE:
            raise ValueError(f"translate.size must be one of {tuple(MODELS_BY_SIZE)}, not {self.size!r}")
        unknown = set(self.models) - set(DIRECTIONS)
        if unknown:
            raise ValueError(
                f"translate.models has unknown direction(s) {sorted(unknown)}; expected {DIRECTIONS}"
            )
        default_ids = {model_id for table in MODELS_BY_SIZE.values() for model_id in table.values()}
        chosen = dict(MODELS_BY_SIZE[self.size])
        chosen.update({route: model for route, model in self.models.items() if model not in default_ids})
        self.models = chosen
        scripts: dict[str, str] = {}
        for code, script in self.scripts.items():
            language = resolve(code)
            language.flores(script)  # raises UnknownLanguage naming the scripts it has
            scripts[language.id] = script
        self.scripts = scripts
        for name in ("num_beams", "batch_size", "max_length", "max_sentence_chars", "max_chunk_chars"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"translate.{name} must be at least 1, not {getattr(self, name)!r}")

    def flores(self, language: Language) -> str:
        """The FLORES code for a language, honouring the configured script (``kas_Deva``)."""
        return language.flores(self.scripts.get(language.id))

    def public(self) -> dict[str, Any]:
        """Settings as recorded in provenance."""
        return asdict(self)


def direction(source: Language, target: Language) -> str:
    """Which IndicTrans2 model translates source → target."""
    if source == target:
        raise UnsupportedDirection(f"source and target are both {source.name}: nothing to translate")
    if source.is_english:
        return "en-indic"
    if target.is_english:
        return "indic-en"
    return "indic-indic"  # every other language in the table is Indic


# -- models ----------------------------------------------------------------------------------


@dataclass
class LoadedModel:
    model_id: str
    tokenizer: Any
    model: Any
    device: str
    use_cache: bool | None = None  # None: not yet known to work with this model's code


def load_indictrans2(model_id: str, route: str, device: str = "cpu") -> LoadedModel:
    """Tokenizer and model for one direction, or ModelNotFound saying how to point config at a copy.

    ``trust_remote_code``: IndicTrans2 ships its own tokenizer and model classes in the repository.
    """
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    source = os.path.expanduser(model_id)
    fix = (
        f"Set translate.models.{route} in config to a local folder holding the model "
        f"(config.json, tokenizer files and weights, e.g. a downloaded copy of {model_id!r})"
    )
    if source.startswith((".", "/", "~")) and not os.path.isdir(source):
        # a path, not a hub id: asking the hub about it would only add a confusing error
        raise ModelNotFound(f"IndicTrans2 model folder {model_id!r} ({route}) does not exist. {fix}.")
    # Offline, a hub id resolves from the local cache or fails at once; online it would retry
    # for ~96 s before failing (docs/indictrans2.md).
    options = {"trust_remote_code": True, "local_files_only": hub_is_offline()}
    # decided before the weights load: a CUDA library that cannot load stops the job at once
    device = resolve_device(device, "translate.device", FOR_TORCH)
    started = time.monotonic()
    try:
        tokenizer = AutoTokenizer.from_pretrained(source, **options)
        model = AutoModelForSeq2SeqLM.from_pretrained(source, **options)
    except Exception as error:  # the hub, safetensors and remote code raise many kinds
        raise ModelNotFound(
            f"cannot load IndicTrans2 model {model_id!r} for {route} ({type(error).__name__}: {error}). "
            f"{fix}, or let the hub download it (unset HF_HUB_OFFLINE)."
        ) from error
    model = model.to(device).eval()
    if device.startswith("cuda"):
        # Half precision halves memory and time on GPU, within ±0.1 chrF++ of fp32
        # (IndicTrans2 issue #123); CPUs have no fast fp16, so they stay in fp32.
        model = model.half()
    log.info("loaded %s (%s) on %s in %.1f s", model_id, route, device, time.monotonic() - started)
    return LoadedModel(model_id=model_id, tokenizer=tokenizer, model=model, device=device)


# How IndicTrans2's remote code fails when transformers hands it a Cache object where it expects
# the legacy tuple of tuples (transformers >= ~4.56 always builds an EncoderDecoderCache):
# - "'NoneType' object has no attribute 'shape'" (past_key_values[0][0].shape on a cache sized from
#   the config but still empty; AI4Bharat/IndicTrans2 issue #128, maintainers advise transformers
#   4.53.2),
# - "expected Tensor as element 0 in argument 0, but got NoneType" (torch.cat with that empty entry;
#   IndicTrans2 PR #130, for 4.57+),
# - "Cache only has 0 layers" (indexing an empty cache).
_LEGACY_CACHE_SIGNS = ("NoneType", "Cache only has 0 layers")


def is_legacy_cache_error(error: BaseException) -> bool:
    return isinstance(error, (AttributeError, KeyError, TypeError)) and any(
        sign in str(error) for sign in _LEGACY_CACHE_SIGNS
    )


class Translator:
    """IndicTrans2 with its models loaded lazily, once per direction, and one IndicProcessor.

    A film with five target languages needs at most two models (en-indic, or indic-en and
    indic-indic); loading a 1B model takes longer than translating a film with it.
    """

    def __init__(self, settings: TranslateSettings | None = None) -> None:
        self.settings = settings or TranslateSettings()
        self._models: dict[str, LoadedModel] = {}
        self._processor: Any = None
        self.loads: list[str] = []  # model ids in the order they were loaded: for logs and tests

    def model_id(self, route: str) -> str:
        return self.settings.models[route]

    def model(self, route: str) -> LoadedModel:
        if route not in self._models:
            if self.settings.cpu_threads:
                import torch

                torch.set_num_threads(self.settings.cpu_threads)
            loaded = load_indictrans2(self.model_id(route), route, self.settings.device)
            loaded.use_cache = self.settings.use_cache
            self._models[route] = loaded
            self.loads.append(self.model_id(route))
        return self._models[route]

    def processor(self) -> Any:
        if self._processor is None:
            from IndicTransToolkit import IndicProcessor

            self._processor = IndicProcessor(inference=True)
        return self._processor

    def translate(
        self,
        texts: Sequence[str],
        source: Language,
        target: Language,
        glossary: Sequence[GlossaryTerm] = (),
    ) -> list[str]:
        """Translations of ``texts``, in their order. Empty texts translate to empty strings.
        ``glossary`` terms come out as given, in the target's script where a spelling is given
        (reelsub.glossary); one the model dropped is logged as a warning."""
        route = direction(source, target)
        src_lang, tgt_lang = self.settings.flores(source), self.settings.flores(target)
        protected = [protect(sentence, glossary) for sentence in texts]
        texts = [sentence.text for sentence in protected]
        results = [""] * len(texts)
        # Longest first: sentences of similar length share a batch, so little of each batch is
        # padding, and the largest batch runs first, so running out of memory shows at once.
        order = sorted((i for i, text in enumerate(texts) if text.strip()), key=lambda i: -len(texts[i]))
        if not order:
            return results  # a silent film needs no model
        loaded = self.model(route)
        started, done, last_report = time.monotonic(), 0, time.monotonic()
        for batch in _batches(order, self.settings.batch_size):
            outputs = self._translate_batch([texts[i] for i in batch], src_lang, tgt_lang, loaded)
            for index, output in zip(batch, outputs, strict=True):
                results[index] = output
            done += len(batch)
            if time.monotonic() - last_report >= 30 or done == len(order):
                log.info(
                    "translate %s→%s: %d / %d sentences, %.1f s",
                    src_lang,
                    tgt_lang,
                    done,
                    len(order),
                    time.monotonic() - started,
                )
                last_report = time.monotonic()
        target_scripts = [tgt_lang.split("_", 1)[1]]
        for index, sentence in enumerate(protected):
            if not sentence.terms:
                continue
            results[index], lost = sentence.restore(results[index], target_scripts)
            for term in lost:
                log.warning(
                    "glossary term %r was lost in translating %r: check this line",
                    term.spellings[0],
                    texts[index],
                )
        return results

    def _translate_batch(
        self, texts: list[str], src_lang: str, tgt_lang: str, loaded: LoadedModel
    ) -> list[str]:
        import torch

        processor = self.processor()
        # IndicProcessor queues one placeholder map (URLs, dates, numbers) per preprocessed
        # sentence and postprocess_batch consumes them in order, so each batch is pre- and
        # post-processed as a pair before the next batch starts.
        prepared = processor.preprocess_batch(texts, src_lang=src_lang, tgt_lang=tgt_lang)
        try:
            inputs = loaded.tokenizer(
                prepared,
                truncation=True,
                padding="longest",
                max_length=self.settings.max_length,
                return_tensors="pt",
                return_attention_mask=True,
            ).to(loaded.device)
            truncated = int((inputs["attention_mask"].sum(dim=1) >= self.settings.max_length).sum())
            if truncated:
                log.warning(
                    "%d sentence(s) longer than %d tokens were truncated", truncated, self.settings.max_length
                )
            with torch.inference_mode():
                generated = self._generate(loaded, inputs)
            decoded = _decode(loaded.tokenizer, generated)
        except BaseException:
            # This batch's placeholder maps are still queued inside the processor; a fresh
            # processor keeps them from being restored into the next batch's sentences.
            self._processor = None
            raise
        translations: list[str] = processor.postprocess_batch(decoded, lang=tgt_lang)
        return translations

    def _generate(self, loaded: LoadedModel, inputs: Any) -> Any:
        """Beam search, with the key/value cache where the model's code can take it.

        IndicTrans2's modelling code (trust_remote_code) reads its cache as legacy tuples, which the
        transformers this project pins no longer passes; without the cache every step re-reads the
        whole prefix (slower, same translations). The first batch finds out which applies.
        """
        options = {
            "num_beams": self.settings.num_beams,
            "num_return_sequences": 1,
            "max_length": self.settings.max_length,
        }
        if loaded.use_cache is not False:
            try:
                generated = loaded.model.generate(**inputs, **options, use_cache=True)
            except (AttributeError, KeyError, TypeError) as error:
                if loaded.use_cache or not is_legacy_cache_error(error):
                    raise
                log.warning(
                    "%s cannot use transformers' key/value cache (%s: %s); decoding without it, which is "
                    "slower. IndicTrans2's maintainers advise transformers 4.53.2 (IndicTrans2 issue #128).",
                    loaded.model_id,
                    type(error).__name__,
                    error,
                )
                loaded.use_cache = False
            else:
                loaded.use_cache = True  # it works: later errors are real errors
                return generated
        return loaded.model.generate(**inputs, **options, use_cache=False)


def _decode(tokenizer: Any, generated: Any) -> list[str]:
    # IndicTrans2's tokenizer decodes with its target vocabulary only inside as_target_tokenizer()
    # (without it the text is gibberish); transformers 4.x flags that context as deprecated, which
    # is noise here.
    target_mode = getattr(tokenizer, "as_target_tokenizer", None)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*as_target_tokenizer.*")
        with target_mode() if target_mode is not None else nullcontext():
            texts: list[str] = tokenizer.batch_decode(
                generated.detach().cpu().tolist(),
                skip_special_tokens=True,
                clean_up_tokenization_spaces=True,
            )
    return texts


def _batches(items: Sequence[int], size: int) -> Iterator[list[int]]:
    for first in range(0, len(items), size):
        yield list(items[first : first + size])


# -- sentences and times ---------------------------------------------------------------------


@dataclass
class Sentence:
    """One translation unit: the text of consecutive segments and the span they cover."""

    start: float
    end: float
    text: str
    segment_count: int
    language: str | None = None  # the segments' own language where it is not the film's


def join_sentences(
    segments: Sequence[Segment], pause: float = 0.6, max_chars: int = 300, language: str | None = None
) -> list[Sentence]:
    """Consecutive segments joined into sentences.

    A sentence ends at a segment whose text ends in sentence punctuation, before a gap of
    ``pause`` seconds or more, before a segment in another language (an English line in a Hindi
    film), or before a segment that would take it past ``max_chars`` characters. Spans never
    overlap, even where the ASR's segments did: an overlapping end is pulled back to the next
    sentence's start.
    """
    sentences: list[Sentence] = []
    texts: list[str] = []
    start = end = 0.0
    current_language: str | None = None

    def flush() -> None:
        if texts:
            sentences.append(
                Sentence(round(start, 3), round(end, 3), " ".join(texts), len(texts), current_language)
            )
            texts.clear()

    for segment in segments:
        segment_text = segment.text.strip()
        if not segment_text:
            continue
        joined_length = sum(map(len, texts)) + len(texts)  # with the spaces, and one before the text
        if texts and (
            segment.start - end >= pause
            or joined_length + len(segment_text) > max_chars
            or segment.language != current_language
        ):
            flush()
        if not texts:
            start = segment.start
            current_language = segment.language
        end = max(end, segment.end) if texts else segment.end
        texts.append(segment_text)
        if text.ends_with_sentence(segment_text, segment.language or language):
            flush()
    flush()
    for sentence, following in pairwise(sentences):
        if sentence.end > following.start:
            sentence.end = max(sentence.start, following.start)
    return sentences


def spread_over_sentence(sentence: Sentence, translation: str, max_chars: int = 84) -> list[Segment]:
    """The translation as ordered, back-to-back segments that exactly cover the sentence's span.

    Word times are estimated from text length (:func:`reelsub.contracts.transcript.estimated_words`);
    the text is cut into chunks of at most ``max_chars`` characters, preferably after clause
    punctuation, each chunk one segment timed by its words.
    """
    whole = Segment(start=sentence.start, end=sentence.end, text=translation.strip())
    words = estimated_words(whole)
    if not words:
        return []
    segments = []
    for chunk in _chunk_words(words, max_chars):
        segments.append(
            Segment(
                start=chunk[0].start, end=chunk[-1].end, text=" ".join(w.word for w in chunk), words=chunk
            )
        )
    segments[0].start = segments[0].words[0].start = sentence.start  # exact, not rounded
    segments[-1].end = sentence.end
    return segments


def _chunk_words(words: list[Word], max_chars: int) -> list[list[Word]]:
    chunks: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        while current and _joined_length([*current, word]) > max_chars:
            cut = _best_cut(current, max_chars)
            chunks.append(current[:cut])
            current = current[cut:]
        current.append(word)
    if current:
        chunks.append(current)
    return chunks


def _best_cut(words: list[Word], max_chars: int) -> int:
    """After the last clause punctuation in the second half of the chunk, so that a cue ends
    where a reader pauses; else after the whole chunk."""
    cut, length = len(words), -1
    for index, word in enumerate(words):
        length += 1 + visible_length(word.word)
        if length >= max_chars / 2 and (text.ends_clause(word.word) or text.ends_sentence(word.word)):
            cut = index + 1
    return cut


def _joined_length(words: list[Word]) -> int:
    return visible_length(" ".join(w.word for w in words))


# -- the stage's entry points ----------------------------------------------------------------


def translate_transcript(
    transcript: Transcript,
    target: Language,
    translator: Translator,
    glossary: Sequence[GlossaryTerm] = (),
) -> Transcript:
    """The transcript in ``target``: sentences translated by IndicTrans2 and re-timed by length.

    Sentences already in ``target`` (an English line of a Hindi film, subtitled in English) are
    kept as spoken; sentences in another language than the film's go through that language's
    direction. ``glossary`` terms come out as given (reelsub.glossary).
    """
    film_language = _source_language(transcript, transcript.language)
    settings = translator.settings
    sentences = join_sentences(
        transcript.segments, settings.sentence_pause, settings.max_sentence_chars, transcript.language
    )
    started = time.monotonic()
    translations = [""] * len(sentences)
    routes: dict[str, str] = {}
    devices: set[str] = set()  # where the models of this film's directions ran
    by_source: dict[Language, list[int]] = {}
    for index, sentence in enumerate(sentences):
        language = _source_language(transcript, sentence.language) if sentence.language else film_language
        if language == target:
            translations[index] = sentence.text
        else:
            by_source.setdefault(language, []).append(index)
    for source, indices in by_source.items():
        route = direction(source, target)
        routes[settings.flores(source)] = translator.model_id(route)
        devices.add(translator.model(route).device)
        for index, translation in zip(
            indices,
            translator.translate([sentences[i].text for i in indices], source, target, glossary),
            strict=True,
        ):
            translations[index] = translation
    elapsed = time.monotonic() - started
    segments: list[Segment] = []
    for sentence, translation in zip(sentences, translations, strict=True):
        pieces = spread_over_sentence(sentence, translation, settings.max_chunk_chars)
        if not pieces:
            log.warning(
                "%s: empty translation for %.2f-%.2f s %r",
                transcript.film,
                sentence.start,
                sentence.end,
                sentence.text[:60],
            )
        segments.extend(pieces)
    provenance = Provenance(
        stage="translate",
        engine="indictrans2",
        model=routes.get(settings.flores(film_language)) or next(iter(routes.values()), None),
        versions=package_versions("IndicTransToolkit", "transformers", "torch", "sentencepiece"),
        settings={
            **settings.public(),
            "direction": direction(film_language, target) if film_language != target else None,
            "models_by_source": routes,
            "source": settings.flores(film_language),
            "target": settings.flores(target),
            "sentences": len(sentences),
            # where the models ran; "device" above is what config asked for, and auto may be the CPU
            "device_used": sorted(devices) or None,
            "sentences_kept_as_spoken": sum(
                1 for i in range(len(sentences)) if not any(i in v for v in by_source.values())
            ),
            "seconds": round(elapsed, 2),
            "word_times": "estimated from text length",
            "glossary": [list(term.spellings) for term in glossary],
        },
    )
    return transcript.with_stage(provenance, language=target.id, segments=segments)


def _source_language(transcript: Transcript, code: str) -> Language:
    try:
        return resolve(code)
    except UnknownLanguage as error:
        raise UnsupportedDirection(
            f"{transcript.film}: IndicTrans2 cannot translate from {code!r} ({error}); "
            "translate.engine: whisper translates any language into English"
        ) from error


def translate_with_whisper(
    audio: Path,
    asr_settings: AsrSettings,
    film: str,
    target: Language | str = "en",
    sentence_pause: float = schema_defaults("align")["sentence_pause"],
) -> Transcript:
    """English subtitles straight from the audio with Whisper's ``task="translate"``.

    Whisper translates into English only. ``asr_settings.language`` is the spoken language
    (None: detect). Its segments are fitted to the pauses VAD heard, like the transcript's.
    """
    target_language = resolve(target) if isinstance(target, str) else target
    if not target_language.is_english:
        raise UnsupportedDirection(
            f"Whisper translates into English only, not {target_language.name}; "
            "use translate.engine: indictrans2 for that target"
        )
    if asr_settings.language and _is_english(asr_settings.language):
        raise UnsupportedDirection("the film is in English: there is nothing for Whisper to translate")
    # Word times of a translation come from cross-attention over foreign speech and line up with
    # nothing: the subtitle stage estimates them from text length. No glossary prompt either: a
    # prompt in the source language pulls Whisper towards transcribing instead of translating.
    heard = transcribe(
        audio,
        "whisperx",
        replace(
            asr_settings,
            task="translate",
            word_timestamps=False,
            glossary=[],
            other_languages=[],
            sentence_pause=sentence_pause,
        ),
        film,
    )
    detected = heard.provenance[-1].settings.get("detected_language")
    if detected and _is_english(detected):
        log.warning("%s: Whisper detected English speech; its 'translation' is a transcript", film)
    provenance = replace(heard.provenance[-1], stage="translate")
    fitted = fit_to_speech(heard, sentence_pause)
    return Transcript(
        film=film,
        language=target_language.id,
        duration=heard.duration,
        segments=fitted.segments,
        provenance=[provenance],
        speech=heard.speech,
    )


def _is_english(code: str) -> bool:
    try:
        return resolve(code).is_english
    except UnknownLanguage:
        return False
