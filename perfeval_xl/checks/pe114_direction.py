"""PE114: an indicator's direction (指标性质) picked against what its target's comparator says."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from ..scoring import compared_direction
from .base import Check, Context, indicator_columns


class DirectionAgainstTarget(Check):
    """指标性质与年初目标值不符：选了“正向”，年初目标值却是“≤5%”“0起”“12月底前”这样要求至多的；或选了“反向”，目标值却是“≥95%”“90%以上”。

    湖北 备注2 按目标值定方向：正向 “≥X” 得分 = 分值 × B/A，反向 “≤X” 得分 = 分值 × A/B。按选错的方向计分，达成的
    指标反而扣分（正向 “≤5%” 实际 3% 只得 60%），未达成的反而满分（正向 “0起” 发生 1 起），所以按目标值所说的方向
    计分，并提示改正指标性质。目标值没有比较符的（“1411.9万元”），以所选为准。
    Failing: 目标 “90%以上”，指标性质 “反向”。Passing: 指标性质 “正向”。
    """

    code = "PE114"
    name = "指标性质与目标值不符"
    name_en = "direction against the target"
    severity = "warning"
    stage = 1
    message = {
        "zh": "“{key}”的指标性质填“{value}”，而年初目标值“{target}”是{expected}指标（正向 ≥X，反向 ≤X），"
        "已按{expected}计分：请改正指标性质",
        "en": "'{key}' is marked {value} but its target '{target}' makes it {expected} (正向 ≥X, 反向 ≤X), and it is "
        "scored so: correct its direction",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return "direction" in indicator_columns(definition)

    def run(self, ctx: Context) -> Iterator[Finding]:
        for ind in ctx.evaluation.scores.indicators:
            typed, said = ind.typed_direction, compared_direction(ind.target)
            if typed in ("正向", "反向") and said not in (None, typed):
                yield self.finding(
                    ctx, ind.row.ref("direction"), value=typed, expected=said, key=ind.name, target=ind.target.raw
                )
