"""PE105: a comparator typed into an actual value."""

from collections.abc import Iterator

from ..findings import Finding
from .base import Check, Context


class ComparatorInActual(Check):
    """实际完成值含比较符：实际完成值应是完成的确数，不应写 “≥266米”“不少于60人次”。

    比较符属于目标值；写在实际值里说明没有填报真实完成数。
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

    def run(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.evaluation.scores.indicators:
            if ind.actual.kind == "number" and ind.actual.comparator and not ind.actual.approximate:
                yield self.finding(ctx, ind.row.ref("actual"), value=ind.actual.raw, key=ind.name)
