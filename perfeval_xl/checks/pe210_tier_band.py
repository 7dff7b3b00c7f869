"""PE210: a qualitative self-score outside the band of the tier claimed."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from ..scoring import in_band, tier_band
from .base import Check, Context, indicator_columns


class TierBand(Check):
    """定性指标得分不在所选档次区间：达成预期 80–100%，部分达成 50–80%（含50%），未达成 0–50%（湖北 备注3）。

    Failing: 分值 10，档次 “部分达成预期指标”，得分 9。Passing: 得分 7。
    """

    code = "PE210"
    name = "定性指标得分不在档次区间"
    name_en = "qualitative score outside its tier"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{key}”选择“{tier}”，得分应在 {low}–{high} 分之间，实为 {value}",
        "en": "'{key}' claims '{tier}': score must lie in {low}–{high}, found {value}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return bool(definition.indicators and definition.indicators.tiers) and "tier" in indicator_columns(definition)

    def run(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.evaluation.scores.indicators:
            score = ind.reported_score
            if ind.tier is None or ind.weight is None or score is None:
                continue
            low, high = tier_band(ind.tier, ind.weight)
            if not in_band(score, (low, high), ind.reported.tolerance):
                yield self.finding(
                    ctx,
                    ind.row.ref("score"),
                    value=score,
                    expected=[low, high],
                    key=ind.name,
                    tier=ind.tier.name,
                    low=low,
                    high=high,
                )
