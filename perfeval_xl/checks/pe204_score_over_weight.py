"""PE204: a self-score above the indicator's weight."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context, differs


class ScoreOverWeight(Check):
    """得分超过分值：任何指标的得分不得突破其分值（湖北 备注2 “得分不得突破权重总额”）。

    Failing: 分值 3，得分 4。Passing: 得分 3。
    """

    code = "PE204"
    name = "得分超过分值"
    name_en = "score above weight"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{key}”得分 {value} 超过分值 {expected}",
        "en": "'{key}' scores {value}, above its weight {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.evaluation.scores.indicators:
            score = ind.reported_score
            if (
                ind.weight is not None
                and score is not None
                and score > ind.weight
                and differs(score, ind.weight, ind.reported.tolerance)
            ):
                yield self.finding(ctx, ind.row.ref("score"), value=score, expected=ind.weight, key=ind.name)
