"""Row 3's measured alternative: the mux done in-process with PyAV (already a dependency, via
faster-whisper), with no ffprobe or ffmpeg process to start.

Only what the benchmark film needs: its video and audio packets copied as they are and one SRT
file as a tagged, default subtitle track. reelsub.mkv.mux does more (every stream of any film,
mov_text converted to SubRip, chapters and global metadata kept), which a product version of
this would have to keep; the benchmark checks the A/V md5 of its output like the real mux's.
"""

from __future__ import annotations

from pathlib import Path


def remux(film: Path, srt: Path, out: Path, language: str = "eng", title: str = "English") -> None:
    import av

    with (
        av.open(str(film)) as source,
        av.open(str(srt)) as subtitles,
        av.open(str(out), "w", format="matroska") as target,
    ):
        streams = {
            s: target.add_stream_from_template(s) for s in source.streams if s.type in ("video", "audio")
        }
        for original, copy in streams.items():
            copy.disposition = original.disposition  # PyAV leaves every stream default=0 otherwise
        subtitle_in = subtitles.streams.subtitles[0]
        subtitle_out = target.add_stream_from_template(subtitle_in)
        subtitle_out.metadata["language"] = language
        subtitle_out.metadata["title"] = title
        subtitle_out.disposition = av.stream.Disposition.default
        for packet in source.demux(*streams):
            if packet.dts is not None:
                packet.stream = streams[packet.stream]
                target.mux(packet)
        for packet in subtitles.demux(subtitle_in):
            if packet.dts is not None:
                packet.stream = subtitle_out
                target.mux(packet)
