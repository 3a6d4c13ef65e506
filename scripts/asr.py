"""asr: speech to a raw transcript (segments with whisper's word timings), on the chosen backend."""

from pathlib import Path

from reelsub.asr import AsrSettings, transcribe
from reelsub.hardware import detect, runtime_device
from reelsub.settings import settings_from
from reelsub.stage import run_stage


def main(snakemake) -> None:
    with run_stage(snakemake, "asr") as log:
        params = snakemake.params
        device, compute_type = runtime_device(params.asr.get("device", "auto"))
        if params.asr.get("compute_type", "auto") != "auto":
            compute_type = params.asr["compute_type"]
        settings = settings_from(
            AsrSettings,
            params.asr,
            device=device,
            compute_type=compute_type,
            cpu_threads=snakemake.threads,
            language=None if params.language == "auto" else params.language,
            glossary=list(params.glossary),
        )
        log.info("backend %s, model %s, device %s/%s, hardware %s",
                 params.backend, settings.model, device, compute_type, detect().as_dict())
        transcript = transcribe(Path(snakemake.input.wav), params.backend, settings, snakemake.wildcards.film)
        if not transcript.segments:
            log.warning("no speech found in %.1f s of audio: zero segments (silence or music only)",
                        transcript.duration)
        log.info("%d segments, %d words, language %s", len(transcript.segments),
                 sum(1 for _ in transcript.words()), transcript.language)
        transcript.write(snakemake.output.json)


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
