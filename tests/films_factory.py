"""Films for the robustness tests: small real media, and the broken files real film folders hold.

Every film is real: H.264 + AAC made by ffmpeg, speech by espeak-ng (reelsub.synth). Pictures are
tiny (160x90 at 5 fps) because no stage looks at them except to copy them; what the tests check
is in the sound and the streams.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from reelsub.media import atomic_output, run_tool
from reelsub.synth import Speech, make_film

SMALL_PICTURE = {"size": "160x90", "fps": 5}
PANGRAM = "The quick brown fox jumps over the lazy dog."
SPEECH = (Speech(text=PANGRAM), Speech(silence=0.5))
# Words tiny.en gets right in PANGRAM (it hears "brown" and "fox" as "round-fark" at times).
HEARD_WORDS = ("quick", "lazy dog")


def speech_film(path: Path, parts=SPEECH) -> Path:
    """About 4 s: one spoken sentence, then half a second of silence."""
    make_film(path, parts, **SMALL_PICTURE)
    return path


def silent_film(path: Path, seconds: float = 5.0) -> Path:
    make_film(path, [Speech(silence=seconds)], **SMALL_PICTURE)
    return path


# Two seconds of a steady 440 Hz tone, then a plucked melody (a note every 1/3 s, decaying) over a
# low drone: the kind of sound a title sequence has, and on which Whisper likes to invent words.
MUSIC = (
    "if(lt(t,2), 0.3*sin(2*PI*440*t),"
    " 0.25*sin(2*PI*(262+65*mod(floor(3*t),5))*t)*exp(-4*mod(t,0.333))"
    " + 0.08*sin(2*PI*131*t) + 0.05*sin(2*PI*196*t))"
)


def music_film(path: Path, seconds: float = 8.0) -> Path:
    """A film whose soundtrack is a tone and music, no speech at all."""
    with atomic_output(path) as temporary:
        run_tool(
            ["ffmpeg", "-nostdin", "-v", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=size=160x90:rate=5:duration={seconds}",
             "-f", "lavfi", "-i", f"aevalsrc='{MUSIC}':s=48000:d={seconds}",
             "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
             "-c:a", "aac", "-ac", "2", "-shortest", str(temporary)],
            f"music film {path}",
        )
    return path


def film_without_audio(path: Path, seconds: float = 3.0) -> Path:
    with atomic_output(path) as temporary:
        run_tool(
            ["ffmpeg", "-nostdin", "-v", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=size=160x90:rate=5:duration={seconds}",
             "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(temporary)],
            f"silent-movie film {path}",
        )
    return path


def zero_byte_file(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    return path


def text_file_named_like_a_film(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("Shopping list: milk, eggs, popcorn.\n")
    return path


def truncated_copy(film: Path, path: Path, keep: float = 0.5) -> Path:
    """The first half of a film, as an interrupted download or copy leaves it."""
    data = film.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def corrupt_copy(film: Path, path: Path) -> Path:
    """A whole film whose first 4 KiB (the container's header boxes) are overwritten with noise."""
    data = bytearray(film.read_bytes())
    noise = bytes((i * 73 + 41) % 256 for i in range(4096))
    data[: len(noise)] = noise
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(data))
    return path


def remux(film: Path, path: Path, *extra: str) -> Path:
    """The same streams in another container (or with other flags), stream-copied."""
    with atomic_output(path) as temporary:
        run_tool(["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(film), "-map", "0", "-c", "copy",
                  *extra, str(temporary)], f"remux {film}")
    return path


EXISTING_SUBTITLE = "1\n00:00:00,200 --> 00:00:02,000\nOPENING TITLES BY THE DISTRIBUTOR\n"
COMMENTARY = (Speech(text="Director's commentary."), Speech(silence=2.5))


def film_with_subtitles_and_two_audio_tracks(path: Path, scratch: Path) -> Path:
    """A speech film plus a second audio track (a commentary) and an English subtitle track the
    film came with: mov_text in .mp4, SubRip in .mkv. Tracks carry language tags and names."""
    scratch.mkdir(parents=True, exist_ok=True)
    main = speech_film(scratch / f"{path.stem}-main.mp4")
    commentary = speech_film(scratch / f"{path.stem}-commentary.mp4", COMMENTARY)
    srt = scratch / f"{path.stem}-existing.srt"
    srt.write_text(EXISTING_SUBTITLE)
    subtitle_codec = "mov_text" if path.suffix == ".mp4" else "srt"
    with atomic_output(path) as temporary:
        run_tool(
            ["ffmpeg", "-nostdin", "-v", "error", "-y", "-i", str(main), "-i", str(commentary),
             "-i", str(srt), "-map", "0:v", "-map", "0:a", "-map", "1:a", "-map", "2:s",
             "-c:v", "copy", "-c:a", "copy", "-c:s", subtitle_codec,
             *_names("a:0", "eng", "Main"), *_names("a:1", "eng", "Commentary"),
             *_names("s:0", "eng", "Distributor"),
             "-disposition:s:0", "default", str(temporary)],
            f"film with extra tracks {path}",
        )
    return path


def _names(stream: str, language: str, name: str) -> list[str]:
    """Language and name tags; MP4 keeps a track's name as its handler_name, Matroska as title."""
    return [f"-metadata:s:{stream}", f"language={language}", f"-metadata:s:{stream}", f"title={name}",
            f"-metadata:s:{stream}", f"handler_name={name}"]


def long_film(path: Path, hours: float = 2.0, sentences: tuple[str, ...] = ()) -> Path:
    """A feature-length film that costs little: mostly silence, a few sentences spread evenly over
    it, and a 160x90 picture at 1 fps."""
    sentences = sentences or (
        "Good evening, and welcome to the long film.",
        "Halfway through, the story goes on.",
        "This is the end of the long film.",
    )
    gap = (hours * 3600 - 3.5 * len(sentences)) / len(sentences)
    parts = []
    for sentence in sentences:
        parts += [Speech(silence=gap), Speech(text=sentence)]
    make_film(path, parts, size="160x90", fps=1)
    return path


def copy_film(film: Path, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(film, path)
    return path


# -- films with several tagged audio tracks (audio track choice, reelsub.audio_track) ---------------


COMMENTARY_SENTENCE = "In this commentary, the director talks about the camera and the actors."
# Words of COMMENTARY_SENTENCE that tiny.en hears; none of them is in HINDI_SENTENCE.
COMMENTARY_WORDS = ("commentary", "director", "camera")
HINDI_SENTENCE = "नमस्ते, यह फ़िल्म की हिंदी आवाज़ है। गाँव में आज मेला लगा है।"


def film_with_audio_tracks(path: Path, scratch: Path, tracks: list[tuple]) -> Path:
    """A film with one audio track per ``(parts, language, title, default)``: espeak-ng speech (a
    Speech sequence), or None for a second of 440 Hz tone. ``language``/``title`` None: no tag.
    Exactly the tracks marked default are default (ffmpeg would otherwise mark the first)."""
    scratch.mkdir(parents=True, exist_ok=True)
    sources: list[Path] = []
    for number, (parts, _, _, _) in enumerate(tracks):
        source = scratch / f"{path.stem}-track{number}.mp4"
        if parts is None:
            run_tool(["ffmpeg", "-nostdin", "-v", "error", "-y",
                      "-f", "lavfi", "-i", "testsrc2=size=160x90:rate=5:duration=1",
                      "-f", "lavfi", "-i", f"sine=frequency={440 + 110 * number}:duration=1",
                      "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                      "-shortest", str(source)], f"tone film {source}")
        else:
            speech_film(source, parts)
        sources.append(source)
    args = ["ffmpeg", "-nostdin", "-v", "error", "-y"]
    for source in sources:
        args += ["-i", str(source)]
    args += ["-map", "0:v"] + [arg for number in range(len(tracks)) for arg in ("-map", f"{number}:a")]
    args += ["-c", "copy"]
    for number, (_, language, title, default) in enumerate(tracks):
        if language:
            args += [f"-metadata:s:a:{number}", f"language={language}"]
        if title:
            args += [f"-metadata:s:a:{number}", f"title={title}", f"-metadata:s:a:{number}", f"handler_name={title}"]
        args += [f"-disposition:a:{number}", "default" if default else "0"]
    with atomic_output(path) as temporary:
        run_tool([*args, str(temporary)], f"film with audio tracks {path}")
    return path


def film_with_commentary_then_hindi(path: Path, scratch: Path) -> Path:
    """The film of issue #11: audio track 0 is an English commentary (tagged eng, not default),
    audio track 1 the default Hindi track (tagged hin). Both are espeak-ng speech, of different
    sentences, so the transcript says which one was transcribed."""
    return film_with_audio_tracks(path, scratch, [
        ((Speech(text=COMMENTARY_SENTENCE), Speech(silence=0.5)), "eng", "Commentary", False),
        ((Speech(text=HINDI_SENTENCE, voice="hi"), Speech(silence=0.5)), "hin", "Hindi", True),
    ])


# -- end of films with several tagged audio tracks --
