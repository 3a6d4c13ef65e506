"""One ASR measurement in a fresh process; prints one JSON line (bench/run.py starts it).

    python bench/asr_worker.py MODE AUDIO [--threads N] [--words OUT.json]

MODE:
  reelsub          reelsub.asr.transcribe, backend whisperx, with the settings the asr rule builds
                   from config/config.yaml + config/demo.yaml (tiny.en, cpu, int8, batch 8, beam 5,
                   asr.layout auto: packed on English speech)
  reelsub-noretry  the same with reelsub.asr.RETRY_PASSES = 0: nothing decoded again (window tails,
                   regions no word fell in): what reelsub costs beyond the library, apart from that
  raw              faster-whisper's BatchedInferencePipeline called directly on the whole file with
                   the same model, device, compute type, threads, batch size and decoding options
                   as reelsub passes it (RAW_OPTIONS below mirrors scripts/reelsub/asr.py)
  raw-default      the same pipeline with the library's defaults (no word timestamps): what
                   "BatchedInferencePipeline bs8" costs out of the box
  raw-timestamps   reelsub's options but without_timestamps=False (timestamp tokens): how
                   reelsub decoded until 2026-11-26
  raw-seq          faster-whisper's sequential WhisperModel.transcribe, same model and decoding
                   options, its own VAD filter with the library's VAD defaults
  reelsub-windows  reelsub with asr.layout: windows (a language-switching film's layout: up to 30 s
                   of audio per window, pauses kept, tails decoded again)
  reelsub-timestamps
                   reelsub with timestamp tokens in every window (as sequential faster-whisper
                   decodes): row c's measure of what that decoding mode would cost or win per group
  reelsub-one-language
                   reelsub with asr.other_languages: [] (no sentence may switch language: the packed
                   layout and no language check): the speed option's cost on a Hindi film, row c
  reelsub-languages-given
                   reelsub's default with each phrase's language given, not heard: the languages a
                   reelsub run wrote to --languages, replayed span by span. On a film whose lines
                   switch language, what reading every line in its language costs with a perfect ear
                   that takes no time: row c's bound for the default's time on the Hindi films

--languages FILE: the reelsub mode writes there the language it heard for each speech region of each
span (reelsub.asr.languages_in_film.region_languages), reelsub-languages-given reads them from there.
Every mode reports what the Whisper model did (ModelWork): windows encoded and decoder tokens
generated, and the seconds of each.

Several AUDIO files may be given (the accuracy corpus): the model is loaded again for each, the
timed seconds are their sum, and --words writes {file stem: {text, words}}.

The timed region is model load + transcription + collecting every segment; interpreter start
and imports are outside it (reported separately as ``import_s``).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STARTED = time.perf_counter()
BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent


DEVICE = "cpu"  # --device: cpu (int8) or cuda (float16, bench/gpu.py)


def asr_settings(threads: int, model: str | None = None, language: str | None = None):
    """The AsrSettings the asr rule's script builds (scripts/asr.py, AsrSettings.from_config): the
    schema's defaults and the demo config (``model`` instead of the demo's tiny.en where given;
    ``language`` as a film sheet's source_lang gives it, None: detected)."""
    import yaml

    from reelsub.asr import AsrSettings

    section = dict(yaml.safe_load((PROJECT / "config" / "demo.yaml").read_text()).get("asr", {}))
    section["device"] = DEVICE
    if model:
        section["model"] = model
    section.pop("threads", None)  # the rule's threads: are ``threads`` here
    return AsrSettings.from_config(section, threads=threads, language=language)


class AsrLogFacts(logging.Handler):
    """Collects from reelsub.asr's log: its "re-decoding N window tail(s), X s" lines, and the
    seconds its language check took (asking each phrase its language, before decoding or after, and
    decoding switched ones after)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.windows, self.seconds = 0, 0.0
        self.language_check_s, self.switched_decode_s, self.read_again_s = 0.0, 0.0, 0.0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        found = re.match(r"re-decoding (\d+) window tail\(s\), ([\d.]+) s", message)
        if found:
            self.windows += int(found.group(1))
            self.seconds += float(found.group(2))
        found = re.match(r"language check: .* asked in ([\d.]+) s\b.* decoded in it in ([\d.]+) s", message)
        if found:
            self.language_check_s += float(found.group(1))
            self.switched_decode_s += float(found.group(2))
        found = re.match(
            r"language check: .* line read partly in its letters, decoded again in ([\d.]+) s", message
        )
        if found:
            self.read_again_s += float(found.group(1))
        # the default, where lines may switch language: phrases asked before decoding
        found = re.match(r"languages heard before decoding: \d+ phrase\(s\) asked in ([\d.]+) s", message)
        if found:
            self.language_check_s += float(found.group(1))


@dataclass
class ModelWork:
    """What the Whisper model did in this process, counted at CTranslate2's calls (every engine
    call faster-whisper makes goes through them): a language's cost is its encoder windows and its
    decoder tokens, and those are what a decoder that reads more lines must spend more of."""

    windows_encoded: int = 0
    encoder_s: float = 0.0
    decoder_tokens: int = 0  # the best hypothesis's tokens, summed over every window decoded
    decoder_s: float = 0.0
    language_steps: int = 0  # detect_language calls (one decoder step over a batch of windows)

    def facts(self) -> dict:
        return {
            "windows_encoded": self.windows_encoded,
            "encoder_s": round(self.encoder_s, 3),
            "decoder_tokens": self.decoder_tokens,
            "decoder_s": round(self.decoder_s, 3),
            "language_steps": self.language_steps,
        }


class CountingWhisper:
    """A CTranslate2 Whisper model that counts its work into a ModelWork (see count_model_work)."""

    def __init__(self, model: Any, work: ModelWork) -> None:
        self._model, self._work = model, work

    def __getattr__(self, name: str) -> Any:
        return getattr(self._model, name)

    def encode(self, features: Any, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        encoded = self._model.encode(features, *args, **kwargs)
        self._work.encoder_s += time.perf_counter() - started
        self._work.windows_encoded += int(encoded.shape[0])
        return encoded

    def generate(self, *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        results = self._model.generate(*args, **kwargs)
        self._work.decoder_s += time.perf_counter() - started
        self._work.decoder_tokens += sum(len(r.sequences_ids[0]) for r in results if r.sequences_ids)
        return results

    def detect_language(self, *args: Any, **kwargs: Any) -> Any:
        self._work.language_steps += 1
        return self._model.detect_language(*args, **kwargs)


def count_model_work() -> ModelWork:
    """Every faster-whisper WhisperModel made in this process counts its work into the ModelWork
    returned (a few microseconds a call, in every mode alike)."""
    from faster_whisper import WhisperModel

    work = ModelWork()
    made = WhisperModel.__init__

    def counting(self, *args, **kwargs):
        made(self, *args, **kwargs)
        self.model = CountingWhisper(self.model, work)

    WhisperModel.__init__ = counting  # type: ignore[method-assign]
    return work


class GivenLanguages:
    """The language of each speech region of each span, as reelsub's default heard it
    (``record``) or given to it instead of hearing (``replay``), per audio file: what the
    reelsub-languages-given mode decodes with."""

    def __init__(self) -> None:
        self.audio = ""  # the stem of the file being transcribed
        self.spans: dict[str, list[list[str | None]]] = {}
        self.recording_to: Path | None = None

    def record(self, path: Path) -> None:
        """Record what the default hears, for :meth:`save` to write to ``path``."""
        from reelsub.asr import languages_in_film

        self.recording_to = path
        heard = languages_in_film.region_languages

        def recorded(*args, **kwargs):
            spoken = heard(*args, **kwargs)
            self.spans.setdefault(self.audio, []).append(list(spoken))
            return spoken

        languages_in_film.region_languages = recorded

    def save(self) -> None:
        if self.recording_to:
            self.recording_to.write_text(json.dumps(self.spans))

    def replay(self, path: Path) -> None:
        from reelsub.asr import languages_in_film

        self.spans = json.loads(path.read_text())

        def given(decoder, audio, samples, span, group, regions, *rest, **kwargs):
            spans = self.spans.get(self.audio) or []
            if not spans or len(spans[0]) != len(regions):
                raise SystemExit(
                    f"{path}: no languages recorded for {self.audio}'s span at {span.start:.1f} s with "
                    f"{len(regions)} region(s): run the reelsub mode with --languages first"
                )
            return spans.pop(0)

        languages_in_film.region_languages = given


def set_retry_passes(passes: int) -> None:
    """reelsub's RETRY_PASSES, in every asr module that holds it (faster_whisper.py imports the name
    from windows.py, so both are set; the engine module is loaded lazily, so load it first)."""
    import importlib

    for name in ("reelsub.asr.windows", "reelsub.asr.faster_whisper"):
        importlib.import_module(name)
    found = False
    for name, module in list(sys.modules.items()):
        if (name == "reelsub.asr" or name.startswith("reelsub.asr.")) and hasattr(module, "RETRY_PASSES"):
            module.RETRY_PASSES = passes
            found = True
    if not found:
        raise SystemExit("reelsub.asr has no RETRY_PASSES any more: update bench/asr_worker.py")


def use_timestamp_tokens() -> None:
    """Every BatchedInferencePipeline.transcribe call in this process decodes with timestamp tokens,
    whatever its caller asks (reelsub asks for none where it has word times)."""
    from faster_whisper import BatchedInferencePipeline

    library_transcribe = BatchedInferencePipeline.transcribe

    def with_timestamp_tokens(self, *args, **kwargs):
        kwargs["without_timestamps"] = False
        return library_transcribe(self, *args, **kwargs)

    BatchedInferencePipeline.transcribe = with_timestamp_tokens  # type: ignore[method-assign]


def reelsub_transcript(
    audio: Path,
    threads: int,
    model: str | None = None,
    layout: str | None = None,
    language: str | None = None,
    one_language: bool = False,
):
    """reelsub.asr.transcribe with the asr rule's settings (asr_settings), and what its log said
    while it ran (AsrLogFacts). ``one_language``: asr.other_languages [] instead of the schema's."""
    from reelsub.asr import transcribe

    settings = asr_settings(threads, model, language)
    if layout:
        settings.layout = layout
    if one_language:
        settings.other_languages = []
    facts = AsrLogFacts()
    asr_log = logging.getLogger("reelsub.asr")
    asr_log.setLevel(logging.INFO)
    asr_log.addHandler(facts)
    try:
        return transcribe(audio, "whisperx", settings, audio.stem), facts
    finally:
        asr_log.removeHandler(facts)


def run_reelsub(
    audio: Path,
    threads: int,
    extra: dict,
    model: str | None = None,
    layout: str | None = None,
    language: str | None = None,
    one_language: bool = False,
):
    transcript, redecode = reelsub_transcript(audio, threads, model, layout, language, one_language)
    words = [(w.start, w.end, w.word) for w in transcript.words()]
    settings_out = transcript.provenance[0].settings
    extra.update(
        redecoded_windows=settings_out.get(
            "redecoded_windows", redecode.windows
        ),  # tails and unheard regions
        redecoded_s=redecode.seconds,
        language_check_s=redecode.language_check_s,
        switched_decode_s=redecode.switched_decode_s,
        read_again_s=redecode.read_again_s,
        speech_s=settings_out.get("speech_seconds"),
        segments=len(transcript.segments),
        windows_decoded=settings_out.get("windows_decoded"),
    )
    return transcript.duration, " ".join(s.text for s in transcript.segments), words


def raw_options(settings, timestamp_tokens: bool = False) -> dict:
    """The decoding options reelsub.asr's _BatchedDecoder passes, minus its own VAD windows."""
    return dict(
        language=settings.language,
        batch_size=settings.batch_size,
        beam_size=settings.beam_size,
        vad_filter=settings.vad_filter,
        word_timestamps=settings.word_timestamps,
        no_speech_threshold=settings.no_speech_threshold,
        log_prob_threshold=settings.log_prob_threshold,
        compression_ratio_threshold=settings.compression_ratio_threshold,
        condition_on_previous_text=settings.condition_on_previous_text,
        # reelsub decodes without timestamp tokens when it has word times (it cuts sentences itself)
        without_timestamps=settings.word_timestamps and not timestamp_tokens,
    )


def load_model(settings, threads: int):
    from faster_whisper import WhisperModel

    from reelsub.models import resolve_whisper_model

    folder = resolve_whisper_model(settings.model)
    return WhisperModel(
        folder,
        device=settings.device,
        compute_type=settings.compute_type,
        cpu_threads=threads,
        local_files_only=True,
    )


def run_raw(
    audio: Path,
    threads: int,
    extra: dict,
    defaults: bool,
    timestamp_tokens: bool = False,
    model_name: str | None = None,
    sequential: bool = False,
    language: str | None = None,
):
    from faster_whisper import BatchedInferencePipeline

    settings = asr_settings(threads, model_name, language)
    model = load_model(settings, threads)
    options = {"batch_size": settings.batch_size} if defaults else raw_options(settings, timestamp_tokens)
    if sequential:  # WhisperModel.transcribe has no batch_size; timestamp tokens are its own way
        options.pop("batch_size")
        options["without_timestamps"] = False
    extra["options"] = options
    engine = model if sequential else BatchedInferencePipeline(model)
    segments, info = engine.transcribe(str(audio), **options)
    segments = list(segments)
    words = [(w.start, w.end, w.word) for s in segments for w in (s.words or [])]
    extra["segments"] = len(segments)
    return info.duration, " ".join(s.text.strip() for s in segments), words


MODES = (
    "reelsub",
    "reelsub-noretry",
    "raw",
    "raw-default",
    "raw-timestamps",
    "raw-seq",
    "reelsub-windows",
    "reelsub-timestamps",
    "reelsub-one-language",
    "reelsub-languages-given",
)


def transcribe_one(
    mode: str, audio: Path, threads: int, model: str | None, extra: dict, language: str | None = None
):
    if mode.startswith("reelsub"):
        return run_reelsub(
            audio,
            threads,
            extra,
            model,
            layout="windows" if mode == "reelsub-windows" else None,
            language=language,
            one_language=mode == "reelsub-one-language",
        )
    return run_raw(
        audio,
        threads,
        extra,
        mode == "raw-default",
        timestamp_tokens=mode == "raw-timestamps",
        model_name=model,
        sequential=mode == "raw-seq",
        language=language,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=MODES)
    parser.add_argument("audio", type=Path, nargs="+")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--model", help="Whisper model instead of the demo config's (tiny.en), e.g. base")
    parser.add_argument(
        "--language", help="the film's language (a film sheet's source_lang); default: detected"
    )
    parser.add_argument("--words", type=Path, help="write text and word times here")
    parser.add_argument("--device", choices=("cpu", "cuda"), default="cpu")
    parser.add_argument(
        "--languages",
        type=Path,
        help="reelsub: write each region's heard language here; reelsub-languages-given: read them",
    )
    args = parser.parse_args()
    global DEVICE
    DEVICE = args.device
    # Imports first (outside the timed region for every mode alike).
    import faster_whisper  # noqa: F401

    import reelsub.asr  # noqa: F401

    if args.mode == "reelsub-noretry":
        set_retry_passes(0)
    if args.mode == "reelsub-timestamps":
        use_timestamp_tokens()
    work = count_model_work()
    languages = GivenLanguages()
    if args.languages and args.mode == "reelsub":
        languages.record(args.languages)
    elif args.mode == "reelsub-languages-given":
        if not args.languages:
            parser.error("reelsub-languages-given needs --languages (written by a reelsub run)")
        languages.replay(args.languages)
    extra: dict = {}
    written: dict = {}
    before, cpu_before = time.perf_counter(), time.process_time()
    duration = 0.0
    word_count = 0
    for audio in args.audio:
        languages.audio = audio.stem
        seconds_of, text, words = transcribe_one(
            args.mode, audio, args.threads, args.model, extra, args.language
        )
        duration += seconds_of
        word_count += len(words)
        written[audio.stem] = {"text": text, "words": words}
    seconds = time.perf_counter() - before
    # CPU seconds of every thread of this process: on a machine shared with other work, wall time
    # measures the neighbours too; CPU time mostly the work
    cpu_seconds = time.process_time() - cpu_before
    languages.save()
    if args.words:
        single = len(args.audio) == 1
        args.words.write_text(json.dumps(written[args.audio[0].stem] if single else written))
    print(
        json.dumps(
            {
                "mode": args.mode,
                "seconds": seconds,
                "cpu_s": cpu_seconds,
                "import_s": before - STARTED,
                "audio_s": duration,
                "rtf": seconds / max(duration, 1e-9),
                "words": word_count,
                "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                **extra,
                **work.facts(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
