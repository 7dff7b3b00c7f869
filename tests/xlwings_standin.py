"""An in-memory stand-in for the xlwings calls perfeval_xl.excel makes, because Excel cannot run on Linux.

It implements only those calls, nothing more, and copies Excel where our code depends on Excel's behaviour:
a leading apostrophe stores the rest as text and a leading "=" makes a formula, any change to a protected sheet
raises, MergeCells answers True / False / None (mixed), deleting a sheet needs display_alerts off (else Excel would
ask the user), a hidden sheet is just hidden. Books are loaded from workbook files with openpyxl, so the same file
can be annotated by the command line and by the "button" and the two results compared.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries

from perfeval_xl.writeback import merged_cells_as_saved

PROTECTION_FLAGS = {
    "AllowFormattingCells": "formatCells",
    "AllowFormattingColumns": "formatColumns",
    "AllowFormattingRows": "formatRows",
    "AllowInsertingColumns": "insertColumns",
    "AllowInsertingRows": "insertRows",
    "AllowInsertingHyperlinks": "insertHyperlinks",
    "AllowDeletingColumns": "deleteColumns",
    "AllowDeletingRows": "deleteRows",
    "AllowSorting": "sort",
    "AllowFiltering": "autoFilter",
    "AllowUsingPivotTables": "pivotTables",
}


class ProtectedSheetError(RuntimeError):
    """What Excel raises when a macro changes a protected sheet."""


@dataclass
class FakeApp:
    screen_updating: bool = True
    display_alerts: bool = True
    alerts: list[dict[str, Any]] = field(default_factory=list)
    books: list[FakeBook] = field(default_factory=list)
    # What the user picks in the Open dialog: a path, several (a tuple, as Excel answers with MultiSelect), or False
    # for Cancel.
    chosen: str | tuple[str, ...] | bool = False
    asked: list[tuple[Any, ...]] = field(default_factory=list)  # the Open dialogs shown: (filter, index, title, multi)

    @property
    def api(self) -> FakeApp:
        """App.api: the COM Application, of which only GetOpenFilename and ActiveWindow are called."""
        return self

    @property
    def ActiveWindow(self) -> _Window:
        """Application.ActiveWindow: the window of the book the button was pressed in, showing its active sheet."""
        return _Window(self.books[-1])

    def GetOpenFilename(
        self, FileFilter: str, FilterIndex: int, Title: str, ButtonText: str = "", MultiSelect: bool = False
    ) -> str | tuple[str, ...] | bool:
        """Application.GetOpenFilename, positional or named as Excel's type library names its arguments: the path
        the user picked (the paths, with MultiSelect), or False for Cancel."""
        self.asked.append((FileFilter, FilterIndex, Title, MultiSelect))
        if isinstance(self.chosen, tuple) and not MultiSelect:
            raise AssertionError("several files picked in a dialog that takes one")
        return self.chosen

    def calculate(self) -> None:
        """Application.Calculate (F9): every open book's formulas show their new results."""
        for book in self.books:
            for sheet in book.sheets:
                sheet.values.update(sheet.uncalculated)
                sheet.uncalculated.clear()

    def alert(
        self,
        prompt: str,
        title: str | None = None,
        buttons: str = "ok",
        mode: str | None = None,
        callback: str | None = None,
    ) -> str:
        self.alerts.append({"prompt": prompt, "title": title, "mode": mode})
        return "ok"


class FakeNote:
    def __init__(self, sheet: FakeSheet, key: tuple[int, int], text: str) -> None:
        self._sheet, self._key, self._text = sheet, key, text

    @property
    def text(self) -> str:
        return self._text

    @text.setter
    def text(self, value: str) -> None:
        self._sheet.check_unprotected()
        self._text = value

    def delete(self) -> None:
        self._sheet.check_unprotected()
        del self._sheet.notes[self._key]


class _Window:
    """Window: its panes freeze on the sheet it shows. SplitRow and SplitColumn count the rows and columns kept above
    and left; FreezePanes = True freezes there, False unfreezes."""

    def __init__(self, book: FakeBook) -> None:
        self.__dict__["_book"] = book
        self.__dict__["SplitRow"] = self.__dict__["SplitColumn"] = 0

    def __setattr__(self, name: str, value: Any) -> None:
        assert name in ("SplitRow", "SplitColumn", "FreezePanes"), name
        sheet = self._book.sheets.active
        assert sheet is not None
        if name == "FreezePanes":
            sheet.frozen = (self.SplitRow, self.SplitColumn) if value else None
        else:
            self.__dict__[name] = value


class _PageSetup:
    """PageSetup: what the button sets (Orientation, PaperSize, Zoom, FitToPagesWide/Tall, PrintTitleRows), kept as
    set; an Excel without a printer (the book's ``no_printer``) refuses them, as Excel does."""

    def __init__(self, sheet: FakeSheet) -> None:
        self.__dict__["_sheet"] = sheet

    def __setattr__(self, name: str, value: Any) -> None:
        assert name in ("Orientation", "PaperSize", "Zoom", "FitToPagesWide", "FitToPagesTall", "PrintTitleRows")
        if self._sheet.book.no_printer:
            raise RuntimeError(f"Unable to set the {name} property of the PageSetup class")
        self._sheet.page_setup[name] = value


class _RangeApi:
    """Range.api: the COM call for a filter (AutoFilter with a field and no criteria shows every row)."""

    def __init__(self, rng: FakeRange) -> None:
        self._range = rng

    def AutoFilter(self, Field: int) -> None:
        rng = self._range
        rng.sheet.autofilter = (rng.row, rng.column, rng._r2, rng._c2)


class _Protection:
    def __init__(self, flags: dict[str, bool]) -> None:
        self.__dict__.update(flags)


class _SheetApi:
    """Sheet.api: the COM calls for protection and page setup (xlwings has none of its own)."""

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet

    @property
    def PageSetup(self) -> _PageSetup:
        return _PageSetup(self._sheet)

    @property
    def ProtectContents(self) -> bool:
        return self._sheet.protected

    @property
    def Protection(self) -> _Protection:
        return _Protection(dict(self._sheet.protection))

    def Unprotect(self, password: str | None = None) -> None:
        if self._sheet.password and password != self._sheet.password:
            raise RuntimeError("The password you supplied is not correct.")
        self._sheet.protected = False

    def Protect(
        self, DrawingObjects: bool = True, Contents: bool = True, Scenarios: bool = True, **flags: bool
    ) -> None:
        unknown = set(flags) - set(PROTECTION_FLAGS)
        assert not unknown, unknown
        self._sheet.protected = True
        self._sheet.protection = {name: bool(flags.get(name, False)) for name in PROTECTION_FLAGS}


class StructureProtectedError(RuntimeError):
    """What Excel raises on adding, deleting or moving a sheet of a workbook whose structure is protected."""


class _BookApi:
    """Book.api: the COM calls for the workbook's structure protection (审阅 → 保护工作簿)."""

    def __init__(self, book: FakeBook) -> None:
        self._book = book

    @property
    def ProtectStructure(self) -> bool:
        return self._book.structure_protected

    @property
    def ProtectWindows(self) -> bool:
        return self._book.windows_protected

    def Unprotect(self, Password: str | None = None) -> None:
        if self._book.password and Password != self._book.password:
            raise RuntimeError("The password you supplied is not correct.")
        self._book.structure_protected = self._book.windows_protected = False

    def Protect(self, Password: str | None = None, Structure: bool = False, Windows: bool = False) -> None:
        self._book.structure_protected, self._book.windows_protected = Structure, Windows


class _Font:
    def __init__(self, rng: FakeRange) -> None:
        self._range = rng

    def _set_bold(self, value: bool) -> None:
        for key in self._range.cells():
            (self._range.sheet.bold.add if value else self._range.sheet.bold.discard)(key)

    def _set_color(self, value: str) -> None:
        for key in self._range.cells():
            self._range.sheet.font_colors[key] = value

    bold = property(None, _set_bold)  # we only ever set them
    color = property(None, _set_color)


class _Borders:
    """Range.borders (xlwings ≥ 0.37.1): we only ever set every side of a range at once."""

    def __init__(self, rng: FakeRange) -> None:
        self._range = rng

    def set(self, which: str = "all", *, line_style: str, weight: str) -> None:
        assert which == "all"
        self._range.sheet.check_unprotected()
        for key in self._range.cells():
            self._range.sheet.framed[key] = (line_style, weight)


class FakeRange:
    def __init__(
        self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int, ndim: int | None = None, err_to_str: bool = False
    ) -> None:
        self.sheet, self.row, self.column, self._r2, self._c2, self._ndim = sheet, r1, c1, r2, c2, ndim
        self._err_to_str = err_to_str

    def cells(self) -> list[tuple[int, int]]:
        return [(r, c) for r in range(self.row, self._r2 + 1) for c in range(self.column, self._c2 + 1)]

    @property
    def shape(self) -> tuple[int, int]:
        return self._r2 - self.row + 1, self._c2 - self.column + 1

    @property
    def last_cell(self) -> FakeRange:
        return FakeRange(self.sheet, self._r2, self._c2, self._r2, self._c2)

    def options(self, ndim: int | None = None, err_to_str: bool = False) -> FakeRange:
        return FakeRange(self.sheet, self.row, self.column, self._r2, self._c2, ndim, err_to_str)

    def _grid(self, source: dict[tuple[int, int], Any]) -> list[list[Any]]:
        return [[source.get((r, c)) for c in range(self.column, self._c2 + 1)] for r in range(self.row, self._r2 + 1)]

    @property
    def value(self) -> Any:
        """As xlwings gives it: a cell's error (#DIV/0!) is None unless asked for as text (err_to_str)."""
        values = self.sheet.values
        if not self._err_to_str:
            values = {key: None if key in self.sheet.errors else v for key, v in values.items()}
        grid = self._grid(values)
        if self._ndim == 2:
            return grid
        if self.shape == (1, 1):
            return grid[0][0]
        if self.shape[0] == 1:
            return grid[0]
        if self.shape[1] == 1:
            return [row[0] for row in grid]
        return grid

    @value.setter
    def value(self, value: Any) -> None:
        self.sheet.check_unprotected()
        rows = value if isinstance(value, list) and value and isinstance(value[0], list) else [[value]]
        for dr, row in enumerate(rows):
            for dc, item in enumerate(row):
                self.sheet.put(self.row + dr, self.column + dc, item)

    @property
    def number_format(self) -> str:
        return self.sheet.number_formats.get((self.row, self.column), "General")

    @property
    def formula(self) -> Any:
        grid = [
            [self.sheet.formulas.get((r, c)) or _as_formula_text(self.sheet.values.get((r, c))) for c in cols]
            for r in range(self.row, self._r2 + 1)
            for cols in [range(self.column, self._c2 + 1)]
        ]
        return grid[0][0] if self.shape == (1, 1) else tuple(tuple(row) for row in grid)

    def _merge_of(self, key: tuple[int, int]) -> tuple[int, int, int, int] | None:
        return next((m for m in self.sheet.merges if m[0] <= key[0] <= m[2] and m[1] <= key[1] <= m[3]), None)

    @property
    def merge_cells(self) -> bool | None:
        flags = {self._merge_of(key) is not None for key in self.cells()}
        return None if len(flags) > 1 else flags.pop()

    @property
    def merge_area(self) -> FakeRange:
        box = self._merge_of((self.row, self.column))
        return FakeRange(self.sheet, *box) if box else self

    @property
    def color(self) -> tuple[int, int, int] | None:
        return self.sheet.fills.get((self.row, self.column))

    @color.setter
    def color(self, value: str | None) -> None:
        self.sheet.check_unprotected()
        for key in self.cells():
            if value is None:
                self.sheet.fills.pop(key, None)
            else:
                self.sheet.fills[key] = tuple(int(value[i : i + 2], 16) for i in (1, 3, 5))

    @property
    def note(self) -> FakeNote | None:
        return self.sheet.notes.get((self.row, self.column))

    def add_note(self, text: str) -> FakeNote:
        self.sheet.check_unprotected()
        assert self.note is None, "This cell already has a note"
        note = self.sheet.notes[(self.row, self.column)] = FakeNote(self.sheet, (self.row, self.column), text)
        return note

    def add_hyperlink(self, address: str, text_to_display: str | None = None, screen_tip: str | None = None) -> None:
        self.sheet.check_unprotected()
        self.sheet.hyperlinks[(self.row, self.column)] = address
        self.sheet.put(self.row, self.column, text_to_display if text_to_display is not None else address)

    @property
    def api(self) -> _RangeApi:
        return _RangeApi(self)

    @property
    def font(self) -> _Font:
        return _Font(self)

    @property
    def borders(self) -> _Borders:
        return _Borders(self)

    @property
    def column_width(self) -> float | None:
        return 0.0 if self.column in self.sheet.hidden_cols else self.sheet.widths.get(self.column)

    @property
    def row_height(self) -> float | None:
        """A hidden row's height is 0, as Excel gives it (None for rows of different heights)."""
        heights = {0.0 if r in self.sheet.hidden_rows else 15.0 for r in range(self.row, self._r2 + 1)}
        return heights.pop() if len(heights) == 1 else None

    @column_width.setter
    def column_width(self, value: float) -> None:
        self.sheet.check_unprotected()
        self.sheet.widths[self.column] = value

    def _set_wrap_text(self, value: bool) -> None:
        self.sheet.check_unprotected()
        for key in self.cells():
            (self.sheet.wrapped.add if value else self.sheet.wrapped.discard)(key)

    def _set_vertical_alignment(self, value: str) -> None:
        self.sheet.check_unprotected()
        for key in self.cells():
            (self.sheet.top_aligned.add if value == "top" else self.sheet.top_aligned.discard)(key)

    def _set_horizontal_alignment(self, value: str) -> None:
        self.sheet.check_unprotected()
        for key in self.cells():
            self.sheet.aligned[key] = value

    wrap_text = property(None, _set_wrap_text)  # we only ever set them
    vertical_alignment = property(None, _set_vertical_alignment)
    horizontal_alignment = property(None, _set_horizontal_alignment)


def _as_formula_text(value: Any) -> str:
    """Range.Formula of a constant is its text ("" when empty), as Excel gives it."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FakeSheet:
    def __init__(self, book: FakeBook, name: str) -> None:
        self.book, self.name = book, name
        self.values: dict[tuple[int, int], Any] = {}
        self.formulas: dict[tuple[int, int], str] = {}
        self.merges: list[tuple[int, int, int, int]] = []
        self.fills: dict[tuple[int, int], tuple[int, int, int]] = {}
        self.notes: dict[tuple[int, int], FakeNote] = {}
        self.hyperlinks: dict[tuple[int, int], str] = {}
        self.bold: set[tuple[int, int]] = set()
        self.wrapped: set[tuple[int, int]] = set()  # cells whose text wraps
        self.top_aligned: set[tuple[int, int]] = set()
        self.aligned: dict[tuple[int, int], str] = {}  # horizontal alignment, where set
        self.font_colors: dict[tuple[int, int], str] = {}  # "#RRGGBB", where set
        self.framed: dict[tuple[int, int], tuple[str, str]] = {}  # (line style, weight) of every side, where set
        self.widths: dict[int, float] = {}
        self.hidden_rows: set[int] = set()  # 1-based, as xlwings numbers them
        self.hidden_cols: set[int] = set()
        self.number_formats: dict[tuple[int, int], str] = {}
        self.errors: set[tuple[int, int]] = set()  # cells showing a formula's error (#DIV/0!)
        # In manual calculation, a formula's new result, shown only once Excel calculates (its old one is in values).
        self.uncalculated: dict[tuple[int, int], Any] = {}
        self.page_setup: dict[str, Any] = {}
        self.autofilter: tuple[int, int, int, int] | None = None  # the range filtered, (r1, c1, r2, c2)
        self.frozen: tuple[int, int] | None = None  # the rows and columns frozen, as the window's split
        self.visible = True
        self.protected = False
        self.password = ""
        self.protection = {name: False for name in PROTECTION_FLAGS}
        self.api = _SheetApi(self)

    def check_unprotected(self) -> None:
        if self.protected:
            raise ProtectedSheetError(
                f"The cell or chart you're trying to change is on a protected sheet ({self.name})."
            )

    def put(self, row: int, col: int, value: Any) -> None:
        """Assigning a value as Excel's Range.Value does."""
        self.formulas.pop((row, col), None)
        if isinstance(value, str) and value.startswith("'"):
            self.values[(row, col)] = value[1:]
        elif isinstance(value, str) and value.startswith("="):
            self.formulas[(row, col)] = value
            self.values[(row, col)] = None
        elif value is None or value == "":
            self.values.pop((row, col), None)
        else:
            self.values[(row, col)] = value

    @property
    def used_range(self) -> FakeRange:
        keys = [k for k, v in self.values.items() if v is not None] + list(self.formulas)
        keys += [(m[2], m[3]) for m in self.merges] + [(m[0], m[1]) for m in self.merges]
        if not keys:
            return FakeRange(self, 1, 1, 1, 1)
        rows, cols = [k[0] for k in keys], [k[1] for k in keys]
        return FakeRange(self, min(rows), min(cols), max(rows), max(cols))

    def range(self, first: str | tuple[int, int], last: tuple[int, int] | None = None) -> FakeRange:
        if isinstance(first, str):
            letters, row = coordinate_from_string(first)
            col = column_index_from_string(letters)
            return FakeRange(self, row, col, row, col)
        r2, c2 = last if last is not None else first
        return FakeRange(self, first[0], first[1], r2, c2)

    def activate(self) -> None:
        self.book.sheets.active = self

    def delete(self) -> None:
        assert not self.book.app.display_alerts, "Excel would ask the user to confirm deleting the sheet"
        self.book.sheets.remove(self)


class FakeSheets:
    def __init__(self, book: FakeBook) -> None:
        self._book, self._sheets = book, []
        self.active: FakeSheet | None = None

    def __iter__(self) -> Any:
        return iter(list(self._sheets))

    def __len__(self) -> int:
        return len(self._sheets)

    def __getitem__(self, key: int | str) -> FakeSheet:
        if isinstance(key, int):
            return self._sheets[key]
        return next(s for s in self._sheets if s.name == key)

    def _check_structure(self) -> None:
        if self._book.structure_protected:
            raise StructureProtectedError("Workbook is protected and cannot be changed.")

    def add(self, name: str, before: FakeSheet | None = None, after: FakeSheet | None = None) -> FakeSheet:
        self._check_structure()
        assert all(s.name != name for s in self._sheets), f"a sheet named {name} exists"
        sheet = FakeSheet(self._book, name)
        if before is not None:
            index = self._sheets.index(before)
        else:
            index = self._sheets.index(after) + 1 if after is not None else 0
        self._sheets.insert(index, sheet)
        self.active = sheet
        return sheet

    def remove(self, sheet: FakeSheet) -> None:
        self._check_structure()
        self._sheets.remove(sheet)
        if self.active is sheet:
            self.active = next(s for s in self._sheets if s.visible)


class FakeBook:
    """Book.caller() stand-in: app, fullname and sheets."""

    def __init__(self, fullname: str) -> None:
        self.app = FakeApp()
        self.app.books.append(self)
        self.fullname = fullname
        self.sheets = FakeSheets(self)
        self.structure_protected = self.windows_protected = False
        self.password = ""
        self.no_printer = False  # Excel then refuses PageSetup's properties
        self.api = _BookApi(self)

    @classmethod
    def from_file(cls, path: str | Path) -> FakeBook:
        """The book as Excel would show it after opening the file: values (cached ones for formulas), number formats,
        formulas, merges, solid fills, notes, protection."""
        book = cls(str(path))
        with merged_cells_as_saved():  # a value under a merge stays, as Excel keeps it and Range.Value gives it
            formulas = load_workbook(path)  # read only for what the sheets show: no VBA project needed
            cached = load_workbook(path, data_only=True)
        for ws in formulas.worksheets:
            sheet = book.sheets.add(ws.title, after=book.sheets[-1] if len(book.sheets) else None)
            sheet.visible = ws.sheet_state == "visible"
            for row in ws.iter_rows():
                for cell in row:
                    key = (cell.row, cell.column)
                    if isinstance(cell.value, str) and cell.value.startswith("=") and cell.data_type == "f":
                        sheet.formulas[key] = cell.value
                        sheet.values[key] = cached[ws.title][cell.coordinate].value
                        if cached[ws.title][cell.coordinate].data_type == "e":
                            sheet.errors.add(key)
                    elif cell.value is not None:
                        sheet.values[key] = cell.value
                    if cell.number_format != "General":
                        sheet.number_formats[key] = cell.number_format
                    fill = cell.fill
                    if fill.fill_type == "solid" and fill.fgColor.type == "rgb":
                        rgb = str(fill.fgColor.rgb)[-6:]
                        sheet.fills[key] = tuple(int(rgb[i : i + 2], 16) for i in (0, 2, 4))
                    if cell.comment is not None:
                        sheet.notes[key] = FakeNote(sheet, key, cell.comment.text)
                    if cell.hyperlink is not None:
                        sheet.hyperlinks[key] = f"#{cell.hyperlink.location}"
            for merged in ws.merged_cells.ranges:
                c1, r1, c2, r2 = range_boundaries(merged.coord)
                sheet.merges.append((r1, c1, r2, c2))
            sheet.hidden_rows = {r for r, dimension in ws.row_dimensions.items() if dimension.hidden}
            for dimension in ws.column_dimensions.values():
                if dimension.hidden:
                    sheet.hidden_cols.update(range(dimension.min, dimension.max + 1))
            if ws.protection.sheet:
                sheet.protected = True
                sheet.password = ws.protection.password or ""
                sheet.protection = {flag: not getattr(ws.protection, attr) for flag, attr in PROTECTION_FLAGS.items()}
        book.sheets.active = book.sheets[formulas.active.title] if formulas.active else book.sheets[0]
        security = formulas.security
        if security is not None:
            book.structure_protected = bool(security.lockStructure)
            book.windows_protected = bool(security.lockWindows)
            book.password = security.workbookPassword or ""
        return book
