"""Text from outside (a platform update, the terminal, a script's argument) made safe to process.

``IncomingMessage`` passes its text through ``clean_text`` when it is created, so no step, encoder, database
or renderer downstream ever sees a lone surrogate, a NUL or a terminal control sequence.
"""

from __future__ import annotations

import re

__all__ = ["REPLACEMENT_CHARACTER", "clean_text"]

REPLACEMENT_CHARACTER = "\ufffd"
# C0 and C1 control characters except tab and newline, and DEL: ESC would drive the terminal that prints
# the text, NUL truncates C strings in native encoders, the rest only ever arrive by accident.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NEWLINES_RE = re.compile("\r\n?")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` as valid Unicode: surrogate pairs joined, lone surrogates (undecodable bytes that
    ``surrogateescape`` let through, broken UTF-16 from JSON) replaced by U+FFFD, CR/CRLF as newlines,
    other control characters removed."""
    if _SURROGATE_RE.search(text):
        # Through UTF-16 with surrogatepass, a high+low pair becomes its character and a lone half U+FFFD.
        text = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    text = _NEWLINES_RE.sub("\n", text)
    return _CONTROL_RE.sub("", text)
