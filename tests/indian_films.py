"""Indian-language test films: Hindi, Hindi mixed with English, Bengali and Marathi speech.

The speech is a SUBSTITUTE: Kokoro-82M TTS speaking espeak-ng Hindi (Bengali, Marathi) phonemes, not
recorded speech (testkit.kokoro_tts). No recorded Indian-language speech ships in any package we can
install; Whisper base detects this voice as Hindi (p about 0.9) and writes most words right.

The sentences are our own. Each film keeps where every sentence starts and ends (PlacedSpeech, from
the assembly, exact to the sample) as ground truth for cue timing. Gaps between sentences vary from
0.7 to 1.3 s. Built films are cached under reelsub.models.cache_dir()/films/, keyed by their content
(sentences, gaps, voice, picture, Kokoro model), so a test session (or a rerun) builds each one once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from reelsub.models import cache_dir
from testkit.synth import PlacedSpeech, Speech, make_film

SUBSTITUTE = "Kokoro-82M TTS speaking espeak-ng Hindi phonemes, not recorded speech"
# Whisper base on three Hindi sentences per voice: jm_kumo hi p 0.99 (words best), jf_gongitsune hi 0.97,
# jf_nezumi hi 0.94, jf_tebukuro bn 0.43, jf_alpha bn 0.56.
HINDI_SPEAKER = "jm_kumo"
ENGLISH_SPEAKER = "jm_kumo"
# Gaps between sentences, in seconds, cycled: all within 0.7-1.3 s, none repeating its neighbour.
GAPS = (0.9, 1.3, 0.7, 1.1, 0.8, 1.2, 1.0, 0.75, 1.25, 0.85, 1.15)
LEAD_IN = 0.6
TAIL = 1.0
PICTURE = {"size": "160x90", "fps": 5}


@dataclass(frozen=True)
class Sentence:
    text: str
    language: str  # espeak-ng voice / Whisper language code: hi, en, bn, mr
    english: str  # our own reference translation (for chrF); the text itself for English sentences


# Twelve Hindi sentences: varied length, three questions, everyday words, no digits.
HINDI = (
    Sentence("नमस्ते, आज मौसम बहुत अच्छा है।", "hi", "Hello, the weather is very nice today."),
    Sentence("क्या तुमने सुबह का खाना खा लिया?", "hi", "Have you had breakfast?"),
    Sentence("मेरा भाई दिल्ली में एक छोटी सी दुकान चलाता है।", "hi", "My brother runs a small shop in Delhi."),
    Sentence("ट्रेन दस मिनट देर से आएगी।", "hi", "The train will arrive ten minutes late."),
    Sentence(
        "बच्चे पार्क में क्रिकेट खेल रहे हैं और उनकी माँ किताब पढ़ रही है।",
        "hi",
        "The children are playing cricket in the park and their mother is reading a book.",
    ),
    Sentence("क्या यह रास्ता बाज़ार की तरफ़ जाता है?", "hi", "Does this road go towards the market?"),
    Sentence("मुझे चाय पसंद है, लेकिन कॉफ़ी नहीं।", "hi", "I like tea, but not coffee."),
    Sentence("कल रात बहुत ज़ोर की बारिश हुई थी।", "hi", "It rained very heavily last night."),
    Sentence(
        "हम अगले महीने अपने दादा दादी से मिलने गाँव जाएँगे।",
        "hi",
        "Next month we will go to the village to meet our grandparents.",
    ),
    Sentence("आपका नाम क्या है?", "hi", "What is your name?"),
    Sentence(
        "डॉक्टर ने कहा कि उसे कुछ दिन आराम करना चाहिए।",
        "hi",
        "The doctor said that he should rest for a few days.",
    ),
    Sentence("फ़िल्म ख़त्म होने के बाद हम सब घर लौट आए।", "hi", "After the film ended, we all came back home."),
)

ENGLISH = (
    Sentence("Please close the door behind you.", "en", "Please close the door behind you."),
    Sentence("Where did you put my phone?", "en", "Where did you put my phone?"),
    Sentence(
        "The meeting starts at nine tomorrow morning.", "en", "The meeting starts at nine tomorrow morning."
    ),
    Sentence("I think it is going to rain today.", "en", "I think it is going to rain today."),
    Sentence("Thank you very much for your help.", "en", "Thank you very much for your help."),
    Sentence("Can we talk about this later?", "en", "Can we talk about this later?"),
)

# Hindi, English, Hindi, English ...: the first six Hindi sentences with the six English ones.
MIXED = tuple(sentence for pair in zip(HINDI[:6], ENGLISH, strict=True) for sentence in pair)

BENGALI = (
    Sentence("আমি প্রতিদিন সকালে চা খাই।", "bn", "I drink tea every morning."),
    Sentence("তোমার বাড়ি কোথায়?", "bn", "Where is your home?"),
    Sentence("আজ বাজারে অনেক ভিড় ছিল।", "bn", "The market was very crowded today."),
    Sentence("আমরা কাল নদীর ধারে বেড়াতে যাব।", "bn", "Tomorrow we will go for a walk by the river."),
)

MARATHI = (
    Sentence("माझं नाव सुनील आहे आणि मी पुण्यात राहतो.", "mr", "My name is Sunil and I live in Pune."),
    Sentence("तुम्ही जेवण केलं का?", "mr", "Have you eaten?"),
    Sentence("आज शाळेला सुट्टी आहे.", "mr", "There is no school today."),
    Sentence("आम्ही उद्या सकाळी मुंबईला जाणार आहोत.", "mr", "We are going to Mumbai tomorrow morning."),
)


@dataclass(frozen=True)
class SpokenSentence:
    """One sentence as it lies in the film: where it starts and ends, what was said, in which language."""

    start: float
    end: float
    text: str
    language: str
    english: str


@dataclass(frozen=True)
class IndianFilm:
    path: Path
    sentences: tuple[SpokenSentence, ...]

    @property
    def onsets(self) -> list[float]:
        return [sentence.start for sentence in self.sentences]


def speech_parts(sentences: tuple[Sentence, ...], speaker: str = HINDI_SPEAKER) -> list[Speech]:
    parts = [Speech(silence=LEAD_IN)]
    for number, sentence in enumerate(sentences):
        if number:
            parts.append(Speech(silence=GAPS[(number - 1) % len(GAPS)]))
        voice = "en-us" if sentence.language == "en" else sentence.language
        parts.append(
            Speech(
                text=sentence.text,
                voice=voice,
                engine="kokoro",
                speaker=ENGLISH_SPEAKER if sentence.language == "en" else speaker,
            )
        )
    parts.append(Speech(silence=TAIL))
    return parts


def build_film(path: Path, sentences: tuple[Sentence, ...], speaker: str = HINDI_SPEAKER) -> IndianFilm:
    """Make the film at `path` (a copy of the cached build) and return it with its sentence times."""
    from testkit import kokoro_tts

    parts = speech_parts(sentences, speaker)
    key_fields = [[asdict(part) for part in parts], PICTURE, kokoro_tts.model_sha256(), "indian-films-1"]
    key = hashlib.sha256(json.dumps(key_fields, ensure_ascii=False, default=str).encode()).hexdigest()[:20]
    cached = cache_dir() / "films" / f"{key}.mp4"
    times = cached.with_suffix(".json")
    if not (cached.exists() and times.exists()):
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{key}.{os.getpid()}.mp4")
        placed: list[PlacedSpeech] = make_film(partial, parts, **PICTURE)
        times.write_text(json.dumps([[p.start, p.end] for p in placed]))
        os.replace(partial, cached)
    spans = json.loads(times.read_text())
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.resolve() != cached.resolve():
        shutil.copyfile(cached, path)
    return IndianFilm(
        path,
        tuple(
            SpokenSentence(start, end, s.text, s.language, s.english)
            for (start, end), s in zip(spans, sentences, strict=True)
        ),
    )


def hindi_film(path: Path) -> IndianFilm:
    """About a minute: the twelve Hindi sentences, 0.7-1.3 s apart."""
    return build_film(path, HINDI)


def mixed_film(path: Path) -> IndianFilm:
    """Hindi and English sentences in turn (six each), as Hindi films carry English lines."""
    return build_film(path, MIXED)


def bengali_film(path: Path) -> IndianFilm:
    return build_film(path, BENGALI)


def marathi_film(path: Path) -> IndianFilm:
    return build_film(path, MARATHI)


# --- measures on these films (tests and bench/hindi_script_options.py) -------------------------------------

STRADDLE_SECONDS = 0.2


def onset_errors_ms(cue_starts: list[float], film: IndianFilm) -> list[float]:
    """For each sentence, how far (ms) the nearest cue start is from its onset."""
    if not cue_starts:
        return [float("inf")] * len(film.sentences)
    return [min(abs(start - s.start) for start in cue_starts) * 1000 for s in film.sentences]


def check_every_line_in_its_language(segments, film: IndianFilm, onset_tolerance: float = 0.3) -> None:
    """Each sentence of ``film`` heard in ``segments`` (transcript segments), the first heard within
    ``onset_tolerance`` of its onset, and every segment heard over it tagged English exactly where
    the sentence is English (a Hindi film's English lines)."""
    for sentence in film.sentences:
        heard = [s for s in segments if min(s.end, sentence.end) - max(s.start, sentence.start) > 0.2]
        assert heard, (sentence.text, [(s.start, s.end, s.text) for s in segments])
        assert abs(heard[0].start - sentence.start) <= onset_tolerance, (sentence.text, heard[0].start)
        in_english = {s.language == "en" for s in heard}
        assert in_english == {sentence.language == "en"}, (
            sentence.text,
            [(s.text, s.language) for s in heard],
        )


def straddling_cues(cues: list[tuple[float, float]], film: IndianFilm) -> list[tuple[float, float]]:
    """Cues (start, end) that overlap two or more sentences by more than STRADDLE_SECONDS each."""

    def overlap(cue: tuple[float, float], s: SpokenSentence) -> float:
        return max(0.0, min(cue[1], s.end) - max(cue[0], s.start))

    return [cue for cue in cues if sum(overlap(cue, s) > STRADDLE_SECONDS for s in film.sentences) >= 2]


def percentile(values: list[float], share: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = share * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def english_chrf(hypotheses: list[str], film: IndianFilm) -> float:
    """Corpus chrF (sacrebleu CHRF: character 6-grams, beta 2, Popovic 2015) of one English text per
    sentence against our reference translations."""
    from sacrebleu.metrics import CHRF

    return CHRF().corpus_score(hypotheses, [[s.english for s in film.sentences]]).score
