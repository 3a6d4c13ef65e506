rule demux:
    input:
        film=film_path,
    output:
        wav=temp("jobs/{film}/audio.wav"),
    log:
        "jobs/{film}/logs/demux.log",
    benchmark:
        "jobs/{film}/benchmarks/demux.tsv"
    threads: 1
    resources:
        mem_mb=512,
        runtime=15,
    conda:
        "../envs/common.yaml"
    script:
        "../scripts/demux.py"
