"""demux: the film's chosen audio stream as 16 kHz mono WAV, the input of every ASR engine, and
jobs/<film>/audio.json, the record of which track that is and why (reelsub.audio_track)."""

import wave
from pathlib import Path

from reelsub.audio_track import audio_record, choose_audio_track
from reelsub.contracts.audio import write_audio_record
from reelsub.media import extract_audio, probe
from reelsub.workflow.stage import run_stage


def main(snakemake) -> None:
    with run_stage(snakemake, "demux") as log:
        film = Path(snakemake.input.film)
        info = probe(film)
        choice = choose_audio_track(
            info.streams,
            snakemake.params.source_lang,
            snakemake.params.audio_lang or None,
            snakemake.params.audio_track,
            where=str(film),
        )
        log.info("%s: %s", film, choice.describe())
        if choice.warning:
            log.warning("%s: %s", film, choice.warning)
        extract_audio(film, Path(snakemake.output.wav), stream_index=choice.stream.index, info=info)
        with wave.open(snakemake.output.wav, "rb") as extracted:
            seconds = extracted.getnframes() / extracted.getframerate()
        write_audio_record(snakemake.output.record, audio_record(choice, seconds))
        log.info(
            "%s: %.1f s, %d video / %d audio / %d subtitle streams; %.1f s of audio extracted",
            film,
            info.duration,
            len(info.of_kind("video")),
            len(info.of_kind("audio")),
            len(info.of_kind("subtitle")),
            seconds,
        )


if __name__ == "__main__":
    main(snakemake)  # noqa: F821 (injected by Snakemake's script: directive)
