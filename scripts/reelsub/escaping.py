"""Names and values put into other languages: HTML, reStructuredText and ffmpeg's filter graphs.

A film's id and a config value are the user's text, and may hold anything a file name may: quotes,
backticks, colons, ``<`` and ``>``. Each language they go into reads some of those as syntax, so
each gets its own escaping here, proved on the real parser in the tests (docutils, ffmpeg):

- **HTML** (the review pages and the batch page): ``& < > " '`` as character references
  (html_text), in text and in quoted attribute values alike.
- **reStructuredText** (the Snakemake report's captions): every character that could start or end
  markup is backslash-escaped; a newline or other control character is shown as ``\\u000a``, never
  let through, since a new line could start a directive (``.. raw:: html``).
- **ffmpeg filter graphs** (``subtitles=...:force_style=...``): a value is quoted for the filter's
  option list, then the whole filter escaped for the graph (ffmpeg-filters(1), "Notes on filtergraph
  escaping"). libass then splits ``force_style`` at every ``,`` and at its last ``=``, with no escape
  at all, so a value holding those is refused (force_style_problem).
"""

from __future__ import annotations

import html
import json
import unicodedata

# Letters, marks (the vowel signs of Indian scripts), numbers, format characters (the zero-width
# joiners those scripts need) and spaces are never reStructuredText syntax.
PLAIN_CATEGORIES = ("L", "M", "N", "Cf", "Zs")
CONTROL_CATEGORIES = ("Cc", "Zl", "Zp")


def is_control(char: str) -> bool:
    return unicodedata.category(char) in CONTROL_CATEGORIES


def html_text(value: object) -> str:
    """``value`` as HTML text or a quoted attribute value: nothing in it can be markup."""
    return html.escape(str(value), quote=True)


def rst_text(text: str) -> str:
    """``text`` as reStructuredText that renders as exactly that text, in a paragraph or inside
    ``**...**``: no markup, link, role or directive can come of it.

    Control characters, and spaces at either end (inline markup may not start or end with one:
    ``** x**`` shows its asterisks), are shown as ``\\uXXXX``: a new line could start a directive.
    """
    out = []
    for index, char in enumerate(text):
        category = unicodedata.category(char)
        at_an_end = not text[:index].strip() or not text[index + 1 :].strip()
        if category in CONTROL_CATEGORIES or (char.isspace() and at_an_end):
            out.append(f"\\\\u{ord(char):04x}")
        elif category in PLAIN_CATEGORIES or category[0] in PLAIN_CATEGORIES:
            out.append(char)
        else:
            out.append("\\" + char)
    return "".join(out)


# What ffmpeg's tokenizer (av_get_token) reads as syntax at each level of a filter graph; it also
# strips unescaped white space at either end of a token, so white space is escaped too.
WHITESPACE = " \t\n\r"
FILTER_OPTION_SPECIALS = "\\':" + WHITESPACE
FILTER_GRAPH_SPECIALS = "\\'[],;" + WHITESPACE


def _backslashed(text: str, specials: str) -> str:
    return "".join("\\" + char if char in specials else char for char in text)


def filter_option_value(value: str) -> str:
    """One filter option's value, escaped so ``:``, quotes and spaces in it stay part of the value
    (level 1 of ffmpeg's filtergraph escaping)."""
    return _backslashed(value, FILTER_OPTION_SPECIALS)


def filter_graph_filter(name: str, options: dict[str, str]) -> str:
    """``name=key=value:key=value`` for a filter graph (``-vf``), each value escaped for its option
    (level 1) and the whole for the graph (level 2), so no value can add an option or a filter."""
    arguments = ":".join(f"{key}={filter_option_value(value)}" for key, value in options.items())
    return f"{name}={_backslashed(arguments, FILTER_GRAPH_SPECIALS)}"


# libass's force_style: "Key=value" pairs split at every "," (ffmpeg's vf_subtitles), each at its
# last "=" (libass ass_process_force_style); neither has an escape.
FORCE_STYLE_SPECIALS = ",="


def force_style_problem(value: str) -> str | None:
    """Why ``value`` cannot be a libass force_style value (a font name), or None."""
    if not value.strip():
        return "is empty"
    bad = sorted({char for char in value if char in FORCE_STYLE_SPECIALS or is_control(char)})
    if bad:
        shown = " ".join(repr(char) for char in bad)
        return (
            f"holds {shown}, which libass reads as the end of the value (it has no escape); "
            "no font name that libass can select holds them"
        )
    return None


def json_in_html(value: object) -> str:
    """``value`` as JSON for a ``<script type="application/json">`` element: nothing in it can end
    the element or open a comment (a film or a cue named "</script>")."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
