"""Row 4: a batch of short films, `snakemake -j2` vs `-j1` (whole pipeline): does a batch use the whole machine?"""

from __future__ import annotations

import re
import statistics
from typing import Any

import films
from lib import (
    CORES,
    MEDIA,
    WORK,
    Context,
    Row,
    Series,
    alternate,
    asr_threads,
    clean,
    link_films,
    log,
    machine_snapshot,
    max_overlap,
    others_busy,
    ratio_text,
    snakemake,
    stage_benchmarks,
    stage_span,
)


def measure(bench: Context) -> None:
    plan = bench.plan
    offset = 30 if bench.film.duration > 30 + plan.batch_films * plan.batch_s else 0
    room = max(bench.film.duration - plan.batch_s - 1, 1)  # slices overlap where the film is too short
    sources = {
        f"b{n}": films.film_slice(
            MEDIA, bench.film, (offset + n * plan.batch_s) % room, plan.batch_s, f"batch-{plan.batch_s}s-{n}"
        ).path
        for n in range(plan.batch_films)
    }
    workdir = WORK / "row4"
    link_films(workdir / "films", sources)
    load = machine_snapshot()
    log(f"row 4: batch of {plan.batch_films} x {plan.batch_s}-s films, -j2 vs -j1")
    # Context, once: how the asr rule behaved before asr.threads: auto (min(4, --cores) threads, so
    # under -j2 each asr job took both cores and asr jobs ran one after another).
    other = (f"-j2 --set-threads asr={max(CORES, 2)}",)
    series = {arm: Series(arm) for arm in ("-j1", "-j2") + other}
    evidence: dict[str, list[dict[str, Any]]] = {arm: [] for arm in series}
    # A dry run counts --cores as 1 unless told: give it the 2 cores that -j2 gives a real run.
    single = planned_asr_threads(workdir, "--cores=2", f"jobs/{next(iter(sources))}/asr.json")
    batch_plan = planned_asr_threads(workdir, "--cores=2")
    for arm in alternate(("-j1", "-j2"), plan.repeats, other):
        clean(workdir)
        before = machine_snapshot()
        done = snakemake(workdir, *arm.split())
        seconds = done.seconds
        series[arm].seconds.append(seconds)
        jobs = [workdir / "jobs" / name for name in sources]
        benches = [stage_benchmarks(job) for job in jobs]
        spans = [stage_span(job / "logs" / "asr.log") for job in jobs]
        evidence[arm].append(
            {
                "wall": seconds,
                "cpu": done.cpu,
                "others": others_busy(before, machine_snapshot()),
                "cpu_time": sum(b[s].get("cpu_time", 0) for b in benches for s in b),
                "asr_s": statistics.median(b["asr"]["s"] for b in benches),
                "stage_sum": sum(b[s]["s"] for b in benches for s in b),
                "film_chains": [sum(b[s]["s"] for s in b) for b in benches],
                "asr_overlap": max_overlap([s for s in spans if s]),
                "asr_threads": asr_threads(jobs[0] / "asr.json"),
            }
        )
    value, text = ratio_text(series["-j1"], series["-j2"])
    single_ok = single == [2]
    row = Row(
        "4",
        f"batch: {plan.batch_films} films of {plan.batch_s} s, `snakemake -j2` vs `-j1` (whole pipeline); "
        "a single film's asr job gets every core",
        ">= 1.6x faster; single film: all cores",
        f"{text} faster; single film's asr job: {single[0] if single else '?'} of 2 cores",
        value >= 1.6 and single_ok,
    )
    j1, j2 = evidence["-j1"], evidence["-j2"]
    row.details += [
        f"-j1: {series['-j1'].text()}; -j2: {series['-j2'].text()}",
        "CPU seconds of the whole run (snakemake and its jobs): "
        + "; ".join(f"{arm} {statistics.median(e['cpu'] for e in evidence[arm]):.1f}" for arm in series)
        + "; cores other work kept busy during each arm's runs: "
        + "; ".join(f"{arm} {busy_text(evidence[arm])}" for arm in series),
        f"asr threads Snakemake plans with 2 cores (dry run, asr.threads: auto): one film {single}, the batch "
        f"{batch_plan}",
        f"threads each asr job got (cpu_threads in asr.json's provenance): -j1 {j1[0]['asr_threads']}, "
        f"-j2 {j2[0]['asr_threads']}; most asr jobs running at once (from their logs): "
        f"-j1 {max(e['asr_overlap'] for e in j1)}, -j2 {max(e['asr_overlap'] for e in j2)}",
        f"median asr job: -j1 {statistics.median(e['asr_s'] for e in j1):.1f} s, "
        f"-j2 {statistics.median(e['asr_s'] for e in j2):.1f} s; sum of all job times: "
        f"-j1 {statistics.median(e['stage_sum'] for e in j1):.1f} s, -j2 {statistics.median(e['stage_sum'] for e in j2):.1f} s",
    ]
    # What -j2 could do on 2 cores of its own: -j1's job times, two at a time (each film's jobs in
    # order), plus the time -j1 spent outside its jobs. A projection, not a measurement.
    quietest = min(j1, key=lambda e: e["others"])  # the -j1 round other work disturbed least
    chains = quietest["film_chains"]
    outside_j1 = quietest["wall"] - quietest["stage_sum"]
    ideal = max(sum(chains) / 2, max(chains)) + outside_j1
    row.details.append(
        f"projection for 2 idle cores from the quietest -j1 round (other load {quietest['others']:.2f}; films two "
        f"at a time, its {outside_j1:.1f} s outside the jobs kept): -j2 about {ideal:.1f} s, "
        f"{quietest['wall'] / ideal:.2f}x faster than that -j1 round"
    )
    threads_j2 = j2[0]["asr_threads"] or 0
    if threads_j2 >= CORES and max(e["asr_overlap"] for e in j2) == 1:
        scaling = statistics.median(e["asr_s"] for e in j1) / statistics.median(e["asr_s"] for e in j2)
        row.causes.append(
            f"why: `-jN` gives snakemake N cores; the asr rule asks for asr.threads=4 and gets min(4, N), so "
            f"under -j2 each asr job takes both cores and asr jobs run one after another. Its second thread "
            f"makes an asr job only {scaling:.2f}x faster (CTranslate2 on {CORES} cores), so -j2 gains that on "
            f"asr plus the overlap of the 1-thread stages, not 2x"
        )
    for arm in other:
        e = evidence[arm]
        value_other, text_other = ratio_text(series["-j1"], series[arm])
        (row.causes if value < 1.6 else row.details).append(
            f"before asr.threads: auto (every core to each asr job), run once: `snakemake {arm}`: {series[arm].text()}, {text_other} faster "
            f"than -j1; {e[0]['asr_threads']} thread per asr job, up to {max(x['asr_overlap'] for x in e)} asr jobs "
            f"at once, median asr job {statistics.median(x['asr_s'] for x in e):.1f} s"
        )
    if bench.startup_cost and bench.startup_cost > 1:
        c = bench.startup_cost
        row.details.append(
            f"each run includes snakemake's {c:.1f}-s wait for `scontrol` (row 0); without it the speed-up "
            f"would be about {(series['-j1'].median - c) / (series['-j2'].median - c):.2f}x"
        )
    bench.raw["row4"] = {"series": {k: v.seconds for k, v in series.items()}, "evidence": evidence}
    bench.add(row, load)


def planned_asr_threads(workdir, *args: str) -> list[int]:
    """The threads of every asr job a dry run plans (Snakemake prints ``threads: N`` when N > 1;
    a film's stages form one group job, whose rules it prints indented)."""
    clean(workdir)
    _, output = snakemake(workdir, "-n", *args)
    found = []
    for block in re.split(r"\n(?=[ \t]*(?:local)?rule \w+:)", output):
        if re.match(r"(?:local)?rule asr:", block.strip()):
            threads = re.search(r"^\s+threads: (\d+)", block, flags=re.MULTILINE)
            found.append(int(threads.group(1)) if threads else 1)
    return found


def busy_text(runs: list[dict[str, Any]]) -> str:
    return ", ".join(f"{run['others']:.2f}" for run in runs)
