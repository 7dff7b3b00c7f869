"""Applying an annotation plan to a workbook file with openpyxl, replacing only our own earlier marks."""

from __future__ import annotations

import io
import os
import tempfile
import warnings
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from copy import copy
from pathlib import Path
from typing import Any, NamedTuple
from xml.etree.ElementTree import fromstring, tostring

from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.fills import Fill
from openpyxl.utils.cell import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.merge import MergedCellRange
from openpyxl.worksheet.worksheet import Worksheet

from .formula_results import cached_results, mark_carried, restoring, unchanged_formulas
from .grid import sheet_ref
from .package_parts import left_out, putting_back, rewrite_parts
from .plan import (
    ERROR_TEXT,
    HEADER_FILL,
    LINE_HEIGHT,
    LINK_COLUMN,
    MARKS_SHEET,
    MESSAGE_COLUMN,
    RESULT_WIDTHS,
    RESULTS_RECORD,
    SEVERITY_COLUMN,
    AnnotationPlan,
    compose_note,
    looks_like_formula,
    marks_record,
    message_lines,
    recorded_results_sheet,
    results_sheet_for,
    results_table,
    strip_note,
)
from .reader import STRICT_MAIN, standard_names
from .unkept import Unkept, annotatable, count_unkept

AUTHOR = "perfeval"


def _set_text(cell: Any, value: Any) -> None:
    """Write a value that must never become a formula (text from submissions may start with = + - @)."""
    cell.value = value
    if looks_like_formula(value):
        cell.data_type = "s"


def _rgb_of(fill: Fill) -> str:
    color = getattr(fill, "fgColor", None)
    if getattr(fill, "fill_type", None) == "solid" and color is not None and color.type == "rgb":
        return str(color.rgb)[-6:]
    return ""


def clear_marks(book: Workbook) -> None:
    """Undo what an earlier run left: restore original fills, strip our part of each note, drop our sheets."""
    if MARKS_SHEET not in book.sheetnames:
        return  # never annotated: a sheet named 校验结果 is the unit's own
    rows = list(book[MARKS_SHEET].iter_rows(values_only=True))
    for row in rows:
        sheet, cell, fill_xml, rgb = marks_record(row)
        if sheet not in book.sheetnames or not cell:
            continue
        target = book[sheet][cell]
        if fill_xml:
            target.fill = Fill.from_tree(fromstring(fill_xml))
        else:
            target.fill = PatternFill("solid", start_color=rgb, end_color=rgb) if rgb else PatternFill()
        if target.comment is not None:
            rest = strip_note(target.comment.text)
            target.comment = Comment(rest, target.comment.author) if rest else None
    del book[MARKS_SHEET]
    if (results := recorded_results_sheet(rows)) in book.sheetnames:
        del book[results]


def _results_sheet(book: Workbook, plan: AnnotationPlan) -> Worksheet:
    ws = book.create_sheet(results_sheet_for(book.sheetnames))
    bold = Font(bold=True, name="宋体")
    table = results_table(plan)
    header_row = table.header
    for r, values in enumerate(table.rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is not None:
                _set_text(ws.cell(r, c), value)
        if r < header_row - 1:  # the summary: its label, and its value starting where the texts do
            ws.cell(r, 1).font = bold
            ws.cell(r, 2).alignment = Alignment(horizontal="left")
    thin = Side(style="thin")
    for row in filter(None, (header_row, table.rules)):
        for col in range(1, len(RESULT_WIDTHS) + 1):
            cell = ws.cell(row, col)
            cell.font, cell.fill = bold, PatternFill("solid", start_color=HEADER_FILL, end_color=HEADER_FILL)
            cell.alignment = Alignment(horizontal="center", vertical="center")
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for offset, result in enumerate(plan.results, start=1):
        link = ws.cell(header_row + offset, LINK_COLUMN)
        link.hyperlink = Hyperlink(ref=link.coordinate, location=sheet_ref(result.sheet, result.cell))
        link.font = Font(color="0563C1", underline="single")
    for col, width in enumerate(RESULT_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    for row, severity, text in table.wrapped:
        for col in range(1, len(RESULT_WIDTHS) + 1):  # a row's cells top-aligned beside its wrapped message
            ws.cell(row, col).alignment = Alignment(wrap_text=col == MESSAGE_COLUMN, vertical="top")
        if severity == "error":
            level = ws.cell(row, SEVERITY_COLUMN)
            level.font = Font(name=level.font.name, sz=level.font.sz, bold=True, color=ERROR_TEXT)
        if (lines := message_lines(text)) > 1:  # a spreadsheet sizes no row to its wrapped text on opening
            ws.row_dimensions[row].height = lines * LINE_HEIGHT
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    # Printed whole: A4 across, one page wide, the header on every page.
    ws.page_setup.orientation, ws.page_setup.paperSize = "landscape", ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = f"{header_row}:{header_row}"
    if plan.results:
        ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(RESULT_WIDTHS))}{header_row + len(plan.results)}"
    return ws


def apply_plan(book: Workbook, plan: AnnotationPlan) -> None:
    """Apply a plan to an open openpyxl workbook: values, fills, tagged notes, results and bookkeeping sheets."""
    clear_marks(book)
    for write in plan.writes:
        cell = book[write.sheet][write.cell]
        if write.formula:
            cell.value = write.value
        else:
            _set_text(cell, write.value)
    records = []
    for mark in plan.marks:
        cell = book[mark.sheet][mark.cell]
        original = cell.fill
        records.append((mark.sheet, mark.cell, tostring(original.to_tree(), encoding="unicode"), _rgb_of(original)))
        cell.fill = PatternFill(fill_type="solid", start_color=mark.fill, end_color=mark.fill)
        own = cell.comment.text if cell.comment is not None else ""
        author = (
            cell.comment.author if own.strip() and cell.comment.author else AUTHOR
        )  # a unit's note keeps its author
        text = compose_note(own, mark.note)
        cell.comment = Comment(text, author, width=360, height=max(90, 18 * (text.count("\n") + 2)))
    results = _results_sheet(book, plan)
    marks = book.create_sheet(MARKS_SHEET)
    for record in records:
        marks.append(record)
    marks.append((RESULTS_RECORD, results.title))
    marks.sheet_state = "veryHidden"


class CannotAnnotate(Exception):
    """A workbook this module must not or cannot annotate, said in one line (zh, en): in place, one holding what
    openpyxl would drop; at all, one saved as Strict Open XML, which openpyxl cannot read, or as a legacy .xls."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message, self.message_en = message, message_en

    def text(self, lang: str = "zh") -> str:
        return self.message if lang == "zh" else self.message_en


# Why a compound file (no zip package) gets no annotated copy, by its suffix: nothing we have writes them.
_NOT_A_PACKAGE = {
    ".xls": (
        "旧版 .xls 工作簿无法写批注副本（校验结果不受影响）：请在 Excel 或 WPS 中另存为 .xlsx 后重试",
        "a legacy .xls workbook cannot be annotated (its check stands): save it as .xlsx and retry",
    ),
    ".et": (
        "WPS .et 工作簿无法写批注副本（校验结果不受影响）：请在 WPS 中另存为 .xlsx 后重试",
        "a WPS .et workbook cannot be annotated (its check stands): save it as .xlsx in WPS and retry",
    ),
}


class Annotated(NamedTuple):
    """An annotated file: where it was written, and what of its original it lacks (see ``unkept.Unkept``)."""

    path: Path
    lacks: Unkept


@contextmanager
def merged_cells_as_saved() -> Iterator[None]:
    """While in force, openpyxl reads each cell of a merged range with the style the file gives it. Its own reading
    blanks the styles of every cell but the first, draws borders of its own on the range's edges and gives the first
    cell the last one's right and bottom borders, one style lookup per cell (more than half of an annotation's time on
    a form of many merged ranges, measured), and then writes those instead of what the file had: a unit that unmerged
    a range in the copy would find its cells changed. A value the file holds under a merge (a program wrote it; Excel
    shows the first cell's only, and the checker reads it) stays in its cell, where openpyxl's reading dropped it."""
    recompute, borrow = Worksheet._clean_merge_range, MergedCellRange._get_borders

    def keep(sheet: Worksheet, merged: MergedCellRange) -> None:
        cells = merged.cells
        next(cells)  # the first cell holds the range's value and stays as it is
        for row, col in cells:
            was = sheet._cells.get((row, col))
            if was is not None and was.value is not None:
                continue  # a value under the merge, which a program wrote: kept as the checker read it
            sheet._cells[row, col] = blank = MergedCell(sheet, row, col)
            if was is not None:
                blank._style = copy(was._style)

    def first(merged: MergedCellRange) -> None:
        merged.start_cell = merged.ws.cell(row=merged.min_row, column=merged.min_col)

    Worksheet._clean_merge_range = keep  # type: ignore[method-assign]
    MergedCellRange._get_borders = first  # type: ignore[method-assign]
    try:
        yield
    finally:
        Worksheet._clean_merge_range = recompute  # type: ignore[method-assign]
        MergedCellRange._get_borders = borrow  # type: ignore[method-assign]


def _unopenable(exc: BaseException) -> CannotAnnotate:
    """openpyxl refusing a package the checker read (a part an exporter wrote wrong: a cell's style past the end of
    the style sheet, a merged range backwards, a part that is not XML), in one line: the innermost reason, for
    support, and what the unit can do (Excel and WPS repair such files and save them whole)."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    lines = str(exc).splitlines()
    why = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
    return CannotAnnotate(
        f"文件中有 openpyxl 读不了的内容（{why}），无法写批注副本（校验结果不受影响）：请在 Excel 或 WPS 中打开后另存为 .xlsx 再试",
        f"openpyxl cannot read part of the file ({why}), so it cannot be annotated (its check stands): open it in "
        "Excel or WPS, save it as .xlsx and retry",
    )


def _loaded(data: bytes, keep_vba: bool) -> Workbook:
    """openpyxl's ``load_workbook``, except that a workbook it refuses leaves nothing open: keep_vba's copy of the
    package, made before the worksheets are read, was left to the collector, whose closing it printed a traceback."""
    reader = ExcelReader(io.BytesIO(data), keep_vba=keep_vba, rich_text=True)
    try:
        reader.read()
    except Exception:
        if getattr(reader, "wb", None) is not None and reader.wb.vba_archive is not None:
            reader.wb.vba_archive.close()
        reader.archive.close()
        raise
    return reader.wb


def annotate_file(source: str | Path, plan: AnnotationPlan, dest: str | Path) -> Annotated:
    """Load ``source``, apply the plan and save to ``dest`` (which may be ``source`` itself, for --in-place).
    Macros survive (keep_vba for .xlsm); the file is written to a temporary name first and then moved. In place,
    a workbook holding what openpyxl would drop is refused (CannotAnnotate) before anything is written, as is a
    Strict Open XML workbook anywhere. What a copy lacks is counted on the package already open, not read again."""
    source, dest = Path(source), Path(dest)
    if not annotatable(source):
        raise CannotAnnotate(*_NOT_A_PACKAGE.get(source.suffix.lower(), _NOT_A_PACKAGE[".xls"]))
    data = standard_names(source.read_bytes())
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if STRICT_MAIN.encode() in archive.read("xl/workbook.xml")[:4096]:
            raise CannotAnnotate(
                "Strict Open XML 格式的工作簿无法标注：请在 Excel 中另存为“Excel 工作簿(*.xlsx)”后重试",
                "a Strict Open XML workbook cannot be annotated: save it as an ordinary Excel workbook (*.xlsx)",
            )
        lost = count_unkept(archive)
        results = cached_results(archive)
        left = left_out(archive)
    in_place = dest.resolve() == source.resolve()
    if lost and in_place:
        raise CannotAnnotate(
            f"文件中有 {lost.said('zh')}，就地标注会删去它们；请改用 --annotate 输出批注副本",
            f"it holds {lost.said('en')} that annotating in place would delete: use --annotate",
        )
    with warnings.catch_warnings():  # openpyxl warns of the extensions it drops; count_unkept says them in our words
        warnings.simplefilter("ignore", UserWarning)
        # From its bytes, not its name: openpyxl refuses an .xlsx saved under an .xls name by the name alone.
        with merged_cells_as_saved():
            try:
                book = _loaded(data, keep_vba=source.suffix.lower() == ".xlsm")
            except Exception as exc:  # any part openpyxl's parsers refuse: the package's fault, not ours
                raise _unopenable(exc) from exc
    try:
        apply_plan(book, plan)
        if results:
            mark_carried(book)
        saved = io.BytesIO()
        try:
            book.save(saved)
        except SyntaxError as exc:  # a part of a macro workbook's package, read again only now, is not XML
            raise _unopenable(exc) from exc
        data = saved.getvalue()
        changes = []  # what openpyxl left out of the copy, put back in one pass over its parts
        if results:
            changes.append(restoring(data, results, unchanged_formulas(book, ((w.sheet, w.cell) for w in plan.writes))))
        if left:
            changes.append(putting_back(left))
        if changes:
            data = rewrite_parts(data, *changes)
        dest.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(suffix=dest.suffix, dir=dest.parent)
        os.close(fd)
        try:
            Path(tmp).write_bytes(data)
            os.replace(tmp, dest)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    finally:
        if book.vba_archive is not None:  # keep_vba's in-memory zip, which openpyxl never closes
            book.vba_archive.close()
    return Annotated(dest, Unkept() if in_place else lost)
