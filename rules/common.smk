# Config and film sheet validation, film discovery, the ASR backend, wildcard constraints and
# every input function. Rules in the other .smk files only say what goes in and out.

import os
import sys
import time
from pathlib import Path

from snakemake.exceptions import WorkflowError
from snakemake.settings.types import DeploymentMethod

sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))
from reelsub.workflow import config_check  # noqa: E402
from reelsub import escaping  # noqa: E402
from reelsub import media  # noqa: E402
from reelsub.workflow import films as film_catalog  # noqa: E402
from reelsub.workflow import hardware  # noqa: E402
from reelsub.workflow import progress  # noqa: E402
from reelsub.workflow import scheduling  # noqa: E402
from reelsub.contracts import review_record  # noqa: E402

RUN_STARTED = time.time()
JOBS = Path("jobs")


# --- config validation (scripts/reelsub/workflow/config_check.py) -------------------------------------------
# Nested --config values arrive as strings (asr='{batch_size: 4}'): coerce them to the schema's types,
# fill in the schema's defaults, and report each problem in one short line that names the key
# (snakemake.utils.validate would print the whole schema).
CONFIG_SCHEMA = config_check.load_schema(Path(workflow.basedir) / "config" / "schema.yaml")
FILMS_SCHEMA = config_check.load_schema(Path(workflow.basedir) / "config" / "films.schema.yaml")
try:
    config.update(config_check.with_defaults(config_check.coerce(config, CONFIG_SCHEMA), CONFIG_SCHEMA))
    config_check.check(config, CONFIG_SCHEMA, what="config")
    config_check.check_default_track(config)
except config_check.ConfigError as error:
    raise WorkflowError(str(error)) from None
# The font goes into a filter graph: checked here, not after ASR when burn-in runs.
try:
    media.check_burn_in_font(config["mux"]["burn_in_font"])
except media.MediaError as error:
    raise WorkflowError(f"config: {error}") from None
# --- end of config validation ----------------------------------------------------------------------


def load_films():
    sheet_path = Path(config["films_sheet"])
    rows = []
    try:
        if sheet_path.exists():
            rows = film_catalog.read_sheet(sheet_path)
            for number, row in enumerate(rows, start=2):
                try:
                    config_check.check(row, FILMS_SCHEMA, what=f"{sheet_path} row {number}")
                except config_check.ConfigError as error:
                    raise film_catalog.FilmSheetError(str(error)) from None
        return film_catalog.build_catalog(
            Path(config["films_dir"]),
            rows,
            config["source_lang"],
            config["target_langs"],
            sheet_name=str(sheet_path),
            # -- audio track choice (reelsub.audio_track) --
            default_audio_lang=config["audio_lang"],
            default_audio_track=config["audio_track"],
        )
    except film_catalog.FilmSheetError as error:
        raise WorkflowError(str(error)) from None


CATALOG = load_films()
FILMS = CATALOG.films
# Films whose id cannot name a job folder, or whose path Snakemake cannot take (reelsub.workflow.films): left
# out, said here and at the end of the run, which then fails; the other films run.
REFUSED = {refused.film_id: refused for refused in CATALOG.refused}
if workflow.is_main_process:
    for refused in CATALOG.refused:
        print(f"reelsub: {refused.message}", file=sys.stderr)


def choose_asr_backend():
    facts = hardware.detect()
    uses_conda = DeploymentMethod.CONDA in workflow.deployment_settings.deployment_method
    forced = config["asr"]["force_backend"] or os.environ.get("REELSUB_FORCE_BACKEND") == "1"
    try:
        backend = hardware.choose_backend(
            facts,
            config["asr_backend"],
            os.environ.get(hardware.BACKEND_ENV_VAR),
            conda_provides_mlx=uses_conda,
        )
        hardware.check_backend_fits(backend, facts, forced)
    except hardware.BackendError as error:
        raise WorkflowError(str(error)) from None
    return facts, backend


HARDWARE, ASR_BACKEND = choose_asr_backend()
# Only one ASR job at a time holds the GPU, while demux, translate and mux of other films go on.
ASR_GPUS = int(
    ASR_BACKEND == "whisperx"
    and (config["asr"]["device"] == "cuda" or (config["asr"]["device"] == "auto" and HARDWARE.cuda))
)

# -- one cluster job per film (issue 22) -----------------------------------------------------------
# A Snakemake group: on a cluster (profiles/slurm) demux, asr, align, export, translate and subtitle
# of one film are one sbatch job, run one after the other inside it, so a film waits in the queue
# once for them instead of once per stage; mux is a second job. Local runs ignore groups (Snakemake
# uses them only with a cluster executor). Where asr runs on CUDA the job asks for the GPU (a group
# asks for the most any of its jobs does), and align and translate find it there too; demux, export
# and subtitle take seconds of a 2-hour film (docs/slurm-single-node.md), less than a queue wait.
# mux stays out: a job that reads a checkpoint's output (subtitle) cannot share a group with it in
# Snakemake 9.27 (the run resubmits the group and stops with a KeyError; snakemake#4202).
# The film in the name keeps each film's job apart (squeue, .snakemake/slurm_logs/).
FILM_GROUP = "film_{film}"


wildcard_constraints:
    film="[^/]+",


def film_of(wildcards):
    try:
        return FILMS[wildcards.film]
    except KeyError:
        if wildcards.film in REFUSED:
            raise WorkflowError(REFUSED[wildcards.film].message) from None
        known = ", ".join(sorted(FILMS)) or "none"
        raise WorkflowError(
            f"unknown film {wildcards.film!r}: no video file of that name in {config['films_dir']}/ "
            f"and no row in {config['films_sheet']} (known films: {known})"
        ) from None


def film_rst(wildcards):
    """The film's id as reStructuredText, for the report's captions: a name is never markup."""
    return escaping.rst_text(wildcards.film)


def film_path(wildcards):
    return str(film_of(wildcards).path)


def film_source_lang(wildcards):
    return film_of(wildcards).source_lang


# -- audio track choice: what the sheet row or config asks demux to transcribe (reelsub.audio_track) --
def film_audio_lang(wildcards):
    return film_of(wildcards).audio_lang or ""


def film_audio_track(wildcards):
    return film_of(wildcards).audio_track


# -- end of audio track choice --


def film_glossary(wildcards):
    return list(film_of(wildcards).glossary)


def film_targets(wildcards):
    return list(film_of(wildcards).target_langs)


def translate_inputs(wildcards):
    inputs = {"json": f"jobs/{wildcards.film}/transcript.json"}
    if config["translate"]["engine"] == "whisper":
        inputs["wav"] = f"jobs/{wildcards.film}/audio.wav"
    return inputs


def subtitle_inputs(wildcards):
    inputs = {"json": f"jobs/{wildcards.film}/transcript.json", "film": film_path(wildcards)}
    if film_targets(wildcards):
        inputs["translations"] = f"jobs/{wildcards.film}/translations"
    return inputs


# -- review loop (issue 12): the machine's tracks are published to subtitles/, where people edit ---
def published_folder(wildcards):
    return f"jobs/{wildcards.film}/subtitles"


def republish_token(wildcards):
    """Changes when a published SRT was deleted, so subtitle reruns and writes it again."""
    return review_record.republish_token(Path(published_folder(wildcards)))


def mux_inputs(wildcards):
    """What subtitle read, its machine tracks, and each published SRT that exists: an edit, newer
    than out.mkv, reruns mux alone. Asked once the subtitle checkpoint has run."""
    machine = checkpoints.subtitle.get(film=wildcards.film).output.dir
    inputs = {**subtitle_inputs(wildcards), "machine": machine}
    inputs["published"] = review_record.published_inputs(Path(machine), Path(published_folder(wildcards)))
    return inputs


def published_hashes(wildcards):
    """The hashes of the published SRTs mux reads (a params: of mux): a file saved while mux ran is
    older than out.mkv, yet its content differs from what was muxed, so the next run muxes it."""
    machine = checkpoints.subtitle.get(film=wildcards.film).output.dir
    return review_record.published_hashes(Path(machine), Path(published_folder(wildcards)))


def all_reviews(wildcards=None):
    return [f"jobs/{film_id}/review.html" for film_id in sorted(FILMS)]


def review_records(wildcards=None):
    """Each film's review.json hash (a params: of review_index): an approval made in the review page
    changes it, so `snakemake reviews` writes the batch page again."""
    records = (JOBS / film_id / "subtitles" / review_record.RECORD for film_id in sorted(FILMS))
    return " ".join(review_record.sha256(r)[:16] if r.exists() else "-" for r in records)


# -- end of review loop -------------------------------------------------------------------------
def film_benchmarks(wildcards):
    """The benchmark of every stage that made the film (translate only where it has targets)."""
    stages = ["demux", "asr", "align", "export", "subtitle", "mux"]
    if film_targets(wildcards):
        stages.insert(4, "translate")
    return [f"jobs/{wildcards.film}/benchmarks/{stage}.tsv" for stage in stages]


def all_reports(wildcards=None):
    """One file of each film's report page (rule film_report writes them all)."""
    return [f"jobs/{film_id}/report/qc.html" for film_id in sorted(FILMS)]


def all_outputs(wildcards=None):
    return [f"jobs/{film_id}/out.mkv" for film_id in sorted(FILMS)]


# -- progress in the terminal (reelsub.workflow.progress) ----------------------------------------
PROGRESS = []  # the running status line, once onstart has started it


def start_progress():
    """From onstart (the DAG is built): a status line over the jobs this run has to do, per film."""
    if not progress.wanted(config["progress"], sys.stderr):
        return
    plan = {}
    for job in workflow.dag.needrun_jobs():
        film_id = job.wildcards.get("film")
        if film_id is not None:
            plan.setdefault(film_id, []).append(
                progress.PlannedStage(
                    job.rule.name,
                    Path(job.log[0]) if job.log else None,
                    Path(job.benchmark) if job.benchmark else None,
                )
            )
    PROGRESS.append(progress.ProgressLine(plan, RUN_STARTED).start())


def report_run(failed):
    """Print the subtitle QC of this run's tracks, the stages that fell back to the CPU, and one
    line per failed film with its reason."""
    from reelsub.workflow.summary import cpu_fallbacks, failed_films, qc_lines, review_line

    for line in PROGRESS:
        line.stop()
    for line in qc_lines(FILMS, JOBS, RUN_STARTED):
        print(f"reelsub QC: {line}", file=sys.stderr)
    for film_id, warning in cpu_fallbacks(FILMS, JOBS, RUN_STARTED):
        print(f"reelsub CPU FALLBACK: {film_id}: {warning}", file=sys.stderr)
    for film_id in sorted(FILMS):  # review loop: where a new machine version went
        for line in review_record.kept_edit_lines(JOBS / film_id / "subtitles", RUN_STARTED):
            print(f"reelsub review: {film_id} {line}", file=sys.stderr)
    counted = review_line(FILMS, JOBS)
    if counted:
        print(f"reelsub review: {counted}", file=sys.stderr)
    failures = failed_films(FILMS, JOBS, RUN_STARTED) if failed else []
    if failures:
        print(f"reelsub: {len(failures)} film(s) failed:", file=sys.stderr)
        for film_id, reason in failures:
            print(f"  FAILED {film_id}: {reason}", file=sys.stderr)
    for refused in REFUSED.values():
        print(f"  REFUSED {refused.named}: {refused.reason}", file=sys.stderr)


def fail_if_refused():
    """A run that left out a film for its name or path fails once the others have finished, so a script
    that checks the exit status never takes the batch for complete."""
    if REFUSED:
        names = ", ".join(map(repr, REFUSED))
        raise WorkflowError(f"{len(REFUSED)} film(s) refused for their name or path: {names}")


# -- threads of the per-film CPU stages (bench row 4) -------------------------------------------
# "auto" shares this run's --cores among the films it still has to run the stage for
# (reelsub.workflow.scheduling): one film gets every core, a batch one job per core. An integer is taken as
# it is. ``at_most`` caps the share (align: torch gains little beyond 2 threads).
# The films are counted once per DAG pass, not once per job (scheduling.StageProgress, bench row 5).
STAGE_PROGRESS = scheduling.StageProgress(JOBS)


def per_film_threads(output_name, wanted, at_most=None):
    def threads(wildcards):
        if wanted != scheduling.AUTO:
            return wanted
        targets = workflow.dag_settings.targets
        targeted = STAGE_PROGRESS.targeted(targets, FILMS)
        done = STAGE_PROGRESS.done(output_name, targets, FILMS)
        local = workflow.local_exec and not workflow.remote_exec
        share = scheduling.auto_threads(workflow.resource_settings.cores, targeted, done, local=local)
        return min(share, at_most) if at_most else share

    return threads
