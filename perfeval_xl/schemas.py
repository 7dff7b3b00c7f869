"""pandera schemas generated from a form definition: types, ranges, required values, one row per cell.

The frame holds every typed field and table cell in long form, one row per cell, with the Excel row, the definition
key and the cell's field spec beside it; a failing row's position leads back to its cell. One DataFrame-level check
per catalogue code keeps pandera to a single validate per workbook, and a batch validates the frames of many
workbooks of one form in a single call: pandera's fixed cost of ~10 ms per validate is then paid once per chunk
instead of once per file.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .checks.base import SchemaCheck
from .definition import FieldSpec, FormDefinition
from .locate import Extraction, FieldValue


def _specs(definition: FormDefinition) -> dict[str, FieldSpec]:
    specs = {f"fields.{key}": spec for key, spec in definition.fields.items()}
    for table_id, table in definition.tables.items():
        specs.update({f"{table_id}.{column.key}": column for column in table.columns})
    return specs


def _code_check(check: SchemaCheck) -> pa.Check:
    def valid(frame: pd.DataFrame) -> pd.Series:
        applies: dict[int, bool] = {}  # by id(spec): a form has a few dozen specs for hundreds of cells
        results = []
        for spec, value in zip(frame["spec"].to_numpy(), frame["value"].to_numpy(), strict=True):
            known = applies.get(id(spec))
            if known is None:
                known = applies[id(spec)] = check.applies(spec)
            results.append(not known or check.element_ok(spec, value))
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


def typed_cells(extraction: Extraction) -> list[tuple[str, FieldValue]]:
    """Every typed cell of the form once, with its definition key; output cells (ours) and unlocated fields left out
    (a cell two keys read is validated as the first)."""
    cells: dict[tuple[str, int, int], tuple[str, FieldValue]] = {}
    for key, value in extraction.fields.items():
        if value.ref is not None and not value.spec.output:
            cells[(value.ref.sheet, value.ref.row, value.ref.col)] = (f"fields.{key}", value)
    for table_id, table in extraction.tables.items():
        for row in table.rows:
            for key, value in row.cells.items():
                if value.ref is not None and not value.spec.output:
                    cells.setdefault((value.ref.sheet, value.ref.row, value.ref.col), (f"{table_id}.{key}", value))
    return list(cells.values())


def cell_frame(extractions: list[Extraction]) -> tuple[pd.DataFrame, list[tuple[int, FieldValue]]]:
    """The typed cells of several extractions in one frame, built once from plain lists; beside it, for each row of
    the frame, the extraction's position and the cell."""
    keys, rows, values, specs, owners = [], [], [], [], []
    for n, extraction in enumerate(extractions):
        for key, value in typed_cells(extraction):
            keys.append(key)
            rows.append(value.ref.excel_row if value.ref else 0)
            values.append(value.typed)
            specs.append(
                value.spec
            )  # the cell's own spec: a row may refine its column's (a 加减分 score may be negative)
            owners.append((n, value))
    frame = pd.DataFrame(
        {
            "key": pd.Series(keys, dtype=str),
            "excel_row": pd.Series(rows, dtype="int64"),
            "value": pd.Series(values, dtype=object),
            "spec": pd.Series(specs, dtype=object),
        }
    )
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
        try:
            cell_schema(extractions[members[0]].definition, codes).validate(frame, lazy=True)
        except SchemaErrors as errors:
            for check, row in zip(errors.failure_cases["check"], errors.failure_cases["index"], strict=True):
                if check in codes and isinstance(row, int | np.integer):
                    n, value = owners[int(row)]
                    results[members[n]].setdefault(str(check), []).append(value)
    return results
