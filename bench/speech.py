"""Real recorded speech for the bench: the accuracy corpus (row c) and row 1's 5-minute audio.

Sources, all from installed packages (no hub), each with its own reference text:
  - LibriVox: five clips of "Sense and Sensibility" (3-7 s, 16 kHz) in Debian's
    pocketsphinx-testdata (/usr/share/pocketsphinx/test/data/librivox/, text in ``transcription``);
  - cards: five clips of card names ("ten of clubs", "five five") in the same package (cards/);
  - the pyannote-audio wheel's sample.wav: 30 s of a real two-speaker phone conversation, with its
    timed transcript sample.stm;
  - media/jfk.flac (Kennedy, 1961) with media/jfk.txt.
The noisy group (NOISY) is the LibriVox clips joined, pyannote and jfk, in pink, brown or white noise
at 0-10 dB SNR (noise from ffmpeg's anoisesrc, a fixed seed, scaled in numpy to the speech's RMS).

Everything made is 16 kHz mono 16-bit WAV under bench/work/media/speech/ (made once, reused).
"""

from __future__ import annotations

import json
import re
import wave
from dataclasses import dataclass
from pathlib import Path

from films import JFK_FLAC, JFK_TEXT
from lib import MEDIA, run

TESTDATA = Path("/usr/share/pocketsphinx/test/data")
SPEECH = MEDIA / "speech"
RATE = 16000
PAUSES = (0.9, 1.4, 0.7, 1.8, 1.1, 2.5)  # seconds between clips in the long audio: natural, some long
# The noisy group, fixed before any result was seen: (clean group, noise colour, SNR in dB). One
# 0-dB pink mix was a single sample, where one word decided the verdict; these are six.
NOISY = (
    ("librivox", "pink", 0),
    ("librivox", "pink", 5),
    ("librivox", "brown", 0),
    ("librivox", "white", 10),
    ("pyannote", "pink", 5),
    ("jfk", "pink", 5),
)


@dataclass(frozen=True)
class Clip:
    name: str
    group: str  # librivox | cards | pyannote | jfk | noisy (row c adds narration and row 1 audio;
    # held_out.py: sentence | pair)
    path: Path  # 16 kHz mono WAV
    reference: str
    language: str = "en"  # as a film sheet's source_lang would give it (row c's Hindi films: hi)
    sentences: tuple[str, ...] = ()  # the reference's sentences, where a cause line names them

    @property
    def duration(self) -> float:
        with wave.open(str(self.path), "rb") as wav:
            return wav.getnframes() / wav.getframerate()


class MissingMaterial(RuntimeError):
    pass


def _wav16k(source: Path, target: Path) -> Path:
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        run(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-i",
                source,
                "-ac",
                "1",
                "-ar",
                str(RATE),
                "-c:a",
                "pcm_s16le",
                target,
            ]
        )
    return target


def sphinx_transcription(path: Path) -> dict[str, str]:
    """``<s> words </s> (id)`` lines -> {id: words}."""
    found = {}
    for line in path.read_text().splitlines():
        match = re.match(r"\s*<s>(.*)</s>\s*\((.+)\)\s*$", line)
        if match:
            found[match.group(2).strip()] = " ".join(match.group(1).split())
    return found


def pyannote_sample() -> tuple[Path, str]:
    import importlib.util

    spec = importlib.util.find_spec("pyannote.audio")  # found, not imported (that would import torch)
    if spec is None or not spec.origin:
        raise MissingMaterial("pyannote-audio is not installed (it comes with whisperx, requirements.txt)")
    folder = Path(spec.origin).parent / "sample"
    words = [
        " ".join(line.split()[5:])
        for line in (folder / "sample.stm").read_text().splitlines()
        if line.strip()
    ]
    return folder / "sample.wav", " ".join(words)


def corpus() -> list[Clip]:
    """Every clip of the accuracy corpus (LibriVox, cards, pyannote, jfk, noisy LibriVox)."""
    if not (TESTDATA / "librivox" / "transcription").exists():
        raise MissingMaterial(
            f"{TESTDATA} is missing: install Debian's pocketsphinx-testdata (make bench-system-packages)"
        )
    clips: list[Clip] = []
    for group, text_file in (("librivox", "librivox/transcription"), ("cards", "cards/cards.transcription")):
        for name, text in sorted(sphinx_transcription(TESTDATA / text_file).items()):
            source = TESTDATA / group / f"{name}.wav"
            clips.append(
                Clip(
                    f"{group}-{name[-4:]}", group, _wav16k(source, SPEECH / f"{group}-{name[-4:]}.wav"), text
                )
            )
    sample, sample_text = pyannote_sample()
    clips.append(
        Clip("pyannote-sample", "pyannote", _wav16k(sample, SPEECH / "pyannote-sample.wav"), sample_text)
    )
    clips.append(Clip("jfk", "jfk", _wav16k(JFK_FLAC, SPEECH / "jfk.wav"), JFK_TEXT))
    by_group = {group: [c for c in clips if c.group == group] for group in ("librivox", "pyannote", "jfk")}
    for group, color, snr_db in NOISY:
        clips.append(noisy_mix(by_group[group], SPEECH / f"{group}-{color}-{snr_db}db.wav", color, snr_db))
    return clips


def hindi_films() -> list[Clip]:
    """Row c's Hindi groups: tests/indian_films.py's Hindi film and its Hindi+English film (six lines
    of each in turn), twelve of our own sentences each, spoken by a SUBSTITUTE (Kokoro-82M TTS
    speaking espeak-ng's Hindi phonemes, not recorded speech), their soundtracks as 16 kHz WAV; and
    the Hindi film's sentences with recorded English between them (hindi_with_recorded_english)."""
    from indian_films import hindi_film, mixed_film

    clips = []
    for group, make in (("hindi", hindi_film), ("hindi+english", mixed_film)):
        film, wav = indian_film_soundtrack(make, group)
        said = tuple(s.text for s in film.sentences)
        clips.append(Clip(group, group, wav, " ".join(said), "hi", said))
    return clips + [hindi_with_recorded_english()]


RECORDED_ENGLISH_GROUPS = ("librivox", "jfk", "pyannote")  # recorded clips under 16 s: 5 LibriVox, jfk


def hindi_with_recorded_english() -> Clip:
    """The Hindi film's twelve sentences (Kokoro TTS, a SUBSTITUTE) with a recorded English clip after
    each of the first six (the five LibriVox clips and jfk: other voices, another room, as a dub or an
    inserted scene brings), 0.9 s before and 1.0 s after each clip: 89 s. Whisper, told to decode
    Hindi, skips some of these English lines, and Hindi lines after them, where it wrote the Kokoro
    English lines of the Hindi+English film in Latin letters (docs/hindi-measurements.md section 8)."""
    import numpy as np

    from indian_films import hindi_film

    film, wav = indian_film_soundtrack(hindi_film, "hindi")
    english = [c for c in corpus() if c.group in RECORDED_ENGLISH_GROUPS and c.duration < 16]
    hindi = read_samples(wav)
    pieces, said = [np.zeros(RATE // 2, np.float32)], []
    for number, sentence in enumerate(film.sentences):
        pieces += [
            hindi[int(sentence.start * RATE) : int(sentence.end * RATE)],
            np.zeros(int(0.9 * RATE), np.float32),
        ]
        said.append(sentence.text)
        if number < len(english):
            pieces += [read_samples(english[number].path), np.zeros(RATE, np.float32)]
            said.append(english[number].reference)
    target = SPEECH / "hindi-recorded-english.wav"
    write_samples(target, np.concatenate(pieces))  # again each run: its sources may change
    group = "hindi+recorded english"
    return Clip(group, group, target, " ".join(said), "hi", tuple(said))


def indian_film_soundtrack(make, name: str):
    """(film, its soundtrack as 16 kHz WAV): ``make`` is one of tests/indian_films.py's builders
    (hindi_film, mixed_film, bengali_film, marathi_film), the film built as MEDIA/<name>.mp4."""
    from reelsub.media import extract_audio

    film = make(MEDIA / f"{name}.mp4")
    wav = SPEECH / f"{name}.wav"
    wav.parent.mkdir(parents=True, exist_ok=True)
    extract_audio(film.path, wav)  # again each run: the film is rebuilt where its sentences change
    return film, wav


def read_samples(path: Path):
    import numpy as np

    with wave.open(str(path), "rb") as wav:
        return np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2").astype(np.float32) / 32768.0


def write_samples(path: Path, samples) -> None:
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(pcm.tobytes())


def _joined(clips: list[Clip], pauses=PAUSES):
    import numpy as np

    pieces, placed, cursor = [np.zeros(int(0.5 * RATE), np.float32)], [], 0.5
    for number, clip in enumerate(clips):
        audio = read_samples(clip.path)
        placed.append((cursor, cursor + len(audio) / RATE, clip.name))
        pause = pauses[number % len(pauses)]
        pieces += [audio, np.zeros(int(pause * RATE), np.float32)]
        cursor += len(audio) / RATE + pause
    return np.concatenate(pieces), placed


def noisy_mix(clips: list[Clip], target: Path, color: str = "pink", snr_db: float = 0.0) -> Clip:
    """The clips joined with pauses, in ffmpeg's ``color`` noise, ``snr_db`` below the speech's RMS."""
    reference = " ".join(c.reference for c in clips)
    if not target.exists():
        import numpy as np

        speech, _ = _joined(clips)
        noise_file = target.with_name(f"{color}-noise-{target.stem}.wav")
        seconds = len(speech) / RATE
        run(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"anoisesrc=color={color}:seed=1961:amplitude=0.5:duration={seconds + 0.01:.3f}:sample_rate={RATE}",
                "-ac",
                "1",
                "-c:a",
                "pcm_s16le",
                noise_file,
            ]
        )
        noise = read_samples(noise_file)[: len(speech)]  # generated 10 ms longer: never short
        voiced = speech[np.abs(speech) > 1e-4]

        def rms(x):
            return float(np.sqrt(np.mean(np.square(x))))

        noise = noise * (rms(voiced) / max(rms(noise), 1e-9)) * 10 ** (-snr_db / 20)
        mixed = speech + noise
        write_samples(target, mixed / max(1.0, float(np.abs(mixed).max())))
    return Clip(target.stem, "noisy", target, reference)


@dataclass(frozen=True)
class LongSpeech:
    path: Path
    reference: str
    duration: float


def long_real_speech(seconds: float) -> LongSpeech:
    """Row 1's audio: every clean clip in turn with natural pauses (0.7-2.5 s), in a new order each
    round, rounds until ``seconds`` or more."""
    target = SPEECH / f"real-speech-{int(seconds)}s.wav"
    meta = target.with_suffix(".json")
    if target.exists() and meta.exists():
        data = json.loads(meta.read_text())
        return LongSpeech(target, data["reference"], data["duration"])
    import numpy as np

    clean = [c for c in corpus() if c.group != "noisy"]
    pieces, texts, total = [], [], 0.0
    rounds = 0
    while total < seconds:
        order = clean[rounds % len(clean) :] + clean[: rounds % len(clean)]  # a new order each round
        audio, placed = _joined(order, PAUSES[rounds % len(PAUSES) :] + PAUSES[: rounds % len(PAUSES)])
        for clip in order:
            texts.append(clip.reference)
        pieces.append(audio)
        total += len(audio) / RATE
        rounds += 1
    samples = np.concatenate(pieces)
    write_samples(target, samples)
    duration = len(samples) / RATE
    reference = " ".join(texts)
    meta.write_text(json.dumps({"reference": reference, "duration": duration, "rounds": rounds}))
    return LongSpeech(target, reference, duration)
