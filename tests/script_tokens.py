"""Which Whisper tokens write letters of which script: the ids to pass as faster-whisper's suppress_tokens.

Whisper base writes spoken Hindi in Perso-Arabic (Urdu) letters. Decoding can be held to Devanagari by
suppressing the tokens that would write other scripts' letters. Whisper's vocabulary is byte-level BPE,
so a token is a byte string that may begin with the continuation bytes of a character started by the
previous token and may end inside a character. Each token is read as: leading continuation bytes (they
finish someone else's character: never judged), whole characters (judged by Unicode script), and a
trailing partial character (judged by its lead byte: Arabic U+0600-06FF is two bytes with lead byte
D8-DB; Devanagari U+0900-097F is three bytes, E0 A4 xx or E0 A5 xx).
"""

from __future__ import annotations

from functools import lru_cache

import regex

ARABIC_LEAD_BYTES = frozenset(range(0xD8, 0xDC))
DEVANAGARI_PREFIXES = (b"\xe0", b"\xe0\xa4", b"\xe0\xa5")
LETTER = regex.compile(r"[\p{L}\p{M}]")
# Characters no script claims (Script_Extensions = Common or Inherited): ASCII punctuation, digits,
# spaces, joiners. The danda and the Arabic question mark are NOT among them: their extensions list the
# scripts that use them.
COMMON = regex.compile(r"[\p{scx=Common}\p{scx=Inherited}]")


@lru_cache(maxsize=1)
def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-level alphabet (printable stand-ins for the 256 byte values) back to bytes."""
    printable = (
        list(range(ord("!"), ord("~") + 1))
        + list(range(ord("¡"), ord("¬") + 1))
        + list(range(ord("®"), ord("ÿ") + 1))
    )
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return {chr(code): byte for byte, code in zip(printable, codes, strict=True)}


def token_bytes(hf_tokenizer, token_id: int) -> bytes:
    """The bytes a text token writes (`hf_tokenizer` is a `tokenizers.Tokenizer`, e.g. WhisperModel.hf_tokenizer)."""
    decoder = _byte_decoder()
    return bytes(decoder[symbol] for symbol in hf_tokenizer.id_to_token(token_id))


def split_utf8(data: bytes) -> tuple[bytes, str, bytes]:
    """(leading continuation bytes, whole characters, trailing partial character) of a byte fragment."""
    start = 0
    while start < len(data) and 0x80 <= data[start] <= 0xBF:
        start += 1
    end = len(data)
    # A trailing partial character: a lead byte followed by fewer continuation bytes than it announces.
    for back in range(1, min(4, end - start) + 1):
        byte = data[end - back]
        if byte < 0x80:
            break
        if byte >= 0xC0:
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            if back < needed:
                end -= back
            break
    return data[:start], data[start:end].decode("utf-8", errors="replace"), data[end:]


def writes_script(data: bytes, script: str) -> bool:
    """Whether the fragment writes (or begins) a character of `script` (a Unicode script name, e.g.
    "Arabic"): its letters, and its own punctuation such as the Arabic full stop and comma."""
    _, whole, partial = split_utf8(data)
    if any(_in_script(character, script) for character in whole):
        return True
    return script == "Arabic" and bool(partial) and partial[0] in ARABIC_LEAD_BYTES


def writes_only(data: bytes, script: str) -> bool:
    """Whether every character the fragment writes or begins is of `script`, or is a digit, a space or
    punctuation no script claims (".", "?"; the danda counts as Devanagari). Another script's letters
    and punctuation (the Arabic full stop and question mark) are out. Only Devanagari's partial
    characters are recognised (E0, E0 A4, E0 A5)."""
    _, whole, partial = split_utf8(data)
    if not all(_in_script(character, script) or COMMON.match(character) for character in whole):
        return False
    if partial:
        return script == "Devanagari" and partial in DEVANAGARI_PREFIXES
    return "\ufffd" not in whole


def _in_script(character: str, script: str) -> bool:
    """By Script_Extensions, so that shared marks count for the scripts that use them (Arabic harakat
    are Inherited by Script but Arabic by extension; the Vedic signs are Devanagari by extension)."""
    return regex.match(rf"\p{{scx={script}}}", character) is not None


def text_token_ids(hf_tokenizer) -> range:
    """Ids of Whisper's text tokens: everything before <|endoftext|> (special and timestamp tokens follow)."""
    return range(hf_tokenizer.token_to_id("<|endoftext|>"))


def suppress_script_tokens(hf_tokenizer, scripts: tuple[str, ...] = ("Arabic",)) -> list[int]:
    """Ids of the text tokens that write a letter of any of `scripts` (e.g. Arabic for a Hindi track)."""
    return [
        token_id
        for token_id in text_token_ids(hf_tokenizer)
        if any(writes_script(token_bytes(hf_tokenizer, token_id), script) for script in scripts)
    ]


def suppress_all_but(hf_tokenizer, script: str = "Devanagari") -> list[int]:
    """Ids of the text tokens that write any letter outside `script`: only that script's letters,
    digits, punctuation and spaces are left to the decoder."""
    return [
        token_id
        for token_id in text_token_ids(hf_tokenizer)
        if not writes_only(token_bytes(hf_tokenizer, token_id), script)
    ]
