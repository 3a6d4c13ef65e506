"""review_index: jobs/index.html, the batch page: every film's tracks, their QC and who touched them."""

from pathlib import Path

from reelsub.review.batch import review_counts, write_batch_page
from reelsub.workflow.stage import run_stage


def main(snakemake) -> None:
    with run_stage(snakemake, "review_index") as log:
        films = write_batch_page(Path(snakemake.output.html).parent, snakemake.params.films)
        tracks = [t for f in films for t in f.tracks]
        log.info(
            "wrote %s: %d films, %d tracks: %s; %d wait for a person's approval (%d for a person to look at)",
            snakemake.output.html,
            len(films),
            len(tracks),
            review_counts([t.review for t in tracks]),
            sum(t.waiting for t in tracks),
            sum(t.needs_a_look for t in tracks),
        )


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
