"""The batch page, ``jobs/index.html``: every film of the run with its tracks, each track's QC verdict,
its counts of rule violations and flagged cues, and whether it is approved, edited by a person or as
the machine made it (reelsub.contracts.review_record's review states); at the top, how many tracks
still wait for a person's approval, and how many of those QC asks a person to look at.

Built by ``snakemake reviews`` after every film's review page (and again when an approval or an
edit changes a film's record), from the same files the review pages read
(reelsub.review.page.read_page_tracks: the published tracks.json, each track's QC, review.json);
the links go to each film's page. The review server renders it afresh for every request, for the
films the file lists (:func:`films_listed`). A film whose tracks cannot be read is listed with the
reason, never left out.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reelsub.contracts.base import ContractError
from reelsub.contracts.review_record import (
    APPROVAL_STALE,
    APPROVED,
    EDITED,
    MACHINE_ONLY,
    review_counts,
)
from reelsub.contracts.transcript import write_text_atomically
from reelsub.escaping import html_text, json_in_html
from reelsub.review.page import PageTrack, read_page_tracks, relative_url

BATCH_PAGE = "index.html"  # in jobs/
_FILMS_LISTED = re.compile(r'<script type="application/json" id="films">(.*?)</script>', re.DOTALL)


@dataclass(frozen=True)
class TrackState:
    language: str
    title: str
    cues: int
    verdict: str  # QC's: ok, review, violations; "no QC" where the report is missing or unreadable
    violations: int
    flags: int
    review: str  # what a person has done with it: one of review_record.REVIEW_STATES

    @classmethod
    def of(cls, page_track: PageTrack) -> TrackState:
        track, qc = page_track.track, page_track.qc
        return cls(
            language=track.language,
            title=track.title,
            cues=track.cues,
            verdict=qc.verdict if qc else "no QC",
            violations=qc.violation_count if qc else 0,
            flags=qc.flag_count if qc else 0,
            review=page_track.review,
        )

    @property
    def waiting(self) -> bool:
        """No person's approval holds for it (never approved, or changed since)."""
        return self.review != APPROVED

    @property
    def needs_a_look(self) -> bool:
        """Waiting, and QC found something (or could not say)."""
        return self.waiting and self.verdict != "ok"


@dataclass(frozen=True)
class FilmState:
    film: str
    page: str  # the film's review page, relative to the batch page
    tracks: tuple[TrackState, ...]
    problem: str | None = None  # why no track is listed


def film_state(jobs: Path, film: str, batch_page: Path) -> FilmState:
    page = jobs / film / "review.html"
    try:
        tracks = tuple(TrackState.of(t) for t in read_page_tracks(jobs / film / "subtitles", page))
    except (OSError, ContractError) as error:
        return FilmState(film, relative_url(page, batch_page), (), f"its subtitles cannot be read: {error}")
    return FilmState(
        film, relative_url(page, batch_page), tracks, None if tracks else "no subtitle track (no speech)"
    )


def _film_link(film: FilmState) -> str:
    return f'<a href="{html_text(film.page)}">{html_text(film.film)}</a>'


def _track_row(film: FilmState, track: TrackState, first: bool) -> str:
    film_cell = f'<td rowspan="{len(film.tracks)}">{_film_link(film)}</td>' if first else ""
    return (
        f'<tr class="{"needs-look" if track.needs_a_look else ""}">{film_cell}'
        f"<td>{html_text(track.title)} ({html_text(track.language)})</td><td>{track.cues}</td>"
        f"<td>{html_text(track.verdict)}</td><td>{track.violations}</td><td>{track.flags}</td>"
        f'<td class="review">{html_text(track.review)}</td></tr>'
    )


def render_batch_page(films: Sequence[FilmState]) -> str:
    tracks = [t for f in films for t in f.tracks]
    waiting = sum(t.waiting for t in tracks)
    to_look_at = sum(t.needs_a_look for t in tracks)
    counts = Counter(t.review for t in tracks)
    rows = []
    for film in films:
        if not film.tracks:
            rows.append(f'<tr><td>{_film_link(film)}</td><td colspan="6">{html_text(film.problem)}</td></tr>')
        rows += [_track_row(film, track, i == 0) for i, track in enumerate(film.tracks)]
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Review: {len(films)} films</title>
<link rel="icon" href="data:,">
<style>
 body {{ font: 16px/1.4 system-ui, sans-serif; margin: 1em auto; max-width: 70em; padding: 0 1em; }}
 table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .1em .5em; }}
 tr.needs-look td {{ background: #fff4d6; }}
 #waiting {{ background: #f4f4f4; padding: .5em; }}
</style>
</head>
<body>
<h1>Review: {len(films)} films, {len(tracks)} subtitle tracks</h1>
<p id="waiting" data-waiting="{waiting}" data-to-look-at="{to_look_at}" data-approved="{counts[APPROVED]}"
 data-edited="{counts[EDITED]}" data-machine-only="{counts[MACHINE_ONLY]}" data-stale="{counts[APPROVAL_STALE]}">{waiting}
 of {len(tracks)} tracks wait for a person's approval; QC asks a person to look at {to_look_at} of
 those (highlighted). Tracks: {review_counts([t.review for t in tracks])}.</p>
<table>
<tr><th>film</th><th>track</th><th>cues</th><th>QC</th><th>violations</th><th>flagged cues</th><th>review</th></tr>
{"".join(rows)}
</table>
<script type="application/json" id="films">{json_in_html([f.film for f in films])}</script>
</body>
</html>
"""


def films_listed(page: str) -> list[str]:
    """The films a batch page lists, in its order (what the review server renders it for again)."""
    found = _FILMS_LISTED.search(page)
    films = json.loads(found.group(1)) if found else []
    return [f for f in films if isinstance(f, str)] if isinstance(films, list) else []


def film_states(jobs: Path, films: Sequence[str]) -> list[FilmState]:
    batch_page = Path(jobs) / BATCH_PAGE
    return [film_state(Path(jobs), film, batch_page) for film in films]


def write_batch_page(jobs: Path, films: Sequence[str]) -> list[FilmState]:
    """``jobs/index.html`` for ``films`` (in this order), written atomically; returns what it lists."""
    states = film_states(jobs, films)
    write_text_atomically(Path(jobs) / BATCH_PAGE, render_batch_page(states))
    return states
