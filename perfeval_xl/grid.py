"""The in-memory grid every reader produces (file, live Excel book): cell values, merges, formula cells."""

from __future__ import annotations

import datetime
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, NamedTuple

from xlsxwriter.utility import xl_rowcol_to_cell

from .formula_refs import Area, formula_areas

META_SHEET = "_perfeval"
# The key of a template's hidden metadata under which a template issued to one unit of a bureau's list (perfeval
# template FORM --units 名单) names that unit as the list does: what comes back is that unit, however it typed its name.
ISSUED_KEY = "issued_to"


@lru_cache(maxsize=65536)
def a1(row: int, col: int) -> str:
    """A1 reference of a 0-based (row, col) (memoised: every file asks for the same few hundred)."""
    return xl_rowcol_to_cell(row, col)


# A number format's quoted text and escaped characters, which show as written (0"%" shows a literal %).
_FORMAT_LITERAL = re.compile(r'"[^"]*"|\\.')


def shows_percent(number_format: str) -> bool:
    """Whether a number format shows its number as a percentage (0%, 0.00%, 0.0%;[Red]-0.0%): a % outside quoted
    text and escapes. 0"%" shows a literal %, its number unscaled."""
    return "%" in _FORMAT_LITERAL.sub("", number_format)


def percent_shown(value: Any) -> Any:
    """A number under a percentage format as the percentage it shows (0.965 → "96.5%"), as a unit typing it as text
    would write it, so every reader gives what the unit sees; anything else as it is."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return f"{value * 100:.12g}%"
    return value


# A number format's sections in brackets ([$-804], [DBNum1], [Red]), which name a locale, numerals or a colour.
_FORMAT_BRACKETS = re.compile(r"\[[^\]]*\]")


def _format_codes(number_format: str) -> str:
    """A number format's codes alone, in lower case: its quoted text, escapes and bracketed sections left out."""
    return _FORMAT_BRACKETS.sub("", _FORMAT_LITERAL.sub("", number_format)).lower()


def shows_day_without_year(number_format: str) -> bool:
    """Whether a date format shows the day but not the year (m"月"d"日", m/d, d-mmm): what Chinese Excel makes of
    11月20日 typed in a cell, a date of the year it was typed in, which the unit never sees."""
    codes = _format_codes(number_format)
    return "d" in codes and "y" not in codes and "e" not in codes


def shows_month_without_day(number_format: str) -> bool:
    """Whether a date format shows the year and month but not the day (yyyy"年"m"月", mmm-yy): what Chinese Excel
    makes of 2021年11月 typed in a cell, the 1st of the month, a day the unit never sees."""
    codes = _format_codes(number_format)
    return "y" in codes and "m" in codes and not any(code in codes for code in "dhs")


def month_shown(value: Any) -> Any:
    """A date under a format showing no day as the month it shows (2021年11月); anything else as it is."""
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月"
    return value


def day_shown(value: Any) -> Any:
    """A date under a format showing no year as the day it shows (11月20日), the year Excel gave it left out; anything
    else as it is."""
    if isinstance(value, datetime.date):  # a datetime too
        return f"{value.month}月{value.day}日"
    return value


class _Shown(NamedTuple):
    """A way a number format changes what a value reads as: the formats it takes (by their code, and the built-in
    formats a file may name by number alone) and the value as they show it (others pass through unchanged)."""

    shows: Callable[[str], bool]
    builtin: frozenset[int]
    show: Callable[[Any], Any]


# Every reader (the .xlsx and .xls readers, the Excel button) reads a value as its format shows it, by these rules:
# a percentage (0% and 0.00% built in), a day without its year and a month without its day (the built-in d-mmm and
# mmm-yy, and the East Asian m"月"d"日" and yyyy"年"m"月": zh-CN, as ECMA-376 lists them).
_SHOWN = (
    _Shown(shows_percent, frozenset({9, 10}), percent_shown),
    _Shown(shows_day_without_year, frozenset({16, 28, 29, 51, 53, 54, 58}), day_shown),
    _Shown(shows_month_without_day, frozenset({17, 27, 36, 50, 52, 57}), month_shown),
)


def shown_by(code: str | None, builtin: int | None = None) -> Callable[[Any], Any] | None:
    """How a value under a number format reads (see ``_SHOWN``): by its code, or the built-in number a file gives
    without one; None when it reads as it is."""
    return next((s.show for s in _SHOWN if builtin in s.builtin or (code and s.shows(code))), None)


def as_shown(value: Any, number_format: str) -> Any:
    """A number or a date as its number format shows it: 96.5%, 11月20日, 2021年11月."""
    show = shown_by(number_format)
    return show(value) if show else value


# What both readers give for a cell under a date or time format (calamine and xlwings alike): Excel turns input
# such as 10-15 or 1/3 into a date. Such a value is read as its text, which every parser and output takes.
TEMPORAL = frozenset({datetime.date, datetime.datetime, datetime.time, datetime.timedelta})


def temporal_text(value: Any) -> str:
    """A date or time as text: 2021-10-15 (a date at midnight, as a date format shows it), 2021-10-15 08:30:00,
    12:00:00."""
    if isinstance(value, datetime.datetime) and value.time() == datetime.time():
        return value.date().isoformat()
    return value.isoformat(sep=" ") if isinstance(value, datetime.datetime) else str(value)


def sheet_ref(sheet: str, cell: str) -> str:
    """``'自评表'!C5``, the form users paste into Excel's name box and hyperlinks point to: the name always quoted,
    a quote in it doubled."""
    return "'{}'!{}".format(sheet.replace("'", "''"), cell)


class CellRef(NamedTuple):
    """A cell of a sheet, 0-based internally; ``a1`` and ``excel_row`` give what users see. A named tuple, not a
    dataclass: a file's tables make hundreds, and a tuple is made in half the time."""

    sheet: str
    row: int
    col: int

    @property
    def a1(self) -> str:
        return a1(self.row, self.col)

    @property
    def excel_row(self) -> int:
        return self.row + 1

    @property
    def place(self) -> tuple[str, int, int]:
        """The cell as a formula's areas name it (``formula_refs``): the sheet's name as Excel compares it, the 1-based
        column and row."""
        return self.sheet.casefold(), self.col + 1, self.row + 1


class _LabelTables(NamedTuple):
    """A sheet's folded text cells, indexed the ways the locator looks them up (see ``SheetGrid``)."""

    labels: dict[tuple[int, int], str]
    by_row: dict[int, list[tuple[int, str]]]
    index: dict[str, list[tuple[int, int]]]
    row_keys: dict[int, frozenset[str]]


@dataclass
class SheetGrid:
    """One sheet's values (0-based, '' for empty), merged ranges (inclusive corners) and formula cells (with their
    texts, without "=", and "" where a cell writes none: a shared formula filled down), and whether those hold
    results a spreadsheet calculated (a file Excel, WPS or LibreOffice saved) rather than what a library wrote, which
    asks for a full recalculation on load and caches nothing, or 0."""

    name: str
    cells: list[list[Any]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)
    calculated: bool = False
    visible: bool = True  # not hidden (nor very hidden) in the workbook
    hidden_rows: frozenset[int] = frozenset()  # rows and columns hidden in the sheet (0-based)
    hidden_cols: frozenset[int] = frozenset()

    @cached_property
    def filled(self) -> int:
        """How many cells hold something: a form filled in against the same form left empty."""
        return sum(1 for row in self.cells for v in row if v not in ("", None))

    @property
    def height(self) -> int:
        return len(self.cells)

    @cached_property
    def width(self) -> int:
        return max((len(r) for r in self.cells), default=0)

    def value(self, row: int, col: int) -> Any:
        if 0 <= row < len(self.cells) and 0 <= col < len(self.cells[row]):
            value = self.cells[row][col]
            return "" if value is None else temporal_text(value) if value.__class__ in TEMPORAL else value
        return ""

    def merge_at(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        return self.merge_index.get((row, col))

    @cached_property
    def merge_index(self) -> dict[tuple[int, int], tuple[int, int, int, int]]:
        """Every merged cell's range, by cell (the first range listed wins, as a scan would)."""
        index: dict[tuple[int, int], tuple[int, int, int, int]] = {}
        for box in self.merged:
            r0, c0, r1, c1 = box
            for r in range(r0, r1 + 1):
                for c in range(c0, c1 + 1):
                    index.setdefault((r, c), box)
        return index

    def areas_read(self, row: int, col: int) -> list[Area] | None:
        """The cell areas the formula in a cell reads (see ``formula_areas``); None for no formula, a shared one
        filled down (it writes no text of its own), or one whose reach cannot be told."""
        text = self.formulas.get((row, col))
        return formula_areas(text, self.name) if text else None

    def stale(self, row: int, col: int, computed: bool = False) -> bool:
        """Whether a cell's value must not be read as typed: a formula no spreadsheet calculated, or a formula in
        a cell the form computes (``computed``: the template's 执行率, 总分), whose result is ours to check, never
        the unit's to type. A unit's own formula in a saved workbook (执行数 = 基本支出 + 项目支出) reads as its
        result, what the unit sees."""
        return (row, col) in self.formulas and (computed or not self.calculated)

    @cached_property
    def _label_tables(self) -> _LabelTables:
        """``labels``, ``labels_by_row``, ``label_index`` and ``row_keys`` in one pass over the cells: the locator
        asks for all four on every sheet."""
        labels: dict[tuple[int, int], str] = {}
        by_row: dict[int, list[tuple[int, str]]] = {}
        index: dict[str, list[tuple[int, int]]] = {}
        row_keys: dict[int, frozenset[str]] = {}
        for r, row in enumerate(self.cells):
            # A comprehension passes over the row's numbers and blanks, most of its cells, faster than a loop.
            texts = [(c, fold_label(value)) for c, value in enumerate(row) if isinstance(value, str) and value]
            if not texts:
                continue
            keys: set[str] = set()
            for c, text in texts:
                at = (r, c)
                labels[at] = text
                text_keys = label_keys(text)
                keys.update(text_keys)
                for key in text_keys:
                    index.setdefault(key, []).append(at)
            by_row[r] = texts
            row_keys[r] = frozenset(keys)
        return _LabelTables(labels, by_row, index, row_keys)

    @property
    def labels(self) -> dict[tuple[int, int], str]:
        """Every text cell folded once for label matching (see ``fold_label``), by (row, col)."""
        return self._label_tables.labels

    @property
    def labels_by_row(self) -> dict[int, list[tuple[int, str]]]:
        """The folded text cells of each row, left to right."""
        return self._label_tables.by_row

    @property
    def label_index(self) -> dict[str, list[tuple[int, int]]]:
        """Positions, in row-major order, by folded text and by the part before a bracket, so ``得分`` finds
        ``得分(20分*执行率)``."""
        return self._label_tables.index

    @property
    def row_keys(self) -> dict[int, frozenset[str]]:
        """The label keys (see ``label_index``) of each row: whether a row has one of some labels is one set test."""
        return self._label_tables.row_keys

    @cached_property
    def headings(self) -> dict[str, list[tuple[int, int]]]:
        """The positions of the sheet's numbered headings, in row-major order, by their label keys without their
        number (四、评价人员 under 评价人员): a form's parts are named by their headings, numbered or not, while the
        labels stay as typed (see ``_LABEL_PREFIX``)."""
        index: dict[str, list[tuple[int, int]]] = {}
        for at, text in self.labels.items():
            if text[:1] in _HEADING_STARTS and (bare := _HEADING_NUMBER.sub("", text, count=1)) != text and bare:
                for key in label_keys(bare):
                    index.setdefault(key, []).append(at)
        return index

    def titled(self, titles: tuple[str, ...]) -> str | None:
        """The title among ``titles`` (folded) that the sheet bears: a short text of its first rows that ends with it
        (2023年度项目支出绩效自评表), not a long text that mentions it."""
        for (row, _), text in self.labels.items():
            if row >= _TITLE_ROWS:
                break
            title = next((t for t in titles if text.endswith(t) and len(text) <= len(t) + _TITLE_PREFIX), None)
            if title is not None:
                return title
        return None

    @cached_property
    def colon_cells(self) -> list[tuple[int, int, str]]:
        """The text cells holding a colon, the only ones that can be written ``label：value``."""
        return [
            (r, c, v)
            for r, row in enumerate(self.cells)
            for c, v in enumerate(row)
            if isinstance(v, str) and (":" in v or "：" in v)
        ]


# Where a form's title is: in the first rows (below an 附件2 and a blank row at most), after its unit, region and year
# at most (桃江县2023年度部门整体支出绩效自评表).
_TITLE_ROWS = 6
_TITLE_PREFIX = 30


@lru_cache(maxsize=65536)
def label_keys(text: str) -> tuple[str, ...]:
    """A folded text and each part of it before a bracket: the keys a label matches it by (``得分`` matches
    ``得分(20分*执行率)``). Memoised, as ``fold_label`` is."""
    keys = [text]
    cut = text.find("(", 1)
    while cut != -1:
        keys.append(text[:cut])
        cut = text.find("(", cut + 1)
    return tuple(keys)


# Characters that show nothing, which text pasted from a web page, WeChat or a PDF carries: zero-width spaces and
# joiners, direction marks, the word joiner, a byte-order mark, a soft hyphen. NFKC keeps them, and \s is not them.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"))
# What precedes a row label in official layouts without changing it: 其中： and a row number (1、 2.). Heading
# numbers (一、 （一）) stay: a heading may repeat the label of the field below it (四、…公开情况 / …公开情况).
_LABEL_PREFIX = re.compile(r"^(?:其中:)?(?:\d{1,2}[、.](?=\D))?(?:其中:)?")
# A heading's number, folded (一、 (一) 第一部分 第一章): what a form's part is named by stays the same without it.
_NUMERAL = "[一二三四五六七八九十]{1,3}"
_HEADING_STARTS = frozenset("一二三四五六七八九十(第")
_HEADING_NUMBER = re.compile(rf"^(?:{_NUMERAL}[、.]|\({_NUMERAL}\)|第{_NUMERAL}(?:部分|章|节)?[、.:]?)")
# The marks forms from budget systems put before or after a required cell's label (*预算数, 三级指标*, ※, ★).
_REQUIRED_MARKS = "*※★"


@lru_cache(maxsize=65536)
def fold_label(text: str) -> str:
    """Fold a label for comparison: full-width forms, whitespace, a required mark (*), a trailing colon, a leading
    其中：, a row number and a year in Chinese numerals (二〇二二年决算数 is 2022年决算数) do not matter. Memoised:
    the submissions of one form repeat the same labels file after file."""
    folded = re.sub(r"\s+", "", _arabic_years(unicodedata.normalize("NFKC", text.translate(INVISIBLE))))
    folded = folded.strip(_REQUIRED_MARKS).rstrip(":") or folded
    return _LABEL_PREFIX.sub("", folded, count=1) or folded


_CHINESE_YEAR = re.compile("[〇零一二三四五六七八九]{4}")
_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")


@lru_cache(maxsize=4096)
def arabic_years(text: str) -> str:
    """Text with its years in arabic digits, as official documents write them otherwise: 二〇二三 (or 二零二三) and
    ２０２３ are 2023. Memoised: the titles of one form's submissions repeat."""
    return _arabic_years(unicodedata.normalize("NFKC", text))


def _arabic_years(text: str) -> str:
    """``arabic_years`` of text already folded to its compatibility forms (NFKC)."""
    return _CHINESE_YEAR.sub(lambda m: m[0].translate(_CHINESE_DIGITS), text) if "二" in text else text


def indicator_key(text: object) -> str:
    """An indicator name folded for matching: quotes do not matter either (“三公经费”控制率 = "三公经费"控制率)."""
    return re.sub(r"[\"'“”‘’「」]", "", fold_label(str(text)))


@dataclass
class WorkbookGrid:
    """All sheets of a workbook by name, in order, plus the metadata our templates hide in ``_perfeval``."""

    path: str
    sheets: dict[str, SheetGrid]
    meta: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_sheets(cls, path: str, sheets: list[SheetGrid]) -> WorkbookGrid:
        visible = {s.name: s for s in sheets if s.name != META_SHEET}
        meta_sheet = next((s for s in sheets if s.name == META_SHEET), None)
        meta = {}
        if meta_sheet is not None:
            meta = {str(r[0]): str(r[1]) for r in meta_sheet.cells if len(r) >= 2 and r[0] not in ("", None)}
        return cls(path=path, sheets=visible, meta=meta)
