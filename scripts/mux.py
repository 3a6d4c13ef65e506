"""mux: the film with every stream it had, stream-copied, plus language-tagged subtitle tracks."""

from pathlib import Path

from reelsub.media import MediaError, SubtitleTrack, burn_in, mux
from reelsub.stage import run_stage
from reelsub.tracks import read_manifest


def main(snakemake) -> None:
    with run_stage(snakemake, "mux") as log:
        folder = Path(snakemake.input.subtitles)
        tracks = [t for t in read_manifest(folder) if t.cues]
        if not tracks:
            log.warning("no speech was found: %s gets no subtitle track", snakemake.input.film)
        film, out = Path(snakemake.input.film), Path(snakemake.output.mkv)
        if snakemake.params.get("burn_in"):
            chosen = next((t for t in tracks if t.default), tracks[0] if tracks else None)
            if chosen is None:
                raise MediaError(f"{film}: no subtitles to burn in (no speech was found)")
            log.info("burning %s subtitles into the picture (a full re-encode)", chosen.language)
            burn_in(film, folder / chosen.srt, out, snakemake.params.font)
            return
        mux(film, [SubtitleTrack(folder / t.srt, t.mkv_language, t.title, t.default) for t in tracks], out)
        log.info("%s: %d subtitle tracks added (%s)", out, len(tracks),
                 ", ".join(f"{t.mkv_language}{'*' if t.default else ''}" for t in tracks))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
