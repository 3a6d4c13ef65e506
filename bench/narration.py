"""Narration films with known text for the accuracy corpus (row c's ``narration`` group) and the
regression guard (tests/test_accuracy_guard.py): English read sentence by sentence with the
pauses of film narration (0.7-1.4 s), in espeak-ng voices and in Kokoro-82M voices reading
espeak-ng's English phonemes, at several speeds.

Issue 24's held-out film (espeak voices, tiny.en) lost a whole clause when its speech was packed;
these are the project's own films of that kind. The sentences are new (not bench.corpus.NARRATION,
which the 30-minute film speaks), plain English with numbers spelled out, so the reference needs
no normalisation. Pauses come from a seeded generator: the same films every run.

Each film is a 16 kHz mono WAV under bench/work/media/speech/ (the TTS output is cached too).
"""

from __future__ import annotations

import random
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))  # testkit: the films' speech

from reelsub.contracts.base import atomic_output  # noqa: E402
from testkit.synth import Speech, build_soundtrack, wav_duration  # noqa: E402

SENTENCES = (
    "The fishermen pulled their nets onto the beach, and they sat by the water until the light was gone.",
    "When the letter finally came, my mother read it twice before she said a single word.",
    "A narrow path climbs from the village to the chapel on the hill.",
    "The storm knocked out the power, so we cooked dinner on the old wood stove.",
    "Nobody in the town remembered who had planted the great oak in the square.",
    "The engineer checked the pressure in every pipe before the factory opened.",
    "They walked along the canal, talking quietly about the summer they had lost.",
    "Three weeks later, the boat returned with a hold full of silver fish.",
    "The museum guard locked the doors at six and walked home through the empty streets.",
    "Her brother works on board a cargo ship that sails between Spain and Brazil.",
    "If the bridge is closed tomorrow, the children will have to take the long road to school.",
    "The old photograph showed a family standing in front of a small wooden house.",
    "Snow fell all night, and by the morning the trains had stopped running.",
    "The captain told the crew to tie down everything before the wind grew stronger.",
    "We found the key under a stone beside the garden gate.",
    "The singer paused for a moment, then began the song her grandfather used to sing.",
    "Every evening the lighthouse keeper wrote the weather in a thick blue notebook.",
    "The farmers waited for rain, but the clouds passed over the valley without a drop.",
    "A doctor from the city came to the island twice a month.",
    "The students stayed late in the library, reading about the history of the river.",
    "He sold his bicycle to buy a ticket for the night bus to the capital.",
    "The kitchen smelled of onions, ginger and fresh bread.",
    "At the end of the harvest the whole village gathered for a dinner in the barn.",
    "The radio played an old song while the rain tapped on the windows.",
    "Nobody answered the phone, so she drove to the hospital herself.",
    "The river rose by two metres in a single night and flooded the lower fields.",
    "My uncle repaired clocks in a tiny shop behind the railway station.",
    "The painters worked through the afternoon, and by evening the hall was bright yellow.",
    "A young fox crossed the road and disappeared into the tall grass.",
    "The teacher read the names aloud, and each child stood up in turn.",
    "We counted forty two boats in the harbour on the morning of the festival.",
    "The house was quiet after the guests had left, and the candles had burned down.",
)

PAUSE_RANGE = (0.7, 1.4)  # seconds between sentences: issue 24's narration pauses
SENTENCES_PER_FILM = 12


@dataclass(frozen=True)
class Voice:
    """Who reads a film: espeak-ng in its own voice, or Kokoro-82M reading espeak-ng's phonemes."""

    name: str  # the clip's name
    engine: str  # espeak | kokoro
    voice: str  # espeak-ng voice (kokoro: the phoneme language)
    words_per_minute: int = 150  # espeak-ng
    speaker: str = ""  # Kokoro voice
    speed: float = 1.0  # Kokoro speaking rate

    def speech(self, text: str) -> Speech:
        if self.engine == "kokoro":
            return Speech(
                text=text, voice=self.voice, engine="kokoro", speaker=self.speaker, speed=self.speed
            )
        return Speech(text=text, voice=self.voice, words_per_minute=self.words_per_minute)


VOICES = (
    Voice("espeak-us-150", "espeak", "en-us", 150),
    Voice("espeak-gb-175", "espeak", "en-gb", 175),
    Voice("espeak-usf3-135", "espeak", "en-us+f3", 135),
    Voice("espeak-rp-160", "espeak", "en-gb-x-rp", 160),
    Voice("kokoro-nezumi-us-1.0", "kokoro", "en-us", speaker="jf_nezumi", speed=1.0),
    Voice("kokoro-kumo-us-0.9", "kokoro", "en-us", speaker="jm_kumo", speed=0.9),
    Voice("kokoro-tebukuro-gb-1.1", "kokoro", "en-gb", speaker="jf_tebukuro", speed=1.1),
    Voice("kokoro-gongitsune-us-1.0", "kokoro", "en-us", speaker="jf_gongitsune", speed=1.0),
)


@dataclass(frozen=True)
class NarrationFilm:
    name: str
    path: Path
    sentences: tuple[str, ...]
    onsets: tuple[float, ...]  # where each sentence starts (s)
    pauses: tuple[float, ...]  # the silence after each sentence (s)

    @property
    def reference(self) -> str:
        return " ".join(self.sentences)

    @property
    def duration(self) -> float:
        return wav_duration(self.path)

    def spans(self) -> list[tuple[float, float]]:
        """Where each sentence is spoken (start, end in s): it ends where the pause after it begins,
        the pause before the next sentence's onset (the last one's before the film's end)."""
        following = (*self.onsets[1:], self.duration)
        return [
            (start, round(after - pause, 3))
            for start, after, pause in zip(self.onsets, following, self.pauses, strict=True)
        ]


def film_text(index: int) -> tuple[str, ...]:
    """The sentences film ``index`` reads: twelve, starting further along for each film, so every
    sentence is read by several voices."""
    return tuple(SENTENCES[(index * 4 + k) % len(SENTENCES)] for k in range(SENTENCES_PER_FILM))


def pauses(index: int) -> list[float]:
    chooser = random.Random(2400 + index)
    return [round(chooser.uniform(*PAUSE_RANGE), 2) for _ in range(SENTENCES_PER_FILM)]


def narration_film(folder: Path, index: int) -> NarrationFilm:
    voice = VOICES[index]
    sentences = film_text(index)
    path = folder / f"narration-{voice.name}.wav"
    parts: list[Speech] = [Speech(silence=0.6)]
    gaps = pauses(index)
    for sentence, pause in zip(sentences, gaps, strict=True):
        parts += [voice.speech(sentence), Speech(silence=pause)]
    onsets_file = path.with_suffix(".onsets")
    if not (path.exists() and onsets_file.exists()):
        folder.mkdir(parents=True, exist_ok=True)
        with (
            tempfile.TemporaryDirectory(prefix="bench-narration-") as scratch,
            atomic_output(path) as temporary,
        ):
            placed = build_soundtrack(parts, temporary, Path(scratch))
        onsets_file.write_text("\n".join(f"{p.start:.3f}" for p in placed) + "\n")
    onsets = tuple(float(line) for line in onsets_file.read_text().split())
    return NarrationFilm(voice.name, path, sentences, onsets, tuple(gaps))


def narration_films(folder: Path) -> list[NarrationFilm]:
    return [narration_film(folder, index) for index in range(len(VOICES))]


if __name__ == "__main__":
    for film in narration_films(BENCH / "work" / "media" / "speech"):
        print(film.path, film.onsets[-1])
