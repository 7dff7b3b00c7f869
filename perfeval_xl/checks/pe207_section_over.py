"""PE207: the self-scores of a section add up to more than its weight."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context, section_rows


class SectionOverWeight(Check):
    """一级指标得分合计超过其分值：如 效益指标（30分）各项得分合计 32。

    即使没有填写单项分值也能发现超分。
    Failing: 效益指标得分 12 + 12 + 8 = 32 > 30。Passing: 12 + 12 = 24。
    """

    code = "PE207"
    name = "一级指标得分合计超过分值"
    name_en = "section scores exceed the section weight"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{key}”得分合计 {value}，超过该项分值 {expected}",
        "en": "scores in '{key}' add up to {value}, above its weight {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        for section in ctx.evaluation.scores.sections:
            members = section_rows(ctx, section.name)
            if members and section.reported > section.weight + 1e-9:
                yield self.finding(
                    ctx,
                    members[0].row.ref("level1"),
                    value=round(section.reported, 6),
                    expected=section.weight,
                    key=section.name,
                )
