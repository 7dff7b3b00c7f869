"""Parts of a package openpyxl saved, rewritten to put back what it left out: the workbook's 修改权限密码, the company."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

WORKBOOK_PART = "xl/workbook.xml"
APP_PART = "docProps/app.xml"
# A workbook's password to modify and its 建议只读 (修改权限密码, as Excel saves them): <fileSharing> with its attributes,
# none of them prefixed. openpyxl reads it and writes no such element.
_FILE_SHARING = re.compile(rb"<(?:\w+:)?fileSharing\b([^>]*?)\s*/?>")
# Where the schema puts it: first in the workbook, after a <fileVersion> only (openpyxl writes none).
_BEFORE_SHARING = re.compile(rb"<(?:\w+:)?workbook\b[^>]*>(?:\s*<(?:\w+:)?fileVersion\b[^>]*/>)?")
# What of a document's properties (文件 → 属性) openpyxl writes its own docProps/app.xml without: the company and the
# manager, which Excel fills in from Office's settings, and the base of relative links. Its core properties (title,
# author…) and custom ones it keeps.
_EXTENDED = re.compile(rb"<(Company|Manager|HyperlinkBase)>[^<]+</\1>")
_END_OF_PROPERTIES = re.compile(rb"</(?:\w+:)?Properties>\s*$")


@dataclass(frozen=True)
class LeftOut:
    """What of a workbook openpyxl reads and does not write, as its elements are to be written back."""

    sharing: bytes | None = None
    properties: bytes = b""

    def __bool__(self) -> bool:
        return self.sharing is not None or bool(self.properties)


def left_out(archive: zipfile.ZipFile) -> LeftOut:
    """What of an open workbook openpyxl will leave out of the copy it saves (see ``LeftOut``)."""
    found = _FILE_SHARING.search(archive.read(WORKBOOK_PART))
    sharing = b"<fileSharing" + found[1] + b"/>" if found else None
    app = archive.read(APP_PART) if APP_PART in archive.namelist() else b""
    return LeftOut(sharing, b"".join(element[0] for element in _EXTENDED.finditer(app)))


def rewrite_parts(package: bytes, *changes: Callable[[str, bytes], bytes]) -> bytes:
    """The package with each part's bytes as the ``changes`` give them back in turn (by the part's name), in one pass:
    the package is unpacked and compressed once, whatever the changes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            data = source.read(info)
            for change in changes:
                data = change(info.filename, data)
            copy.writestr(info, data)
    return out.getvalue()


def putting_back(left: LeftOut) -> Callable[[str, bytes], bytes]:
    """The change (see ``rewrite_parts``) that gives a package openpyxl saved what it left out of its original (see
    ``left_out``)."""

    def put(part: str, xml: bytes) -> bytes:
        if part == WORKBOOK_PART and left.sharing and not _FILE_SHARING.search(xml):
            start = _BEFORE_SHARING.search(xml)
            return xml[: start.end()] + left.sharing + xml[start.end() :] if start else xml
        if part == APP_PART and left.properties and not _EXTENDED.search(xml):
            end = _END_OF_PROPERTIES.search(xml)
            return xml[: end.start()] + left.properties + xml[end.start() :] if end else xml
        return xml

    return put
