"""align: word-level times from wav2vec2 where a model is at hand, whisper's own otherwise, fitted
to the pauses VAD heard; then, where align.diarization_model is set, each word's speaker."""

from pathlib import Path

from reelsub.align.speakers import DiarizationSettings, load_diarization, with_speakers
from reelsub.align.word_times import AlignSettings, align
from reelsub.contracts.transcript import Transcript
from reelsub.workflow.cuda_libraries import FOR_TORCH
from reelsub.workflow.hardware import resolve_device
from reelsub.workflow.settings import settings_from
from reelsub.workflow.stage import run_stage


def main(snakemake) -> None:
    with run_stage(snakemake, "align") as log:
        section = snakemake.params.align
        device = resolve_device(section.get("device", "auto"), "align.device", FOR_TORCH)
        settings = settings_from(AlignSettings, "align", section, device=device, threads=snakemake.threads)
        speakers = settings_from(DiarizationSettings, "align", section, device=device)
        # a diarization model that cannot be loaded stops the job before the alignment's work, not after
        diarization = load_diarization(speakers) if speakers.diarization_model else None
        aligned = align(Transcript.read(snakemake.input.json), Path(snakemake.input.wav), settings)
        log.info(
            "word times by %s; %d sentences after fitting to heard pauses",
            aligned.provenance[-1].settings.get("method"),
            len(aligned.segments),
        )
        # speakers last: they are read off the final word times
        aligned = with_speakers(aligned, Path(snakemake.input.wav), speakers, diarization)
        aligned.write(snakemake.output.json)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
