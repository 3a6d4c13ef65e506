"""Films for the robustness tests: small real media, and the broken files real film folders hold.

Every film is real: H.264 + AAC made by ffmpeg, speech by espeak-ng (testkit.synth). Pictures are
tiny (160x90 at 5 fps) because no stage looks at them except to copy them; what the tests check
is in the sound and the streams.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from reelsub.contracts.base import atomic_output
from reelsub.media import run_tool
from testkit.synth import Speech, make_film

SMALL_PICTURE = {"size": "160x90", "fps": 5}
PANGRAM = "The quick brown fox jumps over the lazy dog."
SPEECH = (Speech(text=PANGRAM), Speech(silence=0.5))
# Words tiny.en gets right in PANGRAM (it hears "brown" and "fox" as "round-fark" at times).
HEARD_WORDS = ("quick", "lazy dog")


def speech_film(path: Path, parts=SPEECH) -> Path:
    """About 4 s: one spoken sentence, then half a second of silence."""
    make_film(path, parts, **SMALL_PICTURE)
    return path


def excerpt_film(recording: Path, path: Path, start: float, seconds: float, sample_rate: int = 44100) -> Path:
    """``seconds`` of ``recording`` from ``start``, as a film's sound at ``sample_rate``. At 44.1 kHz
    (CD audio, common in films) an AAC track demuxes to a whole number of samples that is not a
    whole number of milliseconds at 16 kHz: 0.5 s gives 8174 samples, 0.510875 s."""
    cut = path.with_name(f".{path.stem}.cut.wav")
    path.parent.mkdir(parents=True, exist_ok=True)
    run_tool(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-ss",
            str(start),
            "-t",
            str(seconds),
            "-i",
            str(recording),
        ]
        + ["-ac", "1", "-ar", "16000", str(cut)],
        f"excerpt of {recording}",
    )
    try:
        make_film(path, [Speech(recording=cut)], extra_args=("-ar", str(sample_rate)), **SMALL_PICTURE)
    finally:
        cut.unlink(missing_ok=True)
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
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size=160x90:rate=5:duration={seconds}",
                "-f",
                "lavfi",
                "-i",
                f"aevalsrc='{MUSIC}':s=48000:d={seconds}",
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
                "-c:a",
                "aac",
                "-ac",
                "2",
                "-shortest",
                str(temporary),
            ],
            f"music film {path}",
        )
    return path


def film_without_audio(path: Path, seconds: float = 3.0) -> Path:
    with atomic_output(path) as temporary:
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
                f"testsrc2=size=160x90:rate=5:duration={seconds}",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                str(temporary),
            ],
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
        run_tool(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-i",
                str(film),
                "-map",
                "0",
                "-c",
                "copy",
                *extra,
                str(temporary),
            ],
            f"remux {film}",
        )
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
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-i",
                str(main),
                "-i",
                str(commentary),
                "-i",
                str(srt),
                "-map",
                "0:v",
                "-map",
                "0:a",
                "-map",
                "1:a",
                "-map",
                "2:s",
                "-c:v",
                "copy",
                "-c:a",
                "copy",
                "-c:s",
                subtitle_codec,
                *_names("a:0", "eng", "Main"),
                *_names("a:1", "eng", "Commentary"),
                *_names("s:0", "eng", "Distributor"),
                "-disposition:s:0",
                "default",
                str(temporary),
            ],
            f"film with extra tracks {path}",
        )
    return path


def _names(stream: str, language: str, name: str) -> list[str]:
    """Language and name tags; MP4 keeps a track's name as its handler_name, Matroska as title."""
    return [
        f"-metadata:s:{stream}",
        f"language={language}",
        f"-metadata:s:{stream}",
        f"title={name}",
        f"-metadata:s:{stream}",
        f"handler_name={name}",
    ]


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
                    "testsrc2=size=160x90:rate=5:duration=1",
                    "-f",
                    "lavfi",
                    "-i",
                    f"sine=frequency={440 + 110 * number}:duration=1",
                    "-c:v",
                    "libx264",
                    "-preset",
                    "ultrafast",
                    "-pix_fmt",
                    "yuv420p",
                    "-c:a",
                    "aac",
                    "-shortest",
                    str(source),
                ],
                f"tone film {source}",
            )
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
            args += [
                f"-metadata:s:a:{number}",
                f"title={title}",
                f"-metadata:s:a:{number}",
                f"handler_name={title}",
            ]
        args += [f"-disposition:a:{number}", "default" if default else "0"]
    with atomic_output(path) as temporary:
        run_tool([*args, str(temporary)], f"film with audio tracks {path}")
    return path


def film_with_commentary_then_hindi(path: Path, scratch: Path) -> Path:
    """The film of issue #11: audio track 0 is an English commentary (tagged eng, not default),
    audio track 1 the default Hindi track (tagged hin). Both are espeak-ng speech, of different
    sentences, so the transcript says which one was transcribed."""
    return film_with_audio_tracks(
        path,
        scratch,
        [
            ((Speech(text=COMMENTARY_SENTENCE), Speech(silence=0.5)), "eng", "Commentary", False),
            ((Speech(text=HINDI_SENTENCE, voice="hi"), Speech(silence=0.5)), "hin", "Hindi", True),
        ],
    )


# -- end of films with several tagged audio tracks --

# -- films that carry every kind of stream a release has (tests/test_mux.py) ----------------------

FONT = Path("/usr/share/fonts/truetype/lohit-devanagari/Lohit-Devanagari.ttf")  # fonts-lohit-deva (Makefile)
ASS_SUBTITLE = """[Script Info]
ScriptType: v4.00+
PlayResX: 160
PlayResY: 90

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, \
Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, \
MarginL, MarginR, MarginV, Encoding
Style: Default,Lohit Devanagari,12,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,\
100,100,0,0,1,1,0,2,5,5,5,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:00.50,0:00:02.00,Default,,0,0,0,,[DOOR SLAMS]
"""
CHAPTERS = (("Opening", 0.0, 1.5), ("Middle", 1.5, 3.0), ("End", 3.0, 4.0))
GLOBAL_TAGS = {"title": "The Test Film", "artist": "reelsub tests", "comment": "kept by the mux"}


def pgs_subtitle(
    path: Path,
    events: tuple[tuple[float, float], ...] = ((0.5, 2.0), (2.5, 3.5)),
    size: tuple[int, int] = (160, 90),
    box: tuple[int, int] = (60, 12),
) -> Path:
    """A real PGS (Blu-ray, HDMV presentation graphics) subtitle stream in a .sup file.

    No ffmpeg here has a PGS encoder, so the segments are written as the format defines them:
    per event a display set (presentation composition, window, palette, one run-length coded
    object, end) and one that clears the screen. ffmpeg's pgssub decoder reads it back."""
    import struct

    def segment(kind: int, pts: float, data: bytes) -> bytes:
        return b"PG" + struct.pack(">IIBH", round(pts * 90000), 0, kind, len(data)) + data

    width, height = size
    box_width, box_height = box
    x, y = (width - box_width) // 2, height - box_height - 4
    window = struct.pack(">BBHHHH", 1, 0, x, y, box_width, box_height)
    # One line: a run of palette entry 1 (00 11LLLLLL LLLLLLLL CC), then end of line (00 00).
    line = bytes([0, 0xC0 | (box_width >> 8), box_width & 0xFF, 1, 0, 0])
    rle = line * box_height
    # An empty screen at 0 s first: ffmpeg starts each input's timeline at its first packet.
    sets = (
        segment(0x16, 0.0, struct.pack(">HHBHBBBB", width, height, 0x10, 0, 0x80, 0, 0, 0))
        + segment(0x17, 0.0, window)
        + segment(0x80, 0.0, b"")
    )
    for number, (start, end) in enumerate(events, start=1):
        show = struct.pack(">HHBHBBBB", width, height, 0x10, 2 * number, 0x80, 0, 0, 1) + struct.pack(
            ">HBBHH", 0, 0, 0, x, y
        )
        palette = struct.pack(">BB", 0, 0) + bytes([1, 235, 128, 128, 255])  # entry 1: opaque white
        picture = (
            struct.pack(">HBB", 0, 0, 0xC0)
            + (len(rle) + 4).to_bytes(3, "big")
            + struct.pack(">HH", box_width, box_height)
            + rle
        )
        clear = struct.pack(">HHBHBBBB", width, height, 0x10, 2 * number + 1, 0x00, 0, 0, 0)
        sets += (
            segment(0x16, start, show)
            + segment(0x17, start, window)
            + segment(0x14, start, palette)
            + segment(0x15, start, picture)
            + segment(0x80, start, b"")
            + segment(0x16, end, clear)
            + segment(0x17, end, window)
            + segment(0x80, end, b"")
        )
    path.write_bytes(sets)
    return path


def chapters_file(path: Path, chapters=CHAPTERS) -> Path:
    """Chapters in ffmpeg's metadata format (for -map_chapters)."""
    text = ";FFMETADATA1\n"
    for title, start, end in chapters:
        text += f"[CHAPTER]\nTIMEBASE=1/1000\nSTART={int(start * 1000)}\nEND={int(end * 1000)}\n"
        text += f"title={title}\n"
    path.write_text(text)
    return path


def cover_picture(path: Path) -> Path:
    """A small cover image (the codec follows the name: .png or .jpg)."""
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
            "testsrc=size=120x160",
            "-frames:v",
            "1",
            str(path),
        ],
        f"cover {path}",
    )
    return path


def _global_tags() -> list[str]:
    return [arg for key, value in GLOBAL_TAGS.items() for arg in ("-metadata", f"{key}={value}")]


def release_mkv(path: Path, scratch: Path) -> Path:
    """An MKV as releases come: two audio tracks (the second a commentary), SubRip (forced), ASS
    (hearing impaired) and PGS (visual impaired) subtitles, a font, a cover.png and a notes
    attachment, chapters and global tags; every track named and language-tagged."""
    scratch.mkdir(parents=True, exist_ok=True)
    main = speech_film(scratch / f"{path.stem}-main.mp4")
    commentary = speech_film(scratch / f"{path.stem}-commentary.mp4", COMMENTARY)
    srt = scratch / f"{path.stem}-signs.srt"
    srt.write_text(EXISTING_SUBTITLE)
    ass = scratch / f"{path.stem}-sdh.ass"
    ass.write_text(ASS_SUBTITLE)
    pgs = pgs_subtitle(scratch / f"{path.stem}-bitmap.sup")
    chapters = chapters_file(scratch / f"{path.stem}-chapters.txt")
    cover = cover_picture(scratch / "cover.png")
    notes = scratch / "notes.txt"
    notes.write_text("Release notes: an attachment of no special kind.\n")
    with atomic_output(path) as temporary:
        run_tool(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-i",
                str(main),
                "-i",
                str(commentary),
                "-i",
                str(srt),
                "-i",
                str(ass),
                "-f",
                "sup",
                "-i",
                str(pgs),
                "-i",
                str(chapters),
                "-map",
                "0:v",
                "-map",
                "0:a",
                "-map",
                "1:a",
                "-map",
                "2:s",
                "-map",
                "3:s",
                "-map",
                "4:s",
                "-map_chapters",
                "5",
                "-c",
                "copy",
                "-c:s:0",
                "srt",
                *_global_tags(),
                *_names("v:0", "und", "Picture"),
                *_names("a:0", "eng", "Main"),
                *_names("a:1", "eng", "Commentary"),
                *_names("s:0", "eng", "Signs"),
                *_names("s:1", "eng", "SDH"),
                *_names("s:2", "fre", "Bitmap"),
                "-disposition:a:0",
                "default",
                "-disposition:a:1",
                "comment",
                "-disposition:s:0",
                "forced",
                "-disposition:s:1",
                "hearing_impaired",
                "-disposition:s:2",
                "visual_impaired",
                "-attach",
                str(FONT),
                "-metadata:s:t:0",
                "mimetype=font/ttf",
                "-attach",
                str(cover),
                "-metadata:s:t:1",
                "mimetype=image/png",
                "-attach",
                str(notes),
                "-metadata:s:t:2",
                "mimetype=text/plain",
                str(temporary),
            ],
            f"release film {path}",
        )
    return path


def mp4_with_cover_art(path: Path, scratch: Path) -> Path:
    """An MP4 as shops sell them: cover art (covr, an attached picture), a mov_text subtitle,
    chapters and global tags."""
    scratch.mkdir(parents=True, exist_ok=True)
    main = speech_film(scratch / f"{path.stem}-main.mp4")
    srt = scratch / f"{path.stem}-existing.srt"
    srt.write_text(EXISTING_SUBTITLE)
    cover = cover_picture(scratch / f"{path.stem}-cover.jpg")
    chapters = chapters_file(scratch / f"{path.stem}-chapters.txt")
    with atomic_output(path) as temporary:
        run_tool(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                "-i",
                str(main),
                "-i",
                str(srt),
                "-i",
                str(cover),
                "-i",
                str(chapters),
                "-map",
                "0:v",
                "-map",
                "0:a",
                "-map",
                "1:s",
                "-map",
                "2:v",
                "-map_chapters",
                "3",
                "-c",
                "copy",
                "-c:s",
                "mov_text",
                *_global_tags(),
                *_names("a:0", "eng", "Main"),
                *_names("s:0", "eng", "Distributor"),
                "-disposition:v:1",
                "attached_pic",
                "-disposition:s:0",
                "default",
                str(temporary),
            ],
            f"film with cover art {path}",
        )
    return path


def variable_frame_rate_film(
    path: Path, parts: tuple[tuple[int, float], ...] = ((25, 4.0), (10, 4.0))
) -> Path:
    """A film whose picture runs at one rate, then another (default: 4 s at 25 fps, then 4 s at
    10 fps), as joined clips and phone footage do; a 440 Hz tone for its sound."""
    inputs, labels = [], ""
    for number, (fps, seconds) in enumerate(parts):
        inputs += ["-f", "lavfi", "-i", f"testsrc2=size=160x90:rate={fps}:duration={seconds}"]
        labels += f"[{number}:v]"
    total = sum(seconds for _, seconds in parts)
    with atomic_output(path) as temporary:
        run_tool(
            [
                "ffmpeg",
                "-nostdin",
                "-v",
                "error",
                "-y",
                *inputs,
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=440:sample_rate=48000:duration={total}",
                "-filter_complex",
                f"{labels}concat=n={len(parts)}:v=1:a=0[v]",
                "-map",
                "[v]",
                "-map",
                f"{len(parts)}:a",
                "-fps_mode",
                "passthrough",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                str(temporary),
            ],
            f"variable frame rate film {path}",
        )
    return path


def film_at_rate(path: Path, fps: float, seconds: float = 3.0) -> Path:
    """A constant-rate film at ``fps`` (24000/1001 for NTSC film), a tone for its sound."""
    with atomic_output(path) as temporary:
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
                f"testsrc2=size=160x90:rate={fps}:duration={seconds}",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                str(temporary),
            ],
            f"film at {fps} fps {path}",
        )
    return path
