rule export:
    input:
        json="jobs/{film}/aligned.json",
    output:
        json="jobs/{film}/transcript.json",
        txt="jobs/{film}/transcript.txt",
        srt="jobs/{film}/transcript.srt",
    log:
        "jobs/{film}/logs/export.log",
    benchmark:
        "jobs/{film}/benchmarks/export.tsv"
    group:
        FILM_GROUP
    conda:
        "../envs/common.yaml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=10,
    script:
        "../scripts/export.py"
