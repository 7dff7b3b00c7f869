"""汇总: one department's form built from the evaluated workbooks of its institutions (pure: evaluations in, data out)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .definition import FieldSpec, FormDefinition, TableSpec
from .engine import Evaluation, parse_cell, parse_typed
from .grid import fold_label, indicator_key
from .locate import TableExtraction, TableRow
from .reader import UnreadableInput
from .report import readable_name
from .scoring import grade_for, round_half_up
from .values import TIME_UNITS, Quantity, counted_from_year, parse_quantity, written_like


class ConsolidationError(ValueError):
    """Inputs that cannot be consolidated into one department (different forms or years, an institution twice).
    ``message`` is Chinese, ``message_en`` English."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en


@dataclass(frozen=True)
class Source:
    """One consolidated workbook: its file, the unit it is from, and the fund amount that weights its rates."""

    path: str
    unit: str
    weight: float


def _figure(quantity: Quantity) -> float | None:
    """A parsed value's number, when it is one figure (not ≥5 nor words)."""
    return quantity.value if quantity.kind == "number" and quantity.comparator is None else None


def _number(value: Any, spec: FieldSpec) -> float | None:
    """A typed value as a number of its field's type and unit (990.69万元 is 990.69 in a 万元 field)."""
    return _figure(parse_typed(spec, value))


def _sum(values: list[Any], spec: FieldSpec) -> float | None:
    """Σ of the numbers among ``values`` in their field's unit (None when there is none), rounded to the cent."""
    numbers = [n for n in (_number(v, spec) for v in values) if n is not None]
    return round(sum(numbers), 6) if numbers else None


def _weighted(values: list[float | None], weights: list[float]) -> float | None:
    """The fund-weighted average of the known values (equal weights when no fund amount is known)."""
    pairs = [(v, w) for v, w in zip(values, weights, strict=True) if v is not None]
    if not pairs:
        return None
    total = sum(w for _, w in pairs)
    if total <= 0:
        return sum(v for v, _ in pairs) / len(pairs)
    return sum(v * w for v, w in pairs) / total


def _first(values: list[Any]) -> Any:
    return next((v for v in values if v not in ("", None)), None)


def _check_inputs(evaluations: list[Evaluation]) -> None:
    if not evaluations:
        raise ConsolidationError("没有可汇总的工作簿", "nothing to consolidate")
    forms = {e.definition.id for e in evaluations}
    if len(forms) > 1:
        raise ConsolidationError(f"表式不同，不能汇总：{'、'.join(sorted(forms))}", f"different forms: {sorted(forms)}")
    years = {e.extraction.year for e in evaluations}
    if len(years) > 1:
        shown = "、".join(str(y) if y else "未填" for y in sorted(years, key=lambda y: y or 0))
        raise ConsolidationError(f"评价年度不同，不能汇总：{shown}", f"different years: {shown}")


@dataclass(frozen=True)
class Parts:
    """The forms of a department's institutions (机关, 二级机构), as the department's own form is checked against
    them (汇总, PE402): each amount and count they add up to, with the rounding they were typed to, and their files."""

    values: dict[str, tuple[float, float]]  # by field: (Σ, Σ of half the last decimal each was typed to)
    files: tuple[str, ...]
    form: str
    year: int | None

    @classmethod
    def of(cls, evaluations: list[Evaluation], paths: list[str | Path]) -> Parts:
        """The institutions' forms, which must be of one form and year (ConsolidationError otherwise). A field some
        institution wrote as words (见附表) has no sum."""
        _check_inputs(evaluations)
        definition = evaluations[0].definition
        values: dict[str, tuple[float, float]] = {}
        for key, spec in definition.fields.items():
            if spec.computed or spec.output or spec.type not in ("amount", "quantity"):
                continue
            quantities = [e.parsed[key] for e in evaluations]
            if any(q.kind not in ("number", "empty") or q.comparator for q in quantities):
                continue
            numbers = [q for q in quantities if q.kind == "number"]
            if numbers:
                values[key] = (round(sum(q.value or 0.0 for q in numbers), 6), sum(q.spread for q in numbers))
        files = tuple(readable_name(Path(p).name) for p in paths)
        return cls(values, files, definition.id, evaluations[0].extraction.year)

    @classmethod
    def read(cls, paths: list[Path], names: list[str] | None = None, form_id: str | None = None) -> Parts:
        """The institutions' forms in these files, checked together as any file is (``names``: what to call them, the
        files' own names by default). The first that cannot be read raises its UnreadableInput; forms that do not
        belong together raise ConsolidationError."""
        from .service import check_paths  # here: the service's signatures name this class

        outcomes = check_paths(list(paths), form_id)
        for outcome in outcomes:
            if isinstance(outcome, UnreadableInput):
                raise outcome
        return cls.of([o for o in outcomes if not isinstance(o, UnreadableInput)], list(names or paths))

    def mismatch(self, evaluation: Evaluation) -> str | None:
        """What makes these no institutions of the evaluation's department: ``form`` or ``year`` (a year not read is
        taken as the right one); None when they may be."""
        if self.form != evaluation.definition.id:
            return "form"
        year = evaluation.extraction.year
        if self.year is not None and year is not None and self.year != year:
            return "year"
        return None

    def not_compared(self, evaluation: Evaluation, lang: str) -> str:
        """Why a form was not compared with the institutions' forms (see ``mismatch``)."""
        if self.mismatch(evaluation) == "form":
            return (
                f"机构的表是另一种表式（{self.form}），未作汇总核对"
                if lang == "zh"
                else f"the institutions' forms are another form ({self.form}): not compared"
            )
        year = evaluation.extraction.year
        return (
            f"机构的表是 {self.year} 年度的，本表是 {year} 年度的，未作汇总核对"
            if lang == "zh"
            else f"the institutions' forms state {self.year}, this one {year}: not compared"
        )


def _institution_rows(table: TableExtraction) -> list[TableRow]:
    """A per-institution table's rows without its 汇总 row (a workbook of one institution may repeat it as 汇总)."""
    totals, members = table.totals_and_members()
    return members or totals


def _row_values(row: TableRow, spec: TableSpec) -> dict[str, Any]:
    return {c.key: row.raw(c.key) for c in spec.columns if row.raw(c.key) not in ("", None) and not c.output}


def _per_institution(
    table_id: str, spec: TableSpec, evaluations: list[Evaluation], sources: list[Source], department: str
) -> list[dict[str, Any]]:
    """The 汇总 row (Σ of every institution, column by column) followed by each workbook's institution rows."""
    rows: list[dict[str, Any]] = []
    seen: dict[str, str] = {}
    for evaluation, source in zip(evaluations, sources, strict=True):
        table = evaluation.extraction.tables.get(table_id)
        for row in _institution_rows(table) if table else []:
            name = table.key(row)
            if name in seen:
                raise ConsolidationError(
                    f"机构“{table.name(row)}”重复：{seen[name]} 与 {source.path}", f"institution {name!r} appears twice"
                )
            seen[name] = source.path
            rows.append(_row_values(row, spec))
    total: dict[str, Any] = {spec.columns[0].key: f"{department}汇总"}
    for column in spec.columns[1:]:
        if column.type in ("amount", "quantity"):
            value = _sum([r.get(column.key) for r in rows], column)
            if value is not None:
                total[column.key] = value
    return [total, *rows]


def _indicator_value(values: list[Any], weights: list[float], year: int | None) -> Any:
    """湖北 备注2: absolute values are summed, relative values (rates) averaged by fund amount; a deadline or the month
    or day it was met (a 时效 indicator) is the latest, as typed, of the form's ``year`` when none is stated; text
    stays the first institution's."""
    quantities = [parse_quantity(v) for v in values]
    numbers = [q for q in quantities if q.kind == "number"]
    if not numbers or len(numbers) != len([q for q in quantities if q.kind != "empty"]):
        return _first(values)
    units = {q.unit for q in numbers}
    if len(units) > 1:
        return _first(values)
    if numbers[0].unit in TIME_UNITS:
        return max(numbers, key=lambda q: counted_from_year(q, year).value or 0.0).raw
    if numbers[0].unit == "%":
        value = _weighted([q.value if q.kind == "number" else None for q in quantities], weights)
    else:
        value = sum(q.value or 0.0 for q in numbers)
    return written_like(numbers[0], value) if value is not None else _first(values)


def _indicators(table_id: str, spec: TableSpec, evaluations: list[Evaluation], weights: list[float]) -> list[dict]:
    """Indicator rows matched by 一级/二级/三级 names across institutions; targets and actuals consolidated by 备注2,
    self-scores averaged by fund amount (备注3); the first institution's wording and weights."""
    groups: dict[tuple[str, ...], list[tuple[int, TableRow]]] = {}
    for index, evaluation in enumerate(evaluations):
        table = evaluation.extraction.tables.get(table_id)
        for row in table.rows if table else []:
            key = tuple(indicator_key(row.raw(k)) for k in ("level1", "level2", "name"))
            groups.setdefault(key, []).append((index, row))
    rows = []
    year = evaluations[0].extraction.year  # inputs of different years are refused
    for members in groups.values():
        first = members[0][1]
        values = _row_values(first, spec)
        row_weights = [weights[i] for i, _ in members]
        for key in ("target", "actual"):
            if key in values:
                values[key] = _indicator_value([r.raw(key) for _, r in members], row_weights, year)
        scores = [_figure(parse_cell(r.cells.get("score"))) for _, r in members]
        score = _weighted(scores, row_weights)
        if score is not None:
            values["score"] = round_half_up(score, 2)
        if first.section:
            values["section"] = first.section
        rows.append(values)
    return rows


def _plain_rows(table_id: str, spec: TableSpec, evaluations: list[Evaluation]) -> list[dict[str, Any]]:
    """Any other table: every workbook's rows in turn, a row repeated word for word kept once; amount items with
    the same name (项目支出's projects) added up."""
    rows: list[dict[str, Any]] = []
    by_name: dict[str, dict[str, Any]] = {}
    amounts = [c.key for c in spec.columns if c.type == "amount"]
    for evaluation in evaluations:
        table = evaluation.extraction.tables.get(table_id)
        for row in table.rows if table else []:
            values = _row_values(row, spec)
            name = fold_label(str(values.get("name", "")))
            if amounts and name and name in by_name:
                merged = by_name[name]
                for key in amounts:
                    total = _sum([merged.get(key), values.get(key)], spec.column(key))
                    if total is not None:
                        merged[key] = total
            elif values not in rows:
                rows.append(values)
                if name:
                    by_name[name] = values
    return rows


def consolidate(evaluations: list[Evaluation], paths: list[str | Path], unit: str | None = None) -> dict[str, Any]:
    """The department's data ({"fields", "tables", "sources"}, as ``build_template`` takes it) from the evaluated
    workbooks of its institutions: amounts summed, rates left to the template's formulas (so recomputed from the
    summed amounts), typed rates and self-scores averaged by fund amount, texts from the first workbook, 汇总 rows
    rebuilt from the institutions. Raises ConsolidationError for inputs that do not belong together."""
    _check_inputs(evaluations)
    definition: FormDefinition = evaluations[0].definition
    units = [e.unit or readable_name(Path(p).stem) for e, p in zip(evaluations, paths, strict=True)]
    per_institution = {tid for tid, spec in definition.tables.items() if spec.total_row}
    if not per_institution:
        repeated = {u for u in units if units.count(u) > 1}
        if repeated:
            raise ConsolidationError(f"单位“{sorted(repeated)[0]}”重复提交", f"unit {sorted(repeated)[0]!r} twice")
    headline = definition.headline
    funds = [(e.known(headline.budget) or (0.0, ""))[0] if headline else 0.0 for e in evaluations]
    sources = [Source(readable_name(str(p)), u, w) for p, u, w in zip(paths, units, funds, strict=True)]
    department = unit or units[0]
    fields: dict[str, Any] = {}
    for key, spec in definition.fields.items():
        if spec.computed or spec.output:
            continue
        values = [e.extraction.fields[key].typed for e in evaluations]
        if spec.type in ("amount", "quantity") and all(
            parse_cell(e.extraction.fields[key]).kind != "text" for e in evaluations
        ):
            fields[key] = _sum(values, spec)
        elif spec.type in ("rate", "score"):
            decimals = definition.rate_decimals if spec.type == "rate" else definition.score_decimals
            average = _weighted([_number(v, spec) for v in values], funds)
            fields[key] = None if average is None else round_half_up(average, decimals)
        else:
            fields[key] = _first(values)
    fields["unit"] = department
    year_key = next((k for k, s in definition.fields.items() if s.type == "year"), None)
    if year_key is not None:
        fields[year_key] = evaluations[0].extraction.year
    if (
        definition.grade
        and not definition.fields[definition.grade].computed
        and fields.get(definition.total) is not None
    ):
        fields[definition.grade] = grade_for(fields[definition.total], definition.grades)
    tables: dict[str, list[dict[str, Any]]] = {}
    indicators = definition.indicators.table if definition.indicators else None
    for table_id, spec in definition.tables.items():
        if table_id in per_institution:
            tables[table_id] = _per_institution(table_id, spec, evaluations, sources, department)
        elif table_id == indicators:
            tables[table_id] = _indicators(table_id, spec, evaluations, funds)
        else:
            tables[table_id] = _plain_rows(table_id, spec, evaluations)
    return {
        "fields": {k: v for k, v in fields.items() if v is not None},
        "tables": tables,
        "sources": [{"file": s.path, "unit": s.unit, "weight": s.weight} for s in sources],
    }
