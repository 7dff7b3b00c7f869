"""PE217: the 其中 items of a total add up to more than the total."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context, differs


class PartsOverTotal(Check):
    """其中项之和超过合计：“其中”只列出合计的一部分（公用经费 其中：办公经费、水电差旅费、会议培训费），
    其和可以小于合计，但不能大于合计。

    Failing: 公用经费 18.47，其中 办公经费 10.5、水费电费差旅费 9.2。Passing: 办公经费 0，水费电费差旅费 0.87。
    """

    code = "PE217"
    name = "其中项之和超过合计"
    name_en = "itemised parts exceed their total"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{total}”为 {value}，其中 {parts} 之和为 {expected}，超过合计",
        "en": "'{total}' is {value} but its parts {parts} add up to {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return any(rule.partial for rule in definition.sums)

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        for rule in (r for r in ev.definition.sums if r.partial):
            total = ev.parsed.get(rule.total)
            if total is None or total.kind != "number":
                continue
            parts = [q for q in (ev.parsed.get(p) for p in rule.parts) if q is not None and q.kind == "number"]
            expected = sum(q.value or 0.0 for q in parts)
            tolerance = total.spread + sum(q.spread for q in parts)
            if expected > (total.value or 0.0) and differs(total.value or 0.0, expected, tolerance):
                yield self.sum_finding(ctx, rule, total.value, expected)
