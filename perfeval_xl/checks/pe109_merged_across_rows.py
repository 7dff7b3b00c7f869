"""PE109: a score or an amount merged over several rows of a table, typed once for all of them."""

from collections.abc import Iterator

from ..findings import Finding
from .base import Check, Context


class MergedAcrossRows(Check):
    """得分、分值或金额单元格跨行合并：一个数填给了几行（几个指标、几个机构），不知各行各是多少。

    合并格的数只算在第一行，其余各行视为未填；此时逐行复核得分、合计都无从谈起，请取消合并，逐行填写。
    整行各格都与上一行合并的（把一个指标写成两行高）仍是一个指标，不在此列。
    Failing: 两个三级指标的得分合并为一格，填 6。Passing: 各填 3。
    """

    code = "PE109"
    name = "跨行合并的得分或金额"
    name_en = "score or amount merged across rows"
    severity = "error"
    stage = 1
    message = {
        "zh": "“{label}”单元格 {cells} 跨 {count} 行合并（{rows}），只能属于其中一行：请取消合并，逐行填写",
        "en": "'{label}' cells {cells} are merged across {count} rows ({rows_en}): unmerge them and fill each row",
    }

    def run(self, ctx: Context) -> Iterator[Finding]:
        for table in ctx.evaluation.extraction.tables.values():
            for key, first, last in table.shared:
                names = [table.title(row) for row in table.rows if first.row < row.excel_row <= last.row + 1]
                label = next(column.label for column in table.spec.columns if column.key == key)
                yield self.finding(
                    ctx,
                    first,
                    value=next((c.raw for row in table.rows if (c := row.cells.get(key)) and c.ref == first), None),
                    key=label,
                    label=label,
                    cells=f"{first.a1}:{last.a1}",
                    count=last.row - first.row + 1,
                    rows="、".join(f"“{name}”" for name in names),
                    rows_en=", ".join(f"'{name}'" for name in names),
                )
