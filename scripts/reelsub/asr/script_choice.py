"""Getting the script a language's audience reads (config ``asr.script``).

Small multilingual Whisper models write Hindi in Perso-Arabic (Urdu) script: Hindi and Urdu are
one spoken language, and the models learnt both spellings. Methods:

- ``as_written``: what Whisper writes; QC counts the letters outside the language's script.
- ``suppress``: decoding in a language may not emit a token holding a letter of a script foreign
  to it (decoding Hindi: anything but Devanagari; an English line decoded as English: Latin only),
  so Whisper spells the words it hears in the script left to it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

from .. import text
from ..languages import expected_scripts
from ..transcript import Segment

METHODS = ("as_written", "suppress")


@dataclass
class ScriptPlan:
    """How one film is decoded: the method, and per decoding language the tokens it may not emit."""

    method: str
    tokenizer: Any = None
    _suppressed: dict[str, list[int]] = field(default_factory=dict)

    def suppress_tokens(self, language: str | None) -> list[int]:
        """``suppress_tokens`` for decoding in ``language``: -1 keeps Whisper's own list."""
        scripts = expected_scripts(language)
        if self.method != "suppress" or not scripts or self.tokenizer is None:
            return [-1]
        if language not in self._suppressed:
            self._suppressed[language] = [-1, *foreign_script_tokens(self.tokenizer, frozenset(scripts))]
        return self._suppressed[language]


def plan_for(method: str, model: Any) -> ScriptPlan:
    if method not in METHODS:
        raise ValueError(f"asr.script={method!r}: expected one of {', '.join(METHODS)}")
    if method == "as_written" or not getattr(model.model, "is_multilingual", False):
        return ScriptPlan("as_written")
    return ScriptPlan(method, model.hf_tokenizer)


@functools.lru_cache(maxsize=8)
def _byte_decoder() -> dict[str, int]:
    """GPT-2's byte-to-unicode table, inverted: Whisper's byte-level BPE spells each byte as one
    printable character."""
    printable = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    codes = printable[:]
    extra = 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return {chr(code): byte for byte, code in zip(printable, codes)}


# Lead bytes of two-byte UTF-8 sequences for U+0600-U+06FF (Arabic script): a token holding one
# ends in half an Arabic letter and decodes to nothing readable on its own.
ARABIC_LEAD_BYTES = frozenset(range(0xD8, 0xDC))


def token_scripts(raw: bytes) -> set[str]:
    """Scripts a token's bytes spell letters in, including half a letter at its edges."""
    found = set(text.letter_scripts(raw.decode("utf-8", errors="ignore")))
    if any(byte in ARABIC_LEAD_BYTES for byte in raw):
        found.add("Arab")
    return found


def foreign_script_tokens(tokenizer: Any, allowed: frozenset[str]) -> list[int]:
    """Ids of text tokens that hold a letter of a script outside ``allowed``."""
    decoder = _byte_decoder()
    foreign = []
    for token, token_id in tokenizer.get_vocab().items():
        if token.startswith("<|") and token.endswith("|>"):
            continue  # special tokens
        try:
            raw = bytes(decoder[char] for char in token)
        except KeyError:
            continue
        scripts = token_scripts(raw) - {text.OTHER_SCRIPT}
        if scripts and not scripts <= allowed:
            foreign.append(token_id)
    return sorted(foreign)


def apply(plan: ScriptPlan, segments: list[Segment]) -> list[Segment]:
    """Post-decoding changes of the plan (none for the decode-time methods)."""
    return segments
