"""Output that never fails on a character its encoding lacks: GBK, what a Chinese Windows writes redirected output in."""

from __future__ import annotations

import codecs
import io
import json
import unicodedata
from typing import Any, TextIO

# What stands for a character of our messages that GBK lacks, the minus sign; any other is written in its
# compatibility form when GBK has that (m² and ㎡ as m2), else as ?.
_NEAREST = {"\u2212": "-"}
_HANDLER = "perfeval.nearest"  # the name the codecs know _nearest by


def _nearest(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    written = []
    for char in error.object[error.start : error.end]:
        near = _NEAREST.get(char) or unicodedata.normalize("NFKC", char)
        try:
            near.encode(error.encoding)
        except UnicodeEncodeError:
            near = "?"
        written.append(near)
    return "".join(written), error.end


codecs.register_error(_HANDLER, _nearest)


def never_failing(*streams: TextIO) -> None:
    """Each text stream writes a character its encoding lacks as the nearest one it has (see ``_NEAREST``), or ?, where
    it raised UnicodeEncodeError: Python writes output redirected to a file or a pipe in the locale's encoding, GBK
    on a Chinese Windows, which lacks − (U+2212) and a unit's rarer characters. A console takes any character."""
    for stream in streams:
        if isinstance(stream, io.TextIOWrapper) and stream.errors == "strict":
            stream.reconfigure(errors=_HANDLER)


def json_text(value: Any, stream: TextIO) -> str:
    """``value`` as indented JSON for ``stream``: as it reads where the stream's encoding has every character, else
    in ASCII, each other character escaped (\\uXXXX), which any JSON reader decodes: a program loses nothing."""
    text = json.dumps(value, ensure_ascii=False, indent=2)
    try:
        text.encode(getattr(stream, "encoding", None) or "utf-8")
    except UnicodeEncodeError:
        return json.dumps(value, ensure_ascii=True, indent=2)
    return text
