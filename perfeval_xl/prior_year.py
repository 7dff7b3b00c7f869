"""跨期: the figures of a form that next year's form gives again as last year's, and last year's submission as a
check sees them (PE401)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .definition import load_form
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
    unit: str = ""  # the unit's name as typed ("" when none was)
    # Its computed total and grade, when it was checked here (a file named with --prior), for next year's report
    total: float | None = None
    grade: str | None = None

    @classmethod
    def of(cls, evaluation: Evaluation, source: str) -> Earlier:
        """A submission checked, as next year's is checked against it."""
        e, scores = evaluation, evaluation.scores
        return cls(carried(e), source, e.definition.id, e.extraction.year, e.unit, scores.total, scores.grade)

    def mismatch(self, evaluation: Evaluation) -> str | None:
        """What makes this no submission of last year for the evaluation: ``figures`` (the form gives none for last
        year, as 湖北's), else what ``differs`` says; None when it is one."""
        return "figures" if not evaluation.definition.prior_year else self.differs(evaluation)

    def differs(self, evaluation: Evaluation) -> str | None:
        """What makes this no form of the evaluation's unit for the year before, whatever figures the form gives:
        ``form``, ``unit`` (names compared folded: 全角/半角, spaces) or ``year``; None when it is one. A year or a
        unit's name not read is taken as the right one."""
        unit, year = fold_label(evaluation.unit), evaluation.extraction.year
        if self.form != evaluation.definition.id:
            return "form"
        if self.unit and unit and fold_label(self.unit) != unit:
            return "unit"
        if self.year is not None and year is not None and self.year != year - 1:
            return "year"
        return None

    def precedes(self, evaluation: Evaluation) -> bool:
        """Whether this is the unit's submission of the evaluation's form for the year before its."""
        return self.mismatch(evaluation) is None

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


def next_year(evaluation: Evaluation) -> dict[str, Any]:
    """The unit's form for the year after the evaluation's, as ``template.build_template`` fills one: its 单位名称,
    the year after, and each figure the form gives again as last year's (the ``this`` side of its ``prior_year``
    rules) as the evaluation gives it (a blank left blank). A table of them gets the evaluation's rows (岳阳's
    institutions), named as it names them, in its order, and so does every table the form checks row by row with
    it (its ``row_sums``: one row per institution in each)."""
    definition, extraction = evaluation.definition, evaluation.extraction
    fields: dict[str, Any] = {"unit": evaluation.unit, "year": extraction.year + 1 if extraction.year else None}
    rows: dict[str, dict[str, dict[str, Any]]] = {}
    for rule in definition.prior_year:
        if rule.table is None:
            fields[rule.this] = _typed(evaluation.parsed[rule.last])
            continue
        this_column = rule.this.split(".", 1)[1]
        table_id, column = rule.last.split(".", 1)
        table = extraction.tables.get(table_id)
        named = [
            row for row in (table.rows if table is not None and column in table.columns else ()) if table.name(row)
        ]
        for table_key in dict.fromkeys([rule.table, *(s.table for s in definition.row_sums)]):
            name_key = definition.tables[table_key].columns[0].key
            for row in named:
                rows.setdefault(table_key, {}).setdefault(table.name(row), {name_key: table.name(row)})
        for row in named:
            rows[rule.table][table.name(row)][this_column] = _typed(parse_cell(row.cells.get(column)))
    return {
        "fields": {key: value for key, value in fields.items() if value is not None},
        "tables": {table: list(by_name.values()) for table, by_name in rows.items()},
    }


def _typed(quantity: Quantity) -> float | None:
    return quantity.value if quantity.kind == "number" else None


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
        values[key] = (quantity.value, quantity.spread)


def from_history(known: dict[tuple[str, str, int], Earlier]) -> LastYear:
    """A ``engine.LastYear`` over a batch's history (see ``History.last_years``): the unit's submission of the form
    for the year before, its name folded as the history keeps it."""

    def find(evaluation: Evaluation) -> Earlier | None:
        year = evaluation.extraction.year
        return known.get((evaluation.definition.id, fold_label(evaluation.unit), year - 1)) if year else None

    return find


def not_compared(earlier: Earlier, evaluation: Evaluation, lang: str, why: str | None = None) -> str:
    """Why a file was not compared with the form named as last year's (``why``, else ``Earlier.mismatch``): the
    command line and the Excel button say it alike."""
    d, year, source = evaluation.definition, evaluation.extraction.year, earlier.source
    other = load_form(earlier.form)
    said = {  # (zh, en) by what does not match
        "figures": (f"{d.region}《{d.name}》没有填写上年数的栏目", f"the {d.id} form gives no figures for last year"),
        "form": (
            f"上年的表 {source} 是另一种表式（{other.region}《{other.name}》）",
            f"last year's form {source} is another form ({earlier.form})",
        ),
        "unit": (
            f"上年的表 {source} 是另一个单位（{earlier.unit}）的，不是{evaluation.unit}的",
            f"last year's form {source} is another unit's ({earlier.unit}), not {evaluation.unit}'s",
        ),
        "year": (
            f"上年的表 {source} 是 {earlier.year} 年度的，不是本表（{year} 年度）的上一年度",
            f"last year's form {source} states {earlier.year}, not the year before this one's ({year})",
        ),
    }
    zh, en = said[str(why or earlier.mismatch(evaluation))]
    return f"{zh}，未作跨期核对" if lang == "zh" else f"{en}: not compared"


def compared_with(source: str, lang: str) -> str:
    """What a form compared with last year's says it was compared with (no PE401 then means the figures agree)."""
    return f"上年数已与上年报送的 {source} 核对" if lang == "zh" else f"last year's figures checked against {source}"
