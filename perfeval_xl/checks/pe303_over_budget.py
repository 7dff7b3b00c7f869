"""PE303: more was spent than budgeted (执行率 above 100 %)."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding, percent
from .base import Check, Context


class OverBudget(Check):
    """执行数超过预算数：执行率高于 100%，支出超出调整后预算，需核实预算口径或说明资金来源。

    得分按满分封顶，但超预算支出本身是财政部门关注的问题（襄阳 2021 年执行率 114.44%）。
    预算数为 0（或“无”）而有执行数的，执行率无法计算、预算执行得分无从计入，同样提示。
    Failing: A 2634.17，B 3014.42；A 0，B 3014.42。Passing: B 2600.00。
    """

    code = "PE303"
    name = "执行数超过预算数"
    name_en = "spending above budget"
    severity = "warning"
    stage = 3
    message = {
        "zh": "执行数 {value} 超过预算数 {expected}（执行率 {rate}），请核实预算口径",
        "en": "executed {value} exceeds the budget {expected} (rate {rate_en})",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.headline is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        headline, rate = ev.definition.headline, ev.scores.headline_rate
        if headline is None:
            return
        budget, executed = ev.parsed[headline.budget], ev.parsed[headline.executed]
        spent = executed.value or 0.0
        if rate is None:  # nothing budgeted and something spent: no rate, and the budget's points go uncounted
            if not (budget.kind == "number" and budget.value == 0 and spent > 0):
                return
            shown = ("无法计算：预算数为 0", "none: the budget is 0")
        elif rate > 1.0 and spent - (budget.value or 0.0) > executed.tolerance + budget.tolerance:
            shown = (percent(rate), percent(rate))
        else:
            return
        yield self.finding(
            ctx,
            ev.extraction.fields[headline.executed].ref,
            value=executed.value,
            expected=budget.value,
            rate=shown[0],
            rate_en=shown[1],
        )
