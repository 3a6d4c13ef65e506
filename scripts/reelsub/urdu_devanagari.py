"""Hindi that Whisper wrote in Perso-Arabic (Urdu) letters, rewritten in Devanagari.

Whisper base hears Hindi speech well but writes it in Urdu script (Hindi and Urdu are one spoken
language). A Hindi audience reads Devanagari. Rewriting the words letter by letter keeps what Whisper
heard, where suppressing Arabic tokens during decoding makes base write English or Latin gibberish
instead (measured in docs/hindi-measurements.md). The map is deliberately simple: Urdu does not write
short vowels, so some words lose an i or u (दली for दिल्ली); the most frequent words come from a table.
Measured on the Kokoro Hindi test film with Whisper base (docs/hindi-measurements.md): 100% of the
letters Devanagari; Devanagari CER 0.18 (0.25 without the word table), where aksharamukha 2.3 leaves 29%
of the letters Arabic (CER 0.56) and suppressing Arabic tokens makes base write English.
"""

from __future__ import annotations

import unicodedata

import regex

ARABIC = regex.compile(r"\p{scx=Arabic}")

# Urdu leaves short vowels unwritten, so words come out with the inherent a where Hindi has i or u;
# long vowels and consonants map one to one.
URDU_TO_DEVANAGARI = {
    "ا": "ा",
    "آ": "आ",
    "أ": "अ",
    "ب": "ब",
    "پ": "प",
    "ت": "त",
    "ٹ": "ट",
    "ث": "स",
    "ج": "ज",
    "چ": "च",
    "ح": "ह",
    "خ": "ख़",
    "د": "द",
    "ڈ": "ड",
    "ذ": "ज़",
    "ر": "र",
    "ڑ": "ड़",
    "ز": "ज़",
    "ژ": "ज़",
    "س": "स",
    "ش": "श",
    "ص": "स",
    "ض": "ज़",
    "ط": "त",
    "ظ": "ज़",
    "ع": "",
    "غ": "ग़",
    "ف": "फ़",
    "ق": "क़",
    "ک": "क",
    "ك": "क",
    "گ": "ग",
    "ل": "ल",
    "م": "म",
    "ن": "न",
    "ں": "ं",
    "و": "ो",
    "ہ": "ह",
    "ھ": "्ह",
    "ه": "ह",
    "ۃ": "ा",
    "ء": "",
    "ی": "ी",
    "ي": "ी",
    "ى": "ी",
    "ے": "े",
    "ئ": "ई",
    "ۓ": "ए",
    "ؤ": "ू",
    "ۂ": "ह",
    "۔": "।",
    "؟": "?",
    "،": ",",
    "\u064e": "",
    "\u0650": "ि",
    "\u064f": "ु",
    "\u0651": "",
    "\u0652": "",
}
INDEPENDENT = {"ा": "आ", "ी": "ई", "े": "ए", "ो": "ओ", "ू": "ऊ", "ि": "इ", "ु": "उ"}
DEVANAGARI_ASPIRATE = {
    "क": "ख",
    "ग": "घ",
    "च": "छ",
    "ज": "झ",
    "ट": "ठ",
    "ड": "ढ",
    "त": "थ",
    "द": "ध",
    "प": "फ",
    "ब": "भ",
    "ड़": "ढ़",
}


def urdu_letters_to_devanagari(text: str) -> str:
    """Letter by letter, with the Urdu spelling rules that matter for Hindi words: word-initial alif
    (and alif + vowel letter) is an independent vowel; و / ی between consonants are vowels ो / ी,
    at the start of a word the consonants व / य; do-chashmi he (ھ) makes the consonant aspirated."""
    words = []
    for word in text.split(" "):
        out: list[str] = []
        index = 0
        while index < len(word):
            character = word[index]
            at_start = not out
            if character in "اأ" and at_start:
                following = word[index + 1 : index + 2]
                if following in ("ی", "ي"):
                    out.append("ए")
                    index += 2
                    continue
                if following == "و":
                    out.append("ओ")
                    index += 2
                    continue
                out.append("अ")
            elif character == "ئ" and word[index + 1 : index + 2] in ("ی", "ي"):
                out.append("ई")  # hamza seat + yeh: one vowel
                index += 2
                continue
            elif character in "یي" and not at_start and word[index + 1 : index + 2] == "ا":
                out.append("िय")  # consonant + ی + alif: -iyā (लिया, दिया)
            elif character in "وی" and at_start:
                out.append("व" if character == "و" else "य")
            elif character == "ھ" and out and out[-1] in DEVANAGARI_ASPIRATE:
                out[-1] = DEVANAGARI_ASPIRATE[out[-1]]
            elif character in "وی" and out and out[-1] in INDEPENDENT.values():
                out.append("व" if character == "و" else "य")
            else:
                mapped = URDU_TO_DEVANAGARI.get(character, character)
                if out and out[-1] in INDEPENDENT and mapped in INDEPENDENT:
                    mapped = INDEPENDENT[mapped]  # two vowels in a row: the second stands alone
                out.append(mapped)
            index += 1
        words.append("".join(out))
    return unicodedata.normalize("NFC", " ".join(words))


# The most frequent Hindustani words, whose Urdu spelling the letter map gets wrong (short vowels, ہ as
# a vowel, final ی / ے): a fixed list of function words and everyday verbs, not taken from the film.
COMMON_WORDS = {
    "کیا": "क्या",
    "ہے": "है",
    "ہیں": "हैं",
    "ہوں": "हूँ",
    "ہو": "हो",
    "تھا": "था",
    "تھی": "थी",
    "تھے": "थे",
    "میں": "में",
    "نہیں": "नहीं",
    "یہ": "यह",
    "وہ": "वह",
    "کی": "की",
    "کے": "के",
    "کو": "को",
    "کا": "का",
    "سے": "से",
    "پر": "पर",
    "تک": "तक",
    "اور": "और",
    "یا": "या",
    "لیکن": "लेकिन",
    "کہ": "कि",
    "بھی": "भी",
    "تم": "तुम",
    "ہم": "हम",
    "آپ": "आप",
    "میرا": "मेरा",
    "میری": "मेरी",
    "میرے": "मेरे",
    "مجھے": "मुझे",
    "ان": "उन",
    "اس": "उस",
    "انہوں": "उन्होंने",
    "اپنے": "अपने",
    "اپنا": "अपना",
    "اپنی": "अपनी",
    "کچھ": "कुछ",
    "بہت": "बहुत",
    "سب": "सब",
    "ایک": "एक",
    "دو": "दो",
    "جب": "जब",
    "تب": "तब",
    "اب": "अब",
    "کل": "कल",
    "آج": "आज",
    "کیوں": "क्यों",
    "کہاں": "कहाँ",
    "کون": "कौन",
    "کیسے": "कैसे",
    "گیا": "गया",
    "گئی": "गई",
    "گئے": "गए",
    "رہا": "रहा",
    "رہی": "रही",
    "رہے": "रहे",
    "کر": "कर",
    "کرنا": "करना",
    "نے": "ने",
    "ہی": "ही",
    "جو": "जो",
    "تو": "तो",
    "پھر": "फिर",
    "ساتھ": "साथ",
    "بعد": "बाद",
    "گھر": "घर",
    "دن": "दिन",
    "رات": "रात",
}


def urdu_to_devanagari(text: str) -> str:
    """Hindi written in Urdu letters, rewritten in Devanagari: COMMON_WORDS first, then the letter map.
    Words without Arabic letters (English in Latin script, Devanagari, digits) are left as they are."""
    words = []
    for token in text.split(" "):
        if not ARABIC.search(token):
            words.append(token)
            continue
        bare = token.strip("۔،؟.,?!")
        if bare in COMMON_WORDS:
            token = token.replace(bare, COMMON_WORDS[bare])
        words.append(urdu_letters_to_devanagari(token))
    return " ".join(words)
