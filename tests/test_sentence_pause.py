"""One setting, one rule: align.sentence_pause cuts sentences in asr, align and translate, and the cue
builder and QC judge them by the pause the transcript records it was cut with (reelsub.subtitles.spoken)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from reelsub.contracts.qc_report import read_qc_report
from reelsub.contracts.transcript import Provenance, Segment, SpeechRegion, Transcript, Word
from reelsub.subtitles.cues import Cue, SubtitleRules, build_cues
from reelsub.subtitles.qc import qc_report
from reelsub.subtitles.spoken import DEFAULT_SENTENCE_PAUSE_MS, sentence_pause_ms
from testkit.synth import Speech, make_film
from workflow import snakemake

FPS = 25.0


def unpunctuated_hindi(sentence_pause: float | None) -> Transcript:
    """Two Hindi sentences Whisper left unpunctuated, with a 1.0 s silence VAD heard between them:
    a sentence break at a 0.6 s sentence pause, none at 1.5 s."""
    said = [("मैं", 1.0, 1.3), ("आया", 1.3, 1.6), ("फिर", 2.6, 2.9), ("हम", 2.9, 3.1), ("गए", 3.1, 3.4)]
    segments = [Segment(1.0, 3.4, " ".join(w for w, _, _ in said), [Word(a, b, w, 0.9) for w, a, b in said])]
    provenance = (
        []
        if sentence_pause is None
        else [Provenance("align", "test", settings={"sentence_pause": sentence_pause})]
    )
    return Transcript(
        "f",
        "hi",
        6.0,
        segments,
        provenance=provenance,
        speech=[SpeechRegion(0.95, 1.65), SpeechRegion(2.55, 3.45)],
    )


def straddles(cues: list[Cue], transcript: Transcript) -> list[int]:
    report = qc_report(cues, SubtitleRules(), FPS, transcript)
    return [f.cue for f in report.findings if f.check == "straddles_sentences"]


def test_the_cue_builder_and_qc_judge_sentences_by_the_pause_the_transcript_was_cut_with() -> None:
    # the first cue holds the first sentence and the start of the second
    split_late = [Cue(1.0, 2.95, ["मैं आया फिर"]), Cue(3.0, 3.6, ["हम गए"])]
    cut_at_short_pauses, cut_at_long_pauses = unpunctuated_hindi(0.6), unpunctuated_hindi(1.5)
    assert sentence_pause_ms(cut_at_short_pauses) == 600 and sentence_pause_ms(cut_at_long_pauses) == 1500
    # QC: a cue across the 1.0 s silence straddles two sentences only where 1.0 s parts sentences
    assert straddles(split_late, cut_at_short_pauses) == [1]
    assert straddles(split_late, cut_at_long_pauses) == []
    # the builder keeps the two sentences apart where they are two, and QC agrees with it
    built = build_cues(cut_at_short_pauses, SubtitleRules(), FPS)
    assert all(c.end <= 2.6 or c.start >= 1.6 for c in built), built
    assert straddles(built, cut_at_short_pauses) == []
    assert qc_report(built, SubtitleRules(), FPS, cut_at_long_pauses).sentence_pause_s == 1.5
    # a transcript that does not say takes the schema's default
    assert sentence_pause_ms(unpunctuated_hindi(None)) == DEFAULT_SENTENCE_PAUSE_MS == 600


@pytest.mark.e2e
def test_a_configured_sentence_pause_reaches_asr_align_the_transcript_and_qc(tmp_path: Path) -> None:
    make_film(tmp_path / "films" / "a.mp4", (Speech(text="Here is a short speech."), Speech(silence=0.5)))
    run = snakemake(tmp_path, "-j2", "jobs/a/out.mkv", config=["align={'sentence_pause': 1.25}"])
    assert run.returncode == 0, run.output
    job = tmp_path / "jobs" / "a"
    for stage_file in ("asr.json", "aligned.json"):
        recorded = json.loads((job / stage_file).read_text())["provenance"][-1]["settings"]["sentence_pause"]
        assert recorded == 1.25, stage_file
    assert Transcript.read(job / "transcript.json").recorded_sentence_pause() == 1.25
    assert read_qc_report(job / "subtitles" / "en.qc.json").sentence_pause_s == 1.25
