"""Scoring rules as pure functions: budget execution, quantitative and qualitative indicators, grades, rounding."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import replace
from decimal import ROUND_HALF_UP, Context, Decimal

from .definition import RateRule, Tier
from .values import TIME_UNITS, Quantity

# Digits enough for any finite float (up to 309 before the point) with its decimals: the default context's 28 made
# quantize fail on a rate of 1e24 (a budget typed as 2.63417E+27).
_EVERY_FLOAT = Context(prec=400, rounding=ROUND_HALF_UP)


def round_half_up(value: float, decimals: int) -> float:
    """Round as finance staff do (0.125 → 0.13), not banker's rounding. Infinity and NaN come back as they are."""
    if not math.isfinite(value):
        return value
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), context=_EVERY_FLOAT))


def execution_rate(budget: float | None, executed: float | None) -> float | None:
    """执行率 = 执行数 / 预算数; None when the budget is missing or zero."""
    if budget is None or executed is None or budget <= 0:
        return None
    return executed / budget


PROPORTIONAL = RateRule()  # weight × rate, capped at the weight: the budget-execution rule most forms print


def rate_score(rate: float, weight: float, rule: RateRule = PROPORTIONAL) -> float:
    """Points for a rate, by the form's rule (its parameters are the definition's, see ``RateRule``).

    ``proportional`` (湖北 20×执行率, national 10×执行率, 广州 政府采购执行率): ``weight × rate`` capped at the weight,
    so 114.44 % scores 20 of 20, not 22.9. ``linear`` (广州 预算完成率): 0 at ``floor`` rising to full at 100 %.
    ``deviation`` (广州 预决算差异率 d): ``weight × (1 − |d|)``. ``ceiling`` (控制率, 结转结余率): full up to ``limit``,
    ``weight × limit / rate`` above it. ``bands`` (预算调整率 0 → full, ≤10 % → 80 %…; 执行率 ≥95 % → full…): the share
    of the first band the rate falls in, 0 in none. ``deduction`` (人员控制率: 每超过1个百分点扣0.5分): full up to
    ``limit``, ``per_point`` off for each percentage point above it, never below 0.
    """
    if rule.kind == "linear":
        return weight * min(1.0, max(0.0, (rate - rule.floor) / (1.0 - rule.floor)))
    if rule.kind == "deviation":
        return weight * max(0.0, 1.0 - abs(rate))
    if rule.kind == "ceiling":
        return weight if rate <= rule.limit else weight * rule.limit / rate
    if rule.kind == "bands":
        band = next((b for b in rule.bands if (rate >= b.bound if b.at_least else rate <= b.bound)), None)
        return weight * band.share if band else 0.0
    if rule.kind == "deduction":
        return max(0.0, weight - rule.per_point * max(0.0, rate - rule.limit) * 100)
    return max(0.0, min(weight, weight * rate))


def ratio_of(numerator: list[float | None], denominator: list[float | None], offset: float = 0.0) -> float | None:
    """Σ numerator / Σ denominator + offset; None when a term is missing or the denominator is not positive."""
    if None in numerator or None in denominator:
        return None
    below = sum(d or 0.0 for d in denominator)
    if below <= 0:
        return None
    return sum(n or 0.0 for n in numerator) / below + offset


DIRECTIONS = ("正向", "反向", "定性")  # 指标性质


def compared_direction(target: Quantity) -> str | None:
    """The direction a numeric target says by itself (湖北 备注2: 正向 “≥X”, 反向 “≤X”): its comparator, or 反向 for a
    month or a day (2021年12月, 6月30日: a deadline, as with 前) or a target of 0 (0起: at most none); None when it says
    none, as a range does."""
    if target.kind != "number" or target.upper is not None:  # a range (1000-1200万元) says none
        return None
    if target.comparator in ("<=", "<"):
        return "反向"
    if target.comparator is None and (target.unit in TIME_UNITS or target.value == 0):
        return "反向"
    if target.comparator in (">=", ">"):
        return "正向"
    return None


def indicator_direction(explicit: str, target: Quantity, level2: str, negative_level2: tuple[str, ...]) -> str:
    """正向, 反向 or 定性: the direction the target says by itself (see ``compared_direction``) over a typed 正向 or 反向
    against it (PE114 says so); else the typed direction; else the 二级指标, the value's kind."""
    said = compared_direction(target)
    if explicit == "定性" or (explicit in DIRECTIONS and said is None):
        return explicit
    if target.kind != "number":
        return "定性"
    if said is not None:
        return said
    if any(word in level2 for word in negative_level2):
        return "反向"
    return "正向"


def range_end(target: Quantity, direction: str) -> Quantity:
    """A target given as a range (成本控制在1000-1200万元) as the end its direction asks for: at most its upper end when
    反向, at least its lower end otherwise; any other target as it is."""
    if target.upper is None or direction != "反向":
        return target
    return replace(target, value=target.upper, comparator="<=", upper=None)


def target_met(direction: str, target: Quantity, actual: Quantity) -> bool | None:
    """Whether a quantitative target is met; None when it cannot be decided. Values equal but for the last bits of
    a float (95% is 0.9500000000000001, 0.95 typed as a ratio is 0.95) are equal. An actual typed as a bound (不足95%,
    超过5%, 11月底前) meets its target when every figure it allows does, misses it when none does, and else decides
    nothing."""
    if target.value is None or actual.value is None:
        return None
    sign = -1.0 if direction == "反向" else 1.0  # 反向 as 正向 of the negated figures: at most 5 is at least -5
    goal, strict = sign * target.value, target.comparator in ("<", ">")
    if actual.upper is not None:  # a range (85%-90%): both its ends allowed
        low, high = sorted((sign * actual.value, sign * actual.upper))
        least, most = 0, 0
    else:
        comparator = _TURNED.get(actual.comparator or "", actual.comparator) if sign < 0 else actual.comparator
        low = high = sign * actual.value
        least, most = _LEAST[comparator], _MOST[comparator]
    if least is not None and _meets(low, goal, strict, least):
        return True
    if most is not None and not _meets(high, goal, strict, most):
        return False
    return None


# The least and the most figure an actual allows, as how far past its figure: 0 the figure itself, +1 just above it
# (超过95%), -1 just below it (不足95%), None no end (95%以下 has no least); an actual that is the figure has both 0.
_LEAST: dict[str | None, int | None] = {None: 0, "=": 0, ">=": 0, ">": 1, "<=": None, "<": None}
_MOST: dict[str | None, int | None] = {None: 0, "=": 0, ">=": None, ">": None, "<=": 0, "<": -1}
_TURNED = {">=": "<=", ">": "<", "<=": ">=", "<": ">"}  # a bound of negated figures (反向) turns round


def _meets(figure: float, target: float, strict: bool, past: int) -> bool:
    """Whether a figure, or just past it (``past``), is at least the target, or more than it when ``strict``."""
    if math.isclose(figure, target, rel_tol=1e-12, abs_tol=1e-12):
        return past > 0 or (past == 0 and not strict)
    return figure > target


def all_met(each: Iterable[bool | None]) -> bool | None:
    """Whether every one of several targets is met: False when one is missed, None when one is not decided."""
    decided = list(each)
    if False in decided:
        return False
    return None if None in decided else True


def quantitative_score(weight: float, direction: str, target: float, actual: float) -> float:
    """湖北 备注2: 正向 ``w × B/A``, 反向 ``w × A/B``, never above w; a met target scores w."""
    if direction == "反向":
        ratio = 1.0 if actual <= 0 else target / actual
    else:
        ratio = 1.0 if target <= 0 else actual / target
    return max(0.0, min(weight, weight * ratio))


def bound_ceiling(weight: float, direction: str, target: float, actual: Quantity) -> float:
    """The most ``quantitative_score`` gives an actual typed as a bound that misses its target (低于90% against ≥95%:
    less than w × 90/95, whatever the figure was), at the bound or at a range's better end (85%-90%: its 90 %)."""
    best = actual.upper if direction == "正向" and actual.upper is not None else actual.value
    return quantitative_score(weight, direction, target, best or 0.0)


def tier_band(tier: Tier, weight: float) -> tuple[float, float]:
    """The score interval a qualitative tier allows, e.g. 达成 → [0.8 w, w]."""
    return tier.low * weight, tier.high * weight


def in_band(score: float, band: tuple[float, float], tolerance: float = 1e-9) -> bool:
    low, high = band
    return low - tolerance <= score <= high + tolerance


# The grades' full names, as many provinces write them (优秀、良好、中等、较差).
_GRADE_NAMES = {"优秀": "优", "良好": "良", "中等": "中", "较差": "差"}


def grade_named(typed: str) -> str:
    """A typed 评价等次 as the grade it names: 优秀 is 优, and 优（91.94分） is 优 (its total in brackets). ``typed``
    is folded (``grid.fold_label``: full-width brackets are ASCII)."""
    grade = re.sub(r"\(.*\)$", "", typed) or typed
    return _GRADE_NAMES.get(grade, grade)


def grade_for(total: float, grades: tuple[tuple[str, float], ...]) -> str:
    """评价等次 by the form's thresholds (优 ≥ 90, 良 ≥ 80, 中 ≥ 60, 差 below)."""
    for name, minimum in grades:
        if total >= minimum - 1e-9:
            return name
    return grades[-1][0]
