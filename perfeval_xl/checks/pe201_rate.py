"""PE201: the typed 执行率 is not 执行数 / 预算数."""

from collections.abc import Iterator

from ..definition import FormDefinition
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
        "zh": "“{key}”填报 {shown}，按 {formula} 计算应为 {expected_shown}",
        "en": "'{key}' {shown} should be {expected_shown} ({formula})",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return any(r.key for r in definition.ratios) or bool(definition.budget and definition.budget.rate)

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        fields = ev.extraction.fields

        def labels(keys: tuple[str, ...]) -> str:
            return "+".join(fields[k].spec.label for k in keys)

        formulas = {r.key: f"{labels(r.numerator)} / {labels(r.denominator)}" for r in ev.definition.ratios if r.key}
        rates = dict(ev.scores.ratios)
        budget = ev.definition.budget
        if budget is not None and budget.rate and ev.scores.rate is not None:
            rates[budget.rate] = ev.scores.rate
            formulas[budget.rate] = f"{labels((budget.executed,))} / {labels((budget.budget,))}"
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
                    formula=formulas[key],
                )
