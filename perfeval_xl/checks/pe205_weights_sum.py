"""PE205: the weights of a section's indicators do not add up to the section's weight."""

from collections.abc import Iterator

from ..findings import Finding
from .base import Check, Context, differs, section_rows


class SectionWeightsSum(Check):
    """指标分值合计与一级指标分值不符：三级指标分值之和应等于所属一级指标的分值（如 产出指标 40 分）。

    分值不闭合，满分就不是 100 分，得分无法比较。只在该部分每个指标都填了分值时检查。
    Failing: 产出指标各项分值合计 38。Passing: 合计 40。
    """

    code = "PE205"
    name = "指标分值合计与一级指标分值不符"
    name_en = "indicator weights do not add up to the section weight"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{key}”各指标分值合计 {value}，应为 {expected}",
        "en": "weights in '{key}' add up to {value}, expected {expected}",
    }

    def run(self, ctx: Context) -> Iterator[Finding]:
        for section in ctx.evaluation.scores.sections:
            if section.weights_typed is not None and differs(section.weights_typed, section.weight, 0.0):
                first = section_rows(ctx, section.name)[0]
                yield self.finding(
                    ctx, first.row.ref("weight"), value=section.weights_typed, expected=section.weight, key=section.name
                )
