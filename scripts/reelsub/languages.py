"""Languages: one table of what reelsub supports, and the codes each tool wants.

Users write ``hi``, ``hin`` or ``Hindi``; IndicTrans2 wants FLORES codes (``hin_Deva``); Matroska
wants ISO 639-2 (``hin``); Whisper wants ISO 639-1 (``hi``). A language's *id* inside reelsub
(file names, wildcards) is its ISO 639-1 code where one exists, else its ISO 639-3 code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    id: str  # reelsub's id: ISO 639-1, else ISO 639-3
    iso639_3: str
    iso639_2: str  # bibliographic code, as Matroska tags use
    name: str
    scripts: tuple[str, ...]  # ISO 15924 codes (as FLORES writes them), the usual one first

    @property
    def is_english(self) -> bool:
        return self.id == "en"

    def flores(self, script: str | None = None) -> str:
        """The FLORES-200 code IndicTrans2 uses, e.g. ``hin_Deva``."""
        chosen = script or self.scripts[0]
        if chosen not in self.scripts:
            raise UnknownLanguage(
                f"{self.name} is written in {', '.join(self.scripts)} for IndicTrans2, not {chosen!r}"
            )
        return f"{self.iso639_3}_{chosen}"


class UnknownLanguage(ValueError):
    pass


# English and the 22 scheduled languages of India that IndicTrans2 covers. Where a language has
# two scripts, the first is the more common one and the default (config: translate.scripts).
LANGUAGES: tuple[Language, ...] = (
    Language("en", "eng", "eng", "English", ("Latn",)),
    Language("as", "asm", "asm", "Assamese", ("Beng",)),
    Language("bn", "ben", "ben", "Bengali", ("Beng",)),
    Language("brx", "brx", "brx", "Bodo", ("Deva",)),
    Language("doi", "doi", "doi", "Dogri", ("Deva",)),
    Language("gom", "gom", "kok", "Konkani", ("Deva",)),
    Language("gu", "guj", "guj", "Gujarati", ("Gujr",)),
    Language("hi", "hin", "hin", "Hindi", ("Deva",)),
    Language("kn", "kan", "kan", "Kannada", ("Knda",)),
    Language("ks", "kas", "kas", "Kashmiri", ("Arab", "Deva")),
    Language("mai", "mai", "mai", "Maithili", ("Deva",)),
    Language("ml", "mal", "mal", "Malayalam", ("Mlym",)),
    Language("mni", "mni", "mni", "Manipuri", ("Beng", "Mtei")),
    Language("mr", "mar", "mar", "Marathi", ("Deva",)),
    Language("ne", "npi", "nep", "Nepali", ("Deva",)),
    Language("or", "ory", "ori", "Odia", ("Orya",)),
    Language("pa", "pan", "pan", "Punjabi", ("Guru",)),
    Language("sa", "san", "san", "Sanskrit", ("Deva",)),
    Language("sat", "sat", "sat", "Santali", ("Olck",)),
    Language("sd", "snd", "snd", "Sindhi", ("Arab", "Deva")),
    Language("ta", "tam", "tam", "Tamil", ("Taml",)),
    Language("te", "tel", "tel", "Telugu", ("Telu",)),
    Language("ur", "urd", "urd", "Urdu", ("Arab",)),
)

# Other spellings people use for the same language.
_ALIASES = {
    "nep": "ne",
    "npi": "ne",
    "kok": "gom",
    "ori": "or",
    "oriya": "or",
    "bangla": "bn",
    "panjabi": "pa",
    "meitei": "mni",
    "meeteilon": "mni",
    "kashmiri": "ks",
    "english": "en",
}

_BY_KEY: dict[str, Language] = {}
for _language in LANGUAGES:
    for _key in (_language.id, _language.iso639_3, _language.iso639_2, _language.name):
        _BY_KEY.setdefault(_key.lower(), _language)
for _alias, _target in _ALIASES.items():
    _BY_KEY.setdefault(_alias, _BY_KEY[_target])


def supported() -> str:
    return ", ".join(f"{lang.id} ({lang.name})" for lang in LANGUAGES)


def resolve(code: str) -> Language:
    """A Language from ISO 639-1, ISO 639-2/3, an English name or a FLORES code (``hin_Deva``)."""
    key = str(code).strip().lower()
    if "_" in key:  # FLORES
        key = key.split("_", 1)[0]
    try:
        return _BY_KEY[key]
    except KeyError:
        raise UnknownLanguage(f"unknown language {code!r}; supported: {supported()}") from None


def is_supported(code: str) -> bool:
    try:
        resolve(code)
    except UnknownLanguage:
        return False
    return True


def expected_scripts(code: str | None) -> tuple[str, ...]:
    """The ISO 15924 scripts a language's audience reads (``hi`` -> Deva); () where reelsub does not
    know the language, so its track is not checked."""
    if not code:
        return ()
    try:
        return resolve(code).scripts
    except UnknownLanguage:
        return ()


def mkv_tag(code: str) -> str:
    """ISO 639-2 tag for Matroska tracks; languages outside the table keep ``und``."""
    try:
        return resolve(code).iso639_2
    except UnknownLanguage:
        return "und"


def display_name(code: str) -> str:
    try:
        return resolve(code).name
    except UnknownLanguage:
        return code
