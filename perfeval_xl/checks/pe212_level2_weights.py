"""PE212: a 二级指标's weight is not the sum of its 三级指标 weights."""

from collections.abc import Iterator
from itertools import groupby

from ..definition import FormDefinition
from ..findings import Finding
from ..values import parse_score
from .base import Check, Context, differs, indicator_columns


class Level2WeightsSum(Check):
    """二级指标分值与所属三级指标分值合计不符：三级 → 二级 → 一级 → 100 逐级闭合（广州 资金管理 16 = 2+3+2+2+2+2+3）。

    分值不闭合说明增删了指标却没有调整分值，满分结构随之错乱。只在二级分值和每个三级分值都已填写时检查。
    Failing: 资金管理 16，所属三级指标分值合计 15。Passing: 合计 16。
    """

    code = "PE212"
    name = "二级指标分值与三级指标分值合计不符"
    name_en = "level-2 weight is not the sum of its indicators"
    severity = "error"
    stage = 2
    message = {
        "zh": "二级指标“{key}”分值 {value}，所属三级指标分值合计 {expected}",
        "en": "level-2 indicator '{key}' weighs {value} but its indicators add up to {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return "level2_weight" in indicator_columns(definition)

    def run(self, ctx: Context) -> Iterator[Finding]:
        indicators = ctx.evaluation.scores.indicators
        for (_, level2), group in groupby(indicators, key=lambda i: (i.section, str(i.row.raw("level2")).strip())):
            members = list(group)
            typed = parse_score(members[0].row.raw("level2_weight"))
            weights = [i.weight for i in members]
            if not level2 or typed.kind != "number" or None in weights:
                continue
            total = sum(w or 0.0 for w in weights)
            if differs(typed.value or 0.0, total, typed.tolerance):
                yield self.finding(
                    ctx, members[0].row.ref("level2_weight"), value=typed.value, expected=round(total, 6), key=level2
                )
