"""PE201: the typed 执行率 is not 执行数 / 预算数."""

from collections.abc import Iterator

from ..findings import Finding, percent
from .base import Check, Context, typed_mismatch


class ExecutionRateMismatch(Check):
    """执行率（完成率）与执行数/预算数不符：执行率 = 执行数(B) / 预算数(A)，容差按填报精度（114.44% 允许 ±0.005%）。

    执行率决定预算执行得分，抄错或用了别的口径都会让得分失真。支出规模表按列检查每个完成率（广州）。
    Failing: A 2634.17，B 3014.42，执行率填 104.44%。Passing: 114.44%。
    """

    code = "PE201"
    name = "执行率与执行数/预算数不符"
    name_en = "execution rate is not B/A"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{key}”填报 {shown}，按执行数/预算数计算应为 {expected_shown}",
        "en": "'{key}' {shown} should be {expected_shown} (executed / budget)",
    }

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        rates = dict(ev.scores.ratios)
        if ev.definition.budget is not None and ev.definition.budget.rate and ev.scores.rate is not None:
            rates[ev.definition.budget.rate] = ev.scores.rate
        for key, rate in rates.items():
            mismatch = typed_mismatch(ctx, key, rate)
            if mismatch is not None:
                value, ref = mismatch
                yield self.finding(
                    ctx,
                    ref,
                    value=value,
                    expected=round(rate, 6),
                    key=ev.extraction.fields[key].spec.label,
                    shown=percent(value),
                    expected_shown=percent(rate),
                )
