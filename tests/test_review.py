"""The review loop (a person fixes jobs/<film>/subtitles/<lang>.srt, the film carries the fix, nothing
is lost) and the review page (jobs/<film>/review.html in a real headless chromium).

The e2e tests run the real workflow (snakemake, ffmpeg, faster-whisper tiny.en) on a generated film.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from browser import chromium, console_errors, film_in, wait_for
from reelsub.contracts.qc_report import Finding, QcReport, ReviewNote, write_qc_report
from reelsub.contracts.review_record import SCHEMA, read_record, republish_token, sha256
from reelsub.contracts.tracks import Track, write_manifest
from reelsub.review.page import flagged_cues, write_review_page
from reelsub.review.publish import publish
from reelsub.review.serve import served
from reelsub.subtitles.cues import Cue
from reelsub.subtitles.files import read_srt, write_srt, write_vtt
from testkit.synth import Speech, make_film
from workflow import PROJECT, jobs_run, snakemake, subtitle_text

LOG = logging.getLogger("test_review")
FILM = (
    Speech(text="Here is a short speech."),
    Speech(silence=0.5),
    Speech(recording=PROJECT / "media" / "jfk.flac"),
    Speech(silence=1.0),
)


# -- publishing, without snakemake ------------------------------------------------------------------


def machine_folder(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    write_srt([Cue(1.0, 2.5, [text])], folder / "en.srt")
    write_manifest(folder, [Track("en", "en.srt", "en.vtt", "en.qc.json", "English", True, False, 1)])
    return folder


def test_publish_replaces_unedited_keeps_edits_and_restores_deleted(tmp_path: Path) -> None:
    published = tmp_path / "subtitles"
    first = machine_folder(tmp_path / "m1", "machine one")
    assert [o.action for o in publish(first, published, "f", LOG)] == ["published"]
    record = read_record(published)
    assert record.tracks["en"].published_sha256 == sha256(published / "en.srt")
    assert json.loads((published / "review.json").read_text())["schema"] == SCHEMA

    second = machine_folder(tmp_path / "m2", "machine two")
    assert [o.action for o in publish(second, published, "f", LOG)] == ["replaced"]
    assert "machine two" in (published / "en.srt").read_text()

    (published / "en.srt").write_text((published / "en.srt").read_text().replace("two", "2 (fixed)"))
    assert [o.action for o in publish(second, published, "f", LOG)] == ["kept_edit"]
    assert not (published / "en.machine.srt").exists(), "the machine version has not changed"
    third = machine_folder(tmp_path / "m3", "machine three")
    outcome = publish(third, published, "f", LOG)[0]
    assert outcome.action == "kept_edit_machine_beside"
    assert "2 (fixed)" in (published / "en.srt").read_text()
    assert (published / "en.machine.srt").read_bytes() == (third / "en.srt").read_bytes()

    token = republish_token(published)
    (published / "en.srt").unlink()
    assert republish_token(published) != token, "a deletion must rerun subtitle"
    assert [o.action for o in publish(third, published, "f", LOG)] == ["restored"]
    assert (published / "en.srt").read_bytes() == (third / "en.srt").read_bytes()
    assert not (published / "en.machine.srt").exists(), "the copy beside the edit is no news now"
    assert republish_token(published) == republish_token(published)
    after = republish_token(published)
    publish(third, published, "f", LOG)
    assert republish_token(published) == after, "nothing deleted: the token stays, nothing reruns"


def test_a_published_file_with_no_record_is_treated_as_an_edit(tmp_path: Path) -> None:
    """A job folder from before the review loop: nothing says the machine wrote subtitles/en.srt."""
    published = tmp_path / "subtitles"
    published.mkdir()
    write_srt([Cue(1.0, 2.0, ["somebody's text"])], published / "en.srt")
    outcome = publish(machine_folder(tmp_path / "m", "machine"), published, "f", LOG)[0]
    assert outcome.action == "kept_edit_machine_beside"
    assert "somebody's text" in (published / "en.srt").read_text()


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            b"1\n00:00:01,000 --> 00:00:02,000\nhello\n\n2\n00:00:03,000 -> 00:0x:04,000\nworld\n\n",
            "line 6: bad timing line '00:00:03,000 -> 00:0x:04,000'",
        ),
        ("1\n00:00:01,000 --> 00:00:02,000\ncaf\u00e9\n".encode("latin-1"), "line 3: not UTF-8 text"),
        (b"", "line 1: no cues: the file is empty"),
        (b" \r\n\n\t\n", "line 1: no cues: the file is empty"),
        (
            b"1\n00:00:01,000 --> 00:00:02,000\nhello\n2\n00:00:03,000 --> 00:00:04,000\nworld\n",
            "line 5: a timing line inside the text of the cue at line 2: the blank line that ends that "
            "cue is missing",
        ),
        (
            b"1\n00:00:03,000 --> 00:00:02,000\nhello\n",
            "line 2: the cue ends at 00:00:02,000, before it starts (00:00:03,000)",
        ),
        (
            b"1\n00:00:01,000 --> 00:00:03,000\nhello\n\n2\n00:00:02,500 --> 00:00:04,000\nworld\n",
            "line 6: the cue starts at 00:00:02,500, before the cue at line 2 ends (00:00:03,000)",
        ),
    ],
    ids=["broken-timing", "latin-1", "empty", "whitespace", "blank-line-missing", "ends-first", "overlap"],
)
def test_a_broken_edit_stops_the_mux_naming_the_file_and_line(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    """pysrt's lenient reading dropped a broken cue from the film without a word, and an emptied file
    dropped the whole track; libavformat read a missing blank line as two cues where QC saw one."""
    from reelsub.review.publish import describe_published
    from reelsub.subtitles.cues import SubtitleRules
    from reelsub.subtitles.files import SrtError

    machine = machine_folder(tmp_path / "machine", "machine")
    write_vtt([Cue(1.0, 2.5, ["machine"])], machine / "en.vtt")
    write_qc_report(machine / "en.qc.json", real_qc([Cue(1.0, 2.5, ["machine"])]))
    published = tmp_path / "subtitles"
    publish(machine, published, "f", LOG)
    (published / "en.srt").write_bytes(content)
    with pytest.raises(SrtError) as failure:
        describe_published(machine, published, lambda language: None, SubtitleRules(), LOG)
    assert str(failure.value).startswith(f"{published / 'en.srt'}, "), failure.value
    assert problem in str(failure.value)
    assert (published / "en.srt").read_bytes() == content, "the person's file is left as it was"


def real_qc(cues: list[Cue]) -> QcReport:
    """QC's own report of ``cues``, against a transcript whose segments are those cues' text."""
    from reelsub.contracts.transcript import Segment, Transcript
    from reelsub.subtitles.cues import SubtitleRules
    from reelsub.subtitles.qc import qc_report

    segments = [Segment(c.start, c.end, " ".join(c.lines)) for c in cues]
    return qc_report(cues, SubtitleRules(), 25.0, Transcript("f", "en", cues[-1].end + 1.0, segments))


def finding(
    check: str, kind: str, cue: int | None, start: float | None = None, end: float | None = None
) -> Finding:
    return Finding(check, kind, cue, start, end)


def test_flagged_cues_take_cue_times_from_the_srt() -> None:
    cues = [Cue(1.0, 2.0, ["a"]), Cue(3.0, 4.5, ["b"]), Cue(5.0, 6.0, ["c"])]
    findings = (
        finding("reading_speed", "violation", 3),
        finding("max_lines", "violation", 2),
        finding("low_confidence", "flag", 3),
        finding("fast_speech", "exception", 1),
        finding("wrong_script", "violation", None),
        finding("bogus", "violation", 9),
    )
    qc = replace(real_qc(cues), findings=findings)
    assert [(f.cue_number, f.start, f.end, f.check) for f in flagged_cues(qc, cues)] == [
        (2, 3.0, 4.5, "max_lines"),
        (3, 5.0, 6.0, "low_confidence"),
        (3, 5.0, 6.0, "reading_speed"),
    ]
    assert flagged_cues(None, cues) == []  # no QC report, or one that breaks the contract


def test_review_server_answers_range_requests_which_seeking_needs(tmp_path: Path) -> None:
    """Chromium seeks in a film only where the server answers ranges (python's http.server does not)."""
    import urllib.request

    (tmp_path / "film.mp4").write_bytes(bytes(range(256)) * 4)
    with served(tmp_path) as server:
        base = server.base
        request = urllib.request.Request(base + "film.mp4", headers={"Range": "bytes=10-19"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 206
            assert response.headers["Content-Range"] == "bytes 10-19/1024"
            assert response.read() == bytes(range(10, 20))
        request = urllib.request.Request(base + "film.mp4", headers={"Range": "bytes=-4"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.read() == bytes(range(252, 256))
        with urllib.request.urlopen(base + "film.mp4", timeout=10) as response:
            assert response.status == 200 and response.headers["Accept-Ranges"] == "bytes"
            assert len(response.read()) == 1024


def test_review_server_serves_the_pages_and_films_and_nothing_else(tmp_path: Path) -> None:
    """No listing, no dotfile, no config, no link out of the folder, no other host name: a page
    that rebinds its own name to 127.0.0.1 (DNS rebinding) gets nothing."""
    import http.client
    from urllib.parse import urlsplit

    job = tmp_path / "jobs" / "f"
    (job / "subtitles").mkdir(parents=True)
    (job / "review.html").write_text("<video src='../../films/f.mp4'></video>")
    (job / "subtitles" / "hi.vtt").write_text("WEBVTT\n")
    (job / "subtitles" / "hi.qc.json").write_text("{}")
    (tmp_path / "films").mkdir()
    (tmp_path / "films" / "f.mp4").write_bytes(b"film")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[core]")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "config.yaml").write_text("films_dir: films")
    outside = tmp_path.parent / f"{tmp_path.name}-secret.txt"
    outside.write_text("secret")
    (job / "subtitles" / "leak.vtt").symlink_to(outside)
    (job / "subtitles" / ".hidden.vtt").write_text("WEBVTT\n")

    def get(base: str, path: str, host: str | None = None) -> tuple[int, bytes]:
        address = urlsplit(base)
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
        connection.putrequest("GET", path, skip_host=True)
        connection.putheader("Host", address.netloc if host is None else host)
        connection.endheaders()
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    with served(tmp_path) as server:
        base = server.base
        port = urlsplit(base).port
        for path in (
            "/jobs/f/review.html",
            "/jobs/f/subtitles/hi.vtt",
            "/jobs/f/subtitles/hi.qc.json",
            "/films/f.mp4",
        ):
            assert get(base, path)[0] == 200, path
        assert get(base, "/films/f.mp4", host=f"localhost:{port}") == (200, b"film")
        for path in (
            "/",
            "/jobs/",
            "/jobs/f/subtitles/",
            "/.git/config",
            "/config/config.yaml",
            "/jobs/f/subtitles/leak.vtt",
            "/jobs/f/subtitles/.hidden.vtt",
            "/../" + outside.name,
            "/%2e%2e/" + outside.name,
        ):
            status, body = get(base, path)
            assert status == 404 and b"secret" not in body and b"[core]" not in body, (path, status)
        for host in (f"evil.example:{port}", "127.0.0.1", f"127.0.0.1:{port + 1}", ""):
            assert get(base, "/jobs/f/review.html", host=host)[0] == 421, host
        assert get(base, "/jobs/f/review.html")[0] == 200, "a refused request does not stop the server"


def published_track(job: Path, language: str, cues: list[Cue], edited: bool, flag: bool) -> Track:
    """A track as the mux leaves it in ``job/subtitles``: SRT, real QC (with a flag if asked), and
    QC's review note saying whether the file is a person's edit."""
    subtitles = job / "subtitles"
    subtitles.mkdir(parents=True, exist_ok=True)
    write_srt(cues, subtitles / f"{language}.srt")
    report = real_qc(cues)
    if flag:
        report = replace(
            report,
            findings=(*report.findings, finding("low_confidence", "flag", 1, cues[0].start, cues[0].end)),
            flags={**report.flags, "low_confidence": 1},
            flag_count=report.flag_count + 1,
            verdict="review",
        )
    report = replace(report, review=ReviewNote(SCHEMA, f"{language}.srt", edited, None))
    write_qc_report(subtitles / f"{language}.qc.json", report)
    return Track(
        language,
        f"{language}.srt",
        f"{language}.vtt",
        f"{language}.qc.json",
        language,
        False,
        False,
        len(cues),
    )


def test_the_batch_page_lists_every_film_and_counts_the_tracks_no_person_has_touched(tmp_path: Path) -> None:
    from reelsub.review.batch import write_batch_page

    jobs = tmp_path / "jobs"
    cues = [Cue(1.0, 2.5, ["One line."]), Cue(3.0, 4.5, ["Another line."])]
    sholay = jobs / "sholay"
    write_manifest(
        sholay / "subtitles",
        [
            published_track(sholay, "hi", cues, edited=True, flag=False),
            published_track(sholay, "en", cues, edited=False, flag=True),
        ],
    )
    clean = jobs / "clean"
    write_manifest(clean / "subtitles", [published_track(clean, "en", cues, edited=False, flag=False)])
    silent = jobs / "silent" / "subtitles"
    silent.mkdir(parents=True)
    write_manifest(silent, [Track("en", "en.srt", "en.vtt", "en.qc.json", "English", False, False, 0)])
    broken = jobs / "broken" / "subtitles"
    broken.mkdir(parents=True)
    (broken / "tracks.json").write_text('{"schema": "reelsub.tracks/1", "tracks": [{"language": 1}]}')

    films = write_batch_page(jobs, ["sholay", "clean", "silent", "broken", "<b>odd</b>"])
    page = (jobs / "index.html").read_text()

    states = {
        f.film: [(t.language, t.verdict, t.flags, t.review, t.needs_a_look) for t in f.tracks] for f in films
    }
    assert states == {
        "sholay": [("hi", "ok", 0, "edited", False), ("en", "review", 1, "machine-only", True)],
        "clean": [("en", "ok", 0, "machine-only", False)],
        "silent": [],
        "broken": [],
        "<b>odd</b>": [],
    }
    # No person approved any track: all three wait; sholay's en is flagged.
    assert 'data-waiting="3" data-to-look-at="1" data-approved="0"' in page
    assert "Tracks: 0 approved, 1 edited, 2 machine-only." in page
    assert page.count('<tr class="needs-look">') == 1
    assert '<a href="sholay/review.html">sholay</a>' in page
    assert "no subtitle track (no speech)" in page
    assert 'broken</a></td><td colspan="6">its subtitles cannot be read:' in page
    assert "<b>odd</b>" not in page and "&lt;b&gt;odd&lt;/b&gt;" in page  # a film name is text, never markup


# -- the loop, for real -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finished(tmp_path_factory) -> Path:
    workdir = tmp_path_factory.mktemp("review")
    make_film(workdir / "films" / "jfk.mp4", FILM)
    run = snakemake(workdir, "-j2", "jobs/jfk/out.mkv")
    assert run.returncode == 0, run.output
    return workdir


@pytest.mark.e2e
def test_an_edit_reaches_the_film_and_survives_a_rerun_of_subtitle(finished: Path, tmp_path: Path) -> None:
    workdir = tmp_path / "w"
    shutil.copytree(finished, workdir, symlinks=True)
    job, out = workdir / "jobs" / "jfk", workdir / "jobs" / "jfk" / "out.mkv"
    published = job / "subtitles" / "en.srt"
    assert published.read_bytes() == (job / "machine_subtitles" / "en.srt").read_bytes()
    again = snakemake(workdir, "-j2", "jobs/jfk/out.mkv")
    assert "Nothing to be done" in again.output, again.output

    # A person fixes a word: the same command muxes the fix, and nothing but mux runs.
    text = published.read_text()
    assert "country" in text
    published.write_text(text.replace("country", "NATION", 1))
    run = snakemake(workdir, "-j2", "jobs/jfk/out.mkv")
    assert run.returncode == 0, run.output
    assert jobs_run(run.output) == ["mux"], run.output
    assert "NATION" in subtitle_text(out, 0)
    qc = json.loads((job / "subtitles" / "en.qc.json").read_text())
    assert qc["review"] == {
        "schema": SCHEMA,
        "srt": "en.srt",
        "edited": True,
        "sha256": sha256(published),
    }
    assert qc["words"]["text_matches_transcript"] is False, "QC describes the edited file"
    assert qc["summary"].startswith("Edited by hand.")
    for extension in ("vtt", "ass", "ttml"):  # every format follows the edited SRT; the machine's do not
        assert "NATION" in (job / "subtitles" / f"en.{extension}").read_text(), extension
        assert "NATION" not in (job / "machine_subtitles" / f"en.{extension}").read_text(), extension
    assert "Nothing to be done" in snakemake(workdir, "-j2", "jobs/jfk/out.mkv").output

    # A setting that changes the machine's cues: subtitle reruns; the edit stays and is muxed, the new
    # machine version goes beside it, and the run says where.
    narrow = tmp_path / "narrow.yaml"
    narrow.write_text("subtitle: {max_chars_per_line: 30}\n")
    run = snakemake(workdir, "-j2", "jobs/jfk/out.mkv", configfiles=[narrow])
    assert run.returncode == 0, run.output
    assert sorted(jobs_run(run.output)) == ["mux", "subtitle"], run.output
    machine_copy = job / "subtitles" / "en.machine.srt"
    assert "NATION" in published.read_text()
    assert machine_copy.read_bytes() == (job / "machine_subtitles" / "en.srt").read_bytes()
    assert machine_copy.read_bytes() != published.read_bytes()
    assert f"kept your edit of {published.relative_to(workdir)}" in run.output
    assert (
        f"reelsub review: jfk [en] kept your edit {published.relative_to(workdir)}; the new machine "
        f"version is {machine_copy.relative_to(workdir)}" in run.output
    )
    assert "NATION" in subtitle_text(out, 0)
    assert "Nothing to be done" in snakemake(workdir, "-j2", "jobs/jfk/out.mkv", configfiles=[narrow]).output

    # Deleting the fix takes the machine's version: published again, muxed, and the run after is idle.
    published.unlink()
    run = snakemake(workdir, "-j2", "jobs/jfk/out.mkv", configfiles=[narrow])
    assert run.returncode == 0, run.output
    assert published.read_bytes() == (job / "machine_subtitles" / "en.srt").read_bytes()
    assert not machine_copy.exists()
    assert "NATION" not in subtitle_text(out, 0)
    assert json.loads((job / "subtitles" / "en.qc.json").read_text())["review"]["edited"] is False
    assert "Nothing to be done" in snakemake(workdir, "-j2", "jobs/jfk/out.mkv", configfiles=[narrow]).output


SAVE_DURING_MUX = """
import os, sys
from pathlib import Path

if os.environ.get("SAVE_DURING_MUX"):
    sys.path.insert(0, os.environ["REELSUB_SCRIPTS"])
    import reelsub.mkv as mkv

    muxing = mkv.mux

    def save_then_mux(*args, **kwargs):
        edited = Path(os.environ["SAVE_DURING_MUX"])  # a person saves while the mux runs
        edited.write_text(edited.read_text(encoding="utf-8").replace("NATION", "PEOPLE"), encoding="utf-8")
        return muxing(*args, **kwargs)

    mkv.mux = save_then_mux
"""


@pytest.mark.e2e
def test_an_edit_saved_during_the_mux_is_in_the_next_film_whole(finished: Path, tmp_path: Path) -> None:
    """The mux job reads, hashes and muxes one snapshot of the file. A save while it runs (between
    the hash and the mux, made here by a sitecustomize in the job's Python) leaves this run's film,
    QC and VTT all on the version read, and the next run muxes the new one: Snakemake's params hold
    the files' hashes, as its mtime check cannot see a save older than out.mkv."""
    workdir = tmp_path / "w"
    shutil.copytree(finished, workdir, symlinks=True)
    job, out = workdir / "jobs" / "jfk", workdir / "jobs" / "jfk" / "out.mkv"
    published = job / "subtitles" / "en.srt"
    published.write_text(published.read_text().replace("country", "NATION", 1))
    snapshot = published.read_bytes()
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(SAVE_DURING_MUX)
    env = {
        "SAVE_DURING_MUX": str(published),
        "REELSUB_SCRIPTS": str(PROJECT / "scripts"),
        "PYTHONPATH": str(hook),
    }
    run = snakemake(workdir, "-j2", "jobs/jfk/out.mkv", env=env)
    assert run.returncode == 0, run.output
    assert jobs_run(run.output) == ["mux"], run.output
    assert "PEOPLE" in published.read_text(), "the save happened during the mux"
    assert "NATION" in subtitle_text(out, 0) and "PEOPLE" not in subtitle_text(out, 0)
    assert "NATION" in (job / "subtitles" / "en.vtt").read_text()
    qc = json.loads((job / "subtitles" / "en.qc.json").read_text())
    assert qc["review"]["sha256"] == hashlib.sha256(snapshot).hexdigest() != sha256(published)
    assert "en.srt was saved while muxing" in (job / "logs" / "mux.log").read_text()

    again = snakemake(workdir, "-j2", "jobs/jfk/out.mkv")
    assert again.returncode == 0, again.output
    assert jobs_run(again.output) == ["mux"], again.output
    assert "PEOPLE" in subtitle_text(out, 0)
    assert json.loads((job / "subtitles" / "en.qc.json").read_text())["review"]["sha256"] == sha256(published)
    assert "Nothing to be done" in snakemake(workdir, "-j2", "jobs/jfk/out.mkv").output


@pytest.mark.e2e
def test_an_emptied_edit_fails_its_film_naming_file_and_line_and_the_batch_goes_on(
    finished: Path, tmp_path: Path
) -> None:
    """An SRT saved as whitespace used to drop its track from out.mkv with only an INFO line."""
    workdir = tmp_path / "w"
    shutil.copytree(finished, workdir, symlinks=True)
    shutil.copyfile(workdir / "films" / "jfk.mp4", workdir / "films" / "other.mp4")
    published = workdir / "jobs" / "jfk" / "subtitles" / "en.srt"
    published.write_text(" \n\n")
    run = snakemake(workdir, "-j2", "--keep-going", "jobs/jfk/out.mkv", "jobs/other/out.mkv")
    assert run.returncode != 0, run.output
    assert "country" in subtitle_text(workdir / "jobs" / "other" / "out.mkv", 0), "the other film finished"
    assert not (workdir / "jobs" / "jfk" / "out.mkv").exists(), "no film without its track"
    log = (workdir / "jobs" / "jfk" / "logs" / "mux.log").read_text()
    assert "REELSUB ERROR: film 'jfk', stage mux: jobs/jfk/subtitles/en.srt, line 1: no cues" in log, log
    assert published.read_text() == " \n\n", "the person's file is left as it was"


# -- the review page in a real browser -------------------------------------------------------------


def page_state(driver) -> dict:
    """Every text track's cue count (mode 'hidden' makes chromium load a track without showing it)."""
    driver.execute_script("for (const t of document.getElementById('film').textTracks) t.mode = 'hidden';")
    wait_for(
        driver, "Array.from(document.getElementById('film').textTracks).every(t => t.cues && t.cues.length)"
    )
    return driver.execute_script(
        "const v = document.getElementById('film');"
        "return {cues: Array.from(v.textTracks).map(t => t.cues.length),"
        " languages: Array.from(v.textTracks).map(t => t.language),"
        " problem: document.getElementById('playback-problem').hidden ? null :"
        " document.getElementById('playback-problem').textContent};"
    )


@pytest.mark.e2e
@pytest.mark.browser
def test_review_page_plays_the_film_loads_every_track_and_seeks_to_flagged_cues(
    finished: Path, tmp_path: Path
) -> None:
    workdir = tmp_path / "w"
    shutil.copytree(finished, workdir, symlinks=True)
    job = workdir / "jobs" / "jfk"
    published = job / "subtitles" / "en.srt"
    # A hand edit that breaks a rule: the last cue gets two more lines, so QC flags max_lines.
    cues = read_srt(published)
    last = cues[-1]
    assert len(cues) >= 2 and last.start > 1.0, "a seek there cannot pass for staying at 0"
    cues[-1] = Cue(last.start, last.end, [*last.lines, "(applause)", "(cheering)"])
    write_srt(cues, published)
    run = snakemake(workdir, "-j2", "reviews")
    assert run.returncode == 0, run.output
    assert sorted(jobs_run(run.output)) == ["mux", "review", "review_index", "reviews"], run.output
    batch = (workdir / "jobs" / "index.html").read_text()
    assert 'data-waiting="1"' in batch and 'data-edited="1"' in batch, "the edit is a person's, not approved"
    assert '<td class="review">edited</td>' in batch
    assert '<a href="jfk/review.html">jfk</a>' in batch
    page = job / "review.html"
    html = page.read_text()
    assert 'src="../../films/jfk.mp4"' in html and 'src="subtitles/en.vtt"' in html
    assert not re.search(r"(src|href)=\"(https?:)?//", html), "nothing from the network"

    with served(workdir) as server, chromium() as driver:
        base = server.base
        driver.get(base + "jobs/index.html")
        driver.find_element("link text", "jfk").click()  # the batch page leads to the film's page
        wait_for(driver, "document.getElementById('film') !== null")
        assert driver.current_url == base + "jobs/jfk/review.html"
        wait_for(driver, "document.getElementById('film').readyState >= 1")
        state = page_state(driver)
        assert state == {"cues": [len(cues)], "languages": ["en"], "problem": None}
        links = driver.find_elements("css selector", "a.seek")
        flagged = [link for link in links if "max_lines" in link.text]
        assert flagged and flagged[0].text.startswith(f"cue {len(cues)} "), [link.text for link in links]
        flagged[0].click()
        wait_for(driver, "!document.getElementById('film').seeking")
        position = driver.execute_script("return document.getElementById('film').currentTime")
        assert abs(position - last.start) <= 1 / 25, (position, last.start)
        assert console_errors(driver) == []
        wait_for(
            driver, "document.getElementById('film').readyState >= 2"
        )  # the frame there, for the picture
        driver.save_screenshot(str(tmp_path / "review.png"))
    print(f"screenshot: {tmp_path / 'review.png'}")


@pytest.mark.browser
@pytest.mark.parametrize(
    ("name", "video", "audio", "playable"),
    [
        ("film.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], ["-c:a", "aac"], True),
        ("film.webm", ["-c:v", "libvpx-vp9"], ["-c:a", "libopus"], True),
        ("film.avi", ["-c:v", "mpeg4"], ["-c:a", "libmp3lame"], False),  # MPEG-4 Part 2 in AVI
    ],
)
def test_review_page_says_when_the_browser_cannot_play_the_film(
    tmp_path: Path, name: str, video: list[str], audio: list[str], playable: bool
) -> None:
    """Debian's chromium plays H.264/AAC MP4 and VP9/Opus WebM, and not MPEG-4 Part 2 in AVI."""
    film = film_in(tmp_path / "films" / name, video, audio)
    subtitles = tmp_path / "jobs" / "f" / "subtitles"
    cues = [Cue(0.5, 1.5, ["one"]), Cue(2.0, 2.8, ["two"])]
    subtitles.mkdir(parents=True)
    write_srt(cues, subtitles / "en.srt")
    write_vtt(cues, subtitles / "en.vtt")
    report = real_qc(cues)  # a real report of these cues, and a review flag on cue 2 to click
    report = replace(report, findings=(*report.findings, finding("low_confidence", "flag", 2, 2.0, 2.8)))
    write_qc_report(subtitles / "en.qc.json", report)
    write_manifest(subtitles, [Track("en", "en.srt", "en.vtt", "en.qc.json", "English", True, False, 2)])
    write_review_page("f", film, subtitles, tmp_path / "jobs" / "f" / "review.html")
    with served(tmp_path) as server, chromium() as driver:
        base = server.base
        driver.get(base + "jobs/f/review.html")
        if playable:
            wait_for(driver, "document.getElementById('film').readyState >= 2")
        else:
            wait_for(driver, "!document.getElementById('playback-problem').hidden")
        state = page_state(driver)
        assert state["cues"] == [2]
        if playable:
            assert state["problem"] is None
            driver.find_element("css selector", "a.seek").click()
            wait_for(driver, "!document.getElementById('film').seeking")
            assert (
                abs(driver.execute_script("return document.getElementById('film').currentTime") - 2.0)
                <= 1 / 25
            )
        else:
            assert "This browser cannot play this film (video/x-msvideo" in state["problem"]
        assert console_errors(driver) == []


def test_review_pages_are_a_target_of_their_own_never_built_by_default(tmp_path: Path) -> None:
    (tmp_path / "films").mkdir()
    for name in ("a.mp4", "b.webm"):
        (tmp_path / "films" / name).write_bytes(b"placeholder: a dry run never reads it")

    def job_counts(*targets: str) -> dict[str, str]:
        run = snakemake(tmp_path, *targets, "-n", "--quiet", "rules")
        assert run.returncode == 0, run.output
        return dict(re.findall(r"^(\w+)\s+(\d+)$", run.output, flags=re.MULTILINE))

    default = job_counts()
    assert default["mux"] == "2" and "review" not in default and "reviews" not in default, default
    assert "review_index" not in default, default
    asked = job_counts("reviews")
    assert (asked["review"], asked["review_index"], asked["reviews"], asked["mux"]) == ("2", "1", "1", "2"), (
        asked
    )


# -- the review station, end to end -----------------------------------------------------------------


def station_keys(driver, *keys: str) -> None:
    """Keys pressed on the page, as a person would (no element focused: the station's own keys)."""
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(*keys).perform()


def seek(driver, seconds: float) -> None:
    driver.execute_script("document.getElementById('film').currentTime = arguments[0];", seconds)
    wait_for(driver, f"Math.abs(document.getElementById('film').currentTime - {seconds}) < 0.001")
    wait_for(driver, "!document.getElementById('film').seeking")


@pytest.mark.e2e
@pytest.mark.browser
def test_the_review_station_edits_saves_and_approves_and_the_film_carries_it(
    finished: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.keys import Keys

    workdir = tmp_path / "w"
    shutil.copytree(finished, workdir, symlinks=True)
    job, out = workdir / "jobs" / "jfk", workdir / "jobs" / "jfk" / "out.mkv"
    published = job / "subtitles" / "en.srt"
    machine = read_srt(published)
    assert len(machine) >= 3, machine
    run = snakemake(workdir, "-j2", "reviews")
    assert run.returncode == 0, run.output
    fps = json.loads((job / "subtitles" / "en.qc.json").read_text())["fps"]

    with served(workdir) as server, chromium() as driver:
        driver.get(f"{server.base}jobs/jfk/review.html?token={server.token}")
        wait_for(driver, "document.body.dataset.ready === 'true'")
        rows = driver.find_elements("css selector", "#cues tr.cue")
        assert [r.find_element("css selector", "textarea").get_attribute("value") for r in rows] == [
            c.text for c in machine
        ], "every cue of the track is listed"
        # The cue on screen is highlighted as the film plays (here: as it is at a time).
        middle = (machine[1].start + machine[1].end) / 2
        seek(driver, middle)
        wait_for(driver, "document.querySelector('#cues tr.playing') !== null")
        assert driver.execute_script("return document.querySelector('#cues tr.playing').dataset.index") == "1"

        # Down: the next cue, and the film goes to it.
        driver.find_element("css selector", "#cues tr.cue td").click()  # cue 1's number: selects it
        station_keys(driver, Keys.ARROW_DOWN)
        wait_for(driver, "document.querySelector('#cues tr.selected').dataset.index === '1'")
        wait_for(
            driver, f"Math.abs(document.getElementById('film').currentTime - {machine[1].start}) < 0.001"
        )
        station_keys(driver, Keys.ARROW_UP)
        wait_for(driver, "document.querySelector('#cues tr.selected').dataset.index === '0'")

        # Cue 1: a new word in its text, its in time a frame later ("]"), its out time at the playhead ("o").
        first = machine[0]
        text = driver.find_element("css selector", "#cues tr.cue textarea")
        text.click()
        text.send_keys(Keys.END, " NATION")
        station_keys(driver, Keys.ESCAPE)
        station_keys(driver, "]")
        new_end = round(first.end - 0.2, 3)
        seek(driver, new_end)
        station_keys(driver, "o")
        wait_for(driver, "document.getElementById('qc-live').textContent.startsWith('QC of your changes')")
        assert "Unsaved changes" in driver.find_element("id", "status").text

        # Ctrl+S saves the track as a hand edit.
        from selenium.webdriver.common.action_chains import ActionChains

        ActionChains(driver).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
        wait_for(driver, "document.getElementById('status').textContent.startsWith('Saved')")
        saved = read_srt(published)
        assert saved[0].lines[-1].endswith(" NATION"), saved[0]
        assert saved[0].start == pytest.approx(first.start + 1 / fps, abs=0.0015)
        assert saved[0].end == pytest.approx(new_end, abs=0.0015)
        assert saved[1:] == machine[1:]
        assert list((job / "subtitles" / "history").glob("en.*.srt")), "the version before the save is kept"

        # Approve it, under a name typed once.
        driver.find_element("id", "reviewer").send_keys("Asha Rao", Keys.TAB)
        driver.find_element("id", "approve").click()
        wait_for(driver, "document.getElementById('status').textContent.startsWith('Approved')")
        assert "approved" in driver.find_element("css selector", "#track-0 .review-state").text
        errors = console_errors(driver)
        driver.save_screenshot(str(tmp_path / "station.png"))
        print(f"screenshot: {tmp_path / 'station.png'}")

        # A forged save from the page without the token, and one naming a path outside subtitles/.
        forged = driver.execute_async_script(
            """const done = arguments[arguments.length - 1];
            const body = JSON.stringify({film: "jfk", lang: "en", cues: [{start: 1, end: 2, lines: ["x"]}],
                                         sha256: "0"});
            const post = (headers, payload) => fetch("/api/save", {method: "POST", body: payload,
              headers: Object.assign({"Content-Type": "application/json"}, headers)}).then(r => r.status);
            Promise.all([post({}, body),
                         post({"X-Reelsub-Token": arguments[0]}, body.replace('"jfk"', '"../jfk"')),
                         post({"X-Reelsub-Token": arguments[0]}, body.replace('"en"', '"../../../etc"'))])
              .then(done);""",
            server.token,
        )
        assert forged == [403, 400, 404], forged
        status, _ = http_status(server.server_port, "/api/track?film=jfk&lang=en", host="rebound.example")
        assert status == 421
        driver.get(f"{server.base}jobs/index.html")
        assert driver.find_element("id", "waiting").get_attribute("data-approved") == "1"
    assert errors == [], errors
    assert read_record(job / "subtitles").tracks["en"].approved_by == "Asha Rao"

    # The same command again: only the mux reruns, and the film carries the fix.
    run = snakemake(workdir, "-j2", "jobs/jfk/out.mkv")
    assert run.returncode == 0, run.output
    assert jobs_run(run.output) == ["mux"], run.output
    assert "NATION" in subtitle_text(out, 0)
    assert "reelsub review: 1 tracks: 1 approved, 0 edited, 0 machine-only; 0 wait" in run.output
    run = snakemake(workdir, "-j2", "reviews")
    assert sorted(jobs_run(run.output)) == ["review", "review_index", "reviews"], run.output
    batch = (workdir / "jobs" / "index.html").read_text()
    assert 'data-waiting="0"' in batch and 'data-approved="1"' in batch
    assert '<td class="review">approved</td>' in batch


def http_status(port: int, path: str, host: str) -> tuple[int, bytes]:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path, headers={"Host": f"{host}:{port}"})
    response = connection.getresponse()
    return response.status, response.read()
