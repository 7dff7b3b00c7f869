"""pandera schemas generated from a form definition: types, ranges, required values, one row per cell.

The frame holds every typed field and table cell in long form, one row per cell, with the Excel row, the definition
key and the cell's field spec beside it; a failing row's position leads back to its cell. One DataFrame-level check
per catalogue code keeps pandera to a single validate per workbook. A batch validates the cells of many workbooks,
whatever their forms, in a single call: each row carries the codes its form switches on, so pandera's fixed cost per
validate (several ms) is paid once per chunk, not once per file or per form.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from .checks.base import SchemaCheck
from .definition import FormDefinition
from .locate import Extraction, FieldValue, typed_cells


def _keys(definition: FormDefinition) -> list[str]:
    """The definition keys of a form's cells: ``fields.budget``, ``indicators.score``…"""
    keys = [f"fields.{key}" for key in definition.fields]
    for table_id, table in definition.tables.items():
        keys.extend(f"{table_id}.{column.key}" for column in table.columns)
    return keys


def _code_check(check: SchemaCheck) -> pa.Check:
    def valid(frame: pd.DataFrame) -> pd.Series:
        # Whether the check applies to a spec is asked once per distinct spec (a form has a few dozen for hundreds of
        # cells), whether a form switches it on once per form (forms may share specs); the element test runs only on
        # the rows both select.
        specs, values, codes = (frame[name].to_numpy() for name in ("spec", "value", "codes"))
        spec_no, form_no = frame["spec_no"].to_numpy(), frame["form_no"].to_numpy()
        numbers, first = np.unique(spec_no, return_index=True)
        applying = numbers[np.array([check.applies(specs[i]) for i in first], dtype=bool)]
        forms, first = np.unique(form_no, return_index=True)
        switching = forms[np.array([check.code in codes[i] for i in first], dtype=bool)]
        rows = np.flatnonzero(np.isin(spec_no, applying) & np.isin(form_no, switching)).tolist()
        results = np.ones(len(frame), dtype=bool)
        results[rows] = [check.element_ok(specs[i], values[i]) for i in rows]
        return pd.Series(results, index=frame.index, dtype=bool)

    # Every row has a key and a row number, so no row is all null: pandera's pass for such rows (ignore_na), a
    # null scan of the whole frame per check, would find none.
    return pa.Check(valid, name=check.code, error=check.code, ignore_na=False)


_SCHEMAS: dict[tuple[tuple[str, str, tuple[str, ...]], ...], pa.DataFrameSchema] = {}


def cell_schema(forms: list[tuple[FormDefinition, tuple[str, ...]]]) -> pa.DataFrameSchema:
    """The schema of the cells of some forms, each given with the schema codes it switches on (built once per set of
    form versions and codes): every key one of theirs, every code one of them switches on run on the rows of the
    forms that switch it on (see ``cell_frame``)."""
    from .checks import BY_CODE

    key = tuple(sorted({(definition.id, definition.version, codes) for definition, codes in forms}))
    if key in _SCHEMAS:
        return _SCHEMAS[key]
    keys = sorted({k for definition, _ in forms for k in _keys(definition)})
    codes = sorted({code for _, _, form_codes in key for code in form_codes})
    _SCHEMAS[key] = pa.DataFrameSchema(
        {
            "key": pa.Column(str, pa.Check.isin(keys)),
            "excel_row": pa.Column(int, pa.Check.ge(1)),
            "value": pa.Column(object, nullable=True),
            "spec": pa.Column(object),
            "spec_no": pa.Column(int),
            "codes": pa.Column(object),
            "form_no": pa.Column(int),
        },
        checks=[_code_check(BY_CODE[code]()) for code in codes],
        name="+".join(sorted({f"{form_id}@{version}" for form_id, version, _ in key})),
    )
    return _SCHEMAS[key]


def cell_frame(
    extractions: list[Extraction], switched_on: list[tuple[str, ...]]
) -> tuple[pd.DataFrame, list[tuple[int, FieldValue]]]:
    """The typed cells of several extractions in one frame, built once from plain lists, each row with the schema
    codes its form switches on (``switched_on``, by extraction) and numbers for its spec and its set of codes; beside
    it, for each row of the frame, the extraction's position and the cell."""
    keys, rows, values, specs, spec_nos, codes, form_nos, owners = [], [], [], [], [], [], [], []
    numbers: dict[int, int] = {}  # a number for each distinct spec, by id(): the checks ask about each spec once
    forms: dict[tuple[str, ...], int] = {}  # a number for each distinct set of codes
    for n, (extraction, form_codes) in enumerate(zip(extractions, switched_on, strict=True)):
        form_no = forms.setdefault(form_codes, len(forms))
        for key, value in typed_cells(extraction):
            spec = value.spec  # the cell's own spec: a row may refine its column's (a 加减分 score may be < 0)
            keys.append(key)
            rows.append(value.ref.excel_row if value.ref else 0)
            values.append(value.typed)
            specs.append(spec)
            spec_nos.append(numbers.setdefault(id(spec), len(numbers)))
            codes.append(form_codes)
            form_nos.append(form_no)
            owners.append((n, value))
    frame = pd.DataFrame(
        {
            "key": pd.Series(keys, dtype=str),
            "excel_row": pd.Series(rows, dtype="int64"),
            "value": pd.Series(values, dtype=object),
            "spec": pd.Series(specs, dtype=object),
            "spec_no": pd.Series(spec_nos, dtype="int64"),
            "codes": pd.Series(codes, dtype=object),
            "form_no": pd.Series(form_nos, dtype="int64"),
        }
    )
    return frame, owners


def schema_codes(definition: FormDefinition) -> tuple[str, ...]:
    """The codes of the schema checks a form switches on, in the order schemas are cached by."""
    from .checks import schema_checks

    return tuple(sorted(c.code for c in schema_checks(definition)))


def schema_failures(extractions: list[Extraction]) -> list[dict[str, list[FieldValue]]]:
    """Validate every cell of every extraction lazily with its form's active schema checks, all forms in one pandera
    call; for each extraction, its failing cells grouped by check code."""
    results: list[dict[str, list[FieldValue]]] = [{} for _ in extractions]
    if not extractions:
        return results
    forms = {id(e.definition): (e.definition, schema_codes(e.definition)) for e in extractions}  # once per form
    switched_on = [forms[id(e.definition)][1] for e in extractions]
    frame, owners = cell_frame(extractions, switched_on)
    try:
        cell_schema(list(forms.values())).validate(frame, lazy=True)
    except SchemaErrors as errors:
        for check, row in zip(errors.failure_cases["check"], errors.failure_cases["index"], strict=True):
            if isinstance(row, int | np.integer):
                n, value = owners[int(row)]
                if check in switched_on[n]:
                    results[n].setdefault(str(check), []).append(value)
    return results
