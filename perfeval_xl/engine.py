"""The pure engine: an extracted form in, parsed values, scores and findings out (no file I/O here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .definition import Bonus, FieldSpec, FormDefinition, RatedIndicator, Ratio, Section, Tier
from .findings import Finding, severity_counts
from .grid import WorkbookGrid
from .locate import Extraction, FieldValue, TableRow, choice_named, extract, norm_label
from .scoring import (
    DIRECTIONS,
    all_met,
    bound_ceiling,
    execution_rate,
    grade_for,
    indicator_direction,
    quantitative_score,
    range_end,
    rate_score,
    ratio_of,
    round_half_up,
    target_met,
    tier_band,
)
from .values import (
    Quantity,
    comparable_units,
    fitted,
    paired_parts,
    parse_amount,
    parse_quantity,
    parse_rate,
    parse_score,
    parse_signed_score,
)

if TYPE_CHECKING:
    from .consolidate import Parts
    from .prior_year import Earlier

PARSERS = {"rate": parse_rate, "score": parse_score, "quantity": parse_quantity}
# What finds a scored form's submission of last year (its unit's, of its form, the year before), None when none is
# known: from a batch's history, or a file the user names.
LastYear = Callable[["Evaluation"], "Earlier | None"]


def parse_typed(spec: FieldSpec, raw: Any) -> Quantity:
    """Parse a typed value by its field's declared type and unit (text fields come back as text quantities); a signed
    score is a 加减分 (加2.5分, 扣2.5分)."""
    if spec.type == "amount":
        return parse_amount(raw, spec.unit or "万元")
    if spec.type == "score" and spec.signed:
        return parse_signed_score(raw)
    parser = PARSERS.get(spec.type)
    if parser is None:
        return Quantity(raw=str(raw), kind="empty" if raw in ("", None) else "text")
    return parser(raw)


def parse_cell(value: FieldValue | None) -> Quantity:
    """Parse a table cell by its column's type; an absent column reads as empty."""
    return Quantity(raw="", kind="empty") if value is None else parse_typed(value.spec, value.typed)


def parse_field(value: FieldValue) -> Quantity:
    """Parse a located field's typed value (a formula's cached result is never used)."""
    return parse_typed(value.spec, value.typed)


def number_of(parsed: dict[str, Quantity], key: str | None) -> float | None:
    """The numeric value of a parsed field, or None when it is missing or not a number."""
    quantity = parsed.get(key or "")
    return quantity.value if quantity is not None and quantity.kind == "number" else None


@dataclass
class Indicator:
    """One 三级指标 row with its parsed values and the score the form's rules give it."""

    row: TableRow
    name: str
    section: str | None
    direction: str
    weight: float | None
    target: Quantity
    actual: Quantity
    reported: Quantity
    tier: Tier | None
    met: bool | None
    computed: float | None
    basis: str  # quantitative | qualitative | rated | bonus | unscored
    rated: RatedIndicator | None = None
    rate: float | None = None  # a rated indicator's rate from its amounts (scored as printed, to rate_decimals)
    bonus: Bonus | None = None
    typed_direction: str = ""  # 正向, 反向 or 定性 as the row's 指标性质 says, "" when it says none of them
    pairs: tuple[tuple[Quantity, Quantity], ...] = ()  # a list of targets' figures, each with its actual's
    ceiling: float | None = None  # the most an actual typed as a missed bound can score (低于90% against ≥95%)

    @property
    def reported_score(self) -> float | None:
        return self.reported.value if self.reported.kind == "number" else None


@dataclass
class SectionScore:
    name: str
    weight: float
    weight_shown: float | None
    computed: float
    reported: float
    weights_typed: float | None


# What a scored form with nothing to score (a template sent back empty) shows for its grade: none, and why.
UNGRADED = {"zh": "—（没有可计分的内容）", "en": "— (nothing to score)"}


@dataclass
class Scores:
    rate: float | None = None
    budget: float | None = None  # the definition's headline amounts and their rate, for summaries
    executed: float | None = None
    headline_rate: float | None = None
    budget_score: float | None = None
    sections: list[SectionScore] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    total: float | None = None
    reported_sum: float = 0.0
    reported_total: float | None = None
    grade: str | None = None
    ratios: dict[str, float] = field(default_factory=dict)


@dataclass
class Evaluation:
    """Everything one workbook gives: what was read, how it scores, and what is wrong with it."""

    definition: FormDefinition
    extraction: Extraction
    parsed: dict[str, Quantity]
    scores: Scores
    findings: list[Finding] = field(default_factory=list)
    earlier: Earlier | None = None  # the unit's submission of last year it was checked against (跨期), if any
    parts: Parts | None = None  # the forms of the institutions it is the sum of, it was checked against (汇总), if any

    def number(self, key: str) -> float | None:
        return number_of(self.parsed, key)

    def known(self, key: str) -> tuple[float, str] | None:
        """An amount as typed, or, when it is blank, as a sum identity implies it from typed amounts (项目支出 =
        支出合计 − 基本支出): (value, how it was derived, empty when typed); None when neither."""
        value = self.number(key)
        if value is not None:
            return value, ""
        labels = {k: f.spec.label for k, f in self.extraction.fields.items()}
        for rule in self.definition.sums:
            if rule.partial or key not in (rule.total, *rule.parts):
                continue
            others = [p for p in rule.parts if p != key]
            numbers = [self.number(k) for k in (rule.total, *others) if k != key]
            if any(n is None for n in numbers):
                continue
            given = [n or 0.0 for n in numbers]
            if key == rule.total:
                return sum(given), "+".join(labels[p] for p in rule.parts)
            how = "−".join([labels[rule.total], *(labels[p] for p in others)])
            return given[0] - sum(given[1:]), how
        return None

    def text(self, key: str) -> str:
        value = self.extraction.fields.get(key)
        return "" if value is None else str(value.typed).strip()

    @property
    def unit(self) -> str:
        return self.text("unit")

    def severity_counts(self) -> tuple[int, int]:
        """(errors, warnings) among the findings."""
        return severity_counts(f.severity for f in self.findings)

    @property
    def status(self) -> str:
        if any(f.severity == "error" for f in self.findings):
            return "error"
        return "warning" if self.findings else "ok"


def _tier_for(definition: FormDefinition, typed: Any) -> Tier | None:
    if definition.indicators is None or typed in ("", None):
        return None
    name = choice_named(typed, tuple(t.name for t in definition.indicators.tiers))
    return next((t for t in definition.indicators.tiers if t.name == name), None)


def ratio_value(ratio: Ratio, parsed: dict[str, Quantity]) -> float | None:
    """A ratio of parsed amounts, None while one of them is missing."""
    return ratio_of(
        [number_of(parsed, k) for k in ratio.numerator], [number_of(parsed, k) for k in ratio.denominator], ratio.offset
    )


def _indicator(definition: FormDefinition, row: TableRow, parsed: dict[str, Quantity], year: int | None) -> Indicator:
    rules = definition.indicators
    assert rules is not None
    target, actual = fitted(parse_cell(row.cells.get("target")), parse_cell(row.cells.get("actual")), year)
    reported = parse_cell(row.cells.get("score"))
    weight_q = parse_score(row.raw("weight"))
    weight = weight_q.value if weight_q.kind == "number" and (weight_q.value or 0) >= 0 else None
    explicit, level2 = choice_named(row.raw("direction"), DIRECTIONS) or "", norm_label(row.raw("level2"))
    direction = indicator_direction(explicit, target, level2, rules.negative_level2)
    target = range_end(target, direction)
    tier = _tier_for(definition, row.raw("tier"))
    name = str(row.raw("name")).strip()
    section = next((s for s in rules.sections if s.name == row.section), None)
    bonus = section.bonus if section else None
    rated = rules.rated_for(name)
    rate = ratio_value(rated.ratio, parsed) if rated else None
    quantitative = direction != "定性" and target.kind == actual.kind == "number" and comparable_units(target, actual)
    met = target_met(direction, target, actual) if quantitative else None
    # An actual typed as a bound (不足95%) is scored only when it meets its target: how far it falls short it does not say,
    # only the most it can score (低于90% against ≥95%: w × 90/95).
    bounded = quantitative and met is not True and actual.comparator not in (None, "=")
    quantitative = quantitative and not bounded
    pairs = paired_parts(target, actual, year) if explicit != "定性" else ()
    if pairs:  # a list: met when each of its figures is
        directions = [indicator_direction(explicit, t, level2, rules.negative_level2) for t, _ in pairs]
        met = all_met(target_met(d, range_end(t, d), a) for d, (t, a) in zip(directions, pairs, strict=True))
    score = reported.value if reported.kind == "number" else None
    computed: float | None
    ceiling: float | None = None
    if weight is None:
        computed, basis = score, "unscored"
    elif bonus is not None:
        computed, basis = min(max(score or 0.0, bonus.min), bonus.max), "bonus"
    elif rated is not None and rate is not None:
        # Scored from the rate as the form prints it (96.19 % → 1.238), like the budget-execution rate.
        printed = round_half_up(rate, definition.rate_decimals)
        computed, basis = rate_score(printed, weight, rated.rule), "rated"
    elif quantitative:
        computed, basis = (
            quantitative_score(weight, direction, target.value or 0.0, actual.value or 0.0),
            "quantitative",
        )
    else:
        basis = "qualitative"
        low, high = tier_band(tier, weight) if tier else (0.0, weight)
        if bounded and met is False and not pairs:
            ceiling = bound_ceiling(weight, direction, target.value or 0.0, actual)
            high = min(high, ceiling)
        computed = min(max(score or 0.0, low), high)
    return Indicator(
        row=row,
        name=name,
        section=row.section,
        direction=direction,
        weight=weight,
        target=target,
        actual=actual,
        reported=reported,
        tier=tier,
        met=met,
        computed=computed,
        basis=basis,
        rated=rated,
        rate=rate,
        bonus=bonus,
        typed_direction=explicit,
        pairs=pairs,
        ceiling=ceiling,
    )


def _capped(points: float, section: Section) -> float:
    """A section's points, at most its weight (a 加减分 section keeps its own bounds)."""
    return points if section.bonus is not None else min(points, section.weight)


def score(extraction: Extraction, parsed: dict[str, Quantity]) -> Scores:
    """Compute every score of the form from its inputs, never from cached or typed results."""
    definition = extraction.definition
    scores = Scores()

    def number(key: str | None) -> float | None:
        return number_of(parsed, key)

    for ratio in definition.ratios:
        value = ratio_value(ratio, parsed)
        if ratio.key is not None and value is not None:
            scores.ratios[ratio.key] = value
    if definition.headline is not None:
        scores.budget, scores.executed = number(definition.headline.budget), number(definition.headline.executed)
        scores.headline_rate = execution_rate(scores.budget, scores.executed)
    if not definition.scored:
        scores.reported_total = number(definition.total)  # a form without points may still print one (岳阳 综合得分)
        return scores
    budget_points = 0.0
    if definition.budget is not None:
        rule = definition.budget
        scores.rate = execution_rate(number(rule.budget), number(rule.executed))
        if scores.rate is not None:
            # Forms score the rate as printed (广州: 98.62 % → 1.724, not 1.723 from the unrounded rate).
            printed = round_half_up(scores.rate, definition.rate_decimals)
            scores.budget_score = rate_score(printed, rule.weight, rule.rule)
            budget_points = scores.budget_score
    reported_points = number(definition.budget.score) if definition.budget else None
    if reported_points is None:
        reported_points = budget_points
    if definition.indicators is not None:
        table = extraction.tables.get(definition.indicators.table)
        rows = table.rows if table else []
        scores.indicators = [_indicator(definition, row, parsed, extraction.year) for row in rows]
        for section in definition.indicators.sections:
            members = [i for i in scores.indicators if i.section == section.name]
            label_weights = [i.row.shown_section_weight for i in members if i.row.shown_section_weight is not None]
            weights = [i.weight for i in members]
            scores.sections.append(
                SectionScore(
                    name=section.name,
                    weight=section.weight,
                    weight_shown=label_weights[0] if label_weights else None,
                    # A section never scores above its points (桃江 效益 weighted 40 in a 30-point section: PE207).
                    computed=_capped(sum(i.computed or 0.0 for i in members), section),
                    reported=sum(i.reported_score or 0.0 for i in members),
                    weights_typed=sum(w for w in weights if w is not None) if members and None not in weights else None,
                )
            )
    scores.total = budget_points + sum(s.computed for s in scores.sections)
    # The total the sheet's own scores give: the budget score (typed, else computed) plus every self-score.
    scores.reported_sum = reported_points + sum(i.reported_score or 0.0 for i in scores.indicators)
    typed_total = number(definition.total)
    scores.reported_total = typed_total if typed_total is not None else scores.reported_sum
    # A form with nothing to score (a template sent back empty) has a total of 0 but no grade: it is no 差.
    scored = (i.reported_score is not None or i.basis in ("quantitative", "rated") for i in scores.indicators)
    if scores.rate is not None or any(scored):
        scores.grade = grade_for(scores.total, definition.grades)
    return scores


def evaluate_extractions(
    extractions: list[Extraction], earlier: LastYear | None = None, parts: Parts | None = None
) -> list[Evaluation]:
    """Score and check extracted forms; the pandera schemas validate all of them together (see schemas.py).
    ``earlier`` finds a form's submission of last year, for the 跨期 checks, once it is scored (its unit and year
    read); ``parts`` are the forms of the institutions each is the sum of, for the 汇总 check, when of its form and
    year."""
    from .checks import run_checks
    from .schemas import schema_failures

    failures = schema_failures(extractions)
    evaluations = []
    for extraction, failed in zip(extractions, failures, strict=True):
        parsed = {key: parse_field(value) for key, value in extraction.fields.items()}
        evaluation = Evaluation(extraction.definition, extraction, parsed, score(extraction, parsed))
        evaluation.earlier = earlier(evaluation) if earlier else None
        evaluation.parts = parts if parts is not None and parts.mismatch(evaluation) is None else None
        evaluation.findings = run_checks(evaluation, failed)
        evaluations.append(evaluation)
    return evaluations


def evaluate(book: WorkbookGrid, definition: FormDefinition) -> Evaluation:
    """Extract, score and check one workbook grid against one form definition."""
    return evaluate_extractions([extract(book, definition)])[0]
