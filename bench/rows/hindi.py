"""Row h: Hindi films come out right (issue 11), side by side with raw sequential faster-whisper.

Material: the Hindi film of tests/indian_films.py, twelve of our own sentences spoken by a SUBSTITUTE
(Kokoro-82M TTS speaking espeak-ng Hindi phonemes, not recorded speech), 0.7-1.3 s apart, every
onset known. Model: Whisper base, int8, CPU. Arms, on the same audio:

- reelsub: the whole workflow (snakemake), source_lang hi, English by Whisper's translate task;
  once with asr.script transliterate (the default) and once with as_written;
- raw: sequential WhisperModel.transcribe(language="hi", beam_size=5), its segments as cues
  (the baseline the issue names).
"""

from __future__ import annotations

import json
import shutil
import statistics
import time

import hindi_script_options as measure
from indian_films import HINDI, hindi_film
from lib import MEDIA, WORK, Context, Row, log, machine_snapshot, snakemake
from reelsub.media import extract_audio
from reelsub.subtitles.files import read_srt

CONFIG = "films_sheet: films.tsv\nasr: {{model: base, script: {script}}}\ntranslate: {{engine: whisper}}\n"
SHEET = "film\tpath\tsource_lang\ttarget_langs\nhindi\tfilms/hindi.mp4\thi\ten\n"


def _cues(path) -> list[measure.Cue]:
    return [measure.Cue(c.start, c.end, " ".join(c.text.split())) for c in read_srt(path)]


def _reelsub(script: str, film_path) -> tuple[list[measure.Cue], list[measure.Cue], float]:
    workdir = WORK / f"hindi-{script}"
    shutil.rmtree(workdir, ignore_errors=True)
    (workdir / "films").mkdir(parents=True)
    shutil.copyfile(film_path, workdir / "films" / "hindi.mp4")
    (workdir / "films.tsv").write_text(SHEET)
    (workdir / "hindi.yaml").write_text(CONFIG.format(script=script))
    done = snakemake(workdir, "-j2", "jobs/hindi/out.mkv", configfiles=[workdir / "hindi.yaml"])
    job = workdir / "jobs" / "hindi" / "subtitles"
    return _cues(job / "hi.srt"), _cues(job / "en.srt"), done.seconds


def measure_row(bench: Context) -> None:
    before = machine_snapshot()
    film = hindi_film(MEDIA / "hindi.mp4")
    log("row h: Hindi film, reelsub (transliterate, as_written) vs raw sequential faster-whisper, base")
    hindi, english, seconds = _reelsub("transliterate", film.path)
    as_written, _, _ = _reelsub("as_written", film.path)
    wav = MEDIA / "hindi.wav"
    extract_audio(film.path, wav)
    model = measure.load_model()
    started = time.perf_counter()
    raw, _ = measure.transcribe(model, str(wav), word_timestamps=False, language="hi")
    raw_seconds = time.perf_counter() - started

    def onsets(cues):
        errors = measure.onset_errors_ms(cues, film)
        return statistics.median(errors), measure.percentile(errors, 0.9)

    ours, theirs = onsets(hindi), onsets(raw)
    straddles, raw_straddles = measure.straddles(hindi, film), measure.straddles(raw, film)
    reference = measure.devanagari_letters(" ".join(s.text for s in HINDI))
    scripts = {}
    for name, cues in (("transliterate", hindi), ("as_written", as_written)):
        text = " ".join(c.text for c in cues)
        shares = measure.script_shares(text)
        scripts[name] = (
            shares,
            measure.cer(measure.devanagari_letters(text), reference),
            measure.skeleton_errors(" ".join(s.text for s in HINDI), text)[0],
        )
    chrf, chrf_whole = measure.chrf(
        measure.per_sentence_text(english, film), [s.english for s in film.sentences]
    )
    english_onsets = onsets(english)
    met = ours[0] <= 300 and ours[0] <= theirs[0] and straddles <= 1 and chrf >= 45
    row = Row(
        "h",
        "Hindi film (12 sentences, Kokoro TTS substitute), Whisper base: reelsub vs raw sequential faster-whisper",
        "onsets median <= 300 ms and <= raw; <= 1 straddling cue in 12; English chrF >= 45",
        f"onsets {ours[0]:.0f} / {ours[1]:.0f} ms (median / p90) vs raw {theirs[0]:.0f} / {theirs[1]:.0f} ms; "
        f"straddling cues {straddles} of {len(hindi)} vs raw {raw_straddles} of {len(raw)}; "
        f"English chrF {chrf:.1f}",
        met,
        details=[
            f"reelsub's whole workflow on the film: {seconds:.0f} s; raw sequential decode {raw_seconds:.0f} s",
            *(
                f"hin track, asr.script {name}: Devanagari {s['Devanagari']:.0%}, Arabic {s['Arabic']:.0%}, "
                f"Latin {s['Latin']:.0%}; CER of its Devanagari letters {dev:.2f}; CER after mapping both to one "
                f"consonant skeleton {skel:.2f}"
                for name, (s, dev, skel) in scripts.items()
            ),
            f"English (Whisper translate): chrF {chrf:.1f} per sentence, {chrf_whole:.1f} whole text; onsets "
            f"{english_onsets[0]:.0f} / {english_onsets[1]:.0f} ms",
        ],
    )
    bench.raw["hindi"] = {
        "onsets": ours,
        "raw": theirs,
        "straddles": [straddles, raw_straddles],
        "scripts": {k: [v[0], v[1], v[2]] for k, v in scripts.items()},
        "chrf": chrf,
    }
    bench.add(row, before)
    (WORK / "hindi-results.json").write_text(json.dumps(bench.raw["hindi"], indent=1, default=str))
