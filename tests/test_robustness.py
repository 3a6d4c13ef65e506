"""A folder of real-world films: bad input gets a clear error, the batch goes on, nothing is lost,
no file name can run a command.

Every case runs the real workflow (snakemake, ffmpeg, faster-whisper tiny.en) on real media that
tests/films_factory.py makes: broken files are broken the way real ones are (cut short, empty, a
text file with a film's name), long films are long. To keep the suite affordable, one batch run of
ten films carries several cases (bad films, odd names, films without speech): each test below
asserts its own case on that run.
"""

from __future__ import annotations

import base64
import csv
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import psutil
import pytest

import films_factory as factory
from reelsub.asr.vad import SEARCH_WORKER_MB
from reelsub.contracts.tracks import read_manifest
from reelsub.contracts.transcript import Transcript
from reelsub.media import probe
from testkit.streams import stream_md5
from workflow import (
    PROJECT,
    SNAKEMAKE,
    Run,
    snakemake,
    snakemake_command,
    snakemake_env,
    streams,
    subtitle_text,
)


def failed_lines(run: Run) -> dict[str, str]:
    """The end-of-run summary (rules/common.smk report_run): film → its one-line reason."""
    return dict(re.findall(r"^\s*FAILED (.+?): (.+)$", run.output, flags=re.M))


def failure_of(run: Run, film: str) -> str:
    failures = failed_lines(run)
    assert film in failures, f"no FAILED line for {film!r}:\n{run.output[-3000:]}"
    return failures[film]


def spoken(mkv: Path, subtitle_index: int) -> str:
    """A subtitle track's words, lower case, without numbers, times and punctuation."""
    lines = [
        line
        for line in subtitle_text(mkv, subtitle_index).splitlines()
        if line.strip() and not line.strip().isdigit() and "-->" not in line
    ]
    return " ".join(re.sub(r"[^a-z' ]+", " ", " ".join(lines).lower()).split())


def assert_plays_to_the_end(mkv: Path) -> None:
    """ffmpeg decodes every audio and video frame and reads every subtitle without a complaint."""
    result = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(mkv), "-map", "0", "-c:s", "copy", "-f", "null", "-"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


# -- one batch of ten films: seven good (five with hostile names, two without speech), three bad ----

HOSTILE_NAMES = ("my film.mp4", "शोले.mkv", 'it\'s "quoted".mp4', "a;b&c.mov", "$(touch pwned).mp4")
NO_SPEECH = ("silence.mp4", "music.mp4")
BAD = {
    "no audio.mp4": "no audio stream in films/no audio.mp4",
    "empty.mp4": "films/empty.mp4: empty file (0 bytes)",
    "cut short.mp4": "films/cut short.mp4: not a readable film (ffprobe): moov atom not found",
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> tuple[Path, Run, float]:
    """`snakemake -j2 --keep-going` on a folder of ten films; (workdir, run, seconds)."""
    workdir = tmp_path_factory.mktemp("batch")
    films = workdir / "films"
    speech = factory.speech_film(workdir / "speech.mp4")
    for name in HOSTILE_NAMES:
        if name.endswith(".mp4"):
            factory.copy_film(speech, films / name)
        else:
            factory.remux(speech, films / name)
    factory.silent_film(films / "silence.mp4")
    factory.music_film(films / "music.mp4")
    factory.film_without_audio(films / "no audio.mp4")
    factory.zero_byte_file(films / "empty.mp4")
    factory.truncated_copy(speech, films / "cut short.mp4")
    speech.unlink()
    started = time.monotonic()
    run = snakemake(workdir, "-j2", "--keep-going")
    return workdir, run, time.monotonic() - started


@pytest.mark.e2e
def test_batch_with_three_bad_films_finishes_the_seven_good_and_lists_the_failures(batch) -> None:
    workdir, run, seconds = batch
    print(f"batch of 10 films: {seconds:.0f} s")
    assert run.returncode != 0, "a batch with failed films must exit non-zero"
    good = [Path(name).stem for name in HOSTILE_NAMES + NO_SPEECH]
    for film in good:
        assert (workdir / "jobs" / film / "out.mkv").is_file(), f"{film}: {run.output[-3000:]}"
    failures = failed_lines(run)
    assert set(failures) == {Path(name).stem for name in BAD}, run.output[-3000:]
    for name, reason in BAD.items():
        assert reason in failures[Path(name).stem], failures
        assert not (workdir / "jobs" / Path(name).stem / "out.mkv").exists()


@pytest.mark.e2e
def test_film_without_audio_fails_with_that_reason_and_the_others_finish(batch) -> None:
    workdir, run, _ = batch
    log = (workdir / "jobs" / "no audio" / "logs" / "demux.log").read_text()
    assert "REELSUB ERROR: film 'no audio', stage demux: no audio stream in films/no audio.mp4" in log
    assert "Error in rule demux" in run.output and "wildcards: film=no audio" in run.output
    assert not (workdir / "jobs" / "no audio" / "audio.wav").exists()
    for name in HOSTILE_NAMES + NO_SPEECH:
        assert (workdir / "jobs" / Path(name).stem / "out.mkv").is_file(), name


@pytest.mark.e2e
def test_hostile_file_names_are_processed_and_never_run_a_command(batch) -> None:
    workdir, run, _ = batch
    for name in HOSTILE_NAMES:
        film = Path(name).stem
        out = workdir / "jobs" / film / "out.mkv"
        assert [s["codec_type"] for s in streams(out)] == ["video", "audio", "subtitle"], film
        words = spoken(out, 0)
        assert all(w in words for w in factory.HEARD_WORDS), (film, words)
        assert f"wildcards: film={film}\n" in run.output, f"job id of {film!r} is not shown as it is"
        assert Transcript.read(workdir / "jobs" / film / "transcript.json").film == film
    # One job folder per film, named exactly as the film: readable, and no two films share one.
    assert sorted(p.name for p in (workdir / "jobs").iterdir()) == sorted(
        Path(n).stem for n in (*HOSTILE_NAMES, *NO_SPEECH, *BAD)
    )
    # Jobs run in the workdir; a name that ran a command would have left pwned there or here.
    assert not list(workdir.rglob("pwned"))
    assert not (PROJECT / "pwned").exists() and not (Path.cwd() / "pwned").exists()


@pytest.mark.e2e
@pytest.mark.parametrize("film", ["silence", "music"])
def test_film_without_speech_gets_zero_cues_and_the_log_says_so(batch, film: str) -> None:
    workdir, run, _ = batch
    job = workdir / "jobs" / film
    transcript = Transcript.read(job / "transcript.json")
    assert transcript.segments == [], f"hallucinated: {transcript.text!r}"
    tracks = read_manifest(job / "subtitles")
    assert [t.cues for t in tracks] == [0] and (job / "subtitles" / tracks[0].srt).read_text().strip() == ""
    assert "no speech found" in (job / "logs" / "asr.log").read_text()
    assert "no speech was found" in (job / "logs" / "mux.log").read_text()
    assert [s["codec_type"] for s in streams(job / "out.mkv")] == ["video", "audio"]
    assert re.search(rf"^reelsub QC: {film} \[\w+\] 0 cues", run.output, flags=re.M), run.output[-2000:]


# -- files that are not films ----------------------------------------------------------------------


@pytest.mark.e2e
def test_unreadable_files_fail_naming_the_file_and_ffprobes_reason(tmp_path: Path) -> None:
    """Only demux runs: it is the stage that opens the film."""
    films = tmp_path / "films"
    speech = factory.speech_film(tmp_path / "speech.mp4")
    mkv = factory.remux(speech, tmp_path / "speech.mkv")
    faststart = factory.remux(speech, tmp_path / "faststart.mp4", "-movflags", "+faststart")
    invalid = "Invalid data found when processing input"
    cases = {
        "empty": (factory.zero_byte_file(films / "empty.mp4"), "empty file (0 bytes)"),
        "notes": (factory.text_file_named_like_a_film(films / "notes.mp4"), invalid),
        "cut short": (factory.truncated_copy(speech, films / "cut short.mp4"), "moov atom not found"),
        "garbled": (factory.corrupt_copy(speech, films / "garbled.mp4"), invalid),
        # Cut short where the index is up front (MKV, "fast start" MP4): ffprobe still reads the
        # header and ffmpeg exits 0; only its complaints while decoding tell that the file ends early.
        "cut short mkv": (factory.truncated_copy(mkv, films / "cut short mkv.mkv"), "File ended prematurely"),
        "cut short fast": (factory.truncated_copy(faststart, films / "cut short fast.mp4"), "partial file"),
    }
    run = snakemake(tmp_path, "-j2", "--keep-going", *[f"jobs/{film}/audio.wav" for film in cases])
    assert run.returncode != 0
    failures = {film: failure_of(run, film) for film in cases}
    for film, (path, reason) in cases.items():
        assert str(path.relative_to(tmp_path)) in failures[film] and reason in failures[film], failures[film]
        assert not (tmp_path / "jobs" / film / "audio.wav").exists()
        assert not list((tmp_path / "jobs" / film).glob(".*part*")), "a partial file was left behind"


# -- mistakes in the folder or the sheet: caught before any job runs --------------------------------


def assert_no_job_ran(workdir: Path, run: Run) -> None:
    assert run.returncode != 0
    assert "localrule" not in run.output and not (workdir / "jobs").exists(), run.output[-2000:]


def test_colliding_stems_stop_the_run_before_any_job_naming_both_files(tmp_path: Path) -> None:
    for name in ("a.mp4", "a.mkv", "b.mp4"):
        factory.zero_byte_file(tmp_path / "films" / name)  # never opened: the DAG fails first
    run = snakemake(tmp_path, "-j2")
    assert_no_job_ran(tmp_path, run)
    assert "two films share the id 'a': films/a.mkv and films/a.mp4" in run.output


@pytest.mark.parametrize(
    ("sheet", "where"),
    [
        ("film\tsource_lang\na\ten\nb\tklingon\n", "row 3: key 'source_lang': unknown language 'klingon'"),
        ("film\ttarget_langs\na\ten\nsub/dir\ten\n", "row 3: key 'film': 'sub/dir' does not match"),
        ("film\tpath\na\t\nb\t/archive/lost.mkv\n", "row 3: key 'path': no such file /archive/lost.mkv"),
    ],
    ids=["unknown-language", "bad-row", "missing-film"],
)
def test_sheet_mistakes_stop_the_run_before_any_job_naming_row_and_key(
    tmp_path: Path, sheet: str, where: str
) -> None:
    factory.zero_byte_file(tmp_path / "films" / "a.mp4")
    factory.zero_byte_file(tmp_path / "films" / "b.mp4")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "films.tsv").write_text(sheet)
    run = snakemake(tmp_path, "-j2")
    assert_no_job_ran(tmp_path, run)
    assert f"config/films.tsv {where}" in run.output, run.output[-2000:]


# -- films that come with subtitles and several audio tracks ----------------------------------------


def stream_tags(stream: dict) -> dict[str, str]:
    """Tags that say something: Matroska writes its own DURATION, and leaves "und" unsaid; an MP4
    vendor of four zero bytes is no vendor (ffmpeg 5.1 shows it, the libavformat in PyAV does not)."""
    tags = {key.lower(): value for key, value in stream.get("tags", {}).items()}
    tags.pop("duration", None)
    if tags.get("vendor_id") == "[0][0][0][0]":
        del tags["vendor_id"]
    if tags.get("language") == "und":
        del tags["language"]
    return tags


@pytest.fixture(scope="module")
def films_with_tracks(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("tracks")
    for name in ("boxed.mp4", "boxed2.mkv"):
        factory.film_with_subtitles_and_two_audio_tracks(workdir / "films" / name, workdir / "scratch")
    run = snakemake(workdir, "-j2")
    assert run.returncode == 0, run.output[-3000:]
    return workdir


@pytest.mark.e2e
@pytest.mark.parametrize("name", ["boxed.mp4", "boxed2.mkv"], ids=["mp4-mov_text", "mkv-srt"])
def test_existing_subtitle_and_audio_tracks_are_kept_and_ours_is_added(
    films_with_tracks: Path, name: str
) -> None:
    film = films_with_tracks / "films" / name
    out = films_with_tracks / "jobs" / Path(name).stem / "out.mkv"
    found = streams(out)
    assert [s["codec_type"] for s in found] == ["video", "audio", "audio", "subtitle", "subtitle"]
    for selector in ("v:0", "a:0", "a:1"):
        assert stream_md5(out, selector) == stream_md5(film, selector), selector
    # every tag a stream had, it keeps (the film's streams come first; ours, added last, pair with none)
    for before, after in zip(streams(film), found, strict=False):
        assert stream_tags(before).items() <= stream_tags(after).items(), (before, after)
    main, commentary, theirs, ours = found[1:]
    assert "Main" in main["tags"].values() and "Commentary" in commentary["tags"].values()
    assert (theirs["codec_name"], theirs["tags"]["language"]) == ("subrip", "eng")
    assert "Distributor" in theirs["tags"].values()
    assert theirs["disposition"]["default"] == 0, "ours is the default track now"
    assert spoken(out, 0) == "opening titles by the distributor"
    assert (ours["codec_name"], ours["tags"]["language"]) == ("subrip", "eng")
    assert ours["tags"]["title"] == "English" and ours["disposition"]["default"] == 1
    words = spoken(out, 1)
    assert all(w in words for w in factory.HEARD_WORDS), words
    assert "commentary" not in words, "demux takes the default track (Main), not the commentary"


# -- interruptions and full disks ------------------------------------------------------------------


def start_snakemake(workdir: Path, *args: str, log: Path) -> subprocess.Popen:
    """As workflow.snakemake, but in the background (its own session, so it can be killed)."""
    command, environment = snakemake_command(workdir, *args), snakemake_env()
    with open(log, "w") as stream:
        return subprocess.Popen(
            command,
            cwd=workdir,
            stdout=stream,
            stderr=subprocess.STDOUT,
            env=environment,
            start_new_session=True,
        )


def incomplete_marks(workdir: Path) -> set[str]:
    """Files snakemake has marked as being written (it names each marker by its base64 path)."""
    return {
        base64.urlsafe_b64decode(p.name.encode()).decode()
        for p in (workdir / ".snakemake" / "incomplete").glob("*")
    }


@pytest.mark.e2e
def test_kill_9_during_asr_then_rerun_resumes_and_never_trusts_the_partial_output(tmp_path: Path) -> None:
    """`kill -9` of snakemake itself while asr runs. The asr job, orphaned, still runs to its end and
    leaves an asr.json that snakemake never saw finish. What a user then does (README):
    `snakemake --unlock`, then the same command again (the profile sets rerun-incomplete)."""
    factory.speech_film(tmp_path / "films" / "a.mp4")
    asr_log = tmp_path / "jobs" / "a" / "logs" / "asr.log"
    first = start_snakemake(tmp_path, "-j2", "jobs/a/out.mkv", log=tmp_path / "first.log")
    orphans: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 120
        while not (asr_log.exists() and "asr of film 'a' started" in asr_log.read_text()):
            assert first.poll() is None and time.monotonic() < deadline, (tmp_path / "first.log").read_text()
            time.sleep(0.05)
        orphans = psutil.Process(first.pid).children(recursive=True)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert not (tmp_path / "jobs" / "a" / "asr.json").exists(), "killed too late: asr had finished"
        psutil.wait_procs(orphans, timeout=120)
    finally:
        if first.poll() is None:
            os.killpg(first.pid, signal.SIGKILL)  # its own session: only what this test started
        for process in orphans:
            if process.is_running():
                process.kill()
    assert "jobs/a/asr.json" in incomplete_marks(tmp_path)
    # Whatever the orphan left (here: cut in half, as a writer without atomic renames would leave
    # it), it must not count as done.
    leftover = tmp_path / "jobs" / "a" / "asr.json"
    if leftover.exists():
        leftover.write_bytes(leftover.read_bytes()[: leftover.stat().st_size // 2])

    blocked = snakemake(tmp_path, "-j2", "jobs/a/out.mkv")
    assert blocked.returncode != 0 and "--unlock" in blocked.output, blocked.output[-2000:]
    assert snakemake(tmp_path, "--unlock").returncode == 0
    rerun = snakemake(tmp_path, "-j2", "jobs/a/out.mkv")
    assert rerun.returncode == 0, rerun.output[-3000:]
    assert "localrule asr:" in rerun.output, "asr must run again"
    assert "localrule demux:" not in rerun.output, "the finished demux is kept"
    assert incomplete_marks(tmp_path) == set()
    out = tmp_path / "jobs" / "a" / "out.mkv"
    assert_plays_to_the_end(out)
    assert all(w in spoken(out, 0) for w in factory.HEARD_WORDS)
    Transcript.read(tmp_path / "jobs" / "a" / "asr.json")


@pytest.fixture
def small_disk(tmp_path: Path):
    """jobs/ on a tmpfs of a given size (root only; skipped where the sandbox forbids mounts)."""
    mounted = []

    def mount(size: str) -> Path:
        jobs = tmp_path / "jobs"
        jobs.mkdir()
        result = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(jobs)], capture_output=True, text=True
        )
        if result.returncode != 0:
            pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.strip()}")
        mounted.append(jobs)
        return jobs

    yield mount
    for jobs in mounted:
        subprocess.run(["umount", "-l", str(jobs)], check=True)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("stage", "size", "picture"),
    [("demux", "64k", factory.SMALL_PICTURE), ("mux", "512k", {"size": "640x360", "fps": 25})],
    ids=["demux-wav", "mux-mkv"],
)
def test_full_disk_fails_the_stage_that_hit_it_and_leaves_no_partial_file(
    tmp_path: Path, small_disk, stage: str, size: str, picture: dict
) -> None:
    """The film (4 s) needs 128 KB of WAV and, at 640x360, about 1 MB of MKV."""
    factory.make_film(tmp_path / "films" / "a.mp4", factory.SPEECH, **picture)
    jobs = small_disk(size)
    run = snakemake(tmp_path, "-j2", "jobs/a/out.mkv")
    assert run.returncode != 0
    assert f"Error in rule {stage}:" in run.output
    log = (jobs / "a" / "logs" / f"{stage}.log").read_text()
    assert f"REELSUB ERROR: film 'a', stage {stage}:" in log and "No space left on device" in log, log
    assert "No space left on device" in failure_of(run, "a")
    left = sorted(str(p.relative_to(jobs)) for p in jobs.rglob("*") if p.is_file())
    assert not [p for p in left if p.endswith((".wav", ".mkv")) or ".part" in p], left


@pytest.mark.e2e
def test_read_only_jobs_folder_fails_before_writing_anything(tmp_path: Path, small_disk) -> None:
    """Root writes through chmod, so jobs/ is a read-only mount here, like a read-only share."""
    factory.speech_film(tmp_path / "films" / "a.mp4")
    jobs = small_disk("64k")
    subprocess.run(["mount", "-o", "remount,ro", str(jobs)], check=True)
    run = snakemake(tmp_path, "-j2", "jobs/a/out.mkv")
    assert run.returncode != 0
    assert "localrule demux:" in run.output, run.output[-2000:]
    assert "Failed to create output directory jobs/a" in run.output
    assert "Read-only file system: 'jobs/a'" in run.output
    assert list(jobs.iterdir()) == []


# -- a feature-length film -------------------------------------------------------------------------


@pytest.mark.e2e
def test_two_hour_film_finishes_in_bounded_memory_and_logs_progress(tmp_path: Path) -> None:
    """Two hours of mostly silence with three sentences, a 160x90 picture at 1 fps."""
    started = time.monotonic()
    film = factory.long_film(tmp_path / "films" / "feature.mp4")
    made = time.monotonic() - started
    run = snakemake(tmp_path, "-j2", "jobs/feature/out.mkv")
    took = time.monotonic() - started - made
    print(f"2 h film: made in {made:.0f} s, processed in {took:.0f} s")
    assert run.returncode == 0, run.output[-3000:]
    job = tmp_path / "jobs" / "feature"
    with open(job / "benchmarks" / "asr.tsv") as stream:
        benchmark = next(csv.DictReader(stream, delimiter="\t"))
    print(f"asr: {float(benchmark['s']):.0f} s, peak RSS {float(benchmark['max_rss']):.0f} MB")
    # The target is 2 GiB; reading audio a span at a time keeps asr near 0.5 GB whatever the
    # film's length (measured 483 MB here; decoding the whole film at once took 1.8 GB). The speech
    # search's workers (one per thread, reelsub.asr.vad) hold up to SEARCH_WORKER_MB each while
    # they run beside it: 1,039 MB with two. Each holds one 10-minute chunk, whatever the length.
    asr_log = (job / "logs" / "asr.log").read_text()
    workers = int(re.search(r"speech search: \d+ chunks of \d+ s in (\d+) processes", asr_log).group(1))
    assert workers == 2, "one per thread (-j2), as the job's memory allows"
    assert float(benchmark["max_rss"]) <= 1024 + SEARCH_WORKER_MB * (workers - 1), benchmark
    progress = [float(p) for p in re.findall(r"asr progress: .*\((\d+)%\)", asr_log)]
    assert len(progress) >= 3 and progress == sorted(progress) and progress[-1] == 100, progress
    transcript = Transcript.read(job / "transcript.json")
    assert transcript.duration == pytest.approx(probe(film).duration, abs=1)
    text = transcript.text.lower()
    assert "welcome to the long film" in text and "end of the long film" in text
    assert transcript.segments[-1].start > 7000
    assert_plays_to_the_end(job / "out.mkv")


# -- tools and models that are not there -----------------------------------------------------------


@pytest.mark.e2e
def test_missing_model_names_the_config_key_to_set(tmp_path: Path) -> None:
    factory.speech_film(tmp_path / "films" / "a.mp4")
    run = snakemake(tmp_path, "-j2", "jobs/a/asr.json", config=["asr={'model': '/models/whisper-large-v3'}"])
    assert run.returncode != 0
    reason = failure_of(run, "a")
    assert "stage asr" in reason and "'/models/whisper-large-v3'" in reason, reason
    assert "Set asr.model" in reason, reason
    assert not (tmp_path / "jobs" / "a" / "asr.json").exists()


def path_without(*tools: str, scratch: Path) -> str:
    """$PATH as it is, except that folders holding the tools are replaced by copies without them
    (links to everything else), as on a machine where they were never installed."""
    folders = []
    for number, folder in enumerate(os.environ["PATH"].split(os.pathsep)):
        if not any((Path(folder) / tool).exists() for tool in tools):
            folders.append(folder)
            continue
        copy = scratch / f"bin{number}"
        copy.mkdir(parents=True)
        for entry in Path(folder).iterdir():
            if entry.name not in tools:
                (copy / entry.name).symlink_to(entry)
        folders.append(str(copy))
    return os.pathsep.join(folders)


@pytest.mark.e2e
def test_missing_ffmpeg_says_how_to_install_it(tmp_path: Path) -> None:
    factory.speech_film(tmp_path / "films" / "a.mp4")
    search = f"{SNAKEMAKE.parent}{os.pathsep}{path_without('ffmpeg', 'ffprobe', scratch=tmp_path / 'path')}"
    assert shutil.which("ffprobe", path=search) is None and shutil.which("snakemake", path=search)
    run = snakemake(tmp_path, "-j2", "jobs/a/audio.wav", env={"PATH": search})
    assert run.returncode != 0
    reason = failure_of(run, "a")
    assert "stage demux: ffprobe not found on PATH: install ffmpeg" in reason, reason
    assert "apt-get install ffmpeg" in reason, reason
