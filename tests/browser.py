"""A real headless browser for the review page: Debian's chromium driven by chromium-driver (selenium).

Chromium will not load a page's <track> files from file:// (its console says "Unsafe attempt to
load URL file:///...vtt"), so pages are served over loopback http by the project's own server
(reelsub.review.serve, which answers the range requests chromium needs to seek) for a ``with`` block.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")


def need_chromium() -> None:
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.fail("chromium and chromium-driver are not installed: run `make test-system-packages`")


@contextmanager
def chromium(width: int = 1000, height: int = 1400):
    """A headless chromium whose console messages can be read (driver.get_log('browser'))."""
    need_chromium()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--mute-audio",
        f"--window-size={width},{height}",
    ):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # make test preloads OpenBLAS for mlx (Makefile: OPENBLAS); chromium crashes at start with it
    # preloaded ("session deleted as the browser has closed the connection"), so the driver and the
    # browser it starts get the environment without it.
    environment = {name: value for name, value in os.environ.items() if name != "LD_PRELOAD"}
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER, env=environment), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver) -> list[str]:
    return [entry["message"] for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def wait_for(driver, script: str, timeout: float = 20.0):
    """Poll a JavaScript expression until it is truthy; its value."""
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.1).until(
        lambda d: d.execute_script(f"return {script}")
    )


def film_in(path: Path, video: list[str], audio: list[str], seconds: float = 3) -> Path:
    """A test-card film with a tone, in the container and codecs asked for."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            "ffmpeg",
            "-nostdin",
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=160x120:rate=25",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440",
            "-t",
            str(seconds),
            *video,
            *audio,
            str(path),
        ],
        check=True,
    )
    return path
