# The source track and every translation of a film; file names follow each transcript's language,
# which asr detects at run time when source_lang is auto.
rule subtitle:
    input:
        unpack(subtitle_inputs),
    output:
        dir=directory("jobs/{film}/subtitles"),
    params:
        rules=config["subtitle"],
        default_track=config["mux"]["default_track"],
    log:
        "jobs/{film}/logs/subtitle.log",
    benchmark:
        "jobs/{film}/benchmarks/subtitle.tsv"
    threads: 1
    resources:
        mem_mb=512,
        runtime=10,
    conda:
        "../envs/common.yaml"
    script:
        "../scripts/subtitle.py"
