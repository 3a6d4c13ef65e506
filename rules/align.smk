rule align:
    input:
        json="jobs/{film}/asr.json",
        wav="jobs/{film}/audio.wav",
    output:
        json="jobs/{film}/aligned.json",
    log:
        "jobs/{film}/logs/align.log",
    benchmark:
        "jobs/{film}/benchmarks/align.tsv"
    group:
        FILM_GROUP
    conda:
        "../envs/whisperx.yaml"
    threads: per_film_threads("aligned.json", "auto", at_most=2)
    resources:
        mem_mb=4000,
        runtime=120,
    params:
        align=config["align"],
    script:
        "../scripts/align.py"
