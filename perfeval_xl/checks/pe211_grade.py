"""PE211: the typed 评价等次 does not follow the total."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from ..locate import norm_label
from ..scoring import grade_for, grade_named
from .base import Check, Context


class GradeMismatch(Check):
    """评价等次与总分不符：优 ≥ 90，良 80–90，中 60–80，差 < 60。

    等次写全称（优秀、良好、中等、较差）或在括号里附总分（优（91.94分））都算同一等次。
    Failing: 总分 85，等次 “优”。Passing: “良”。
    """

    code = "PE211"
    name = "评价等次与总分不符"
    name_en = "grade does not follow the total"
    severity = "error"
    stage = 2
    message = {
        "zh": "总分 {total} 对应等次“{expected}”，填报为“{value}”",
        "en": "total {total} grades '{expected}', found '{value}'",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.grade is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        key = ev.definition.grade
        if key is None or ev.scores.reported_total is None:
            return
        typed = ev.text(key)
        expected = grade_for(ev.scores.reported_total, ev.definition.grades)
        if typed and grade_named(norm_label(typed)) != expected:
            yield self.finding(
                ctx, ev.extraction.fields[key].ref, value=typed, expected=expected, total=ev.scores.reported_total
            )
