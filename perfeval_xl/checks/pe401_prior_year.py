"""PE401: a figure this year's form gives for last year differs from what last year's form gave (跨期)."""

from collections.abc import Iterator

from ..definition import FormDefinition, PriorYear
from ..engine import Evaluation, parse_cell
from ..findings import Finding
from ..grid import CellRef
from ..prior_year import figure_key
from ..values import Quantity
from .base import Check, Context, figure_differs, shown_total


class PriorYearDiffers(Check):
    """上年数与上年报送数不符：本年表中填的上年数，须与该单位上年报送的同一张表相同（湖南 上年决算数 = 上年表的本年决算数，
    岳阳 各机构的上年结转 = 上年表的累计结余）。空白按 0 计。

    上年报送的表取自批量校验的结果数据库（同一单位、同一表式、上一年度），或 perfeval check --prior 指定的文件；没有上年的表时不检查。
    上年数可能经决算调整，故为提示。
    Failing: 上年决算数（三公经费）填 1.04，上年表本年决算数为 1.2。Passing: 两者相同。
    """

    code = "PE401"
    name = "上年数与上年报送数不符"
    name_en = "last year's figure differs from last year's submission"
    severity = "warning"
    scope = "跨期"
    stage = 2
    message = {
        "zh": "“{label}”为 {found}，上年报送的“{last}”为 {expected}（{source}），应相同",
        "en": "'{label}' is {found_en} but last year's submission gave '{last}' as {expected} ({source})",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return bool(definition.prior_year)

    def run(self, ctx: Context) -> Iterator[Finding]:
        earlier = ctx.evaluation.earlier
        if earlier is None:
            return
        for rule in ctx.evaluation.definition.prior_year:
            for label, last, key, ref, quantity in _cells(ctx.evaluation, rule):
                finding = self._compared(ctx, label, last, ref, quantity, earlier.values.get(key), earlier.source)
                if finding is not None:
                    yield finding

    def _compared(
        self,
        ctx: Context,
        label: str,
        last: str,
        ref: CellRef | None,
        quantity: Quantity,
        given: tuple[float, float] | None,
        source: str,
    ) -> Finding | None:
        """A finding when this year's cell (blank is 0) differs from last year's figure beyond both roundings."""
        if given is None or ref is None or quantity.kind not in ("number", "empty"):
            return None
        if not figure_differs(quantity, given):
            return None
        return self.finding(
            ctx, ref, expected=given[0], key=label, label=label, last=last, source=source, **shown_total(quantity)
        )


# A cell a rule compares: its label, the label of last year's figure, that figure's key (see prior_year.figure_key),
# the cell and its value.
_Compared = tuple[str, str, str, CellRef | None, Quantity]


def _cells(evaluation: Evaluation, rule: PriorYear) -> list[_Compared]:
    """The cells of this year's form a rule compares: its field, or its column in each named row of the table (the
    row's name in both labels, and in the key, folded)."""
    if rule.table is None:
        fields = evaluation.definition.fields
        ref = evaluation.extraction.fields[rule.this].ref
        return [(fields[rule.this].label, fields[rule.last].label, rule.last, ref, evaluation.parsed[rule.this])]
    (table_id, column), (last_table, last_column) = rule.this.split(".", 1), rule.last.split(".", 1)
    specs = evaluation.definition.tables
    label, last = specs[table_id].column(column).label, specs[last_table].column(last_column).label
    table = evaluation.extraction.tables.get(table_id)
    if table is None:
        return []
    return [
        (
            f"{table.name(row)} {label}",
            f"{table.name(row)} {last}",
            figure_key(rule.last, table, row),
            row.ref(column),
            parse_cell(row.cells.get(column)),
        )
        for row in table.rows
        if table.name(row)
    ]
