"""PE113: an amount a rated indicator is scored from is left blank, so its score cannot be checked."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context


class RatedAmountMissing(Check):
    """比率指标所需金额未填：按金额算出比率再计分的指标（广州 政府采购执行率 = 实际政府采购金额 / 政府采购计划金额），所需金额
    空着就无法复核，计算得分只能沿用自评得分。

    只在表中有该金额的单元格时提示（本工具的模板）；公开的表式只在评分依据里写这些金额，无处可填。
    Failing: 政府采购计划金额 空着。Passing: 填 520.5（万元）。
    """

    code = "PE113"
    name = "比率指标所需金额未填"
    name_en = "amount of a rated indicator missing"
    severity = "warning"
    stage = 1
    message = {
        "zh": "“{key}”按金额计算比率计分，所需的“{label}”未填，无法复核，计算得分沿用自评得分",
        "en": "'{key}' is scored from a rate of amounts, and '{label}' is empty: its self-score is taken as is",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None and bool(definition.indicators.rated)

    def run(self, ctx: Context) -> Iterator[Finding]:
        evaluation = ctx.evaluation
        fields = evaluation.extraction.fields
        for indicator in evaluation.scores.indicators:
            if indicator.rated is None or indicator.rate is not None or indicator.weight is None:
                continue
            ratio = indicator.rated.ratio
            for key in dict.fromkeys((*ratio.numerator, *ratio.denominator)):
                if fields[key].ref is not None and evaluation.parsed[key].kind == "empty":
                    yield self.finding(ctx, fields[key].ref, key=indicator.name, label=fields[key].spec.label)
