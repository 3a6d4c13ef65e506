"""export: the film's transcript as JSON (the contract), plain text, and a segment-level SRT."""

from reelsub.contracts.transcript import Transcript
from reelsub.export import export_transcript
from reelsub.workflow.stage import run_stage


def main(snakemake) -> None:
    with run_stage(snakemake, "export") as log:
        transcript = Transcript.read(snakemake.input.json)
        export_transcript(transcript, snakemake.output.json, snakemake.output.txt, snakemake.output.srt)
        log.info("%d segments exported", len(transcript.segments))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
