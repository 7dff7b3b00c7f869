"""PE202: the typed budget-execution score is not what the form's rule gives."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context, typed_mismatch


class BudgetScoreMismatch(Check):
    """预算执行得分与计分规则不符：湖北 得分 = 20 × 执行率，最高 20 分（执行率超过 100% 也只得满分）。

    Failing: 执行率 114.44%，得分填 22.89。Passing: 20。
    """

    code = "PE202"
    name = "预算执行得分与规则不符"
    name_en = "budget score does not follow the rule"
    severity = "error"
    stage = 2
    message = {
        "zh": "预算执行得分填报 {value}，按“{weight}分×执行率（不超过{weight}分）”应为 {expected}",
        "en": "budget execution score {value} should be {expected} ({weight} × rate, capped)",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return bool(definition.budget and definition.budget.score)

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        rule, score = ev.definition.budget, ev.scores.budget_score
        mismatch = typed_mismatch(ctx, rule.score if rule else None, score)
        if mismatch is not None and rule is not None and score is not None:
            value, ref = mismatch
            yield self.finding(
                ctx, ref, value=value, expected=round(score, ev.definition.score_decimals), weight=rule.weight
            )
