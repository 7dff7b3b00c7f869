"""PE104: a target or actual value that cannot be read as a quantity."""

import re
from collections.abc import Iterator
from typing import Any

from ..definition import FormDefinition
from ..engine import Indicator
from ..findings import Finding
from ..values import DATE, Quantity, comparable_units, normalize_text
from .base import Check, Context, value_hint


class UnparsedValue(Check):
    """目标值或实际完成值无法解析：含数字却不是“数字+单位+比较符”的形式，或与目标值单位不一致。

    无法解析就无法按 B/A 计分；工具不猜测，请改写为如 “≥95%”“不少于60人次”“7个”。比值和分数（“1:1”“8/8”）既无方向也无
    可比的单位，同样不猜，提示改写为百分数或数量。实际完成值列出几个数的（“完成8个，完成率100%”），取与目标值单位相同的那个；
    没有或不止一个的，不知哪一个与目标值对应，同样提示。年初目标值列了几项（“科普小镇1个，专家工作站3个”）而实际完成值
    只有一个数、或所列各项与之对不上（名称不同、项数不同、单位不一致）的，无法逐项比较，提示逐项填写。
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

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.evaluation.scores.indicators:
            for key, quantity in (("target", ind.target), ("actual", ind.actual)):
                if quantity.kind == "unparsed":
                    detail, detail_en = value_hint(quantity.raw)
                    if not detail and _RATIO.fullmatch(normalize_text(quantity.raw)):
                        detail, detail_en = _RATIO_HINT
                    yield self._finding(ctx, ind, key, quantity, detail, detail_en)
            if ind.target.kind == ind.actual.kind == "number" and not comparable_units(ind.target, ind.actual):
                yield self._unit_mismatch(ctx, ind)
            if ind.target.kind == "number" and ind.actual.kind == "compound":  # none or several in the target's unit
                detail, detail_en = (text.format(target=ind.target.raw) for text in _LISTED_HINT)
                yield self._finding(ctx, ind, "actual", ind.actual, detail, detail_en, expected=ind.target.raw)
            if _unpaired(ind):
                detail, detail_en = (
                    text.format(target=ind.target.raw) for text in _UNPAIRED_HINT[ind.actual.kind == "compound"]
                )
                yield self._finding(ctx, ind, "actual", ind.actual, detail, detail_en, expected=ind.target.raw)

    def _unit_mismatch(self, ctx: Context, ind: Indicator) -> Finding:
        """An actual whose unit does not compare with its target's, said on the actual; a date Excel made of the
        input (7-8 typed as a count) is said on its own cell, with how to get the input back."""
        made = [(k, q) for k, q in (("target", ind.target), ("actual", ind.actual)) if value_hint(q.raw)[0]]
        key, quantity = made[0] if made else ("actual", ind.actual)
        detail, detail_en = value_hint(quantity.raw) if made else _unit_detail(ind.target.unit, ind.actual.unit)
        return self._finding(ctx, ind, key, quantity, detail, detail_en, expected=ind.target.unit)

    def _finding(
        self, ctx: Context, ind: Indicator, key: str, quantity: Quantity, detail: str, detail_en: str, **more: Any
    ) -> Finding:
        what, what_en = _WHAT[key]
        return self.finding(
            ctx,
            ind.row.ref(key),
            value=quantity.raw,
            key=ind.name,
            what=what,
            what_en=what_en,
            detail=detail,
            detail_en=detail_en,
            **more,
        )


_WHAT = {"target": ("年初目标值", "target"), "actual": ("实际完成值", "actual")}
# A ratio or a fraction (1:1, 配套比例1：1, 8/8, 完成8/8项), full-width forms folded: it says neither a direction nor a
# unit, and the tool does not guess them; the message says what it reads instead.
_RATIO = re.compile(r"\D*\d+(?:\.\d+)?[:/]\d+(?:\.\d+)?\D*")
_RATIO_HINT = (
    "（比值或分数无法与目标值比较：请写成百分数或数量，如“100%”“8个”）",
    " (a ratio or a fraction does not compare with the target: write a percentage or a quantity, such as 100% or 8个)",
)

# An actual listing figures against a target of one, none or several of them in its unit (see values.part_in_unit).
_LISTED_HINT = (
    "（列出了几个数，不知哪一个与目标值“{target}”对应：请只填与目标值对应的完成数）",
    " (it lists several figures, and which of them answers the target {target} is not said: give the one that does)",
)

# A list of targets answered by one figure (False) or by a list whose items do not pair with its own (True).
_UNPAIRED_HINT = {
    False: (
        "（年初目标值列了几项，实际完成值只有一个数：请按年初目标值的各项逐项填写完成数，如“{target}”）",
        " (the target lists several items and the actual gives one figure: give a figure for each of the target's "
        "items, as in {target})",
    ),
    True: (
        "（实际完成值的各项与年初目标值的各项对不上：请按年初目标值的各项逐项填写完成数，如“{target}”）",
        " (the actual's items do not answer the target's: give a figure for each of the target's items, as in "
        "{target})",
    ),
}


def _unpaired(ind: Indicator) -> bool:
    """A list of targets answered by a figure, or by a list whose items do not pair with its own (see
    ``values.paired_parts``), on a row not typed 定性."""
    return (
        ind.target.kind == "compound"
        and ind.actual.kind in ("number", "compound")
        and ind.typed_direction != "定性"
        and not ind.pairs
    )


def _unit_detail(target: str | None, actual: str | None) -> tuple[str, str]:
    """Why an actual's unit does not compare with its target's, in both languages: two units, or a number or a month
    against a calendar day."""
    if target and actual and DATE not in (target, actual):
        return f"（单位 {actual} 与目标值单位 {target} 不一致）", f" (unit {actual} differs from the target's {target})"
    return (
        "（目标值与实际完成值须同为日期，如“6月30日前”与“6月25日”）",
        " (a date compares with a date only, such as 6月30日前 and 6月25日)",
    )
