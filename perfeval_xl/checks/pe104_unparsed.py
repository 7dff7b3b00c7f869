"""PE104: a target or actual value that cannot be read as a quantity."""

from collections.abc import Iterator

from ..findings import Finding
from .base import Check, Context, value_hint


class UnparsedValue(Check):
    """目标值或实际完成值无法解析：含数字却不是“数字+单位+比较符”的形式，或与目标值单位不一致。

    无法解析就无法按 B/A 计分；工具不猜测，请改写为如 “≥95%”“不少于60人次”“7个”。
    Failing: 目标 “7个”，实际 “完成2020年16家建站工作站第一阶段评审”。Passing: 实际 “8个”。
    """

    code = "PE104"
    name = "目标值或实际值无法解析"
    name_en = "value cannot be parsed"
    severity = "warning"
    stage = 1
    message = {
        "zh": "“{key}”的{what}“{value}”无法解析为数值{detail}",
        "en": "{what_en} '{value}' of '{key}' cannot be parsed as a quantity{detail_en}",
    }

    def run(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.evaluation.scores.indicators:
            for key, quantity, what, what_en in (
                ("target", ind.target, "年初目标值", "target"),
                ("actual", ind.actual, "实际完成值", "actual"),
            ):
                if quantity.kind == "unparsed":
                    detail, detail_en = value_hint(quantity.raw)
                    yield self.finding(
                        ctx,
                        ind.row.ref(key),
                        value=quantity.raw,
                        key=ind.name,
                        what=what,
                        what_en=what_en,
                        detail=detail,
                        detail_en=detail_en,
                    )
            t, a = ind.target, ind.actual
            if t.kind == a.kind == "number" and t.unit and a.unit and t.unit != a.unit:
                yield self.finding(
                    ctx,
                    ind.row.ref("actual"),
                    value=a.raw,
                    expected=t.unit,
                    key=ind.name,
                    what="实际完成值",
                    what_en="actual",
                    detail=f"（单位 {a.unit} 与目标值单位 {t.unit} 不一致）",
                    detail_en=f" (unit {a.unit} differs from the target's {t.unit})",
                )
