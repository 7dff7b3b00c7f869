"""PE116: a number typed as text, which a formula of the sheet leaves out (总分's SUM, 执行率's N())."""

from collections.abc import Callable, Iterator
from typing import Any

from ..definition import FormDefinition
from ..findings import Finding, percent
from ..locate import FieldValue
from ..values import Quantity, parse_rate, parse_score
from .base import Check, Context, differs


class NumberAsText(Check):
    """数字存为文本，公式不计入：得分、预算数或执行数单元格里是文本（“'3”“3分”，或从 Word 粘贴来、WPS 设为文本格式的数字），
    表中的公式不计入它。

    SUM 跳过文本，N() 把文本读作 0：自评得分是文本的，总分少了这一项，按总分给出的评价等次也随之不对；预算数是文本的，
    执行率和预算执行得分显示为空白；执行数是文本的，LibreOffice 显示为 0，Excel 的除法把 “3014.42” 当作数（公式结果
    无误，不提示），对 “3014.42万元” 显示 #VALUE!。单元格左上角的绿色三角即 “以文本形式存储的数字”。本工具仍按它的数
    计分，应有的总分、执行率是计入后的数。总分、执行率是手填的（没有公式）不提示，是否相符由 PE208、PE201 校验。
    Failing: 得分填 “3”（文本），表中总分 88.938，计入后 91.938；预算数填 “3100”（文本），执行率空白。Passing: 填数字。
    """

    code = "PE116"
    name = "数字存为文本，公式不计入"
    name_en = "number stored as text, left out by a formula"
    severity = "error"
    stage = 1
    message = {
        "zh": "“{key}”的“{value}”是文本，{formula}的公式不计入它：表中{formula}为 {shown}，应为 {summed}；"
        "请把单元格改为数字 {expected}",
        "en": "'{value}' of '{key}' is text, which {formula_en}'s formula leaves out: the sheet shows {shown_en}, "
        "{summed} with it; type the number {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.budget is not None or (definition.indicators is not None and definition.total is not None)

    def run(self, ctx: Context) -> Iterator[Finding]:
        yield from self._amounts(ctx)
        yield from self._scores(ctx)

    def _amounts(self, ctx: Context) -> Iterator[Finding]:
        """预算数 and 执行数 as text, when the 执行率 formula's result is not the rate they give."""
        ev = ctx.evaluation
        rule, rate = ev.definition.budget, ev.scores.rate
        fields = ev.extraction.fields
        cell = fields.get(rule.rate or "") if rule else None
        if rule is None or rate is None or cell is None or not cell.formula:
            return
        cached, shows = _result(cell, parse_rate)
        if cached is not None and not differs(cached, rate, ev.definition.rate_tolerance):
            return
        if cached is not None:
            shown = shown_en = percent(cached)
        else:  # an error the sheet shows (#VALUE!: Excel's / on 3014.42万元), else a blank rate
            shown, shown_en = (shows, shows) if shows else ("空白", "blank")
        for key in (rule.budget, rule.executed):
            amount, typed = fields.get(key), ev.parsed.get(key)
            if amount is None or not isinstance(amount.raw, str) or typed is None or typed.kind != "number":
                continue
            yield self.finding(
                ctx,
                amount.ref,
                value=amount.raw,
                expected=typed.value,
                key=amount.spec.label,
                formula="执行率",
                formula_en="the execution rate",
                shown=shown,
                shown_en=shown_en,
                summed=percent(rate),
            )

    def _scores(self, ctx: Context) -> Iterator[Finding]:
        """Self-scores as text, when the 总分 formula's result is not the sum of the scores."""
        ev = ctx.evaluation
        total = ev.extraction.fields.get(ev.definition.total or "")
        if total is None or not total.formula or ev.definition.indicators is None:
            return
        texts = [i for i in ev.scores.indicators if isinstance(i.row.raw("score"), str) and i.reported_score]
        summed = ev.scores.reported_sum
        cached, shows = _result(total, parse_score)
        if not texts or (cached is not None and not differs(cached, summed, ev.definition.score_tolerance)):
            return
        # A formula never calculated (a file written by a program) will show the sum without them once it is.
        unsummed = summed - sum(i.reported_score or 0.0 for i in texts)
        shown = f"{round(cached, 4):g}" if cached is not None else shows or f"{round(unsummed, 4):g}"
        for ind in texts:
            yield self.finding(
                ctx,
                ind.row.ref("score"),
                value=ind.row.raw("score"),
                expected=ind.reported_score,
                key=ind.name,
                formula="总分",
                formula_en="the total",
                shown=shown,
                shown_en=shown,
                summed=f"{round(summed, 4):g}",
            )


def _result(cell: FieldValue, parse: Callable[[Any], Quantity]) -> tuple[float | None, str]:
    """A formula cell's cached result as a number, else the text it shows in its place (#VALUE!), "" when it shows
    nothing (a blank result, or a formula never calculated)."""
    if cell.raw == "":
        return None, ""
    quantity = parse(cell.raw)
    return (quantity.value, "") if quantity.kind == "number" else (None, str(cell.raw))
