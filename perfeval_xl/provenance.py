"""What produced a result: the package's version and a digest of the code and form definitions that decide it."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from . import __version__

PACKAGE = Path(__file__).resolve().parent
_SOURCES = (".py", ".yaml")  # the code and the form definitions; compiled files and caches say nothing new


def code_digest(root: Path = PACKAGE) -> str:
    """A digest of a package's Python sources and form definitions, by path and content."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in _SOURCES and "__pycache__" not in p.parts):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


@lru_cache(maxsize=1)
def tool_version() -> str:
    """The version a result is recorded under (0.1.0+3f2a…): a result the history keeps stands in for checking a
    file again only under the same one, so a fix or a new check, released under the same version number or run from
    a working copy, checks every file again."""
    return f"{__version__}+{code_digest()}"
