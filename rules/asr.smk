rule asr:
    input:
        wav="jobs/{film}/audio.wav",
        audio_track="jobs/{film}/audio.json",
    output:
        json="jobs/{film}/asr.json",
    log:
        "jobs/{film}/logs/asr.log",
    benchmark:
        "jobs/{film}/benchmarks/asr.tsv"
    group:
        FILM_GROUP
    conda:
        f"../envs/{ASR_BACKEND}.yaml"
    threads: per_film_threads("asr.json", config["asr"]["threads"])
    resources:
        mem_mb=config["asr"]["mem_mb"],
        runtime=240,
        gpu=ASR_GPUS,
    params:
        backend=ASR_BACKEND,
        asr=config["asr"],
        language=film_source_lang,
        glossary=film_glossary,
        sentence_pause=config["align"]["sentence_pause"],
    script:
        "../scripts/asr.py"
