"""pandera schemas generated from a form definition: types, ranges, required values, indexed by Excel row."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .checks.base import SchemaCheck
from .definition import FieldSpec
from .locate import Extraction, FieldValue


def _schema(specs: list[FieldSpec], checks: list[SchemaCheck], name: str) -> pa.DataFrameSchema:
    columns = {}
    for spec in specs:
        column_checks = [
            pa.Check(
                lambda value, check=check, spec=spec: check.element_ok(spec, value),
                element_wise=True,
                name=check.code,
                error=check.code,
            )
            for check in checks
            if check.applies(spec)
        ]
        columns[spec.key] = pa.Column(object, checks=column_checks, nullable=True, required=False)
    return pa.DataFrameSchema(columns, name=name, coerce=False)


def _failures(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[tuple[str, str, object]]:
    try:
        schema.validate(frame, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases
        return [(str(c.check), str(c.column), c.index) for c in cases.itertuples() if c.index is not None]
    return []


def schema_failures(extraction: Extraction, checks: list[SchemaCheck]) -> dict[str, list[FieldValue]]:
    """Validate the header fields (one row) and every table (indexed by Excel row); group failures by code."""
    by_code: dict[str, list[FieldValue]] = {}
    fields = {k: v for k, v in extraction.fields.items() if not v.spec.output}
    field_frame = pd.DataFrame({k: [v.typed] for k, v in fields.items()}, dtype=object)
    for code, column, _ in _failures(field_frame, _schema([v.spec for v in fields.values()], checks, "fields")):
        by_code.setdefault(code, []).append(fields[column])
    for table_id, table in extraction.tables.items():
        specs = [c for c in table.spec.columns if c.key in table.columns and not c.output]
        rows = {row.excel_row: row for row in table.rows}
        frame = pd.DataFrame(
            {spec.key: [row.raw(spec.key) for row in table.rows] for spec in specs},
            index=pd.Index(list(rows), name="excel_row"),
            dtype=object,
        )
        for code, column, index in _failures(frame, _schema(specs, checks, table_id)):
            by_code.setdefault(code, []).append(rows[int(index)].cells[column])
    return by_code
