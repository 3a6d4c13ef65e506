# bench row 8: what a job costs Snakemake and the script: preamble, apart from any work. Six
# sequential jobs per chain, as one film's pipeline has: `script:` jobs that do nothing (one
# python process each, with Snakemake's preamble) against `shell: "true"` jobs.
# Row 8 runs it with PYTHONPATH=scripts/.
from reelsub.workflow.scheduling import cancel_idle_timers

CHAIN = range(6)


rule all:
    input:
        "script/5.done",
        "shell/5.done",


rule script_step:
    input:
        lambda w: f"script/{int(w.n) - 1}.done" if int(w.n) > 0 else [],
    output:
        "script/{n}.done",
    log:
        "logs/script-{n}.log",
    benchmark:
        "benchmarks/script-{n}.tsv"
    conda:
        "envs/none.yaml"
    threads: 1
    resources:
        mem_mb=100,
    script:
        "overhead_step.py"


rule shell_step:
    input:
        lambda w: f"shell/{int(w.n) - 1}.done" if int(w.n) > 0 else [],
    output:
        "shell/{n}.done",
    log:
        "logs/shell-{n}.log",
    benchmark:
        "benchmarks/shell-{n}.tsv"
    conda:
        "envs/none.yaml"
    threads: 1
    resources:
        mem_mb=100,
    shell:
        "touch {output} 2> {log}"


# As the project's Snakefile does: do not wait for Snakemake's idle 1-s scheduler timer at exit.
onsuccess:
    cancel_idle_timers()
