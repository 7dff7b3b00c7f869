"""Building a form's Excel template with XlsxWriter from its definition, optionally filled with data."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import cached_property
from itertools import takewhile
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from . import __version__
from .buttons import VBA_PROJECT, add_button_sheet
from .checks.pe301_explanation import NO_EXPLANATION
from .definition import (
    RULES_KEY,
    BlockSpec,
    FieldSpec,
    FormDefinition,
    MatrixSpec,
    RateRule,
    Ratio,
    Section,
    SheetSpec,
    TableSpec,
    rules_in_force,
)
from .explain import grade_thresholds, tier_bands
from .formula_refs import rows_above, sections_summed
from .grid import ISSUED_KEY, META_SHEET
from .locate import year_variants
from .plan import FILLS, text_height
from .scoring import grade_for, rate_score, round_half_up
from .unwritable import close_xlsx
from .values import YUAN_LIKELY

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

    @cached_property
    def flagged(self) -> Any:
        """What a conditional format puts on a cell the checks would report as an error: the fill of their marks."""
        return self.book.add_format({"bg_color": f"#{FILLS['error']}", "font_color": "#9C0006"})

    def computed(self, num_format: str | None = None) -> Any:
        props: dict[str, Any] = {"bg_color": COMPUTED_TINT, "align": "center", "bold": True}
        if num_format:
            props["num_format"] = num_format
        return self.get(**props)


DEFAULT_WIDTH = 8.43
BASE_WIDTHS = {0: 7.0, 1: 12.0, 2: 12.0}  # the title and label columns; the table may widen its own


NUM_FORMATS = {"amount": "#,##0.00", "rate": "0.00%", "score": "0.##", "year": "0"}


@dataclass
class _Shared:
    """What the sheets of one template share: every field's cell (sheet-qualified in a multi-sheet form, so that
    formulas may cross sheets) and where to write its formula."""

    qualified: bool
    cells: dict[str, str] = field(default_factory=dict)
    places: dict[str, tuple[Worksheet, int, int]] = field(default_factory=dict)
    # The numbers typed in the main table's columns, by column: what the formulas that SUM and COUNT them read.
    typed: dict[str, list[float]] = field(default_factory=dict)


def rate_formula(rule: RateRule, rate: str, weight: str) -> str:
    """``scoring.rate_score`` as an Excel formula: the points ``rule`` gives the rate the expression ``rate`` holds,
    of ``weight``."""
    if rule.kind == "linear":
        return f"MIN({weight},MAX(0,{weight}*({rate}-{rule.floor:.15g})/(1-{rule.floor:.15g})))"
    if rule.kind == "deviation":
        return f"{weight}*MAX(0,1-ABS({rate}))"
    if rule.kind == "ceiling":
        return f"IF({rate}<={rule.limit:.15g},{weight},{weight}*{rule.limit:.15g}/{rate})"
    if rule.kind == "bands":
        body = "0"
        for band in reversed(rule.bands):
            test = f"{rate}{'>=' if band.at_least else '<='}{band.bound:.15g}"
            body = f"IF({test},{weight}*{band.share:.15g},{body})"
        return body
    if rule.kind == "deduction":
        return f"MAX(0,{weight}-{rule.per_point:.15g}*MAX(0,{rate}-{rule.limit:.15g})*100)"
    return f"MIN({weight},MAX(0,{weight}*{rate}))"


class _Builder:
    def __init__(
        self,
        definition: FormDefinition,
        book: Workbook,
        data: dict[str, Any],
        sheet: SheetSpec,
        shared: _Shared,
        fmt: _Formats,
    ) -> None:
        self.d = definition
        self.book = book
        self.sheet = sheet
        year = data.get("fields", {}).get("year")
        # The year the form states in its titles and labels, where it states one (see FormDefinition.dated).
        self.year = year if definition.dated and isinstance(year, int) and not isinstance(year, bool) else None
        self.ws: Worksheet = book.add_worksheet(sheet.name)
        self.blocks = [b for b in definition.blocks if definition.block_sheet(b) == sheet.name]
        self.fmt = fmt
        self.data = data
        self.row = 0
        self.shared = shared
        self.cells = shared.cells
        self.layouts: dict[str, dict[str, int]] = {}  # each table's first sheet column of each table column
        self.table_rows = (0, 0)
        # The main table's sections: each one's first and last rows, and the 计算得分 typed in them (what 复核总分 reads).
        self.sections: list[tuple[int, int, Section, float]] = []
        # Column widths as page_setup and the tables set them, for sizing rows to their text.
        self.widths = dict(BASE_WIDTHS)
        self.last_col = 8 if not any(b.table for b in self.blocks) else 0
        table_widths: dict[int, float] = {}  # a table's width replaces the base width; the widest table wins
        for block in (b for b in self.blocks if b.table is not None):
            assert block.table is not None
            col = 1 if block.title else 0
            layout = self.layouts[block.id] = {}
            for spec in block.table.columns:
                layout[spec.key] = col
                if spec.width and spec.span == 1:
                    table_widths[col] = max(spec.width, table_widths.get(col, 0))
                col += spec.span
            self.last_col = max(self.last_col, col - 1)
        self.widths.update(table_widths)
        # The table that formulas and the closing row (总分) refer to: the indicator grid, else the first table.
        tables = [b for b in self.blocks if b.table is not None]
        indicators = definition.indicators.table if definition.indicators else None
        self.main = next((b for b in tables if b.id == indicators), tables[0] if tables else None)
        self.columns = self.layouts[self.main.id] if self.main else {}
        self.first_col = 1 if self.main and self.main.title else 0

    def cell(self, key: str) -> str:
        return self.cells[key]

    def shown(self, label: str) -> str:
        """A label as the published form of the template's year writes it (see ``locate.year_variants``): 上年决算数
        as 2023年决算数 in 2024's; a label of neither year as it is."""
        if self.year is not None and label.startswith(("本年", "上年")):
            return year_variants(label, self.year)[1]
        return label

    def place(self, key: str, row: int, col: int) -> None:
        """Record the cell of field ``key`` for formulas (qualified by sheet in a multi-sheet form)."""
        ref = xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)
        self.cells[key] = f"{quote_sheetname(self.sheet.name)}!{ref}" if self.shared.qualified else ref
        self.shared.places[key] = (self.ws, row, col)

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
        """Write data into an input cell, with the validation its type asks for (the 元 warning of an amount, a
        choice's dropdown); computed and output cells (and missing data) stay blank. Text stays text, even when it
        starts with ``=`` (no formula can be smuggled in through data)."""
        if spec.in_wan and not (spec.computed or spec.output):
            self.warn_of_yuan(row, col, spec)
        if spec.type == "choice" and not (spec.computed or spec.output):  # a field's, as a table column's
            self.dropdown(row, col, spec)
        if value is None or spec.computed or spec.output:
            self.ws.write_blank(row, col, None, fmt)
        elif isinstance(value, str):
            self.ws.write_string(row, col, value, fmt)
        else:
            self.ws.write(row, col, value, fmt)

    def warn_of_yuan(self, row: int, col: int, spec: FieldSpec) -> None:
        """PE112 at the keyboard: a figure in 元 typed into a 万元 cell. Excel's warning style lets the unit keep it,
        and text (无, 3100万元) passes."""
        cell = xl_rowcol_to_cell(row, col)
        self.ws.data_validation(
            row,
            col,
            row,
            col,
            {
                "validate": "custom",
                "value": f"=OR(NOT(ISNUMBER({cell})),ABS({cell})<{YUAN_LIKELY})",
                "ignore_blank": True,
                "error_type": "warning",
                "error_title": spec.label[:32],
                "error_message": "金额以万元为单位。100 亿元（1,000,000 万元）以上的数多为按元填写，请除以 10000；"
                "确认无误请点“是”。",
            },
        )

    def score_within_weight(self, row: int, score: int, weight: int) -> None:
        """PE204 and PE103 at the keyboard: an indicator's self-score above the weight on its row, or below 0.
        Excel's warning style lets the unit keep it; text (3分, 无) and a row without its weight pass."""
        cell, points = xl_rowcol_to_cell(row, score), xl_rowcol_to_cell(row, weight)
        self.ws.data_validation(
            row,
            score,
            row,
            score,
            {
                "validate": "custom",
                "value": f"=OR(NOT(ISNUMBER({cell})),AND({cell}>=0,OR(NOT(ISNUMBER({points})),{cell}<={points})))",
                "ignore_blank": True,
                "error_type": "warning",
                "error_title": "自评得分",
                "error_message": "自评得分应在 0 与该指标的分值之间：超过分值或为负数，审核时是强制性错误。"
                "确认无误请点“是”。",
            },
        )
        # The same, tinted while it lasts: a value kept after the warning, or pasted (pasting skips the warning).
        self.tint(
            row, score, row, score, f"=AND(ISNUMBER({cell}),OR({cell}<0,AND(ISNUMBER({points}),{cell}>{points})))"
        )

    def row_explained(self, row: int, layout: dict[str, int], column: str, bonus: bool) -> None:
        """PE301 where the form explains each row (广州 评分依据, 湖南 偏差原因分析及改进措施): the row's cell tinted while
        it explains nothing and the row scores below its weight, or adds or deducts (加减分项)."""
        cell, score, weight = (xl_rowcol_to_cell(row, layout[key]) for key in (column, "score", "weight"))
        short = f"{score}<>0" if bonus else f"ISNUMBER({weight}),{score}<{weight}"
        self.tint(row, layout[column], row, layout[column], f"=AND({_unexplained(cell)},ISNUMBER({score}),{short})")

    def explanation_wanted(self) -> None:
        """PE301 where the form explains once (湖北, 河北 偏差原因分析): its cell tinted while it explains nothing and the
        execution rate is below the form's threshold (from the amounts, as typed) or an indicator scores below its
        weight. A missed target its score does not show is left to the check: a spreadsheet cannot read 90%以上."""
        d = self.d
        if d.explanation is None or self.shared.places[d.explanation][0] is not self.ws:
            return
        reasons = []
        h = d.headline
        if h is not None and h.explain_below is not None:
            budget, executed = self.cell(h.budget), self.cell(h.executed)
            reasons.append(
                f"AND(ISNUMBER({budget}),ISNUMBER({executed}),{budget}>0,{executed}/{budget}<{h.explain_below:g})"
            )
        if d.indicators is not None and {"score", "weight"} <= self.columns.keys():
            score, weight = self.column_range("score"), self.column_range("weight")
            reasons.append(f"SUMPRODUCT(ISNUMBER({score})*ISNUMBER({weight})*({score}<{weight}))>0")
        if reasons:
            _, row, col = self.shared.places[d.explanation]
            condition = f"=AND({_unexplained(self.cell(d.explanation))},OR({','.join(reasons)}))"
            self.tint(row, col, row, col, condition)

    def tint(self, r0: int, c0: int, r1: int, c1: int, condition: str) -> None:
        """A conditional format: the cells tinted as the checks mark an error while ``condition`` holds."""
        self.ws.conditional_format(
            r0, c0, r1, c1, {"type": "formula", "criteria": condition, "format": self.fmt.flagged}
        )

    def weights_add_up(self, top: int, bottom: int, layout: dict[str, int], section: str, points: float) -> None:
        """PE205 as the weights are typed: a section's 分值 cells are tinted while every indicator named in it has a
        weight and they do not add up to the section's points (in Excel and WPS alike, no button needed); selecting
        one says so. A 小计 or 合计 row a unit types among them is no indicator (PE222 checks it)."""
        weight = layout["weight"]
        self.ws.data_validation(
            top,
            weight,
            bottom,
            weight,
            {
                "validate": "any",
                "input_title": "分值",
                "input_message": f"{section}各指标分值之和须为 {points:g} 分；填完后不相符的，本部分的分值格显示为红色。",
            },
        )

        # From the section's first row to the row above the next section's (or 总分's), worked out when calculated: an
        # indicator inserted under the section's last row is in it, as the checks take it (see ``rows_above``).
        after = f"ROW({xl_rowcol_to_cell(bottom + 1, weight, row_abs=True, col_abs=True)})"

        def span(key: str) -> str:
            return rows_above(xl_col_to_name(layout[key], col_abs=True), top + 1, after)

        weights = span("weight")
        # The rows no text cell of which names a subtotal, as SUMIFS and COUNTIFS take them.
        indicators = "".join(
            f',{span(key)},"<>{word}"' for key in ("name", "level2") if key in layout for word in _SUBTOTAL_WORDS
        )
        typed = f'COUNTIFS({weights},">-1E+300"{indicators})'  # a number, not a text
        named = f'COUNTIFS({span("name")},"?*"{indicators})'
        condition = f"AND({typed}>0,{typed}>={named},ROUND(SUMIFS({weights}{indicators}),6)<>{points:g})"
        self.tint(top, weight, bottom, weight, f"={condition}")

    def write_value(self, row: int, col: int, spec: FieldSpec, fmt: Any) -> None:
        self.put(row, col, spec, fmt, self.data.get("fields", {}).get(spec.key))

    def title(self) -> None:
        fmt = self.fmt.get(font_name=TITLE_FONT, font_size=16, bold=True, align="center", border=0)
        title = f"{self.year}年度{self.sheet.title}" if self.year is not None else self.sheet.title
        self.ws.merge_range(0, 0, 0, self.last_col, title, fmt)
        self.ws.set_row(0, 32)
        self.row = 1

    def block_title(self, block: BlockSpec) -> None:
        if block.title:
            self.merge(self.row, 0, self.row, self.last_col, block.title, self.fmt.get(bold=True, align="left"))
            self.ws.set_row(self.row, 22)
            self.row += 1

    def pairs(self, block: BlockSpec) -> None:
        self.block_title(block)
        short = [f for f in block.fields if not f.tall and f.under is None]
        for i in range(0, len(short), len(PAIR_SLOTS)):
            for spec, (l0, l1, v0, v1) in zip(short[i : i + len(PAIR_SLOTS)], PAIR_SLOTS, strict=False):
                v1 = self.last_col if v1 is None else v1
                self.merge(self.row, l0, self.row, l1, self.shown(spec.label), self.fmt.label())
                fmt = self.value_format(spec)
                self.merge(self.row, v0, self.row, v1, None, fmt)
                self.write_value(self.row, v0, spec, fmt)
                self.place(spec.key, self.row, v0)
            self.ws.set_row(self.row, 22)
            self.row += 1
        for spec in (f for f in block.fields if f.tall):
            self.merge(self.row, 0, self.row, 1, self.shown(spec.label), self.fmt.label())
            fmt = self.value_format(spec)
            self.merge(self.row, 2, self.row, self.last_col, None, fmt)
            self.write_value(self.row, 2, spec, fmt)
            self.place(spec.key, self.row, 2)
            value = self.data.get("fields", {}).get(spec.key)
            width = sum(self.widths.get(col, DEFAULT_WIDTH) for col in range(2, self.last_col + 1))
            self.ws.set_row(self.row, max(96, text_height(value, width)))
            self.row += 1

    def matrix(self, block: BlockSpec) -> None:
        """Rows × columns (支出规模): a group header row, a column header row, one row per matrix row."""
        assert block.matrix is not None
        matrix = block.matrix
        top = self.row
        groups = [c.group for c in matrix.columns]
        header = top + 1 if any(groups) else top
        extra = sum(self.item_count(spec, MatrixSpec.items_id(key)) for key, spec in matrix.items.items())
        self.merge(top, 0, header + len(matrix.rows) + extra, 0, block.title or block.anchor, self.fmt.label())
        self.merge(top, 1, header, 1, None, self.fmt.label())
        for offset, column in enumerate(matrix.columns):
            col = 2 + offset
            self.ws.write(header, col, self.shown(column.label), self.fmt.label())
            if header > top and (offset == 0 or groups[offset - 1] != column.group):
                span = len(list(takewhile(lambda group, mine=column.group: group == mine, groups[offset:])))
                self.merge(top, col, top, col + span - 1, column.group or "", self.fmt.label())
        self.ws.set_row(header, 30)
        fields = {f.key: f for f in block.fields}
        row = header + 1
        for row_spec in matrix.rows:
            self.ws.write(row, 1, self.shown(row_spec.label), self.fmt.label())
            for offset, column in enumerate(matrix.columns):
                spec = fields[matrix.key(row_spec.key, column.key)]
                self.write_value(row, 2 + offset, spec, self.value_format(spec))
                self.place(spec.key, row, 2 + offset)
            self.ws.set_row(row, 22)
            row += 1
            if row_spec.key in matrix.items:
                row = self.item_rows(row, matrix.items[row_spec.key], MatrixSpec.items_id(row_spec.key))
        self.row = row

    def item_count(self, items: TableSpec, table_id: str) -> int:
        """The given item rows and two spare ones, or the spare rows of an empty template."""
        given = len(self.data.get("tables", {}).get(table_id, []))
        return given + 2 if given else items.spare_rows

    def item_rows(self, row: int, items: TableSpec, table_id: str) -> int:
        """The item rows under a matrix row (项目支出: each project), names typed in the row-label column. Returns
        the row after them."""
        given = self.data.get("tables", {}).get(table_id, [])
        for index in range(self.item_count(items, table_id)):
            values = given[index] if index < len(given) else {}
            for offset, spec in enumerate(items.columns):
                self.input_cell(row, 1 + offset, spec, values.get(spec.key))
            self.ws.set_row(row, 22)
            row += 1
        return row

    def header_values(self, block: BlockSpec) -> None:
        """A block whose labels head columns and whose values sit below them (预算执行情况)."""
        top = self.row
        self.merge(top, 0, top + 1, 0, block.title or block.anchor, self.fmt.label())
        self.ws.write_blank(top, 1, None, self.fmt.label())
        self.ws.write(top + 1, 1, block.row_label or "", self.fmt.label())
        # Long texts (定性目标 预期目标 | 实际完成) share the width; numbers take a column each.
        tall = any(spec.tall for spec in block.fields)
        span = max(1, (self.last_col - 1) // len(block.fields)) if tall else 1
        height = 22.0
        for offset, spec in enumerate(block.fields):
            col = 2 + offset * span
            self.merge(top, col, top, col + span - 1, self.shown(spec.label), self.fmt.label())
            fmt = self.value_format(spec)
            self.merge(top + 1, col, top + 1, col + span - 1, None, fmt)
            self.write_value(top + 1, col, spec, fmt)
            self.place(spec.key, top + 1, col)
            if tall:
                width = sum(self.widths.get(c, DEFAULT_WIDTH) for c in range(col, col + span))
                height = max(height, 96, text_height(self.data.get("fields", {}).get(spec.key), width))
        self.ws.set_row(top, 30)
        self.ws.set_row(top + 1, height)
        self.row = top + 2

    def n(self, key: str) -> float:
        """A field's value as a formula's N() reads it: the number typed, else 0 (a text, a blank)."""
        return _number(self.data.get("fields", {}).get(key))

    def ratio_result(self, ratio: Ratio, decimals: int | None = None) -> float | str:
        """What ``ratio_formula`` computes from the values written, for its cached result."""
        below = sum(self.n(k) for k in ratio.denominator)
        if below <= 0:
            return ""
        value = sum(self.n(k) for k in ratio.numerator) / below + ratio.offset
        return value if decimals is None else round_half_up(value, decimals)

    def ratio_formula(self, ratio: Ratio, decimals: int | None = None) -> str:
        """Σ numerator cells / Σ denominator cells + offset, blank while the denominator is not positive."""
        above = "+".join(self.cells[k] for k in ratio.numerator)
        below = "+".join(self.cells[k] for k in ratio.denominator)
        body = f"({above})/({below}){f'{ratio.offset:+g}' if ratio.offset else ''}"
        if decimals is not None:
            body = f"ROUND({body},{decimals})"
        return f'=IF(N({below})>0,{body},"")'

    def rated_formula(self, name: str) -> tuple[str, float | str] | None:
        """The live rate of a rated indicator (预算完成率…), as the form prints it, and its result."""
        rated = self.d.indicators.rated_for(name) if self.d.indicators else None
        if rated is None:
            return None
        decimals = self.d.rate_decimals
        return self.ratio_formula(rated.ratio, decimals), self.ratio_result(rated.ratio, decimals)

    def table_header(self, table: TableSpec, layout: dict[str, int]) -> int:
        """The header: one row of column labels, or, when columns are grouped (收入合计 | 其中：上年结转 …), a row of
        group labels above them with ungrouped labels spanning both rows. Returns the header's last row."""
        top = self.row
        grouped = any(spec.group for spec in table.columns)
        header = top + 1 if grouped else top
        for index, spec in enumerate(table.columns):
            col = layout[spec.key]
            if grouped and spec.group is None:
                self.merge(top, col, header, col + spec.span - 1, self.shown(spec.label), self.fmt.label())
            else:
                self.merge(header, col, header, col + spec.span - 1, self.shown(spec.label), self.fmt.label())
            if spec.group and (index == 0 or table.columns[index - 1].group != spec.group):
                run = list(takewhile(lambda c, mine=spec.group: c.group == mine, table.columns[index:]))
                last = layout[run[-1].key] + run[-1].span - 1
                self.merge(top, col, top, last, spec.group, self.fmt.label())
            if spec.width and spec.span == 1:
                self.ws.set_column(col, col, self.widths[col])
        for row in range(top, header + 1):
            self.ws.set_row(row, 30 if row == header else 22)
        return header

    def table(self, block: BlockSpec) -> None:
        assert block.table is not None
        table = block.table
        main = block is self.main
        rules = self.d.indicators if self.d.indicators and self.d.indicators.table == block.id else None
        layout = self.layouts[block.id]
        top = self.row
        header = self.table_header(table, layout)
        given = self.data.get("tables", {}).get(block.id, [])
        sections = list(rules.sections) if rules else []
        weight_column = "level1_weight" in layout
        free = [s for s in sections if not any(p.get("level1") == s.name for p in table.presets)]
        spare = table.spare_rows // max(1, len(free))
        official = {key for preset in table.presets for key in preset}
        fixed = self.fmt.get(align="center", bg_color=COMPUTED_TINT)
        row = header + 1
        for section in sections or [None]:
            name = section.name if section else ""
            presets = [p for p in table.presets if p.get("level1") == name]
            rows = [r for r in given if r.get("section", "") == name] or presets
            locked = official if presets else set()
            count = len(rows) + (0 if presets else spare)
            for index in range(count):
                values = rows[index] if index < len(rows) else {}
                for spec in table.columns:
                    col = layout[spec.key]
                    if section and spec.key in ("level1", "level1_weight"):
                        continue
                    if main and _is_number(values.get(spec.key)):
                        self.shared.typed.setdefault(spec.key, []).append(float(values[spec.key]))
                    if spec.key == "actual" and (rate := self.rated_formula(values.get("name", ""))):
                        self.ws.write_formula(
                            row + index, col, rate[0], self.fmt.computed(NUM_FORMATS["rate"]), rate[1]
                        )
                    elif spec.key in locked:
                        self.ws.write(row + index, col, values.get(spec.key, ""), self.fmt.get(bg_color=COMPUTED_TINT))
                    else:
                        self.input_cell(row + index, col, spec, values.get(spec.key))
                if rules and not (section and section.bonus) and {"score", "weight"} <= layout.keys():
                    self.score_within_weight(row + index, layout["score"], layout["weight"])
                if rules and rules.explanation_column in layout and {"score", "weight"} <= layout.keys():
                    self.row_explained(row + index, layout, rules.explanation_column, bool(section and section.bonus))
                self.ws.set_row(row + index, self.row_height(table, values))
            if section and main:
                computed = (r.get("computed_score") for r in rows)
                self.sections.append((row, row + count - 1, section, sum(float(c) for c in computed if _is_number(c))))
            if section and {"weight", "name"} <= layout.keys():
                self.weights_add_up(row, row + count - 1, layout, name, section.weight)
            if section:
                label = name if weight_column else f"{name}（{section.weight:g}分）"
                self.merge(row, layout["level1"], row + count - 1, layout["level1"], label, fixed)
                if weight_column:
                    column = layout["level1_weight"]
                    self.merge(row, column, row + count - 1, column, section.weight, fixed)
            if presets:
                self.merge_groups(row, rows, ("level2", "level2_weight"))
            row += count
        last = row - 1
        if block.title:
            self.merge(top, 0, last, 0, block.title, self.fmt.label())
        self.row = row
        if main:
            self.table_rows = (header + 1, last)
            # Printed pages repeat the indicator grid's header; a form without one (a report form) repeats its title.
            self.ws.repeat_rows(header if self.d.indicators and self.d.indicators.table == block.id else 0)
            self.stop_row(table)

    def merge_groups(self, top: int, rows: list[dict[str, Any]], keys: tuple[str, ...]) -> None:
        """Merge each run of rows sharing the first key's value (官方 二级指标 cells span their 三级指标)."""
        start = 0
        for end in range(1, len(rows) + 1):
            if end == len(rows) or rows[end].get(keys[0]) != rows[start].get(keys[0]):
                for key in (k for k in keys if k in self.columns):
                    col = self.columns[key]
                    self.merge(
                        top + start,
                        col,
                        top + end - 1,
                        col,
                        rows[start].get(key, ""),
                        self.fmt.get(bg_color=COMPUTED_TINT),
                    )
                start = end

    def row_height(self, table: TableSpec, values: dict[str, Any]) -> float:
        """Tall enough for the longest text of the row (at 10 pt a column fits about its width in CJK characters)."""
        return max((text_height(values.get(s.key), s.width) for s in table.columns if s.width), default=21.0)

    def input_cell(self, row: int, col: int, spec: FieldSpec, value: Any) -> None:
        if spec.span > 1:
            self.ws.merge_range(row, col, row, col + spec.span - 1, None, self.value_format(spec))
        self.put(row, col, spec, self.value_format(spec), value)

    def dropdown(self, row: int, col: int, spec: FieldSpec) -> None:
        """A choice's list of its choices, saying what it asks when selected (see ``hint``)."""
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
            }
            | ({"input_title": spec.label[:32], "input_message": hint} if (hint := self.hint(spec)) else {}),
        )

    def hint(self, spec: FieldSpec) -> str | None:
        """What selecting a choice cell says: the definition's hint, or what the definition's figures make of it: for
        完成档次 the share of the weight each tier allows (PE210's bands), for 评价等次 the total each grade needs
        (PE211)."""
        if spec.hint:
            return spec.hint
        rules = self.d.indicators
        if spec.key == "tier" and rules is not None and rules.tiers:
            return f"定性指标按所选档次计分，自评得分应为分值的：{tier_bands(rules.tiers)}。"
        if spec.key == self.d.grade and len(self.d.grades) > 1:
            return f"评价等次按总分评定：{grade_thresholds(self.d.grades)}。"
        return None

    def stop_row(self, table: TableSpec) -> None:
        """The row that closes the table (总分) when fields sit in it under table columns."""
        under = [f for f in self.d.fields.values() if f.under is not None and f.under in self.columns]
        if not under:
            return
        row = self.row
        for col in range(self.first_col, self.last_col + 1):
            self.ws.write_blank(row, col, None, self.fmt.label())
        self.ws.write(row, self.first_col, self.shown(under[0].label), self.fmt.label())
        if "level1_weight" in self.columns and self.d.indicators:
            total = sum(s.weight for s in self.d.indicators.sections)
            self.ws.write(row, self.columns["level1_weight"], total, self.fmt.label())
        for spec in under:
            self.ws.write_blank(row, self.columns[spec.under], None, self.value_format(spec))
            self.place(spec.key, row, self.columns[spec.under])
        self.ws.set_row(row, 22)
        self.row += 1

    @property
    def prefix(self) -> str:
        """What a formula on another sheet puts before this sheet's cells (``自评表!``), if the form is multi-sheet."""
        return f"{quote_sheetname(self.sheet.name)}!" if self.shared.qualified else ""

    def column_range(self, key: str, row: str | None = None, below: int = 1) -> str:
        """The column's cells from the table's header row to ``below`` rows above the row ``row`` gives, by default the
        row under the table's last (see ``rows_above``): an indicator inserted at either end of the table is in it."""
        col = self.columns[key]
        sheet = self.prefix
        if row is None:
            row = f"ROW({sheet}{xl_rowcol_to_cell(self.table_rows[1] + 1, col, row_abs=True, col_abs=True)})"
        return rows_above(xl_col_to_name(col, col_abs=True), self.table_rows[0], row, below, sheet)

    def summed_range(self, key: str, total: str, own: bool = False) -> str:
        """The column's cells the totals read: to the row above 总分's. ``total``: 总分's field; ``own``: in its own
        formula, which names its row as ROW()."""
        _, total_row, _ = self.shared.places[total]
        row = "ROW()" if own else f"ROW({self.cell(total)})"
        return self.column_range(key, row, total_row - self.table_rows[1])

    def checked_total(self, budget_points: str, points: float | str) -> tuple[str, float]:
        """复核总分 and its result: the budget-execution score plus the 计算得分 section by section, each at most the
        section's points, as the scorer counts them (see ``sections_summed``)."""
        assert self.d.total is not None
        _, total_row, _ = self.shared.places[self.d.total]
        letter = xl_col_to_name(self.columns["computed_score"], col_abs=True)
        sections = [(top + 1, end + 1, None if s.bonus is not None else s.weight) for top, end, s, _ in self.sections]
        end, below = f"ROW({self.cell(self.d.total)})", total_row - self.table_rows[1]
        header = self.table_rows[0]
        summed = sections_summed(letter, header, sections or [(header, header, None)], end, below, self.prefix)
        typed = (t if s.bonus is not None else min(t, s.weight) for _, _, s, t in self.sections)
        sections_typed = sum(typed) if self.sections else sum(self.shared.typed.get("computed_score", []))
        return f"={budget_points}{summed}", _number(points) + sections_typed

    def formulas(self) -> None:
        """Live formulas for every computed cell; they give the numbers the Python scorer gives. Each is written with
        the result it computes from the values written (XlsxWriter would write 0), for the viewers that show the
        results a file holds without calculating: LibreOffice as installed, the previews of mail and chat programs."""
        d = self.d
        formulas: dict[str, tuple[str, float | str]] = {}  # the formula and its result, by field
        for ratio in d.ratios:
            if ratio.key is not None:
                formulas[ratio.key] = (self.ratio_formula(ratio), self.ratio_result(ratio))
        points: float | str = ""  # the budget-execution score's result
        if d.budget is not None:
            b = d.budget
            budget, executed = self.cell(b.budget), self.cell(b.executed)
            rate = f"{executed}/{budget}"
            rate_result: float | str = self.n(b.executed) / self.n(b.budget) if self.n(b.budget) > 0 else ""
            if b.rate:
                formulas[b.rate] = (f'=IF(N({budget})>0,{executed}/{budget},"")', rate_result)
                rate = self.cell(b.rate)
            printed = f"ROUND({rate},{d.rate_decimals})"
            if b.score:
                w = f"{b.weight:g}"
                body = rate_formula(b.rule, printed, w)
                if rate_result != "":
                    points = rate_score(round_half_up(float(rate_result), d.rate_decimals), b.weight, b.rule)
                formulas[b.score] = (f'=IF({rate}="","",{body})', points)
        budget_points = f"N({self.cell(d.budget.score)})+" if d.budget and d.budget.score else ""
        typed = self.shared.typed
        total = _number(points) + sum(typed.get("score", []))
        if d.total and "score" in self.columns:
            formulas[d.total] = (f"={budget_points}SUM({self.summed_range('score', d.total, own=True)})", total)
        if d.checked_total and d.total and "computed_score" in self.columns:
            formulas[d.checked_total] = self.checked_total(budget_points, points)
        if d.grade and d.total and d.fields[d.grade].computed:
            expression = f'"{d.grades[-1][0]}"'
            for name, minimum in reversed(d.grades[:-1]):
                expression = f'IF({self.cell(d.total)}>={minimum:g},"{name}",{expression})'
            # No grade before a score is typed: a template just opened is no 差 (as the scorer grades nothing).
            scored = [self.summed_range("score", d.total)] if "score" in self.columns else []
            scored += [self.cell(d.budget.score)] if d.budget and d.budget.score else []
            if scored:
                expression = f'IF(COUNT({",".join(scored)})=0,"",{expression})'
            grade = grade_for(total, d.grades) if typed.get("score") or points != "" else ""
            formulas[d.grade] = (f"={expression}", grade)
        for key, (formula, result) in formulas.items():
            worksheet, row, col = self.shared.places[key]
            worksheet.write_formula(row, col, formula, self.value_format(d.fields[key]), result)

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
        for col, width in BASE_WIDTHS.items():
            ws.set_column(col, col, width)
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
        for block in self.blocks:
            if block.matrix is not None:
                self.matrix(block)
            elif block.table is not None:
                self.table(block)
            elif any(f.at == "below" for f in block.fields):
                self.header_values(block)
            else:
                self.pairs(block)
        if self.sheet.name == self.d.sheets[-1].name:
            self.footnotes()


SOURCES_SHEET = "汇总来源"


def _sources_sheet(book: Workbook, fmt: _Formats, sources: list[dict[str, Any]]) -> None:
    """The workbooks a consolidated form was built from (perfeval consolidate): unit, file, fund weight."""
    ws = book.add_worksheet(SOURCES_SHEET)
    ws.set_column(0, 0, 6)
    ws.set_column(1, 1, 30)
    ws.set_column(2, 2, 60)
    ws.set_column(3, 3, 14)
    for col, label in enumerate(("序号", "单位", "文件", "资金额（加权）")):
        ws.write_string(0, col, label, fmt.label())
    for row, source in enumerate(sources, start=1):
        ws.write_number(row, 0, row, fmt.get(align="center"))
        ws.write_string(row, 1, str(source["unit"]), fmt.get())
        ws.write_string(row, 2, str(source["file"]), fmt.get())
        ws.write_number(row, 3, float(source["weight"]), fmt.get(num_format=NUM_FORMATS["amount"]))
    ws.freeze_panes(1, 0)


def _meta_sheet(book: Workbook, definition: FormDefinition, issued_to: str | None) -> None:
    """The hidden facts of a template: its form, version and maker, the bureau's rules it was made under, and the
    unit it was issued to."""
    meta = book.add_worksheet(META_SHEET)
    facts = [("form", definition.id), ("version", definition.version), ("generator", f"perfeval_xl {__version__}")]
    if (rules := rules_in_force()) is not None:
        facts.append((RULES_KEY, rules.text))
    if issued_to:
        facts.append((ISSUED_KEY, issued_to))
    for row, (key, value) in enumerate(facts):
        meta.write_string(row, 0, key)
        meta.write_string(row, 1, value)
    meta.very_hidden()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _number(value: Any) -> float:
    """A value as a formula's N() reads it: the number, else 0 (a text, a blank)."""
    return float(value) if _is_number(value) else 0.0


# A subtotal a unit types into a table (see locate.subtotal_name), as COUNTIFS patterns: 产出指标小计, 小计（40分）, 总计.
_SUBTOTAL_WORDS = ("*小计*", "*合计*", "总计")


# What PE301 takes for no explanation (无, /, 暂无…), as an Excel array to MATCH a cell's text against.
_NO_EXPLANATION_ARRAY = "{" + ",".join(f'"{text}"' for text in sorted(NO_EXPLANATION) if text) + "}"


def _unexplained(cell: str) -> str:
    """An Excel condition: ``cell`` explains nothing (empty, or only 无, /, 暂无…; a full stop after it aside)."""
    text = f'SUBSTITUTE(SUBSTITUTE(TRIM({cell}),"。",""),".","")'
    return f"OR(LEN({text})=0,ISNUMBER(MATCH({text},{_NO_EXPLANATION_ARRAY},0)))"


def build_template(
    definition: FormDefinition,
    path: str | Path,
    data: dict[str, Any] | None = None,
    macro: bool = False,
    issued_to: str | None = None,
) -> Path:
    """Write the form's template to ``path``; ``data`` ({"fields": {...}, "tables": {id: [row, ...]}}) fills
    its input cells, which is how the examples and test variants are made. ``macro`` makes the .xlsm variant:
    the VBA project of macros/PerfEval.bas and a first sheet with the 重新计算得分 / 清除校验标记 buttons."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book = xlsxwriter.Workbook(str(path))
    if macro:
        book.add_vba_project(io.BytesIO(VBA_PROJECT.read_bytes()), is_stream=True)
        book.set_vba_name("ThisWorkbook")
        add_button_sheet(book, definition)
    book.set_properties(
        {
            "title": f"{definition.region}{definition.name}",
            "subject": definition.id,
            "comments": f"perfeval_xl form {definition.id} {definition.version}",
        }
    )
    shared = _Shared(qualified=len(definition.sheets) > 1)
    fmt = _Formats(book)
    builders = [_Builder(definition, book, data or {}, sheet, shared, fmt) for sheet in definition.sheets]
    for builder in builders:
        builder.build()
    indicators = definition.indicators.table if definition.indicators else None
    with_table = [b for b in builders if b.main is not None]
    main = next((b for b in with_table if b.main and b.main.id == indicators), (with_table or builders)[0])
    main.formulas()
    main.explanation_wanted()
    if data and data.get("sources"):
        _sources_sheet(book, fmt, data["sources"])
    _meta_sheet(book, definition, issued_to)
    close_xlsx(book)
    return path
