"""The Excel button: recalculate() and clear_marks() apply the annotation plan to the open workbook through xlwings.

The macros of macros/PerfEval.bas call these through ``xlwings.xlam!RunPython``. They read the book's used ranges
into the same grid the file reader produces, run the same engine, and apply the same plan the command line writes
with openpyxl: only our earlier marks are replaced, user input is left alone, and any failure ends in a message box.
xlwings and the engine are imported inside the functions, so a click starts fast and this module imports anywhere.
"""

from __future__ import annotations

import datetime
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from typing import Any, NamedTuple

TITLE = "perfeval 绩效自评"
# PageSetup.Orientation and PageSetup.PaperSize as Excel numbers them: xlLandscape, xlPaperA4.
_LANDSCAPE, _A4 = 2, 9
# Sheet.api.Protection flags that Protect() takes back, so a sheet is re-protected exactly as it was.
_PROTECTION_FLAGS = (
    "AllowFormattingCells",
    "AllowFormattingColumns",
    "AllowFormattingRows",
    "AllowInsertingColumns",
    "AllowInsertingRows",
    "AllowInsertingHyperlinks",
    "AllowDeletingColumns",
    "AllowDeletingRows",
    "AllowSorting",
    "AllowFiltering",
    "AllowUsingPivotTables",
)


class ButtonProblem(Exception):
    """Something the user can fix, told in one Chinese sentence in the message box (``mode``: critical, or info for
    what is no failure, such as a dialog cancelled)."""

    def __init__(self, message: str, mode: str = "critical") -> None:
        super().__init__(message)
        self.mode = mode


def recalculate(book: Any = None, lang: str = "zh") -> None:
    """Score the calling workbook, write the computed scores and mark every finding (the 重新计算得分 button)."""
    _run(book, lambda b: _recalculate(b, lang))


def clear_marks(book: Any = None) -> None:
    """Remove the fills, note parts and sheets an earlier run added (the 清除校验标记 button)."""
    _run(book, _clear)


def compare_with_last_year(book: Any = None, lang: str = "zh") -> None:
    """Ask for the unit's form of last year, then score and mark the calling workbook as 重新计算得分 does, each
    figure it gives for last year compared with that form's (PE401; the 与上年报送的表核对 button of the forms that
    give such figures, 湖南's and 岳阳's)."""
    _run(book, lambda b: _recalculate(b, lang, _last_year(b)))


def compare_with_institutions(book: Any = None, lang: str = "zh") -> None:
    """Ask for the forms of the department's institutions (机关, 二级机构), then score and mark the calling workbook
    as 重新计算得分 does, each amount and count that is not their sum marked (PE402; the 与各机构的表核对 button)."""
    _run(book, lambda b: _recalculate(b, lang, parts=_institutions(b)))


def write_report(book: Any = None) -> None:
    """Write the 自评报告 of the calling workbook as it is open, beside its file, as perfeval report writes it (the
    生成自评报告 button); the workbook is neither marked nor changed."""
    _run(book, _report)


# The Open dialog of the 与上年报送的表核对 and 与各机构的表核对 buttons: what it lists, and its titles.
_WORKBOOKS = "Excel 工作簿 (*.xlsx;*.xlsm;*.xls),*.xlsx;*.xlsm;*.xls"
_LAST_YEAR_TITLE = "选择本单位上年报送的表"
_INSTITUTIONS_TITLE = "选择各机构（机关、二级机构）的表，可按住 Ctrl 多选"


def _last_year(book: Any) -> Any:
    """Last year's submission, as the user picks its file in Excel's Open dialog and the command line reads it."""
    from pathlib import Path

    from .prior_year import Earlier
    from .reader import UnreadableInput
    from .service import check_path

    try:
        chosen = book.app.api.GetOpenFilename(_WORKBOOKS, 1, _LAST_YEAR_TITLE)
    except AttributeError:  # Excel for Mac's api (appscript) has no Open dialog for us
        raise ButtonProblem(
            "本机的 Excel 无法打开选择文件的对话框；请在命令行运行 perfeval check 本表 --prior 上年的表 --in-place"
        ) from None
    if not chosen:  # Cancel answers False
        raise ButtonProblem("未选择上年报送的表，未作跨期核对。", "info")
    path = Path(str(chosen))
    try:
        return Earlier.of(check_path(path), path.name)
    except UnreadableInput as exc:
        raise ButtonProblem(f"上年的表 {path.name} 无法读取：{exc.message}") from None


def _institutions(book: Any) -> Any:
    """The institutions' forms, as the user picks their files in Excel's Open dialog (several at once) and the
    command line's --part reads them."""
    from pathlib import Path

    from .consolidate import ConsolidationError, Parts
    from .reader import UnreadableInput

    try:
        chosen = book.app.api.GetOpenFilename(
            FileFilter=_WORKBOOKS, FilterIndex=1, Title=_INSTITUTIONS_TITLE, MultiSelect=True
        )
    except AttributeError:  # Excel for Mac's api (appscript) has no Open dialog for us
        raise ButtonProblem(
            "本机的 Excel 无法打开选择文件的对话框；请在命令行运行 perfeval check 本表 --part 机构的表 --in-place"
        ) from None
    if not chosen:  # Cancel answers False; several files come as a tuple
        raise ButtonProblem("未选择各机构的表，未作汇总核对。", "info")
    own = Path(str(book.fullname)).resolve()  # picked with its institutions' forms, the open form is none of them
    paths = [Path(str(p)) for p in (chosen if isinstance(chosen, list | tuple) else [chosen])]
    paths = [p for p in paths if p.resolve() != own]
    if not paths:
        raise ButtonProblem("只选择了本表，没有选择各机构的表，未作汇总核对。", "info")
    try:
        return Parts.read(paths)
    except UnreadableInput as exc:
        raise ButtonProblem(f"机构的表 {Path(exc.path).name} 无法读取：{exc.message}") from None
    except ConsolidationError as exc:
        raise ButtonProblem(f"{exc.message}，未作汇总核对。") from None


def _run(book: Any, action: Callable[[Any], tuple[str, str]]) -> None:
    if book is None:
        import xlwings as xw

        book = xw.Book.caller()
    app = book.app
    updating = app.screen_updating
    app.screen_updating = False
    try:
        message, mode = action(book)
    except ButtonProblem as exc:
        message, mode = str(exc), exc.mode
    except Exception as exc:  # the user must see every failure, never a silent click
        from .reader import UnreadableInput

        if isinstance(exc, UnreadableInput):
            message = f"无法校验本工作簿：{exc.message}"
        else:
            last = traceback.extract_tb(exc.__traceback__)[-1]
            message = (
                f"perfeval 运行出错：{type(exc).__name__}: {exc}\n（{last.filename}:{last.lineno}）\n"
                "请把本提示截图发给技术支持；也可以在命令行运行 perfeval check 文件名 --in-place 校验同一文件。"
            )
        mode = "critical"
    finally:
        app.screen_updating = updating
    app.alert(message, title=TITLE, mode=mode)


def _recalculate(book: Any, lang: str, earlier: Any = None, parts: Any = None) -> tuple[str, str]:
    """Score and mark the book; with ``earlier`` (a ``prior_year.Earlier``), its figures for last year compared, with
    ``parts`` (a ``consolidate.Parts``), its figures compared with the sum of its institutions'."""
    from .engine import UNGRADED
    from .plan import build_plan
    from .prior_year import compared_with, not_compared
    from .report import moved_since, summed_from
    from .service import check_carrying_rules

    # Excel may be in manual calculation (it takes the mode of the first workbook opened in a session): calculate, as
    # F9 does, so that formulas are read with their current results, and again once our scores are written, so that
    # the formulas reading them (复核总分) show their new results.
    book.app.calculate()
    evaluation, carried = check_carrying_rules(
        read_book(book), earlier=earlier.before if earlier else None, parts=parts
    )
    plan = build_plan(evaluation, lang)
    with _structure_unlocked(book):
        results, unnoted = apply_plan(book, plan)
    book.app.calculate()
    scores = evaluation.scores
    errors, warnings = evaluation.severity_counts()
    if scores.total is None:
        lines = ["本表式不计分。"]
    else:
        total = round(scores.total, evaluation.definition.score_decimals)
        lines = [f"计算总分 {total:g}，评价等次 {scores.grade or UNGRADED['zh']}。"]
    if evaluation.findings:
        lines.append(f"发现错误 {errors} 项、提示 {warnings} 项，已在表中标出，明细见“{results}”工作表。")
        if unnoted:
            cells = "、".join(unnoted[:5]) + ("等" if len(unnoted) > 5 else "")
            lines.append(
                f"其中 {len(unnoted)} 个单元格（{cells}）Excel 不接受批注（单元格中已有可回复的新版批注），"
                f"只标了颜色，说明见“{results}”工作表。"
            )
        book.sheets[results].activate()
    else:
        lines.append("未发现问题。")
    if carried is not None:  # why a check may say more, or otherwise, than the form as published would
        lines.append("已按本表所附的财政局校验规则校验。")
    if earlier is not None:  # the 与上年报送的表核对 button: what was compared, or why nothing was
        known = evaluation.earlier
        lines.append(f"{compared_with(known.source, lang) if known else not_compared(earlier, evaluation, lang)}。")
        if moved := moved_since(earlier, evaluation, lang):
            lines.append(f"{moved}。")
    if parts is not None:  # the 与各机构的表核对 button: likewise
        said = summed_from(len(parts.files), lang) if evaluation.parts else parts.not_compared(evaluation, lang)
        lines.append(f"{said}。")
    return "\n".join(lines), "critical" if errors else "info"


def _report(book: Any) -> tuple[str, str]:
    """The report of the book's current contents (edits not yet saved included), in a file of its own beside the
    book: ``襄阳2021_自评报告.docx``, or ``…(2).docx`` when a report is there already (the unit may have gone on to
    edit it in Word, and loses nothing)."""
    from pathlib import Path

    from . import wordreport
    from .plan import unused_name
    from .service import check_carrying_rules
    from .unwritable import cannot_write

    if "://" in str(book.fullname):  # a book opened from OneDrive or SharePoint is named by its web address
        raise ButtonProblem(
            "本工作簿保存在 OneDrive 或 SharePoint 上：请先另存到本机的文件夹，自评报告写在它所在的文件夹中。"
        )
    saved = Path(str(book.fullname))
    if not saved.is_absolute():  # a book never saved is named 工作簿1, with no folder
        raise ButtonProblem("本工作簿尚未保存：请先保存，自评报告写在它所在的文件夹中。")
    book.app.calculate()
    evaluation, _ = check_carrying_rules(read_book(book))
    target = saved.with_name(
        unused_name(f"{saved.stem}_自评报告", ".docx", lambda name: saved.with_name(name).exists())
    )
    try:
        wordreport.write_report(evaluation, target)
    except OSError as exc:
        raise ButtonProblem(cannot_write(target, exc)) from None
    lines = [f"已生成自评报告：{target}"]
    if evaluation.findings:
        phrase = wordreport.findings_phrase(evaluation)
        lines.append(f"自评表尚有{phrase}，已列入附件2；点击“重新计算得分”可在表中标出。")
    return "\n".join(lines), "info"


def _clear(book: Any) -> tuple[str, str]:
    with _structure_unlocked(book):
        _clear_marks(book)
    return "已清除校验标记（颜色、批注和“校验结果”工作表），填报内容未改动。", "info"


def _rows(value: Any, shape: tuple[int, int]) -> list[list[Any]]:
    """A range's value or formula as a list of rows, whatever shape xlwings returned it in."""
    if not isinstance(value, list | tuple):
        return [[value]]
    if value and isinstance(value[0], list | tuple):
        return [list(row) for row in value]
    return [list(value)] if shape[0] == 1 else [[v] for v in value]


def read_book(book: Any) -> Any:
    """The open book as the WorkbookGrid the file reader would give for it saved: values (a number or a date as its
    format shows it: 96.5%, 11月20日, 2021年11月), merges, formula cells, whose results Excel has calculated, and the
    rows and columns hidden."""
    from .grid import SheetGrid, WorkbookGrid, as_shown
    from .reader import refuse_beyond_limit

    sheets = []
    for sheet in book.sheets:
        used = sheet.used_range
        top, left = used.row - 1, used.column - 1
        height, width = used.shape
        # Excel's used range grows with formatting too: a column bordered down to row 1,048,576 would have the
        # button read and walk millions of cells while Excel waits, so a sheet beyond the file reader's limit is
        # refused before a value is read.
        refuse_beyond_limit(str(book.fullname), sheet.name, top + height, left + width, in_excel=True)
        values = _rows(used.options(ndim=2, err_to_str=True).value, used.shape)  # #DIV/0! as such, not None
        formulas = _rows(used.formula, used.shape)
        cells: list[list[Any]] = [[""] * (left + width) for _ in range(top)]
        formula_cells = {}
        for r, row in enumerate(values):
            cells.append([""] * left + ["" if v is None else v for v in row])
            for c, formula in enumerate(formulas[r]):
                # Range.Formula of a constant is its text, so text typed as '=… also starts with "=": a formula's
                # value is its result, a constant's value is that same text.
                if isinstance(formula, str) and formula.startswith("=") and formula != row[c]:
                    formula_cells[(top + r, left + c)] = formula[1:]
                # A number shows as its format does: 96.5% is stored 0.965, 11月20日 a date of the year it was typed
                # in (the format is asked of numbers and dates alone, the few cells a form has, not of every cell).
                if isinstance(row[c], int | float | datetime.date) and not isinstance(row[c], bool):
                    shown = str(sheet.range((top + r + 1, left + c + 1)).number_format or "")
                    cells[-1][left + c] = as_shown(row[c], shown)
        merged = _merges(sheet, used, top, left, height, width)
        sheets.append(
            SheetGrid(
                name=sheet.name,
                cells=cells,
                merged=merged,
                formulas=formula_cells,
                calculated=True,
                visible=bool(sheet.visible),
                # Excel gives a hidden row a height of 0 and a hidden column a width of 0
                hidden_rows=frozenset(r for r in range(top, top + height) if sheet.range((r + 1, 1)).row_height == 0),
                hidden_cols=frozenset(
                    c for c in range(left, left + width) if sheet.range((1, c + 1)).column_width == 0
                ),
            )
        )
    return WorkbookGrid.from_sheets(str(book.fullname), sheets)


def _merges(sheet: Any, used: Any, top: int, left: int, height: int, width: int) -> list[tuple[int, int, int, int]]:
    """Merged ranges, asked row by row (Excel answers False for a row without any) to keep the calls few."""
    if used.merge_cells is False:
        return []
    merged, covered = [], set()
    for r in range(top, top + height):
        if sheet.range((r + 1, left + 1), (r + 1, left + width)).merge_cells is False:
            continue
        for c in range(left, left + width):
            if (r, c) in covered or not sheet.range((r + 1, c + 1)).merge_cells:
                continue
            area = sheet.range((r + 1, c + 1)).merge_area
            last = area.last_cell
            box = (area.row - 1, area.column - 1, last.row - 1, last.column - 1)
            merged.append(box)
            covered.update((rr, cc) for rr in range(box[0], box[2] + 1) for cc in range(box[1], box[3] + 1))
    return merged


def _text(value: Any) -> Any:
    """What to assign so Excel stores ``value`` as it is: a leading apostrophe keeps any text as text (never a
    formula, never a number or date parsed from it) and is not part of the cell's value. "" leaves the cell empty."""
    if isinstance(value, str):
        return f"'{value}" if value else None
    return value


def _rgb_hex(color: tuple[int, int, int] | None) -> str:
    return "" if color is None else "{:02X}{:02X}{:02X}".format(*color)


@contextmanager
def _unprotected(sheet: Any) -> Iterator[None]:
    """Lift a sheet's protection while we write and put it back with the same options. The templates protect
    without a password; a unit's own password is reported, not guessed."""
    api = sheet.api
    if not api.ProtectContents:
        yield
        return
    options = {flag: getattr(api.Protection, flag) for flag in _PROTECTION_FLAGS}
    try:
        api.Unprotect()
    except Exception as exc:
        raise ButtonProblem(f"工作表“{sheet.name}”设置了保护密码，请先“撤销工作表保护”再点击按钮。") from exc
    try:
        yield
    finally:
        api.Protect(DrawingObjects=True, Contents=True, Scenarios=True, **options)


@contextmanager
def _structure_unlocked(book: Any) -> Iterator[None]:
    """Lift the workbook's structure protection (审阅 → 保护工作簿) while we add and delete our sheets, and put it
    back as it was; a unit's own password is reported, not guessed."""
    api = book.api
    structure, windows = api.ProtectStructure, api.ProtectWindows
    if not (structure or windows):
        yield
        return
    try:
        api.Unprotect()
    except Exception as exc:
        raise ButtonProblem("本工作簿设置了“保护工作簿”密码，请先在“审阅”中撤销“保护工作簿”再点击按钮。") from exc
    try:
        yield
    finally:
        api.Protect(Structure=structure, Windows=windows)


def _sheet_names(book: Any) -> list[str]:
    return [sheet.name for sheet in book.sheets]


def _delete_sheet(book: Any, name: str) -> None:
    app = book.app
    alerts = app.display_alerts
    app.display_alerts = False  # Excel would ask to confirm the deletion
    try:
        book.sheets[name].delete()
    finally:
        app.display_alerts = alerts


def _clear_marks(book: Any) -> None:
    from .plan import MARKS_SHEET, marks_record, recorded_results_sheet, strip_note

    names = _sheet_names(book)
    if MARKS_SHEET not in names:
        return  # never marked: a sheet named 校验结果 is the unit's own
    marks = book.sheets[MARKS_SHEET]
    used = marks.used_range
    rows = [tuple(row) for row in _rows(used.options(ndim=2).value, used.shape)]
    by_sheet: dict[str, list[tuple[str, str]]] = {}
    for row in rows:
        sheet, cell, _, rgb = marks_record(row)
        if sheet in names and cell:
            by_sheet.setdefault(sheet, []).append((cell, rgb))
    for sheet_name, cells in by_sheet.items():
        sheet = book.sheets[sheet_name]
        with _unprotected(sheet):
            for cell, rgb in cells:
                target = sheet.range(cell)
                target.color = f"#{rgb}" if rgb else None
                note = target.note
                if note is not None and (rest := strip_note(note.text)) != note.text:  # ours in it: a unit's own
                    if rest:  # note or thread is left untouched
                        note.text = rest
                    else:
                        note.delete()
    _delete_sheet(book, MARKS_SHEET)
    if (results := recorded_results_sheet(rows)) in _sheet_names(book):
        _delete_sheet(book, results)


class Applied(NamedTuple):
    """What a press wrote: the results sheet's name (校验结果, or 校验结果(2) beside a sheet of the unit's own of that
    name), and the cells marked without a note because Excel refused one there."""

    results: str
    unnoted: list[str]


def apply_plan(book: Any, plan: Any) -> Applied:
    """Apply an annotation plan to an open xlwings book: the marks ``writeback.apply_plan`` writes to a file."""
    from .plan import MARKS_SHEET, RESULTS_RECORD, results_sheet_for

    active = book.sheets.active.name
    _clear_marks(book)
    # The record of what each marked cell had, and of our results sheet, goes in first: should Excel refuse a change
    # midway (a busy application), the next press or 清除校验标记 still gives every cell back what it had, and takes
    # away a results sheet half written.
    records = [[m.sheet, m.cell, "", _rgb_hex(book.sheets[m.sheet].range(m.cell).color)] for m in plan.marks]
    results = results_sheet_for(_sheet_names(book))
    marks = book.sheets.add(MARKS_SHEET, after=book.sheets[-1])
    records.append([RESULTS_RECORD, results, "", ""])
    marks.range("A1").value = [[_text(v) for v in record] for record in records]
    ws = book.sheets.add(results, before=marks)  # placed beside the marks sheet while it shows, not a hidden one
    marks.visible = False
    _results_sheet(ws, book, plan)
    touched = sorted({w.sheet for w in plan.writes} | {m.sheet for m in plan.marks}, key=_sheet_names(book).index)
    unnoted: list[str] = []
    for sheet_name in touched:
        sheet = book.sheets[sheet_name]
        with _unprotected(sheet):
            for write in (w for w in plan.writes if w.sheet == sheet_name):
                sheet.range(write.cell).value = write.value if write.formula else _text(write.value)
            for mark in (m for m in plan.marks if m.sheet == sheet_name):
                target = sheet.range(mark.cell)
                target.color = f"#{mark.fill}"
                if not _noted(target, mark.note):
                    unnoted.append(mark.cell)
    if active in _sheet_names(book):
        book.sheets[active].activate()
    return Applied(results, unnoted)


def _noted(target: Any, text: str) -> bool:
    """Add our part to a cell's note; False when Excel refuses it. Excel 365 keeps a note or a threaded comment
    (可回复的批注) on a cell, not both, and refuses a note beside a thread: the cell keeps its colour and its row in the
    results sheet."""
    from .plan import compose_note

    try:
        note = target.note
        if note is None:
            target.add_note(compose_note("", text))
        else:
            note.text = compose_note(note.text, text)
    except Exception:  # what Excel raises through COM or AppleScript: a cell with a thread, whatever its wording
        return False
    return True


def _results_sheet(ws: Any, book: Any, plan: Any) -> None:
    """Fill our results sheet ``ws`` of ``book``, just added, as an annotated copy's."""
    from .grid import sheet_ref
    from .plan import (
        ERROR_TEXT,
        HEADER_FILL,
        LINK_COLUMN,
        MESSAGE_COLUMN,
        RESULT_WIDTHS,
        SEVERITY_COLUMN,
        results_table,
    )

    table = results_table(plan)
    header_row = table.header
    ws.range("A1").value = [[_text(v) for v in row] for row in table.rows]
    ws.range((1, 1), (len(plan.summary), 1)).font.bold = True
    ws.range((1, 2), (len(plan.summary), 2)).horizontal_alignment = "left"
    for row in filter(None, (header_row, table.rules)):
        header = ws.range((row, 1), (row, len(RESULT_WIDTHS)))
        header.font.bold = True
        header.color = f"#{HEADER_FILL}"
        header.horizontal_alignment = "center"
        header.borders.set("all", line_style="continuous", weight="thin")
    for offset, result in enumerate(plan.results, start=1):
        link = ws.range((header_row + offset, LINK_COLUMN))
        link.add_hyperlink(f"#{sheet_ref(result.sheet, result.cell)}", text_to_display=result.cell)
    for col, width in enumerate(RESULT_WIDTHS, start=1):
        ws.range((1, col)).column_width = width
    for first, count in ((header_row, len(plan.results)), (table.rules, len(plan.rules))):
        if count:  # the texts wrap, and Excel makes their rows as tall as they need
            ws.range((first + 1, 1), (first + count, len(RESULT_WIDTHS))).vertical_alignment = "top"
            ws.range((first + 1, MESSAGE_COLUMN), (first + count, MESSAGE_COLUMN)).wrap_text = True
    for row in (row for row, severity, _ in table.wrapped if severity == "error"):
        level = ws.range((row, SEVERITY_COLUMN))
        level.font.bold = True
        level.font.color = f"#{ERROR_TEXT}"
    _laid_out(book, ws, header_row, len(plan.results), len(RESULT_WIDTHS))


def _laid_out(book: Any, ws: Any, header_row: int, found: int, width: int) -> None:
    """Filter, print and freeze the results as an annotated copy's are: a filter on the findings, A4 landscape one
    page wide with the header on every page, the header kept in view. These go through Excel's COM api (xlwings has
    no calls for them): Excel without a printer refuses page setup, and an Excel showing no window (started hidden)
    has none to freeze panes in. The sheet is complete without them, so each is tried alone and the press goes on."""
    if found:
        with suppress(Exception):
            ws.range((header_row, 1), (header_row + found, width)).api.AutoFilter(Field=1)
    with suppress(Exception):
        setup = ws.api.PageSetup
        setup.Orientation, setup.PaperSize = _LANDSCAPE, _A4
        setup.Zoom = False  # else Excel ignores FitToPages
        setup.FitToPagesWide, setup.FitToPagesTall = 1, False  # False: as many pages down as it takes
        setup.PrintTitleRows = f"${header_row}:${header_row}"
    with suppress(Exception):
        ws.activate()  # panes freeze in the window showing the sheet; apply_plan brings the user's back after
        window = book.app.api.ActiveWindow
        window.SplitColumn, window.SplitRow = 0, header_row
        window.FreezePanes = True
