# One job per film for all its target languages, so that each model loads once per film.
rule translate:
    input:
        unpack(translate_inputs),
    output:
        dir=directory("jobs/{film}/translations"),
    log:
        "jobs/{film}/logs/translate.log",
    benchmark:
        "jobs/{film}/benchmarks/translate.tsv"
    group:
        FILM_GROUP
    conda:
        "../envs/indictrans2.yaml"
    threads: 2
    resources:
        mem_mb=6000,
        runtime=120,
        gpu=ASR_GPUS,
    params:
        targets=film_targets,
        translate=config["translate"],
        asr=config["asr"],
        language=film_source_lang,
        sentence_pause=config["align"]["sentence_pause"],
        glossary=film_glossary,
    script:
        "../scripts/translate.py"
