"""PE220: the same figure differs between two tables of one submission."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context, differs


class FigureDisagrees(Check):
    """表间数据不一致：同一个数在两张表里出现（基础数据表的项目支出本年决算数与自评表的项目支出），须相同。

    Failing: 基础数据表 项目支出 本年决算数 158.68，自评表 项目支出 150。Passing: 两处均为 158.68。
    """

    code = "PE220"
    name = "表间数据不一致"
    name_en = "the same figure differs between tables"
    severity = "error"
    scope = "表间"
    stage = 2
    message = {
        "zh": "“{field}”为 {value}，而“{other}”为 {expected}，应相同",
        "en": "'{field}' is {value} but '{other}' is {expected}; they must agree",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return bool(definition.agreements)

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        fields = ev.extraction.fields
        for group in ev.definition.agreements:
            typed = [(k, ev.parsed[k]) for k in group if ev.parsed[k].kind == "number"]
            if len(typed) < 2:
                continue
            first, reference = typed[0]
            for key, quantity in typed[1:]:
                if differs(quantity.value or 0.0, reference.value or 0.0, quantity.tolerance + reference.tolerance):
                    yield self.finding(
                        ctx,
                        fields[key].ref,
                        value=quantity.value,
                        expected=reference.value,
                        field=fields[key].spec.label,
                        other=fields[first].spec.label,
                    )
