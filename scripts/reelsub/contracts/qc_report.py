"""The QC report of one subtitle track (``<lang>.qc.json``): the contract its readers share.

:func:`reelsub.subtitles.qc.qc_report` writes it; the end-of-run summary, the report page and the review page
read it through :func:`read_qc_report`, which checks the schema tag and the fields every reader
relies on, and raises ContractError naming the file otherwise.

Shape (``reelsub.qc/1``): ``film``, ``language``, ``translated``, ``fps``, ``rules``, ``sentence_pause_s``
(the silence that parts two sentences, as the transcript was cut; optional in older reports), ``cue_count``,
``verdict`` (ok | review | violations), ``summary`` (one paragraph), ``violations`` / ``exceptions``
/ ``flags`` (check -> count), ``findings`` (one entry per finding: ``check``, ``kind`` (violation,
exception, flag), ``cue`` (1-based, as in the SRT; null for the whole track), ``start``, ``end``,
optional ``detail``), ``script`` (expected scripts, letters by script, share in the expected ones),
``language_check`` (detected, probability, configured, track_tag, mismatch), reading speed and
duration percentiles, ``speech_covered``, ``words``, ``audio_s`` and ``speech_heard_s`` (null without VAD),
which say why a track has no cue.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from reelsub.contracts.base import ContractError, read_document, write_document

SCHEMA = "reelsub.qc/1"
KINDS = ("violation", "exception", "flag")
VERDICTS = ("ok", "review", "violations")


@dataclass(frozen=True)
class Finding:
    check: str
    kind: str
    cue: int | None  # 1-based cue number; None: the whole track
    start: float | None
    end: float | None
    detail: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Finding:
        if data["kind"] not in KINDS:
            raise ContractError(f"finding kind {data['kind']!r} is not one of {KINDS}")
        return cls(
            check=str(data["check"]),
            kind=str(data["kind"]),
            cue=None if data.get("cue") is None else int(data["cue"]),
            start=None if data.get("start") is None else float(data["start"]),
            end=None if data.get("end") is None else float(data["end"]),
            detail=str(data.get("detail", "")),
        )


@dataclass(frozen=True)
class QcReport:
    film: str
    language: str
    translated: bool
    cue_count: int
    verdict: str
    summary: str
    violations: dict[str, int]
    exceptions: dict[str, int]
    flags: dict[str, int]
    findings: tuple[Finding, ...]
    script: dict[str, Any]
    language_check: dict[str, Any]
    document: dict[str, Any] = field(
        repr=False, compare=False, default_factory=dict
    )  # every field, as written

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QcReport:
        if data.get("schema") != SCHEMA:
            raise ContractError(f"not a {SCHEMA} document (schema={data.get('schema')!r})")
        if data["verdict"] not in VERDICTS:
            raise ContractError(f"verdict {data['verdict']!r} is not one of {VERDICTS}")
        return cls(
            film=str(data["film"]),
            language=str(data["language"]),
            translated=bool(data["translated"]),
            cue_count=int(data["cue_count"]),
            verdict=str(data["verdict"]),
            summary=str(data["summary"]),
            violations={str(k): int(v) for k, v in data["violations"].items()},
            exceptions={str(k): int(v) for k, v in data["exceptions"].items()},
            flags={str(k): int(v) for k, v in data["flags"].items()},
            findings=tuple(Finding.from_dict(f) for f in data["findings"]),
            script=dict(data["script"]),
            language_check=dict(data["language_check"]),
            document=dict(data),
        )


def write_qc_report(path: str | os.PathLike[str], report: dict[str, Any]) -> None:
    """Write a report after checking it against the contract, so no reader finds a bad one."""
    QcReport.from_dict(report)
    write_document(path, report)


def read_qc_report(path: str | os.PathLike[str]) -> QcReport:
    return read_document(path, (SCHEMA,), QcReport.from_dict)
