"""跨期: the figures of a form that next year's form gives again as last year's, and last year's submission as a
check sees them (PE401)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .engine import LastYear, parse_cell
from .grid import fold_label

if TYPE_CHECKING:
    from .engine import Evaluation
    from .locate import TableExtraction, TableRow
    from .values import Quantity


# A form's figures that next year's gives again, by key, each as (value, half its last typed decimal).
Carried = dict[str, tuple[float, float]]


@dataclass(frozen=True)
class Earlier:
    """Last year's submission of a unit's form, as this year's is checked against it: the figures it gave that this
    year's form gives again (see ``carried``), each with the rounding it was typed to, and which file it was."""

    values: Carried
    source: str
    form: str
    year: int | None

    @classmethod
    def of(cls, evaluation: Evaluation, source: str) -> Earlier:
        """A submission checked, as next year's is checked against it."""
        return cls(carried(evaluation), source, evaluation.definition.id, evaluation.extraction.year)

    def precedes(self, evaluation: Evaluation) -> bool:
        """Whether this is a submission of the form checked, of the year before its (a year not read is taken as
        the right one), and the form gives figures for last year at all (湖北's does not)."""
        year = evaluation.extraction.year
        same_form = self.form == evaluation.definition.id and bool(evaluation.definition.prior_year)
        return same_form and (self.year is None or year is None or self.year == year - 1)

    def before(self, evaluation: Evaluation) -> Earlier | None:
        """Itself when it precedes the evaluation: a ``engine.LastYear`` for one file of last year."""
        return self if self.precedes(evaluation) else None


def carried(evaluation: Evaluation) -> Carried:
    """The figures next year's form gives again (the ``last`` side of the form's ``prior_year`` rules), each with
    half its last typed decimal: a field by its key, a table's column by ``table.column@row`` (the row's folded
    name, as rows are matched across tables). A located cell left blank is 0, as blanks are in the form's sums."""
    values: Carried = {}
    for rule in evaluation.definition.prior_year:
        if rule.table is None:
            if evaluation.extraction.fields[rule.last].ref is not None:
                _put(values, rule.last, evaluation.parsed[rule.last])
            continue
        table_id, column = rule.last.split(".", 1)
        table = evaluation.extraction.tables.get(table_id)
        for row in table.rows if table is not None and column in table.columns else ():
            if table.name(row):
                _put(values, figure_key(rule.last, table, row), parse_cell(row.cells.get(column)))
    return values


def figure_key(column: str, table: TableExtraction, row: TableRow) -> str:
    """A table's figure by its column (``table.column``) and its row's folded name (the institution's), as rows
    are matched across tables and years: ``spending.accumulated@科协机关``. The 汇总 row is the table's total
    whatever a year names it (市科协及二级机构汇总, 汇总, 合计)."""
    name = table.name(row)
    return f"{column}@{TOTAL if table.spec.is_total(name) else table.key(row)}"


TOTAL = "（汇总）"  # the key of a table's 汇总 row (see ``figure_key``)


def _put(values: Carried, key: str, quantity: Quantity) -> None:
    if quantity.kind == "empty":
        values[key] = (0.0, 0.0)
    elif quantity.kind == "number" and quantity.value is not None:
        values[key] = (quantity.value, quantity.tolerance if quantity.value else 0.0)


def from_history(known: dict[tuple[str, str, int], Earlier]) -> LastYear:
    """A ``engine.LastYear`` over a batch's history (see ``History.last_years``): the unit's submission of the form
    for the year before, its name folded as the history keeps it."""

    def find(evaluation: Evaluation) -> Earlier | None:
        year = evaluation.extraction.year
        return known.get((evaluation.definition.id, fold_label(evaluation.unit), year - 1)) if year else None

    return find
