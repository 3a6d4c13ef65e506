# The review page of a film: the film with its subtitle tracks, their QC and the flagged cues, each
# a link that seeks the film there. Built from what mux muxed; not part of `all` (target `reviews`).
rule review:
    input:
        mkv="jobs/{film}/out.mkv",
        film=film_path,
    output:
        html="jobs/{film}/review.html",
    log:
        "jobs/{film}/logs/review.log",
    benchmark:
        "jobs/{film}/benchmarks/review.tsv"
    conda:
        "../envs/common.yaml"
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        subtitles=published_folder,
    script:
        "../scripts/review.py"


# The batch page, jobs/index.html: every film's tracks with their QC and whether a person has approved
# or edited them, and how many tracks wait for a person. Built after every film's review page, and
# again when a film's review record changes (an approval: params records).
rule review_index:
    input:
        all_reviews,
    output:
        html="jobs/index.html",
    log:
        "logs/review_index.log",
    benchmark:
        "benchmarks/review_index.tsv"
    conda:
        "../envs/common.yaml"
    threads: 1
    resources:
        mem_mb=256,
        runtime=5,
    params:
        films=sorted(FILMS),
        records=review_records,
    script:
        "../scripts/review_index.py"
