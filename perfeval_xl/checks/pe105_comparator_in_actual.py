"""PE105: a comparator typed into an actual value."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context


class ComparatorInActual(Check):
    """实际完成值含比较符：实际完成值应是完成的确数，不应写 “≥266米”“不少于60人次”。

    比较符属于目标值；写在实际值里说明没有填报真实完成数。“达到96%”“满意度达96.5%”“控制在3%”说的是做到的确数，对按月的时限写“12月底”
    “年底完成”说的是完成的月份，都不算比较符。
    这样的实际值只在它允许的每个数都达到目标时按分值计分（“95%以上”对“≥95%”）；一定未达到的（“不足95%”对“≥95%”）须说明偏差原因，
    其余沿用自评分。
    Failing: 实际完成值 “≥266米”。Passing: “270米”。
    """

    code = "PE105"
    name = "实际完成值含比较符"
    name_en = "comparator in an actual value"
    severity = "warning"
    stage = 1
    message = {
        "zh": "“{key}”的实际完成值“{value}”含比较符，应填写实际完成的确数",
        "en": "actual value '{value}' of '{key}' contains a comparator; give the figure achieved",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.evaluation.scores.indicators:
            actual = ind.actual
            if actual.kind == "number" and actual.comparator and not actual.approximate:  # 达到96% is its figure
                yield self.finding(ctx, ind.row.ref("actual"), value=actual.raw, key=ind.name)
