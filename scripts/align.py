"""align: word-level times from wav2vec2 where a model is at hand, whisper's own otherwise."""

from pathlib import Path

from reelsub.alignment import AlignSettings, align
from reelsub.hardware import runtime_device
from reelsub.settings import settings_from
from reelsub.stage import run_stage
from reelsub.transcript import Transcript


def main(snakemake) -> None:
    with run_stage(snakemake, "align") as log:
        device, _ = runtime_device(snakemake.params.align.get("device", "auto"))
        settings = settings_from(AlignSettings, snakemake.params.align, device=device, threads=snakemake.threads)
        aligned = align(Transcript.read(snakemake.input.json), Path(snakemake.input.wav), settings)
        log.info("word times by %s", aligned.provenance[-1].settings.get("method"))
        aligned.write(snakemake.output.json)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
