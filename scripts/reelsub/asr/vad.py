"""Where speech is heard: Silero VAD (the copy bundled with faster-whisper), one search for two uses.

- *Heard speech* (barely padded) is recorded in the transcript (``Transcript.speech``): it is the
  acoustic evidence of pauses that Whisper's word times run over (reelsub.pauses), of cues shown
  over no speech (QC), and the report's speech timeline.
- *Decoding regions* are the same regions padded the way faster-whisper pads them for decoding
  (VadOptions.speech_pad_ms, 400 ms): Whisper needs a little air around the first and last word.
  Padding 0.4 s on each side would close every pause under 0.8 s, which is why the transcript
  keeps the heard regions, not these.
"""

from __future__ import annotations

import logging
import math

from reelsub.asr.audio import PcmAudio
from reelsub.contracts.transcript import SpeechRegion
from reelsub.media import SAMPLE_RATE

log = logging.getLogger(__name__)

WINDOW_S = 30.0  # Whisper's context: no speech region is longer
VAD_CHUNK_S = 600  # speech is searched for 10 minutes of audio at a time, so memory stays flat
HEARD_PAD_S = 0.05  # Silero's edges trail the sound by a few tens of ms: a cue may show that early
DECODE_PAD_S = 0.4  # faster-whisper's own padding for decoding
MIN_SILENCE_MS = 160  # shorter silences do not part two regions (faster-whisper's batched default)


def last_whole_ms(duration: float) -> float:
    """The audio's end on the millisecond grid that region times are kept on, rounded down.

    Rounded to the nearest millisecond, speech running to the end of the audio ended after its
    last sample: a 0.5 s film with 44.1 kHz sound demuxes to 8174 samples (0.510875 s), its speech
    ended at 0.511 s, and faster-whisper, asked to decode more audio than it was given, stopped on
    ``AssertionError: non-negative timestamp expected``."""
    return math.floor(round(duration * 1000, 6)) / 1000


def heard_speech(audio: PcmAudio) -> list[SpeechRegion]:
    """Speech regions of the whole soundtrack, searched one VAD_CHUNK_S at a time."""
    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps
    except ImportError as error:  # every asr env installs it: say so rather than hear no speech
        raise ImportError(
            f"asr.vad_filter needs faster-whisper's Silero VAD, which cannot be imported here ({error}): "
            "install faster-whisper as envs/mlx.yaml and envs/whisperx.yaml pin it, "
            "or set asr.vad_filter: false"
        ) from error

    options = VadOptions(
        min_silence_duration_ms=MIN_SILENCE_MS,
        # padded for decoding, a region must still fit one window
        max_speech_duration_s=WINDOW_S - 2 * DECODE_PAD_S,
        speech_pad_ms=HEARD_PAD_S * 1000,
    )
    regions: list[SpeechRegion] = []
    audio_end = last_whole_ms(audio.duration)
    for chunk_start in range(0, math.ceil(audio.duration), VAD_CHUNK_S):
        samples = audio.read(chunk_start, chunk_start + VAD_CHUNK_S)
        for found in get_speech_timestamps(samples, options):
            start = round(chunk_start + found["start"] / SAMPLE_RATE, 3)
            end = min(audio_end, round(chunk_start + found["end"] / SAMPLE_RATE, 3))
            if end <= start:  # under a millisecond, at the very end of the audio
                continue
            if regions and start <= regions[-1].end:  # a region cut at a chunk edge
                regions[-1] = SpeechRegion(regions[-1].start, end)
            else:
                regions.append(SpeechRegion(start, end))
        if audio.duration > VAD_CHUNK_S:
            log.info(
                "speech search: %.0f / %.0f s", min(chunk_start + VAD_CHUNK_S, audio.duration), audio.duration
            )
    return regions


def decoding_regions(
    heard: list[SpeechRegion], duration: float, pad: float = DECODE_PAD_S
) -> list[SpeechRegion]:
    """Heard speech padded for decoding: ``pad`` on each side of Silero's edges, or half the
    silence where two regions are closer than two pads (as faster-whisper's VAD pads), clipped
    to the audio's last whole millisecond (:func:`last_whole_ms`). Heard regions already carry HEARD_PAD_S, so only the rest is added: padding
    them by the whole ``pad`` gave every region 0.45 s of air, not faster-whisper's 0.4 s, and
    decoded slightly different audio from the raw engine's."""
    pad = max(0.0, pad - HEARD_PAD_S)
    audio_end = last_whole_ms(duration)
    padded: list[SpeechRegion] = []
    for index, region in enumerate(heard):
        before = region.start - heard[index - 1].end if index else math.inf
        after = heard[index + 1].start - region.end if index + 1 < len(heard) else math.inf
        start = max(0.0, region.start - min(pad, before / 2))
        end = min(audio_end, round(region.end + min(pad, after / 2), 3))
        if end > start:
            padded.append(SpeechRegion(round(start, 3), end))
    return padded
