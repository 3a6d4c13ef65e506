"""The review page, ``jobs/<film>/review.html``: the film with its subtitle tracks, the QC of each
track and the cues QC flagged, each a link that seeks the film to that cue, and every cue of a track
listed beside the film, the one on screen highlighted as it plays.

Served by scripts/serve_reviews.py (the address it prints carries its token), the list is an editor:
a cue's text, its in and out time set to the playhead or nudged by a frame, split and merge; each
change is checked by the server with the QC stage's own rules (reelsub.review.edit), then saved to
``subtitles/<lang>.srt`` as a hand edit, or the track approved. Opened from disk, it is read-only.
The keys are listed on the page (ACTIONS below).

One self-contained HTML file (style and script inline, nothing fetched from the network) that
refers to the film and the VTT files by relative path; each track's cues, QC marks and frame rate
are in it as JSON. Browsers differ in what they play: where a browser cannot play the film's
container or codec, the page says so in words. Chromium reads ``<track>`` files only over http (it
blocks them on pages opened from disk), Firefox also from disk.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from reelsub.contracts.base import ContractError
from reelsub.contracts.qc_report import QcReport, findings_by_cue, read_qc_report
from reelsub.contracts.review_record import (
    APPROVAL_STALE,
    APPROVED,
    EDITED,
    MACHINE_ONLY,
    sha256,
    track_states,
)
from reelsub.contracts.tracks import Track, read_manifest
from reelsub.contracts.transcript import write_text_atomically
from reelsub.escaping import html_text, json_in_html
from reelsub.review.edit import cues_json
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
    sha256: str = ""  # of the SRT the cues were read from
    recorded: str | None = None  # the review state review.json gives it; None: no record

    @property
    def review(self) -> str:
        """What a person has done with it (review_record.REVIEW_STATES): the record's word, or, where
        there is no record, whether the muxed file was a person's edit (QC's review note)."""
        if self.recorded is not None:
            return self.recorded
        return EDITED if self.qc and self.qc.review and self.qc.review.edited else MACHINE_ONLY


def relative_url(target: Path, page: Path) -> str:
    """``target`` as a URL relative to the page's folder, each path segment percent-encoded."""
    relative = os.path.relpath(Path(target).resolve(), Path(page).parent.resolve())
    return "/".join(quote(part) for part in Path(relative).parts)


def read_page_tracks(subtitles: Path, page: Path) -> list[PageTrack]:
    """The tracks mux muxed (subtitles/tracks.json), with their cues and QC; empty tracks left out."""
    subtitles = Path(subtitles)
    states = track_states(subtitles)
    tracks = []
    for track in read_manifest(subtitles):
        if not track.cues:
            continue
        try:
            qc: QcReport | None = read_qc_report(subtitles / track.qc)
        except ContractError:
            qc = None
        srt = subtitles / track.srt
        tracks.append(
            PageTrack(
                track,
                relative_url(subtitles / track.vtt, page),
                read_srt(srt),
                qc,
                sha256(srt),
                states.get(track.language),
            )
        )
    return tracks


def write_review_page(film_id: str, film: Path, subtitles: Path, page: Path) -> list[PageTrack]:
    tracks = read_page_tracks(subtitles, page)
    mime = CONTAINER_TYPES.get(Path(film).suffix.lower(), "")
    write_text_atomically(page, render_page(film_id, relative_url(film, page), mime, tracks))
    return tracks


REVIEW_WORDS = {  # review_record's states, as the page says them
    APPROVED: "approved",
    APPROVAL_STALE: "approved once, changed since: look again",
    EDITED: "edited by hand",
    MACHINE_ONLY: "as the machine made it",
}


@dataclass(frozen=True)
class Action:
    """One thing the cue editor does: a button, the keys that do it, and its line in the page's list."""

    name: str  # the button's id, and the script's name for it
    label: str  # on the button
    keys: tuple[str, ...]  # KeyboardEvent.key values that do it (letters in lower case)
    shown: str  # the keys, as the page writes them
    does: str


ACTIONS = (
    Action("play", "Play/pause", (" ",), "Space", "play / pause"),
    Action("previous", "Previous", ("ArrowUp",), "Up", "previous cue (the film goes there)"),
    Action("next", "Next", ("ArrowDown",), "Down", "next cue (the film goes there)"),
    Action("next-flagged", "Next flagged", ("n",), "N", "next flagged cue"),
    Action("set-in", "Set in", ("i",), "I", "set the cue's in time to the playhead"),
    Action("set-out", "Set out", ("o",), "O", "set the cue's out time to the playhead"),
    Action("in-earlier", "In -1f", ("[",), "[", "in time one frame earlier"),
    Action("in-later", "In +1f", ("]",), "]", "in time one frame later"),
    Action("out-earlier", "Out -1f", ("{",), "{", "out time one frame earlier"),
    Action("out-later", "Out +1f", ("}",), "}", "out time one frame later"),
    Action("split", "Split", ("s",), "S", "split the cue at the playhead"),
    Action("merge", "Merge with next", ("m",), "M", "merge the cue with the next"),
    Action("save", "Save", (), "Ctrl+S", "save the track"),  # the script's own: it works while typing
)
# What the script does outside ACTIONS, for the page's list of keys.
TEXT_KEYS = (("Enter / Esc", "edit the selected cue's text / leave the text box"),)


def _track_section(index: int, page_track: PageTrack) -> str:
    track, qc = page_track.track, page_track.qc
    flags = flagged_cues(qc, page_track.cues)
    review = page_track.review
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
 <h2>{html_text(track.title)} <small>({html_text(track.language)}, {track.cues} cues, {html_text(track.srt)},
  <span class="review-state">{html_text(REVIEW_WORDS.get(review, review))}</span>)</small></h2>
 <p class="summary">{html_text(qc.summary if qc else "No QC report for this track.")}</p>
 {f"<table><tr><th>check</th><th>cues</th></tr>{rows}</table>" if rows else ""}
 <h3>Flagged cues</h3>
 {f'<ol class="flags">{items}</ol>' if items else '<p class="none">No cue is flagged.</p>'}
</section>"""


def page_data(film_id: str, tracks: Sequence[PageTrack]) -> dict[str, object]:
    """What the page's script reads: each track as the page was built (the server gives it afresh)."""
    return {
        "film": film_id,
        "words": REVIEW_WORDS,
        "keys": {key: action.name for action in ACTIONS for key in action.keys},
        "tracks": [
            {
                "language": t.track.language,
                "title": t.track.title,
                "srt": t.track.srt,
                "sha256": t.sha256,
                "fps": t.qc.fps if t.qc else None,
                "rules": t.qc.rules if t.qc else None,
                "state": t.recorded,
                "cues": cues_json(t.cues),
                "qc": {
                    "verdict": t.qc.verdict,
                    "summary": t.qc.summary,
                    "cues": findings_by_cue(t.qc, len(t.cues)),
                }
                if t.qc
                else None,
            }
            for t in tracks
        ],
    }


def _editor(tracks: Sequence[PageTrack]) -> str:
    if not tracks:
        return ""
    options = "".join(
        f'<option value="{i}">{html_text(t.track.title)} ({html_text(t.track.language)})</option>'
        for i, t in enumerate(tracks)
    )
    listed = [(a.shown, a.does) for a in ACTIONS] + list(TEXT_KEYS)
    keys = "".join(f"<dt><kbd>{html_text(k)}</kbd></dt><dd>{html_text(what)}</dd>" for k, what in listed)
    buttons = "".join(
        f'<button type="button" id="{a.name}" title="{html_text(a.shown)}">{html_text(a.label)}</button>'
        for a in ACTIONS
    )
    return f"""
<section id="editor">
 <h2>Cues <select id="track-choice" aria-label="track">{options}</select></h2>
 <p id="mode" class="note"></p>
 <div id="toolbar">{buttons}
  <label>Your name <input id="reviewer" autocomplete="name" placeholder="the OS user if empty"></label>
  <button type="button" id="approve">Approve this track</button></div>
 <p id="status" role="status"></p>
 <p id="qc-live" class="summary"></p>
 <div id="cue-list"><table id="cues"><thead><tr><th>#</th><th>in</th><th>out</th><th>text</th><th>QC</th></tr></thead>
 <tbody></tbody></table></div>
 <details><summary>Keys</summary><dl id="keys">{keys}</dl></details>
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
<style>{STYLE}</style>
</head>
<body>
<h1>Review: {html_text(film_id)}</h1>
<p>Fix the cues in the list beside the film and save, or fix <code>subtitles/&lt;lang&gt;.srt</code> in an
 editor; then run the same command again: only the mux reruns, and out.mkv carries the fix.</p>
<div id="station">
<div id="picture">
<video id="film" controls preload="metadata" src="{html_text(film_url)}" data-type="{html_text(mime)}">
{track_tags}
</video>
<p id="playback-problem" role="alert" hidden></p>
</div>
{_editor(tracks)}
</div>
{sections}
<script type="application/json" id="review-data">{json_in_html(page_data(film_id, tracks))}</script>
<script>{SCRIPT}</script>
</body>
</html>
"""


STYLE = """
 body { font: 16px/1.4 system-ui, sans-serif; margin: 1em auto; max-width: 90em; padding: 0 1em; }
 #station { display: flex; gap: 1em; align-items: flex-start; flex-wrap: wrap; }
 #picture { flex: 1 1 28em; position: sticky; top: 0; }
 #editor { flex: 1 1 34em; }
 video { width: 100%; max-height: 60vh; background: #000; }
 #playback-problem { background: #fde8e8; border: 1px solid #c00; padding: .5em; }
 .summary, .note { background: #f4f4f4; padding: .5em; }
 table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .1em .4em; vertical-align: top; }
 #cue-list { max-height: 60vh; overflow-y: auto; }
 #cues textarea { width: 22em; font: inherit; }
 #cues tr.selected { outline: 2px solid #36c; }
 #cues tr.playing td { background: #e6f0ff; }
 #cues td.problems { font-size: 85%; max-width: 14em; }
 #cues tr.violation td.problems { color: #b00; }
 #cues tr.flagged td.problems { color: #850; }
 #status.error { color: #b00; font-weight: bold; }
 #toolbar button { margin: .1em; }
 ol.flags q { color: #555; }
 small { font-weight: normal; color: #555; }
 dl#keys { display: grid; grid-template-columns: max-content auto; gap: 0 1em; }
"""

# The page's script. Every rule it shows is the server's (POST /api/check runs the QC stage's own
# checks); the script only edits the cue list, and asks. The film's frame rate is QC's.
SCRIPT = """
"use strict";
const video = document.getElementById("film");
const problem = document.getElementById("playback-problem");
function say(text) { problem.textContent = text; problem.hidden = false; }
const type = video.dataset.type;
let doubt = false;
if (!type || video.canPlayType(type) === "") {
  doubt = true;
  say("This browser says it may not play this film's container (" + (type || "unknown type") +
      "); if the picture stays blank, open the film in a media player.");
}
function playable() { if (doubt) { problem.hidden = true; doubt = false; } }
function unplayable() {
  const code = video.error ? video.error.code : 0;
  say("This browser cannot play this film (" + (type || "unknown type") + ", media error " + code +
      "): its container or codec is not supported here. The subtitle QC and flagged cues below still hold;" +
      " play the film in a media player, or open this page in another browser.");
}
video.addEventListener("loadeddata", playable);
video.addEventListener("error", unplayable);
// The film starts loading before this script runs: it may have failed, or loaded, already.
if (video.error) unplayable(); else if (video.readyState >= 2) playable();

const data = JSON.parse(document.getElementById("review-data").textContent);
const token = new URLSearchParams(location.search).get("token");
const editable = Boolean(token) && location.protocol.startsWith("http");
const list = document.querySelector("#cues tbody");
const status = document.getElementById("status");
const qcLive = document.getElementById("qc-live");
const choice = document.getElementById("track-choice");
const reviewer = document.getElementById("reviewer");
let chosen = 0, selected = 0, checking = null, checkTimer = 0;

function note(text, error) {
  if (!status) return;
  status.textContent = text;
  status.className = error ? "error" : "";
}
function showTrack(index) {
  for (let i = 0; i < video.textTracks.length; i++) {
    video.textTracks[i].mode = i === index ? "showing" : "disabled";
  }
}
for (const link of document.querySelectorAll("a.seek")) {
  link.addEventListener("click", (event) => {
    event.preventDefault();
    choose(Number(link.dataset.track));
    video.currentTime = Number(link.dataset.start);
    video.scrollIntoView({block: "nearest"});
  });
}
function stamp(seconds) {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3600000), m = Math.floor(ms / 60000) % 60, s = Math.floor(ms / 1000) % 60;
  return String(h).padStart(2, "0") + ":" + String(m).padStart(2, "0") + ":" + String(s).padStart(2, "0") +
    "." + String(ms % 1000).padStart(3, "0");
}
function track() { return data.tracks[chosen]; }
function frame() { return 1 / (track().fps || 25); }
function round(seconds) { return Math.max(0, Math.round(seconds * 1000) / 1000); }

async function api(method, path, body) {
  const response = await fetch("/api/" + path, {
    method: method,
    headers: Object.assign({"X-Reelsub-Token": token}, body ? {"Content-Type": "application/json"} : {}),
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(answer.error || response.statusText);
  return answer;
}

function marks(index) {
  const qc = track().qc;
  return qc && qc.cues && qc.cues[index] ? qc.cues[index] : {violation: [], exception: [], flag: []};
}
function flagged(index) { const m = marks(index); return m.violation.length + m.flag.length > 0; }

function row(cue, index) {
  const tr = document.createElement("tr");
  tr.className = "cue";
  tr.dataset.index = index;
  tr.id = "cue-" + chosen + "-" + (index + 1);
  const m = marks(index);
  if (m.violation.length) tr.classList.add("violation"); else if (m.flag.length) tr.classList.add("flagged");
  const text = document.createElement("textarea");
  text.className = "text";
  text.rows = Math.max(2, cue.lines.length);
  text.value = cue.lines.join("\\n");
  text.readOnly = !editable;
  text.setAttribute("aria-label", "cue " + (index + 1) + " text");
  text.addEventListener("focus", () => select(index, false));
  text.addEventListener("input", () => {
    cue.lines = text.value.split("\\n").filter((line) => line.trim() !== "");
    changed(false);
  });
  const cells = [String(index + 1), stamp(cue.start), stamp(cue.end)];
  for (const value of cells) {
    const td = document.createElement("td");
    td.textContent = value;
    tr.appendChild(td);
  }
  tr.children[1].className = "in";
  tr.children[2].className = "out";
  const textCell = document.createElement("td");
  textCell.appendChild(text);
  tr.appendChild(textCell);
  const problems = document.createElement("td");
  problems.className = "problems";
  problems.textContent = [...m.violation, ...m.exception.map((e) => e + " (exception)"), ...m.flag].join(", ");
  tr.appendChild(problems);
  tr.addEventListener("click", (event) => {
    if (event.target !== text) { select(index, true); }
  });
  return tr;
}

function render() {
  if (!list) return;
  list.replaceChildren(...track().cues.map(row));
  const qc = track().qc;
  qcLive.textContent = qc ? "QC " + (track().dirty ? "of your changes" : "of the file") + ": " + qc.summary : "";
  highlight();
  select(Math.min(selected, track().cues.length - 1), false);
  liveTrack();
}

function select(index, seek) {
  if (!list || index < 0 || index >= track().cues.length) return;
  selected = index;
  for (const tr of list.children) tr.classList.toggle("selected", Number(tr.dataset.index) === index);
  list.children[index].scrollIntoView({block: "nearest"});
  if (seek) video.currentTime = track().cues[index].start;
}

function highlight() {
  if (!list) return;
  const now = video.currentTime;
  track().cues.forEach((cue, index) => {
    const tr = list.children[index];
    if (tr) tr.classList.toggle("playing", cue.start <= now && now < cue.end);
  });
}
video.addEventListener("timeupdate", highlight);
video.addEventListener("seeked", highlight);

// While a track is edited, the picture shows the edited cues (the <track> file is the saved one).
const editing = [];
function liveTrack() {
  if (!editable) { showTrack(chosen); return; }
  if (!editing[chosen]) editing[chosen] = video.addTextTrack("subtitles", "editing", track().language);
  const shown = editing[chosen];
  for (const old of Array.from(shown.cues || [])) shown.removeCue(old);
  for (const cue of track().cues) {
    if (cue.end > cue.start) shown.addCue(new VTTCue(cue.start, cue.end, cue.lines.join("\\n")));
  }
  for (let i = 0; i < video.textTracks.length; i++) {
    video.textTracks[i].mode = video.textTracks[i] === shown ? "showing" : "disabled";
  }
}

function changed(redraw) {
  track().dirty = true;
  note("Unsaved changes to " + track().srt + ".");
  if (redraw) render(); else liveTrack();
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, 300);
}

async function check() {
  const asked = track(), cues = JSON.parse(JSON.stringify(asked.cues));
  const request = api("POST", "check", {film: data.film, lang: asked.language, cues: cues});
  checking = request;
  try {
    const qc = await request;
    if (checking !== request) return;  // a newer check is on its way
    asked.qc = qc;
    if (asked === track()) {
      const focused = document.activeElement;
      const index = focused && focused.closest ? focused.closest("tr.cue") : null;
      const at = focused && focused.selectionStart;
      render();
      if (index) {  // keep typing where the person was
        const again = list.children[Number(index.dataset.index)].querySelector("textarea");
        again.focus();
        again.setSelectionRange(at, at);
      }
    }
  } catch (error) {
    note("QC of the changes failed: " + error.message, true);
  } finally {
    if (checking === request) checking = null;
  }
}

function readOnly() {
  note("This page is read-only: open it at the address scripts/serve_reviews.py prints.", true);
}

function edit(action) {
  if (!editable) { readOnly(); return; }
  const cues = track().cues, cue = cues[selected];
  if (!cue) return;
  const now = round(video.currentTime), step = frame();
  if (action === "set-in") cue.start = now;
  else if (action === "set-out") cue.end = now;
  else if (action === "in-earlier") cue.start = round(cue.start - step);
  else if (action === "in-later") cue.start = round(cue.start + step);
  else if (action === "out-earlier") cue.end = round(cue.end - step);
  else if (action === "out-later") cue.end = round(cue.end + step);
  else if (action === "split") {
    const at = cue.start < now && now < cue.end ? now : round((cue.start + cue.end) / 2);
    const gap = round(((track().rules || {}).min_gap_frames || 0) * step);
    let first, second;
    if (cue.lines.length > 1) {
      first = cue.lines.slice(0, Math.ceil(cue.lines.length / 2));
      second = cue.lines.slice(first.length);
    } else {
      const words = cue.lines.join(" ").split(/\\s+/);
      const half = Math.ceil(words.length / 2);
      first = [words.slice(0, half).join(" ")];
      second = [words.slice(half).join(" ") || "…"];
    }
    cues.splice(selected, 1, {start: cue.start, end: at, lines: first},
                {start: round(Math.min(at + gap, cue.end)), end: cue.end, lines: second});
  } else if (action === "merge") {
    const next = cues[selected + 1];
    if (!next) { note("The last cue has no next cue to merge with.", true); return; }
    cues.splice(selected, 2, {start: cue.start, end: next.end, lines: [...cue.lines, ...next.lines]});
  }
  changed(true);
}

async function save() {
  if (!editable) { readOnly(); return; }
  const saving = track();
  try {
    const answer = await api("POST", "save", {film: data.film, lang: saving.language, cues: saving.cues,
                                              sha256: saving.sha256});
    saving.sha256 = answer.sha256;
    saving.dirty = false;
    saving.state = answer.state;
    note("Saved " + saving.srt + "; its previous version is in " + answer.previous +
         ". Run the same snakemake command again to put it into out.mkv.");
    showState();
  } catch (error) {
    note(error.message, true);
  }
}

async function approve() {
  if (!editable) { readOnly(); return; }
  const approving = track();
  if (approving.dirty) { note("Save your changes before you approve the track.", true); return; }
  try {
    const answer = await api("POST", "approve", {film: data.film, lang: approving.language,
                                                 sha256: approving.sha256, reviewer: reviewer.value});
    approving.state = answer.state;
    approving.approved_by = answer.approved_by;
    note("Approved " + approving.srt + " as " + answer.approved_by + ".");
    showState();
  } catch (error) {
    note(error.message, true);
  }
}

function showState() {
  const section = document.getElementById("track-" + chosen);
  const shown = section && section.querySelector(".review-state");
  if (shown && track().state) shown.textContent = data.words[track().state] || track().state;
  document.getElementById("mode").textContent = editable
    ? track().title + ": " + (data.words[track().state] || "no review record") +
      (track().approved_by ? " (approved by " + track().approved_by + ")" : "")
    : "Read-only: this page was opened without the server's token. Run python scripts/serve_reviews.py and " +
      "open the address it prints to edit, save and approve.";
}

function nextFlagged() {
  const count = track().cues.length;
  for (let step = 1; step <= count; step++) {
    const index = (selected + step) % count;
    if (flagged(index)) { select(index, true); return; }
  }
  note("No cue of this track is flagged.");
}

function choose(index) {
  if (index === chosen && list && list.children.length) { showTrack(index); return; }
  chosen = index;
  selected = 0;
  if (choice) choice.value = String(index);
  render();
  showState();
}

function togglePlay() { if (video.paused) video.play(); else video.pause(); }

const actions = {
  "play": togglePlay,
  "previous": () => select(selected - 1, true),
  "next": () => select(selected + 1, true),
  "next-flagged": nextFlagged,
  "save": save,
  "approve": approve,
};
for (const name of ["set-in", "set-out", "in-earlier", "in-later", "out-earlier", "out-later", "split", "merge"]) {
  actions[name] = () => edit(name);
}
for (const [id, action] of Object.entries(actions)) {
  const button = document.getElementById(id);
  if (button) button.addEventListener("click", action);
}
const keys = data.keys;  // ACTIONS in reelsub/review/page.py
document.addEventListener("keydown", (event) => {
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
    event.preventDefault();
    save();
    return;
  }
  const typing = event.target.closest && event.target.closest("textarea, input, select");
  if (typing) {
    if (event.key === "Escape") event.target.blur();
    return;
  }
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (event.key === "Enter" && list && list.children[selected]) {
    event.preventDefault();
    list.children[selected].querySelector("textarea").focus();
    return;
  }
  const action = keys[event.key.length === 1 ? event.key.toLowerCase() : event.key] || keys[event.key];
  if (action) {
    event.preventDefault();
    actions[action]();
  }
});
window.addEventListener("beforeunload", (event) => {
  if (data.tracks.some((t) => t.dirty)) event.preventDefault();
});
if (reviewer) {
  reviewer.value = localStorage.getItem("reelsub-reviewer") || "";
  reviewer.addEventListener("change", () => localStorage.setItem("reelsub-reviewer", reviewer.value.trim()));
}
if (choice) choice.addEventListener("change", () => choose(Number(choice.value)));

async function load() {
  if (editable) {
    for (const [index, shown] of data.tracks.entries()) {
      try {
        Object.assign(shown, await api("GET", "track?film=" + encodeURIComponent(data.film) +
                                       "&lang=" + encodeURIComponent(shown.language)));
      } catch (error) {
        note("Track " + shown.language + " could not be loaded from the server: " + error.message, true);
      }
      if (index === chosen) render();
    }
  }
  if (data.tracks.length) {
    const defaultTrack = Array.from(video.querySelectorAll("track")).findIndex((t) => t.default);
    chosen = -1;
    choose(Math.max(0, defaultTrack));
  }
  document.body.dataset.ready = "true";
}
load();
"""
