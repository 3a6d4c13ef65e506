"""Burn-in: subtitles drawn into the picture, Devanagari included (Debian fonts-lohit-deva)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from reelsub.cues import Cue
from reelsub.media import burn_in, probe, stream_md5
from reelsub.subtitle_files import write_srt
from reelsub.synth import Speech, make_film
from workflow import snakemake

WIDTH, HEIGHT = 640, 360


def grey_frame(film: Path, at: float) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", "-ss", f"{at}", "-i", str(film), "-frames:v", "1",
         "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.uint8).reshape(HEIGHT, WIDTH).astype(np.int16)


@pytest.mark.e2e
def test_burn_in_draws_devanagari_into_the_subtitle_area_only(tmp_path: Path) -> None:
    film = tmp_path / "film.mp4"
    make_film(film, [Speech(silence=4.0)], size=f"{WIDTH}x{HEIGHT}")
    srt = tmp_path / "hi.srt"
    write_srt([Cue(1.0, 3.0, ["नमस्ते, आप कैसे हैं?", "यह एक परीक्षण है।"])], srt)
    burned = tmp_path / "burned.mkv"
    burn_in(film, srt, burned, "Lohit Devanagari")

    assert [s.kind for s in probe(burned).streams] == ["video", "audio"]
    assert stream_md5(burned, "a:0") == stream_md5(film, "a:0"), "audio is copied, not re-encoded"
    before, after = grey_frame(film, 2.0), grey_frame(burned, 2.0)
    change = np.abs(after - before)
    subtitle_area, picture_above = change[int(HEIGHT * 0.7):], change[: int(HEIGHT * 0.5)]
    # Text is drawn: many pixels change a lot at the bottom; above it only encoder noise.
    assert (subtitle_area > 60).sum() > 500, (subtitle_area > 60).sum()  # about 1,000 for these two lines
    assert (picture_above > 60).sum() < 0.01 * picture_above.size
    # Outside the cue's time the picture is the film's own (bar re-encoding noise).
    assert (np.abs(grey_frame(burned, 3.6) - grey_frame(film, 3.6))[int(HEIGHT * 0.7):] > 60).sum() < 200


def test_lohit_devanagari_is_installed_for_libass() -> None:
    fonts = subprocess.run(["fc-list", ":lang=hi", "family"], capture_output=True, text=True, check=True).stdout
    assert "Lohit Devanagari" in fonts, "install Debian's fonts-lohit-deva (make system-packages)"


def test_burned_film_is_a_separate_target_never_built_by_default(tmp_path: Path) -> None:
    (tmp_path / "films").mkdir()
    (tmp_path / "films" / "a.mp4").write_bytes(b"placeholder")
    default = snakemake(tmp_path, "-n", "--quiet", "rules")
    assert default.returncode == 0, default.output
    assert "burn_in" not in default.output
    asked = snakemake(tmp_path, "jobs/a/burned.mkv", "-n", "--quiet", "rules")
    assert asked.returncode == 0 and "burn_in" in asked.output, asked.output
