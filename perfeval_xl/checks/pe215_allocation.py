"""PE215: the budgets a table shares out add up to more than the amount they come from."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..engine import parse_cell
from ..findings import Finding
from .base import Check, Context, differs


class AllocationOverLimit(Check):
    """分项预算合计超过所属支出：年度整体绩效目标逐项列出的预算之和，不得超过项目支出的年初预算数或决算数。

    绩效目标写了所需经费，决算里却没有对应的项目支出，说明目标与预算脱节（香河 2019：六项目标共 12 万元，
    支出合计与基本支出同为 258.13 万元，项目支出为 0）。项目支出未填时，按 支出合计 − 基本支出 推算。
    Failing: 目标预算合计 12 万元，项目支出决算 0。Passing: 项目支出决算 12.00 万元。
    """

    code = "PE215"
    name = "分项预算合计超过所属支出"
    name_en = "item budgets exceed the amount they share"
    severity = "warning"
    stage = 2
    message = {
        "zh": "“{column}”合计 {value} 万元，超过“{limit}” {expected} 万元{how}",
        "en": "'{column}' adds up to {value} but '{limit}' is {expected}{how_en}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return bool(definition.allocations)

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        for rule in ev.definition.allocations:
            table = ev.extraction.tables.get(rule.table)
            if table is None:
                continue
            amounts = [(row, parse_cell(row.cells.get(rule.column))) for row in table.rows]
            numbers = [(row, q) for row, q in amounts if q.kind == "number"]
            if not numbers:
                continue
            total = sum(q.value or 0.0 for _, q in numbers)
            tolerance = sum(q.tolerance for _, q in numbers)
            column = table.spec.column(rule.column).label
            for key in rule.within:
                known = ev.known(key)
                if known is None:
                    continue
                limit, how = known
                if total > limit and differs(total, limit, tolerance + ev.parsed[key].tolerance):
                    yield self.finding(
                        ctx,
                        numbers[0][0].ref(rule.column),
                        value=round(total, 6),
                        expected=round(limit, 6),
                        key=column,
                        column=column,
                        limit=ev.extraction.fields[key].spec.label,
                        how=f"（未填，按 {how} 推算）" if how else "",
                        how_en=f" (blank; {how})" if how else "",
                    )
