"""The QC report of one subtitle track (``<lang>.qc.json``): the contract its writers and readers share.

:func:`reelsub.subtitles.qc.qc_report` makes a :class:`QcReport`; the subtitle stage writes it with
:func:`write_qc_report`, which checks it as a reader would and refuses to write a bad one, naming the
key. The end-of-run summary, the report page, the review page and the publishing step read it through
:func:`read_qc_report`, which raises ContractError naming the file and the key otherwise. Every key is
a typed field; no reader looks into the raw document.

Shape (``reelsub.qc/1``), one key each:

- ``film``, ``language``, ``translated``, ``fps``, ``rules`` (the subtitle rules QC judged by, name ->
  number), ``cue_count``;
- ``violations`` / ``exceptions`` / ``flags`` (check -> count), ``violation_count``, ``flag_count``,
  ``long_word_exceptions``, ``violation_examples`` (rule -> up to 5 cue numbers, as in the SRT);
- ``findings``: one entry per finding: ``check``, ``kind`` (violation, exception, flag), ``cue``
  (1-based, as in the SRT; null for the whole track), ``start``, ``end``, optional ``detail``;
- ``script``: ``expected`` scripts, ``letters`` by script, ``share_expected`` (null without letters);
- ``language_check``: ``detected``, ``probability``, ``configured``, ``track_tag``, ``mismatch`` (lines);
- ``reading_speed_cps``, ``duration_s``: percentiles (null without cues); ``speech_covered``;
  ``words``: ``total``, ``text_matches_transcript``;
- ``verdict`` (ok | review | violations), ``summary`` (one paragraph).

Keys that came later within version 1, read as null where an older report lacks them:
``sentence_pause_s`` (the silence that parts two sentences, as the transcript was cut);
``audio_s`` and ``speech_heard_s`` (null without VAD), which say why a track has no cue; and
``review`` (``schema``, ``srt``, ``edited``), which only the published copy has
(reelsub.review.publish): whether the muxed file is a person's edit.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping, Set
from dataclasses import asdict, dataclass, fields
from typing import Any, TypeVar

from reelsub.contracts.base import ContractError, read_document, write_document

SCHEMA = "reelsub.qc/1"
KINDS = ("violation", "exception", "flag")
VERDICTS = ("ok", "review", "violations")

_T = TypeVar("_T")


# -- checks that name the key --------------------------------------------------------------------


def _number(value: object, key: str) -> float:
    # bool is an int to Python: a flag where a number belongs is still wrong
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise ContractError(f"key {key!r}: {value!r} is not a number")
    return value  # as written: a whole number stays one (max_lines 2, not 2.0)


def _optional_number(value: object, key: str) -> float | None:
    return None if value is None else _number(value, key)


def _whole(value: object, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ContractError(f"key {key!r}: {value!r} is not a whole number")
    return value


def _text(value: object, key: str) -> str:
    if not isinstance(value, str):
        raise ContractError(f"key {key!r}: {value!r} is not text")
    return value


def _optional_text(value: object, key: str) -> str | None:
    return None if value is None else _text(value, key)


def _flag(value: object, key: str) -> bool:
    if not isinstance(value, bool):
        raise ContractError(f"key {key!r}: {value!r} is not true or false")
    return value


def _one_of(value: object, key: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ContractError(f"key {key!r}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)


def _object(value: object, key: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ContractError(f"key {key!r}: {value!r} is not an object")
    return value


def _list(value: object, key: str) -> list[Any]:
    if not isinstance(value, list):
        raise ContractError(f"key {key!r}: {value!r} is not a list")
    return value


def _by_name(value: object, key: str, each: Callable[[object, str], _T]) -> dict[str, _T]:
    return {str(name): each(item, f"{key}.{name}") for name, item in _object(value, key).items()}


def _keys(data: Mapping[str, Any], where: str, required: Set[str], optional: Set[str] = frozenset()) -> None:
    """A key this release does not know, or a missing one, named: a typo never passes unseen."""
    problems = []
    if unknown := set(data) - required - optional:
        problems.append(f"unexpected key {', '.join(map(repr, sorted(unknown)))}")
    if missing := required - set(data):
        problems.append(f"missing key {', '.join(map(repr, sorted(missing)))}")
    if problems:
        raise ContractError(f"{where}: {'; '.join(problems)}")


def _fields(kind: type) -> set[str]:
    return {f.name for f in fields(kind)}


# -- the nested parts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    check: str
    kind: str  # one of KINDS
    cue: int | None  # 1-based cue number, as in the SRT; None: the whole track
    start: float | None
    end: float | None
    detail: str = ""

    @classmethod
    def from_dict(cls, data: object, key: str = "findings") -> Finding:
        data = _object(data, key)
        _keys(data, f"key {key!r}", {"check", "kind", "cue", "start", "end"}, {"detail"})
        cue = data["cue"]
        return cls(
            check=_text(data["check"], f"{key}.check"),
            kind=_one_of(data["kind"], f"{key}.kind", KINDS),
            cue=None if cue is None else _whole(cue, f"{key}.cue"),
            start=_optional_number(data["start"], f"{key}.start"),
            end=_optional_number(data["end"], f"{key}.end"),
            detail=_text(data.get("detail", ""), f"{key}.detail"),
        )

    def to_dict(self) -> dict[str, Any]:
        document = asdict(self)
        if not self.detail:  # written only where there is one, as qc.json always had it
            del document["detail"]
        return document


@dataclass(frozen=True)
class ScriptShare:
    """The track's letters by script against the scripts its language is written in."""

    expected: tuple[str, ...]  # ISO 15924 codes (Deva, Arab, Latn...)
    letters: dict[str, int]  # script -> letters, most first
    share_expected: float | None  # None: no expected script, or no letter

    @classmethod
    def from_dict(cls, data: object) -> ScriptShare:
        data = _object(data, "script")
        _keys(data, "key 'script'", _fields(cls))
        return cls(
            expected=tuple(_text(s, "script.expected") for s in _list(data["expected"], "script.expected")),
            letters=_by_name(data["letters"], "script.letters", _whole),
            share_expected=_optional_number(data["share_expected"], "script.share_expected"),
        )


@dataclass(frozen=True)
class LanguageCheck:
    """What asr heard against what config said and the audio track's tag."""

    detected: str | None
    probability: float | None
    configured: str | None
    track_tag: str | None
    mismatch: tuple[str, ...]  # one line per contradiction; empty: none (or a translated track)

    @classmethod
    def from_dict(cls, data: object) -> LanguageCheck:
        data = _object(data, "language_check")
        _keys(data, "key 'language_check'", _fields(cls))
        return cls(
            detected=_optional_text(data["detected"], "language_check.detected"),
            probability=_optional_number(data["probability"], "language_check.probability"),
            configured=_optional_text(data["configured"], "language_check.configured"),
            track_tag=_optional_text(data["track_tag"], "language_check.track_tag"),
            mismatch=tuple(
                _text(line, "language_check.mismatch")
                for line in _list(data["mismatch"], "language_check.mismatch")
            ),
        )


@dataclass(frozen=True)
class Words:
    total: int  # words the transcript has
    text_matches_transcript: bool  # False: cue text differs, and words were matched to cues by time

    @classmethod
    def from_dict(cls, data: object) -> Words:
        data = _object(data, "words")
        _keys(data, "key 'words'", _fields(cls))
        return cls(
            total=_whole(data["total"], "words.total"),
            text_matches_transcript=_flag(data["text_matches_transcript"], "words.text_matches_transcript"),
        )


@dataclass(frozen=True)
class ReviewNote:
    """Added to the published copy (reelsub.review.publish): whether the file muxed is a person's edit."""

    schema: str  # the review record's schema (reelsub.review/2)
    srt: str  # the published SRT this report is of
    edited: bool
    # SHA-256 of the one reading of the SRT that QC, the VTT and the MKV were made from (the mux's
    # snapshot); came later within reelsub.qc/1, so older reports lack it
    sha256: str | None = None

    @classmethod
    def from_dict(cls, data: object) -> ReviewNote:
        data = _object(data, "review")
        _keys(data, "key 'review'", _fields(cls) - {"sha256"}, {"sha256"})
        return cls(
            schema=_text(data["schema"], "review.schema"),
            srt=_text(data["srt"], "review.srt"),
            edited=_flag(data["edited"], "review.edited"),
            sha256=_optional_text(data.get("sha256"), "review.sha256"),
        )


# -- the report ----------------------------------------------------------------------------------

_LATER = {"sentence_pause_s", "audio_s", "speech_heard_s", "review"}  # may be missing in older reports


@dataclass(frozen=True)
class QcReport:
    film: str
    language: str
    translated: bool
    fps: float
    rules: dict[str, float]  # the subtitle rules QC judged by (reelsub.subtitles.rules.SubtitleRules)
    sentence_pause_s: float | None  # the pause sentences were cut and judged at; None: an older report
    cue_count: int
    violations: dict[str, int]  # rule -> cues breaking it
    violation_count: int
    violation_examples: dict[str, tuple[int, ...]]  # rule -> up to 5 cue numbers (as in the SRT)
    exceptions: dict[str, int]  # counted exceptions to the rules (long words, fast speech...)
    long_word_exceptions: int
    flags: dict[str, int]  # check -> cues flagged for a person's look
    flag_count: int
    findings: tuple[Finding, ...]
    script: ScriptShare
    language_check: LanguageCheck
    reading_speed_cps: dict[str, float | None]  # percentile -> characters per second
    duration_s: dict[str, float | None]  # percentile -> seconds on screen
    speech_covered: float  # share of the time words are spoken that cues cover
    words: Words
    verdict: str  # one of VERDICTS
    summary: str
    audio_s: float | None = None  # seconds of audio; None: an older report
    speech_heard_s: float | None = None  # seconds VAD heard speech in; None: no VAD, or an older report
    review: ReviewNote | None = None  # only in the published copy

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QcReport:
        if data.get("schema") != SCHEMA:
            raise ContractError(f"not a {SCHEMA} document (schema={data.get('schema')!r})")
        every = _fields(cls)
        _keys(data, "the report", every - _LATER | {"schema"}, _LATER)
        review = data.get("review")
        return cls(
            film=_text(data["film"], "film"),
            language=_text(data["language"], "language"),
            translated=_flag(data["translated"], "translated"),
            fps=_number(data["fps"], "fps"),
            rules=_by_name(data["rules"], "rules", _number),
            sentence_pause_s=_optional_number(data.get("sentence_pause_s"), "sentence_pause_s"),
            cue_count=_whole(data["cue_count"], "cue_count"),
            violations=_by_name(data["violations"], "violations", _whole),
            violation_count=_whole(data["violation_count"], "violation_count"),
            violation_examples={
                rule: tuple(_whole(cue, f"violation_examples.{rule}") for cue in cues)
                for rule, cues in _by_name(data["violation_examples"], "violation_examples", _list).items()
            },
            exceptions=_by_name(data["exceptions"], "exceptions", _whole),
            long_word_exceptions=_whole(data["long_word_exceptions"], "long_word_exceptions"),
            flags=_by_name(data["flags"], "flags", _whole),
            flag_count=_whole(data["flag_count"], "flag_count"),
            findings=tuple(
                Finding.from_dict(f, f"findings[{n}]")
                for n, f in enumerate(_list(data["findings"], "findings"))
            ),
            script=ScriptShare.from_dict(data["script"]),
            language_check=LanguageCheck.from_dict(data["language_check"]),
            reading_speed_cps=_by_name(data["reading_speed_cps"], "reading_speed_cps", _optional_number),
            duration_s=_by_name(data["duration_s"], "duration_s", _optional_number),
            speech_covered=_number(data["speech_covered"], "speech_covered"),
            words=Words.from_dict(data["words"]),
            verdict=_one_of(data["verdict"], "verdict", VERDICTS),
            summary=_text(data["summary"], "summary"),
            audio_s=_optional_number(data.get("audio_s"), "audio_s"),
            speech_heard_s=_optional_number(data.get("speech_heard_s"), "speech_heard_s"),
            review=None if review is None else ReviewNote.from_dict(review),
        )

    def to_dict(self) -> dict[str, Any]:
        """The document as written: every key (``review`` only where there is one)."""
        document: dict[str, Any] = {
            "schema": SCHEMA,
            "film": self.film,
            "language": self.language,
            "translated": self.translated,
            "fps": self.fps,
            "rules": dict(self.rules),
            "sentence_pause_s": self.sentence_pause_s,
            "cue_count": self.cue_count,
            "violations": dict(self.violations),
            "violation_count": self.violation_count,
            "violation_examples": {rule: list(cues) for rule, cues in self.violation_examples.items()},
            "exceptions": dict(self.exceptions),
            "long_word_exceptions": self.long_word_exceptions,
            "flags": dict(self.flags),
            "flag_count": self.flag_count,
            "findings": [finding.to_dict() for finding in self.findings],
            "script": {**asdict(self.script), "expected": list(self.script.expected)},
            "language_check": {**asdict(self.language_check), "mismatch": list(self.language_check.mismatch)},
            "reading_speed_cps": dict(self.reading_speed_cps),
            "duration_s": dict(self.duration_s),
            "speech_covered": self.speech_covered,
            "words": asdict(self.words),
            "audio_s": self.audio_s,
            "speech_heard_s": self.speech_heard_s,
            "verdict": self.verdict,
            "summary": self.summary,
        }
        if self.review is not None:
            document["review"] = asdict(self.review)
        return document


def findings_by_cue(report: QcReport | None, cue_count: int) -> list[dict[str, list[str]]]:
    """For each of ``cue_count`` cues (0-based, as listed), the checks it failed by kind (KINDS):
    how the review page marks cues, from the stage's report and from the server's QC of an edit."""
    by_cue: list[dict[str, list[str]]] = [{kind: [] for kind in KINDS} for _ in range(cue_count)]
    for finding in report.findings if report else ():
        if finding.cue is not None and 1 <= finding.cue <= cue_count:
            by_cue[finding.cue - 1][finding.kind].append(finding.check)
    return by_cue


def write_qc_report(path: str | os.PathLike[str], report: QcReport) -> None:
    """Write a report after checking it as its readers will, so no reader finds a bad one: a bad
    report is a ContractError naming the file and the key, and nothing is written."""
    write_document(path, report.to_dict(), QcReport.from_dict)


def read_qc_report(path: str | os.PathLike[str]) -> QcReport:
    return read_document(path, (SCHEMA,), QcReport.from_dict)
