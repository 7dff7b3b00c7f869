"""PE208: the typed 总分 is not the sum of the scores."""

from collections.abc import Iterator

from ..findings import Finding
from .base import Check, Context, differs


class TotalMismatch(Check):
    """总分与各项得分之和不符：总分 = 预算执行得分 + 各指标得分之和。

    Failing: 各项得分合计 93，总分填 95。Passing: 93。
    """

    code = "PE208"
    name = "总分与各项得分之和不符"
    name_en = "total is not the sum of the scores"
    severity = "error"
    stage = 2
    message = {"zh": "总分填报 {value}，各项得分之和为 {expected}", "en": "total {value} should be {expected}"}

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        key = ev.definition.total
        if key is None or ev.parsed[key].kind != "number":
            return
        typed = ev.parsed[key]
        budget_key = ev.definition.budget.score if ev.definition.budget else None
        budget = (
            ev.parsed[budget_key].value
            if budget_key and ev.parsed[budget_key].kind == "number"
            else (ev.scores.budget_score or 0.0)
        )
        scores = [i.reported_score or 0.0 for i in ev.scores.indicators]
        # Self-scores are exact as typed; only the total's own typed precision allows rounding.
        tolerance = typed.tolerance
        expected = (budget or 0.0) + sum(scores)
        if differs(typed.value or 0.0, expected, tolerance):
            yield self.finding(ctx, ev.extraction.fields[key].ref, value=typed.value, expected=round(expected, 6))
