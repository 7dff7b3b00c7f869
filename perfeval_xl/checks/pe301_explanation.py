"""PE301: a shortfall without a written explanation."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..engine import Indicator
from ..findings import Finding, percent
from ..values import NIL_AMOUNTS, normalize_text
from .base import Check, Context


class ExplanationRequired(Check):
    """须说明偏差原因：得分低于分值、目标未完成、或执行率低于 90% 时，“偏差原因分析”不得为空；逐行说明的表式
    （广州）要求该行的“评分依据、未达标原因、改进措施”，加减分也须写明依据。只写“无”“/”“暂无”的不算说明。

    财政部门审核的正是这些偏差；没有说明的偏差会被退回。
    Failing: 成本指标超出目标且偏差原因分析为空。Passing: 写明 “汽车文化项目年初未纳入预算…”。
    """

    code = "PE301"
    name = "须说明偏差原因"
    name_en = "explanation required"
    severity = "error"
    stage = 3
    message = {
        "zh": "存在偏差但“{label}”未作说明：{reasons}",
        "en": "'{label}' gives no explanation although {reasons_en}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.explanation is not None or bool(
            definition.indicators and definition.indicators.explanation_column
        )

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        rules = ev.definition.indicators
        column = rules.explanation_column if rules else None
        if column is not None:
            yield from self.per_row(ctx, column)
        key = ev.definition.explanation
        if key is None or _explains(ev.text(key)):
            return
        reasons, reasons_en = [], []
        headline, rate = ev.definition.headline, ev.scores.headline_rate
        below = headline.explain_below if headline is not None else None
        if below is not None and rate is not None and rate < below:
            reasons.append(f"执行率 {percent(rate)} 低于 {percent(below)}")
            reasons_en.append(f"the execution rate {percent(rate)} is below {percent(below)}")
        for ind in ev.scores.indicators:
            reason = _shortfall(ind)
            if reason is not None:
                reasons.append(reason[0])
                reasons_en.append(reason[1])
        if reasons:
            field = ev.extraction.fields[key]
            yield self.finding(
                ctx, field.ref, label=field.spec.label, reasons="；".join(reasons), reasons_en="; ".join(reasons_en)
            )

    def per_row(self, ctx: Context, column: str) -> Iterator[Finding]:
        """Forms that explain each row (广州 评分依据、未达标原因、改进措施): the row's own cell must be filled."""
        table = ctx.evaluation.definition.tables[ctx.evaluation.definition.indicators.table]
        label = table.column(column).label
        for ind in ctx.evaluation.scores.indicators:
            reason = _shortfall(ind)
            if reason is not None and not _explains(str(ind.row.raw(column))):
                yield self.finding(
                    ctx,
                    ind.row.ref(column) or ind.row.ref("score"),
                    key=ind.name,
                    label=label,
                    reasons=reason[0],
                    reasons_en=reason[1],
                )


# What fills an explanation's cell without explaining anything: a placeholder or none (无, /, 暂无, 无偏差).
NO_EXPLANATION = NIL_AMOUNTS | {"", "暂无", "无偏差", "没有偏差", "不适用", "无说明"}


def _explains(text: str) -> bool:
    """Whether an explanation's cell says something: not empty, not a placeholder, not “none”."""
    return normalize_text(text).strip("。.") not in NO_EXPLANATION


def _shortfall(ind: Indicator) -> tuple[str, str] | None:
    """Why an indicator needs an explanation: a missed target, a score below its weight, any 加减分."""
    score = ind.reported_score
    if ind.bonus is not None:
        if score:
            return f"“{ind.name}”加减分 {score:g}", f"'{ind.name}' adds {score:g}"
        return None
    if ind.met is False:
        return f"“{ind.name}”未达到目标", f"'{ind.name}' missed its target"
    if ind.weight is not None and score is not None and score < ind.weight - ind.reported.tolerance:
        return f"“{ind.name}”得分 {score:g} 低于分值 {ind.weight:g}", f"'{ind.name}' scores {score:g} of {ind.weight:g}"
    return None
