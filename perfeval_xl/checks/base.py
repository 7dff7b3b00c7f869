"""The check protocol: stable code, severity, scope, stage, message templates; docstring is the documentation."""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from ..findings import Finding
from ..grid import CellRef
from ..values import EXCEL_ERRORS, Quantity

if TYPE_CHECKING:
    from ..definition import FormDefinition, SumRule
    from ..engine import Evaluation
    from ..locate import FieldValue


@dataclass
class Context:
    """What a check sees: the evaluation (with the unit's submission of last year, for the 跨期 check, and its
    institutions' forms, for the 汇总 check, when they are known) and the pandera failures by code."""

    evaluation: Evaluation
    schema_failures: dict[str, list[FieldValue]] = field(default_factory=dict)

    @cached_property
    def field_labels(self) -> dict[tuple[str, str], str]:
        """Each field's label by its cell (sheet, A1): the human key of a finding on a field (执行数, 总分)."""
        fields = self.evaluation.extraction.fields.values()
        return {(value.ref.sheet, value.ref.a1): value.spec.label for value in fields if value.ref is not None}


class Check:
    """Base class of every catalogue entry. Subclasses set the class attributes and implement ``run``."""

    code: ClassVar[str]
    name: ClassVar[str]
    name_en: ClassVar[str]
    severity: ClassVar[str]
    scope: ClassVar[str] = "表内"
    stage: ClassVar[int]
    message: ClassVar[dict[str, str]]

    def __init__(self, severity: str | None = None, message: dict[str, str] | None = None) -> None:
        """The check as a form configures it: its severity, and its message in the form's own words, by language
        (the catalogue's where the form gives none)."""
        self.active_severity = severity or self.severity
        self.active_message = {**self.message, **(message or {})}

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        """Whether a form has what the check looks at (a form without row identities breaks none): a form is checked
        with, and ``perfeval rules --form`` lists, only the checks that apply to it. Every check, unless it says."""
        return True

    @classmethod
    def summary(cls) -> str:
        """The docstring's first paragraph on one line (see ``_one_line``)."""
        return _one_line(inspect.getdoc(cls).split("\n\n", 1)[0]) if cls.__doc__ else cls.name

    @classmethod
    def description(cls, lang: str = "zh") -> list[str]:
        """The docstring's paragraphs after the first, each on one line: why the rule holds, what it leaves alone,
        and the failing and passing examples the tests hold it to (不通过示例, 通过示例 in Chinese)."""
        paragraphs = inspect.getdoc(cls).split("\n\n")[1:] if cls.__doc__ else []
        # the examples (Failing: … Passing: …) on a line of their own, whether a blank line stands before them or not
        pieces = [_one_line(piece) for p in paragraphs for piece in re.split(r"\n(?=Failing:)", p)]
        return [_EXAMPLE.sub(_example_zh, piece) for piece in pieces] if lang == "zh" else pieces

    def run(self, ctx: Context) -> Iterator[Finding]:
        raise NotImplementedError

    def finding(
        self,
        ctx: Context,
        ref: CellRef | None,
        *,
        value: Any = None,
        expected: Any = None,
        key: str = "",
        **args: Any,
    ) -> Finding:
        """A finding at ``ref``; a value whose label was never found is located at the form sheet's A1. Its key is
        ``key`` (a row's 三级指标), else the label of the field at ``ref``; the message has only ``key``."""
        sheet = ref.sheet if ref else ctx.evaluation.extraction.sheet.name
        cell = ref.a1 if ref else "A1"
        return Finding(
            code=self.code,
            severity=self.active_severity,
            sheet=sheet,
            cell=cell,
            templates=self.active_message,
            args={"key": key, "value": value, "expected": expected, **args},
            value=value,
            expected=expected,
            key=key or (ctx.field_labels.get((sheet, cell), "") if ref else ""),
        )

    def sum_finding(self, ctx: Context, rule: SumRule, total: float | None, expected: float) -> Finding:
        """A finding on a sum rule's total cell: the total as typed and what its parts add up to."""
        fields = ctx.evaluation.extraction.fields
        return self.finding(
            ctx,
            fields[rule.total].ref,
            value=total,
            expected=round(expected, 6),
            total=fields[rule.total].spec.label,
            parts="+".join(fields[p].spec.label for p in rule.parts),
        )

    def identity_finding(
        self, ctx: Context, ref: CellRef | None, found: Quantity, terms: list[tuple[int, Quantity]], /, **args: Any
    ) -> Finding | None:
        """A finding on a total that Σ sign × term does not give, blanks counting as 0 (see ``blank_zero_mismatch``):
        the total as found (or 空白) and the sum; None when they agree. Positional, so ``args`` may name the message's
        own ``total``."""
        expected = blank_zero_mismatch(found, terms)
        if expected is None:
            return None
        return self.finding(ctx, ref, expected=round(expected, 6), **shown_total(found), **args)


def indicator_columns(definition: FormDefinition) -> frozenset[str]:
    """The column keys of a form's indicator table (none for a form without scored indicators)."""
    rules = definition.indicators
    table = definition.tables.get(rules.table) if rules else None
    return frozenset(column.key for column in table.columns) if table else frozenset()


_EXAMPLE = re.compile(r"(Failing|Passing):\s*")


def _example_zh(match: re.Match[str]) -> str:
    return "不通过示例：" if match[1] == "Failing" else "通过示例："


def _one_line(paragraph: str) -> str:
    """A paragraph's lines joined: a line break inside Chinese text joins without a space, one next to a Latin
    character or a sign (+, =) with one."""
    lines = paragraph.splitlines()
    text = lines[0]
    for line in lines[1:]:
        text += (" " if text[-1].isascii() or line[0].isascii() else "") + line
    return text


class SchemaCheck(Check):
    """A stage-1 check expressed as a pandera element-wise check on every field or column it applies to."""

    stage: ClassVar[int] = 1

    def applies(self, spec: Any) -> bool:
        raise NotImplementedError

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        """Whether any of the form's fields or table columns is one the check tests."""
        check = cls()
        columns = (column for table in definition.tables.values() for column in table.columns)
        return any(check.applies(spec) for spec in (*definition.fields.values(), *columns))

    def element_ok(self, spec: Any, value: Any) -> bool:
        raise NotImplementedError

    def said(self, cell: FieldValue) -> dict[str, Any]:
        """What the check's message says of a failing cell besides its label and value."""
        return {}

    def run(self, ctx: Context) -> Iterator[Finding]:
        for cell in ctx.schema_failures.get(self.code, []):
            yield self.finding(
                ctx,
                cell.ref,
                value=cell.typed if cell.typed != "" else None,
                key=cell.spec.label,
                label=cell.spec.label,
                **self.said(cell),
            )


# A date or a time as the readers give a date cell: 2021-10-15, 2021-10-15 08:30:00, 12:00:00, and 10月15日 under a
# format that shows no year (see ``grid.day_shown``).
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}:\d{2})?|\d{1,2}:\d{2}:\d{2}|\d{1,2}月\d{1,2}日")


def value_hint(value: Any) -> tuple[str, str]:
    """What a message adds (zh, en) about a value that is no slip of typing: a formula's error (#DIV/0!, #REF!),
    mended in the formula; a date Excel made of the input (10-15, 1/3), mended by formatting the cell as text."""
    if value in EXCEL_ERRORS:
        return "（单元格显示公式错误值，请修正公式）", " (the cell shows a formula error: correct the formula)"
    if isinstance(value, str) and _DATE_TEXT.fullmatch(value):
        return (
            "（单元格中是日期或时间：Excel 会把 10-15、1/3 这样的输入自动转成日期，请先把单元格设为“文本”再输入）",
            " (the cell holds a date or time: Excel turns input such as 10-15 or 1/3 into a date; format the cell as "
            "Text first)",
        )
    return "", ""


def typed_mismatch(ctx: Context, key: str | None, computed: float | None) -> tuple[float, CellRef | None] | None:
    """(typed value, cell) when field ``key`` was typed as a number outside its precision of ``computed``."""
    if key is None or computed is None:
        return None
    typed = ctx.evaluation.parsed[key]
    if typed.kind != "number" or not differs(typed.value or 0.0, computed, typed.tolerance):
        return None
    return typed.value or 0.0, ctx.evaluation.extraction.fields[key].ref


def section_rows(ctx: Context, section: str) -> list[Any]:
    """The indicators of one section, in sheet order (findings about a section sit on its first row)."""
    return [i for i in ctx.evaluation.scores.indicators if i.section == section]


def blank_zero_mismatch(total: Quantity, terms: list[tuple[int, Quantity]]) -> float | None:
    """Σ sign × term when the total differs from it beyond their rounding, blanks counting as 0 (the per-row and
    汇总 identities of 岳阳 and 基础数据表); None when it agrees, when a value is not a number, or when all are blank."""
    quantities = [total, *(q for _, q in terms)]
    if any(q.kind not in ("number", "empty") for q in quantities) or all(q.kind == "empty" for q in quantities):
        return None
    expected = sum(sign * (q.value or 0.0) for sign, q in terms)
    return expected if differs(total.value or 0.0, expected, sum(q.spread for q in quantities)) else None


def figure_differs(quantity: Quantity, figure: tuple[float, float]) -> bool:
    """Whether a cell (blank is 0) differs from a figure given with its rounding (another file's: last year's form,
    the institutions' sum) beyond both roundings."""
    return differs(quantity.value or 0.0, figure[0], quantity.spread + figure[1])


def shown_total(total: Quantity) -> dict[str, Any]:
    """The finding arguments that show a total as found: its number, or 空白 / blank."""
    return {
        "value": total.value,
        "found": total.value if total.kind == "number" else "空白",
        "found_en": total.value if total.kind == "number" else "blank",
    }


def differs(reported: float, computed: float, tolerance: float) -> bool:
    """True when a typed value is outside the interval its typed precision allows around the computed one."""
    return abs(reported - computed) > tolerance + 1e-9
