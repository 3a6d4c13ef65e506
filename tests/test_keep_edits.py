"""A person's work is never lost (issue 25): `make clean` moves edited subtitles out of jobs/ and
says where; the subtitle stage never overwrites a hand merge in ``<lang>.machine.srt`` nor an edit
saved while it replaces a file; an edit of a track whose language changed (hi <-> ur) stays in the
record and is warned about.

The publishing tests call reelsub.review.publish.publish, the function the subtitle stage runs, on machine
folders written by the real SRT writer; the clean test runs the project's real `make clean`.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
import subprocess
import time
from pathlib import Path

import pytest

from reelsub.contracts.review_record import (
    PublishedTrack,
    kept_edit_lines,
    read_record,
    republish_token,
    sha256,
    write_record,
)
from reelsub.contracts.tracks import Track, write_manifest
from reelsub.review import publish as review
from reelsub.review.publish import publish
from reelsub.subtitles.cues import Cue
from reelsub.subtitles.files import write_srt
from testkit.synth import Speech, make_film
from workflow import PROJECT, snakemake

FILM = "film"


def machine_folder(folder: Path, texts: dict[str, str]) -> Path:
    """A subtitle stage's machine_subtitles/: one real SRT per language, and its tracks.json."""
    folder.mkdir(parents=True, exist_ok=True)
    tracks = []
    for language, text in texts.items():
        write_srt([Cue(1.0, 2.5, [text])], folder / f"{language}.srt")
        files = (f"{language}{end}" for end in (".srt", ".vtt", ".qc.json"))
        tracks.append(Track(language, *files, language, not tracks, False, 1))
    write_manifest(folder, tracks)
    return folder


def edit(path: Path, old: str, new: str) -> bytes:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path.read_bytes()


def messages(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(record.getMessage() for record in caplog.records)


# -- make clean ---------------------------------------------------------------------------------------


def test_make_clean_moves_edits_out_of_jobs_and_says_where(tmp_path: Path) -> None:
    """The real Makefile's clean target, in a workflow folder whose jobs/ holds an edited SRT, a hand
    merge in the machine copy, an unedited SRT and stage outputs."""
    workdir = tmp_path / "work"
    (workdir / "jobs" / FILM / "logs").mkdir(parents=True)
    (workdir / "Makefile").symlink_to(PROJECT / "Makefile")
    (workdir / "scripts").symlink_to(PROJECT / "scripts")
    job = workdir / "jobs" / FILM
    (job / "transcript.json").write_text("{}")
    (job / "logs" / "asr.log").write_text("asr ran\n")
    published = job / "subtitles"
    log = logging.getLogger("test_keep_edits")
    publish(machine_folder(tmp_path / "m1", {"en": "machine one", "fr": "machine un"}), published, FILM, log)
    machine = machine_folder(job / "machine_subtitles", {"en": "machine two", "fr": "machine un"})
    edited = edit(published / "en.srt", "machine one", "fixed by hand")
    publish(machine, published, FILM, log)  # en.machine.srt goes beside the edit
    merged = edit(published / "en.machine.srt", "machine two", "merged by hand")
    (published / "notes.txt").write_text("cue 3 sounds wrong\n")

    run = subprocess.run(["make", "clean"], cwd=workdir, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert not (workdir / "jobs").exists()
    kept = sorted((workdir / "edits-backup").glob(f"*/{FILM}/subtitles"))
    assert len(kept) == 1, run.stdout
    assert (kept[0] / "en.srt").read_bytes() == edited
    assert (kept[0] / "en.machine.srt").read_bytes() == merged
    assert (kept[0] / "notes.txt").read_text() == "cue 3 sounds wrong\n"
    names = sorted(p.relative_to(kept[0]).as_posix() for p in kept[0].rglob("*") if p.is_file())
    assert names == ["en.machine.srt", "en.srt", "notes.txt"], "only what people made is kept"
    backup = kept[0].parent.parent.relative_to(workdir)
    for name in names:
        assert f"jobs/{FILM}/subtitles/{name} -> {backup}/{FILM}/subtitles/{name}" in run.stdout, run.stdout
    assert f"kept 3 file(s) people edited in {backup}/" in run.stdout

    # Nothing edited: nothing kept, and the run says so.
    (workdir / "jobs" / FILM).mkdir(parents=True)
    publish(
        machine_folder(tmp_path / "m3", {"en": "machine"}), workdir / "jobs" / FILM / "subtitles", FILM, log
    )
    run = subprocess.run(["make", "clean"], cwd=workdir, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no edited subtitles in jobs/" in run.stdout
    assert not (workdir / "jobs").exists()
    assert len(list((workdir / "edits-backup").iterdir())) == 1


def test_clean_refuses_to_delete_jobs_when_an_edit_cannot_be_kept(tmp_path: Path) -> None:
    """A backup folder that cannot be written: jobs/ stays as it was, and the error says why."""
    from clean import main

    published = tmp_path / "jobs" / FILM / "subtitles"
    publish(machine_folder(tmp_path / "m", {"en": "machine"}), published, FILM, logging.getLogger("t"))
    edited = edit(published / "en.srt", "machine", "by hand")
    (tmp_path / "blocked").write_text("a file where the backup folder would go")
    assert main([str(tmp_path / "jobs"), "--into", str(tmp_path / "blocked" / "edits-backup")]) == 1
    assert (published / "en.srt").read_bytes() == edited


def test_clean_keeps_every_srt_when_the_review_record_breaks_its_contract(tmp_path: Path) -> None:
    """A review.json this release cannot read (a key it does not know) says nothing of what the
    machine wrote: make clean keeps every SRT rather than failing or guessing."""
    from reelsub.review.keep_edits import clean_jobs

    published = tmp_path / "jobs" / FILM / "subtitles"
    publish(machine_folder(tmp_path / "m", {"en": "machine"}), published, FILM, logging.getLogger("t"))
    record = json.loads((published / "review.json").read_text())
    record["tracks"]["en"]["reviewer"] = "asha"
    (published / "review.json").write_text(json.dumps(record))
    cleaned = clean_jobs(tmp_path / "jobs", tmp_path / "edits-backup")
    assert cleaned.backup is not None and (cleaned.backup / FILM / "subtitles" / "en.srt").read_text().count(
        "machine"
    )
    assert not (tmp_path / "jobs").exists()


# -- the subtitle stage: a hand merge in <lang>.machine.srt --------------------------------------------


def kept_beside(tmp_path: Path) -> tuple[Path, Path, bytes]:
    """A published folder whose en.srt was edited and whose new machine version went beside it."""
    published = tmp_path / "subtitles"
    log = logging.getLogger("test_keep_edits")
    publish(machine_folder(tmp_path / "m1", {"en": "machine one"}), published, FILM, log)
    edited = edit(published / "en.srt", "machine one", "fixed by hand")
    second = machine_folder(tmp_path / "m2", {"en": "machine two"})
    assert publish(second, published, FILM, log)[0].action == "kept_edit_machine_beside"
    return published, second, edited


def test_a_hand_merge_in_the_machine_copy_survives_the_next_subtitle_run(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    published, second, edited = kept_beside(tmp_path)
    merged = edit(published / "en.machine.srt", "machine two", "merged by hand")
    caplog.set_level(logging.INFO)
    publish(second, published, FILM, logging.getLogger("test_keep_edits"))  # the same machine output again
    assert (published / "en.machine.srt").read_bytes() == merged
    assert (published / "en.srt").read_bytes() == edited
    assert f"kept your changes to {published / 'en.machine.srt'}" in messages(caplog)


def test_a_hand_merge_is_moved_to_a_named_copy_before_a_new_machine_version_takes_its_place(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    published, _, edited = kept_beside(tmp_path)
    merged = edit(published / "en.machine.srt", "machine two", "merged by hand")
    third = machine_folder(tmp_path / "m3", {"en": "machine three"})
    started = time.time()
    publish(third, published, FILM, logging.getLogger("test_keep_edits"))
    assert (published / "en.machine.srt").read_bytes() == (third / "en.srt").read_bytes()
    assert (published / "en.srt").read_bytes() == edited
    copies = list((published / "kept").glob("en.machine.*.srt"))
    assert [c.read_bytes() for c in copies] == [merged]
    assert f"moved your changes to {published / 'en.machine.srt'} to {copies[0]}" in messages(caplog)
    lines = kept_edit_lines(published, started)
    assert f"[en] your changes to {published / 'en.machine.srt'} are now in {copies[0]}" in "\n".join(lines)


# -- the subtitle stage: an edit saved while it replaces the published file ----------------------------


@pytest.mark.parametrize("hard_links", [True, False], ids=["hard-links", "no-hard-links"])
def test_an_edit_saved_between_the_hash_check_and_the_replace_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, hard_links: bool
) -> None:
    """The person saves right after publish hashed en.srt (and found the machine's file there): the
    hook is publish's own hash function, so the save lands exactly between check and replace. Also
    on a filesystem without hard links (FAT, some network shares), where os.link fails with EPERM."""
    if not hard_links:

        def no_link(source: object, target: object) -> None:
            raise PermissionError(errno.EPERM, "Operation not permitted")

        monkeypatch.setattr(os, "link", no_link)
    published = tmp_path / "subtitles"
    log = logging.getLogger("test_keep_edits")
    publish(machine_folder(tmp_path / "m1", {"en": "machine one"}), published, FILM, log)
    target = published / "en.srt"
    saved = target.read_text(encoding="utf-8").replace("machine one", "saved mid-run").encode()
    hashed = review.sha256

    def hash_then_save(path: Path) -> str:
        digest = hashed(path)
        if Path(path) == target and not hash_then_save.saved:
            hash_then_save.saved = True
            target.write_bytes(saved)  # the editor saves now
        return digest

    hash_then_save.saved = False
    monkeypatch.setattr(review, "sha256", hash_then_save)
    caplog.set_level(logging.INFO)
    second = machine_folder(tmp_path / "m2", {"en": "machine two"})
    outcome = publish(second, published, FILM, log)[0]
    assert hash_then_save.saved
    assert target.read_bytes() == saved, "the edit saved during the run is lost"
    assert outcome.action == "kept_edit_machine_beside"
    assert (published / "en.machine.srt").read_bytes() == (second / "en.srt").read_bytes()
    assert f"kept your edit of {target}" in messages(caplog)
    # It is an edit from now on: the next run keeps it too.
    monkeypatch.setattr(review, "sha256", hashed)
    assert publish(second, published, FILM, log)[0].action in {"kept_edit", "kept_edit_machine_beside"}
    assert target.read_bytes() == saved


def test_an_edit_saved_after_the_file_was_moved_aside_is_kept(tmp_path: Path, monkeypatch) -> None:
    """The save lands after the machine's file was moved aside, before the new one is linked in: the
    new one must not clobber it. (A window the fix opens: the hook is the fix's own step.)"""
    from reelsub.review import keep_edits

    published = tmp_path / "subtitles"
    log = logging.getLogger("test_keep_edits")
    publish(machine_folder(tmp_path / "m1", {"en": "machine one"}), published, FILM, log)
    target = published / "en.srt"
    moved = keep_edits._move_aside

    def move_then_save(path: Path) -> Path | None:
        aside = moved(path)
        if path == target:
            target.write_text("1\n00:00:01,000 --> 00:00:02,000\nsaved in the gap\n", encoding="utf-8")
        return aside

    monkeypatch.setattr(keep_edits, "_move_aside", move_then_save)
    outcome = publish(machine_folder(tmp_path / "m2", {"en": "machine two"}), published, FILM, log)[0]
    assert "saved in the gap" in target.read_text(encoding="utf-8")
    assert outcome.action == "kept_edit_machine_beside"
    assert not list(published.glob("*replacing*")), "the machine's old file moved aside is gone"


# -- the language changed ---------------------------------------------------------------------------


def test_an_edit_left_out_when_the_language_changes_is_kept_recorded_and_warned(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """asr heard Hindi, a person fixed hi.srt, a later run heard Urdu: hi.srt is no longer muxed."""
    published = tmp_path / "subtitles"
    log = logging.getLogger("test_keep_edits")
    publish(machine_folder(tmp_path / "m1", {"hi": "नमस्ते दुनिया", "en": "hello world"}), published, FILM, log)
    edited = edit(published / "hi.srt", "दुनिया", "संसार")
    started = time.time()
    caplog.set_level(logging.INFO)
    token = republish_token(published)
    publish(machine_folder(tmp_path / "m2", {"ur": "نمستے دنیا", "en": "hello world"}), published, FILM, log)
    assert (published / "hi.srt").read_bytes() == edited
    record = read_record(published)
    assert record is not None and "hi" in record.tracks, "the edit dropped out of the record"
    assert record.tracks["hi"].left_out_at is not None
    warning = [r for r in caplog.records if r.levelno == logging.WARNING and "hi.srt" in r.getMessage()]
    assert warning and "ur" in warning[0].getMessage(), messages(caplog)
    lines = "\n".join(kept_edit_lines(published, started))
    assert re.search(
        rf"\[hi\] your edit {re.escape(str(published / 'hi.srt'))} is left out of the film", lines
    )
    assert "now: ur, en" in lines
    assert republish_token(published) == token, "a left-out track must not make subtitle rerun"

    # The language comes back: the edit is published again as the hi track, nothing left out.
    publish(machine_folder(tmp_path / "m3", {"hi": "नमस्ते दुनिया", "en": "hello world"}), published, FILM, log)
    assert (published / "hi.srt").read_bytes() == edited
    assert read_record(published).tracks["hi"].left_out_at is None
    assert "left out" not in "\n".join(kept_edit_lines(published, started))

    # An unedited track left out raises no warning; one deleted leaves the record.
    caplog.clear()
    publish(machine_folder(tmp_path / "m4", {"ur": "نمستے دنیا"}), published, FILM, log)
    assert "en" in read_record(published).tracks
    assert not [r for r in caplog.records if "en.srt" in r.getMessage() and r.levelno >= logging.WARNING]
    (published / "en.srt").unlink()
    publish(machine_folder(tmp_path / "m4", {"ur": "نمستے دنیا"}), published, FILM, log)
    assert "en" not in read_record(published).tracks
    assert (published / "hi.srt").read_bytes() == edited
    assert read_record(published).tracks["hi"].published_sha256 != sha256(published / "hi.srt")


def test_two_saves_during_one_replace_are_both_kept_and_the_run_names_the_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A save right after the hash check, and another while the first is put back: the latest stays
    in place, the earlier one goes to a copy in kept/, named in the log and in the end-of-run lines."""
    from reelsub.review import keep_edits

    published = tmp_path / "subtitles"
    log = logging.getLogger("test_keep_edits")
    publish(machine_folder(tmp_path / "m1", {"en": "machine one"}), published, FILM, log)
    target = published / "en.srt"
    first = target.read_text(encoding="utf-8").replace("machine one", "first save").encode()
    second = target.read_text(encoding="utf-8").replace("machine one", "second save").encode()
    moved, linked = keep_edits._move_aside, keep_edits._link_into_place

    def save_then_move(path: Path) -> Path | None:
        if path == target:
            target.write_bytes(first)
        return moved(path)

    def save_then_link(source: Path, into: Path) -> bool:
        if into == target and not target.exists():
            target.write_bytes(second)
        return linked(source, into)

    monkeypatch.setattr(keep_edits, "_move_aside", save_then_move)
    monkeypatch.setattr(keep_edits, "_link_into_place", save_then_link)
    caplog.set_level(logging.INFO)
    started = time.time()
    publish(machine_folder(tmp_path / "m2", {"en": "machine two"}), published, FILM, log)
    assert target.read_bytes() == second
    copies = list((published / "kept").glob("en.*.srt"))
    assert [c.read_bytes() for c in copies] == [first]
    assert f"moved your changes to {target} to {copies[0]}" in messages(caplog)
    assert f"[en] your changes to {target} are now in {copies[0]}" in "\n".join(
        kept_edit_lines(published, started)
    )


# -- the real workflow --------------------------------------------------------------------------------


@pytest.mark.e2e
def test_a_run_warns_of_an_edit_left_out_and_make_clean_keeps_the_edits(tmp_path: Path) -> None:
    """snakemake on a real film (faster-whisper tiny.en) heard English. The record is then given a hi
    track the machine no longer makes, as a run that once heard Hindi would have left it (a hi <-> ur
    flip needs a Hindi model this test cannot afford), and a person edits it and en.srt. A rerun of
    subtitle warns in its log and at the end of the run, and so does every later run that runs a
    job; `make clean` then keeps both edits and says where."""
    workdir = tmp_path / "w"
    make_film(workdir / "films" / "jfk.mp4", (Speech(recording=PROJECT / "media" / "jfk.flac"),))
    assert (run := snakemake(workdir, "-j2", "jobs/jfk/out.mkv")).returncode == 0, run.output
    published = workdir / "jobs" / "jfk" / "subtitles"
    write_srt([Cue(1.0, 2.5, ["नमस्ते दुनिया"])], published / "hi.srt")
    record = read_record(published)
    record.tracks["hi"] = PublishedTrack("hi", "hi.srt", sha256(published / "hi.srt"))
    write_record(published, record)
    hindi = edit(published / "hi.srt", "दुनिया", "संसार")
    english = edit(published / "en.srt", "country", "NATION")

    narrow = tmp_path / "narrow.yaml"
    narrow.write_text("subtitle: {max_chars_per_line: 30}\n")  # new machine cues: subtitle reruns
    run = snakemake(workdir, "-j2", "jobs/jfk/out.mkv", configfiles=[narrow])
    assert run.returncode == 0, run.output
    line = "reelsub review: jfk [hi] your edit jobs/jfk/subtitles/hi.srt is left out of the film"
    assert line in run.output, run.output
    assert "WARNING" in next(x for x in run.output.splitlines() if "hi.srt is left out" in x)
    assert "(now: en)" in run.output
    assert (published / "hi.srt").read_bytes() == hindi
    english = edit(published / "en.srt", "NATION", "nation")  # a run that does work (mux) says it again
    again = snakemake(workdir, "-j2", "jobs/jfk/out.mkv", configfiles=[narrow])
    assert again.returncode == 0 and line in again.output, again.output

    (workdir / "Makefile").symlink_to(PROJECT / "Makefile")
    (workdir / "scripts").symlink_to(PROJECT / "scripts")
    clean = subprocess.run(["make", "clean"], cwd=workdir, capture_output=True, text=True, timeout=120)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert not (workdir / "jobs").exists()
    [backup] = (workdir / "edits-backup").iterdir()
    kept = backup / "jfk" / "subtitles"
    assert sorted(p.name for p in kept.iterdir()) == ["en.srt", "hi.srt"], clean.stdout
    assert (kept / "en.srt").read_bytes() == english and (kept / "hi.srt").read_bytes() == hindi
    assert f"jobs/jfk/subtitles/hi.srt -> {backup.relative_to(workdir)}/jfk/subtitles/hi.srt" in clean.stdout
