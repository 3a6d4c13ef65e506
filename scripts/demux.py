"""demux: the film's first audio stream as 16 kHz mono WAV, the input of every ASR engine."""

from pathlib import Path

from reelsub.media import extract_audio
from reelsub.stage import run_stage


def main(snakemake) -> None:
    with run_stage(snakemake, "demux") as log:
        info = extract_audio(Path(snakemake.input.film), Path(snakemake.output.wav))
        log.info(
            "%s: %.1f s, %d video / %d audio / %d subtitle streams",
            snakemake.input.film, info.duration, len(info.of_kind("video")),
            len(info.of_kind("audio")), len(info.of_kind("subtitle")),
        )


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
