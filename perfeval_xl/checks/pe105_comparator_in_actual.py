"""PE105: a comparator typed into an actual value."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from ..values import Quantity, said_nearly
from .base import Check, Context

# What an actual gave in place of its figure, as the message says it (Chinese, English).
_RANGE = ("是一个范围", "is a range")
_NEARLY = ("只说接近这个数", "says only nearly that much")
_COMPARATOR = ("含比较符", "contains a comparator")


class ComparatorInActual(Check):
    """实际完成值含比较符：实际完成值应是完成的确数，不应写 “≥266米”“不少于60人次”，也不应写范围 “85%-90%” 或 “接近95%”。

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
        "zh": "“{key}”的实际完成值“{value}”{given}，应填写实际完成的确数",
        "en": "actual value '{value}' of '{key}' {given_en}; give the figure achieved",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.evaluation.scores.indicators:
            actual = ind.actual
            if actual.kind == "number" and actual.comparator and not actual.approximate:  # 达到96% is its figure
                given, given_en = _given(actual)
                yield self.finding(
                    ctx, ind.row.ref("actual"), value=actual.raw, key=ind.name, given=given, given_en=given_en
                )


def _given(actual: Quantity) -> tuple[str, str]:
    """What an actual with a comparator gave in place of its figure: a range (85%-90%), nearly a figure (接近95%), or a
    comparator (≥266米, 不足95%)."""
    if actual.upper is not None:
        return _RANGE
    return _NEARLY if said_nearly(actual.raw) else _COMPARATOR
