"""report: one film's page of the Snakemake report (QC tables, cue plots, stage benchmarks)."""

from pathlib import Path

from reelsub.review.report import ReportOutputs, write_film_report
from reelsub.workflow.stage import run_stage


def main(snakemake) -> None:
    with run_stage(snakemake, "report") as log:
        outputs = ReportOutputs(
            **{
                name: Path(snakemake.output[name])
                for name in ("qc_table", "durations", "reading_speed", "timeline", "benchmarks")
            }
        )
        tracks = write_film_report(
            snakemake.wildcards.film,
            Path(snakemake.params.subtitles),
            Path(snakemake.input.transcript),
            [Path(p) for p in snakemake.input.benchmarks],
            snakemake.params.rules,
            outputs,
        )
        log.info("report of %d track(s): %s", len(tracks), ", ".join(t.language for t in tracks) or "none")


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
