"""PE201: the typed 执行率 is not 执行数 / 预算数."""

from collections.abc import Iterator

from ..findings import Finding, percent
from .base import Check, Context, typed_mismatch


class ExecutionRateMismatch(Check):
    """执行率与执行数/预算数不符：执行率 = 执行数(B) / 预算数(A)，容差按填报精度（114.44% 允许 ±0.005%）。

    执行率决定预算执行得分，抄错或用了别的口径都会让得分失真。
    Failing: A 2634.17，B 3014.42，执行率填 104.44%。Passing: 114.44%。
    """

    code = "PE201"
    name = "执行率与执行数/预算数不符"
    name_en = "execution rate is not B/A"
    severity = "error"
    stage = 2
    message = {
        "zh": "执行率填报 {shown}，按执行数/预算数计算应为 {expected_shown}",
        "en": "execution rate {shown} should be {expected_shown} (executed / budget)",
    }

    def run(self, ctx: Context) -> Iterator[Finding]:
        rule, rate = ctx.evaluation.definition.budget, ctx.evaluation.scores.rate
        mismatch = typed_mismatch(ctx, rule.rate if rule else None, rate)
        if mismatch is not None and rate is not None:
            value, ref = mismatch
            yield self.finding(
                ctx, ref, value=value, expected=round(rate, 6), shown=percent(value), expected_shown=percent(rate)
            )
