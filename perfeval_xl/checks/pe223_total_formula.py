"""PE223: a score the 总分 formula does not read (a row inserted under its SUM's range)."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from ..formula_refs import Area, reads_any
from ..grid import CellRef
from .base import Check, Context

_LISTED = 5  # rows named in the message; more are counted


class TotalFormulaLeavesOut(Check):
    """总分公式漏计得分：总分是公式，它求和的范围没有包括某些已填得分的行。

    最常见的是在最后一个指标下、总分上方插入一行：插在 SUM 范围之外的行，Excel 不会扩展公式的范围（插在范围中间的会），
    表中打印的总分、按总分给出的评价等次都少了这一行。也包括公式求和了别的列，或漏了预算执行得分。经由单位自己的公式
    （总分 = 各一级指标小计之和）读到的得分算已计入；公式读什么无法确定的（INDIRECT、定义名称）不提示。得分为 0 的行
    不影响总分，也不提示。总分是手填的（没有公式）由 PE208 校验。
    Failing: 总分 =N($F$6)+SUM($J$9:$J$31)，第 32 行插入的指标得分 2。Passing: 该行在求和范围内。
    """

    code = "PE223"
    name = "总分公式漏计得分"
    name_en = "total formula leaves out scores"
    severity = "error"
    stage = 2
    message = {
        "zh": "总分的公式 {value} 未计入第 {rows} 行的得分（共 {points} 分），总分应为 {summed}；请把这些行纳入公式"
        "（总分格受保护时，先点“审阅 → 撤销工作表保护”，标准模板未设密码）",
        "en": "the total's formula {value} leaves out the score in {rows_en} ({points} in all): with them the total "
        "is {summed}; widen its range to them (on a protected sheet, first Review → Unprotect Sheet: the standard "
        "template has no password)",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.total is not None and definition.indicators is not None and definition.scored

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        total, formula, missed = left_out(ctx)
        if total is None or not missed:
            return
        rows = sorted({ref.row + 1 for ref, _ in missed})
        listed = "、".join(str(r) for r in rows[:_LISTED])
        listed_en = ", ".join(str(r) for r in rows[:_LISTED])
        more = len(rows) - _LISTED
        yield self.finding(
            ctx,
            total,
            value=formula,
            expected=round(ev.scores.reported_sum, 6),
            rows=f"{listed} 行等 {len(rows)}" if more > 0 else listed,
            rows_en=(f"rows {listed_en} and {more} more" if more > 0 else f"rows {listed_en}")
            if len(rows) > 1
            else f"row {listed_en}",
            points=f"{round(sum(p for _, p in missed), 4):g}",
            summed=f"{round(ev.scores.reported_sum, 4):g}",
        )


def left_out(ctx: Context) -> tuple[CellRef | None, str, list[tuple[CellRef, float]]]:
    """The 总分 cell, its formula (with its "=") and the scores it does not read, by cell; no scores for a total that
    is no formula, or a formula whose reach cannot be told."""
    ev = ctx.evaluation
    total = ev.extraction.fields.get(ev.definition.total or "")
    ref = total.ref if total else None
    if ref is None:
        return None, "=", []
    grid = ev.extraction.grids[ref.sheet]
    areas, text = grid.areas_read(ref.row, ref.col), grid.formulas.get((ref.row, ref.col), "")
    return ref, "=" + text, _unread(_scores(ctx), areas, ctx) if areas is not None else []


def _scores(ctx: Context) -> list[tuple[CellRef, float]]:
    """The scores the sheet's total adds, by cell: the 预算执行 score, then each indicator's self-score; 0 left out."""
    ev = ctx.evaluation
    scores = []
    budget = ev.definition.budget
    cell = ev.extraction.fields.get(budget.score or "") if budget else None
    points = ev.number(budget.score or "") if budget else None
    if points is None:
        points = ev.scores.budget_score
    if cell is not None and cell.ref is not None and points:
        scores.append((cell.ref, points))
    for ind in ev.scores.indicators:
        ref = ind.row.ref("score")
        if ref is not None and ind.reported_score:
            scores.append((ref, ind.reported_score))
    return scores


def _unread(scores: list[tuple[CellRef, float]], areas: list[Area], ctx: Context) -> list[tuple[CellRef, float]]:
    """The scores the formula reading ``areas`` does not read, directly or through the other formulas it reads (a
    subtotal of the unit's own, not our 复核总分); none when one of those cannot be told (a shared formula filled down,
    INDIRECT)."""

    def unread(areas: list[Area]) -> list[tuple[CellRef, float]]:
        return [(ref, points) for ref, points in scores if not reads_any(areas, [ref.place])]

    missed = unread(areas)
    if not missed:
        return []
    grids = ctx.evaluation.extraction.grids
    formulas = {CellRef(name, r, c).place: (g, r, c) for name, g in grids.items() for r, c in g.formulas}
    followed = {ref.place for ref, _ in scores}  # a score is read as itself, whatever its own formula reads
    # 复核总分, ours, sums 计算得分: it is no subtotal of the unit's, and what it reads is not read through it.
    checked = ctx.evaluation.extraction.fields.get(ctx.evaluation.definition.checked_total or "")
    if checked is not None and checked.ref is not None:
        followed.add(checked.ref.place)
    while reached := [at for at in formulas.keys() - followed if reads_any(areas, [at])]:
        for at in reached:
            grid, row, col = formulas[at]
            if (more := grid.areas_read(row, col)) is None:
                return []
            areas = areas + more
        followed.update(reached)
    return unread(areas)
