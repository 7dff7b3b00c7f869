"""pandera schemas generated from a form definition: types, ranges, required values, one row per cell.

The frame holds every typed field and table cell in long form, indexed by the cell's A1 address, with the Excel row,
the definition key and the cell's field spec beside it. One DataFrame-level check per catalogue code keeps pandera to a single validate
per workbook, and a batch validates the frames of many workbooks of one form in a single call: pandera's fixed cost
of ~10 ms per validate is then paid once per chunk instead of once per file.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .checks.base import SchemaCheck
from .definition import FieldSpec, FormDefinition
from .grid import sheet_ref
from .locate import Extraction, FieldValue


def _specs(definition: FormDefinition) -> dict[str, FieldSpec]:
    specs = {f"fields.{key}": spec for key, spec in definition.fields.items()}
    for table_id, table in definition.tables.items():
        specs.update({f"{table_id}.{column.key}": column for column in table.columns})
    return specs


def _code_check(check: SchemaCheck) -> pa.Check:
    def valid(frame: pd.DataFrame) -> pd.Series:
        results = [
            not check.applies(spec) or check.element_ok(spec, value)
            for spec, value in zip(frame["spec"].to_numpy(), frame["value"].to_numpy(), strict=True)
        ]
        return pd.Series(results, index=frame.index, dtype=bool)

    return pa.Check(valid, name=check.code, error=check.code)


_SCHEMAS: dict[tuple[str, str, tuple[str, ...]], pa.DataFrameSchema] = {}


def cell_schema(definition: FormDefinition, codes: tuple[str, ...]) -> pa.DataFrameSchema:
    """The schema of a form's cells for the given schema-check codes (built once per form version)."""
    from .checks import BY_CODE

    key = (definition.id, definition.version, codes)
    if key in _SCHEMAS:
        return _SCHEMAS[key]
    specs = _specs(definition)
    _SCHEMAS[key] = pa.DataFrameSchema(
        {
            "key": pa.Column(str, pa.Check.isin(list(specs))),
            "excel_row": pa.Column(int, pa.Check.ge(1)),
            "value": pa.Column(object, nullable=True),
            "spec": pa.Column(object),
        },
        checks=[_code_check(BY_CODE[code]()) for code in codes],
        name=definition.id,
    )
    return _SCHEMAS[key]


def typed_cells(extraction: Extraction) -> dict[str, tuple[str, FieldValue]]:
    """Every typed cell of the form by its sheet-qualified address, with its definition key; output cells (ours) and
    unlocated fields left out."""
    cells: dict[str, tuple[str, FieldValue]] = {}
    for key, value in extraction.fields.items():
        if value.ref is not None and not value.spec.output:
            cells[sheet_ref(value.ref.sheet, value.ref.a1)] = (f"fields.{key}", value)
    for table_id, table in extraction.tables.items():
        for row in table.rows:
            for key, value in row.cells.items():
                if value.ref is not None and not value.spec.output:
                    cells.setdefault(sheet_ref(value.ref.sheet, value.ref.a1), (f"{table_id}.{key}", value))
    return cells


def cell_frame(extractions: list[Extraction]) -> tuple[pd.DataFrame, list[tuple[int, FieldValue]]]:
    """The typed cells of several extractions in one frame, indexed ``n!address`` (n: the extraction's position),
    built once from plain lists; beside it, each row's extraction and cell."""
    index, keys, rows, values, specs, owners = [], [], [], [], [], []
    for n, extraction in enumerate(extractions):
        for address, (key, value) in typed_cells(extraction).items():
            index.append(f"{n}!{address}")
            keys.append(key)
            rows.append(value.ref.excel_row if value.ref else 0)
            values.append(value.typed)
            specs.append(
                value.spec
            )  # the cell's own spec: a row may refine its column's (a 加减分 score may be negative)
            owners.append((n, value))
    frame = pd.DataFrame(
        {
            "key": keys,
            "excel_row": rows,
            "value": pd.Series(values, dtype=object),
            "spec": pd.Series(specs, dtype=object),
        }
    )
    frame.index = pd.Index(index, name="cell")
    return frame, owners


def schema_codes(definition: FormDefinition) -> tuple[str, ...]:
    """The codes of the schema checks a form switches on, in the order schemas are cached by."""
    from .checks import schema_checks

    return tuple(sorted(c.code for c in schema_checks(definition)))


def schema_failures(extractions: list[Extraction]) -> list[dict[str, list[FieldValue]]]:
    """Validate every cell of every extraction lazily with its form's active schema checks, one pandera call per
    form; for each extraction, its failing cells grouped by check code."""
    results: list[dict[str, list[FieldValue]]] = [{} for _ in extractions]
    groups: dict[tuple[str, str, tuple[str, ...]], list[int]] = {}
    for i, extraction in enumerate(extractions):
        codes = schema_codes(extraction.definition)
        groups.setdefault((extraction.definition.id, extraction.definition.version, codes), []).append(i)
    for (_, _, codes), members in groups.items():
        frame, owners = cell_frame([extractions[i] for i in members])
        position = {address: row for row, address in enumerate(frame.index)}
        try:
            cell_schema(extractions[members[0]].definition, codes).validate(frame, lazy=True)
        except SchemaErrors as errors:
            for case in errors.failure_cases.itertuples():
                if case.check in codes and str(case.index) in position:
                    n, value = owners[position[str(case.index)]]
                    results[members[n]].setdefault(str(case.check), []).append(value)
    return results
