# The source track and every translation of a film; file names follow each transcript's language,
# which asr detects at run time when source_lang is auto. The machine's tracks go to
# machine_subtitles/ and are then published to subtitles/, the folder people edit (reelsub.review.publish):
# a checkpoint, so mux lists the published files once they exist.
checkpoint subtitle:
    input:
        unpack(subtitle_inputs),
    output:
        dir=directory("jobs/{film}/machine_subtitles"),
    log:
        "jobs/{film}/logs/subtitle.log",
    benchmark:
        "jobs/{film}/benchmarks/subtitle.tsv"
    group:
        FILM_GROUP
    conda:
        "../envs/common.yaml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=10,
    params:
        rules=config["subtitle"],
        default_track=config["mux"]["default_track"],
        published=published_folder,
        republished=republish_token,
    script:
        "../scripts/subtitle.py"
