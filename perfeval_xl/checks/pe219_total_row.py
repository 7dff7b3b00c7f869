"""PE219: a table's 汇总 row is not the sum of the other rows."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..engine import parse_cell
from ..findings import Finding
from .base import Check, Context


class TotalRowMismatch(Check):
    """汇总行不等于各机构之和：部门汇总行（如“市科协及二级机构汇总”）每一列都应等于机关和各二级机构之和。空白按 0 计。

    岳阳 2020：支出 汇总行 项目支出 644，三个机构之和 361.4 + 195.59 + 83.84 = 640.83。
    Failing: 汇总 项目支出 644。Passing: 640.83。
    """

    code = "PE219"
    name = "汇总行不等于各行之和"
    name_en = "the total row is not the sum of the rows"
    severity = "error"
    scope = "汇总"
    stage = 2
    message = {
        "zh": "“{row}”的“{column}”为 {found}，各行之和为 {expected}",
        "en": "'{row}' '{column}' is {found_en} but the rows add up to {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return any(table.total_row for table in definition.tables.values())

    def run(self, ctx: Context) -> Iterator[Finding]:
        for table in ctx.evaluation.extraction.tables.values():
            if not table.spec.total_row:
                continue
            totals, members = table.totals_and_members()
            if len(totals) != 1 or not members:
                continue
            total_row = totals[0]
            title = table.name(total_row)
            for column in table.spec.columns[1:]:
                if column.type not in ("amount", "quantity") or column.key not in table.columns:
                    continue
                finding = self.identity_finding(
                    ctx,
                    total_row.ref(column.key),
                    parse_cell(total_row.cells.get(column.key)),
                    [(1, parse_cell(r.cells.get(column.key))) for r in members],
                    key=title,
                    row=title,
                    column=column.label,
                )
                if finding is not None:
                    yield finding
