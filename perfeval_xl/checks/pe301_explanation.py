"""PE301: a shortfall without a written explanation."""

from collections.abc import Iterator

from ..findings import Finding, percent
from .base import Check, Context


class ExplanationRequired(Check):
    """须说明偏差原因：得分低于分值、目标未完成、或执行率低于 90% 时，“偏差原因分析”不得为空。

    财政部门审核的正是这些偏差；没有说明的偏差会被退回。
    Failing: 成本指标超出目标且偏差原因分析为空。Passing: 写明 “汽车文化项目年初未纳入预算…”。
    """

    code = "PE301"
    name = "须说明偏差原因"
    name_en = "explanation required"
    severity = "error"
    stage = 3
    message = {"zh": "存在偏差但未填写“{label}”：{reasons}", "en": "'{label}' is empty although {reasons_en}"}

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        key = ev.definition.explanation
        if key is None or ev.text(key):
            return
        reasons, reasons_en = [], []
        rule = ev.definition.budget
        if rule is not None and ev.scores.rate is not None and ev.scores.rate < rule.explain_below:
            reasons.append(f"执行率 {percent(ev.scores.rate)} 低于 {percent(rule.explain_below)}")
            reasons_en.append(f"the execution rate {percent(ev.scores.rate)} is below {percent(rule.explain_below)}")
        for ind in ev.scores.indicators:
            score = ind.reported_score
            if ind.met is False:
                reasons.append(f"“{ind.name}”未达到目标")
                reasons_en.append(f"'{ind.name}' missed its target")
            elif ind.weight is not None and score is not None and score < ind.weight - ind.reported.tolerance:
                reasons.append(f"“{ind.name}”得分 {score:g} 低于分值 {ind.weight:g}")
                reasons_en.append(f"'{ind.name}' scores {score:g} of {ind.weight:g}")
        if reasons:
            field = ev.extraction.fields[key]
            yield self.finding(
                ctx, field.ref, label=field.spec.label, reasons="；".join(reasons), reasons_en="; ".join(reasons_en)
            )
