"""mux: the film with every stream it had, stream-copied, plus language-tagged subtitle tracks: the
published ones (jobs/<film>/subtitles/<lang>.srt), as a person may have edited them, muxed from the
cues of one snapshot of each file (the cues QC and the VTT describe)."""

from pathlib import Path

from reelsub.contracts.review_record import sha256
from reelsub.contracts.tracks import read_manifest
from reelsub.contracts.transcript import Transcript, transcript_in_language
from reelsub.media import MediaError
from reelsub.mkv import SubtitleTrack, burn_in, mux
from reelsub.review.publish import describe_published, read_edited_srt
from reelsub.subtitles.cues import SubtitleRules
from reelsub.subtitles.files import ass_text, configured_formats
from reelsub.subtitles.fonts import font_files, font_folders
from reelsub.workflow.stage import run_stage


def transcripts_by_language(snakemake):
    """The words each track was made from, read only when an edited track needs QC again."""

    def transcript_of(language: str) -> Transcript:
        paths = [Path(snakemake.input.json)]
        if snakemake.input.get("translations"):
            paths += sorted(Path(snakemake.input.translations).glob("*.json"))
        try:
            return transcript_in_language(paths, language)
        except LookupError as error:
            raise MediaError(str(error)) from None

    return transcript_of


def main(snakemake) -> None:
    with run_stage(snakemake, "mux") as log:
        machine, published = Path(snakemake.input.machine), Path(snakemake.params.published)
        film, out = Path(snakemake.input.film), Path(snakemake.output.mkv)
        folders = font_folders(snakemake.params.get("fonts_dir") or None)
        if snakemake.params.get("burn_in"):
            tracks = [t for t in read_manifest(machine) if t.cues]
            chosen = next((t for t in tracks if t.default), tracks[0] if tracks else None)
            if chosen is None:
                raise MediaError(f"{film}: no subtitles to burn in (no speech was found)")
            srt = published / chosen.srt if (published / chosen.srt).exists() else machine / chosen.srt
            if srt.parent == published and sha256(srt) != sha256(machine / chosen.srt):
                read_edited_srt(srt, srt.read_bytes())  # an emptied or broken edit fails, naming the line
            log.info("burning %s into the picture (a full re-encode)", srt)
            burn_in(film, srt, out, snakemake.params.font, chosen.language, folders)
            return
        rules = SubtitleRules.from_config(snakemake.params.rules)
        snapshots = describe_published(
            machine,
            published,
            transcripts_by_language(snakemake),
            rules,
            log,
            configured_formats(snakemake.params.rules),
        )
        muxed = [s for s in snapshots if s.cues]
        tracks = [s.track for s in muxed]
        if not tracks:
            log.warning("no speech was found: %s gets no subtitle track", film)
        as_ass = snakemake.params.get("codec") == "ass"
        try:
            # ASS tracks name a family per script: the MKV carries each file, so players draw it.
            fonts = font_files([t.language for t in tracks], folders) if as_ass else []
        except LookupError as error:
            raise MediaError(f"{film}: mux.subtitle_codec is ass: {error}") from None
        mux(
            film,
            [
                SubtitleTrack(
                    published / s.track.srt,
                    s.track.mkv_language,
                    s.track.title,
                    s.track.default,
                    s.cues,
                    ass_text(s.cues, s.track.language) if as_ass else None,
                )
                for s in muxed
            ],
            out,
            fonts,
        )
        for snapshot in snapshots:
            now = published / snapshot.track.srt
            if not now.exists() or sha256(now) != snapshot.sha256:
                # Snakemake's params (the hashes of the published files) make the next run mux it.
                log.warning(
                    "%s was saved while muxing: %s has the version read before the save; run again to mux it",
                    published / snapshot.track.srt,
                    out,
                )
        log.info(
            "%s: %d subtitle tracks added from %s (%s)",
            out,
            len(tracks),
            published,
            ", ".join(f"{t.mkv_language}{'*' if t.default else ''}" for t in tracks),
        )


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
