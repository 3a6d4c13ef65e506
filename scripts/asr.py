"""asr: speech to a raw transcript (segments with whisper's word timings), on the chosen backend."""

from dataclasses import asdict
from pathlib import Path

from reelsub.asr import AsrSettings, transcribe
from reelsub.contracts.audio import read_audio_record
from reelsub.workflow.hardware import detect
from reelsub.workflow.stage import run_stage


def main(snakemake) -> None:
    with run_stage(snakemake, "asr") as log:
        params = snakemake.params
        settings = AsrSettings.from_config(
            params.asr,
            threads=snakemake.threads,
            language=params.language,
            glossary=params.glossary,
            sentence_pause=params.sentence_pause,
        )
        log.info(
            "backend %s, model %s, device %s/%s, %d threads, hardware %s",
            params.backend,
            settings.model,
            settings.device,
            settings.compute_type,
            settings.cpu_threads,
            detect().as_dict(),
        )
        track = read_audio_record(snakemake.input.audio_track)  # which of the film's audio tracks this is
        transcript = transcribe(Path(snakemake.input.wav), params.backend, settings, snakemake.wildcards.film)
        # QC compares the language heard with the track's tag (reelsub.subtitles.qc.language_check)
        transcript.provenance[-1].settings["audio_track"] = asdict(track)
        if not transcript.segments:
            log.warning(
                "no speech found in %.1f s of audio: zero segments (silence or music only)",
                transcript.duration,
            )
        log.info(
            "%d segments, %d words, language %s",
            len(transcript.segments),
            sum(1 for _ in transcript.words()),
            transcript.language,
        )
        transcript.write(snakemake.output.json)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
