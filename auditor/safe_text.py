"""Text from documents and file names, made safe for where it is shown.

Document text and file names are data an adversary may write: a PDF can hold
ANSI/OSC escape sequences (clear the screen, set the window title, plant a
hyperlink), bidirectional overrides, or bytes that are not UTF-8 in its file
name.  One owner decides how such text is shown:

- :func:`display_path`: a file name with its undecodable bytes (the surrogates
  Python's file-system decoding leaves) written as ``\\xNN``, so that every
  report can encode it as UTF-8;
- :func:`strip_controls`: what a terminal (or a person reading Markdown or a
  CSV cell) may be shown: escape sequences removed, other control and bidi
  characters removed, tabs and line breaks as spaces (``keep_newlines`` keeps
  ``\\n``);
- :func:`json_text`: JSON text with the control characters ``json.dumps``
  leaves raw (C1, DEL, bidi controls) written as ``\\uXXXX`` escapes: the
  decoded value is unchanged, the file is inert on a terminal.

The rules are a few Unicode categories and the ECMA-48 sequence grammar, so a
regular expression says them exactly; no library of the project's
dependencies offers this (rich strips only a handful of C0 codes).
"""

from __future__ import annotations

import re

# ECMA-48: CSI (ESC [ or the C1 byte 0x9b) params, intermediates, final byte;
# OSC/DCS/PM/APC/SOS strings up to BEL or ST; any other two-byte ESC sequence.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
# bidi embeddings, overrides and isolates; the line/paragraph separators
_BIDI = "\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029"
_CONTROL = re.compile(rf"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_CONTROL_KEEP_NL = re.compile(rf"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")
_SPACE_LIKE = re.compile(r"[\t\r\n]")
_JSON_RAW = re.compile(rf"[\x7f-\x9f{_BIDI}]")


def display_path(name: str) -> str:
    """A file name with the bytes that were not UTF-8 shown as ``\\xNN``."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # a surrogate that is no escaped byte
        return name.encode("utf-8", "backslashreplace").decode("utf-8")


def strip_controls(text: str, keep_newlines: bool = False) -> str:
    """``text`` without escape sequences and control characters; tabs and
    line breaks become spaces (``\\n`` is kept with ``keep_newlines``)."""
    if text.isprintable():
        return text
    text = _ESCAPE_SEQUENCE.sub("", display_path(text))
    if keep_newlines:
        text = _CONTROL_KEEP_NL.sub("", text.replace("\r\n", "\n")).replace("\t", " ").replace("\r", " ")
        return text
    return _CONTROL.sub("", _SPACE_LIKE.sub(" ", text))


def json_text(dumped: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) with the raw
    C1, DEL and bidi characters escaped; the value it decodes to is unchanged."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)
