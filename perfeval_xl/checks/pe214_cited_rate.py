"""PE214: the 评分依据 text cites a rate other than the one its amounts give."""

import re
from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding, percent
from ..values import decimals_of
from .base import Check, Context

PERCENT = re.compile(r"[-−]?\d+(?:\.\d+)?(?=\s*[%％])")


class CitedRateMismatch(Check):
    """评分依据所引比率与金额算出的不符：比率指标的说明文字写了一个比率（“…=-1.37%”），与按金额计算的结果不一致。

    单位常把算好的比率抄进说明；抄错的数字会随报告公开。容差按文字里比率的小数位（-1.37% 允许 ±0.005%）。
    Failing: (31133.57−31570.33)/31570.33，说明写 “=-1.37%”（应为 -1.38%）。Passing: “=-1.38%”。
    """

    code = "PE214"
    name = "评分依据所引比率与计算不符"
    name_en = "rate cited in the explanation differs from the amounts"
    severity = "warning"
    stage = 2
    message = {
        "zh": "“{key}”的评分依据写 {shown}，按金额计算为 {expected_shown}",
        "en": "the explanation of '{key}' cites {shown}; the amounts give {expected_shown}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return bool(definition.indicators and definition.indicators.explanation_column and definition.indicators.rated)

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        column = ev.definition.indicators.explanation_column if ev.definition.indicators else None
        for ind in ev.scores.indicators:
            rate = ind.rate
            if column is None or rate is None:
                continue
            cited = [m[0].replace("−", "-") for m in PERCENT.finditer(str(ind.row.raw(column)))]
            if not cited:
                continue
            misses = [
                (abs(float(c) / 100 - rate), float(c) / 100)
                for c in cited
                if abs(float(c) / 100 - rate) > 0.5 * 10.0 ** -(decimals_of(c) + 2) + 1e-12
            ]
            if len(misses) == len(cited):
                value = min(misses)[1]
                yield self.finding(
                    ctx,
                    ind.row.ref(column),
                    value=value,
                    expected=round(rate, 6),
                    key=ind.name,
                    shown=percent(value),
                    expected_shown=percent(rate),
                )
