"""PE402: a department's figure is not the sum of its institutions' forms (汇总 across files)."""

from __future__ import annotations

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context, figure_differs, shown_total


class PartsSumMismatch(Check):
    """部门汇总数与各机构之和不符：部门（单位）整体的表中每个金额和人数，须等于其各机构（机关、二级机构）同一表式之和。空白按 0 计。

    各机构的表由 perfeval check 部门.xlsx --part 机关.xlsx --part 二级机构.xlsx 指定（同一表式、同一年度），批处理中由单位名单
    （perfeval batch … --units 单位名单.xlsx）的上级单位列确定；都不给时不检查。
    漏报一个机构、或部门表与机构表各填各的，汇总数就对不上。
    Failing: 部门预算数 2634.17，机关 1634.17 + 二级机构 900。Passing: 机关 1634.17 + 二级机构 1000。
    """

    code = "PE402"
    name = "部门汇总数与各机构之和不符"
    name_en = "department figure is not the sum of its institutions'"
    severity = "error"
    scope = "汇总"
    stage = 2
    message = {
        "zh": "“{key}”为 {found}，各机构之和为 {expected}（{count} 个机构的表），应相同",
        "en": "'{key}' is {found_en}, its institutions' forms add up to {expected} ({count} forms)",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return any(
            spec.type in ("amount", "quantity") and not spec.computed and not spec.output
            for spec in definition.fields.values()
        )

    def run(self, ctx: Context) -> Iterator[Finding]:
        evaluation = ctx.evaluation
        parts = evaluation.parts
        if parts is None:
            return
        for key, summed in parts.values.items():
            field, quantity = evaluation.extraction.fields[key], evaluation.parsed[key]
            if field.ref is None or quantity.kind not in ("number", "empty"):
                continue
            if figure_differs(quantity, summed):
                yield self.finding(
                    ctx,
                    field.ref,
                    expected=summed[0],
                    key=field.spec.label,
                    count=len(parts.files),
                    **shown_total(quantity),
                )
