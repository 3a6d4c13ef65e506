"""The whole workflow, for real: snakemake, ffmpeg and faster-whisper tiny.en on generated films."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from testkit.streams import stream_md5
from testkit.synth import Speech, make_film
from workflow import PROJECT, snakemake, streams, subtitle_text

pytestmark = pytest.mark.e2e

JFK_FILM = (
    Speech(text="Here is a short speech."),
    Speech(silence=0.5),
    Speech(recording=PROJECT / "media" / "jfk.flac"),
    Speech(silence=1.0),
)


@pytest.fixture(scope="module")
def finished_film(tmp_path_factory) -> Path:
    """One film run through all seven stages: the workdir after `snakemake -j2 jobs/jfk/out.mkv`."""
    workdir = tmp_path_factory.mktemp("e2e")
    make_film(workdir / "films" / "jfk.mp4", JFK_FILM)
    run = snakemake(workdir, "-j2", "jobs/jfk/out.mkv")
    assert run.returncode == 0, run.output
    return workdir


def test_out_mkv_keeps_video_and_audio_bit_identical(finished_film: Path) -> None:
    film, out = finished_film / "films" / "jfk.mp4", finished_film / "jobs" / "jfk" / "out.mkv"
    assert stream_md5(out, "v:0") == stream_md5(film, "v:0")
    assert stream_md5(out, "a:0") == stream_md5(film, "a:0")


def test_out_mkv_has_english_track_with_the_speech(finished_film: Path) -> None:
    out = finished_film / "jobs" / "jfk" / "out.mkv"
    kinds = [s["codec_type"] for s in streams(out)]
    assert kinds == ["video", "audio", "subtitle"]
    subtitle = streams(out)[2]
    assert subtitle["tags"]["language"] == "eng"
    assert subtitle["tags"]["title"] == "English"
    assert subtitle["disposition"]["default"] == 1
    text = re.sub(r"[^a-z ]+", " ", subtitle_text(out, 0).lower())
    assert "ask not what your country can do for you" in " ".join(text.split())


def test_outputs_and_logs_land_under_the_film_job(finished_film: Path) -> None:
    job = finished_film / "jobs" / "jfk"
    for name in (
        "transcript.json",
        "transcript.txt",
        "transcript.srt",
        "subtitles/en.srt",
        "subtitles/en.vtt",
        "subtitles/en.ass",
        "subtitles/en.ttml",
        "subtitles/en.qc.json",
        "out.mkv",
    ):
        assert (job / name).is_file(), name
    assert not (job / "audio.wav").exists(), "the 16 kHz wav is temporary"
    for stage in ("demux", "asr", "align", "export", "subtitle", "mux"):
        assert (job / "logs" / f"{stage}.log").read_text().strip(), stage
        assert (job / "benchmarks" / f"{stage}.tsv").is_file(), stage
    assert "ask not what your country" in (job / "transcript.txt").read_text().lower()


def test_dry_run_dag_has_seven_jobs_per_film_plus_all(tmp_path: Path) -> None:
    for name in ("one.mp4", "two.MKV", "three.mov"):
        (tmp_path / "films").mkdir(exist_ok=True)
        (tmp_path / "films" / name).write_bytes(b"placeholder: a dry run never reads it")
    (tmp_path / "films" / "notes.txt").write_text("not a film")
    run = snakemake(tmp_path, "-n", "--quiet", "rules", config=["target_langs=[hi]"])
    assert run.returncode == 0, run.output
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", run.output, flags=re.M))
    stages = ("demux", "asr", "align", "export", "translate", "subtitle", "mux")
    assert {stage: counts.get(stage) for stage in stages} == {stage: "3" for stage in stages}
    assert counts["all"] == "1" and counts["total"] == "22"


def test_empty_target_list_means_no_translate_jobs(tmp_path: Path) -> None:
    (tmp_path / "films").mkdir()
    (tmp_path / "films" / "a.mp4").write_bytes(b"x")
    run = snakemake(tmp_path, "-n", "--quiet", "rules", config=["target_langs=[]"])
    assert run.returncode == 0, run.output
    assert "translate" not in run.output


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ("asr={'beam_size': 'eight'}", "beam_size"),
        ("asr_backend=gpu", "asr_backend"),
        ("subtitle={'max_lines': 9}", "max_lines"),
    ],
)
def test_bad_config_is_rejected_naming_the_key(tmp_path: Path, setting: str, key: str) -> None:
    run = snakemake(tmp_path, "-n", config=[setting])
    assert run.returncode != 0
    assert key in run.output


def test_unknown_language_fails_before_any_job_listing_supported_ones(tmp_path: Path) -> None:
    (tmp_path / "films").mkdir()
    (tmp_path / "films" / "a.mp4").write_bytes(b"x")
    run = snakemake(tmp_path, "-n", config=["target_langs=[klingon]"])
    assert run.returncode != 0
    assert "unknown language 'klingon'" in run.output and "hi (Hindi)" in run.output


def test_translate_missing_model_names_it_and_other_films_finish(tmp_path: Path) -> None:
    """Film a asks for Hindi, whose IndicTrans2 model is not on this machine; film b asks for none."""
    make_film(tmp_path / "films" / "a.mp4", JFK_FILM)
    shutil.copy(tmp_path / "films" / "a.mp4", tmp_path / "films" / "b.mp4")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "films.tsv").write_text("film\ttarget_langs\na\thi\n")
    run = snakemake(tmp_path, "-j2", "--keep-going")
    assert run.returncode != 0
    assert "ai4bharat/indictrans2-en-indic-dist-200M" in run.output
    assert "translate.models" in run.output
    assert (tmp_path / "jobs" / "b" / "out.mkv").is_file()
    assert not (tmp_path / "jobs" / "a" / "out.mkv").exists()
    assert not (tmp_path / "jobs" / "a" / "translations").exists(), "no partial translation output"
    assert "FAILED a:" in run.output


def test_translated_track_with_tiny_substitute_model_is_muxed_tagged_and_wrapped(tmp_path: Path) -> None:
    """English film → Hindi track, through the real IndicTrans2 loading code with a tiny random
    substitute model (its "Hindi" is meaningless; the plumbing, tags and cue rules are real)."""
    from reelsub.subtitles.cues import SubtitleRules
    from reelsub.subtitles.files import read_srt
    from reelsub.text import visible_length
    from tiny_indictrans import build_tiny_indictrans

    model = build_tiny_indictrans(tmp_path / "tiny-en-indic-substitute")
    make_film(tmp_path / "films" / "jfk.mp4", JFK_FILM)
    run = snakemake(
        tmp_path,
        "-j2",
        "jobs/jfk/out.mkv",
        config=["target_langs=[hi]", f"translate={{'models': {{'en-indic': '{model}'}}}}"],
    )
    assert run.returncode == 0, run.output
    out = tmp_path / "jobs" / "jfk" / "out.mkv"
    subtitles = [s for s in streams(out) if s["codec_type"] == "subtitle"]
    assert [(s["tags"]["language"], s["tags"]["title"], s["disposition"]["default"]) for s in subtitles] == [
        ("eng", "English", 1),
        ("hin", "Hindi (machine translation)", 0),
    ]
    english, hindi = (
        read_srt(tmp_path / "jobs" / "jfk" / "subtitles" / f"{lang}.srt") for lang in ("en", "hi")
    )
    assert hindi, "the substitute's output still makes cues"
    assert hindi[0].start >= english[0].start - SubtitleRules().max_lead - 0.001
    assert hindi[-1].end <= english[-1].end + SubtitleRules().max_lag + 0.001
    for cue in hindi:
        assert len(cue.lines) <= 2
        assert all(visible_length(line) <= 42 or " " not in line for line in cue.lines)
    assert [c.start for c in hindi] == sorted(c.start for c in hindi)
    qc = json.loads((tmp_path / "jobs" / "jfk" / "subtitles" / "hi.qc.json").read_text())
    # The substitute's "Hindi" is random pieces of its mixed Hindi/English vocabulary: QC must say
    # when that is not Devanagari, and find no fault in the cues themselves.
    assert {rule for rule, n in qc["violations"].items() if n} <= {"wrong_script"}, qc["summary"]
    assert qc["script"]["expected"] == ["Deva"]
    assert (qc["violations"]["wrong_script"] == 1) == (qc["script"]["share_expected"] < 0.5), qc["script"]


def test_glossary_names_from_the_film_sheet_reach_the_translated_track_with_tiny_substitute(
    tmp_path: Path,
) -> None:
    """The film sheet's glossary goes through the translate rule to IndicTrans2's placeholders. The
    substitute answers each sentence with its first placeholder ("first-placeholder"): the sentence
    with "Americans" in it comes out as the glossary's Devanagari spelling, in the Hindi track."""
    from tiny_indictrans import build_tiny_indictrans

    probe = build_tiny_indictrans(tmp_path / "tiny-probe-substitute", answer="first-placeholder")
    make_film(tmp_path / "films" / "jfk.mp4", JFK_FILM)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "films.tsv").write_text(
        "film\ttarget_langs\tglossary\njfk\thi\tAmericans|अमेरिकी\n"
    )
    run = snakemake(
        tmp_path, "-j2", "jobs/jfk/out.mkv", config=[f"translate={{'models': {{'en-indic': '{probe}'}}}}"]
    )
    assert run.returncode == 0, run.output
    hindi = json.loads((tmp_path / "jobs" / "jfk" / "translations" / "hi.json").read_text())
    assert hindi["provenance"][-1]["settings"]["glossary"] == [["Americans", "अमेरिकी"]]
    assert "अमेरिकी" in subtitle_text(tmp_path / "jobs" / "jfk" / "out.mkv", 1)
    asr = json.loads((tmp_path / "jobs" / "jfk" / "asr.json").read_text())
    assert asr["provenance"][0]["settings"]["glossary"] == ["Americans", "अमेरिकी"]


def test_every_contract_in_the_readme_is_where_a_run_leaves_it_with_its_schema(finished_film: Path) -> None:
    """README's table of the files between stages is the one list of them: each file an English film
    without translation makes is there, tagged with the schema the table and its module name."""
    import importlib

    section = (PROJECT / "README.md").read_text().split("## The contracts between stages", 1)[1]
    rows = re.findall(
        r"^\| (.+?) \| `(reelsub\.[a-z]+/\d+)` \| `reelsub/([\w/]+)\.py` \|$", section, flags=re.M
    )
    assert len(rows) == 5, rows
    job = finished_film / "jobs" / "jfk"
    checked = 0
    for files, schema, module in rows:
        assert importlib.import_module("reelsub." + module.replace("/", ".")).SCHEMA == schema
        for name in re.findall(r"`([^`]+)`", files):
            path = job / name.replace("<lang>", "en")
            if name.startswith("translations/"):
                assert not path.parent.exists()  # no target language: nothing translated
                continue
            assert json.loads(path.read_text())["schema"] == schema, path
            checked += 1
    assert checked == 9
