# One page per film in `snakemake --report`: subtitle QC tables, cue plots and stage benchmarks,
# from what the other stages left in jobs/<film>/. The rule graph is Snakemake's own (Workflow).
rule film_report:
    input:
        mkv="jobs/{film}/out.mkv",  # mux leaves the QC of what it muxed in subtitles/
        transcript="jobs/{film}/transcript.json",
        benchmarks=film_benchmarks,
    output:
        qc_table=report(
            "jobs/{film}/report/qc.html",
            caption="../report/qc_table.rst",
            category="{film}",
            subcategory="subtitles",
            labels={"film": "{film}", "figure": "subtitle QC"},
        ),
        durations=report(
            "jobs/{film}/report/cue_durations.svg",
            caption="../report/cue_durations.rst",
            category="{film}",
            subcategory="subtitles",
            labels={"film": "{film}", "figure": "cue durations"},
        ),
        reading_speed=report(
            "jobs/{film}/report/reading_speed.svg",
            caption="../report/reading_speed.rst",
            category="{film}",
            subcategory="subtitles",
            labels={"film": "{film}", "figure": "reading speed"},
        ),
        timeline=report(
            "jobs/{film}/report/timeline.svg",
            caption="../report/timeline.rst",
            category="{film}",
            subcategory="subtitles",
            labels={"film": "{film}", "figure": "speech and cues"},
        ),
        benchmarks=report(
            "jobs/{film}/report/benchmarks.html",
            caption="../report/benchmarks.rst",
            category="{film}",
            subcategory="stages",
            labels={"film": "{film}", "figure": "stage benchmarks"},
        ),
    log:
        "jobs/{film}/logs/report.log",
    benchmark:
        "jobs/{film}/benchmarks/report.tsv"
    conda:
        "../envs/common.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        film_rst=film_rst,  # the captions' film name (report/*.rst)
        rules=config["subtitle"],
        subtitles="jobs/{film}/subtitles",
    script:
        "../scripts/report_film.py"
