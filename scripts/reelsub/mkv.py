"""The films the mux stage writes: every stream of the film stream-copied into Matroska with our
subtitle tracks (``mux``), or, on request, the subtitles drawn into the picture (``burn_in``).

Films are opened as in reelsub.media: local files only, through the ``file`` protocol alone; every
output is written under a temporary name and renamed into place only when it is whole.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from reelsub import escaping
from reelsub.contracts.base import atomic_output
from reelsub.media import FFMPEG, MediaError, check_burn_in_font, file_url, input_args, open_input, run_tool
from reelsub.subtitles.files import ass_text, cue_text, read_srt, write_srt
from reelsub.subtitles.fonts import FONT_MIMETYPES, family_for, font_file
from reelsub.subtitles.rules import Cue

if TYPE_CHECKING:  # PyAV is imported where a film is opened: burn-in users do not pay for it
    from collections.abc import Iterator

    from av.container import InputContainer, OutputContainer
    from av.packet import Packet
    from av.stream import Stream as AvStream
    from av.subtitles.stream import SubtitleStream

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SubtitleTrack:
    path: Path  # the .srt the cues came from (named in messages)
    language: str  # ISO 639-2 tag
    title: str
    default: bool = False
    # The cues muxed. None: read ``path`` with subtitle_files.read_srt. The mux stage passes the cues
    # it parsed from its snapshot of the file, so the MKV holds what QC and the VTT describe.
    cues: Sequence[Cue] | None = None
    # ASS: the track's script (reelsub.subtitles.files.ass_text of the same cues), its style in the
    # track's header. None: a SubRip track.
    ass: str | None = None


def mux(film: Path, tracks: Sequence[SubtitleTrack], out: Path, fonts: Sequence[Path] = ()) -> None:
    """Every stream of the film, as it was, then our subtitle tracks after the film's own (SubRip,
    or ASS where a track brings its script), and ``fonts`` attached (the files ASS tracks name).

    Done in-process with PyAV (no ffprobe or ffmpeg to start: the mux's fixed cost is opening the
    files; the rest grows with the bytes copied). What each stream becomes in the Matroska file:

    - video, audio, and subtitles Matroska can hold (SubRip, ASS, PGS, ...): their packets copied
      bit for bit, with their language, title and other tags and every disposition flag (default,
      forced, hearing impaired, visual impaired, commentary, ...);
    - attachments (fonts, any MIME type): attachments, byte for byte;
    - attached pictures (cover art: MP4 ``covr``; ffmpeg shows an MKV's cover.png attachment as
      one too): Matroska cover attachments, never a video track a player would show as an angle;
    - mov_text (MP4 text subtitles, which Matroska cannot hold): SubRip, same text and times;
    - data streams (MP4 timecode and chapter-text tracks): left out, Matroska has no place for
      them (the chapters themselves are kept).

    Chapters and global tags are kept. When one of our tracks is the default, the film's own
    subtitle tracks stop being default (their other flags stay).
    """
    import av  # here, not at the top: probe and burn-in users do not pay for importing it

    film, out = Path(film), Path(out)
    try:
        source = open_input(film)
    except (av.FFmpegError, OSError) as error:
        raise MediaError(f"{film}: not a readable film: {error}") from error
    with source, atomic_output(out) as temporary, contextlib.ExitStack() as scripts:
        ours = [
            _ass_track(track, scripts) if track.ass else _OurTrack(track, _subrip_packets(track))
            for track in tracks
        ]
        try:
            with av.open(file_url(temporary), "w", format="matroska") as target:
                _copy_streams(source, ours, target, film, fonts)
        except (av.FFmpegError, OSError, ValueError) as error:
            raise MediaError(f"{film}: mux into {out} failed: {error}") from error


@dataclass
class _OurTrack:
    track: SubtitleTrack
    packets: list[Packet[SubtitleStream]]  # its packets, in time order
    template: AvStream | None = None  # ASS: the stream of our script, whose header the track takes


def _ass_track(track: SubtitleTrack, scripts: contextlib.ExitStack) -> _OurTrack:
    """An ASS track: our script, written from the parsed cues, read back by libavformat's ASS
    demuxer, which gives the Matroska form of each event and the header as the codec's private
    data; kept open (in ``scripts``) until the mux is done."""
    assert track.ass is not None
    folder = Path(scripts.enter_context(tempfile.TemporaryDirectory(prefix="reelsub-ass-")))
    script = folder / "track.ass"
    script.write_text(track.ass, encoding="utf-8")
    container = scripts.enter_context(open_input(script, format="ass"))
    stream = container.streams.subtitles[0]
    packets = [p for p in container.demux(stream) if p.size]
    return _OurTrack(track, packets, stream)


MILLISECOND = Fraction(1, 1000)


def _subrip_packets(track: SubtitleTrack) -> list[Packet[SubtitleStream]]:
    """One SubRip packet per parsed cue, timed in milliseconds (Matroska's unit). Written from the
    cues themselves, not by libavformat's reading of the file: its SRT reader and ours disagreed
    (a missing blank line was two cues to it, one to pysrt), and the file may have changed since."""
    import av

    cues = read_srt(track.path) if track.cues is None else track.cues
    packets: list[Packet[SubtitleStream]] = []
    for cue in cues:
        text = cue_text(cue)
        if not text:
            continue  # nothing to show: no packet, as libavformat left such cues out
        packet = cast("Packet[SubtitleStream]", av.Packet(text.encode("utf-8")))  # a SubRip packet
        start = round(cue.start * 1000)
        packet.pts = packet.dts = start
        packet.duration = round(cue.end * 1000) - start
        packet.time_base = MILLISECOND
        packets.append(packet)
    return packets


# Matroska's names for cover art (matroska.org, "Attachments": cover.jpg or cover.png).
COVER_FILES = {
    "mjpeg": ("jpg", "image/jpeg"),
    "png": ("png", "image/png"),
    "bmp": ("bmp", "image/bmp"),
    "gif": ("gif", "image/gif"),
    "webp": ("webp", "image/webp"),
}


def _cover_name(stream: AvStream, number: int) -> tuple[str, str]:
    """(file name, MIME type) of an attached picture: its own if it came as an MKV attachment."""
    extension, mimetype = COVER_FILES.get(stream.codec_context.name, ("jpg", "image/jpeg"))
    own = f"cover.{extension}" if number == 0 else f"cover_{number + 1}.{extension}"
    name = stream.metadata.get("filename") or own
    return name, stream.metadata.get("mimetype") or mimetype


def _mov_text_as_subrip(data: bytes) -> bytes:
    """A mov_text sample (16-bit text length, UTF-8 or UTF-16 text, then style boxes) as SubRip
    text. Styles (bold, colours) are dropped; the text and its times are kept."""
    length = int.from_bytes(data[:2], "big")
    raw = data[2 : 2 + length]
    text = raw.decode("utf-16") if raw[:2] in (b"\xfe\xff", b"\xff\xfe") else raw.decode("utf-8", "replace")
    return text.replace("\r\n", "\n").strip().encode()


def _copy_streams(
    source: InputContainer, ours: list[_OurTrack], target: OutputContainer, film: Path, fonts: Sequence[Path]
) -> None:
    import av

    copies, converted, covers = _add_film_streams(source, target, any(o.track.default for o in ours), film)
    our_streams: list[SubtitleStream] = []
    for our in ours:
        our_stream = cast(
            "SubtitleStream",
            target.add_mux_stream("subrip", time_base=MILLISECOND)
            if our.template is None
            else target.add_stream_from_template(our.template),
        )
        our_stream.metadata["language"] = our.track.language
        our_stream.metadata["title"] = our.track.title
        our_stream.disposition = (
            av.stream.Disposition.default if our.track.default else av.stream.Disposition(0)
        )
        our_streams.append(our_stream)
    attached = set()
    for stream in source.streams:
        if stream.type == "attachment":
            target.add_stream_from_template(stream).metadata.update(stream.metadata)
            attached.add(stream.metadata.get("filename"))
    for font in fonts:
        if font.name not in attached:  # the film's own copy of the file is kept, not doubled
            target.add_attachment(font.name, FONT_MIMETYPES[font.suffix.lower()], font.read_bytes())
            attached.add(font.name)
    target.metadata.update(source.metadata)
    target.set_chapters(source.chapters())

    packets = source.demux()
    first = _attach_covers(packets, covers, target)
    pending = _our_packets_by_time(ours, our_streams, (source.start_time or 0) / 1_000_000)  # AV_TIME_BASE
    # A demuxed stream always has a time base (PyAV types it optional: an output stream may lack one).
    scale = {
        stream.index: float(stream.time_base) for stream in source.streams if stream.time_base is not None
    }

    def mux_ours_until(seconds: float) -> None:
        while pending and pending[-1][0] <= seconds:
            target.mux_one(pending.pop()[1])

    for packet in itertools.chain([first] if first is not None else [], packets):
        if not packet.size:
            continue  # the end-of-stream marker PyAV yields per stream
        index = packet.stream_index
        if pending:
            when = packet.dts if packet.dts is not None else packet.pts
            if when is not None and when * scale[index] >= pending[-1][0]:
                mux_ours_until(when * scale[index])
        copy = copies.get(index)
        if copy is not None:
            packet.stream = copy
            target.mux_one(packet)
        elif index in converted:
            text = _mov_text_as_subrip(bytes(packet))
            if text:  # MP4 fills the time between cues with empty samples
                subrip = av.Packet(text)
                subrip.pts, subrip.dts, subrip.duration = packet.pts, packet.dts, packet.duration
                subrip.time_base = packet.time_base
                subrip.stream = converted[index]
                target.mux_one(subrip)
    mux_ours_until(float("inf"))


def _add_film_streams(
    source: InputContainer, target: OutputContainer, ours_default: bool, film: Path
) -> tuple[dict[int, AvStream], dict[int, AvStream], list[AvStream]]:
    """Output streams for the film's tracks, in the film's order: ``copies`` and ``converted``
    (mov_text to SubRip) map a source stream's index to its output stream; ``covers`` are the
    attached pictures, which become attachments."""
    import av

    copies: dict[int, AvStream] = {}
    converted: dict[int, AvStream] = {}
    covers: list[AvStream] = []
    for stream in source.streams:
        if stream.type == "video" and stream.disposition & av.stream.Disposition.attached_pic:
            covers.append(stream)
            continue
        if stream.type not in ("video", "audio", "subtitle"):
            if stream.type != "attachment":
                log.info(
                    "%s: stream %d (%s) left out: Matroska has no place for it",
                    film,
                    stream.index,
                    stream.type,
                )
            continue
        codec = stream.codec_context.name
        try:
            copy = target.add_stream_from_template(stream)
            copies[stream.index] = copy
        except ValueError:  # a codec Matroska cannot hold
            if stream.type == "subtitle" and codec == "mov_text":
                copy = target.add_mux_stream("subrip", time_base=stream.time_base)
                converted[stream.index] = copy
            elif stream.type == "subtitle":
                log.warning(
                    "%s: subtitle stream %d (%s) left out: Matroska cannot hold it", film, stream.index, codec
                )
                continue
            else:
                raise MediaError(
                    f"{film}: stream {stream.index} ({stream.type}, {codec}) cannot be stored in Matroska"
                ) from None
        copy.metadata.update(stream.metadata)
        disposition = stream.disposition
        if stream.type == "subtitle" and ours_default:
            disposition &= ~av.stream.Disposition.default  # ours is the default; theirs step aside
        copy.disposition = disposition
    return copies, converted, covers


def _attach_covers(
    packets: Iterator[Packet[AvStream]], covers: list[AvStream], target: OutputContainer
) -> Packet[AvStream] | None:
    """Write each attached picture as a Matroska attachment; returns the first film packet
    read past them (or None). libavformat hands out attached pictures before any other packet,
    and Matroska keeps attachments in its header, so they are read first."""
    if not covers:
        return None
    wanted = {stream.index for stream in covers}
    pictures: dict[int, Any] = {}
    first = None
    for packet in packets:
        if packet.stream_index not in wanted:
            first = packet
            break
        pictures.setdefault(packet.stream_index, bytes(packet))
    for number, stream in enumerate(covers):
        if stream.index in pictures:
            name, mimetype = _cover_name(stream, number)
            target.add_attachment(name, mimetype, pictures[stream.index])
    return first


def _our_packets_by_time(
    ours: list[_OurTrack], streams: list[SubtitleStream], film_start: float
) -> list[tuple[float, Packet[SubtitleStream]]]:
    """Our cues as (seconds, packet) for the output streams, the earliest last (popped first).

    They are muxed among the film's packets by time, so a player streaming the file finds each
    cue where it plays, not after the last frame. Times are float seconds: Fraction arithmetic per
    packet would double the copy loop's cost. Cue times count from the film's start, as ffmpeg
    counts when it extracts the audio they were timed on, so a film whose timeline does not start
    at 0 (MPEG-TS, cut MKVs) has them moved with it.
    """
    timed = []
    for our, stream in zip(ours, streams, strict=True):
        for packet in our.packets:
            if packet.pts is None:  # the SubRip demuxer times every cue it reads
                raise MediaError(f"{our.track.path}: a cue without a time")
            unit = float(packet.time_base)
            if film_start:
                shift = round(film_start / unit)
                packet.pts += shift
                packet.dts = packet.dts + shift if packet.dts is not None else None
            packet.stream = stream
            timed.append((packet.pts * unit, packet))
    timed.sort(key=lambda item: item[0])
    timed.reverse()  # pop() takes the earliest; cues at the same time keep their order
    return timed


AUTO_FONT = "auto"  # config mux.burn_in_font: each track in its script's family (reelsub.subtitles.fonts)


def burn_in_filter(subtitles: Path, font: str | None, fonts_dir: Path | None = None) -> str:
    """The subtitles filter that draws ``subtitles``, in ``font`` where one is named (else in the
    file's own style), with libass looking in ``fonts_dir`` first where given; escaped for a filter
    graph (reelsub.escaping): no font name can add an option or another filter."""
    options = {"filename": str(subtitles)}
    if font is not None:
        check_burn_in_font(font)
        options["force_style"] = f"FontName={font}"
    if fonts_dir is not None:
        options["fontsdir"] = str(fonts_dir)
    return escaping.filter_graph_filter("subtitles", options)


def burn_in(
    film: Path,
    srt: Path,
    out: Path,
    font: str = AUTO_FONT,
    language: str | None = None,
    font_folders: Sequence[Path] | None = None,
) -> None:
    """Subtitles drawn into the picture with libass: a full re-encode, never the default.

    ``font`` ``auto``: the track is drawn as our ASS script, styled in the family of ``language``'s
    script, with that family's file (found in ``font_folders``) handed to libass, so no glyph is
    left to whatever fallback the system's fontconfig picks. A named font: drawn in it, as the
    system's fontconfig finds it.

    The subtitles filter opens its file by name, as a URL: a copy under a plain temporary name
    is never read as a protocol. The copy is written from our parse of the cues, so the film
    carries what QC checked, never libass's own reading of the file.
    """
    with tempfile.TemporaryDirectory(prefix="reelsub-burn-") as scratch, atomic_output(out) as temporary:
        cues = read_srt(srt)  # the cues our parser reads, never libass's own guess
        if font == AUTO_FONT:
            family = family_for(language or "")
            try:
                path = font_file(family, font_folders)
            except LookupError as error:
                raise MediaError(f"{film}: burn-in of {srt} needs {family}: {error}") from None
            fonts_dir = Path(scratch) / "fonts"
            fonts_dir.mkdir()
            shutil.copyfile(path, fonts_dir / path.name)
            plain = Path(scratch) / "subtitles.ass"
            plain.write_text(ass_text(cues, language or "", family), encoding="utf-8")
            graph = burn_in_filter(plain, None, fonts_dir)
        else:
            plain = Path(scratch) / "subtitles.srt"
            write_srt(cues, plain)
            graph = burn_in_filter(plain, font)
        run_tool(
            [
                *FFMPEG,
                *input_args(film),
                "-vf",
                graph,
                "-map",
                "0:v:0",
                "-map",
                "0:a?",
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-crf",
                "20",
                "-c:a",
                "copy",
                file_url(temporary),
            ],
            f"{film}: burn-in of {srt} failed",
        )
