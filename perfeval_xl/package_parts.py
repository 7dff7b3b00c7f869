"""Parts of a package openpyxl saved, rewritten to put back what it left out: the workbook's 修改权限密码."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

WORKBOOK_PART = "xl/workbook.xml"
# A workbook's password to modify and its 建议只读 (修改权限密码, as Excel saves them): <fileSharing> with its attributes,
# none of them prefixed. openpyxl reads it and writes no such element.
_FILE_SHARING = re.compile(rb"<(?:\w+:)?fileSharing\b([^>]*?)\s*/?>")
# Where the schema puts it: first in the workbook, after a <fileVersion> only (openpyxl writes none).
_BEFORE_SHARING = re.compile(rb"<(?:\w+:)?workbook\b[^>]*>(?:\s*<(?:\w+:)?fileVersion\b[^>]*/>)?")


def rewrite_parts(package: bytes, change: Callable[[str, bytes], bytes]) -> bytes:
    """The package with each part's bytes as ``change`` gives them back (by the part's name)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            copy.writestr(info, change(info.filename, source.read(info)))
    return out.getvalue()


def file_sharing(archive: zipfile.ZipFile) -> bytes | None:
    """A workbook's <fileSharing> element, written as in a workbook of the main namespace by default; None if none."""
    found = _FILE_SHARING.search(archive.read(WORKBOOK_PART))
    return b"<fileSharing" + found[1] + b"/>" if found else None


def with_file_sharing(saved: bytes, sharing: bytes) -> bytes:
    """The package openpyxl saved, its workbook given back the original's <fileSharing> (see ``file_sharing``)."""

    def put(part: str, xml: bytes) -> bytes:
        if part != WORKBOOK_PART or _FILE_SHARING.search(xml):
            return xml
        start = _BEFORE_SHARING.search(xml)
        return xml[: start.end()] + sharing + xml[start.end() :] if start else xml

    return rewrite_parts(saved, put)
