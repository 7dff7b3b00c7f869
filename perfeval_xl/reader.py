"""Reading a submitted workbook file into a WorkbookGrid with python-calamine; unreadable input is one clear error."""

from __future__ import annotations

import html
import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Collection, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import python_calamine

from .grid import SheetGrid, WorkbookGrid, a1, shown_by

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The workbook part's sheets and their relationship ids, transitional (what Excel saves by default) or strict
# ("Strict Open XML"): a sheet missed here would have its formula cells taken as typed input.
_TRANSITIONAL, _STRICT = "http://schemas.openxmlformats.org/", "http://purl.oclc.org/ooxml/"
STRICT_MAIN = f"{_STRICT}spreadsheetml/main"  # the workbook part's namespace in a Strict Open XML file
_SHEET_TAGS = (f"{{{_TRANSITIONAL}spreadsheetml/2006/main}}sheet", f"{{{STRICT_MAIN}}}sheet")
# A relationship's target (Target="worksheets/sheet1.xml"), as a relationships part writes it.
_TARGET = re.compile(rb'\bTarget="([^"]*)"')
_REL_IDS = (f"{{{_TRANSITIONAL}officeDocument/2006/relationships}}id", f"{{{_STRICT}officeDocument/relationships}}id")
# A formula element (<f>, <f t="shared" si="0"/>), with or without a namespace prefix, and the start tag of its
# cell (<c r="B7" s="3">), which is the tag right before it: <f> is always a cell's first child. Searching the part's
# bytes for <f finds them ~10× faster than parsing the XML, and ~4× faster than matching every cell's start tag.
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
CELL_TAG = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]+)(\d+)\"[^>]*(?<!/)>\s*$")
# A cell's start tag, its reference, and a text type (shared, formula or inline string).
_START_TAG = re.compile(rb"<(?:\w+:)?c\s[^>]*>")
_REF_ATTR = re.compile(rb'\br="([A-Z]+)(\d+)"')
_TEXT_TYPE = re.compile(rb'\bt="(?:s|str|inlineStr)"')
# A cell's formula element (<f>1/0</f>, <f t="shared" si="0"/>) and value element (<v>#DIV/0!</v>, its text as
# written), and the value after a cell's start tag, past its formula if any.
F_ELEMENT = rb"<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)"
V_ELEMENT = rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>"
_VALUE = re.compile(rb"\s*(?:" + F_ELEMENT + rb"\s*)?" + V_ELEMENT)
# A formula element with its text, none when it writes none (a shared formula filled down: <f t="shared" si="0"/>).
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)")
# styles.xml's number formats (<numFmt numFmtId="164" formatCode="0.00%"/>) and cell formats (<cellXfs>, whose
# <xf> elements a cell's s="…" counts from 0).
_NUM_FMT = re.compile(rb"<(?:\w+:)?numFmt\s[^>]*>")
_FORMAT_CODE = re.compile(rb'\bformatCode="([^"]*)"')
_FMT_ID = re.compile(rb'\bnumFmtId="(\d+)"')
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b[^>]*>(.*?)</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b[^>]*>")
# The hidden defined name an annotated copy carries when it holds its original's formula results (a spreadsheet's),
# while asking, as every file openpyxl saves does, for a full recalculation on load.
RESULTS_CARRIED = "_perfeval_results"
# What a library writes into the workbook part (XlsxWriter, openpyxl): recalculate everything on load, as the
# cached results are missing or 0. A file a spreadsheet saved does not ask it, and its cached results stand.
_FULL_CALC_ON_LOAD = re.compile(rb'\bfullCalcOnLoad="(?:1|true)"')
# A row's start tag with its number (<row r="60" spans="1:12">), and a cell holding a value, a formula or an inline
# string (not <c r="X9" s="2"/> nor <c r="X9" s="2"></c>, a cell only formatted).
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\s[^>]*?\br=\"(\d+)\"")
_FILLED_CELL = re.compile(rb"<(?:\w+:)?c\s[^>]*?\br=\"([A-Z]+)(\d+)\"[^>]*(?<!/)>\s*<(?:\w+:)?(?:v|f|is)[\s>/]")
# A row's or a column's start tag, hidden (<row r="12" hidden="1">, <col min="3" max="5" hidden="1"/>), and the
# row's number or the columns' span in it.
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_ROW_START = re.compile(rb"<(?:\w+:)?row\s[^>]*>")
_COL_TAG = re.compile(rb"<(?:\w+:)?col\s[^>]*>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_COL_SPAN = re.compile(rb'\bmin="(\d+)"[^>]*?\bmax="(\d+)"|\bmax="(\d+)"[^>]*?\bmin="(\d+)"')
# calamine lays a sheet out as one block from A1 to its farthest cell; a value typed far away (XFD1048576) would
# make it allocate hundreds of GB and abort the process, so a sheet larger than this is refused first. 5 million
# cells (100,000 rows by 50 columns) is far beyond any self-evaluation form and costs about 250 MB to read.
MAX_CELLS = 5_000_000
MAX_COLUMNS = 16_384  # XFD, the last column of a sheet


class UnreadableInput(Exception):
    """A file we cannot read as a workbook of a known form. ``message`` is one line in Chinese, ``message_en`` in
    English; the command line prints the one asked for and exits with code 2. ``form`` names a form recognised but
    incomplete."""

    def __init__(self, path: str | Path, message: str, message_en: str, form: str | None = None) -> None:
        super().__init__(f"{path}: {message}")
        self.path = str(path)
        self.message = message
        self.message_en = message_en
        self.form = form  # the form's id when it was recognised (one of its sheets missing)

    def text(self, lang: str = "zh") -> str:
        return self.message_en if lang == "en" else self.message


def _cell_at(letters: bytes, digits: bytes) -> tuple[int, int]:
    """(row, column), 0-based, of a reference found in a part's bytes (b"B", b"7")."""
    return int(digits) - 1, _column_index(letters.decode())


def _column_index(letters: str) -> int:
    index = 0
    for ch in letters:
        index = index * 26 + (ord(ch) - 64)
    return index - 1


def sheet_parts(archive: zipfile.ZipFile) -> list[tuple[str, str]]:
    """Each worksheet's name and part (its XML's member name), in the workbook's order (none when the workbook part
    cannot be parsed)."""
    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return []
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels}
    parts = []
    for sheet in (sheet for tag in _SHEET_TAGS for sheet in workbook.iter(tag)):  # a part uses one of the two
        target = targets.get(next((sheet.get(key) for key in _REL_IDS if key in sheet.attrib), None), "")
        parts.append((sheet.get("name", ""), _part_named(target, "xl")))
    return parts


def _part_named(target: str, folder: str) -> str:
    """The part a relationship's target names: from the package's root when absolute (/xl/worksheets/sheet1.xml),
    else from the folder of the part the relationship is about (xl, for xl/workbook.xml)."""
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))


def _sheet_parts(archive: zipfile.ZipFile, parts: list[tuple[str, str]] | None = None) -> Iterator[tuple[str, bytes]]:
    """Each worksheet's name and XML, in the workbook's order (a part the workbook names but lacks is left out);
    ``parts`` when ``sheet_parts`` was asked already."""
    for name, part in sheet_parts(archive) if parts is None else parts:
        try:
            yield name, archive.read(part)
        except KeyError:
            continue


def calculated(archive: zipfile.ZipFile) -> bool:
    """Whether a workbook's cached formula results are a spreadsheet's: it does not ask for a full recalculation on
    load, as a library writing formulas without their results does, or it is a copy we annotated that carries its
    original's results (see ``formula_results``)."""
    workbook = archive.read("xl/workbook.xml")
    return not _FULL_CALC_ON_LOAD.search(workbook) or f'name="{RESULTS_CARRIED}"'.encode() in workbook


class _Unplaced(Exception):
    """A cell a scan must place is written without its reference (<c t="e">, not <c r="E6" t="e">)."""


# A cell's start tag without its reference (<c>, <c s="3" t="e">): the cell after the one before it.
_UNREFERENCED = re.compile(rb'<(?:\w+:)?c(?=[\s>/])(?![^>]*\br=")')
# A row's or a cell's start tag: its prefix, its name and its attributes (<row r="6">, <c r="E6" s="3">, <x:c/>).
_ROW_OR_CELL = re.compile(rb"<((?:\w+:)?)(row|c)\b([^>]*)>")


def with_references(xml: bytes) -> bytes:
    """A sheet's XML with every cell's reference written: a reference is optional, and a cell without one is the one
    after the cell before it in its row (a row without its number, the one after the row before it), as Excel
    places them."""
    row, col = -1, -1

    def placed(tag: re.Match[bytes]) -> bytes:
        nonlocal row, col
        if tag[2] == b"row":
            number = _ROW_NUMBER.search(tag[3])
            row, col = (int(number[1]) - 1 if number else row + 1), -1
            return tag[0]
        if ref := _REF_ATTR.search(tag[3]):
            row, col = _cell_at(ref[1], ref[2])
            return tag[0]
        col += 1
        return b'<%sc r="%s"%s>' % (tag[1], a1(row, col).encode(), tag[3])

    return _ROW_OR_CELL.sub(placed, xml)


# A sheet's formula cells with their texts, its cells under each format that changes how a value reads, and its error
# cells' texts.
_Scan = tuple[
    dict[tuple[int, int], str], list[tuple[Callable[[Any], Any], set[tuple[int, int]]]], dict[tuple[int, int], str]
]


def _scanned(xml: bytes, styles: _ShownStyles) -> _Scan:
    """What the scans find in a sheet's XML, its cells' references written in first when one must be placed."""

    def scan(xml: bytes) -> _Scan:
        return _formula_cells(xml), [(show, _styled_cells(xml, ids)) for show, ids in styles], _error_cells(xml)

    try:
        return scan(xml)
    except _Unplaced:
        return scan(with_references(xml))


def _formula_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """The cells of a sheet's XML holding a formula, with its text ("" for a shared formula filled down, which writes
    none of its own). calamine gives only cached values, and a file written by a library and never opened in Excel
    caches nothing (or 0): a formula cell must never be taken as typed input."""
    cells = {}
    for match in _FORMULA.finditer(xml):
        start = xml.rfind(b"<", 0, match.start())
        cell = CELL_TAG.match(xml, start, match.start()) if start >= 0 else None
        if cell:
            element = _FORMULA_TEXT.match(xml, match.start())
            text = element[1].decode("utf-8", "replace") if element and element[1] else ""
            cells[_cell_at(cell[1], cell[2])] = html.unescape(text) if "&" in text else text
        elif start >= 0 and _UNREFERENCED.match(xml, start):
            raise _Unplaced
    return cells


def _error_cells(xml: bytes) -> dict[tuple[int, int], str]:
    """The cells of a sheet's XML holding an error value (t="e": a formula's #DIV/0!, #REF!, #N/A), with its text.
    calamine reads them as empty, which would make a cell showing #DIV/0! a blank one."""
    cells = {}
    at = xml.find(b't="e"')
    while at >= 0:
        start = xml.rfind(b"<", 0, at)
        tag = _START_TAG.match(xml, start) if start >= 0 else None
        if tag and (ref := _REF_ATTR.search(tag[0])) and (value := _VALUE.match(xml, tag.end())):
            cells[_cell_at(ref[1], ref[2])] = html.unescape(value[1].decode("utf-8", "replace"))
        elif tag and _UNREFERENCED.match(tag[0]):
            raise _Unplaced
        at = xml.find(b't="e"', at + 5)
    return cells


# The styles (as written in a cell's s="…") whose number format changes what a value reads as (see
# ``grid.shown_by``: 96.5%, 11月20日, 2021年11月), each set with how its values read.
_ShownStyles = tuple[tuple[Callable[[Any], Any], frozenset[bytes]], ...]


def _shown_styles(archive: zipfile.ZipFile) -> _ShownStyles:
    try:
        return _shown_style_ids(archive.read("xl/styles.xml"))
    except KeyError:
        return ()


@lru_cache(maxsize=256)
def _shown_style_ids(styles: bytes) -> _ShownStyles:
    """``_shown_styles`` of a styles part: the formats it defines, then its cell formats in order, matched in its
    bytes as the formula scan matches a sheet's. Memoised by the part's bytes: the submissions filled in one
    template share them."""
    defined = {}
    for fmt in _NUM_FMT.finditer(styles):
        code, number = _FORMAT_CODE.search(fmt[0]), _FMT_ID.search(fmt[0])
        if code and number and (show := shown_by(html.unescape(code[1].decode("utf-8", "replace")))):
            defined[number[1]] = show
    xfs = _CELL_XFS.search(styles)
    formats = [(n[1] if (n := _FMT_ID.search(xf[0])) else b"0") for xf in _XF.finditer(xfs[1] if xfs else b"")]
    styled: dict[Callable[[Any], Any], set[bytes]] = {}
    for index, fmt in enumerate(formats):
        if show := defined.get(fmt) or shown_by(None, int(fmt)):
            styled.setdefault(show, set()).add(str(index).encode())
    return tuple((show, frozenset(ids)) for show, ids in styled.items())


def _styled_cells(xml: bytes, styles: frozenset[bytes]) -> set[tuple[int, int]]:
    """The cells of a sheet's XML holding a number under one of these styles (not text: t="s", "str", "inlineStr")."""
    cells = set()
    if styles:
        for match in _style_attr(styles).finditer(xml):
            start = xml.rfind(b"<", 0, match.start())
            tag = _START_TAG.match(xml, start) if start >= 0 else None
            if tag and not _TEXT_TYPE.search(tag[0]) and (ref := _REF_ATTR.search(tag[0])):
                cells.add(_cell_at(ref[1], ref[2]))
            elif tag and _UNREFERENCED.match(tag[0]):
                raise _Unplaced
    return cells


@lru_cache(maxsize=64)
def _style_attr(styles: frozenset[bytes]) -> re.Pattern[bytes]:
    """The style attribute of these styles only (s="9" or s="12"): the scan visits their cells alone."""
    return re.compile(rb's="(?:' + b"|".join(sorted(styles)) + rb')"')  # a literal start: searched, not tried


def _last_row(xml: bytes) -> int | None:
    """The number of a sheet's last <row> element, which is its last row: rows are written in order. None when it
    cannot be told (no r= attribute, or the last ``row `` in the part is not a row's start tag)."""
    at = xml.rfind(b"row ")
    start = xml.rfind(b"<", 0, at) if at > 0 else -1
    match = _ROW_TAG.match(xml, start) if start >= 0 else None
    return int(match[1]) if match else None


def _hidden(xml: bytes) -> tuple[frozenset[int], frozenset[int]]:
    """The rows and the columns (0-based) a sheet's XML hides: <row r="12" hidden="1">, <col min="3" max="5"
    hidden="1"/>. Most sheets hide nothing, and say so in one search."""
    if b'hidden="' not in xml:
        return frozenset(), frozenset()
    rows = {
        int(number[1]) - 1
        for tag in _ROW_START.finditer(xml)
        if _HIDDEN.search(tag[0]) and (number := _ROW_NUMBER.search(tag[0]))
    }
    cols: set[int] = set()
    for tag in _COL_TAG.finditer(xml):
        if _HIDDEN.search(tag[0]) and (span := _COL_SPAN.search(tag[0])):
            low, high = (int(span[1]), int(span[2])) if span[1] else (int(span[4]), int(span[3]))
            cols.update(range(low - 1, min(high, MAX_COLUMNS)))
    return frozenset(rows), frozenset(cols)


def _extent(xml: bytes) -> tuple[int, int]:
    """(rows, columns) from A1 to the farthest cell of a sheet's XML that holds something, as calamine lays the sheet
    out: a cell far away only formatted is left out, as calamine leaves it out."""
    filled = _FILLED_CELL.findall(xml)
    return (
        max((int(row) for _, row in filled), default=0),
        max((_column_index(col.decode()) + 1 for col, _ in filled), default=0),
    )


def standard_names(data: bytes) -> bytes:
    """A package with its members named as the format and its relationships name them. Some exporters write
    Windows' separator (xl\\workbook.xml), or a part in another case than a relationship calls it
    (xl/worksheets/Sheet1.xml for worksheets/sheet1.xml: part names are case-insensitive); Excel and calamine read
    both, zipfile (on Linux) and openpyxl neither. The bytes as they are when every name is so already."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {member.filename.replace("\\", "/"): member for member in archive.infolist()}
        called: dict[str, str] = {}
        for name, member in members.items():
            if name.endswith(".rels"):
                called.update((part.lower(), part) for part in _targets(name, archive.read(member)))
        # A member keeps its name when a member of the name it is called by is there too (two spellings of a part).
        named = {
            name if (wanted := called.get(name.lower(), name)) in members else wanted: member
            for name, member in members.items()
        }
        if all(name == member.filename for name, member in named.items()):
            return data
        fixed = io.BytesIO()
        with zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as copy:
            for name, member in named.items():
                copy.writestr(name, archive.read(member))
    return fixed.getvalue()


def _targets(rels: str, xml: bytes) -> Iterator[str]:
    """The parts a relationships part calls by name (xl/_rels/workbook.xml.rels: Target="worksheets/sheet1.xml" is
    xl/worksheets/sheet1.xml), external targets left out."""
    folder = posixpath.dirname(posixpath.dirname(rels))  # xl/_rels/workbook.xml.rels is about xl/workbook.xml
    for target in _TARGET.findall(xml):
        text = html.unescape(target.decode("utf-8", "replace"))
        if "://" not in text:
            yield _part_named(text, folder)


def _encrypted(path: Path) -> UnreadableInput:
    return UnreadableInput(path, "工作簿已加密（设置了打开密码），请取消密码后重新提交", "the workbook is encrypted")


def _read_ole(path: Path, data: bytes) -> WorkbookGrid:
    """A compound file: an encrypted .xlsx or .xls, else a legacy .xls or WPS's .et (whose Workbook stream is BIFF8,
    as an .xls's), read with xlrd."""
    head = data[: 1 << 20]  # the stream directory of a compound file sits near its start
    if "EncryptedPackage".encode("utf-16-le") in head or "EncryptionInfo".encode("utf-16-le") in head:
        raise _encrypted(path)
    import xlrd  # here: only a legacy .xls needs it

    try:
        book = xlrd.open_workbook(file_contents=data, formatting_info=True)
    except Exception as exc:  # xlrd's own errors, and what a damaged BIFF stream makes its parser raise
        if "encrypted" in str(exc).lower():
            raise _encrypted(path) from exc
        if path.suffix.lower() == ".et":
            raise UnreadableInput(
                path,
                "WPS 表格 .et 格式暂不支持，请在 WPS 中另存为 .xlsx 后重新提交",
                f"this WPS .et workbook cannot be read ({exc}); save it as .xlsx",
            ) from exc
        raise UnreadableInput(
            path,
            "旧版 .xls 工作簿无法读取（文件可能已损坏），请在 Excel 或 WPS 中另存为 .xlsx 后重新提交",
            f"cannot read the legacy .xls workbook ({exc}); save it as .xlsx",
        ) from exc
    sheets = []
    for sheet in book.sheets():
        refuse_beyond_limit(path, sheet.name, sheet.nrows, sheet.ncols)
        sheets.append(
            SheetGrid(
                name=sheet.name,
                cells=_xls_cells(book, sheet),
                merged=[(r0, c0, r1 - 1, c1 - 1) for r0, r1, c0, c1 in sheet.merged_cells],
                calculated=True,  # a spreadsheet saved it: the cached results are its
                visible=sheet.visibility == 0,
                hidden_rows=frozenset(r for r, info in sheet.rowinfo_map.items() if info.hidden),
                hidden_cols=frozenset(c for c, info in sheet.colinfo_map.items() if info.hidden),
            )
        )
    return WorkbookGrid.from_sheets(str(path), sheets)


def _xls_cells(book: Any, sheet: Any) -> list[list[Any]]:
    """A sheet of a legacy .xls as calamine gives one of an .xlsx (numbers as floats, empty as "", dates and times as
    datetime), with a percentage as it shows and an error as its text, as the .xlsx reader gives them. xlrd gives no
    formulas: the form's computed cells read as the results the spreadsheet saved."""
    import xlrd

    # How each cell format's values read (see ``grid.shown_by``); a format xlrd knows by number only (27-36, the
    # East Asian date formats) has no string, and is taken by its number.
    shown = {
        i: show
        for i, xf in enumerate(book.xf_list)
        if (show := shown_by(getattr(book.format_map.get(xf.format_key), "format_str", None), xf.format_key))
    }

    def value(cell: Any) -> Any:
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return ""
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value, "#N/A")
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return bool(cell.value)
        if cell.ctype == xlrd.XL_CELL_DATE:
            try:
                moment = xlrd.xldate_as_datetime(cell.value, book.datemode)
            except (xlrd.xldate.XLDateError, OverflowError, ValueError):
                return cell.value
            if cell.value < 1:
                return moment.time()
            return shown[cell.xf_index](moment) if cell.xf_index in shown else moment
        if cell.ctype == xlrd.XL_CELL_NUMBER and cell.xf_index in shown:
            return shown[cell.xf_index](cell.value)
        return cell.value

    return [[value(cell) for cell in sheet.row(r)] for r in range(sheet.nrows)]


def _not_xlsx(path: Path, names: Collection[str]) -> UnreadableInput:
    """A zip that is no .xlsx: Excel's binary workbook and OpenDocument's spreadsheet said by name, as their users
    need only save again as .xlsx."""
    if "xl/workbook.bin" in names:
        return UnreadableInput(
            path,
            "Excel 二进制工作簿（.xlsb）暂不支持，请另存为 .xlsx 后重新提交",
            "binary .xlsb workbooks are not supported; save as .xlsx",
        )
    if "content.xml" in names and "mimetype" in names:
        return UnreadableInput(
            path,
            "OpenDocument 表格（.ods）暂不支持，请另存为 .xlsx 后重新提交",
            "OpenDocument spreadsheets (.ods) are not supported; save as .xlsx",
        )
    return UnreadableInput(path, "不是 Excel 工作簿（压缩包内没有 xl/workbook.xml）", "not an Excel workbook")


def _not_a_workbook(path: Path, data: bytes) -> UnreadableInput:
    """A file that is no zip nor compound file: a table saved as a web page or as Excel 2003 XML (what budget
    systems export under an .xls name, and Excel opens with a warning) said by name, as its user need only save it
    again as .xlsx; anything else is not a workbook."""
    head = data[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(b"<") and b"urn:schemas-microsoft-com:office:spreadsheet" in head:
        said, said_en = "这是 Excel 2003 XML 格式的表格", "a table saved as Excel 2003 XML"
    elif head.startswith(b"<") and (b"<html" in head or b"<table" in head):
        said, said_en = "这是网页（HTML）格式的表格", "a table saved as a web page (HTML)"
    else:
        return UnreadableInput(path, "不是 Excel 工作簿（文件内容不是 .xlsx/.xlsm 格式）", "not an Excel workbook")
    return UnreadableInput(
        path, f"{said}，请在 Excel 或 WPS 中另存为 .xlsx 后重新提交", f"{said_en}; save it as .xlsx in Excel or WPS"
    )


def cannot_open(path: str | Path, exc: OSError) -> UnreadableInput:
    """A file that cannot be opened at all: no read permission, held exclusively by another program, a share gone."""
    return UnreadableInput(
        path, f"无法打开文件（{exc.strerror or exc}），请检查读取权限", f"cannot open the file: {exc}"
    )


def _refuse_oversized(path: Path, name: str, xml: bytes) -> None:
    """Refuse a sheet calamine would lay out beyond ``MAX_CELLS``. A sheet whose last row is near enough the top
    cannot be, however wide, and needs no scan (every form does); the recorded <dimension> is no bound, for a
    program other than Excel may write a smaller one than its cells reach (or A1 alone)."""
    last = _last_row(xml)
    if last is not None and last * MAX_COLUMNS <= MAX_CELLS:
        return
    refuse_beyond_limit(path, name, *_extent(xml))


def refuse_beyond_limit(path: str | Path, name: str, rows: int, cols: int, in_excel: bool = False) -> None:
    """Refuse a sheet reaching ``rows`` by ``cols`` from A1 when that is beyond ``MAX_CELLS``: its content, as the
    file reader counts it, or Excel's used range (``in_excel``, which formatting stretches too), as the button
    does, each said with what the unit does next."""
    if rows * cols <= MAX_CELLS:
        return
    corner = a1(rows - 1, cols - 1)
    if in_excel:
        reach, cause, then = "已用区域延伸到", "设了格式或误填了内容", "保存，再按按钮"
        reach_en, then_en = (
            f"the used range of sheet {name!r} reaches",
            "delete the far-away rows and columns, save, and press the button again",
        )
    else:
        reach, cause, then = "内容延伸到", "误填了内容", "重新提交"
        reach_en, then_en = f"sheet {name!r} extends to", "delete the stray far-away cells and resubmit"
    raise UnreadableInput(
        path,
        f"工作表“{name}”的{reach} {corner}（{rows} 行 × {cols} 列），超出读取上限 {MAX_CELLS:,} 个单元格："
        f"通常是远处的单元格{cause}，请删除多余的行和列后{then}",
        f"{reach_en} {corner} ({rows} rows by {cols} columns), beyond the {MAX_CELLS:,} cells we read: {then_en}",
    )


def read_workbook(path: str | Path) -> WorkbookGrid:
    """Read every sheet's values, merged ranges and formula cells. Raises UnreadableInput, never a traceback."""
    path = Path(path)
    if not path.exists():
        raise UnreadableInput(path, "文件不存在", "file not found")
    if path.is_dir():
        raise UnreadableInput(
            path,
            "这是一个文件夹，不是工作簿；校验整个文件夹请用 perfeval batch",
            "a folder, not a workbook; check a whole folder with perfeval batch",
        )
    try:
        data = path.read_bytes()  # once: the formula scan and calamine both read it from memory
    except OSError as exc:
        raise cannot_open(path, exc) from exc
    if data.startswith(_OLE_MAGIC):
        return _filled(_read_ole(path, data))
    if not data:
        raise UnreadableInput(path, "文件为空（0 字节）", "the file is empty")
    if not data.startswith(b"PK"):
        if path.name.startswith("~$"):
            raise UnreadableInput(
                path,
                "这是 Excel/WPS 打开工作簿时生成的临时锁定文件（~$ 开头），不是工作簿：请校验去掉 ~$ 的同名工作簿",
                "an Excel/WPS lock file (~$…), not a workbook: check the workbook of the same name without ~$",
            )
        raise _not_a_workbook(path, data)
    try:
        if b"xl\\workbook.xml" in data:  # a name is stored as written: one search tells Windows' separator
            data = standard_names(data)
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        parts = sheet_parts(archive) if "xl/workbook.xml" in names else []
        # A sheet's part, or the styles, named in another case than it is called (Sheet1.xml, Styles.xml)
        if any(part not in names for _, part in parts) or (parts and "xl/styles.xml" not in names):
            archive.close()
            data = standard_names(data)
            archive = zipfile.ZipFile(io.BytesIO(data))
            names, parts = set(archive.namelist()), sheet_parts(archive)
        with archive:
            if "xl/workbook.xml" not in names:
                raise _not_xlsx(path, names)
            formulas, shown, errors, hidden = {}, {}, {}, {}
            styles = _shown_styles(archive)
            results_cached = calculated(archive)
            for name, xml in _sheet_parts(archive, parts):
                _refuse_oversized(path, name, xml)
                formulas[name], shown[name], errors[name] = _scanned(xml, styles)
                hidden[name] = _hidden(xml)
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
        hidden_sheets = {m.name for m in book.sheets_metadata if m.visible != python_calamine.SheetVisibleEnum.Visible}
        sheets = []
        for name in book.sheet_names:
            sheet = book.get_sheet_by_name(name)
            cells = sheet.to_python(skip_empty_area=False)
            for show, at in shown.get(name, ()):  # a value as its format shows it: 96.5%, 11月20日, 2021年11月
                for r, c in at:
                    if r < len(cells) and c < len(cells[r]):
                        cells[r][c] = show(cells[r][c])
            for (r, c), error in errors.get(name, {}).items():
                if r < len(cells) and c < len(cells[r]):
                    cells[r][c] = error
            merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])]
            hidden_rows, hidden_cols = hidden.get(name, (frozenset(), frozenset()))
            sheets.append(
                SheetGrid(
                    name=name,
                    cells=cells,
                    merged=merged,
                    formulas=formulas.get(name, {}),
                    calculated=results_cached,
                    visible=name not in hidden_sheets,
                    hidden_rows=hidden_rows,
                    hidden_cols=hidden_cols,
                )
            )
    except UnreadableInput:
        raise
    except (zipfile.BadZipFile, EOFError) as exc:
        raise UnreadableInput(
            path, "工作簿文件已损坏或不完整（可能下载或复制时被截断）", f"corrupt or truncated ({exc})"
        ) from exc
    except BaseException as exc:
        # calamine raises its own error types for malformed parts, and a panic in its Rust code as pyo3's
        # PanicException, a BaseException (so that `except Exception` misses it). Ctrl-C and exits go through.
        if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
            raise
        raise UnreadableInput(
            path, f"工作簿无法读取：{type(exc).__name__}", f"cannot read the workbook: {exc}"
        ) from exc
    return _filled(WorkbookGrid.from_sheets(str(path), sheets))


def _filled(grid: WorkbookGrid) -> WorkbookGrid:
    """The grid, unless not one of its sheets holds anything."""
    if not any(any(v not in ("", None) for row in s.cells for v in row) for s in grid.sheets.values()):
        raise UnreadableInput(grid.path, "工作簿是空的，没有填报任何内容", "the workbook is empty")
    return grid
