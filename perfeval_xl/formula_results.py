"""Formula results carried from a calculated workbook into the copy openpyxl saves, which writes formulas without."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable

from openpyxl.utils.cell import get_column_letter, range_boundaries
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.workbook import Workbook

from .formula_refs import Area, formula_areas, reads_any
from .reader import CELL_TAG, F_ELEMENT, RESULTS_CARRIED, V_ELEMENT, calculated, sheet_parts, with_references

# A formula and its cached result (<f>SUM(B1:B4)</f><v>12</v>, <f t="shared" si="0"/><v>3</v>), the value as written.
_RESULT = re.compile(F_ELEMENT + rb"\s*" + V_ELEMENT)
_TYPE = re.compile(rb'\bt="(\w+)"')
# A formula cell as openpyxl writes it: no type attribute, the formula, an empty value.
_SAVED_FORMULA = re.compile(rb'<c r="([A-Z]+\d+)"([^>]*)>(<f\b[^>]*?(?:/>|>.*?</f>))<v\s*(?:/>|></v>)</c>', re.S)

Results = dict[str, dict[str, tuple[bytes | None, bytes]]]  # sheet → cell → (its t="…", its <v> as written)


def cached_results(archive: zipfile.ZipFile) -> Results:
    """Each formula cell's cached result by sheet, in a workbook a spreadsheet calculated; none in one written by a
    library, whose cached results are missing or 0. Found in the parts' bytes, as the reader finds formula cells."""
    if not calculated(archive):
        return {}
    results: Results = {}
    for name, part in sheet_parts(archive):
        found = results.setdefault(name, {})
        xml = with_references(archive.read(part))  # a reference is optional in a cell, and a program may omit it
        for result in _RESULT.finditer(xml):
            start = xml.rfind(b"<", 0, result.start())
            cell = CELL_TAG.match(xml, start, result.start()) if start >= 0 else None
            if cell:
                kind = _TYPE.search(cell[0])
                found[(cell[1] + cell[2]).decode()] = (kind[1] if kind else None, result[1])
    return results


def unchanged_formulas(book: Workbook, written: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """The formula cells of ``book`` by sheet whose result writing ``written`` (sheet, A1) cannot have changed: those
    reading none of them, directly or through another formula."""
    formulas: dict[tuple[str, int, int], list[Area] | None] = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    text = cell.value if isinstance(cell.value, str) else getattr(cell.value, "text", None)
                    formulas[(ws.title.casefold(), cell.column, cell.row)] = formula_areas(text or "", ws.title)
    changed = set()
    for sheet, a1 in written:
        col, row, _, _ = range_boundaries(a1)
        changed.add((sheet.casefold(), col, row))
    stale: set[tuple[str, int, int]] = set()
    while True:
        newly = {
            cell
            for cell, areas in formulas.items()
            if cell not in stale and changed and (areas is None or reads_any(areas, changed))
        }
        if not newly:
            break
        stale |= newly
        changed = newly
    titles = {ws.title.casefold(): ws.title for ws in book.worksheets}
    unchanged: dict[str, set[str]] = {}
    for sheet, col, row in formulas.keys() - stale:
        unchanged.setdefault(titles[sheet], set()).add(f"{get_column_letter(col)}{row}")
    return unchanged


def mark_carried(book: Workbook) -> None:
    """Say in ``book`` that the copy about to be saved carries its original's results: a hidden defined name our
    reader trusts them by. The copy still asks for a full recalculation on load (openpyxl's fullCalcOnLoad), so a
    spreadsheet honouring the flag computes the formulas whose results were not carried, and the others anew."""
    book.defined_names[RESULTS_CARRIED] = DefinedName(RESULTS_CARRIED, attr_text="TRUE", hidden=True)
    book.calculation.fullCalcOnLoad = True


def restoring(saved: bytes, results: Results, keep: dict[str, set[str]]) -> Callable[[str, bytes], bytes]:
    """The change (see ``package_parts.rewrite_parts``) that gives the formula cells in ``keep`` of the workbook
    openpyxl saved back their cached ``results``."""
    with zipfile.ZipFile(io.BytesIO(saved)) as source:
        sheets = {part: name for name, part in sheet_parts(source)}

    def restore(part: str, xml: bytes) -> bytes:
        name = sheets.get(part)
        if name is not None and results.get(name) and keep.get(name):
            return _restore(xml, results[name], keep[name])
        return xml

    return restore


def _restore(xml: bytes, results: dict[str, tuple[bytes | None, bytes]], keep: set[str]) -> bytes:
    def put(match: re.Match[bytes]) -> bytes:
        ref = match[1].decode()
        if ref not in keep or ref not in results:
            return match[0]
        kind, value = results[ref]
        typed = b' t="%s"' % kind if kind in (b"str", b"b", b"e") else b""
        return b'<c r="%s"%s%s>%s<v>%s</v></c>' % (match[1], match[2], typed, match[3], value)

    return _SAVED_FORMULA.sub(put, xml)
