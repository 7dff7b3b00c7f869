"""PE106: an indicator without a weight (分值)."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context


class WeightMissing(Check):
    """指标分值未填：没有分值就无法按备注规则复核得分，只能沿用自评得分。

    官方表式没有“分值”列时（如襄阳 2021 年表），每个指标都会得到此提示；加列填写即可复核。
    Failing: 分值列为空。Passing: 分值 3。
    """

    code = "PE106"
    name = "指标分值未填"
    name_en = "indicator weight missing"
    severity = "warning"
    stage = 1
    message = {
        "zh": "“{key}”未填分值，无法按计分规则复核，计算得分沿用自评得分",
        "en": "'{key}' has no weight; its self-score is taken as is",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.evaluation.scores.indicators:
            if ind.weight is None and ind.reported.kind != "unparsed":
                yield self.finding(ctx, ind.row.ref("weight") or ind.row.ref("name"), key=ind.name)
