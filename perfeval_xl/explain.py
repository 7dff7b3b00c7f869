"""A form's scoring rules said in words, from its definition: what ``perfeval forms FORM`` prints."""

from __future__ import annotations

from .definition import FormDefinition, RateRule, Tier


def _pct(value: float) -> str:
    """90% for 0.9, 12.5% for 0.125: a rule's rates as the forms print them, without trailing zeros."""
    return f"{value * 100:.4g}%"


def _n(value: float) -> str:
    return f"{value:g}"


def rule_text(rule: RateRule, weight: float | None, rate: str, lang: str = "zh") -> str:
    """How ``rule`` turns the rate named ``rate`` into points out of ``weight``, or out of each indicator's own
    weight (分值) when None (see ``scoring.rate_score``)."""
    zh = lang == "zh"
    if weight is None:
        w, full = ("分值", "满分") if zh else ("the weight", "the weight")
    else:
        w, full = _n(weight), (f" {_n(weight)} 分" if zh else _n(weight))

    def share(part: float) -> str:
        if part == 1 or weight is None:
            return full if part == 1 else (f"分值的 {_pct(part)}" if zh else f"{_pct(part)} of the weight")
        return f" {_n(weight * part)} 分" if zh else _n(weight * part)

    if rule.kind == "linear":
        return (
            f"{rate} {_pct(rule.floor)} 及以下得 0 分，到 100% 线性增至{full}"
            if zh
            else f"0 at a {rate} of {_pct(rule.floor)} or less, rising linearly to {full} at 100%"
        )
    if rule.kind == "deviation":
        return f"得分 = {w} × (1 − |{rate}|)，最低 0 分" if zh else f"{w} × (1 − |{rate}|), at least 0"
    if rule.kind == "ceiling":
        return (
            f"{rate}不超过 {_pct(rule.limit)} 得{full}，超过时得分 = {w} × {_pct(rule.limit)} ÷ {rate}"
            if zh
            else f"{full} while the {rate} is at most {_pct(rule.limit)}, above it {w} × {_pct(rule.limit)} ÷ {rate}"
        )
    if rule.kind == "bands":
        steps = [
            f"{rate} {'≥' if b.at_least else '≤'} {_pct(b.bound)} 得{share(b.share)}"
            if zh
            else f"{share(b.share)} for a {rate} {'≥' if b.at_least else '≤'} {_pct(b.bound)}"
            for b in rule.bands
        ]
        return "；".join([*steps, "其余得 0 分"]) if zh else "; ".join([*steps, "0 otherwise"])
    if rule.kind == "deduction":
        return (
            f"{rate}不超过 {_pct(rule.limit)} 得{full}，每超过 1 个百分点扣 {_n(rule.per_point)} 分，最低 0 分"
            if zh
            else f"{full} while the {rate} is at most {_pct(rule.limit)}, {_n(rule.per_point)} off per percentage "
            "point above it, at least 0"
        )
    return f"得分 = {w} × {rate}，不超过{full}" if zh else f"{w} × {rate}, at most {full}"


def scoring_rules(definition: FormDefinition, lang: str = "zh") -> list[str]:
    """The lines ``perfeval forms FORM`` prints: the form, then how it scores (budget execution, each section's
    points, quantitative, qualitative, bonus and rated indicators, the total and the grades), or that it scores
    nothing."""
    d, zh = definition, lang == "zh"
    lines = [f"{d.region} {d.name}（{d.id} {d.version}）" if zh else f"{d.id} {d.version}: {d.region} {d.name}"]
    if not d.scored:
        lines.append(
            "本表式不计分：只校验，不评分、不评等次" if zh else "not scored: checked only, no points, no grade"
        )
        return lines
    if (b := d.budget) is not None:
        rate = "执行率" if zh else "execution rate"
        said = rule_text(b.rule, b.weight, rate, lang)
        lines.append(
            f"预算执行 {_n(b.weight)} 分：{said}" if zh else f"budget execution, {_n(b.weight)} points: {said}"
        )
    if (rules := d.indicators) is not None:
        sections = [f"{s.name} {_n(s.weight)} 分" if zh else f"{s.name} {_n(s.weight)}" for s in rules.sections]
        lines.append(("绩效指标：" if zh else "indicators: ") + ("，" if zh else ", ").join(sections))
        keys = {c.key for c in d.tables[rules.table].columns}
        quantitative = {"target", "actual"} <= keys  # a table without them scores its rows as typed
        if quantitative:
            lines.append(
                "  定量指标：正向 得分 = 分值 × 实际完成值 ÷ 年初目标值，反向 得分 = 分值 × 年初目标值 ÷ 实际完成值，"
                "均不超过分值；时限按期或提前完成得满分；"
                "实际完成值写成范围的（“95%以上”“不足95%”），它允许的数都达到目标时得满分，都达不到时算未完成，"
                "自评分至多为界限按公式所得（“低于90%”对“≥95%”至多 分值×90/95），其余沿用自评分"
                if zh
                else "  quantitative: positive weight × actual ÷ target, negative weight × target ÷ actual, at most "
                "the weight; a deadline met on time or early scores the weight; an actual typed as a bound (95%以上, "
                "不足95%) scores the weight when every figure it allows meets the target, is missed when none does, "
                "its self-score at most what the rule gives its bound (低于90% against ≥95%: weight × 90/95), "
                "and else keeps its self-score"
            )
        else:
            lines.append(
                "  各指标取自评得分，不超过分值（下列按金额计算的指标除外）"
                if zh
                else "  each indicator: its self-score, at most its weight (but those scored from amounts below)"
            )
        if quantitative:
            lines.append(
                "  指标性质：年初目标值写“≥X”“X以上”的为正向，写“≤X”“X以内”“X前”“±X”或为 0 的为反向"
                "（±X 即偏离不超过 X，实际完成值按偏离的大小比较），所选指标性质与之相反时按目标值计分（PE114 提示）；"
                "区间（“1000-1200万元”）不定方向，按所选指标性质或二级指标，反向的取上限；"
                "按月、季度、半年写的数按全年计（每月1期即 12 期）"
                if zh
                else "  direction: a target of ≥X or X以上 is positive, ≤X, X以内, X前, ±X or 0 negative (±X: at most X "
                "off either way, an actual compared by its size), scored so over a direction chosen against it (PE114 "
                "says so), a range (1000-1200万元) none, its upper end taken when negative; a count per month, quarter "
                "or half-year counts for the year (每月1期 is 12)"
            )
        if rules.negative_level2 and quantitative:
            named = "、".join(rules.negative_level2) if zh else ", ".join(rules.negative_level2)
            lines.append(
                f"  未写指标性质的{named}按反向指标计分"
                if zh
                else f"  {named} without a stated direction scores as negative"
            )
        if rules.tiers and "tier" in keys:
            bands = tier_bands(rules.tiers, lang)
            lines.append(
                f"  定性指标：自评得分须在所选完成档次的区间内（占分值）：{bands}"
                if zh
                else f"  qualitative: the self-score within the share of the weight of the tier chosen: {bands}"
            )
        for s in (s for s in rules.sections if s.bonus is not None):
            bonus = s.bonus
            lines.append(
                f"  {s.name}：每档 {_n(bonus.step)} 分，{_n(bonus.min)} 至 {_n(bonus.max)} 分"
                if zh
                else f"  {s.name}: in steps of {_n(bonus.step)}, from {_n(bonus.min)} to {_n(bonus.max)}"
            )
        for r in rules.rated:
            said = rule_text(r.rule, None, "比率" if zh else "rate", lang)
            lines.append(
                f"  {r.name}（按表中金额计算）：{said}" if zh else f"  {r.name} (from the form's amounts): {said}"
            )
    shown = max(0, d.rate_decimals - 2)  # a rate of 4 decimals is a percentage of 2 (0.9619: 96.19%)
    lines.append(
        f"总分 = 各项得分之和，得分保留 {d.score_decimals} 位小数，比率按百分数的 {shown} 位小数计"
        if zh
        else f"total: the sum of the scores, kept to {d.score_decimals} decimals; rates as percentages to {shown} "
        "decimals"
    )
    if d.grades:
        lines.append(("评价等次：" if zh else "grades: ") + grade_thresholds(d.grades, lang))
    return lines


def tier_bands(tiers: tuple[Tier, ...], lang: str = "zh") -> str:
    """Each tier with the share of the weight its self-score must lie in: 达成预期指标 80%–100%，…"""
    return ("，" if lang == "zh" else ", ").join(f"{t.name} {_pct(t.low)}–{_pct(t.high)}" for t in tiers)


def grade_thresholds(grades: tuple[tuple[str, float], ...], lang: str = "zh") -> str:
    """Each grade with the total it needs: 优 ≥ 90，良 ≥ 80，中 ≥ 60，差 < 60; a single grade, given any total, by name."""
    *graded, (last, _) = grades
    said = [f"{name} ≥ {_n(minimum)}" for name, minimum in graded] + [
        f"{last} < {_n(graded[-1][1])}" if graded else last
    ]
    return ("，" if lang == "zh" else ", ").join(said)
