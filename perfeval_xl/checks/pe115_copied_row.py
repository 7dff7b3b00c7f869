"""PE115: an indicator row that repeats another (pasted to add an indicator and left unchanged)."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from ..values import normalize_text
from .base import Check, Context

# What makes two rows the same indicator: its headings, its name, its target and what was achieved.
_SAME = ("level1", "level2", "name", "target", "actual")


class CopiedRow(Check):
    """指标行重复：两行的一级、二级、三级指标、年初目标值和实际完成值都相同。

    多半是复制一行来加指标后没有改写，重复的行把分值和得分算了两次（随之而来的分值合计、得分合计不符，
    根源在这里）；确是两个指标的，请写明各自的名称。名称相同而目标值或实际完成值不同的，不提示。
    Failing: 第 10 行与第 9 行都是 “2021年项目总个数 7个 8个”。Passing: 第 10 行 “政府专项项目个数”。
    """

    code = "PE115"
    name = "指标行重复"
    name_en = "indicator row repeated"
    severity = "warning"
    stage = 1
    message = {
        "zh": "“{key}”这一行与第 {expected} 行的指标名称、目标值和实际完成值完全相同，多半是复制行后未改写："
        "重复的行使分值和得分重复计算",
        "en": "'{key}' repeats row {expected} (the same name, target and actual), likely a row pasted and left "
        "unchanged: its weight and score count twice",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        seen: dict[tuple[str, ...], int] = {}
        for ind in ctx.evaluation.scores.indicators:
            same = tuple(normalize_text(str(ind.row.raw(key) or "")) for key in _SAME)
            if not same[2]:
                continue
            if same in seen:
                yield self.finding(ctx, ind.row.ref("name"), value=ind.name, expected=seen[same], key=ind.name)
            else:
                seen[same] = ind.row.excel_row
