"""PE208: the typed 总分 is not the sum of the scores."""

from collections.abc import Iterator

from ..definition import FormDefinition
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

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.total is not None and definition.scored

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        key = ev.definition.total
        typed = ev.parsed.get(key or "")
        if key is None or typed is None or typed.kind != "number" or not ev.definition.scored:
            return
        # Self-scores are exact as typed; only the total's own typed precision allows rounding.
        if differs(typed.value or 0.0, ev.scores.reported_sum, typed.tolerance):
            yield self.finding(
                ctx, ev.extraction.fields[key].ref, value=typed.value, expected=round(ev.scores.reported_sum, 6)
            )
