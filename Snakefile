# reelsub: films in, subtitled films out.
#   demux -> asr -> align -> export -> translate -> subtitle -> mux
# See README.md for use, DEVELOPERS.md for how the code is laid out.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "report/workflow.rst"


include: "rules/common.smk"
include: "rules/demux.smk"
include: "rules/asr.smk"
include: "rules/align.smk"
include: "rules/export.smk"
include: "rules/translate.smk"
include: "rules/subtitle.smk"
include: "rules/mux.smk"
include: "rules/report.smk"
include: "rules/review.smk"


rule all:
    default_target: True
    input:
        all_outputs,


# Each film's report page (QC tables, cue plots, stage benchmarks), for
#   snakemake -j4 reports && snakemake --report report.html reports      (make report)
rule reports:
    input:
        all_reports,


# Each film's review page, jobs/<film>/review.html (the film, its tracks, QC, flagged cues), and
# the batch page, jobs/index.html.
rule reviews:
    input:
        all_reviews,
        "jobs/index.html",


# A status line in the terminal while jobs run (config progress; reelsub.workflow.progress).
onstart:
    start_progress()


# Both end by letting the process exit at once: Snakemake's idle scheduler timers would hold it
# up to 1 s (reelsub.workflow.scheduling.cancel_idle_timers).
onsuccess:
    report_run(failed=False)
    scheduling.cancel_idle_timers()
    fail_if_refused()


onerror:
    report_run(failed=True)
    scheduling.cancel_idle_timers()
