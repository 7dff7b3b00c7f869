"""PE206: a section's weight printed in its label differs from the form's allocation."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context, differs, section_rows


class SectionLabelWeight(Check):
    """一级指标分值与表式规定不符：湖北 产出 40、效益 30、满意度 10（加预算执行 20）；广州 管理效能 45、履职效能 50、
    加减分项 5，合计 100。

    分值写在一级指标名称里（“产出指标（40分）”）或单独的分值列里，都按表式核对。改动一级指标分值会改变全表满分结构，
    财政部门无法横向比较。
    Failing: 一级指标写作 “产出指标（45分）”。Passing: “产出指标（40分）”。
    """

    code = "PE206"
    name = "一级指标分值与表式规定不符"
    name_en = "section weight differs from the form"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{key}”标注 {value} 分，表式规定为 {expected} 分",
        "en": "'{key}' is labelled {value} points; the form allocates {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        for section in ctx.evaluation.scores.sections:
            if section.weight_shown is not None and differs(section.weight_shown, section.weight, 0.0):
                first = section_rows(ctx, section.name)[0]
                yield self.finding(
                    ctx,
                    first.row.section_weight_ref or first.row.ref("level1"),
                    value=section.weight_shown,
                    expected=section.weight,
                    key=section.name,
                )
