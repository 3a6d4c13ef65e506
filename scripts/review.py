"""review: jobs/<film>/review.html, the page a person checks a film's subtitles on."""

from pathlib import Path

from reelsub.review.page import flagged_cues, write_review_page
from reelsub.workflow.stage import run_stage


def main(snakemake) -> None:
    with run_stage(snakemake, "review") as log:
        page = Path(snakemake.output.html)
        tracks = write_review_page(
            snakemake.wildcards.film, Path(snakemake.input.film), Path(snakemake.params.subtitles), page
        )
        for track in tracks:
            log.info(
                "%s: %d cues, %d flagged",
                track.track.language,
                len(track.cues),
                len(flagged_cues(track.qc, track.cues)),
            )
        log.info("wrote %s (open it in Firefox, or serve its folder for Chrome: see README)", page)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
