"""PE221: the item rows under a row do not add up to it."""

from collections.abc import Iterator

from ..definition import FormDefinition, MatrixSpec
from ..engine import parse_cell
from ..findings import Finding
from .base import Check, Context


class ItemsMismatch(Check):
    """明细行之和与合计行不符：合计行下逐项列出的明细（项目支出：1、业务工作经费 2、科学技术普及 …）每一列之和须等于
    合计行。空白按 0 计。

    Failing: 项目支出 本年决算数 158.68，明细 48 + 60 + 40。Passing: 明细 48 + 60 + 50.68。
    """

    code = "PE221"
    name = "明细行之和与合计行不符"
    name_en = "item rows do not add up to their total row"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{total}”为 {found}，其下明细之和为 {expected}",
        "en": "'{total}' is {found_en} but its items add up to {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return any(block.matrix and block.matrix.items for block in definition.blocks)

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        for block in ev.definition.blocks:
            matrix = block.matrix
            if matrix is None:
                continue
            for row_key in matrix.items:
                items = ev.extraction.tables.get(MatrixSpec.items_id(row_key))
                if items is None:
                    continue
                for column in matrix.columns:
                    key = MatrixSpec.key(row_key, column.key)
                    field = ev.extraction.fields[key]
                    finding = self.identity_finding(
                        ctx,
                        field.ref,
                        ev.parsed[key],
                        [(1, parse_cell(r.cells.get(column.key))) for r in items.rows],
                        total=field.spec.label,
                    )
                    if finding is not None:
                        yield finding
