"""Locating a form's blocks in a grid by their labels, tolerant of inserted rows, merges and extra columns."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace
from functools import lru_cache
from itertools import pairwise, takewhile
from typing import Any, NamedTuple

from .definition import BlockSpec, FieldSpec, FormDefinition, MatrixSpec, Section, SheetSpec, TableSpec
from .grid import (
    ISSUED_KEY,
    TEMPORAL,
    CellRef,
    SheetGrid,
    WorkbookGrid,
    arabic_years,
    fold_label,
    label_keys,
    temporal_text,
)
from .values import NIL_AMOUNTS, folds_to_one_of, parse_score

_WEIGHT_IN_LABEL = re.compile(r"\((\d+(?:\.\d+)?)分\)")
# Column types whose values add up over rows (得分, 分值, amounts): one of them merged over several rows is not
# each row's.
_ADDITIVE = frozenset({"score", "amount"})
# What a unit may type to name a row it added to sum those above (小计, 产出指标小计, 合计): no row of the form.
_SUBTOTAL = re.compile(r"(?:.*(?:小计|合计)|总计)(?:\([^()]*\))?")  # and its points or unit: 小计(40分), 合计(万元)
# What a unit writes below its last row (以下空白, （以下空白）, 以下无, 以下为空白, 此行以下空白, 以下空白（本页）,
# ——以下空白——), folded; 无 or 空白 alone may be a row's reason or explanation, and say nothing of the row.
_BLANK_BELOW = re.compile(
    r"[-—–~*]*\(?(?:此行|本行|本页|本表)?以下(?:为|均为|内容)?(?:空白|无)\)?(?:\(本页\))?[-—–~*]*"
)
# The labels official forms number their columns with under the header (栏次: 甲、乙、丙 before 1、2、3).
_STEMS = "甲乙丙丁戊己庚辛壬癸"


def _no_form_row(
    cells: dict[str, FieldValue],
    own: list[str],
    above: dict[str, tuple[int, int, int, int]],
    merges: dict[tuple[int, int], tuple[int, int, int, int]],
) -> bool:
    """Whether a table row with something typed in it is no row of the form: a subtotal a unit added (小计, ××合计,
    总计), the column numbers an official form prints under its header (栏次), a note written across the table (one
    cell merged over three of its columns or more), 以下空白, or placeholders alone (/ in every cell)."""
    texts = [fold_label(c.raw) for c in cells.values() if c.spec.type == "text" and isinstance(c.raw, str)]
    if any(_SUBTOTAL.fullmatch(text) or _BLANK_BELOW.fullmatch(text) for text in texts):
        return True
    if _column_numbers([c.raw for k, c in cells.items() if c.raw != "" and k not in above]):
        return True
    typed = [cells[k] for k in own]
    boxes = {merges.get((c.ref.row, c.ref.col)) for c in typed if c.ref is not None}
    if len(boxes) == 1 and None not in boxes and len(typed) >= 3:
        return True
    return all(isinstance(c.raw, str) and folds_to_one_of(c.raw, NIL_AMOUNTS) for c in typed)


def subtotal_name(cells: dict[str, FieldValue]) -> str | None:
    """What a row a unit added to sum others is called (小计, 产出指标小计, 合计), folded; None for any other row."""
    texts = (fold_label(c.raw) for c in cells.values() if c.spec.type == "text" and isinstance(c.raw, str))
    return next((text for text in texts if _SUBTOTAL.fullmatch(text)), None)


def _names_total(spec: TableSpec, cells: dict[str, FieldValue]) -> bool:
    """Whether a row's name marks the table's 汇总 row (even named 合计): a row of the form, never a subtotal."""
    named = cells.get(spec.columns[0].key)
    return named is not None and spec.is_total(str(named.raw))


def _column_numbers(values: list[Any]) -> bool:
    """Whether a row's values number the columns (栏次) instead of filling them: 栏次 itself, or at least three
    values that are 甲、乙、丙… then 1、2、3…, each one more than the one before."""
    texts = [fold_label(v) if isinstance(v, str) else v for v in values]
    if "栏次" in texts:
        return True
    if len(texts) < 3 or any(isinstance(v, str) and len(v) > 3 for v in texts):  # an indicator's name, a target…
        return False
    stems = list(takewhile(lambda v: isinstance(v, str) and len(v) == 1 and v in _STEMS, texts))
    ordinals = [_ordinal(v) for v in texts[len(stems) :]]
    if "".join(stems) != _STEMS[: len(stems)] or None in ordinals:
        return False
    return all(b - a == 1 for a, b in pairwise(n for n in ordinals if n is not None))


def _ordinal(value: Any) -> int | None:
    """A whole number, typed or as text (3, 3.0, "3"); None for anything else."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def norm_label(text: Any) -> str:
    """Fold a label or typed choice for comparison (see ``grid.fold_label``)."""
    return fold_label(str(text))


# An aside in brackets after a typed choice (正向（越大越好）, 达成预期指标（100%）), folded.
_CHOICE_ASIDE = re.compile(r"\([^()]*\)$")
# What units and provinces also call a choice: 逆向 and 负向 indicators are 反向 ones.
_OTHER_NAME = {"逆向": "反向", "负向": "反向"}
_OTHER_NAMES = re.compile(f"^(?:{'|'.join(_OTHER_NAME)})")


@lru_cache(maxsize=1024, typed=True)  # typed: True, 1 and 1.0 are different cells
def choice_named(typed: Any, choices: tuple[str, ...]) -> str | None:
    """The choice a typed value names: the choice itself, or with words that change nothing around it (已 or 全部
    before it, 指标 after it: 正向指标 is 正向, 全部达成预期指标 is 达成预期指标; an aside in brackets after it:
    正向（越大越好）), or by another name it goes by (逆向, 负向 for 反向); None for any other value."""
    text = _CHOICE_ASIDE.sub("", norm_label(typed)) or norm_label(typed)
    text = _OTHER_NAMES.sub(lambda m: _OTHER_NAME[m[0]], text, count=1)
    for choice in choices:
        if re.fullmatch(f"(?:已|全部|已全部)?{re.escape(norm_label(choice))}(?:指标)?", text):
            return choice
    return None


@lru_cache(maxsize=1024)
def _inline_pattern(label: str) -> re.Pattern[str]:
    """``label：value`` written in one cell."""
    return re.compile(re.escape(label) + r"\s*[:：]\s*(.+?)(?:\s{2,}|$)")


def _matches_any(text: str, labels: frozenset[str]) -> bool:
    """Whether a folded text is one of the folded labels, or one of them followed by a bracket (得分(20分*执行率))."""
    return any(key in labels for key in label_keys(text))


class FieldValue(NamedTuple):
    """A field's raw value as found, with the cell it came from (None when its label was not found). A named tuple,
    as ``CellRef`` is: every table cell of every file makes one."""

    spec: FieldSpec
    raw: Any
    ref: CellRef | None
    formula: bool = False

    @property
    def typed(self) -> Any:
        """The value as the unit typed it; a formula's cached result is never trusted."""
        return "" if self.formula else self.raw


@dataclass
class TableRow:
    excel_row: int
    cells: dict[str, FieldValue]
    section: str | None = None
    shown_section_weight: float | None = None
    section_weight_ref: CellRef | None = None

    def raw(self, key: str) -> Any:
        cell = self.cells.get(key)
        return "" if cell is None else cell.typed

    def ref(self, key: str) -> CellRef | None:
        cell = self.cells.get(key)
        return None if cell is None else cell.ref


@dataclass
class TableExtraction:
    spec: TableSpec
    columns: dict[str, int]
    rows: list[TableRow]
    # Scores or amounts merged over several rows (key, the merge's first and last cell): typed once, for which row
    # is not said.
    shared: list[tuple[str, CellRef, CellRef]] = field(default_factory=list)
    # Where its rows start: the sheet's name and the 0-based row below the header; None when no header was found.
    start: tuple[str, int] | None = None
    # The rows a unit added to sum others (小计, 产出指标小计, 合计), no rows of the form, each with the number of the
    # table's rows above it and its name, folded (see subtotal_name).
    subtotals: list[tuple[int, str, TableRow]] = field(default_factory=list)

    def first_cell(self, key: str) -> CellRef | None:
        """The cell of a column in the table's first row, where a unit types its first entry."""
        if self.start is None or key not in self.columns:
            return None
        return CellRef(self.start[0], self.start[1], self.columns[key])

    def name(self, row: TableRow) -> str:
        """A row's name as typed: its first column (机构名称)."""
        return str(row.raw(self.spec.columns[0].key)).strip()

    def title(self, row: TableRow) -> str:
        """What a row is called for the unit: its own name (三级指标) where the table has a name column below its
        groups (一级指标, 二级指标), else its first column."""
        return str(row.raw("name")).strip() if "name" in row.cells else self.name(row)

    def key(self, row: TableRow) -> str:
        """A row's name folded, so that 1、科协机关 and 科协机关 are one institution in every table."""
        return fold_label(self.name(row))

    def totals_and_members(self) -> tuple[list[TableRow], list[TableRow]]:
        """The named rows split into the 汇总 row(s) and the others (the institutions)."""
        named = [r for r in self.rows if self.name(r)]
        totals = [r for r in named if self.spec.is_total(self.name(r))]
        return totals, [r for r in named if r not in totals]


@dataclass
class Extraction:
    definition: FormDefinition
    sheet: SheetGrid  # the form's first sheet (a multi-sheet form's others are in ``sheets``)
    fields: dict[str, FieldValue]
    tables: dict[str, TableExtraction]
    year: int | None
    sheets: dict[str, SheetGrid] = field(default_factory=dict)  # by the definition's sheet name
    copies: dict[str, tuple[str, ...]] = field(default_factory=dict)  # other sheets holding a checked sheet's form
    anchors: dict[str, CellRef] = field(default_factory=dict)  # the cell of each block's anchor found, by block id
    issued_to: str = ""  # the unit of a bureau's list the template was issued to (see ``grid.ISSUED_KEY``), if any

    def block_cell(self, block: BlockSpec) -> CellRef:
        """Where a block is: its heading's cell (预算执行情况), else its sheet's A1."""
        sheet = self.sheets.get(self.definition.block_sheet(block), self.sheet)
        return self.anchors.get(block.id) or CellRef(sheet.name, 0, 0)

    @property
    def grids(self) -> dict[str, SheetGrid]:
        """The form's sheets by their names in the workbook (a ``CellRef``'s sheet)."""
        return {grid.name: grid for grid in (self.sheet, *self.sheets.values())}


def typed_cells(extraction: Extraction) -> list[tuple[str, FieldValue]]:
    """Every typed cell of the form once, with its definition key; output cells (ours) and unlocated fields left out
    (a cell two keys read is validated as the first)."""
    cells: dict[CellRef, tuple[str, FieldValue]] = {}
    for key, value in extraction.fields.items():
        if value.ref is not None and not value.spec.output:
            cells[value.ref] = (f"fields.{key}", value)
    for table_id, table in extraction.tables.items():
        names = {column.key: f"{table_id}.{column.key}" for column in table.spec.columns}
        for row in table.rows:
            for key, value in row.cells.items():
                if value.ref is not None and not value.spec.output:
                    cells.setdefault(value.ref, (names[key], value))
    return list(cells.values())


class WrongForm(Exception):
    """The workbook is not a filled copy of the requested form."""

    def __init__(self, message: str, message_en: str, form: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en
        self.form = form  # the form's id when it is the form, but incomplete


class OtherForm(WrongForm):
    """The sheets that carry the form's labels are titled as another form (a project's 项目支出绩效自评表)."""

    def __init__(self, definition: FormDefinition, sheet: SheetGrid, title: str) -> None:
        super().__init__(
            f"工作表“{sheet.name}”是{title}，不是{definition.region}《{definition.name}》，请提交部门整体的表",
            f"sheet '{sheet.name}' is a {title}, not a {definition.id} form",
        )


class FormLacksSheet(WrongForm):
    """The workbook holds some of a form's sheets only (湖南's 自评表 without its 基础数据表)."""

    def __init__(self, definition: FormDefinition, missing: list[SheetSpec]) -> None:
        titles = "”“".join(spec.title for spec in missing)
        labels = [label for spec in missing for label in spec.detect]
        super().__init__(
            f"{definition.region}《{definition.name}》缺少“{titles}”（找不到标签 {'、'.join(labels)}），请补齐后重新提交",
            f"a {definition.id} form without its {', '.join(spec.name for spec in missing)} sheet (labels not found: "
            f"{', '.join(labels)})",
            definition.id,
        )


def _find(
    sheet: SheetGrid, wanted: tuple[str, ...], start_row: int = 0, end_row: int | None = None
) -> tuple[int, int] | None:
    """The first cell, row by row from ``start_row``, whose folded text matches one of the folded labels."""
    end = sheet.height if end_row is None else min(end_row, sheet.height)
    first = None
    for label in wanted:
        positions = sheet.label_index.get(label)
        if positions:
            at = bisect_left(positions, (start_row, -1))
            if at < len(positions) and positions[at][0] < end and (first is None or positions[at] < first):
                first = positions[at]
    return first


def _has_label(sheet: SheetGrid, label: str) -> bool:
    """Whether a detection label is on the sheet, as a label or as a numbered heading (一、部门（单位）概况)."""
    folded = fold_label(label)
    return folded in sheet.label_index or folded in sheet.headings


def sheet_score(sheet: SheetGrid, labels: tuple[str, ...]) -> int:
    """How many of the detection labels appear on the sheet."""
    return sum(1 for label in labels if _has_label(sheet, label))


def _carries(sheet: SheetGrid, spec: SheetSpec) -> bool:
    """Whether a sheet carries every detection label of a part of the form."""
    return sheet_score(sheet, spec.detect) == len(spec.detect)


@lru_cache(maxsize=64)
def _folded(titles: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(fold_label(title) for title in titles)


def _candidates(book: WorkbookGrid, definition: FormDefinition) -> list[SheetGrid]:
    """The sheets that may be the form's: all but those titled as another form sharing its labels (and not also as
    this one: a note 附：项目支出绩效自评表 above the form's own title names the project forms, it does not title it)."""
    return [s for s in book.sheets.values() if _titled_other(s, definition) is None]


def _titled_other(sheet: SheetGrid, definition: FormDefinition) -> str | None:
    """The title of another form the sheet bears instead of this form's own, if it does."""
    other = _folded(definition.other_forms)
    if not other or (title := sheet.titled(other)) is None:
        return None
    own = _folded((definition.name, *(spec.title for spec in definition.sheets)))
    return None if sheet.titled(own) is not None else title


def find_form_sheets(book: WorkbookGrid, definition: FormDefinition) -> dict[str, SheetGrid]:
    """Each sheet of the form by its definition name: the sheet carrying all its detection labels (one sheet may carry
    several of the form's parts), or in our template its named sheet. When several do (a copy of the form), the one
    the unit sees and filled: a visible sheet before a hidden one, a filled one before one left empty, else the
    first."""
    ours = book.meta.get("form") == definition.id
    try:
        return {
            spec.name: _detect_sheet(book, definition, spec, book.sheets.get(spec.name) if ours else None)
            for spec in definition.sheets
        }
    except OtherForm:
        raise
    except WrongForm:
        if missing := _missing_parts(book, definition):
            raise FormLacksSheet(definition, missing) from None
        raise


def _detect_sheet(
    book: WorkbookGrid, definition: FormDefinition, spec: SheetSpec, named: SheetGrid | None
) -> SheetGrid:
    scores = [(sheet_score(s, spec.detect), s) for s in _candidates(book, definition)]
    found = [s for score, s in scores if score >= len(spec.detect) or s is named]
    if len(found) > 1:
        return max(found, key=lambda s: (s.visible, s.filled))  # max keeps the first of equals
    if found:
        return found[0]
    for sheet in book.sheets.values():
        if (title := _titled_other(sheet, definition)) is not None and _carries(sheet, spec):
            raise OtherForm(definition, sheet, title)
    best = max(scores, key=lambda pair: pair[0], default=None)
    missing = [] if best is None else [label for label in spec.detect if not _has_label(best[1], label)]
    raise WrongForm(
        f"不是{definition.region}《{definition.name}》：找不到标签 {'、'.join(missing) or '（无内容）'}",
        f"not a {definition.id} form: labels not found: {', '.join(missing)}",
    )


def form_copies(
    book: WorkbookGrid, definition: FormDefinition, sheets: dict[str, SheetGrid]
) -> dict[str, tuple[str, ...]]:
    """By the name of each sheet found for the form, the other sheets that carry all the detection labels of its
    part too: last year's sheet copied into the workbook, a second copy of the template's sheet."""
    chosen = {id(sheet) for sheet in sheets.values()}
    candidates = _candidates(book, definition)
    copies = {}
    for spec in definition.sheets:
        others = tuple(s.name for s in candidates if id(s) not in chosen and _carries(s, spec))
        if others:
            copies[sheets[spec.name].name] = others
    return copies


def _missing_parts(book: WorkbookGrid, definition: FormDefinition) -> list[SheetSpec]:
    """The sheets of a form of several that no sheet of the workbook is, when at least one other is: 湖南's 自评表
    sent without its 基础数据表. Empty when all are there, or none."""
    candidates = _candidates(book, definition)
    found = [spec for spec in definition.sheets if any(_carries(s, spec) for s in candidates)]
    return [spec for spec in definition.sheets if spec not in found] if found else []


def find_form_sheet(book: WorkbookGrid, definition: FormDefinition) -> SheetGrid:
    """The form's first sheet; raises WrongForm when any of its sheets is missing."""
    return find_form_sheets(book, definition)[definition.sheet_name]


def _title_year(sheets: list[SheetGrid], definition: FormDefinition) -> int | None:
    """The year a title states (桃江县2023年度…, 二〇二三年度), by the form's year pattern in each sheet's first rows."""
    if definition.year_pattern:
        for sheet in sheets:
            for row in sheet.cells[:6]:
                for value in row:
                    if isinstance(value, str) and (match := re.search(definition.year_pattern, arabic_years(value))):
                        return int(match[1])
    return None


@lru_cache(maxsize=4096)
def year_variants(label: str, year: int | None) -> tuple[str, ...]:
    """A label and the forms official layouts write it in for a given year: 本年决算数 as 2023年决算数, 上年决算数
    as 2022年决算数, 实际在职人数 as 2023年实际在职人数."""
    if year is None:
        return (label,)
    for prefix, shown in (("本年", year), ("上年", year - 1)):
        if label.startswith(prefix):
            rest = label[len(prefix) :]
            return (label, f"{shown}年{rest}", f"{shown}年度{rest}")
    return (label, f"{year}年{label}", f"{year}年度{label}")


@lru_cache(maxsize=4096)
def expand(labels: str | tuple[str, ...], year: int | None) -> tuple[str, ...]:
    """The folded labels with their year-stated variants (see ``year_variants``)."""
    return tuple(
        v
        for label in ((labels,) if isinstance(labels, str) else labels)
        for v in year_variants(fold_label(label), year)
    )


@dataclass(frozen=True)
class _FormLabels:
    """A form's folded labels for one year, worked out once: every file of a batch shares them."""

    definition: FormDefinition  # held so that the ids keying ``columns`` stay this definition's
    every: frozenset[str]  # every label of the form: a scan stops at one
    columns: dict[int, frozenset[str]]  # each table column's labels, by id() of its spec
    required: dict[int, frozenset[str]]  # each table's required column labels together, by id() of its spec
    headers: dict[int, frozenset[str]]  # each table's column labels together, by id() of its spec
    owners: dict[int, dict[str, tuple[str, ...]]]  # each table's column labels, to the keys of the columns they name
    others: dict[str, frozenset[str]]  # by block id, the labels of every other block: a value below stops at them


_FORM_LABELS: dict[tuple[int, int | None], _FormLabels] = {}


def _required(spec: TableSpec) -> list[FieldSpec]:
    """The columns a table's header must have: the official ones, not ours (added) nor the optional ones."""
    return [c for c in spec.columns if not (c.added or c.optional)]


def _owners(spec: TableSpec, year: int | None) -> dict[str, tuple[str, ...]]:
    """Each folded column label of a table, to the keys of the columns it names, in the table's column order."""
    owners: dict[str, tuple[str, ...]] = {}
    for column in spec.columns:
        for label in dict.fromkeys(expand(column.match, year)):
            owners[label] = (*owners.get(label, ()), column.key)
    return owners


def _own_labels(block: BlockSpec) -> tuple[str, ...]:
    """A block's own labels: its fields', its row label (部门整体支出总额), its anchor."""
    return (*(m for f in block.fields for m in f.match), *(x for x in (block.row_label, block.anchor) if x))


def _form_labels(definition: FormDefinition, year: int | None) -> _FormLabels:
    known = _FORM_LABELS.get((id(definition), year))
    if known is not None and known.definition is definition:
        return known
    labels = [m for b in definition.blocks for f in b.fields for m in f.match]
    labels += [m for t in definition.tables.values() for c in t.columns for m in c.match]
    labels += [b.anchor for b in definition.blocks if b.anchor]
    every = frozenset(v for label in labels for v in expand(label, year))
    found = _FormLabels(
        definition,
        every,
        {id(c): frozenset(expand(c.match, year)) for t in definition.tables.values() for c in t.columns},
        {id(t): frozenset(v for c in _required(t) for v in expand(c.match, year)) for t in definition.tables.values()},
        {id(t): frozenset(v for c in t.columns for v in expand(c.match, year)) for t in definition.tables.values()},
        {id(t): _owners(t, year) for t in definition.tables.values()},
        {b.id: every - frozenset(expand(_own_labels(b), year)) for b in definition.blocks},
    )
    _FORM_LABELS[(id(definition), year)] = found
    return found


class _Locator:
    def __init__(self, sheet: SheetGrid, definition: FormDefinition, blocks: list[BlockSpec], year: int | None) -> None:
        self.sheet = sheet
        self.definition = definition
        self.blocks = blocks
        self.year = year
        form_labels = _form_labels(definition, year)
        self.label_set = form_labels.every
        self.column_labels = form_labels.columns
        self.required_labels = form_labels.required
        self.header_labels = form_labels.headers
        self.column_owners = form_labels.owners
        self.other_labels = form_labels.others
        self.anchors: dict[str, CellRef] = {}
        self.regions = self._regions()

    def expand(self, labels: str | tuple[str, ...]) -> tuple[str, ...]:
        """The folded labels with their year-stated variants (see ``year_variants``)."""
        return expand(labels, self.year)

    def folded(self, column: FieldSpec) -> frozenset[str]:
        return self.column_labels[id(column)]

    def _regions(self) -> dict[str, tuple[int, int]]:
        anchors = {}
        for block in self.blocks:
            if block.anchor:
                labels = self.expand(block.anchor)
                found = _find(self.sheet, labels) or min(
                    (self.sheet.headings[label][0] for label in labels if label in self.sheet.headings), default=None
                )
                if found:
                    anchors[block.id] = found[0]
                    self.anchors[block.id] = CellRef(self.sheet.name, *found)
        starts = sorted(anchors.values())
        regions = {}
        for block_id, start in anchors.items():
            later = [s for s in starts if s > start]
            regions[block_id] = (start, later[0] if later else self.sheet.height)
        return regions

    def _is_label(self, row: int, col: int) -> bool:
        """A label cell of the form, also one written ``label：value`` (其中：一般公共预算：266.32)."""
        text = self.sheet.labels.get((row, col))
        if text is None:
            return False
        return _matches_any(text, self.label_set) or (":" in text and text.split(":", 1)[0] in self.label_set)

    def _row_has(self, row: int, labels: frozenset[str]) -> bool:
        keys = self.sheet.row_keys.get(row)
        return keys is not None and not keys.isdisjoint(labels)

    def _scan(
        self, row: int, col: int, d_row: int, d_col: int, limit: int, others: frozenset[str] = frozenset()
    ) -> tuple[Any, CellRef]:
        """First non-empty cell from (row, col) stepping (d_row, d_col); empty when a label comes first, or a row
        with one of ``others`` (the labels of the form's other blocks: 年度目标 under a blank 预算数 is another
        field's; the block's own row label, 部门整体支出总额, past a blank row a unit inserted, is not). A formula is
        the field's cell even with no result saved (a file from a program that writes none): the cell past it is
        another field's."""
        first = CellRef(self.sheet.name, row, col)
        for step in range(limit):
            r, c = row + step * d_row, col + step * d_col
            if step and others and self._row_has(r, others):
                return "", first
            value = self.sheet.value(r, c)
            if value == "" and (r, c) not in self.sheet.formulas:
                continue
            if self._is_label(r, c):
                return "", first
            return value, CellRef(self.sheet.name, r, c)
        return "", first

    def _inline(self, spec: FieldSpec) -> FieldValue | None:
        for row, col, value in self.sheet.colon_cells:
            for label in spec.match:
                match = _inline_pattern(label).search(value)
                if match:
                    return FieldValue(spec, match[1].strip(), CellRef(self.sheet.name, row, col))
        return None

    def cell(self, spec: FieldSpec, row: int, col: int) -> FieldValue:
        merge = self.sheet.merge_at(row, col)
        if merge:
            row, col = merge[0], merge[1]
        return FieldValue(
            spec,
            self.sheet.value(row, col),
            CellRef(self.sheet.name, row, col),
            self.sheet.stale(row, col, spec.computed),
        )

    def matrix_cell(self, spec: FieldSpec, block: BlockSpec) -> FieldValue:
        """A matrix cell: in its row label's row, under its column label (both searched in the block's region)."""
        start, end = self.regions.get(block.id, (0, self.sheet.height))
        column = _find(self.sheet, self.expand(spec.col_match), start, end)
        row = _find(self.sheet, self.expand(spec.row_match), column[0] + 1 if column else start, end)
        if column is None or row is None:
            return FieldValue(spec, "", None)
        return self.cell(spec, row[0], column[1])

    def under(self, spec: FieldSpec, table: TableExtraction) -> FieldValue:
        """A field in its label's row under a table column (总分 under 得分/自评分)."""
        found = _find(self.sheet, self.expand(spec.match))
        if found is None or spec.under not in table.columns:
            return FieldValue(spec, "", None)
        return self.cell(spec, found[0], table.columns[spec.under])

    def field(self, spec: FieldSpec, block: BlockSpec) -> FieldValue:
        if spec.col_match:
            return self.matrix_cell(spec, block)
        start, end = self.regions.get(block.id, (0, self.sheet.height))
        found = _find(self.sheet, self.expand(spec.match), start, end)
        if found is None:
            return self._inline(spec) or FieldValue(spec, "", None)
        row, col = found
        merge = self.sheet.merge_at(row, col)
        if spec.at == "below":
            below = (merge[2] if merge else row) + 1
            value, ref = self._scan(below, col, 1, 0, max(1, end - below), self.other_labels[block.id])
        else:
            right = (merge[3] if merge else col) + 1
            value, ref = self._scan(row, right, 0, 1, max(1, self.sheet.width - right))
        return FieldValue(spec, value, ref, formula=self.sheet.stale(ref.row, ref.col, spec.computed))

    def header_columns(self, spec: TableSpec, row: int) -> dict[str, int] | None:
        """Column positions when ``row`` starts a header of the table: it has one of the required official labels,
        and it has all of them with the rows below it that the header may spread over (``header_rows``)."""
        if not self._row_has(row, self.required_labels[id(spec)]):  # most rows fail here
            return None
        required = _required(spec)
        band = range(row, row + spec.header_rows)
        if not all(any(self._row_has(r, self.folded(c)) for r in band) for c in required):
            return None
        owners = self.column_owners[id(spec)]
        matches: dict[str, list[int]] = {c.key: [] for c in spec.columns}
        for r in band:
            for col, text in self.sheet.labels_by_row.get(r, ()):
                for key in {key for label in label_keys(text) for key in owners.get(label, ())}:
                    matches[key].append(col)
        columns: dict[str, int] = {}
        for column in spec.columns:
            after = columns.get(column.after, -1) if column.after else -1
            free = [col for col in matches[column.key] if col > after and col not in columns.values()]
            if free:
                columns[column.key] = free[0]
        return columns

    def header_end(self, spec: TableSpec, row: int) -> int:
        """The first row below a header starting at ``row``: past the last of its rows that has a column label."""
        labels = self.header_labels[id(spec)]
        band = [r for r in range(row, row + spec.header_rows) if self._row_has(r, labels)]
        return max(band) + 1

    def table(self, spec: TableSpec, block: BlockSpec) -> TableExtraction:
        start, end = self.regions.get(block.id, (0, self.sheet.height))
        header_row, columns = None, None
        for row in self._rows_with(self.required_labels[id(spec)], start, end):
            columns = self.header_columns(spec, row)
            if columns is not None:
                header_row = row
                break
        if header_row is None or columns is None:
            return TableExtraction(spec, {}, [])
        rows: list[TableRow] = []
        subtotals: list[tuple[int, str, TableRow]] = []
        carried: dict[str, Any] = {}
        shared: dict[CellRef, tuple[str, CellRef, CellRef]] = {}
        height = self.sheet.height
        stops = set(self._rows_with(frozenset(self.expand(spec.stop)), header_row + 1, height))
        # Rows that may repeat the header: the only ones worth asking header_columns about.
        headers = set(self._rows_with(self.required_labels[id(spec)], header_row + 1, height))
        row = first = self.header_end(spec, header_row)
        placed = [(column, columns[column.key]) for column in spec.columns if column.key in columns]
        name, formulas, merges = self.sheet.name, self.sheet.formulas, self.sheet.merge_index
        # The columns whose formula cells must not read as typed (see SheetGrid.stale): all of them in a file no
        # spreadsheet calculated, else the columns the form computes.
        watched = {column.key: column.computed or not self.sheet.calculated for column in spec.columns}
        while row < height and row not in stops:
            # A header repeated further down (a page break, or a part with other columns) re-maps the columns.
            repeated = self.header_columns(spec, row) if row in headers else None
            if repeated is not None:
                columns = repeated
                placed = [(column, columns[column.key]) for column in spec.columns if column.key in columns]
                row = self.header_end(spec, row)
                continue
            line = self.sheet.cells[row]
            width = len(line)
            # Nothing typed in the row's table columns and none of them inside a merge: the row adds nothing.
            if not any((col < width and line[col] not in ("", None)) or (row, col) in merges for _, col in placed):
                row += 1
                continue
            cells = {}
            above: dict[str, tuple[int, int, int, int]] = {}  # the cells merged with a row above, by column
            for column, col in placed:
                value = line[col] if col < width else None
                if value is None or value == "":
                    value = ""
                    if (merge := merges.get((row, col))) and (merge[0], merge[1]) != (row, col):
                        value = self.sheet.value(merge[0], merge[1])
                        if merge[0] < row:
                            above[column.key] = merge
                elif value.__class__ in TEMPORAL:
                    value = temporal_text(value)
                stale = watched[column.key] and (row, col) in formulas
                cells[column.key] = FieldValue(column, value, CellRef(name, row, col), stale)
            # A row whose every value is merged with the row above is that row, written taller.
            own = [
                k
                for k, c in cells.items()
                if c.raw != "" and not c.spec.fill_down and not c.spec.output and k not in above
            ]
            if own and _no_form_row(cells, own, above, merges) and not _names_total(spec, cells):
                if (subtotal := subtotal_name(cells)) is not None:
                    subtotals.append((len(rows), subtotal, TableRow(excel_row=row + 1, cells=cells)))
                row += 1
                continue
            for key, merge in above.items() if own else ():
                column = cells[key].spec
                if column.type in _ADDITIVE and not column.fill_down and not column.output:
                    # A score or an amount typed once for several rows belongs to none of the others: it is read
                    # in the first (at its cell), and the merge is reported there (PE109), not counted again.
                    anchor = CellRef(name, merge[0], merge[1])
                    cells[key] = FieldValue(column, "", anchor)
                    shared.setdefault(anchor, (key, anchor, CellRef(name, merge[2], merge[3])))
            for column in spec.columns:
                if column.fill_down and column.key in cells:
                    if cells[column.key].raw == "" and own:
                        cells[column.key] = FieldValue(column, carried.get(column.key, ""), cells[column.key].ref)
                    elif cells[column.key].raw != "":
                        carried[column.key] = cells[column.key].raw
            if own:
                rows.append(TableRow(excel_row=row + 1, cells=cells))
            row += 1
        return TableExtraction(spec, columns, rows, list(shared.values()), (name, first), subtotals)

    def _rows_with(self, labels: frozenset[str], start: int, end: int) -> list[int]:
        """The rows from ``start`` to ``end`` having one of the (folded) labels, top to bottom."""
        index = self.sheet.label_index
        return sorted({r for label in labels for r, _ in index.get(label, ()) if start <= r < end})

    def items(self, block: BlockSpec) -> dict[str, TableExtraction]:
        """The item rows under each matrix row that has them (项目支出 and its projects): every row up to the
        next row of the matrix, its name in the row labels' column, its amounts under the matrix columns."""
        matrix = block.matrix
        assert matrix is not None
        start, end = self.regions.get(block.id, (0, self.sheet.height))
        row_labels = frozenset(v for r in matrix.rows for v in self.expand(r.row_match or r.match))
        headers = {c.key: _find(self.sheet, self.expand(c.label), start, end) for c in matrix.columns}
        below = min((h[0] + 1 for h in headers.values() if h is not None), default=start)
        found = {}
        for row_key, spec in matrix.items.items():
            row_spec = next(r for r in matrix.rows if r.key == row_key)
            parent = _find(self.sheet, self.expand(row_spec.match), below, end)
            if parent is None:
                found[MatrixSpec.items_id(row_key)] = TableExtraction(spec, {}, [])
                continue
            columns = {"name": parent[1], **{key: h[1] for key, h in headers.items() if h is not None}}
            rows = []
            row = parent[0] + 1
            while row < end and not self._row_has(row, row_labels):
                cells = {c.key: self.cell(c, row, columns[c.key]) for c in spec.columns if c.key in columns}
                own = [key for key, cell in cells.items() if cell.raw != ""]
                if own and not _no_form_row(cells, own, {}, self.sheet.merge_index):  # a 小计 a unit added
                    rows.append(TableRow(excel_row=row + 1, cells=cells))
                row += 1
            found[MatrixSpec.items_id(row_key)] = TableExtraction(spec, columns, rows)
        return found


def _year(fields: dict[str, FieldValue], title_year: int | None) -> int | None:
    """The year typed into the form's year field, else the one its title states."""
    year_field = next((f for f in fields.values() if f.spec.type == "year"), None)
    if year_field is not None and year_field.typed != "":
        match = re.search(r"(19|20)\d{2}", arabic_years(str(year_field.typed)).replace(".0", ""))
        if match:
            return int(match[0])
    return title_year


def _names_section(level1: str, name: str) -> bool:
    """Whether a folded 一级指标 names a section: its name, with the weight or more after it (产出指标(40分)), or
    its name without 指标 as many units write it (满意度, 满意度(10分))."""
    stem = name.removesuffix("指标")
    return level1.startswith(name) or (stem != name and (level1 == stem or level1.startswith(stem + "(")))


def _assign_section(row: TableRow, sections: tuple[Section, ...]) -> None:
    """The row's 一级 section, the section weight the sheet shows (in the label or its 分值 column), and a signed
    score spec in a 加减分 section."""
    level1 = norm_label(row.raw("level1"))
    section = next((s for s in sections if _names_section(level1, norm_label(s.name))), None)
    if section is None:
        return
    row.section = section.name
    in_label = _WEIGHT_IN_LABEL.search(level1)
    typed = parse_score(row.raw("level1_weight"))
    if typed.kind == "number":
        row.shown_section_weight, row.section_weight_ref = typed.value, row.ref("level1_weight")
    elif in_label:
        row.shown_section_weight, row.section_weight_ref = float(in_label[1]), row.ref("level1")
    score = row.cells.get("score")
    if section.bonus is not None and score is not None:
        row.cells["score"] = score._replace(spec=replace(score.spec, signed=True))


def extract(book: WorkbookGrid, definition: FormDefinition) -> Extraction:
    """Find the form's sheets and read every field and table of the definition from them."""
    sheets = find_form_sheets(book, definition)
    year = _title_year(list(sheets.values()), definition)
    locators = {
        name: _Locator(sheet, definition, [b for b in definition.blocks if definition.block_sheet(b) == name], year)
        for name, sheet in sheets.items()
    }
    fields: dict[str, FieldValue] = {}
    tables: dict[str, TableExtraction] = {}
    for block in definition.blocks:
        locator = locators[definition.block_sheet(block)]
        if block.table is not None:
            tables[block.id] = locator.table(block.table, block)
        if block.matrix is not None and block.matrix.items:
            tables.update(locator.items(block))
    for block in definition.blocks:
        locator = locators[definition.block_sheet(block)]
        for spec in block.fields:
            if spec.under is not None:
                table = next(t for t in tables.values() if any(c.key == spec.under for c in t.spec.columns))
                fields[spec.key] = locator.under(spec, table)
            else:
                fields[spec.key] = locator.field(spec, block)
    sections = definition.indicators.sections if definition.indicators else ()
    for table in tables.values():
        for row in table.rows:
            _assign_section(row, sections)
    sheet = sheets[definition.sheet_name]
    return Extraction(
        definition=definition,
        sheet=sheet,
        fields=fields,
        tables=tables,
        year=_year(fields, year),
        sheets=sheets,
        copies=form_copies(book, definition, sheets),
        anchors={block: cell for locator in locators.values() for block, cell in locator.anchors.items()},
        issued_to=book.meta.get(ISSUED_KEY, ""),
    )
