# Row 5's baseline: reelsub's DAG shape (7 rules per film, the same files, logs, benchmarks,
# threads and resources) with every rule a `touch`. bench/run.py copies it, with the project's
# workflow profile beside it, into bench/work/ and dry-runs it over the same placeholder films.

import os

FILMS = sorted(
    name.rsplit(".", 1)[0] for name in os.listdir("films")
    if name.lower().endswith((".mp4", ".mkv", ".mov", ".avi", ".webm", ".m4v")) and not name.startswith(".")
)


wildcard_constraints:
    film="[^/]+",


rule all:
    input:
        expand("jobs/{film}/out.mkv", film=FILMS),
    default_target: True


rule demux:
    input: "films/{film}.mp4"
    output: temp("jobs/{film}/audio.wav")
    log: "jobs/{film}/logs/demux.log"
    benchmark: "jobs/{film}/benchmarks/demux.tsv"
    threads: 1
    resources: mem_mb=512, runtime=15
    shell: "touch {output}"


rule asr:
    input: wav="jobs/{film}/audio.wav"
    output: "jobs/{film}/asr.json"
    log: "jobs/{film}/logs/asr.log"
    benchmark: "jobs/{film}/benchmarks/asr.tsv"
    threads: 4
    resources: mem_mb=4000, runtime=240, gpu=0
    shell: "touch {output}"


rule align:
    input: json="jobs/{film}/asr.json", wav="jobs/{film}/audio.wav"
    output: "jobs/{film}/aligned.json"
    log: "jobs/{film}/logs/align.log"
    benchmark: "jobs/{film}/benchmarks/align.tsv"
    threads: 2
    resources: mem_mb=4000, runtime=120
    shell: "touch {output}"


rule export:
    input: "jobs/{film}/aligned.json"
    output: json="jobs/{film}/transcript.json", txt="jobs/{film}/transcript.txt", srt="jobs/{film}/transcript.srt"
    log: "jobs/{film}/logs/export.log"
    benchmark: "jobs/{film}/benchmarks/export.tsv"
    threads: 1
    resources: mem_mb=512, runtime=10
    shell: "touch {output}"


rule translate:
    input: json="jobs/{film}/transcript.json"
    output: directory("jobs/{film}/translations")
    log: "jobs/{film}/logs/translate.log"
    benchmark: "jobs/{film}/benchmarks/translate.tsv"
    threads: 2
    resources: mem_mb=6000, runtime=120, gpu=0
    shell: "mkdir -p {output}"


rule subtitle:
    input: json="jobs/{film}/transcript.json", film="films/{film}.mp4", translations="jobs/{film}/translations"
    output: directory("jobs/{film}/subtitles")
    log: "jobs/{film}/logs/subtitle.log"
    benchmark: "jobs/{film}/benchmarks/subtitle.tsv"
    threads: 1
    resources: mem_mb=512, runtime=10
    shell: "mkdir -p {output}"


rule mux:
    input: film="films/{film}.mp4", subtitles="jobs/{film}/subtitles"
    output: "jobs/{film}/out.mkv"
    log: "jobs/{film}/logs/mux.log"
    benchmark: "jobs/{film}/benchmarks/mux.tsv"
    threads: 1
    resources: mem_mb=512, runtime=30
    shell: "touch {output}"
