"""The review page, ``jobs/<film>/review.html``: the film with its subtitle tracks, the QC of each
track and the cues QC flagged, each a link that seeks the film to that cue.

One self-contained HTML file (style and script inline, nothing fetched from the network) that
refers to the film and the VTT files by relative path. Browsers differ in what they play: where a
browser cannot play the film's container or codec, the page says so in words. Chromium reads
``<track>`` files only over http (it blocks them on pages opened from disk), Firefox also from disk.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from reelsub.contracts.base import ContractError
from reelsub.contracts.qc_report import QcReport, read_qc_report
from reelsub.contracts.tracks import Track, read_manifest
from reelsub.contracts.transcript import write_text_atomically
from reelsub.escaping import html_text
from reelsub.subtitles.files import read_srt, vtt_timestamp
from reelsub.subtitles.rules import Cue

# What a browser is asked about in canPlayType() for each container the film sheet accepts.
CONTAINER_TYPES = {
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".mkv": "video/x-matroska",
    ".webm": "video/webm",
    ".avi": "video/x-msvideo",
}


@dataclass(frozen=True)
class Flag:
    """One cue QC flagged, and why."""

    cue_number: int  # as in the SRT, from 1
    start: float  # seconds
    end: float
    check: str  # the QC check, e.g. "reading_speed"


def flagged_cues(qc: QcReport | None, cues: Sequence[Cue]) -> list[Flag]:
    """The flagged cues of a track's QC report, in time order.

    The one place the page reads QC's findings: every violation and review flag of a cue
    (reelsub.contracts.qc_report, ``findings``), with the cue times from the track's SRT; findings about the
    whole track (wrong script, language mismatch) are in the summary above the list.
    """
    flags = []
    for finding in qc.findings if qc else ():
        number = finding.cue
        if finding.kind in ("violation", "flag") and number is not None and 1 <= number <= len(cues):
            cue = cues[number - 1]
            flags.append(Flag(number, cue.start, cue.end, finding.check))
    return sorted(flags, key=lambda f: (f.start, f.cue_number, f.check))


@dataclass(frozen=True)
class PageTrack:
    track: Track
    vtt_url: str  # relative to the page
    cues: list[Cue]
    qc: QcReport | None  # None: no QC report, or one that breaks the contract


def relative_url(target: Path, page: Path) -> str:
    """``target`` as a URL relative to the page's folder, each path segment percent-encoded."""
    relative = os.path.relpath(Path(target).resolve(), Path(page).parent.resolve())
    return "/".join(quote(part) for part in Path(relative).parts)


def read_page_tracks(subtitles: Path, page: Path) -> list[PageTrack]:
    """The tracks mux muxed (subtitles/tracks.json), with their cues and QC; empty tracks left out."""
    subtitles = Path(subtitles)
    tracks = []
    for track in read_manifest(subtitles):
        if not track.cues:
            continue
        try:
            qc: QcReport | None = read_qc_report(subtitles / track.qc)
        except ContractError:
            qc = None
        tracks.append(
            PageTrack(track, relative_url(subtitles / track.vtt, page), read_srt(subtitles / track.srt), qc)
        )
    return tracks


def write_review_page(film_id: str, film: Path, subtitles: Path, page: Path) -> list[PageTrack]:
    tracks = read_page_tracks(subtitles, page)
    mime = CONTAINER_TYPES.get(Path(film).suffix.lower(), "")
    write_text_atomically(page, render_page(film_id, relative_url(film, page), mime, tracks))
    return tracks


def _track_section(index: int, page_track: PageTrack) -> str:
    track, qc = page_track.track, page_track.qc
    flags = flagged_cues(qc, page_track.cues)
    edited = bool(qc and qc.review and qc.review.edited)
    rows = "".join(
        f"<tr><td>{html_text(check)}</td><td>{count}</td></tr>"
        for check, count in (qc.violations if qc else {}).items()
        if count
    )
    items = "".join(
        f'<li><a class="seek" href="#cue-{index}-{flag.cue_number}" data-track="{index}" '
        f'data-start="{flag.start:.3f}">cue {flag.cue_number} at {vtt_timestamp(flag.start)}: {html_text(flag.check)}</a> '
        f"<q>{html_text(' / '.join(page_track.cues[flag.cue_number - 1].lines))}</q></li>"
        for flag in flags
    )
    return f"""
<section class="track" id="track-{index}">
 <h2>{html_text(track.title)} <small>({html_text(track.language)}, {track.cues} cues, {html_text(track.srt)}
  {"edited by hand" if edited else "as the machine made it"})</small></h2>
 <p class="summary">{html_text(qc.summary if qc else "No QC report for this track.")}</p>
 {f"<table><tr><th>check</th><th>cues</th></tr>{rows}</table>" if rows else ""}
 <h3>Flagged cues</h3>
 {f'<ol class="flags">{items}</ol>' if items else '<p class="none">No cue is flagged.</p>'}
</section>"""


def render_page(film_id: str, film_url: str, mime: str, tracks: Sequence[PageTrack]) -> str:
    track_tags = "\n".join(
        f'  <track kind="subtitles" srclang="{html_text(t.track.language)}" '
        f'label="{html_text(t.track.title)}" src="{html_text(t.vtt_url)}"{" default" if t.track.default else ""}>'
        for t in tracks
    )
    sections = (
        "".join(_track_section(i, t) for i, t in enumerate(tracks))
        or "<p>This film has no subtitle track.</p>"
    )
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Review: {html_text(film_id)}</title>
<link rel="icon" href="data:,">
<style>
 body {{ font: 16px/1.4 system-ui, sans-serif; margin: 1em auto; max-width: 60em; padding: 0 1em; }}
 video {{ width: 100%; max-height: 60vh; background: #000; }}
 #playback-problem {{ background: #fde8e8; border: 1px solid #c00; padding: .5em; }}
 .summary {{ background: #f4f4f4; padding: .5em; }}
 table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .1em .5em; }}
 ol.flags q {{ color: #555; }}
 small {{ font-weight: normal; color: #555; }}
</style>
</head>
<body>
<h1>Review: {html_text(film_id)}</h1>
<p>Fix a cue in <code>subtitles/&lt;lang&gt;.srt</code> and run the same command again: only the mux reruns,
 and this page shows the QC of the file as muxed.</p>
<video id="film" controls preload="metadata" src="{html_text(film_url)}" data-type="{html_text(mime)}">
{track_tags}
</video>
<p id="playback-problem" role="alert" hidden></p>
{sections}
<script>
"use strict";
const video = document.getElementById("film");
const problem = document.getElementById("playback-problem");
function say(text) {{ problem.textContent = text; problem.hidden = false; }}
const type = video.dataset.type;
let doubt = false;
if (!type || video.canPlayType(type) === "") {{
  doubt = true;
  say("This browser says it may not play this film's container (" + (type || "unknown type") +
      "); if the picture stays blank, open the film in a media player.");
}}
function playable() {{ if (doubt) {{ problem.hidden = true; doubt = false; }} }}
function unplayable() {{
  const code = video.error ? video.error.code : 0;
  say("This browser cannot play this film (" + (type || "unknown type") + ", media error " + code +
      "): its container or codec is not supported here. The subtitle QC and flagged cues below still hold;" +
      " play the film in a media player, or open this page in another browser.");
}}
video.addEventListener("loadeddata", playable);
video.addEventListener("error", unplayable);
// The film starts loading before this script runs: it may have failed, or loaded, already.
if (video.error) unplayable(); else if (video.readyState >= 2) playable();
for (const link of document.querySelectorAll("a.seek")) {{
  link.addEventListener("click", (event) => {{
    event.preventDefault();
    const chosen = Number(link.dataset.track);
    for (let i = 0; i < video.textTracks.length; i++) {{
      video.textTracks[i].mode = i === chosen ? "showing" : "disabled";
    }}
    video.currentTime = Number(link.dataset.start);
    video.scrollIntoView({{block: "nearest"}});
  }});
}}
</script>
</body>
</html>
"""
