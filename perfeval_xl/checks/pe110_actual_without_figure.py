"""PE110: an actual value with no figure against a target that asks for one."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from ..values import NIL_AMOUNTS, TIME_UNITS
from .base import Check, Context

# Words that say a deadline was met (按期完成, 已完成 against 年底前完成), unless negated (未按期完成).
_DONE = ("完成", "按期", "按时", "如期", "提前", "准时", "及时")
_NEGATIONS = "未不没"


def _says_done(text: str) -> bool:
    """Whether words say a deadline was met."""
    return any(word in text for word in _DONE) and not any(ch in text for ch in _NEGATIONS)


class ActualWithoutFigure(Check):
    """实际完成值没有数值：年初目标值是数值（“90%以上”“7个”），实际完成值却只写了文字或占位符（“/”“无”“已完成”“未完成”）。

    没有完成的确数，就无法按 B/A 复核得分，自评分只能照录；请按目标值的单位填写实际完成数。目标是“至多”（≤5起、0起）时，
    “无”“/”即为 0，不提示（“无”“没有”“未发生”“零事故”“未发生安全事故”按 0 计分）；百分比目标（100%、≥95%）
    写“全部完成”“全覆盖”的读作 100%；时限目标（12月底前、年底前）的实际完成值写“按期完成”“已完成”这类话的，
    已回答了时限，不提示（“未按期完成”仍提示）；自评 0 分的，没有可复核的分数，也不提示。
    Failing: 目标 “90%以上”，实际 “/”。Passing: 实际 “96.5%”。
    """

    code = "PE110"
    name = "实际完成值没有数值"
    name_en = "actual value gives no figure"
    severity = "warning"
    stage = 1
    message = {
        "zh": "“{key}”的年初目标值为“{expected}”，实际完成值“{value}”没有数值，无法按目标复核得分：请填写实际完成数",
        "en": "'{key}' has the target '{expected}' but its actual '{value}' gives no figure, so its score cannot be "
        "checked against the target: give the figure achieved",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.evaluation.scores.indicators:
            target, actual = ind.target, ind.actual
            if ind.weight is None or ind.rated or ind.bonus or ind.direction == "定性":
                continue  # scored otherwise, or by its tier
            if ind.reported_score == 0:
                continue  # 未开展, 0 points: nothing to check against the target
            if target.kind != "number" or actual.kind != "text":
                continue
            at_most = target.comparator in ("<=", "<") or target.value == 0
            if at_most and actual.raw in NIL_AMOUNTS:  # 无 against ≤5起: none, which meets it
                continue
            if target.unit in TIME_UNITS and _says_done(actual.raw):  # 年底前完成: 按期完成, 已完成
                continue
            yield self.finding(ctx, ind.row.ref("actual"), value=actual.raw, expected=target.raw, key=ind.name)
