"""PE213: a 加减分 outside its cap or off its step."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context


class BonusRule(Check):
    """加减分不符合规则：加减分按步长计（广州 每项 ±2.5 分），加分、扣分各不超过上限（±5 分）。

    加减分直接改变总分和等次，财政部门按表彰、处分文件逐项核对，不允许自行折算。
    Failing: 加减分 3。Passing: 2.5、0 或 −5。
    """

    code = "PE213"
    name = "加减分不符合规则"
    name_en = "bonus or penalty off its rule"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{key}”加减分 {value}，应为 {step} 分的整数倍，且在 {low} 至 {high} 分之间",
        "en": "'{key}' adds {value}: it must be a multiple of {step} between {low} and {high}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None and any(s.bonus for s in definition.indicators.sections)

    def run(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.evaluation.scores.indicators:
            score, bonus = ind.reported_score, ind.bonus
            if bonus is None or score is None:
                continue
            # A self-score is exact as typed: 3 is not 2.5 rounded.
            steps = score / bonus.step
            if abs(steps - round(steps)) > 1e-9 or not bonus.min - 1e-9 <= score <= bonus.max + 1e-9:
                yield self.finding(
                    ctx,
                    ind.row.ref("score"),
                    value=score,
                    expected=[bonus.min, bonus.max],
                    key=ind.name,
                    step=bonus.step,
                    low=bonus.min,
                    high=bonus.max,
                )
