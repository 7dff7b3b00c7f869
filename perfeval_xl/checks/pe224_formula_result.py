"""PE224: a formula of the form (执行率, 预算执行得分, 总分, 评价等次, a rate of amounts) showing another result than the rules."""

from collections.abc import Callable, Iterator
from typing import Any, Literal, NamedTuple

from ..definition import FormDefinition
from ..findings import Finding, percent
from ..locate import norm_label
from ..scoring import grade_for, grade_named
from ..values import Quantity, parse_rate, parse_score
from .base import Check, Context, differs
from .pe223_total_formula import left_out


class _Link(NamedTuple):
    """One computed cell of the chain 执行率 → 预算执行得分 → 总分: its field, what the rules give, how close its result
    must be, how it reads and prints, its name, and whether another check says why it is off (a number as text, a
    row the total does not read)."""

    key: str | None
    computed: float | None
    tolerance: float
    parse: Callable[[Any], Quantity]
    shown: Callable[[float], str]
    label: str
    label_en: str
    explained: Callable[[], bool]


# How a link's cell stands when no finding is made of it (see ``FormulaResult._look``).
_State = Literal["absent", "typed", "typed off", "unread", "right", "explained"]
# The states after which the next link is looked at: the cells after any other follow from it.
_GO_ON: tuple[_State, ...] = ("absent", "typed", "right")


class FormulaResult(Check):
    """表中公式的结果与计分规则不符：执行率、预算执行得分、总分、评价等次是公式，而表中显示的结果不是表式规则给出的
    （单位改动了公式：引用了别的格、乘了系数、减去一项、改了等次的分数线）。表中由金额算出的比率（广州支出规模的完成率、
    河北的执行率、湖南的编制控制率）是公式的，同样核对，各自报出。

    打印出来的表、按它给出的评价等次都随之不对。只看电子表格保存过的文件（其公式结果可信）；依次看执行率、预算执行得分、
    总分、评价等次，只报第一个不符的（后面的由它算出，改正它即随之改正）；等次按表中显示的总分评定。手填的（没有公式）
    由 PE201、PE202、PE208、PE211 校验；因数字存为文本而不符的由 PE116、因总分漏计了行而不符的由 PE223 说明，本项不再
    重复。
    Failing: 执行率 =D6/C6*0.9 显示 87.52%，执行数/预算数为 97.24%。Passing: 模板的公式。
    """

    code = "PE224"
    name = "表中公式的结果与计分规则不符"
    name_en = "a form formula shows another result than the rules"
    severity = "error"
    stage = 2
    message = {
        "zh": "{label}的公式 {formula} 显示 {shown}，应为 {should}；请恢复表式的公式",
        "en": "{label_en}'s formula {formula_en} shows {shown}, {should} by the rules; restore the form's formula",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        scored = definition.scored and (definition.budget is not None or definition.total is not None)
        return scored or any(ratio.key for ratio in definition.ratios)

    def run(self, ctx: Context) -> Iterator[Finding]:
        for link in _ratios(ctx):  # each its own: no score follows from it
            if isinstance(found := self._look(ctx, link), Finding):
                yield found
        if not ctx.evaluation.definition.scored:
            return
        for link in _chain(ctx):
            found = self._look(ctx, link)
            if isinstance(found, Finding):
                yield found
            if found not in _GO_ON:
                return
        yield from self._grade(ctx)

    def _look(self, ctx: Context, link: _Link) -> Finding | _State:
        """How a link's cell stands: "absent" (no cell, or nothing to compute), "typed" (PE201, PE202 or PE208
        compares it) or "typed off" (and what follows is computed from it), "unread" (no result a spreadsheet
        computed), "right", "explained" (PE116 or PE223 says why it is off), or the finding."""
        ev = ctx.evaluation
        field = ev.extraction.fields.get(link.key or "")
        if field is None or field.ref is None or link.computed is None:
            return "absent"
        grid = ev.extraction.grids[field.ref.sheet]
        text = grid.formulas.get((field.ref.row, field.ref.col))
        if text is None:
            typed = link.parse(field.raw)
            off = typed.kind == "number" and differs(
                typed.value or 0.0, link.computed, max(typed.tolerance, link.tolerance)
            )
            return "typed off" if off else "typed"
        # Results a library wrote (or none), or a blank one: a formula never calculated, or one giving "" (the
        # template's 执行率 on a 预算数 typed as text, PE116's): not a result to compare, nor those after it.
        if not grid.calculated or field.raw == "":
            return "unread"
        shown = link.parse(field.raw)
        number = shown.value if shown.kind == "number" else None
        # A result the unit's formula rounds (ROUND(…,1)) allows its own rounding, as a typed one does.
        if number is not None and not differs(number, link.computed, max(shown.tolerance, link.tolerance)):
            return "right"
        if link.explained():
            return "explained"
        return self.finding(
            ctx,
            field.ref,
            value=number if number is not None else field.raw,
            expected=round(link.computed, 6),
            key=field.spec.label,
            label=link.label,
            label_en=link.label_en,
            **_formula(text),
            shown=link.shown(number) if number is not None else field.raw,  # or the error shown, #VALUE!
            should=link.shown(link.computed),
        )

    def _grade(self, ctx: Context) -> Iterator[Finding]:
        """评价等次 as its formula shows it, against the grade of the 总分 the sheet shows (the chain's last link, right
        when this is asked): a unit that moved a threshold (优 from 95) prints another grade. A typed one is PE211's."""
        ev = ctx.evaluation
        definition = ev.definition
        field = ev.extraction.fields.get(definition.grade or "")
        total = ev.extraction.fields.get(definition.total or "")
        if field is None or field.ref is None or field.raw == "" or ev.scores.reported_total is None:
            return
        grid = ev.extraction.grids[field.ref.sheet]
        if not field.formula or not grid.calculated:  # typed, or read as typed: PE211's
            return
        shown_total = parse_score(total.raw) if total is not None and total.formula else None
        points = shown_total.value if shown_total and shown_total.kind == "number" else ev.scores.reported_total
        expected = grade_for(points or 0.0, definition.grades)
        if grade_named(norm_label(str(field.raw))) != expected:
            yield self.finding(
                ctx,
                field.ref,
                value=field.raw,
                expected=expected,
                key=field.spec.label,
                label="评价等次",
                label_en="the grade",
                **_formula(grid.formulas[(field.ref.row, field.ref.col)]),
                shown=field.raw,
                should=expected,
            )


def _formula(text: str) -> dict[str, str]:
    """A formula as the message says it, in both languages: a shared formula filled down writes no text."""
    return {
        "formula": "=" + text if text else "（共享公式）",
        "formula_en": "=" + text if text else "(a shared formula)",
    }


def _ratios(ctx: Context) -> list[_Link]:
    """The form's computed rates of amounts (广州 完成率, 河北 执行率, 湖南 编制控制率), each said as its label."""
    ev = ctx.evaluation
    fields = ev.extraction.fields
    links = []
    for ratio in ev.definition.ratios:
        if ratio.key is None or ratio.key not in fields:
            continue
        label = fields[ratio.key].spec.label
        amounts = [fields[k] for k in (*ratio.numerator, *ratio.denominator) if k in fields]
        links.append(
            _Link(
                ratio.key,
                ev.scores.ratios.get(ratio.key),
                ev.definition.rate_tolerance,
                parse_rate,
                percent,
                label,
                label,
                lambda amounts=amounts: any(isinstance(f.raw, str) for f in amounts),  # PE116's
            )
        )
    return links


def _chain(ctx: Context) -> list[_Link]:
    ev = ctx.evaluation
    definition, scores = ev.definition, ev.scores
    rule = definition.budget
    fields = ev.extraction.fields

    def g(value: float) -> str:
        return f"{round(value, 4):g}"

    def amounts() -> bool:  # PE116's: an amount as text, which the rate formula reads as 0
        return rule is not None and any(
            isinstance(fields[k].raw, str) for k in (rule.budget, rule.executed) if k in fields
        )

    def scores_left_out() -> bool:  # PE116's (a score as text) or PE223's (a row the SUM does not read)
        return any(isinstance(i.row.raw("score"), str) and i.reported_score for i in scores.indicators) or bool(
            left_out(ctx)[2]
        )

    return [
        _Link(
            rule.rate if rule else None,
            scores.rate,
            definition.rate_tolerance,
            parse_rate,
            percent,
            "执行率",
            "the execution rate",
            amounts,
        ),
        _Link(
            rule.score if rule else None,
            scores.budget_score,
            definition.score_tolerance,
            parse_score,
            g,
            "预算执行得分",
            "the budget score",
            lambda: False,
        ),
        _Link(
            definition.total,
            scores.reported_sum,
            definition.score_tolerance,
            parse_score,
            g,
            "总分",
            "the total",
            scores_left_out,
        ),
    ]
