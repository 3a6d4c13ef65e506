"""translate: one translated transcript per target language, each model loaded once per film."""

from pathlib import Path

from reelsub import languages
from reelsub.asr import AsrSettings
from reelsub.contracts.transcript import Provenance, Transcript
from reelsub.glossary import parse_glossary
from reelsub.translate.translation import (
    TranslateSettings,
    Translator,
    translate_transcript,
    translate_with_whisper,
)
from reelsub.workflow.settings import settings_from
from reelsub.workflow.stage import run_stage


def main(snakemake) -> None:
    with run_stage(snakemake, "translate") as log:
        params = snakemake.params
        out_dir = Path(snakemake.output.dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        source = Transcript.read(snakemake.input.json)
        # the device is resolved where the model loads (translation.load_indictrans2)
        settings = settings_from(
            TranslateSettings,
            "translate",
            params.translate,
            cpu_threads=snakemake.threads,
            sentence_pause=params.sentence_pause,
        )
        translator = Translator(settings)
        glossary = parse_glossary(params.glossary)
        for target_id in params.targets:
            target = languages.resolve(target_id)
            if not source.segments:
                log.info("no speech in the film: the %s transcript is empty too", target.name)
                empty = source.with_stage(Provenance(stage="translate", engine="none"), language=target.id)
                empty.write(out_dir / f"{target.id}.json")
                continue
            if languages.resolve(source.language).id == target.id:
                log.info("%s is the film's own language: no translation needed", target.name)
                continue
            log.info("translating %s → %s with %s", source.language, target.id, settings.engine)
            if settings.engine == "whisper":
                asr = AsrSettings.from_config(params.asr, threads=snakemake.threads, language=params.language)
                translated = translate_with_whisper(
                    Path(snakemake.input.wav),
                    asr,
                    snakemake.wildcards.film,
                    target,
                    sentence_pause=params.sentence_pause,
                )
            else:
                translated = translate_transcript(source, target, translator, glossary)
            translated.write(out_dir / f"{target.id}.json")
            log.info("%s: %d segments", target.name, len(translated.segments))


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
