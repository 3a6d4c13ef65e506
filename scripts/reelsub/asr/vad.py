"""Where speech is heard: Silero VAD (the copy bundled with faster-whisper), one search for two uses.

- *Heard speech* (barely padded) is recorded in the transcript (``Transcript.speech``): it is the
  acoustic evidence of pauses that Whisper's word times run over (reelsub.pauses), of cues shown
  over no speech (QC), and the report's speech timeline.
- *Decoding regions* are the same regions padded the way faster-whisper pads them for decoding
  (VadOptions.speech_pad_ms, 400 ms): Whisper needs a little air around the first and last word.
  Padding 0.4 s on each side would close every pause under 0.8 s, which is why the transcript
  keeps the heard regions, not these.
- *How quiet the pauses are* (:func:`pause_level`): the packed layout keeps more of a quiet pause
  than of a noisy one (:func:`packed_pad`).
"""

from __future__ import annotations

import json
import logging
import math
import os
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from reelsub.asr.audio import PcmAudio
from reelsub.contracts.transcript import SpeechRegion
from reelsub.media import SAMPLE_RATE

log = logging.getLogger(__name__)

WINDOW_S = 30.0  # Whisper's context: no speech region is longer
VAD_CHUNK_S = 600  # speech is searched for 10 minutes of audio at a time, so memory stays flat
HEARD_PAD_S = 0.05  # Silero's edges trail the sound by a few tens of ms: a cue may show that early
DECODE_PAD_S = 0.4  # faster-whisper's own padding for decoding
# Packed speech keeps up to twice this of a pause where the film's pauses are quiet: Whisper reads
# sentences apart better when it hears them apart (issue 24, bench row c, tiny.en): WER on row 1's
# real speech 11.0% -> 8.8%, the narration films 3.9% -> 2.9%, the pyannote conversation 18.5% ->
# 12.3%, at the same speed. Where the pauses are noise (speech 0-10 dB above them), more of them
# costs words (the noisy narration films: 251 -> 271), so a noisy film keeps DECODE_PAD_S.
QUIET_PAUSE_PAD_S = 0.75
QUIET_PAUSE_DB = 20.0  # pauses this far below the speech are quiet (measured: clean 23-160 dB, noisy 2-9)
PAUSE_SAMPLES = 200  # pauses measured at most, spread over the film: the level costs a few reads
PAUSE_READ_S = 1.0  # audio read on each side of a pause's start (the speech's end, the pause's start)
MIN_SILENCE_MS = 160  # shorter silences do not part two regions (faster-whisper's batched default)
# What one search worker holds at its peak: a 10-minute chunk through Silero, whose batch of 10,000
# windows is most of it (measured 354 MB; faster-whisper's imports are 64 MB of that).
SEARCH_WORKER_MB = 400


def search_workers(threads: int, mem_mb: int) -> int:
    """How many processes search for speech: one per thread, as many as the memory the asr rule
    declares holds beside what this process holds already (the model is loaded first)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux, bytes on macOS
    held_mb = peak // (1024 * 1024 if sys.platform == "darwin" else 1024)
    return max(1, min(threads, (mem_mb - held_mb) // SEARCH_WORKER_MB))


def last_whole_ms(duration: float) -> float:
    """The audio's end on the millisecond grid that region times are kept on, rounded down.

    Rounded to the nearest millisecond, speech running to the end of the audio ended after its
    last sample: a 0.5 s film with 44.1 kHz sound demuxes to 8174 samples (0.510875 s), its speech
    ended at 0.511 s, and faster-whisper, asked to decode more audio than it was given, stopped on
    ``AssertionError: non-negative timestamp expected``."""
    return math.floor(round(duration * 1000, 6)) / 1000


def _vad() -> ModuleType:
    try:
        from faster_whisper import vad as silero
    except ImportError as error:  # every asr env installs it: say so rather than hear no speech
        raise ImportError(
            f"asr.vad_filter needs faster-whisper's Silero VAD, which cannot be imported here ({error}): "
            "install faster-whisper as envs/mlx.yaml and envs/whisperx.yaml pin it, "
            "or set asr.vad_filter: false"
        ) from error
    module: ModuleType = silero
    return module


def _options() -> Any:
    return _vad().VadOptions(
        min_silence_duration_ms=MIN_SILENCE_MS,
        # padded for decoding, a region must still fit one window
        max_speech_duration_s=WINDOW_S - 2 * DECODE_PAD_S,
        speech_pad_ms=HEARD_PAD_S * 1000,
    )


def search_chunk(path: Path, chunk_start: int, chunk_s: int = VAD_CHUNK_S) -> list[tuple[int, int]]:
    """Silero's regions in ``chunk_s`` of the audio from ``chunk_start`` (seconds), as sample
    offsets into the chunk. A program of its own (it opens the file): the chunks of a film are
    searched in parallel, each in a process, and give what one process gives, to the sample."""
    with PcmAudio(path) as audio:
        samples = audio.read(chunk_start, chunk_start + chunk_s)
    return [(found["start"], found["end"]) for found in _vad().get_speech_timestamps(samples, _options())]


def heard_speech(audio: PcmAudio, workers: int = 1, chunk_s: int = VAD_CHUNK_S) -> list[SpeechRegion]:
    """Speech regions of the whole soundtrack, searched ``chunk_s`` at a time; with ``workers``
    above 1, in that many processes at once (Silero runs on one CPU thread: a 2-hour film's search
    was two thirds of the ASR stage's time on a GPU). The chunks are joined in film order the same
    way either way, so the regions are the same.

    The workers are programs of their own (``python -m reelsub.asr.vad``), not multiprocessing's:
    its spawned children import the caller's main module again, which for a Snakemake ``script:``
    is its preamble, and for a script without a main guard starts the search over."""
    _vad()  # an env without the VAD fails here, naming the fix, not in a worker
    chunk_starts = list(range(0, math.ceil(audio.duration), chunk_s))
    workers = max(1, min(workers, len(chunk_starts)))
    if workers == 1:
        return _joined(
            audio, chunk_starts, chunk_s, (search_chunk(audio.path, s, chunk_s) for s in chunk_starts)
        )
    log.info("speech search: %d chunks of %d s in %d processes", len(chunk_starts), chunk_s, workers)
    return _joined(
        audio, chunk_starts, chunk_s, searched_in_workers(audio.path, chunk_starts, chunk_s, workers)
    )


def searched_in_workers(
    path: Path, chunk_starts: list[int], chunk_s: int, workers: int
) -> Iterator[list[tuple[int, int]]]:
    """Each chunk's regions, in film order, from ``workers`` processes taking every n-th chunk."""
    # The workers import what this process imports, from where it imports it (a Snakemake script
    # extends sys.path at run time; so does a bench runner).
    folders = [str(Path(__file__).resolve().parents[2]), *(p for p in sys.path if p and Path(p).is_dir())]
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(dict.fromkeys(folders))}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "reelsub.asr.vad",
                str(path),
                str(chunk_s),
                *map(str, chunk_starts[first::workers]),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=environment,
            text=True,
        )
        for first in range(workers)
    ]
    found: dict[int, list[tuple[int, int]]] = {}
    problems = []
    for process in processes:
        out, err = process.communicate()
        if process.returncode != 0:
            problems.append(
                err.strip().splitlines()[-1] if err.strip() else f"exit status {process.returncode}"
            )
            continue
        for line in out.splitlines():
            chunk = json.loads(line)
            found[chunk["start"]] = [(first, last) for first, last in chunk["regions"]]
    if problems:
        raise RuntimeError(f"{path}: the speech search failed in a worker: {'; '.join(problems)}")
    return (found[start] for start in chunk_starts)


def main() -> None:
    """A worker: python -m reelsub.asr.vad AUDIO CHUNK_S START...; one JSON line per chunk."""
    path, chunk_s, *starts = sys.argv[1:]
    for start in map(int, starts):
        print(
            json.dumps({"start": start, "regions": search_chunk(Path(path), start, int(chunk_s))}), flush=True
        )


def _joined(
    audio: PcmAudio, chunk_starts: list[int], chunk_s: int, found: Iterable[list[tuple[int, int]]]
) -> list[SpeechRegion]:
    """The chunks' regions in seconds, on the millisecond grid, one region where a chunk edge cut one."""
    regions: list[SpeechRegion] = []
    audio_end = last_whole_ms(audio.duration)
    for chunk_start, chunk in zip(chunk_starts, found, strict=True):
        for first, last in chunk:
            start = round(chunk_start + first / SAMPLE_RATE, 3)
            end = min(audio_end, round(chunk_start + last / SAMPLE_RATE, 3))
            if end <= start:  # under a millisecond, at the very end of the audio
                continue
            if regions and start <= regions[-1].end:  # a region cut at a chunk edge
                regions[-1] = SpeechRegion(regions[-1].start, end)
            else:
                regions.append(SpeechRegion(start, end))
        if audio.duration > chunk_s:
            log.info(
                "speech search: %.0f / %.0f s", min(chunk_start + chunk_s, audio.duration), audio.duration
            )
    return regions


@dataclass(frozen=True)
class PauseLevel:
    """The loudness (dBFS, RMS) of the speech just before the film's pauses, and of the pauses."""

    speech_db: float
    pause_db: float

    @property
    def quiet(self) -> bool:
        return self.speech_db - self.pause_db >= QUIET_PAUSE_DB


def _db(energy: float) -> float:
    return round(10 * math.log10(max(energy, 1e-18)), 1)


def pause_level(audio: PcmAudio, heard: list[SpeechRegion]) -> PauseLevel | None:
    """How loud the film's pauses between heard regions are against its speech: the median over
    up to PAUSE_SAMPLES pauses spread over the film of each one's first PAUSE_READ_S, and of the
    speech's last PAUSE_READ_S before it (a median: a word VAD missed in one pause, or one shout,
    does not make the film noisy or quiet). None: no pause of 0.1 s or more."""
    import statistics

    import numpy as np

    def level(samples: Any) -> float:
        return _db(float(np.mean(np.square(samples)))) if samples.size else _db(0.0)

    pauses = [
        (before, after)
        for before, after in zip(heard, heard[1:], strict=False)
        if after.start - before.end >= 0.1
    ]
    if not pauses:
        return None
    speech_db, pause_db = [], []
    for before, after in pauses[:: max(1, len(pauses) // PAUSE_SAMPLES)]:
        speech_db.append(level(audio.read(max(before.start, before.end - PAUSE_READ_S), before.end)))
        pause_db.append(level(audio.read(before.end, min(after.start, before.end + PAUSE_READ_S))))
    return PauseLevel(statistics.median(speech_db), statistics.median(pause_db))


def packed_pad(level: PauseLevel | None) -> float:
    """The decoding pad of the packed layout: QUIET_PAUSE_PAD_S where the pauses are quiet,
    faster-whisper's DECODE_PAD_S where they are noisy or the film has none."""
    return QUIET_PAUSE_PAD_S if level is not None and level.quiet else DECODE_PAD_S


def decoding_regions(
    heard: list[SpeechRegion], duration: float, pad: float = DECODE_PAD_S
) -> list[SpeechRegion]:
    """Heard speech padded for decoding: ``pad`` on each side of Silero's edges, or half the
    silence where two regions are closer than two pads (as faster-whisper's VAD pads), clipped
    to the audio's last whole millisecond (:func:`last_whole_ms`); a padded region still fits one
    window (a wider ``pad`` than DECODE_PAD_S is cut short around the longest regions). Heard
    regions already carry HEARD_PAD_S, so only the rest is added: padding them by the whole
    ``pad`` gave every region 0.45 s of air, not faster-whisper's 0.4 s, and decoded slightly
    different audio from the raw engine's."""
    pad = max(0.0, pad - HEARD_PAD_S)
    audio_end = last_whole_ms(duration)
    padded: list[SpeechRegion] = []
    for index, region in enumerate(heard):
        before = region.start - heard[index - 1].end if index else math.inf
        after = heard[index + 1].start - region.end if index + 1 < len(heard) else math.inf
        room = max(0.0, (WINDOW_S - region.duration) / 2)
        start = max(0.0, region.start - min(pad, before / 2, room))
        end = min(audio_end, round(region.end + min(pad, after / 2, room), 3))
        if end > start:
            padded.append(SpeechRegion(round(start, 3), end))
    return padded


if __name__ == "__main__":
    main()
