"""The catalogue of coded checks, one per module, run in stage order: fields and types, arithmetic, business."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..findings import Finding
from .base import Check, Context, SchemaCheck
from .pe101_required import RequiredMissing
from .pe102_not_a_number import NotANumber
from .pe103_negative import NegativeValue
from .pe104_unparsed import UnparsedValue
from .pe105_comparator_in_actual import ComparatorInActual
from .pe106_weight_missing import WeightMissing
from .pe107_invalid_choice import InvalidChoice
from .pe108_form_copies import FormCopies
from .pe109_merged_across_rows import MergedAcrossRows
from .pe110_actual_without_figure import ActualWithoutFigure
from .pe111_hidden import HiddenRowOrColumn
from .pe112_amount_in_yuan import AmountInYuan
from .pe113_rated_amount_missing import RatedAmountMissing
from .pe114_direction import DirectionAgainstTarget
from .pe115_copied_row import CopiedRow
from .pe116_number_as_text import NumberAsText
from .pe117_no_section import NoSection
from .pe201_rate import ExecutionRateMismatch
from .pe202_budget_score import BudgetScoreMismatch
from .pe203_sum import SumMismatch
from .pe204_score_over_weight import ScoreOverWeight
from .pe205_weights_sum import SectionWeightsSum
from .pe206_section_label_weight import SectionLabelWeight
from .pe207_section_over import SectionOverWeight
from .pe208_total import TotalMismatch
from .pe209_score_rule import ScoreRuleMismatch
from .pe210_tier_band import TierBand
from .pe211_grade import GradeMismatch
from .pe212_level2_weights import Level2WeightsSum
from .pe213_bonus import BonusRule
from .pe214_cited_rate import CitedRateMismatch
from .pe215_allocation import AllocationOverLimit
from .pe216_cited_figure import CitedFigureMismatch
from .pe217_partial_sum import PartsOverTotal
from .pe218_row_identity import RowIdentity
from .pe219_total_row import TotalRowMismatch
from .pe220_agreement import FigureDisagrees
from .pe221_item_rows import ItemsMismatch
from .pe222_subtotal import SubtotalMismatch
from .pe223_total_formula import TotalFormulaLeavesOut
from .pe224_formula_result import FormulaResult
from .pe301_explanation import ExplanationRequired
from .pe302_far_exceeded import TargetFarExceeded
from .pe303_over_budget import OverBudget
from .pe401_prior_year import PriorYearDiffers
from .pe402_parts_sum import PartsSumMismatch

if TYPE_CHECKING:
    from ..definition import CheckConfig, FormDefinition
    from ..engine import Evaluation
    from ..locate import FieldValue

CATALOGUE: tuple[type[Check], ...] = (
    RequiredMissing,
    NotANumber,
    NegativeValue,
    UnparsedValue,
    ComparatorInActual,
    WeightMissing,
    InvalidChoice,
    FormCopies,
    MergedAcrossRows,
    ActualWithoutFigure,
    HiddenRowOrColumn,
    AmountInYuan,
    RatedAmountMissing,
    DirectionAgainstTarget,
    CopiedRow,
    NumberAsText,
    NoSection,
    ExecutionRateMismatch,
    BudgetScoreMismatch,
    SumMismatch,
    ScoreOverWeight,
    SectionWeightsSum,
    SectionLabelWeight,
    SectionOverWeight,
    TotalMismatch,
    ScoreRuleMismatch,
    TierBand,
    GradeMismatch,
    Level2WeightsSum,
    BonusRule,
    CitedRateMismatch,
    AllocationOverLimit,
    CitedFigureMismatch,
    PartsOverTotal,
    RowIdentity,
    TotalRowMismatch,
    FigureDisagrees,
    ItemsMismatch,
    SubtotalMismatch,
    TotalFormulaLeavesOut,
    FormulaResult,
    ExplanationRequired,
    TargetFarExceeded,
    OverBudget,
    PriorYearDiffers,
    PartsSumMismatch,
)
BY_CODE = {check.code: check for check in CATALOGUE}


# Each form's checks, by the id of its definition, kept beside them so that the id stays that definition's: every
# file asks for them twice (its schema checks, then all), and they are the same each time.
_ACTIVE: dict[int, tuple[FormDefinition, tuple[Check, ...]]] = {}


def active_checks(definition: FormDefinition) -> list[Check]:
    """The checks that apply to a form (see ``Check.applies_to``) and that it does not switch off, with the
    severities and messages it sets."""
    known = _ACTIVE.get(id(definition))
    if known is None or known[0] is not definition:
        checks = configured(definition.checks, [cls for cls in CATALOGUE if cls.applies_to(definition)])
        known = _ACTIVE[id(definition)] = (definition, tuple(checks))
    return list(known[1])


def configured(configs: dict[str, CheckConfig], classes: Sequence[type[Check]] = CATALOGUE) -> list[Check]:
    """The checks of ``classes`` as ``configs`` set them: those switched off left out, the others with the
    severities and messages given."""
    checks = []
    for cls in classes:
        config = configs.get(cls.code)
        if config is None:
            checks.append(cls())
        elif config.enabled:
            checks.append(cls(config.severity, config.message))
    return checks


def schema_checks(definition: FormDefinition) -> list[SchemaCheck]:
    return [c for c in active_checks(definition) if isinstance(c, SchemaCheck)]


def run_checks(evaluation: Evaluation, failures: dict[str, list[FieldValue]]) -> list[Finding]:
    """Run every active check in stage order, the schema checks' ``failures`` (see schemas.schema_failures)
    given. A cell already failing a type check is not reported again by a later stage, so one wrong entry does not
    drown the report in its consequences. A check says a thing once per cell, but two things at one cell (two
    sections missing, both said on the table's heading) are two findings."""
    checks = active_checks(evaluation.definition)
    ctx = Context(evaluation, failures)
    findings: list[Finding] = []
    seen: set[tuple[str, str, str, str]] = set()
    failed_cells: set[tuple[str, str]] = set()
    for check in sorted(checks, key=lambda c: (c.stage, c.code)):
        for finding in check.run(ctx):
            where = (finding.sheet, finding.cell)
            if check.stage > 1 and where in failed_cells:
                continue
            if (finding.code, *where, finding.key) in seen:
                continue
            seen.add((finding.code, *where, finding.key))
            findings.append(finding)
        if check.stage == 1:
            failed_cells |= {(f.sheet, f.cell) for f in findings if f.severity == "error"}
    return sorted(findings, key=lambda f: f.sort_key)


def described(check: Check, forms: Sequence[FormDefinition], lang: str = "zh") -> list[str]:
    """What ``perfeval rules CODE`` says of a check below its catalogue line: its description (see
    ``Check.description``), its message with the values it names left as …, and which of ``forms`` check it as they
    are configured (or, of a single form, that it does not)."""
    zh = lang == "zh"
    message = re.sub(r"(?:\{[^{}]*\})+", "…", check.active_message[lang])
    applying = [f for f in forms if any(c.code == check.code for c in active_checks(f))]
    names = "、".join(f"{f.region}《{f.name}》" for f in applying) if zh else ", ".join(f.id for f in applying)
    if applying:
        where = f"适用表式：{names}" if zh else f"forms: {names}"
    elif len(forms) == 1:
        where = f"不适用于 {forms[0].region}《{forms[0].name}》" if zh else f"not a check of {forms[0].id}"
    else:
        where = "没有表式使用这条规则" if zh else "no form checks it"
    return [*check.description(lang), f"消息：{message}" if zh else f"message: {message}", where]


def explained(code: str, definition: FormDefinition, lang: str = "zh") -> tuple[str, str]:
    """The check of ``code`` that found something in a form, said for the unit reading its findings: its severity as
    the form sets it, and what it looks for (its catalogue line) with why and its examples below, a paragraph a
    line."""
    check = next(c for c in active_checks(definition) if c.code == code)
    head = check.summary() if lang == "zh" else check.name_en
    return check.active_severity, "\n".join([head, *check.description(lang)])


__all__ = [
    "BY_CODE",
    "CATALOGUE",
    "Check",
    "Context",
    "active_checks",
    "described",
    "explained",
    "run_checks",
    "schema_checks",
]
