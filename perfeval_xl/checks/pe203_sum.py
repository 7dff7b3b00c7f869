"""PE203: a total is not the sum of its parts."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from ..values import parse_amount
from .base import Check, Context, differs


class SumMismatch(Check):
    """合计与分项之和不符：如 基本支出总额 + 项目支出总额 = 执行数（部门整体支出总额）。

    表内勾稽关系不平，说明至少一个数抄错。容差为各数填报精度之和。
    Failing: 基本 990.69 + 项目 2023.73 ≠ 执行数 3104.42。Passing: 3014.42。
    """

    code = "PE203"
    name = "合计与分项之和不符"
    name_en = "total is not the sum of its parts"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{total}”为 {value}，{parts} 之和为 {expected}",
        "en": "'{total}' is {value} but {parts} add up to {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return any(not rule.partial for rule in definition.sums)

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        for rule in (r for r in ev.definition.sums if not r.partial):
            total = ev.parsed.get(rule.total)
            parts = [ev.parsed.get(p) for p in rule.parts]
            if rule.blank_is_zero:
                if all(p is None or p.kind == "empty" for p in parts):
                    continue
                parts = [p for p in parts if p is None or p.kind != "empty"]
                if total is not None and total.kind == "empty":
                    total = parse_amount(0)  # a blank total over typed parts is 0 (公务用车 blank, 公车购置 2)
            if total is None or total.kind != "number" or any(p is None or p.kind != "number" for p in parts):
                continue
            expected = sum(p.value or 0.0 for p in parts if p is not None)
            tolerance = total.tolerance + sum(p.tolerance for p in parts if p is not None)
            if differs(total.value or 0.0, expected, tolerance):
                yield self.sum_finding(ctx, rule, total.value, expected)
