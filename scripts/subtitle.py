"""subtitle: broadcast-grade cues for the film's language and every translation, with a QC report,
published for review (reelsub.review.publish: an edited published file is kept)."""

from pathlib import Path

from reelsub.contracts.qc_report import write_qc_report
from reelsub.contracts.tracks import Track, choose_default, track_title, write_manifest
from reelsub.contracts.transcript import Transcript
from reelsub.media import probe
from reelsub.review.publish import publish
from reelsub.subtitles.cues import SubtitleRules, build_cues
from reelsub.subtitles.files import configured_formats, write_formats, write_srt
from reelsub.subtitles.frames import keep_gaps, variable_frame_times
from reelsub.subtitles.qc import format_qc_table, qc_report
from reelsub.workflow.stage import run_stage

FALLBACK_FPS = 25.0  # only for audio-only inputs, which have no frames to keep a gap between


def main(snakemake) -> None:
    with run_stage(snakemake, "subtitle") as log:
        out = Path(snakemake.output.dir)
        out.mkdir(parents=True, exist_ok=True)
        fps = probe(Path(snakemake.input.film)).fps or FALLBACK_FPS
        # A variable frame rate has no one frame length: cues are timed at its fastest part's
        # rate, then each gap is kept in the film's real frames (reelsub.subtitles.frames).
        frames = variable_frame_times(Path(snakemake.input.film))
        if frames:
            fps = frames.fastest_fps or fps
        rules = SubtitleRules.from_config(snakemake.params.rules)
        source = Transcript.read(snakemake.input.json)
        transcripts = [(source, False)]
        if snakemake.input.get("translations"):
            for path in sorted(Path(snakemake.input.translations).glob("*.json")):
                transcripts.append((Transcript.read(path), True))
        default = choose_default([t.language for t, _ in transcripts], snakemake.params.default_track)
        tracks = []
        for transcript, translated in transcripts:
            lang = transcript.language
            cues = build_cues(transcript, rules, fps)
            if frames:
                cues = keep_gaps(cues, frames, rules.min_gap_frames)
            report = qc_report(cues, rules, fps, transcript, translated=translated)
            write_srt(cues, out / f"{lang}.srt")
            write_formats(cues, out, lang, configured_formats(snakemake.params.rules))
            write_qc_report(out / f"{lang}.qc.json", report)
            log.info(
                "QC %s (%s, %.3g fps%s):\n%s",
                lang,
                "translation" if translated else "source",
                fps,
                ", variable: gaps kept in real frames" if frames else "",
                format_qc_table(report),
            )
            tracks.append(
                Track(
                    lang,
                    f"{lang}.srt",
                    f"{lang}.vtt",
                    f"{lang}.qc.json",
                    track_title(lang, translated),
                    lang == default and bool(cues),
                    translated,
                    len(cues),
                )
            )
        write_manifest(out, tracks)
        publish(out, Path(snakemake.params.published), snakemake.wildcards.film, log)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
