"""PE302: an actual value far above its target (the target was set too low)."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from ..values import comparable_units
from .base import Check, Context


class TargetFarExceeded(Check):
    """实际完成值远超目标：正向指标完成值达到目标的 1.5 倍以上（比例由表式定义），提示目标设置偏低。

    绩效目标应“指向明确、细化量化、合理可行”；远超目标说明年初目标值没有测算依据。
    Failing: 目标 “不少于5场”，实际 “20场”。Passing: 实际 “7场”。
    """

    code = "PE302"
    name = "实际完成值远超目标"
    name_en = "target far exceeded"
    severity = "warning"
    stage = 3
    message = {
        "zh": "“{key}”实际完成 {value} 为目标 {expected} 的 {ratio} 倍，请说明目标是否设置偏低",
        "en": "'{key}' achieved {value}, {ratio} times its target {expected}: was the target set too low?",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        rules = ctx.evaluation.definition.indicators
        if rules is None:
            return
        for ind in ctx.evaluation.scores.indicators:
            # Counts and amounts only: a rate target (90%以上) cannot be exceeded 1.5-fold in a meaningful way.
            numeric = (
                ind.target.kind == ind.actual.kind == "number"
                and comparable_units(ind.target, ind.actual)
                and "%" not in (ind.target.unit, ind.actual.unit)
            )
            t, a = ind.target.value, ind.actual.value
            if not numeric or ind.direction != "正向" or t is None or a is None or t <= 0:
                continue
            ratio = a / t
            if ratio >= rules.far_exceeded_ratio:
                yield self.finding(
                    ctx,
                    ind.row.ref("actual"),
                    value=ind.actual.raw,
                    expected=ind.target.raw,
                    key=ind.name,
                    ratio=round(ratio, 2),
                )
