"""Legacy .xls workbooks (Excel 97-2003, what old templates and 兼容模式 save): read with xlrd, checked as their
.xlsx would be, and never annotated (no library writes .xls)."""

from __future__ import annotations

import json
import shutil
from datetime import datetime
from pathlib import Path

import pytest
import xlrd
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from perfeval_xl.batch import run_batch
from perfeval_xl.cli import main
from perfeval_xl.reader import read_workbook
from perfeval_xl.service import check_path

from .conftest import GUANGZHOU_OFFICIAL, XIANGYANG, XIANGYANG_OFFICIAL, clean_data
from .libreoffice import convert, needs_libreoffice


@pytest.fixture(scope="module")
def saved_as(tmp_path_factory):
    """Each example saved by LibreOffice as .xls and as .xlsx (formulas calculated in both)."""
    work = tmp_path_factory.mktemp("xls")

    def save(source: Path, suffix: str) -> Path:
        return convert(source, work / f"{source.stem}-{suffix}", suffix)

    return save


@needs_libreoffice
@pytest.mark.parametrize("source", [XIANGYANG, XIANGYANG_OFFICIAL, GUANGZHOU_OFFICIAL], ids=lambda p: p.stem)
def test_an_xls_is_checked_as_its_xlsx(saved_as, source):
    """It was refused (“旧版 .xls 格式暂不支持”) and the unit asked to save it again before anything was checked."""
    legacy, current = check_path(saved_as(source, "xls")), check_path(saved_as(source, "xlsx"))
    assert [(f.code, f.cell, f.message()) for f in legacy.findings] == [
        (f.code, f.cell, f.message()) for f in current.findings
    ]
    assert (legacy.unit, legacy.scores.total, legacy.scores.reported_total) == (
        current.unit,
        current.scores.total,
        current.scores.reported_total,
    )


@needs_libreoffice
def test_an_xls_grid_holds_what_the_unit_sees(saved_as):
    legacy, current = read_workbook(saved_as(XIANGYANG, "xls")), read_workbook(saved_as(XIANGYANG, "xlsx"))
    assert legacy.meta == current.meta  # the template's hidden sheet: the form is known, not guessed
    for name, sheet in current.sheets.items():
        other = legacy.sheets[name]
        assert sorted(other.merged) == sorted(sheet.merged) and other.visible == sheet.visible
        for r in range(sheet.height):
            for c in range(sheet.width):
                assert other.value(r, c) == sheet.value(r, c), (name, r, c)  # percentages shown as 96.5%


@needs_libreoffice
def test_an_xls_is_checked_but_not_annotated(tmp_path, saved_as):
    legacy = tmp_path / "单位.xls"
    shutil.copy(saved_as(XIANGYANG_OFFICIAL, "xls"), legacy)
    result = CliRunner().invoke(main, ["check", str(legacy), "--annotate", str(tmp_path / "out"), "--format", "json"])
    assert result.exit_code == 2
    [row] = json.loads(result.stdout)
    assert row["status"] == "warning" and row["unit"] == "襄阳市科学技术协会"
    assert "旧版 .xls 工作簿无法写批注副本" in row["annotation_error"]
    assert not (tmp_path / "out" / "单位.xls").exists()


@needs_libreoffice
def test_a_batch_checks_an_xls_with_the_others(tmp_path, saved_as):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    shutil.copy(saved_as(XIANGYANG_OFFICIAL, "xls"), inbox / "旧格式.xls")
    shutil.copy(XIANGYANG, inbox / "新格式.xlsx")
    result = run_batch(inbox, tmp_path / "out", jobs=1)
    assert (result.total, result.unreadable) == (2, 0)
    # run again: the .xls, which can have no annotated copy, is taken unchanged, as the others are (it was checked
    # again on every run, for want of a copy)
    assert run_batch(inbox, tmp_path / "out", jobs=1).reused == 2


def test_a_cell_under_a_builtin_format_xlrd_has_no_text_for_is_read():
    """xlrd knows the built-in formats 27-36 (the East Asian date formats Chinese Excel uses, such as yyyy年m月) by
    number only, with no format string: a cell under one made the percentage test raise TypeError."""
    from types import SimpleNamespace

    from xlrd.formatting import Format
    from xlrd.sheet import Cell

    from perfeval_xl.reader import _xls_cells

    book = SimpleNamespace(
        xf_list=[SimpleNamespace(format_key=31), SimpleNamespace(format_key=10)],
        format_map={31: Format(31, 0, None), 10: Format(10, 0, "0.00%")},
        datemode=0,
    )
    sheet = SimpleNamespace(
        nrows=1, row=lambda r: [Cell(xlrd.XL_CELL_NUMBER, 3.0, 0), Cell(xlrd.XL_CELL_NUMBER, 0.965, 1)]
    )
    assert _xls_cells(book, sheet) == [[3.0, "96.5%"]]


def test_an_encrypted_xls_is_said_to_be(tmp_path, monkeypatch):
    def encrypted(**kwargs):
        raise xlrd.XLRDError("Workbook is encrypted")

    monkeypatch.setattr(xlrd, "open_workbook", encrypted)
    path = tmp_path / "加密.xls"
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504 + "Workbook".encode("utf-16-le"))
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2 and "工作簿已加密" in result.output


@needs_libreoffice
def test_rows_and_columns_hidden_in_an_xls_are_said_as_in_its_xlsx(tmp_path):
    """PE111 from xlrd's row and column records, as from the .xlsx XML."""
    source = tmp_path / "hidden.xlsx"
    shutil.copy(XIANGYANG, source)
    first, row = (check_path(source).extraction.tables["indicators"].rows[i] for i in (0, 2))
    book = load_workbook(source)
    sheet = book[row.ref("name").sheet]
    sheet.row_dimensions[row.excel_row].hidden = True
    sheet.column_dimensions[get_column_letter(row.ref("target").col + 1)].hidden = True
    book.save(source)
    legacy, current = (check_path(convert(source, tmp_path / suffix, suffix)) for suffix in ("xls", "xlsx"))
    hidden = [(f.cell, f.message()) for f in current.findings if f.code == "PE111"]
    assert {row.ref("level1").a1, first.ref("target").a1} <= {cell for cell, _ in hidden}  # said at the first cell
    assert [(f.cell, f.message()) for f in legacy.findings if f.code == "PE111"] == hidden


@needs_libreoffice
def test_a_date_shown_without_its_year_reads_in_an_xls_as_in_its_xlsx(tmp_path, make_book):
    source = make_book(clean_data(), {"rows": {0: {"target": "12月底前", "direction": ""}}})
    ref = check_path(source).extraction.tables["indicators"].rows[0].ref("actual")
    book = load_workbook(source)
    book[ref.sheet][ref.a1] = datetime(2022, 11, 20)
    book[ref.sheet][ref.a1].number_format = 'm"月"d"日"'
    book.save(source)
    legacy = check_path(convert(source, tmp_path / "xls", "xls")).scores.indicators[0]
    assert (legacy.actual.raw, legacy.met) == ("11月20日", True)


@needs_libreoffice
def test_a_wps_et_holding_a_biff_workbook_is_checked_as_an_xls(tmp_path, saved_as):
    """WPS writes its .et as a compound file whose Workbook stream is BIFF8, as an .xls (public analyses of the format
    read it as one; no WPS file was at hand to confirm): it was refused (“WPS 表格 .et 格式暂不支持”) though its
    content reads as the .xls does. Its annotated copy is refused in WPS's words; an .et that is not BIFF keeps the
    request to save as .xlsx (tests/test_reader.py)."""
    et = tmp_path / "单位.et"
    shutil.copy(saved_as(XIANGYANG_OFFICIAL, "xls"), et)
    legacy = check_path(saved_as(XIANGYANG_OFFICIAL, "xls"))
    assert [(f.code, f.cell) for f in check_path(et).findings] == [(f.code, f.cell) for f in legacy.findings]
    result = CliRunner().invoke(main, ["check", str(et), "--annotate", str(tmp_path / "out"), "--format", "json"])
    [row] = json.loads(result.stdout)
    assert row["unit"] == "襄阳市科学技术协会" and "WPS .et 工作簿无法写批注副本" in row["annotation_error"]
