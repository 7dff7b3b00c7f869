"""Workbooks mangled as units and exporters mangle them: every one is checked or said unreadable in one line, and
its annotated copy is written or refused in one line; never an internal error. The mutations are random with fixed
seeds, so a failure here is reproducible: the test names the seed and the file."""

from __future__ import annotations

import datetime
import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.worksheet.cell_range import CellRange

from perfeval_xl.plan import build_plan
from perfeval_xl.reader import UnreadableInput
from perfeval_xl.service import check_path
from perfeval_xl.wordreport import write_report
from perfeval_xl.writeback import CannotAnnotate, annotate_file

from .conftest import ROOT

SOURCES = sorted((ROOT / "examples").glob("*.xlsx")) + sorted((ROOT / "workbook_templates").glob("*.xls*"))
# What units type into cells, the odd and the usual.
TYPED: list[Any] = [
    "90%以上", "≥95%", "", None, 0, -5, 1e12, 3.14159, "#DIV/0!", "=1/0", "=A1", True, False,
    datetime.datetime(2023, 7, 8), datetime.date(2021, 1, 1), "x" * 3000, "  ", "１２３", "1:1", "8/8",
    "=SUM(1,2)", "完成", "二〇二三年", 2023, "１００％", "-", "/", "无", "\n", "≤", "%", "1,234.56", "（1）",
    "①", "100%-", "约", "万元", '="text"', "#N/A", "#REF!",
]  # fmt: skip
FILES_PER_SEED = 8


def _typed(rng: random.Random, sheet: Any, row: int, col: int) -> None:
    cell = sheet.cell(row, col)
    if not isinstance(cell, MergedCell):
        cell.value = rng.choice(TYPED)


def _row_copied(rng: random.Random, sheet: Any, row: int, col: int) -> None:
    """A row inserted below another and its values pasted into it, as a unit adds an indicator."""
    sheet.insert_rows(row + 1)
    for c in range(1, sheet.max_column + 1):
        above, below = sheet.cell(row, c), sheet.cell(row + 1, c)
        if not isinstance(above, MergedCell) and not isinstance(below, MergedCell):
            below.value = above.value


def _merged(rng: random.Random, sheet: Any, row: int, col: int) -> None:
    merge = CellRange(min_row=row, min_col=col, max_row=row + rng.randint(0, 2), max_col=col + rng.randint(0, 2))
    if all(merge.isdisjoint(other) for other in sheet.merged_cells.ranges):  # Excel has no overlapping merges
        sheet.merge_cells(merge.coord)


def _unmerged(rng: random.Random, sheet: Any, row: int, col: int) -> None:
    """A merge undone, as the file records it (openpyxl's own unmerge fails on a range it shifted itself)."""
    if sheet.merged_cells.ranges:
        sheet.merged_cells.remove(rng.choice(sorted(sheet.merged_cells.ranges, key=str)))


EDITS: list[Callable[[random.Random, Any, int, int], None]] = [
    _typed,
    _typed,
    _typed,
    _row_copied,
    _merged,
    _unmerged,
    lambda rng, sheet, row, col: sheet.insert_rows(row, rng.randint(1, 3)),
    lambda rng, sheet, row, col: sheet.delete_rows(row, rng.randint(1, 2)),
    lambda rng, sheet, row, col: sheet.insert_cols(col),
    lambda rng, sheet, row, col: setattr(sheet.row_dimensions[row], "hidden", True),
]


def _edited(rng: random.Random, source: Path, path: Path) -> Path:
    """``source`` after up to 30 edits a unit might make, saved to ``path``."""
    book = load_workbook(source)
    for _ in range(rng.randint(1, 30)):
        sheet = rng.choice(book.worksheets)
        row, col = rng.randint(1, max(sheet.max_row, 1)), rng.randint(1, max(sheet.max_column, 1))
        rng.choice(EDITS)(rng, sheet, row, col)
    book.save(path)
    return path


# What an exporter gets wrong in a package's XML: each a part's text changed.
BROKEN: list[Callable[[random.Random, str], str]] = [
    lambda rng, xml: xml[: (at := rng.randrange(len(xml)))] + xml[at + rng.randint(1, 200) :],
    lambda rng, xml: re.sub(r' r="[A-Z]+\d+"', lambda m: rng.choice([' r="A0"', ' r="ZZZZ1"', ' r=""', m[0]]), xml),
    lambda rng, xml: re.sub(
        r"<v>[^<]*</v>", lambda m: rng.choice(["<v></v>", "<v>abc</v>", "<v>1e400</v>", m[0]]), xml
    ),
    lambda rng, xml: re.sub(r' t="[a-z]+"', lambda m: rng.choice([' t="s"', ' t="e"', ' t="b"', ' t="zz"', m[0]]), xml),
    lambda rng, xml: re.sub(r' s="\d+"', lambda m: rng.choice([' s="9999"', m[0]]), xml),
    lambda rng, xml: xml.replace('<mergeCell ref="', '<mergeCell ref="' + rng.choice(["A1:", "Z", ""]), 2),
    lambda rng, xml: re.sub(r"<f>([^<]*)</f>", lambda m: rng.choice(["<f></f>", f"<f>{m[1]}+</f>", m[0]]), xml),
]


def _exported(rng: random.Random, source: Path, path: Path) -> Path:
    """``source`` with one XML part broken as an exporter breaks it, or left out."""
    with zipfile.ZipFile(source) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    name = rng.choice(sorted(p for p in parts if p.endswith((".xml", ".rels"))))
    if rng.random() < 0.1:
        del parts[name]
    else:
        parts[name] = rng.choice(BROKEN)(rng, parts[name].decode("utf-8")).encode("utf-8")
    with zipfile.ZipFile(path.with_suffix(source.suffix), "w") as archive:
        for part, data in parts.items():
            archive.writestr(part, data)
    return path.with_suffix(source.suffix)


@pytest.mark.parametrize("mangle", [_edited, _exported], ids=["edited-by-units", "broken-by-exporters"])
@pytest.mark.parametrize("seed", [1, 2])
def test_a_mangled_workbook_is_checked_or_refused_in_one_line(tmp_path, mangle, seed):
    rng = random.Random(seed)
    for n in range(FILES_PER_SEED):
        source = rng.choice(SOURCES)
        path = mangle(rng, source, tmp_path / f"{n}.xlsx")
        try:
            evaluation = check_path(path)
        except UnreadableInput as exc:
            assert "\n" not in exc.text("zh"), (seed, n, source.name)
            continue
        try:
            copy = annotate_file(path, build_plan(evaluation), tmp_path / "copies" / path.name).path
        except CannotAnnotate as exc:
            assert "\n" not in exc.text("zh"), (seed, n, source.name)
        else:
            assert check_path(copy).findings == evaluation.findings, (seed, n, source.name)
        write_report(evaluation, tmp_path / f"{n}.docx")
