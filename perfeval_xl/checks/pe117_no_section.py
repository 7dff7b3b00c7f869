"""PE117: an indicator row under an 一级指标 the form does not have."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context


class NoSection(Check):
    """指标行不属于表式的一级指标：一级指标栏写了表式没有的名称（“新增指标”“社会效益指标”），或首行的一级指标空着。

    表式的分值按一级指标分配（产出指标 40 分……）。不属于任何一级指标的行，得分计入了单位自己的合计，却不在任何一级指标内：
    一级指标的分值、得分合计（PE205、PE207）都校验不到它，计算总分也不计入它。一级指标写作 “满意度”（省去 “指标”）的，
    按 “满意度指标” 读。
    Failing: 一级指标 “新增指标”。Passing: “满意度指标（10分）”、“满意度”。
    """

    code = "PE117"
    name = "指标行不属于表式的一级指标"
    name_en = "indicator row under no section of the form"
    severity = "error"
    stage = 1
    message = {
        "zh": "“{key}”的{given}（应为{expected}之一），{what}不计入任何一级指标，也不计入计算总分",
        "en": "{given_en} is none of the form's sections ({expected}): {what_en} counts in no section, "
        "nor in the computed total",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None and bool(definition.indicators.sections)

    def run(self, ctx: Context) -> Iterator[Finding]:
        rules = ctx.evaluation.definition.indicators
        expected = "、".join(s.name for s in rules.sections) if rules else ""
        for ind in ctx.evaluation.scores.indicators:
            if ind.section is not None:
                continue
            level1 = str(ind.row.raw("level1")).strip()
            score = ind.reported_score
            yield self.finding(
                ctx,
                ind.row.ref("level1") or ind.row.ref("name"),
                value=level1,
                expected=expected,
                key=ind.name,
                given=f"一级指标“{level1}”不是本表的一级指标" if level1 else "一级指标未填",
                given_en=f"the section '{level1}' of '{ind.name}'" if level1 else f"the blank section of '{ind.name}'",
                what=f"其得分 {score:g} " if score else "该行",
                what_en=f"its score {score:g}" if score else "the row",
            )
