"""The benchmark's films, made once and kept under bench/work/media/ (a later run reuses them).

One *base film* is assembled by testkit.synth.make_film from espeak-ng sentences (several voices
and speeds, the text in bench/corpus.py) with JFK's 1961 speech every dozen sentences. make_film
returns where each spoken part was placed: the ground truth for word timing and the reference
text for WER. Every other medium is cut from it or built from its audio:
  - the ASR audio (row 1): its first N seconds as 16 kHz WAV;
  - the 30-min film (rows 2, 7) and the 2-hour film (row 6): its soundtrack repeated, over a
    new picture (make_film again, with the soundtrack as its one recording);
  - the mux film (row 3) and the batch films (row 4): stream-copied slices of it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent

from corpus import NARRATION
from reelsub.contracts.base import atomic_output
from reelsub.media import probe, run_tool
from testkit.synth import Speech, build_soundtrack, make_film

JFK_FLAC = PROJECT / "media" / "jfk.flac"
JFK_TEXT = (PROJECT / "media" / "jfk.txt").read_text().strip()
VOICES = (("en-us", 150), ("en-gb", 160), ("en-us+f3", 140), ("en-gb-x-rp", 155), ("en-us+m3", 165))
GAPS = (0.8, 1.1, 0.9, 1.3, 1.0)


@dataclass(frozen=True)
class Part:
    """A spoken part of a film: where it is and what it says (``jfk`` for the recording)."""

    start: float
    end: float
    text: str
    kind: str  # narration | jfk


@dataclass(frozen=True)
class Film:
    path: Path
    duration: float
    parts: tuple[Part, ...]

    @property
    def reference(self) -> str:
        return " ".join(part.text for part in self.parts)

    def narration(self) -> list[Part]:
        return [p for p in self.parts if p.kind == "narration"]

    def timing_truth(self) -> list[tuple[float, float, bool]]:
        """Every spoken part as (start, end, scored): espeak sentences are scored, jfk is not."""
        return [(p.start, p.end, p.kind == "narration") for p in self.parts]


def _save(film: Film) -> None:
    meta = {"duration": film.duration, "parts": [asdict(p) for p in film.parts]}
    film.path.with_suffix(".json").write_text(json.dumps(meta, indent=1))


def _load(path: Path) -> Film | None:
    meta_path = path.with_suffix(".json")
    if not (path.exists() and meta_path.exists()):
        return None
    meta = json.loads(meta_path.read_text())
    return Film(path, meta["duration"], tuple(Part(**p) for p in meta["parts"]))


def base_parts(seconds: float, offset: int = 0) -> tuple[list[Speech], list[str]]:
    """Speech parts lasting about ``seconds``: sentences in turn, JFK after every twelfth."""
    parts: list[Speech] = [Speech(silence=0.6)]
    kinds: list[str] = []
    estimate, number = 0.6, 0
    while estimate < seconds * 1.1:  # overshoot a little: a slice ends on a whole sentence
        if number and number % 12 == 0:
            parts.append(Speech(recording=JFK_FLAC))
            kinds.append("jfk")
            estimate += 11.0
        else:
            index = offset + number
            voice, speed = VOICES[(index // len(NARRATION)) % len(VOICES)]
            text = NARRATION[index % len(NARRATION)]
            parts.append(Speech(text=text, voice=voice, words_per_minute=speed))
            kinds.append("narration")
            estimate += len(text.split()) * 60 / speed * 0.8  # espeak-ng speaks a bit faster
        gap = GAPS[number % len(GAPS)]
        parts.append(Speech(silence=gap))
        estimate += gap
        number += 1
    return parts, kinds


def base_film(media: Path, seconds: float) -> Film:
    """The base film of about ``seconds``, 640x360 at 25 fps, H.264 + AAC (testkit.synth)."""
    path = media / f"base-{int(seconds)}s.mp4"
    cached = _load(path)
    if cached:
        return cached
    parts, kinds = base_parts(seconds)
    placed = make_film(path, parts)
    film = Film(
        path,
        probe(path).duration,
        tuple(
            Part(p.start, p.end, p.text if kind == "narration" else JFK_TEXT, kind)
            for p, kind in zip(placed, kinds, strict=True)
        ),
    )
    _save(film)
    return film


def narration_wav(media: Path, sentences: int) -> Film:
    """Only espeak-ng narration (no recording), as 16 kHz WAV: the narration WER row."""
    import tempfile

    path = media / f"narration-{sentences}.wav"
    cached = _load(path)
    if cached:
        return cached
    parts: list[Speech] = [Speech(silence=0.5)]
    for index in range(sentences):
        voice, speed = VOICES[index % len(VOICES)]
        parts += [
            Speech(text=NARRATION[index % len(NARRATION)], voice=voice, words_per_minute=speed),
            Speech(silence=GAPS[index % len(GAPS)]),
        ]
    with tempfile.TemporaryDirectory(prefix="bench-narration-") as scratch, atomic_output(path) as temporary:
        placed = build_soundtrack(parts, temporary, Path(scratch))
    film = Film(
        path, probe(path).duration, tuple(Part(p.start, p.end, p.text or "", "narration") for p in placed)
    )
    _save(film)
    return film


def audio_slice(media: Path, film: Film, seconds: float) -> Film:
    """About the film's first ``seconds`` of audio as 16 kHz mono WAV, ending in the pause after
    the last sentence that fits, so that the reference text is exactly what is spoken."""
    path = media / f"{film.path.stem}-audio-{int(seconds)}s.wav"
    cached = _load(path)
    if cached:
        return cached
    inside = [p for p in film.parts if p.end <= seconds]
    seconds = inside[-1].end + 0.3 if inside else seconds
    with atomic_output(path) as temporary:
        run_tool(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-i",
                str(film.path),
                "-t",
                f"{seconds:.3f}",
                "-vn",
                "-ac",
                "1",
                "-ar",
                "16000",
                "-c:a",
                "pcm_s16le",
                str(temporary),
            ],
            f"slice {path}",
        )
    result = Film(path, probe(path).duration, tuple(p for p in film.parts if p.end <= seconds))
    _save(result)
    return result


def film_slice(media: Path, film: Film, start: float, seconds: float, name: str) -> Film:
    """A stream-copied piece of the film (cut at the keyframe at or before ``start``: every 2 s);
    the ground truth is kept for the parts wholly inside it."""
    path = media / f"{name}.mp4"
    cached = _load(path)
    if cached:
        return cached
    keyframe = 2.0 * int(start // 2.0)
    with atomic_output(path) as temporary:
        run_tool(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-ss",
                f"{keyframe:.3f}",
                "-i",
                str(film.path),
                "-t",
                f"{seconds:.3f}",
                "-map",
                "0",
                "-c",
                "copy",
                "-avoid_negative_ts",
                "make_zero",
                str(temporary),
            ],
            f"cut {path}",
        )
    parts = tuple(
        Part(round(p.start - keyframe, 3), round(p.end - keyframe, 3), p.text, p.kind)
        for p in film.parts
        if p.start >= keyframe and p.end <= keyframe + seconds
    )
    result = Film(path, probe(path).duration, parts)
    _save(result)
    return result


def repeated_film(media: Path, film: Film, repeats: int, size: str = "640x360", fps: float = 25) -> Film:
    """The film's soundtrack ``repeats`` times over a new picture (testkit.synth.make_film); the
    2-hour film uses a 320x180 picture at 10 fps, which encodes ~6x faster and makes no difference
    to any stage but mux, which copies it."""
    path = media / f"{film.path.stem}-x{repeats}-{size}-{fps:g}fps.mp4"
    cached = _load(path)
    if cached:
        return cached
    placed = make_film(path, [Speech(recording=film.path)] * repeats, size=size, fps=fps)
    parts = tuple(
        Part(round(p.start + block.start, 3), round(p.end + block.start, 3), p.text, p.kind)
        for block in placed
        for p in film.parts
    )
    result = Film(path, probe(path).duration, parts)
    _save(result)
    return result


def hd_film(media: Path, film: Film, seconds: float) -> Film:
    """The film's first ``seconds`` (whole sentences) over a 1280x720 picture: the mux row's film.
    A stream copy costs the same at any picture size, a re-encode grows with it; 720p is what
    films are at the least."""
    path = media / f"{film.path.stem}-{int(seconds)}s-1280x720-veryfast.mp4"
    cached = _load(path)
    if cached:
        return cached
    audio = audio_slice(media, film, seconds)
    # x264 veryfast at crf 23 (~2.5 Mbit/s here), as films are delivered; make_film's own
    # ultrafast makes a file ~3x larger, which only slows the copy.
    make_film(
        path,
        [Speech(recording=audio.path)],
        size="1280x720",
        extra_args=("-preset", "veryfast", "-crf", "23"),
    )
    result = Film(path, probe(path).duration, audio.parts)
    _save(result)
    return result


def placeholders(folder: Path, count: int) -> None:
    """``count`` empty placeholder films (a dry run never opens them)."""
    folder.mkdir(parents=True, exist_ok=True)
    existing = {p.name for p in folder.iterdir()}
    for number in range(count):
        name = f"film{number:05d}.mp4"
        if name not in existing:
            (folder / name).write_bytes(b"")
    for extra in sorted(existing - {f"film{n:05d}.mp4" for n in range(count)}):
        (folder / extra).unlink()
