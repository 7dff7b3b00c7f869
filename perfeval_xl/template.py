"""Building a form's Excel template with XlsxWriter from its definition, optionally filled with data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import __version__
from .definition import BlockSpec, FieldSpec, FormDefinition
from .grid import META_SHEET

INPUT_TINT = "#FFF2CC"
COMPUTED_TINT = "#E7E6E6"
FONT = "宋体"
TITLE_FONT = "黑体"
PAIR_SLOTS = ((0, 1, 2, 4), (5, 6, 7, None))  # label first/last col, value first/last col (None: to the edge)


@dataclass
class _Formats:
    book: Workbook
    cache: dict[tuple[tuple[str, Any], ...], Any] = field(default_factory=dict)

    def get(self, **props: Any) -> Any:
        base = {"font_name": FONT, "font_size": 10, "border": 1, "valign": "vcenter", "text_wrap": True}
        base.update(props)
        key = tuple(sorted(base.items()))
        if key not in self.cache:
            self.cache[key] = self.book.add_format(base)
        return self.cache[key]

    def label(self) -> Any:
        return self.get(bold=True, align="center")

    def input(self, num_format: str | None = None, align: str = "left") -> Any:
        props: dict[str, Any] = {"locked": False, "bg_color": INPUT_TINT, "align": align}
        if num_format:
            props["num_format"] = num_format
        return self.get(**props)

    def computed(self, num_format: str | None = None) -> Any:
        props: dict[str, Any] = {"bg_color": COMPUTED_TINT, "align": "center", "bold": True}
        if num_format:
            props["num_format"] = num_format
        return self.get(**props)


NUM_FORMATS = {"amount": "#,##0.00", "rate": "0.00%", "score": "0.##", "year": "0"}


class _Builder:
    def __init__(self, definition: FormDefinition, book: Workbook, data: dict[str, Any]) -> None:
        self.d = definition
        self.book = book
        self.ws: Worksheet = book.add_worksheet(definition.sheet_name)
        self.fmt = _Formats(book)
        self.data = data
        self.row = 0
        self.cells: dict[str, str] = {}
        self.columns: dict[str, int] = {}
        self.table_rows = (0, 0)
        table = next((b.table for b in definition.blocks if b.table is not None), None)
        self.last_col = len(table.columns) if table else 8

    def cell(self, key: str) -> str:
        return self.cells[key]

    def merge(self, r0: int, c0: int, r1: int, c1: int, value: Any, fmt: Any) -> None:
        if (r0, c0) == (r1, c1):
            self.ws.write(r0, c0, value, fmt)
        else:
            self.ws.merge_range(r0, c0, r1, c1, value, fmt)

    def value_format(self, spec: FieldSpec) -> Any:
        num = NUM_FORMATS.get(spec.type)
        if spec.computed or spec.output:
            return self.fmt.computed(num)
        return self.fmt.input(num, align="left" if spec.type in ("text", "quantity", "choice") else "right")

    def put(self, row: int, col: int, spec: FieldSpec, fmt: Any, value: Any) -> None:
        """Write data into an input cell; computed and output cells (and missing data) stay blank."""
        if value is None or spec.computed or spec.output:
            self.ws.write_blank(row, col, None, fmt)
        else:
            self.ws.write(row, col, value, fmt)

    def write_value(self, row: int, col: int, spec: FieldSpec, fmt: Any) -> None:
        self.put(row, col, spec, fmt, self.data.get("fields", {}).get(spec.key))

    def title(self) -> None:
        fmt = self.fmt.get(font_name=TITLE_FONT, font_size=16, bold=True, align="center", border=0)
        self.ws.merge_range(0, 0, 0, self.last_col, self.d.title, fmt)
        self.ws.set_row(0, 32)
        self.row = 1

    def pairs(self, block: BlockSpec) -> None:
        short = [f for f in block.fields if not f.tall]
        for i in range(0, len(short), len(PAIR_SLOTS)):
            for spec, (l0, l1, v0, v1) in zip(short[i : i + len(PAIR_SLOTS)], PAIR_SLOTS, strict=False):
                v1 = self.last_col if v1 is None else v1
                self.merge(self.row, l0, self.row, l1, spec.label, self.fmt.label())
                fmt = self.value_format(spec)
                self.merge(self.row, v0, self.row, v1, None, fmt)
                self.write_value(self.row, v0, spec, fmt)
                self.cells[spec.key] = xl_rowcol_to_cell(self.row, v0, row_abs=True, col_abs=True)
            self.ws.set_row(self.row, 22)
            self.row += 1
        for spec in (f for f in block.fields if f.tall):
            self.merge(self.row, 0, self.row, 1, spec.label, self.fmt.label())
            fmt = self.value_format(spec)
            self.merge(self.row, 2, self.row, self.last_col, None, fmt)
            self.write_value(self.row, 2, spec, fmt)
            self.cells[spec.key] = xl_rowcol_to_cell(self.row, 2, row_abs=True, col_abs=True)
            self.ws.set_row(self.row, 96)
            self.row += 1

    def header_values(self, block: BlockSpec) -> None:
        """A block whose labels head columns and whose values sit below them (预算执行情况)."""
        top = self.row
        self.merge(top, 0, top + 1, 0, block.title or block.anchor, self.fmt.label())
        self.ws.write_blank(top, 1, None, self.fmt.label())
        self.ws.write(top + 1, 1, block.row_label or "", self.fmt.label())
        for offset, spec in enumerate(block.fields):
            col = 2 + offset
            self.ws.write(top, col, spec.label, self.fmt.label())
            fmt = self.value_format(spec)
            self.write_value(top + 1, col, spec, fmt)
            self.cells[spec.key] = xl_rowcol_to_cell(top + 1, col, row_abs=True, col_abs=True)
        self.ws.set_row(top, 30)
        self.ws.set_row(top + 1, 22)
        self.row = top + 2

    def table(self, block: BlockSpec) -> None:
        assert block.table is not None
        table = block.table
        rules = self.d.indicators
        header = self.row
        for offset, spec in enumerate(table.columns):
            col = 1 + offset
            self.ws.write(header, col, spec.label, self.fmt.label())
            self.columns[spec.key] = col
            if spec.width:
                self.ws.set_column(col, col, spec.width)
        self.ws.set_row(header, 30)
        given = self.data.get("tables", {}).get(block.id, [])
        sections = [(s.name, f"{s.name}（{s.weight:g}分）") for s in rules.sections] if rules else [("", "")]
        spare = table.spare_rows // max(1, len(sections))
        row = header + 1
        for name, label in sections:
            rows = [r for r in given if r.get("section", "") == name]
            for index in range(len(rows) + spare):
                values = rows[index] if index < len(rows) else {}
                for offset, spec in enumerate(table.columns):
                    col = 1 + offset
                    if spec.key == "level1" and label:
                        self.ws.write(row, col, label, self.fmt.get(align="center", bg_color=COMPUTED_TINT))
                        continue
                    fmt = self.value_format(spec)
                    if spec.type == "choice":
                        self.ws.data_validation(
                            row,
                            col,
                            row,
                            col,
                            {
                                "validate": "list",
                                "source": list(spec.choices),
                                "ignore_blank": True,
                                "error_title": spec.label,
                                "error_message": "请从下拉列表中选择：" + "、".join(spec.choices),
                            },
                        )
                    self.put(row, col, spec, fmt, values.get(spec.key))
                row += 1
        last = row - 1
        self.merge(header, 0, last, 0, block.anchor or block.title, self.fmt.label())
        self.table_rows = (header + 1, last)
        self.ws.repeat_rows(header)
        self.row = row

    def column_range(self, key: str) -> str:
        col = self.columns[key]
        first, last = self.table_rows
        return f"{xl_rowcol_to_cell(first, col, True, True)}:{xl_rowcol_to_cell(last, col, True, True)}"

    def formulas(self) -> None:
        """Live formulas for every computed cell; they give the numbers the Python scorer gives."""
        d = self.d
        formulas: dict[str, str] = {}
        if d.budget is not None:
            b = d.budget
            budget, executed = self.cell(b.budget), self.cell(b.executed)
            rate = f"{executed}/{budget}"
            if b.rate:
                formulas[b.rate] = f'=IF(N({budget})>0,{executed}/{budget},"")'
                rate = self.cell(b.rate)
            printed = f"ROUND({rate},{d.rate_decimals})"
            if b.score:
                w = f"{b.weight:g}"
                if b.rule == "linear":
                    body = f"MIN({w},MAX(0,{w}*({printed}-{b.floor:g})/(1-{b.floor:g})))"
                else:
                    body = f"MIN({w},MAX(0,{w}*{printed}))"
                formulas[b.score] = f'=IF({rate}="","",{body})'
        budget_points = f"N({self.cell(d.budget.score)})+" if d.budget and d.budget.score else ""
        if d.total and "score" in self.columns:
            formulas[d.total] = f"={budget_points}SUM({self.column_range('score')})"
        checked = next((f for f in d.fields.values() if f.output and f.type == "score"), None)
        if checked is not None and "computed_score" in self.columns:
            formulas[checked.key] = f"={budget_points}SUM({self.column_range('computed_score')})"
        if d.grade and d.total:
            total = self.cell(d.total)
            expression = f'"{d.grades[-1][0]}"'
            for name, minimum in reversed(d.grades[:-1]):
                expression = f'IF({total}>={minimum:g},"{name}",{expression})'
            formulas[d.grade] = f"={expression}"
        for key, formula in formulas.items():
            spec = d.fields[key]
            self.ws.write_formula(self.cell(key), formula, self.value_format(spec))

    def footnotes(self) -> None:
        if not self.d.footnotes:
            return
        lines = self.d.footnotes.count("\n") + 1
        fmt = self.fmt.get(border=0, align="left", valign="top", font_size=9)
        self.ws.merge_range(self.row, 0, self.row, self.last_col, self.d.footnotes, fmt)
        self.ws.set_row(self.row, 16 * lines + 24)
        self.row += 1

    def page_setup(self) -> None:
        ws = self.ws
        ws.set_column(0, 0, 7)
        ws.set_column(1, 2, 12)
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.6, bottom=0.6)
        ws.set_footer("&C第 &P 页，共 &N 页")
        ws.protect("", {"format_columns": True, "format_rows": True, "insert_rows": True, "delete_rows": True})

    def build(self) -> None:
        self.page_setup()
        self.title()
        for block in self.d.blocks:
            if block.table is not None:
                self.table(block)
            elif any(f.at == "below" for f in block.fields):
                self.header_values(block)
            else:
                self.pairs(block)
        self.formulas()
        self.footnotes()


def _meta_sheet(book: Workbook, definition: FormDefinition) -> None:
    meta = book.add_worksheet(META_SHEET)
    for row, (key, value) in enumerate(
        (("form", definition.id), ("version", definition.version), ("generator", f"perfeval_xl {__version__}"))
    ):
        meta.write_string(row, 0, key)
        meta.write_string(row, 1, value)
    meta.very_hidden()


def build_template(definition: FormDefinition, path: str | Path, data: dict[str, Any] | None = None) -> Path:
    """Write the form's template to ``path``; ``data`` ({"fields": {...}, "tables": {id: [row, ...]}}) fills
    its input cells, which is how the examples and test variants are made."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    book.set_properties(
        {
            "title": f"{definition.region}{definition.name}",
            "subject": definition.id,
            "comments": f"perfeval_xl form {definition.id} {definition.version}",
        }
    )
    _Builder(definition, book, data or {}).build()
    _meta_sheet(book, definition)
    book.close()
    return path
