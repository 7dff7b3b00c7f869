"""PE111: a row or a column of the form hidden in the sheet."""

from collections.abc import Iterator

from xlsxwriter.utility import xl_col_to_name

from ..findings import Finding
from ..grid import CellRef
from ..locate import typed_cells
from .base import Check, Context


class HiddenRowOrColumn(Check):
    """表中有隐藏的行或列：表式的单元格所在行或列被隐藏（包括分级显示折叠的行）。

    隐藏的内容照常读取和校验，但审核人在屏幕上和打印件里看不到它，单位自己也找不到其中的问题。请取消隐藏；不用的行请删除。
    Failing: 三级指标 “上级专项结转资金项目个数” 所在行被隐藏。Passing: 没有隐藏的行列。
    """

    code = "PE111"
    name = "表中有隐藏的行或列"
    name_en = "hidden row or column"
    severity = "warning"
    stage = 1
    message = {
        "zh": "第 {where} {what}已隐藏，其中的内容照常校验，但审核和打印时看不到：请取消隐藏（不用的{what}请删除）",
        "en": "{what_en} {where} is hidden: what it holds is checked, but reviewers and printouts do not show it; "
        "unhide it (delete it if it is not used)",
    }

    def run(self, ctx: Context) -> Iterator[Finding]:
        grids = ctx.evaluation.extraction.grids
        if not any(grid.hidden_rows or grid.hidden_cols for grid in grids.values()):
            return  # most forms hide nothing
        said: set[tuple[str, str, int]] = set()
        for value in sorted((v for _, v in typed_cells(ctx.evaluation.extraction)), key=lambda v: v.ref):
            ref: CellRef = value.ref
            grid = grids.get(ref.sheet)
            if grid is None:
                continue
            for what, number, hidden in (("row", ref.row, grid.hidden_rows), ("column", ref.col, grid.hidden_cols)):
                if number in hidden and (ref.sheet, what, number) not in said:
                    said.add((ref.sheet, what, number))
                    yield self.finding(ctx, ref, value=value.raw, key=value.spec.label, **_where(what, number))


def _where(what: str, number: int) -> dict[str, str]:
    """How the message names a hidden row (第 12 行) or column (第 G 列)."""
    if what == "row":
        return {"where": str(number + 1), "what": "行", "what_en": "row"}
    return {"where": xl_col_to_name(number), "what": "列", "what_en": "column"}
