"""PE209: a quantitative indicator's self-score is not what the scoring rule gives."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding, percent
from .base import Check, Context, differs

RULE_EN = {"正向": "positive", "反向": "negative"}


class ScoreRuleMismatch(Check):
    """自评得分与计分规则不符：正向指标 得分 = 分值 × B/A，反向指标 得分 = 分值 × A/B，均不超过分值；比率指标按表式
    规则由金额算出比率再计分（广州 预算完成率 90% 得 0 分、100% 得满分）。

    湖北 备注2。目标值写作 “≤X”、或二级指标为 成本指标 时按反向计分。容差按得分的填报精度。实际完成值写成未达到目标的范围的
    （“低于90%”对“≥95%”），公式只给出上限（分值×90/95），自评得分超过它时提示应不超过的分数。
    Failing: 分值 5，目标 1411.9万元，实际 2023.73（反向），自评 5 分，规则为 3.49。Passing: 3.49。
    """

    code = "PE209"
    name = "自评得分与计分规则不符"
    name_en = "self-score does not follow the scoring rule"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{key}”自评 {value} 分，按{rule}应{relation} {expected} 分",
        "en": "'{key}' self-scores {value}; {rule_en} gives {relation_en}{expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        definition = ctx.evaluation.definition
        for ind in ctx.evaluation.scores.indicators:
            score = ind.reported_score
            if score is None or ind.computed is None:
                continue
            tolerance = max(ind.reported.tolerance, definition.score_tolerance)
            if ind.basis == "rated":
                rule, rule_en = f"比率 {percent(ind.rate or 0.0)} 的计分规则", f"the rate {percent(ind.rate or 0.0)}"
            elif ind.basis == "quantitative" or (ind.ceiling is not None and ind.basis == "qualitative"):
                rule, rule_en = f"{ind.direction}指标计分规则", f"the {RULE_EN[ind.direction]} rule"
            else:
                continue
            # A missed bound (低于90% against ≥95%) says only the most the rule gives: a self-score under it stands.
            at_most = ind.basis == "qualitative"
            if differs(score, ind.computed, tolerance) and not (at_most and score < ind.computed):
                yield self.finding(
                    ctx,
                    ind.row.ref("score"),
                    value=score,
                    expected=round(ind.computed, definition.score_decimals),
                    key=ind.name,
                    rule=rule,
                    rule_en=rule_en,
                    relation="不超过" if at_most else "为",
                    relation_en="at most " if at_most else "",
                )
