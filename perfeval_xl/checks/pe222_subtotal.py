"""PE222: a subtotal row a unit added does not add up the rows it sums."""

import re
from collections.abc import Iterator

from ..definition import FormDefinition
from ..engine import parse_cell
from ..findings import Finding
from ..grid import fold_label
from ..locate import TableExtraction, TableRow
from .base import Check, Context, differs, shown_total

# A subtotal's name, folded: what it sums (产出指标, or nothing), then 小计, 合计 or 总计, then its points or unit.
_NAMED = re.compile(r"(?P<stem>.*?)(?P<kind>小计|合计|总计)(?:\([^()]*\))?")
_ADDITIVE = ("score", "amount")


class SubtotalMismatch(Check):
    """小计行与所属各行之和不符：单位在表中自己加的小计、合计行（“产出指标小计”“小计”“合计”），每一列分值、得分、金额
    须等于它所合计的各行之和（容差只按小计行本身的填报精度）。空白按 0 计。

    表式没有这一行，其余校验都跳过它；但交上来的表上合计不平，审核和公开时一目了然。“产出指标小计”合计一级（或二级）指标
    为产出指标的各行，“小计”合计上一个小计行以下的各行，“合计”“总计”合计其上所有的行；看不出合计哪些行的不检查。
    Failing: 产出指标小计 分值 38，产出指标各行分值之和 40。Passing: 分值 40。
    """

    code = "PE222"
    name = "小计行与所属各行之和不符"
    name_en = "a subtotal row does not add up its rows"
    severity = "warning"
    stage = 2
    message = {
        "zh": "“{total}”的“{column}”为 {found}，所合计的 {count} 行之和为 {expected}",
        "en": "'{total}' gives '{column}' as {found_en} but the {count} rows it sums add up to {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return any(column.type in _ADDITIVE for table in definition.tables.values() for column in table.columns)

    def run(self, ctx: Context) -> Iterator[Finding]:
        for table in ctx.evaluation.extraction.tables.values():
            since = 0  # a bare 小计 sums the rows below the subtotal before it
            for above, name, subtotal in table.subtotals:
                summed = _summed(table, name, table.rows[since:above], table.rows[:above])
                since = above
                if summed:
                    yield from self._columns(ctx, table, subtotal, summed, _as_typed(subtotal, name))

    def _columns(
        self, ctx: Context, table: TableExtraction, subtotal: TableRow, summed: list[TableRow], name: str
    ) -> Iterator[Finding]:
        """Each additive column of a subtotal against the rows it sums: the rows count as typed, only the subtotal's
        own rounding is allowed."""
        for column in table.spec.columns:
            cell = subtotal.cells.get(column.key)
            if cell is None or column.type not in _ADDITIVE or column.fill_down or column.output:
                continue
            found = parse_cell(cell)
            terms = [parse_cell(row.cells.get(column.key)) for row in summed]
            if found.kind != "number" or any(term.kind not in ("number", "empty") for term in terms):
                continue
            expected = sum(term.value or 0.0 for term in terms)
            if differs(found.value or 0.0, expected, found.spread):
                yield self.finding(
                    ctx,
                    cell.ref,
                    expected=round(expected, 6),
                    **shown_total(found),
                    total=name,
                    column=column.label,
                    count=len(summed),
                    key=name,
                )


def _as_typed(subtotal: TableRow, name: str) -> str:
    """A subtotal's name as the unit wrote it (小计（40分）), found by its folded form."""
    texts = (str(c.raw).strip() for c in subtotal.cells.values() if isinstance(c.raw, str))
    return next((text for text in texts if fold_label(text) == name), name)


def _summed(table: TableExtraction, name: str, since: list[TableRow], above: list[TableRow]) -> list[TableRow]:
    """The rows a subtotal sums: those of the group it names (产出指标小计: the rows whose 一级 or 二级 指标 is 产出指标),
    else, for a bare 小计, the rows since the subtotal before it, and for 合计 or 总计 all the rows above; none when
    no row is of the group it names."""
    named = _NAMED.fullmatch(name)
    if named is None:
        return []
    stem = named["stem"]
    if not stem:
        return since if named["kind"] == "小计" else above
    groups = [column.key for column in table.spec.columns if column.fill_down and column.type == "text"]
    return [row for row in above if any(fold_label(str(row.raw(key))).startswith(stem) for key in groups)]
