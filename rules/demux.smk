rule demux:
    input:
        film=film_path,
    output:
        wav=temp("jobs/{film}/audio.wav"),
        record="jobs/{film}/audio.json",
    params:
        source_lang=film_source_lang,
        audio_lang=film_audio_lang,
        audio_track=film_audio_track,
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
