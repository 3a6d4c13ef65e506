"""The review station's server side (reelsub.review.edit through reelsub.review.serve): a track's cues
and QC, the QC of an edit, a save, an approval, and every request it must refuse, over real http on
loopback; and the approval in review.json as publishing honours it.

The film here is a Hindi track with its English translation, as the subtitle stage leaves them
(published by reelsub.review.publish, QC by reelsub.subtitles.qc), with transcripts whose words are
the cues' words. The browser half of the loop is in test_review.py (selenium, headless chromium).
"""

from __future__ import annotations

import getpass
import http.client
import json
import logging
from pathlib import Path
from urllib.parse import quote

import pytest

from reelsub.contracts.qc_report import findings_by_cue, write_qc_report
from reelsub.contracts.review_record import (
    APPROVAL_STALE,
    APPROVED,
    EDITED,
    MACHINE_ONLY,
    SCHEMA,
    approve,
    read_record,
    sha256,
    track_states,
)
from reelsub.contracts.tracks import Track, write_manifest
from reelsub.contracts.transcript import Segment, Transcript
from reelsub.review.batch import write_batch_page
from reelsub.review.publish import publish
from reelsub.review.serve import served
from reelsub.subtitles.files import parse_srt, read_srt, write_srt, write_vtt
from reelsub.subtitles.qc import qc_report
from reelsub.subtitles.rules import Cue, SubtitleRules
from reelsub.workflow.summary import review_line

LOG = logging.getLogger("test_review_station")
HINDI = [
    Cue(1.0, 3.0, ["नमस्ते दोस्तों, आज हम बाज़ार चलेंगे।"]),
    Cue(3.5, 6.0, ["वहाँ बहुत सारे फल मिलते हैं।"]),
    Cue(6.5, 9.0, ["शाम को हम घर लौटेंगे।"]),
]
ENGLISH = [
    Cue(1.0, 3.3, ["Hello friends,", "today we go out."]),
    Cue(3.5, 6.0, ["Lots of fruit can be found there."]),
    Cue(6.5, 9.0, ["In the evening we will come home."]),
]
TRACKS = {
    "hi": (HINDI, Track("hi", "hi.srt", "hi.vtt", "hi.qc.json", "Hindi", True, False, 3)),
    "en": (
        ENGLISH,
        Track("en", "en.srt", "en.vtt", "en.qc.json", "English (machine translation)", False, True, 3),
    ),
}


def transcript(language: str, cues: list[Cue]) -> Transcript:
    return Transcript("film", language, 10.0, [Segment(c.start, c.end, " ".join(c.lines)) for c in cues])


def make_job(root: Path, machine_text: dict[str, list[Cue]] | None = None) -> Path:
    """jobs/film as the subtitle stage and the mux leave it: machine tracks, the published copies
    with review.json, each track's QC, tracks.json and the transcripts QC checks against."""
    job = root / "jobs" / "film"
    machine, published = job / "machine_subtitles", job / "subtitles"
    machine.mkdir(parents=True, exist_ok=True)
    for language, (cues, _) in TRACKS.items():
        write_srt((machine_text or {}).get(language, cues), machine / f"{language}.srt")
    write_manifest(machine, [track for _, track in TRACKS.values()])
    publish(machine, published, "film", LOG)
    transcript("hi", HINDI).write(job / "transcript.json")
    (job / "translations").mkdir(exist_ok=True)
    transcript("en", ENGLISH).write(job / "translations" / "en.json")
    for language, (cues, track) in TRACKS.items():
        report = qc_report(
            cues, SubtitleRules(), 25.0, transcript(language, cues), translated=track.translated
        )
        write_qc_report(published / track.qc, report)
        write_vtt(cues, published / track.vtt)
    write_manifest(published, [track for _, track in TRACKS.values()])
    return job


def call(
    server,
    method: str,
    path: str,
    body: object = None,
    *,
    token: str | None = "",
    host: str | None = None,
    content_type: str = "application/json",
) -> tuple[int, dict]:
    """One request to the review server, as a page (or a forger) would send it."""
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
    headers = {"Host": host or f"127.0.0.1:{server.server_port}"}
    if token is not None:
        headers["X-Reelsub-Token"] = token or server.token
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = content_type
    connection.request(method, path, body=data, headers=headers)
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    try:
        return response.status, json.loads(raw)
    except json.JSONDecodeError:
        return response.status, {"body": raw.decode(errors="replace")}


def as_json(cues: list[Cue]) -> list[dict]:
    return [{"start": c.start, "end": c.end, "lines": c.lines} for c in cues]


def test_the_page_loads_a_track_with_its_qc_and_the_qc_of_an_edit_is_the_qc_stage_s(tmp_path: Path) -> None:
    job = make_job(tmp_path)
    with served(tmp_path) as server:
        status, hindi = call(server, "GET", "/api/track?film=film&lang=hi")
        assert status == 200, hindi
        assert [c["lines"] for c in hindi["cues"]] == [c.lines for c in HINDI]
        assert hindi["sha256"] == sha256(job / "subtitles" / "hi.srt")
        assert (hindi["fps"], hindi["state"], hindi["qc"]["verdict"]) == (25.0, MACHINE_ONLY, "ok")
        assert hindi["rules"]["max_chars_per_line"] == SubtitleRules().max_chars_per_line

        # A Hindi line over the limit, counted in graphemes (a vowel sign is not a letter of its own),
        # and a cue of a quarter second: the QC stage's own checks name both.
        long_line = "नमस्ते दोस्तों, आज हम सब मिलकर बहुत दूर वाले बड़े बाज़ार चलेंगे।"
        edited = [Cue(1.0, 3.0, [long_line]), Cue(3.5, 3.75, HINDI[1].lines), HINDI[2]]
        status, qc = call(
            server, "POST", "/api/check", {"film": "film", "lang": "hi", "cues": as_json(edited)}
        )
        assert status == 200, qc
        stage = qc_report(edited, SubtitleRules(), 25.0, transcript("hi", HINDI))
        assert qc["verdict"] == stage.verdict == "violations"
        assert qc["summary"] == stage.summary
        assert "line_length" in qc["cues"][0]["violation"]
        assert {"min_duration", "reading_speed"} <= set(
            qc["cues"][1]["violation"] + qc["cues"][1]["exception"]
        )
        assert qc["cues"] == findings_by_cue(stage, 3), "cue by cue, what the stage would report"

        # The English track is checked against the translation, not the Hindi transcript.
        status, english = call(
            server, "POST", "/api/check", {"film": "film", "lang": "en", "cues": as_json(ENGLISH)}
        )
        assert (status, english["verdict"]) == (200, "ok"), english


def test_a_save_writes_the_srt_as_a_hand_edit_keeps_the_last_version_and_refuses_a_stale_page(
    tmp_path: Path,
) -> None:
    job = make_job(tmp_path)
    srt = job / "subtitles" / "hi.srt"
    before = srt.read_bytes()
    loaded = sha256(srt)
    edited = [Cue(1.0, 2.8, ["नमस्ते दोस्तों!"]), *HINDI[1:]]
    with served(tmp_path) as server:
        status, saved = call(
            server,
            "POST",
            "/api/save",
            {"film": "film", "lang": "hi", "cues": as_json(edited), "sha256": loaded},
        )
        assert status == 200, saved
        assert parse_srt(srt.read_bytes(), srt) == edited, "the mux's own reader reads what was saved"
        assert saved["sha256"] == sha256(srt) and saved["state"] == EDITED
        assert (job / saved["previous"]).read_bytes() == before
        assert saved["previous"].startswith("subtitles/history/hi.")
        assert read_record(job / "subtitles").tracks["hi"].edited(job / "subtitles"), "a person's edit"

        # The page still holds the old hash: the file on disk is newer, and is not overwritten.
        status, refused = call(
            server,
            "POST",
            "/api/save",
            {"film": "film", "lang": "hi", "cues": as_json(HINDI), "sha256": loaded},
        )
        assert status == 409 and "changed since the page loaded it" in refused["error"], refused
        assert parse_srt(srt.read_bytes(), srt) == edited

        # What the mux would refuse is refused now, naming the problem; the file stays.
        overlapping = [Cue(1.0, 4.0, ["एक"]), Cue(3.0, 5.0, ["दो"])]
        status, refused = call(
            server,
            "POST",
            "/api/save",
            {"film": "film", "lang": "hi", "cues": as_json(overlapping), "sha256": saved["sha256"]},
        )
        assert status == 422 and "not saved" in refused["error"], refused
        assert parse_srt(srt.read_bytes(), srt) == edited


def test_an_approval_is_recorded_with_name_time_and_hash_and_shows_on_the_batch_page(tmp_path: Path) -> None:
    job = make_job(tmp_path)
    published = job / "subtitles"
    write_batch_page(tmp_path / "jobs", ["film"])
    assert review_line(["film"], tmp_path / "jobs").startswith(
        "2 tracks: 0 approved, 0 edited, 2 machine-only;"
    )
    with served(tmp_path) as server:
        status, approved = call(
            server,
            "POST",
            "/api/approve",
            {"film": "film", "lang": "hi", "sha256": sha256(published / "hi.srt"), "reviewer": "Asha Rao"},
        )
        assert status == 200, approved
        entry = read_record(published).tracks["hi"]
        assert (entry.approved_by, entry.approved_sha256) == ("Asha Rao", sha256(published / "hi.srt"))
        assert entry.approved_at is not None
        assert json.loads((published / "review.json").read_text())["schema"] == SCHEMA == "reelsub.review/2"
        # No name typed: the OS user.
        status, approved = call(
            server,
            "POST",
            "/api/approve",
            {"film": "film", "lang": "en", "sha256": sha256(published / "en.srt")},
        )
        assert (status, approved["approved_by"]) == (200, getpass.getuser())
        # A page whose file changed since it loaded it cannot approve it.
        status, refused = call(
            server,
            "POST",
            "/api/approve",
            {"film": "film", "lang": "en", "sha256": "0" * 64, "reviewer": "x"},
        )
        assert status == 409 and "look again" in refused["error"], refused

        status, page = call(server, "GET", "/jobs/index.html", token=None)
        assert status == 200
        assert 'data-waiting="0"' in page["body"] and 'data-approved="2"' in page["body"], "rendered afresh"
    assert track_states(published) == {"hi": APPROVED, "en": APPROVED}
    assert review_line(["film"], tmp_path / "jobs").startswith(
        "2 tracks: 2 approved, 0 edited, 0 machine-only; 0 wait"
    )


def test_a_forged_save_is_refused_and_the_server_goes_on(tmp_path: Path) -> None:
    job = make_job(tmp_path)
    srt = job / "subtitles" / "hi.srt"
    (tmp_path / "secret.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nsecret\n")
    before = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    save = {"film": "film", "lang": "hi", "cues": as_json(HINDI[:1]), "sha256": sha256(srt)}
    with served(tmp_path) as server:
        port = server.server_port
        refusals = [
            (call(server, "POST", "/api/save", save, token=None), 403),  # no token
            (call(server, "POST", "/api/save", save, token="guessed"), 403),
            (call(server, "POST", "/api/save", save, host=f"evil.example:{port}"), 421),  # DNS rebinding
            (call(server, "POST", "/api/save", {**save, "film": ".."}), 400),
            (call(server, "POST", "/api/save", {**save, "film": "../jobs/film"}), 400),
            (
                call(server, "POST", "/api/save", {**save, "lang": "../../secret"}),
                404,
            ),  # not one of its tracks
            (call(server, "POST", "/api/save", {**save, "film": "nothing"}), 404),
            (
                call(server, "POST", "/api/save", {**save, "cues": [{"start": "1", "end": 2, "lines": []}]}),
                400,
            ),
            (call(server, "POST", "/api/save", {**save, "cues": []}), 400),
            (call(server, "POST", "/api/save", b"{not json"), 400),
            (call(server, "POST", "/api/save", save, content_type="text/plain"), 415),  # a form post
            (call(server, "POST", "/api/save", [save]), 400),
            (call(server, "POST", "/api/delete", save), 404),
            (call(server, "PUT", "/jobs/film/subtitles/hi.srt", b"x"), 501),
            (call(server, "GET", "/api/track?film=film&lang=hi", token=None), 403),
        ]
        for (status, answer), expected in refusals:
            assert status == expected, (status, expected, answer)
            assert status == 501 or answer.get("error"), answer  # a reason, in words
        # Still serving, and still saving with the token.
        assert call(server, "GET", f"/api/track?film=film&lang={quote('hi')}")[0] == 200
    after = {path: path.read_bytes() for path in tmp_path.rglob("*") if path.is_file()}
    assert after == before, "no refused request wrote anything"


def test_publishing_never_replaces_an_approved_track_and_the_approval_goes_stale(tmp_path: Path) -> None:
    job = make_job(tmp_path)
    published, machine = job / "subtitles", job / "machine_subtitles"
    approved_file = (published / "en.srt").read_bytes()
    approve(published, "en", sha256(published / "en.srt"), "Asha Rao", 100.0)
    assert track_states(published)["en"] == APPROVED

    # The same machine version again: nothing to keep, the approval holds.
    assert {o.language: o.action for o in publish(machine, published, "film", LOG)}["en"] == "unchanged"
    assert track_states(published)["en"] == APPROVED

    # A new machine version: the approved file stays, the new one goes beside it, and the approval
    # is stale until a person looks again.
    new = [Cue(1.0, 3.3, ["Hello, friends:", "today we go out."]), *ENGLISH[1:]]
    write_srt(new, machine / "en.srt")
    outcomes = {o.language: o for o in publish(machine, published, "film", LOG)}
    assert outcomes["en"].action == "kept_edit_machine_beside"
    assert (published / "en.srt").read_bytes() == approved_file
    assert read_srt(published / "en.machine.srt") == new
    entry = read_record(published).tracks["en"]
    assert (entry.approved_by, entry.approved_sha256) == ("Asha Rao", sha256(published / "en.srt"))
    assert track_states(published) == {"hi": MACHINE_ONLY, "en": APPROVAL_STALE}
    assert "(1 approval stale)" in review_line(["film"], tmp_path / "jobs")

    # The person looks again and approves: it holds, and the next run keeps the file.
    approve(published, "en", sha256(published / "en.srt"), "Asha Rao", entry.edit_kept_at + 1)
    assert track_states(published)["en"] == APPROVED
    publish(machine, published, "film", LOG)
    assert (published / "en.srt").read_bytes() == approved_file
    assert track_states(published)["en"] == APPROVED


def test_an_approved_file_edited_afterwards_shows_the_approval_as_stale(tmp_path: Path) -> None:
    job = make_job(tmp_path)
    published = job / "subtitles"
    approve(published, "hi", sha256(published / "hi.srt"), "Asha Rao", 100.0)
    write_srt([Cue(1.0, 3.0, ["नमस्ते!"]), *HINDI[1:]], published / "hi.srt")
    assert track_states(published)["hi"] == APPROVAL_STALE


def test_a_version_1_record_reads_as_one_without_approvals(tmp_path: Path) -> None:
    job = make_job(tmp_path)
    record_path = job / "subtitles" / "review.json"
    document = json.loads(record_path.read_text())
    document["schema"] = "reelsub.review/1"
    for entry in document["tracks"].values():
        for key in ("approved_by", "approved_at", "approved_sha256"):
            del entry[key]
    record_path.write_text(json.dumps(document))
    assert track_states(job / "subtitles") == {"hi": MACHINE_ONLY, "en": MACHINE_ONLY}
    publish(job / "machine_subtitles", job / "subtitles", "film", LOG)
    assert json.loads(record_path.read_text())["schema"] == "reelsub.review/2"


@pytest.mark.parametrize("film", ["film\n", "", ".hidden", "a/b"])
def test_film_names_that_are_not_one_folder_are_refused(tmp_path: Path, film: str) -> None:
    from reelsub.review.edit import EditRefused, find_track

    make_job(tmp_path)
    with pytest.raises(EditRefused) as refused:
        find_track(tmp_path / "jobs", film, "hi")
    assert refused.value.status in (400, 404)


def cue_texts(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#cues tr.cue textarea')).map(t => t.value)"
    )


@pytest.mark.browser
def test_a_hindi_track_is_fixed_split_merged_and_saved_from_the_keyboard(tmp_path: Path) -> None:
    """In headless chromium, on the Hindi track of a generated job (a test-card film, no speech:
    the words are the transcript's): typed Devanagari, next flagged cue, split, merge, a frame's
    nudge of the out time, Ctrl+S. Opened without the token, the same page is read-only."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    from browser import chromium, console_errors, film_in, wait_for
    from reelsub.review.page import write_review_page

    job = make_job(tmp_path)
    film = film_in(
        tmp_path / "films" / "film.mp4", ["-c:v", "libx264", "-pix_fmt", "yuv420p"], ["-c:a", "aac"], 10
    )
    published = job / "subtitles"
    # A person shortened cue 2 to a quarter second (an edit), and QC flags it (min_duration): the page's
    # "next flagged" goes there.
    short = [HINDI[0], Cue(3.5, 3.75, HINDI[1].lines), HINDI[2]]
    write_srt(short, published / "hi.srt")
    write_qc_report(
        published / "hi.qc.json", qc_report(short, SubtitleRules(), 25.0, transcript("hi", HINDI))
    )
    write_review_page("film", film, published, job / "review.html")

    def press(*keys: str) -> None:
        ActionChains(driver).send_keys(*keys).perform()

    with served(tmp_path) as server, chromium() as driver:
        driver.get(f"{server.base}jobs/film/review.html")  # no token: read-only
        wait_for(driver, "document.body.dataset.ready === 'true'")
        assert "Read-only" in driver.find_element("id", "mode").text
        assert cue_texts(driver) == [c.text for c in short]
        assert driver.execute_script("return document.querySelector('#cues textarea').readOnly")

        driver.get(f"{server.base}jobs/film/review.html?token={server.token}")
        wait_for(driver, "document.body.dataset.ready === 'true'")
        assert "Hindi: edited by hand" in driver.find_element("id", "mode").text
        press(" ")  # play, and the cue on screen is highlighted as the film plays
        wait_for(driver, "!document.getElementById('film').paused")
        wait_for(driver, "document.querySelector('#cues tr.playing') !== null", timeout=30)
        press(" ")
        wait_for(driver, "document.getElementById('film').paused")
        press("n")  # next flagged cue: cue 2
        wait_for(driver, "document.querySelector('#cues tr.selected').dataset.index === '1'")
        assert "min_duration" in driver.find_element("css selector", "#cues tr.selected td.problems").text
        # Its out time a frame later, twenty times ("}"): 0.25 s + 0.8 s.
        press(*["}"] * 20)
        wait_for(driver, "document.getElementById('qc-live').textContent.startsWith('QC of your changes')")
        wait_for(driver, "document.querySelector('#cues tr.selected td.out').textContent === '00:00:04.550'")

        # Cue 1: a word typed in Devanagari, then split at the playhead (two cues), merged back (M).
        driver.find_element("css selector", "#cues tr.cue td").click()
        box = driver.find_element("css selector", "#cues tr.cue textarea")
        box.click()
        box.send_keys(Keys.END, " सब")
        press(Keys.ESCAPE)
        driver.execute_script("document.getElementById('film').currentTime = 2.0")
        wait_for(driver, "!document.getElementById('film').seeking")
        press("s")
        wait_for(driver, "document.querySelectorAll('#cues tr.cue').length === 4")
        split = cue_texts(driver)
        assert " ".join(split[:2]) == HINDI[0].text + " सब", split
        press("m")
        wait_for(driver, "document.querySelectorAll('#cues tr.cue').length === 3")
        ActionChains(driver).key_down(Keys.CONTROL).send_keys("s").key_up(Keys.CONTROL).perform()
        wait_for(driver, "document.getElementById('status').textContent.startsWith('Saved')")
        assert console_errors(driver) == []

    saved = read_srt(published / "hi.srt")
    assert [c.lines for c in saved] == [split[:1] + split[1:2], HINDI[1].lines, HINDI[2].lines]
    assert (saved[0].start, saved[0].end) == (HINDI[0].start, HINDI[0].end), "split then merged: same times"
    assert (saved[1].start, saved[1].end) == (3.5, 4.55)
    assert read_record(published).tracks["hi"].state(published) == EDITED
