rule demux:
    input:
        film=film_path,
    output:
        wav=temp("jobs/{film}/audio.wav"),
        record="jobs/{film}/audio.json",
    log:
        "jobs/{film}/logs/demux.log",
    benchmark:
        "jobs/{film}/benchmarks/demux.tsv"
    group:
        FILM_GROUP
    conda:
        "../envs/common.yaml"
    threads: 1
    resources:
        mem_mb=512,
        runtime=15,
    params:
        source_lang=film_source_lang,
        audio_lang=film_audio_lang,
        audio_track=film_audio_track,
    script:
        "../scripts/demux.py"
