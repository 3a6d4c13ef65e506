"""Film files: probing, audio extraction and muxing, through ffprobe and ffmpeg.

Every call passes an argument list (never a shell string), so no film name can run a command.
Every output is written under a temporary name and renamed into place only when ffmpeg succeeded,
so a killed or failed job never leaves a file that looks complete.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Iterator, Sequence

log = logging.getLogger(__name__)

# Subtitle codecs Matroska stores as they are; any other text subtitle (mov_text from MP4) is
# converted to SubRip, which keeps its text and timing.
MKV_SUBTITLE_CODECS = {"subrip", "ass", "ssa", "webvtt", "hdmv_pgs_subtitle", "dvd_subtitle", "dvb_subtitle"}


class MediaError(RuntimeError):
    """A film cannot be read or written; the message names the file and the reason."""


@dataclass(frozen=True)
class Stream:
    index: int
    kind: str  # video, audio, subtitle, data, attachment
    codec: str
    language: str | None
    title: str | None
    default: bool
    frame_rate: float | None = None


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    duration: float
    streams: tuple[Stream, ...]
    chapters: int

    def of_kind(self, kind: str) -> list[Stream]:
        return [s for s in self.streams if s.kind == kind]

    @property
    def fps(self) -> float | None:
        """The first real video stream's frame rate (cover art is not video)."""
        for stream in self.of_kind("video"):
            if stream.frame_rate:
                return stream.frame_rate
        return None


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise MediaError(
            f"{name} not found on PATH: install ffmpeg (Debian/Ubuntu: apt-get install ffmpeg; "
            "macOS: brew install ffmpeg; conda: it is in envs/common.yaml)"
        )
    return path


# ffmpeg (5.x) exits 0 when its output cannot be finished, e.g. on a full disk: only these lines
# on stderr say that the file it leaves is cut short.
UNFINISHED_OUTPUT = ("Error writing trailer", "Error closing file")
# Demuxers that reach the end of a cut-short file say so and carry on: ffmpeg then exits 0 with
# part of the film (MKV/WebM, and MP4 whose index is at the front, "fast start").
TRUNCATED_INPUT = ("File ended prematurely", "partial file")


def run_tool(args: Sequence[str], what: str) -> subprocess.CompletedProcess[str]:
    require_tool(args[0])
    log.debug("running %s", args)
    result = subprocess.run(list(args), capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0 or _says(result.stderr, UNFINISHED_OUTPUT):
        reason = _last_lines(result.stderr) or f"exit status {result.returncode}"
        raise MediaError(f"{what}: {reason}")
    return result


def _says(stderr: str, signs: Sequence[str]) -> bool:
    return any(sign in stderr for sign in signs)


def _last_lines(text: str, count: int = 3) -> str:
    # "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d0c1a2b3c0] moov atom not found" -> "moov atom not found"
    lines = [re.sub(r"^\[[^\]]* @ 0x[0-9a-f]+\] ", "", line.strip()) for line in text.strip().splitlines()]
    return " | ".join([line for line in lines if line][-count:])


def _rate(value: str | None) -> float | None:
    if not value or value in {"0/0", "0"}:
        return None
    try:
        rate = float(Fraction(value))
    except (ValueError, ZeroDivisionError):
        return None
    return rate if 0 < rate < 1000 else None


def probe(path: Path) -> MediaInfo:
    """ffprobe's view of a film; a file ffprobe cannot read is an error with ffprobe's reason."""
    path = Path(path)
    if not path.exists():
        raise MediaError(f"{path}: no such file")
    if path.stat().st_size == 0:
        raise MediaError(f"{path}: empty file (0 bytes)")
    result = run_tool(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams",
         "-show_chapters", str(path)],
        f"{path}: not a readable film (ffprobe)",
    )
    data = json.loads(result.stdout or "{}")
    if "format" not in data:
        raise MediaError(f"{path}: not a readable film (ffprobe found no container)")
    streams = []
    for raw in data.get("streams", []):
        tags = {k.lower(): v for k, v in (raw.get("tags") or {}).items()}
        disposition = raw.get("disposition") or {}
        kind = raw.get("codec_type", "data")
        if kind == "video" and disposition.get("attached_pic"):
            kind = "attachment"  # cover art travels as an attachment, not a video track
        streams.append(
            Stream(
                index=int(raw["index"]),
                kind=kind,
                codec=raw.get("codec_name", "unknown"),
                language=tags.get("language"),
                title=tags.get("title"),
                default=bool(disposition.get("default")),
                frame_rate=_rate(raw.get("avg_frame_rate")) or _rate(raw.get("r_frame_rate")) if kind == "video" else None,
            )
        )
    duration = float(data["format"].get("duration") or 0.0)
    return MediaInfo(path=path, duration=duration, streams=tuple(streams), chapters=len(data.get("chapters", [])))


@contextmanager
def atomic_output(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` (same extension, so ffmpeg picks the format), renamed
    onto ``target`` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.stem}.part{target.suffix}")
    temporary.unlink(missing_ok=True)
    try:
        yield temporary
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def extract_audio(
    film: Path, wav: Path, sample_rate: int = 16000, stream_index: int | None = None
) -> MediaInfo:
    """One audio stream of the film (``stream_index``, ffprobe's index; default: the first audio
    stream) as 16 kHz mono PCM, the input every Whisper engine wants."""
    info = probe(film)
    if not info.of_kind("audio"):
        raise MediaError(f"no audio stream in {film}")
    if stream_index is not None and stream_index not in {s.index for s in info.of_kind("audio")}:
        raise MediaError(f"{film}: stream {stream_index} is not an audio stream")
    selector = "0:a:0" if stream_index is None else f"0:{stream_index}"
    with atomic_output(wav) as temporary:
        result = run_tool(
            ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", "-i", str(film),
             "-map", selector, "-vn", "-ac", "1", "-ar", str(sample_rate), "-c:a", "pcm_s16le", str(temporary)],
            f"{film}: audio extraction failed",
        )
        if _says(result.stderr, TRUNCATED_INPUT):
            raise MediaError(f"{film}: the file is cut short (an unfinished copy or download?): "
                             f"{_last_lines(result.stderr)}")
    return info


@dataclass(frozen=True)
class SubtitleTrack:
    path: Path  # an .srt file
    language: str  # ISO 639-2 tag
    title: str
    default: bool = False


def mux(film: Path, tracks: Sequence[SubtitleTrack], out: Path) -> None:
    """Every stream of the film, stream-copied, then our subtitle tracks after them.

    Video, audio, attachments and subtitles Matroska can hold are copied bit for bit; text
    subtitles it cannot hold (mov_text) become SubRip. Data streams (MP4 timecode tracks) have no
    place in Matroska and are left out. Chapters and global metadata are kept.
    """
    info = probe(film)
    args = ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", "-i", str(film)]
    for track in tracks:
        args += ["-i", str(track.path)]
    args += ["-map", "0", "-map", "-0:d", "-map_metadata", "0", "-map_chapters", "0", "-c", "copy"]
    existing_subtitles = info.of_kind("subtitle")
    for position, stream in enumerate(existing_subtitles):
        if stream.codec not in MKV_SUBTITLE_CODECS:
            args += [f"-c:s:{position}", "srt"]
        if any(t.default for t in tracks):
            args += [f"-disposition:s:{position}", "0"]  # ours is the default; theirs step aside
    for number, track in enumerate(tracks, start=1):
        position = len(existing_subtitles) + number - 1
        args += [
            "-map", f"{number}:s:0",
            f"-c:s:{position}", "srt",
            f"-metadata:s:s:{position}", f"language={track.language}",
            f"-metadata:s:s:{position}", f"title={track.title}",
            f"-disposition:s:{position}", "default" if track.default else "0",
        ]
    with atomic_output(out) as temporary:
        run_tool([*args, str(temporary)], f"{film}: mux into {out} failed")


def burn_in(film: Path, srt: Path, out: Path, font: str) -> None:
    """Subtitles drawn into the picture with libass: a full re-encode, never the default.

    The subtitles filter takes its file name inside a filter graph, where quotes, colons and
    commas are syntax; a copy under a plain temporary name sidesteps escaping the user's path.
    """
    import tempfile

    with tempfile.TemporaryDirectory(prefix="reelsub-burn-") as scratch, atomic_output(out) as temporary:
        plain = Path(scratch) / "subtitles.srt"
        shutil.copyfile(srt, plain)
        run_tool(
            ["ffmpeg", "-nostdin", "-hide_banner", "-v", "error", "-y", "-i", str(film),
             "-vf", f"subtitles=filename={plain}:force_style='FontName={font}'",
             "-map", "0:v:0", "-map", "0:a?", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
             "-c:a", "copy", str(temporary)],
            f"{film}: burn-in of {srt} failed",
        )


def stream_md5(path: Path, selector: str) -> str:
    """md5 of a stream's packets (``v:0``, ``a:0``), equal for a bit-identical stream copy."""
    result = run_tool(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-map", f"0:{selector}", "-c", "copy",
         "-f", "md5", "-"],
        f"{path}: md5 of stream {selector}",
    )
    return result.stdout.strip().removeprefix("MD5=")
