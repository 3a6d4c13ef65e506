"""One ASR measurement in a fresh process; prints one JSON line (bench/run.py starts it).

    python bench/asr_worker.py MODE AUDIO [--threads N] [--words OUT.json]

MODE:
  reelsub          reelsub.asr.transcribe, backend whisperx, with the settings the asr rule builds
                   from config/config.yaml + config/demo.yaml (tiny.en, cpu, int8, batch 8, beam 5)
  reelsub-noretry  the same with reelsub.asr.RETRY_PASSES = 0: no re-decoding of window tails
                   (what reelsub costs beyond the library, apart from that repair)
  raw              faster-whisper's BatchedInferencePipeline called directly on the whole file with
                   the same model, device, compute type, threads, batch size and decoding options
                   as reelsub passes it (RAW_OPTIONS below mirrors scripts/reelsub/asr.py)
  raw-default      the same pipeline with the library's defaults (no word timestamps): what
                   "BatchedInferencePipeline bs8" costs out of the box
  raw-timestamps   reelsub's options but without_timestamps=False (timestamp tokens): how
                   reelsub decoded until 2026-11-26

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
from pathlib import Path

STARTED = time.perf_counter()
BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path.insert(0, str(PROJECT / "scripts"))


def asr_settings(threads: int):
    """The AsrSettings the asr rule's script builds (scripts/asr.py), from the demo config."""
    import yaml

    from reelsub.asr import AsrSettings
    from reelsub.settings import settings_from

    config = yaml.safe_load((PROJECT / "config" / "config.yaml").read_text())["asr"]
    config.update(yaml.safe_load((PROJECT / "config" / "demo.yaml").read_text()).get("asr", {}))
    return settings_from(AsrSettings, config, device="cpu", compute_type="int8", cpu_threads=threads)


class RedecodeLog(logging.Handler):
    """Collects reelsub.asr's "re-decoding N window tail(s), X s" lines."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.windows, self.seconds = 0, 0.0

    def emit(self, record: logging.LogRecord) -> None:
        found = re.match(r"re-decoding (\d+) window tail\(s\), ([\d.]+) s", record.getMessage())
        if found:
            self.windows += int(found.group(1))
            self.seconds += float(found.group(2))


def run_reelsub(audio: Path, threads: int, extra: dict):
    from reelsub.asr import transcribe

    settings = asr_settings(threads)
    redecode = RedecodeLog()
    asr_log = logging.getLogger("reelsub.asr")
    asr_log.setLevel(logging.INFO)
    asr_log.addHandler(redecode)
    transcript = transcribe(audio, "whisperx", settings, audio.stem)
    words = [(w.start, w.end, w.word) for w in transcript.words()]
    settings_out = transcript.provenance[0].settings
    extra.update(redecoded_windows=redecode.windows, redecoded_s=redecode.seconds,
                 speech_s=settings_out.get("speech_seconds"), segments=len(transcript.segments))
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


def run_raw(audio: Path, threads: int, extra: dict, defaults: bool, timestamp_tokens: bool = False):
    from faster_whisper import BatchedInferencePipeline, WhisperModel

    from reelsub.models import resolve_whisper_model

    settings = asr_settings(threads)
    folder = resolve_whisper_model(settings.model)
    model = WhisperModel(folder, device="cpu", compute_type="int8", cpu_threads=threads, local_files_only=True)
    pipeline = BatchedInferencePipeline(model)
    options = {"batch_size": settings.batch_size} if defaults else raw_options(settings, timestamp_tokens)
    extra["options"] = options
    segments, info = pipeline.transcribe(str(audio), **options)
    segments = list(segments)
    words = [(w.start, w.end, w.word) for s in segments for w in (s.words or [])]
    extra["segments"] = len(segments)
    return info.duration, " ".join(s.text.strip() for s in segments), words


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=("reelsub", "reelsub-noretry", "raw", "raw-default", "raw-timestamps"))
    parser.add_argument("audio", type=Path)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--words", type=Path, help="write text and word times here")
    args = parser.parse_args()
    # Imports first (outside the timed region for every mode alike).
    import faster_whisper  # noqa: F401
    import reelsub.asr  # noqa: F401

    extra: dict = {}
    before = time.perf_counter()
    if args.mode.startswith("reelsub"):
        if args.mode == "reelsub-noretry":
            import reelsub.asr

            reelsub.asr.RETRY_PASSES = 0
        duration, text, words = run_reelsub(args.audio, args.threads, extra)
    else:
        duration, text, words = run_raw(args.audio, args.threads, extra, args.mode == "raw-default",
                                        timestamp_tokens=args.mode == "raw-timestamps")
    seconds = time.perf_counter() - before
    if args.words:
        args.words.write_text(json.dumps({"text": text, "words": words}))
    print(json.dumps({
        "mode": args.mode,
        "seconds": seconds,
        "import_s": before - STARTED,
        "audio_s": duration,
        "rtf": seconds / max(duration, 1e-9),
        "words": len(words),
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        **extra,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
