"""Films made on the spot: synthetic picture plus real, espeak-ng or Kokoro speech.

The demo, the tests and the benchmark all need films whose spoken words and their times are
known. Speech comes from recordings (jfk.flac), espeak-ng narration, or (for Indian languages, which
Whisper does not recognise in espeak-ng's own voice) Kokoro-82M speaking espeak-ng's phonemes
(testkit.kokoro_tts, loaded only when a part asks for it). Silence between parts is exact, so the
start of every part is ground truth for timing checks.
"""

from __future__ import annotations

import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reelsub.contracts.base import atomic_output
from reelsub.media import SAMPLE_RATE, decode_to_pcm, run_tool


@dataclass(frozen=True)
class Speech:
    """A piece of the soundtrack: spoken text, a recording, or silence.

    Text is spoken by espeak-ng in `voice` (an espeak-ng voice or language), or, with
    engine="kokoro", by Kokoro-82M voice `speaker` reading espeak-ng's `voice` phonemes at `speed`.
    """

    text: str | None = None
    recording: Path | None = None
    silence: float = 0.0
    voice: str = "en-us"
    words_per_minute: int = 150
    engine: str = "espeak"  # or "kokoro"
    speaker: str = "jf_nezumi"  # Kokoro voice; see testkit.kokoro_tts.VOICES
    speed: float = 1.0  # Kokoro speaking rate

    def __post_init__(self) -> None:
        if self.engine not in ("espeak", "kokoro"):
            raise ValueError(f"speech engine {self.engine!r} is neither 'espeak' nor 'kokoro'")


@dataclass(frozen=True)
class PlacedSpeech:
    start: float
    end: float
    text: str | None


def speak(text: str, wav: Path, voice: str = "en-us", words_per_minute: int = 150) -> None:
    run_tool(
        ["espeak-ng", "-v", voice, "-s", str(words_per_minute), "-w", str(wav), text], f"espeak-ng {voice}"
    )


def wav_duration(path: Path) -> float:
    with wave.open(str(path), "rb") as stream:
        return stream.getnframes() / stream.getframerate()


def build_soundtrack(parts: Sequence[Speech], wav: Path, scratch: Path) -> list[PlacedSpeech]:
    """Concatenate the parts as 16 kHz mono PCM; return where each spoken part starts and ends."""
    pieces: list[Path] = []
    placed: list[PlacedSpeech] = []
    cursor = 0.0
    for number, part in enumerate(parts):
        piece = scratch / f"part{number:04d}.wav"
        if part.text is not None and part.engine == "kokoro":
            from testkit import kokoro_tts  # onnxruntime only where Kokoro speech is asked for

            kokoro_tts.speak(part.text, piece, part.voice, part.speaker, part.speed, SAMPLE_RATE)
        elif part.text is not None:
            raw = scratch / f"raw{number:04d}.wav"
            speak(part.text, raw, part.voice, part.words_per_minute)
            _to_pcm(raw, piece)
        elif part.recording is not None:
            _to_pcm(part.recording, piece)
        else:
            run_tool(
                [
                    "ffmpeg",
                    "-nostdin",
                    "-v",
                    "error",
                    "-y",
                    "-f",
                    "lavfi",
                    "-i",
                    f"anullsrc=r={SAMPLE_RATE}:cl=mono",
                    "-t",
                    f"{part.silence:.3f}",
                    "-c:a",
                    "pcm_s16le",
                    str(piece),
                ],
                "silence",
            )
        length = wav_duration(piece)
        if part.text is not None or part.recording is not None:
            placed.append(PlacedSpeech(round(cursor, 3), round(cursor + length, 3), part.text))
        cursor += length
        pieces.append(piece)
    listing = scratch / "parts.txt"
    listing.write_text("".join(f"file '{p.name}'\n" for p in pieces))
    run_tool(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "concat",
            "-safe",
            "0",
            "-i",
            str(listing),
            "-c:a",
            "pcm_s16le",
            str(wav),
        ],
        "soundtrack concat",
    )
    return placed


def _to_pcm(source: Path, target: Path) -> None:
    decode_to_pcm(source, target, f"convert {source}")


def make_film(
    out: Path,
    parts: Sequence[Speech],
    size: str = "640x360",
    fps: float = 25,
    extra_args: Sequence[str] = (),
) -> list[PlacedSpeech]:
    """An H.264 + AAC film of the given soundtrack over a moving test pattern."""
    with tempfile.TemporaryDirectory(prefix="reelsub-synth-") as scratch_name:
        scratch = Path(scratch_name)
        soundtrack = scratch / "soundtrack.wav"
        placed = build_soundtrack(parts, soundtrack, scratch)
        duration = wav_duration(soundtrack)
        with atomic_output(out) as temporary:
            run_tool(
                [
                    "ffmpeg",
                    "-nostdin",
                    "-v",
                    "error",
                    "-y",
                    "-f",
                    "lavfi",
                    "-i",
                    f"testsrc2=size={size}:rate={fps}:duration={duration:.3f}",
                    "-i",
                    str(soundtrack),
                    "-map",
                    "0:v",
                    "-map",
                    "1:a",
                    "-c:v",
                    "libx264",
                    "-preset",
                    "ultrafast",
                    "-pix_fmt",
                    "yuv420p",
                    "-g",
                    str(int(fps * 2)),
                    "-c:a",
                    "aac",
                    "-b:a",
                    "96k",
                    "-ar",
                    "48000",
                    "-ac",
                    "2",
                    "-shortest",
                    *extra_args,
                    str(temporary),
                ],
                f"make film {out}",
            )
    return placed
