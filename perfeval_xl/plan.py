"""The annotation plan: which cell gets which value, fill and note, and which rows go in the 校验结果 sheet.

The command line (openpyxl) and the Excel button (xlwings) apply the same plan, so both leave the same marks.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.utility import quote_sheetname, xl_cell_to_rowcol, xl_col_to_name, xl_rowcol_to_cell

from .checks import explained
from .engine import UNGRADED, Evaluation
from .findings import SEVERITY_LABEL, SEVERITY_ORDER, percent
from .formula_refs import reads_any, sections_summed
from .grid import CellRef, a1
from .locate import TableExtraction

RESULTS_SHEET = "校验结果"
# A hidden sheet with one row per marked cell: sheet, cell, the fill it had before (openpyxl fill XML, written by the
# command line) and that fill's RGB ("RRGGBB", written by both appliers; "" when it had none or was not a plain
# colour). Either applier can undo the other's marks from it. Its last row names our results sheet: RESULTS_RECORD
# and the name, a row that is never a cell's ("[" is refused in a sheet's name).
MARKS_SHEET = "_perfeval_marks"
RESULTS_RECORD = "[results]"
NOTE_TAG = "【perfeval 校验】"
FILLS = {"error": "FFC7CE", "warning": "FFEB9C"}
# Our tables' header rows are tinted (校验结果, and the summary workbook's sheets), and 强制 is written in red as 退回
# is in the summary (RRGGBB).
HEADER_FILL = "D9E1F2"
ERROR_TEXT = "C00000"
STATUS_LABEL = {
    "zh": {"ok": "通过", "warning": "通过（有提示）", "error": "退回", "unreadable": "无法读取"},
    "en": {"ok": "passed", "warning": "passed with warnings", "error": "returned", "unreadable": "unreadable"},
}
RESULT_HEADERS = {
    "zh": ("代码", "级别", "工作表", "单元格", "说明", "填报值", "应为", "差额"),
    "en": ("code", "severity", "sheet", "cell", "message", "value", "expected", "difference"),
}
# The header of the rules below the findings: code, severity and, in the findings' wrapped message column, the text.
RULE_HEADERS = {"zh": ("代码", "级别", "规则说明"), "en": ("code", "severity", "what the check looks for")}


@dataclass(frozen=True)
class CellWrite:
    sheet: str
    cell: str
    value: float | str
    formula: bool = False  # ``value`` is a formula's text ("=…"), written as one; else a value, never a formula


@dataclass(frozen=True)
class CellMark:
    sheet: str
    cell: str
    severity: str
    note: str

    @property
    def fill(self) -> str:
        return FILLS[self.severity]


@dataclass(frozen=True)
class ResultRow:
    code: str
    severity: str  # error or warning: the sheet shows SEVERITY_LABEL's word
    sheet: str
    cell: str
    message: str
    value: Any
    expected: Any
    difference: float | None = None  # value − expected, when both are numbers (see Finding.difference)


@dataclass(frozen=True)
class RuleRow:
    code: str
    severity: str
    text: str  # what the check looks for, then why and its examples, a line each (see checks.explained)


@dataclass
class AnnotationPlan:
    writes: list[CellWrite] = field(default_factory=list)
    marks: list[CellMark] = field(default_factory=list)
    results: list[ResultRow] = field(default_factory=list)
    rules: list[RuleRow] = field(default_factory=list)  # each check found, once, in the order first found
    summary: list[tuple[str, Any]] = field(default_factory=list)
    lang: str = "zh"


RESULT_WIDTHS = (9, 8, 12, 9, 80, 16, 16, 12)
SEVERITY_COLUMN = 2  # 1-based column of the 校验结果 table with the finding's severity, 强制 in ERROR_TEXT
LINK_COLUMN = 4  # 1-based column of the 校验结果 table whose cells link to the finding's cell
MESSAGE_COLUMN = 5  # 1-based column of its messages, wrapped
LINE_HEIGHT = 15.0  # points a wrapped line takes in the default 11-point text, with the room Calc needs too


def display_width(text: Any) -> float:
    """Display width in Excel columns: CJK characters count two."""
    text = str(text)
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def text_height(text: Any, width: float) -> float:
    """Row height (points, at most Excel's 409) that shows ``text`` wrapped in a cell ``width`` columns wide: a
    column's width counts digits, a CJK character at 10 pt takes two of them (``display_width``), a line breaks
    before the last one when the next character does not fit, and each line break starts a new line."""
    if not isinstance(text, str):
        return 21.0
    return min(409.0, 13.0 * _wrapped_lines(text, max(2.0, width - 1)) + 8)


def _wrapped_lines(text: str, per_line: float) -> int:
    """The lines ``text`` takes wrapped at ``per_line`` display widths, each line break starting a new one."""
    return sum(max(1, math.ceil(display_width(line) / per_line)) for line in text.split("\n"))


def message_lines(message: str) -> int:
    """The lines a message (or a rule's text, a paragraph a line) takes wrapped in the 校验结果 sheet's message
    column."""
    # A line breaks before the column's last widths when the next character does not fit, hence the margin.
    return _wrapped_lines(message, RESULT_WIDTHS[MESSAGE_COLUMN - 1] - 4)


def looks_like_formula(value: Any) -> bool:
    """Text a spreadsheet would take for a formula: it must be written as text (it came from a submission)."""
    return isinstance(value, str) and value.startswith(("=", "+", "-", "@"))


def strip_note(text: str) -> str:
    """A cell note without the part an earlier run added."""
    return text.split(NOTE_TAG, 1)[0].rstrip() if NOTE_TAG in text else text


def compose_note(own: str, note: str) -> str:
    """Our tagged note after the unit's own note text, which is kept."""
    own = own.rstrip()
    return f"{own}\n\n{NOTE_TAG}\n{note}" if own else f"{NOTE_TAG}\n{note}"


def marks_record(row: tuple[Any, ...]) -> tuple[str, str, str, str]:
    """One row of the marks sheet as (sheet, cell, fill_xml, rgb); rows of older versions have no rgb."""
    sheet, cell, fill_xml, rgb = (*row, None, None, None, None)[:4]
    return str(sheet or ""), str(cell or ""), str(fill_xml or ""), str(rgb or "")


def unused_name(stem: str, suffix: str, taken: Callable[[str], bool]) -> str:
    """``stem`` + ``suffix``, or the first of ``stem(2)`` + ``suffix``, ``stem(3)`` + ``suffix``… not ``taken``: a
    sheet, a file or a report of that name is someone's, and stays as it is."""
    name, n = f"{stem}{suffix}", 1
    while taken(name):
        n += 1
        name = f"{stem}({n}){suffix}"
    return name


def results_sheet_for(names: list[str]) -> str:
    """The name for our results sheet among a workbook's sheets (ours already dropped): 校验结果, or 校验结果(2)
    beside a sheet of the unit's own of that name, which is never touched."""
    return unused_name(RESULTS_SHEET, "", names.__contains__)


def recorded_results_sheet(rows: list[tuple[Any, ...]]) -> str:
    """The results sheet a marks sheet's rows name; one an earlier version wrote names none, and its was 校验结果."""
    return next((str(row[1]) for row in rows if row and row[0] == RESULTS_RECORD and len(row) > 1), RESULTS_SHEET)


@dataclass(frozen=True)
class ResultsTable:
    rows: list[list[Any]]  # every row the header's width
    header: int  # 1-based row of the findings' header
    rules: int  # 1-based row of the rules' header, 0 when no rule was found
    wrapped: list[tuple[int, str, str]]  # each finding's and rule's 1-based row, severity and text (wrapped)


def results_table(plan: AnnotationPlan) -> ResultsTable:
    """The 校验结果 sheet's rows: the summary, a blank row, the header, one row per finding; then, when there are
    findings, a blank row, the rules' header and one row per rule found."""
    width = len(RESULT_HEADERS[plan.lang])
    labels = SEVERITY_LABEL[plan.lang]
    rows: list[list[Any]] = [[label, value] + [None] * (width - 2) for label, value in plan.summary]
    rows.append([None] * width)
    rows.append(list(RESULT_HEADERS[plan.lang]))
    for r in plan.results:
        rows.append([r.code, labels[r.severity], r.sheet, r.cell, r.message, r.value, r.expected, r.difference])
    if not plan.results:
        rows.append(["未发现问题" if plan.lang == "zh" else "no findings"] + [None] * (width - 1))
    header, rules = len(plan.summary) + 2, 0
    wrapped = [(header + n, r.severity, r.message) for n, r in enumerate(plan.results, start=1)]
    if plan.rules:
        rows += [[None] * width, _rule_row(*RULE_HEADERS[plan.lang], width)]
        rules = len(rows)
        rows += [_rule_row(r.code, labels[r.severity], r.text, width) for r in plan.rules]
        wrapped += [(rules + n, r.severity, r.text) for n, r in enumerate(plan.rules, start=1)]
    return ResultsTable(rows, header, rules, wrapped)


def _rule_row(code: str, severity: str, text: str, width: int) -> list[Any]:
    row: list[Any] = [code, severity] + [None] * (width - 2)
    row[MESSAGE_COLUMN - 1] = text
    return row


def _first_cells(evaluation: Evaluation) -> Callable[[str, str], str]:
    """The first cell of the merge holding a cell of the form's sheets (A1), or that cell when it is in none."""
    grids = evaluation.extraction.grids

    def first(sheet: str, cell: str) -> str:
        grid = grids.get(sheet)
        merge = grid.merge_at(*xl_cell_to_rowcol(cell)) if grid is not None else None
        return a1(merge[0], merge[1]) if merge else cell

    return first


def _checked_total(
    evaluation: Evaluation, table: TableExtraction, output: str, written: list[CellRef]
) -> CellWrite | None:
    """复核总分, ours, given the template's formula of now (each section's 计算得分 at most its points, see
    ``sections_summed``) when the one it has leaves out a 计算得分 written, or sums whole a section the scorer counts at
    its points, or reads a deleted row (#REF!): an older template summed the column whole, and the indicator rows as
    they were, so that a row a unit inserted under them is outside its range. A formula whose reach cannot be told, or
    a number typed over it, is left as it is."""
    d, fields = evaluation.definition, evaluation.extraction.fields
    checked, total = fields.get(d.checked_total or ""), fields.get(d.total or "")
    if checked is None or checked.ref is None or total is None or total.ref is None or table.start is None:
        return None
    where = checked.ref.sheet
    grid = evaluation.extraction.grids[where]
    areas = grid.areas_read(checked.ref.row, checked.ref.col)
    if areas is None:
        return None

    def cell(ref: CellRef) -> str:
        at = xl_rowcol_to_cell(ref.row, ref.col, row_abs=True, col_abs=True)
        return at if ref.sheet == where else f"{quote_sheetname(ref.sheet)}!{at}"

    sections: list[tuple[int, int, float | None]] = []  # each section's rows, and the points it counts at most
    over = False  # whether a section's 计算得分 add up above its points
    for section in d.indicators.sections if d.indicators else ():
        rows = [
            (i.row.ref(output), i.computed or 0.0) for i in evaluation.scores.indicators if i.section == section.name
        ]
        if refs := [ref.row for ref, _ in rows if ref is not None]:
            bounded = section.bonus is None
            sections.append((min(refs) + 1, max(refs) + 1, section.weight if bounded else None))
            over |= bounded and sum(c for _, c in rows) > section.weight + d.score_tolerance
    budget = fields.get(d.budget.score or "") if d.budget else None
    points = f"N({cell(budget.ref)})+" if budget is not None and budget.ref is not None else ""
    sheet, header = table.start
    summed = sections_summed(
        xl_col_to_name(table.columns[output], col_abs=True),
        header,
        sorted(sections) or [(header, header, None)],
        f"ROW({cell(total.ref)})",
        sheet="" if sheet == where else f"{quote_sheetname(sheet)}!",
    )
    now = grid.formulas[(checked.ref.row, checked.ref.col)]
    read = all(reads_any(areas, [ref.place]) for ref in written)
    if read and "#REF!" not in now and not (over and "MIN(" not in now):  # an older template's caps no section
        return None
    return CellWrite(where, checked.ref.a1, f"={points}{summed}", formula=True)


def _show(value: Any) -> Any:
    if isinstance(value, list):
        return "–".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    return value


def build_plan(evaluation: Evaluation, lang: str = "zh") -> AnnotationPlan:
    """Turn an evaluation into the marks to leave in the workbook."""
    definition = evaluation.definition
    scores = evaluation.scores
    plan = AnnotationPlan(lang=lang)
    table = evaluation.extraction.tables.get(definition.indicators.table) if definition.indicators else None
    output = next((c.key for c in table.spec.columns if c.output and c.key in table.columns), None) if table else None
    first_cell = _first_cells(evaluation)
    written: list[CellRef] = []
    for indicator in scores.indicators if output else ():
        ref = indicator.row.ref(output)
        # A cell the unit merged into the one above takes no value (only a merge's first cell can hold one).
        if ref is not None and indicator.computed is not None and first_cell(ref.sheet, ref.a1) == ref.a1:
            plan.writes.append(CellWrite(ref.sheet, ref.a1, round(indicator.computed, definition.score_decimals)))
            written.append(ref)
    if table is not None and output is not None and (summed := _checked_total(evaluation, table, output, written)):
        plan.writes.append(summed)
    grouped: dict[tuple[str, str], list[Any]] = {}
    for finding in evaluation.findings:
        # A finding inside a merge is marked on the merge's first cell, where its note shows (and can be written).
        grouped.setdefault((finding.sheet, first_cell(finding.sheet, finding.cell)), []).append(finding)
        plan.results.append(
            ResultRow(
                code=finding.code,
                severity=finding.severity,
                sheet=finding.sheet,
                cell=finding.cell,
                message=finding.message(lang),
                value=_show(finding.value),
                expected=_show(finding.expected),
                difference=finding.difference,
            )
        )
    plan.rules = [
        RuleRow(code, *explained(code, definition, lang)) for code in dict.fromkeys(r.code for r in plan.results)
    ]
    for (sheet, cell), found in grouped.items():
        severity = min((f.severity for f in found), key=SEVERITY_ORDER.__getitem__)
        lines = [f"[{f.code} {SEVERITY_LABEL[lang][f.severity]}] {f.message(lang)}" for f in found]
        plan.marks.append(CellMark(sheet, cell, severity, "\n".join(lines)))
    zh = lang == "zh"
    plan.summary = [
        ("表式" if zh else "form", f"{definition.region} {definition.name} ({definition.id} {definition.version})"),
        ("单位" if zh else "unit", evaluation.unit),
        ("年度" if zh else "year", evaluation.extraction.year or ""),
        (
            "执行率" if zh else "execution rate",
            percent(scores.headline_rate) if scores.headline_rate is not None else "",
        ),
        *_points(evaluation, lang),
        ("结论" if zh else "status", STATUS_LABEL[lang][evaluation.status]),
    ]
    return plan


def _points(evaluation: Evaluation, lang: str) -> list[tuple[str, Any]]:
    """The summary's totals and grade, said as the command line and the button say them: a form without points is
    not scored (no 0), and a form with nothing to score yet has no grade."""
    scores, decimals = evaluation.scores, evaluation.definition.score_decimals
    labels = ("计算总分", "填报总分", "评价等次") if lang == "zh" else ("computed total", "reported total", "grade")
    if scores.total is None or scores.reported_total is None:
        return list(zip(labels, ("本表式不计分" if lang == "zh" else "not scored", "", ""), strict=True))
    shown = (round(scores.total, decimals), round(scores.reported_total, decimals), scores.grade or UNGRADED[lang])
    return list(zip(labels, shown, strict=True))
