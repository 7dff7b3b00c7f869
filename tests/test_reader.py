"""Reading what units actually send: hand layouts, inserted rows and columns, and input that is not a workbook."""

import json
import re
import subprocess
import sys
import zipfile
from datetime import datetime, time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils.cell import coordinate_from_string

from perfeval_xl import excel
from perfeval_xl.cli import main
from perfeval_xl.definition import load_form
from perfeval_xl.engine import evaluate
from perfeval_xl.reader import UnreadableInput, _formula_cells, _sheet_parts, read_workbook
from perfeval_xl.report import result_dict
from perfeval_xl.service import check_grid, check_path
from perfeval_xl.template import build_template

from .conftest import (
    EXAMPLES,
    GUANGZHOU,
    GUANGZHOU_OFFICIAL,
    HEBEI,
    TAOJIANG,
    TAOJIANG_OFFICIAL,
    XIANGYANG,
    XIANGYANG_OFFICIAL,
    YUEYANG,
    calculated,
    clean_data,
    insert_rows,
)
from .xlwings_standin import FakeBook


def _encrypted(path: Path) -> None:
    # An OLE compound file as Excel writes for a password-protected workbook (the streams are named in UTF-16).
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504 + "EncryptedPackage".encode("utf-16-le"))


def _legacy_xls(path: Path) -> None:
    path.write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504 + "Workbook".encode("utf-16-le"))


def _binary_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")


def _open_document(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")


def _truncated(path: Path) -> None:
    path.write_bytes(XIANGYANG.read_bytes()[:3000])


def _random_bytes(path: Path) -> None:
    path.write_bytes(bytes(range(256)) * 8)


def _empty_workbook(path: Path) -> None:
    Workbook().save(path)


def _other_form(path: Path) -> None:
    book = Workbook()
    book.active.append(["项目名称", "金额"])
    book.active.append(["办公楼维修", 12.5])
    book.save(path)


def _html_export(path: Path) -> None:
    # What budget systems export as "xls": a web page holding a table, which Excel opens with a warning.
    path.write_bytes(
        "\ufeff<html><head><meta charset='utf-8'></head><body><table><tr><td>部门整体支出总额</td></tr>"
        "</table></body></html>".encode()
    )


def _xml_2003(path: Path) -> None:
    path.write_bytes(b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>')


def _zip_not_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")


BAD_INPUTS = {  # how to make it, what the message says, the file's suffix
    "random bytes": (_random_bytes, "不是 Excel 工作簿", ".xlsx"),
    "truncated": (_truncated, "损坏或不完整", ".xlsx"),
    "encrypted": (_encrypted, "已加密", ".xlsx"),
    "damaged xls": (_legacy_xls, "旧版 .xls 工作簿无法读取（文件可能已损坏）", ".xls"),
    "wps et": (_legacy_xls, "WPS 表格 .et 格式暂不支持，请在 WPS 中另存为 .xlsx", ".et"),
    "binary xlsb": (_binary_workbook, "Excel 二进制工作簿（.xlsb）暂不支持", ".xlsb"),
    "opendocument ods": (_open_document, "OpenDocument 表格（.ods）暂不支持", ".ods"),
    "empty workbook": (_empty_workbook, "空的", ".xlsx"),
    "another form": (_other_form, "未识别", ".xlsx"),
    "zip of something else": (_zip_not_workbook, "不是 Excel 工作簿（压缩包内没有 xl/workbook.xml）", ".xlsx"),
    "html export": (_html_export, "网页（HTML）格式的表格，请在 Excel 或 WPS 中另存为 .xlsx", ".xls"),
    "xml 2003": (_xml_2003, "Excel 2003 XML 格式的表格，请在 Excel 或 WPS 中另存为 .xlsx", ".xls"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_unreadable_input_is_one_chinese_line_and_exit_2(tmp_path, case):
    make, expected, suffix = BAD_INPUTS[case]
    path = tmp_path / f"bad{suffix}"
    make(path)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert expected in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_missing_file_is_exit_2(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path / "nope.xlsx")])
    assert result.exit_code == 2
    assert "文件不存在" in result.output


def test_an_excel_lock_file_given_to_check_is_named_as_one(tmp_path):
    """``perfeval check *.xlsx`` while a workbook is open in Excel also names its ~$ lock file (its owner's name in a
    few bytes): said to be a lock file, not merely not a workbook."""
    lock = tmp_path / "~$襄阳市科协.xlsx"
    lock.write_bytes(b"\x05Alice" + b" " * 48)
    result = CliRunner().invoke(main, ["check", str(lock)])
    assert result.exit_code == 2
    assert (
        result.output
        == f"{lock}: 这是 Excel/WPS 打开工作簿时生成的临时锁定文件（~$ 开头），不是工作簿：请校验去掉 ~$ 的同名工作簿\n"
    )


@pytest.mark.parametrize(
    ("source", "part", "broken", "said"),
    [
        (XIANGYANG, "xl/worksheets/sheet1.xml", (b' s="1"', b' s="9999"'), "IndexError: list index out of range"),
        (XIANGYANG, "[Content_Types].xml", (b'"/>', b"/>"), "XMLSyntaxError"),
        # read again from the original package only when a macro workbook's copy is saved
        ("filled.xlsm", "_rels/.rels", (b"version=", b"vers"), "XMLSyntaxError"),
    ],
    ids=["style-out-of-range", "content-types-not-xml", "macro-package-relations-not-xml"],
)
def test_a_workbook_openpyxl_cannot_open_is_checked_and_its_copy_refused_in_one_line(
    tmp_path, source, part, broken, said
):
    """Parts an exporter wrote wrong (a cell's style past the end of the style sheet, a part that is not XML): the
    checker reads the cells and checks them; openpyxl refuses the package, and the copy is refused in one sentence
    that says what to do, instead of openpyxl's four lines of English (or, for a macro workbook's package
    relations, read only as the copy is saved, a traceback that ended the command)."""
    if source == "filled.xlsm":  # the 湖北 macro template, filled
        build_template(load_form("hubei"), source := tmp_path / source, clean_data(), macro=True)
    bad = (tmp_path / "导出").with_suffix(source.suffix)
    with zipfile.ZipFile(source) as package, zipfile.ZipFile(bad, "w", zipfile.ZIP_DEFLATED) as target:
        for info in package.infolist():
            data = package.read(info)
            target.writestr(info, data.replace(*broken) if info.filename == part else data)
    assert _scores(bad) == _scores(source)
    annotated = CliRunner().invoke(main, ["check", str(bad), "--annotate", str(tmp_path / "out")])
    assert annotated.exit_code == 2
    last = next(line for line in annotated.output.splitlines() if line.startswith("无法写入"))
    assert last.startswith(f"无法写入 {tmp_path / 'out' / bad.name}：文件中有 openpyxl 读不了的内容（{said}"), last
    assert last.endswith("），无法写批注副本（校验结果不受影响）：请在 Excel 或 WPS 中打开后另存为 .xlsx 再试")
    assert not (tmp_path / "out" / bad.name).exists()


def test_a_workbook_saved_as_strict_open_xml_reads_as_the_same_workbook(tmp_path):
    """Excel's "Strict Open XML" names its parts' namespaces otherwise: the formula cells of such a file are still
    found (they were taken as typed input, their cached zeros returning the form with a false PE201)."""
    strict = tmp_path / "strict.xlsx"
    names = {
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
        b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": (
            b"http://purl.oclc.org/ooxml/officeDocument/relationships"
        ),
    }
    with zipfile.ZipFile(XIANGYANG) as source, zipfile.ZipFile(strict, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if not info.filename.endswith(".rels"):
                for transitional, strict_name in names.items():
                    data = data.replace(transitional, strict_name)
            target.writestr(info, data)
    assert (
        read_workbook(strict).sheets["自评表"].formulas == read_workbook(XIANGYANG).sheets["自评表"].formulas != set()
    )
    assert _scores(strict) == _scores(XIANGYANG)
    annotated = CliRunner().invoke(main, ["check", str(strict), "--annotate", str(tmp_path / "out")])
    assert annotated.exit_code == 2
    assert annotated.output.splitlines()[-2] == (  # then the pointer to perfeval rules
        f"无法写入 {tmp_path / 'out' / 'strict.xlsx'}："
        "Strict Open XML 格式的工作簿无法标注：请在 Excel 中另存为“Excel 工作簿(*.xlsx)”后重试"
    )


def _shown_as_percent(make_book) -> tuple[Path, Any, Any]:
    """A filled template whose 11th actual is 0.965 in a cell formatted 0.0% (it shows 96.5%): the file, the cell,
    and the workbook open in openpyxl for more changes, to be saved to the file."""
    data = clean_data()
    data["tables"]["indicators"][10]["actual"] = 0.965
    source = make_book(data)
    ref = check_path(source).extraction.tables["indicators"].rows[10].ref("actual")
    book = load_workbook(source)
    book[ref.sheet][ref.a1].number_format = "0.0%"
    return source, ref, book


def test_a_number_in_a_percent_formatted_cell_reads_as_the_percentage_it_shows(make_book):
    """An actual typed into a cell formatted as a percentage shows 96.5% and stores 0.965: it is read as 96.5%, as
    typed text would be (it was read as 0.965 %, so a met “90%以上” target scored 0.11 of 10 with a false PE209)."""
    source, ref, book = _shown_as_percent(make_book)
    book[ref.sheet]["A60"], book[ref.sheet]["B60"] = 0.5, 0.25  # outside the form: one literal %, one plain number
    book[ref.sheet]["A60"].number_format = '0"%"'
    book.save(source)
    sheet = read_workbook(source).sheets[ref.sheet]
    assert (sheet.value(ref.row, ref.col), sheet.value(59, 0), sheet.value(59, 1)) == ("96.5%", 0.5, 0.25)
    evaluation = check_path(source)
    assert evaluation.findings == [] and evaluation.scores.indicators[10].computed == 10


@pytest.mark.parametrize("part", ["sheet1.xml", "styles.xml"])
def test_a_part_named_in_capitals_is_read_as_its_relationship_calls_it(make_book, tmp_path, part):
    """xl/worksheets/Sheet1.xml or xl/Styles.xml (part names are case-insensitive, and Excel opens them): the formula
    scan missed the sheet, or the number formats went unread, so 0.965 in a cell showing 96.5% read as 0.965 %."""
    source, ref, book = _shown_as_percent(make_book)
    book.save(source)
    misnamed = tmp_path / "单位.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(misnamed, "w") as copy:
        for info in original.infolist():
            copy.writestr(info.filename.replace(part, part.capitalize()), original.read(info))
    assert read_workbook(misnamed).sheets[ref.sheet].value(ref.row, ref.col) == "96.5%"
    assert check_path(misnamed).findings == []


def test_cells_written_without_their_references_are_placed_by_their_order(make_book, tmp_path):
    """A cell's reference (<c r="E6">) is optional, and programs building a sheet cell by cell (the Open XML SDK) may
    leave it out; Excel places such cells one after another. The formula scan could not place them, so a filled
    template's computed cells read as typed 0s (four false 强制 errors), and a number shown as 96.5% read as 0.965 %."""
    source, ref, book = _shown_as_percent(make_book)
    book[ref.sheet]["A60"] = "=1/0"  # an error value (given below as a spreadsheet would cache it), outside the form
    book[ref.sheet]["A61"] = "=1+1"  # a formula in a cell with no attribute at all: <c><f>1+1</f><v></v></c>
    book.save(source)
    bare = tmp_path / "单位.xlsx"
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(bare, "w") as copy:
        for info in original.infolist():
            xml = original.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                xml = re.sub(rb'<c r="[A-Z]+[0-9]+"', b"<c", xml)
                xml = xml.replace(b"<c><f>1/0</f><v></v></c>", b'<c t="e"><f>1/0</f><v>#DIV/0!</v></c>')
            copy.writestr(info.filename, xml)
    sheet = read_workbook(bare).sheets[ref.sheet]
    assert (sheet.value(ref.row, ref.col), sheet.value(59, 0)) == ("96.5%", "#DIV/0!")
    assert sheet.formulas == read_workbook(source).sheets[ref.sheet].formulas
    assert check_path(bare).findings == check_path(source).findings == []


def test_a_formula_in_a_cell_with_no_attribute_is_placed(tmp_path):
    """<c><f>1+1</f><v></v></c>: no reference, no style, nothing but the formula."""
    book = Workbook()
    book.active["A1"], book.active["B1"], book.active["B2"] = "预算数", "=1+1", 3100
    plain, bare = tmp_path / "plain.xlsx", tmp_path / "bare.xlsx"
    book.save(plain)
    with zipfile.ZipFile(plain) as original, zipfile.ZipFile(bare, "w") as copy:
        for info in original.infolist():
            xml = original.read(info)
            copy.writestr(info.filename, re.sub(rb'<(c|row) r="[A-Z]*[0-9]+"', rb"<\1", xml))
    assert read_workbook(bare).sheets["Sheet"].formulas == {(0, 1): "1+1"}


def test_a_folder_given_to_check_points_to_batch(tmp_path):
    result = CliRunner().invoke(main, ["check", str(tmp_path)])
    assert result.exit_code == 2
    assert result.output == f"{tmp_path}: 这是一个文件夹，不是工作簿；校验整个文件夹请用 perfeval batch\n"


def test_a_file_that_cannot_be_opened_is_exit_2(tmp_path, monkeypatch):
    """No read permission (tests may run as root, which has every permission, so opening is made to fail)."""
    path = tmp_path / "locked.xlsx"
    path.write_bytes(XIANGYANG.read_bytes())

    def refuse(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "open", refuse)
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert result.output == f"{path}: 无法打开文件（Permission denied），请检查读取权限\n"


def test_a_bad_file_does_not_stop_the_others(tmp_path):
    bad = tmp_path / "bad.xlsx"
    _random_bytes(bad)
    result = CliRunner().invoke(main, ["check", str(bad), str(XIANGYANG), "--format", "json"])
    assert result.exit_code == 2
    import json

    results = json.loads(result.stdout)
    assert [r["status"] for r in results] == ["unreadable", "warning"]


def _scores(path: Path) -> tuple:
    s = check_path(path).scores
    return (round(s.rate, 6), s.budget_score, s.total, s.reported_total, [i.reported_score for i in s.indicators])


def test_inserted_rows_columns_and_blank_rows_do_not_matter(tmp_path):
    expected = _scores(XIANGYANG_OFFICIAL)
    book = load_workbook(XIANGYANG_OFFICIAL)
    sheet = book.active
    insert_rows(sheet, 1, 3)  # a letterhead above the title
    insert_rows(sheet, 12)  # a blank row inside the indicator grid
    sheet.insert_cols(1)  # an extra column on the left
    sheet["A1"] = "附件2"
    path = tmp_path / "moved.xlsx"
    book.save(path)
    assert _scores(path) == expected


@pytest.mark.parametrize("source", sorted(EXAMPLES.glob("*.xlsx")), ids=lambda p: p.stem)
def test_a_letterhead_and_an_instructions_sheet_change_nothing(tmp_path, source):
    """Every form, in our template and in the published layouts: two rows inserted above each sheet, as Excel inserts
    them (merges move), and a sheet of instructions put in front, as units and bureaus add them."""
    book = load_workbook(source)
    for sheet in book.worksheets:
        insert_rows(sheet, 1, 2)
        sheet["A1"] = "附件"
    book.create_sheet("填报说明", 0)["A1"] = "请在浅黄色单元格中填写"
    moved = tmp_path / source.name
    book.save(moved)
    before, after = check_path(source), check_path(moved)
    assert after.scores.total == before.scores.total and after.scores.grade == before.scores.grade
    assert [(f.code, f.message()) for f in after.findings] == [(f.code, f.message()) for f in before.findings]
    assert [(f.sheet, f.cell) for f in after.findings] == [(f.sheet, _rows_down(f.cell, 2)) for f in before.findings]


def _rows_down(cell: str, count: int) -> str:
    column, row = coordinate_from_string(cell)
    return f"{column}{row + count}"


def test_form_sheet_is_found_among_other_sheets(tmp_path):
    book = load_workbook(XIANGYANG_OFFICIAL)
    book.create_sheet("说明", 0)["A1"] = "填报说明"
    path = tmp_path / "two_sheets.xlsx"
    book.save(path)
    assert _scores(path) == _scores(XIANGYANG_OFFICIAL)


def test_formula_cells_are_never_trusted():
    # The template example was written by a library, which asks for a full recalculation on load: the results its
    # formula cells hold (written by the template builder, right as they are) must not read as typed.
    grid = read_workbook(XIANGYANG)
    sheet = grid.sheets["自评表"]
    evaluation = check_path(XIANGYANG)
    rate = evaluation.extraction.fields["rate"]
    assert (rate.ref.row, rate.ref.col) in sheet.formulas
    assert rate.raw == "114.435287016%" and rate.typed == ""  # the result held, shown as its percentage format shows
    assert not [f for f in evaluation.findings if f.code in ("PE201", "PE202", "PE208")]


cell_values = st.one_of(
    st.none(),
    st.integers(-1000, 1000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["90%以上", "≥266米", "三个", "达标", "=1+1", "-5", "1e309", "约", "%", "#DIV/0!", "#N/A"]),
    st.booleans(),
    st.datetimes(),  # what the readers give for a cell under a date or time format
    st.times(),
)


@pytest.mark.parametrize(("path", "form"), [(XIANGYANG_OFFICIAL, "hubei"), (GUANGZHOU_OFFICIAL, "guangzhou")])
@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 11), cell_values), max_size=25))
def test_checker_never_crashes_on_arbitrary_cell_values(path, form, changes):
    grid = read_workbook(path)
    sheet = next(iter(grid.sheets.values()))
    for row, col, value in changes:
        while len(sheet.cells) <= row:
            sheet.cells.append([""] * sheet.width)
        line = sheet.cells[row]
        while len(line) <= col:
            line.append("")
        line[col] = value
    try:
        evaluation = evaluate(grid, load_form(form))
    except Exception as exc:  # only the documented wrong-form refusal may escape
        from perfeval_xl.locate import WrongForm

        assert isinstance(exc, WrongForm)
        return
    for finding in evaluation.findings:
        assert finding.message("zh") and finding.cell
    json.dumps(result_dict(evaluation, path.name, "zh"), allow_nan=False)  # the JSON contract, strict


EXTREMES = [2.63417e27, 1e-300, "9" * 400]


@pytest.mark.parametrize(
    "path", sorted((Path(__file__).parent.parent / "examples").glob("*.xlsx")), ids=lambda p: p.stem
)
def test_an_extreme_number_in_any_numeric_field_is_reported_not_a_crash(path):
    """Each numeric field of each example in turn holds a number far beyond any budget (a budget typed 2.63417E+27
    made the execution rate 1e24, too many digits to round): the file is checked, its results are strict JSON, and
    its annotation plan is built."""
    from perfeval_xl.plan import build_plan
    from perfeval_xl.report import result_dict
    from perfeval_xl.service import check_grids

    fields = check_path(path).extraction.fields.values()
    refs = [f.ref for f in fields if f.ref is not None and f.spec.type in ("amount", "rate", "score", "quantity")]
    grids = []
    for ref in refs:
        for value in EXTREMES:
            grid = read_workbook(path)
            grid.sheets[ref.sheet].cells[ref.row][ref.col] = value
            grids.append(grid)
    evaluations = check_grids(grids)
    assert len(evaluations) == len(refs) * len(EXTREMES) > 0
    for evaluation in evaluations:
        json.dumps(result_dict(evaluation, path.name), allow_nan=False)
        build_plan(evaluation, "zh")


def test_labels_match_with_any_trailing_bracket(tmp_path):
    book = load_workbook(XIANGYANG_OFFICIAL)
    sheet = book.active
    sheet["C5"] = "预算数（A）（万元）"  # a unit added after the official bracket
    path = tmp_path / "bracket.xlsx"
    book.save(path)
    assert check_path(path).number("budget") == 2634.17


@pytest.mark.parametrize("mark", ["*", "＊", "※", "★"])
def test_labels_marked_required_are_the_labels(tmp_path, mark):
    """Forms from budget systems mark required cells' labels with * (*预算数, 三级指标*): the form was not recognised
    (三级指标, 实际完成值), or its budget (PE101) or every indicator (PE106 ×11, PE208) was missed."""
    book = load_workbook(XIANGYANG_OFFICIAL)
    sheet = book.active
    for a1 in ("C5", "D8", "F8"):
        sheet[a1] = mark + sheet[a1].value
    sheet["G8"] = sheet["G8"].value + mark
    path = tmp_path / "marked.xlsx"
    book.save(path)
    marked, plain = check_path(path), check_path(XIANGYANG_OFFICIAL)
    assert marked.number("budget") == 2634.17
    assert [f.code for f in marked.findings] == [f.code for f in plain.findings]
    assert marked.scores.total == plain.scores.total


def test_labels_and_values_pasted_with_invisible_characters_are_read(tmp_path):
    """Text pasted from a web page or WeChat brings zero-width spaces and marks the unit cannot see: the label was not
    found (执行数 missing, PE101) and 90%以上 was unparsed."""
    evaluation = check_path(XIANGYANG_OFFICIAL)
    cell = evaluation.extraction.tables["indicators"].rows[0].ref("target").a1
    book = load_workbook(XIANGYANG_OFFICIAL)
    sheet = book.active
    sheet["D5"] = "\u200b执行数（B）\u200b"
    sheet[cell] = "\ufeff90%\u200d以上"
    path = tmp_path / "pasted.xlsx"
    book.save(path)
    pasted = check_path(path)
    assert pasted.number("executed") == 3014.42
    target = pasted.scores.indicators[0].target
    assert (target.kind, target.comparator, target.value) == ("number", ">=", 0.9)


def test_a_sequence_column_and_a_blank_row_change_nothing():
    """Units add a 序号 column in front and leave blank rows; blocks are found by their labels all the same."""
    before = evaluate(read_workbook(GUANGZHOU_OFFICIAL), load_form("guangzhou"))
    grid = read_workbook(GUANGZHOU_OFFICIAL)
    sheet = next(iter(grid.sheets.values()))
    blank = 20  # inside the 管理效能 rows
    sheet.cells = [[str(r) if 11 <= r < 56 else "", *row] for r, row in enumerate(sheet.cells)]
    sheet.cells.insert(blank, [""] * sheet.width)
    shift = lambda r: r + (r >= blank)  # noqa: E731
    sheet.merged = [(shift(r0), c0 + 1, shift(r1), c1 + 1) for r0, c0, r1, c1 in sheet.merged]
    sheet.formulas = {(shift(r), c + 1): text for (r, c), text in sheet.formulas.items()}
    after = evaluate(grid, load_form("guangzhou"))
    assert [i.name for i in after.scores.indicators] == [i.name for i in before.scores.indicators]
    assert after.scores.total == before.scores.total
    assert after.scores.ratios == before.scores.ratios
    assert after.extraction.fields["total"].ref.a1 == "I57"


def test_formula_cells_found_in_every_way_a_sheet_writes_them(tmp_path):
    """Prefixed tags (<x:c>, as some tools write), shared formulas filled down (<f t="shared" si="0"/>), a cell
    with no formula right before one, and a formula of a data validation (<xm:f>) that belongs to no cell; each with
    its text (a check reads what the 总分 formula sums)."""
    main_ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel_ns = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet = (
        f'<x:worksheet xmlns:x="{main_ns}" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x:sheetData>'
        '<x:row r="1"><x:c r="A1"/><x:c r="B1" s="2"><x:f>1+1</x:f><x:v>2</x:v></x:c></x:row>'
        '<x:row r="2"><x:c r="A2"><x:v>3</x:v></x:c>'
        '<x:c r="B2"><x:f t="shared" ref="B2:B3" si="0">A2*2</x:f><x:v>6</x:v></x:c>'
        '<x:c r="C2" t="str"><x:f>IF(A2&lt;0,"",A2&amp;"分")</x:f><x:v>3分</x:v></x:c></x:row>'
        '<x:row r="3"><x:c r="B3">\n  <x:f t="shared" si="0"/><x:v>0</x:v></x:c><x:c r="C3"><x:v>5</x:v></x:c></x:row>'
        "</x:sheetData><x:extLst><x14:dataValidation><x14:formula1><xm:f>Sheet2!A1:A3</xm:f></x14:formula1>"
        "</x14:dataValidation></x:extLst></x:worksheet>"
    )
    path = tmp_path / "prefixed.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main_ns}" xmlns:r="{rel_ns}"><sheets><sheet name="表" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    with zipfile.ZipFile(path) as archive:
        assert {name: _formula_cells(xml) for name, xml in _sheet_parts(archive)} == {
            # each formula's text as written, unescaped; a shared formula filled down writes none of its own
            "表": {(0, 1): "1+1", (1, 1): "A2*2", (1, 2): 'IF(A2<0,"",A2&"分")', (2, 1): ""}
        }


def _far(tmp_path: Path, name: str, ref: str, *, value: bool) -> Path:
    """The 襄阳 example with one far-away cell typed (``value``) or only coloured."""
    from openpyxl.styles import PatternFill

    book = load_workbook(XIANGYANG)
    if value:
        book["自评表"][ref] = "x"
    else:
        book["自评表"][ref].fill = PatternFill("solid", fgColor="FFFF00")
    path = tmp_path / name
    book.save(path)
    return path


def _check_in_a_process(path: Path, *options: str) -> subprocess.CompletedProcess[str]:
    """``perfeval check`` in a process of its own: a file that aborts the reader fails the test, not the test run."""
    return subprocess.run(
        [sys.executable, "-c", "from perfeval_xl.cli import main; main()", "check", str(path), *options],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_value_typed_far_away_is_refused_before_it_is_read(tmp_path):
    """A value in XFD1048576 would make calamine allocate 549 GB and abort the process (a Rust panic, and in a batch
    a dead worker that stopped every file): a separate process, so that without the guard this test fails, not the
    test run."""
    path = _far(tmp_path, "far.xlsx", "XFD1048576", value=True)
    done = _check_in_a_process(path)
    assert done.returncode == 2, done.stderr[-500:]
    assert done.stderr == (
        f"{path}: 工作表“自评表”的内容延伸到 XFD1048576（1048576 行 × 16384 列），超出读取上限 5,000,000 个单元格："
        "通常是远处的单元格误填了内容，请删除多余的行和列后重新提交\n"
    )


@pytest.mark.parametrize("recorded", ["A1", "A1:K60"])
def test_a_value_far_away_is_refused_whatever_dimension_the_file_records(tmp_path, recorded):
    """Programs other than Excel may record a smaller <dimension> than the cells reach (some write A1 alone), so the
    guard cannot take it as a bound: a file that records A1:K60 and holds a value in XFD1048576 is refused too, not
    read into a 549 GB allocation that kills the process (a separate process, as above)."""
    import re

    far = _far(tmp_path, "far.xlsx", "XFD1048576", value=True)
    path = tmp_path / "understated.xlsx"
    with zipfile.ZipFile(far) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename.startswith("xl/worksheets/"):
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{recorded}"'.encode(), data)
            target.writestr(item, data)
    done = _check_in_a_process(path, "--lang", "en")
    assert done.returncode == 2, done.stderr[-500:]
    assert "sheet '自评表' extends to XFD1048576 (1048576 rows by 16384 columns)" in done.stderr


def test_a_cell_far_away_only_formatted_changes_nothing(tmp_path):
    """Colouring a far cell records a dimension of A1:XFD1048576, but calamine lays out only cells that hold
    something: such a file is read as it is, not refused."""
    path = _far(tmp_path, "coloured.xlsx", "XFD1048576", value=False)
    assert _scores(path) == _scores(XIANGYANG)
    assert read_workbook(path).sheets["自评表"].width < 20


def test_a_value_a_million_rows_down_is_refused_with_its_address(tmp_path):
    path = _far(tmp_path, "low.xlsx", "A1048576", value=True)
    result = CliRunner().invoke(main, ["check", str(path), "--lang", "en"])
    assert result.exit_code == 2
    assert "sheet '自评表' extends to K1048576 (1048576 rows by 11 columns)" in result.output


def test_an_amount_as_text_that_fails_the_rate_formula_is_said_with_the_error_shown(make_book):
    """Excel's / takes 3014.42 typed as text as the number, but not 3014.42万元: the 执行率 shows #VALUE!, and PE116
    says so, not that the rate is blank."""
    source = make_book(clean_data(), {"fields": {"executed": "3014.42万元"}})
    evaluation = check_path(calculated(source, {"field:rate": ("1/0", "#VALUE!")}))
    said = next(f for f in evaluation.findings if f.code == "PE116")
    assert "表中执行率为 #VALUE!，应为 97.24%" in said.message()
    assert "the sheet shows #VALUE!, 97.24% with it" in said.message("en")


def test_a_score_as_text_that_fails_the_total_formula_is_said_with_the_error_shown(make_book):
    """=J9+J10+… fails on 3分 typed as text: the 总分 shows #VALUE!, and PE116 says so, not a total it does not show."""
    source = make_book(clean_data(), {"rows": {0: {"score": "3分"}}})
    evaluation = check_path(calculated(source, {"field:total": ("1/0", "#VALUE!")}))
    said = next(f for f in evaluation.findings if f.code == "PE116")
    assert f"表中总分为 #VALUE!，应为 {round(evaluation.scores.reported_sum, 4):g}" in said.message()


def test_a_cell_showing_a_formula_error_is_read_as_the_error_not_as_blank(example_copy):
    """calamine (and xlwings) read #DIV/0! as empty: the unit, who sees #DIV/0!, was told 执行数 was blank (PE101).
    Both readers now give the error's text, and the finding says to mend the formula."""
    evaluation = check_path(XIANGYANG_OFFICIAL)
    executed = evaluation.extraction.fields["executed"].ref
    actual = evaluation.extraction.tables["indicators"].rows[0].ref("actual")
    failing = {"field:executed": ("1/0", "#DIV/0!"), "row:0:actual": ("1/0", "#N/A")}
    source = calculated(example_copy(XIANGYANG_OFFICIAL), failing)
    grid = read_workbook(source).sheets[executed.sheet]
    assert (grid.value(executed.row, executed.col), grid.value(actual.row, actual.col)) == ("#DIV/0!", "#N/A")
    in_excel = check_grid(excel.read_book(FakeBook.from_file(source)))
    for outcome in (check_path(source), in_excel):
        found = {(f.code, f.cell): f.message("zh") for f in outcome.findings if f.cell in (executed.a1, actual.a1)}
        assert found == {
            ("PE102", executed.a1): "“执行数（B）”应为数字，实为“#DIV/0!”（单元格显示公式错误值，请修正公式）",
            ("PE104", actual.a1): f"“{evaluation.scores.indicators[0].name}”的实际完成值“#N/A”无法解析为数值"
            "（单元格显示公式错误值，请修正公式）",
        }


def test_a_date_excel_made_of_the_input_is_read_as_its_text_and_said(tmp_path, example_copy):
    """Excel turns 10-15 into 15 October and 12:00 into a time: calamine and xlwings give date objects, which ended
    `check --format json` and the whole batch with “Object of type date is not JSON serializable”. They are read as
    their text, and the finding says how the unit gets its input back."""
    evaluation = check_path(XIANGYANG_OFFICIAL)
    executed = evaluation.extraction.fields["executed"].ref
    row = evaluation.extraction.tables["indicators"].rows[0]
    source = example_copy(XIANGYANG_OFFICIAL)
    book = load_workbook(source)
    sheet = book[executed.sheet]
    for ref, value, shown in (
        (executed, datetime(2021, 10, 15), "m月d日"),  # as it shows: 10月15日, Excel's year unseen
        (row.ref("target"), datetime(2021, 10, 15, 8, 30), "yyyy/m/d h:mm"),
    ):
        sheet[ref.a1], sheet[ref.a1].number_format = value, shown
    sheet[row.ref("actual").a1] = time(12, 0)
    book.save(source)
    said = "（单元格中是日期或时间：Excel 会把 10-15、1/3 这样的输入自动转成日期，请先把单元格设为“文本”再输入）"
    name = evaluation.scores.indicators[0].name
    for outcome in (check_path(source), check_grid(excel.read_book(FakeBook.from_file(source)))):
        found = {(f.code, f.cell): f.message("zh") for f in outcome.findings if f.code in ("PE102", "PE104")}
        assert found == {
            ("PE102", executed.a1): f"“执行数（B）”应为数字，实为“10月15日”{said}",
            ("PE104", row.ref("target").a1): f"“{name}”的年初目标值“2021-10-15 08:30:00”无法解析为数值{said}",
            ("PE104", row.ref("actual").a1): f"“{name}”的实际完成值“12:00:00”无法解析为数值{said}",
        }
    as_json = CliRunner().invoke(main, ["check", str(source), "--format", "json"])
    assert as_json.exit_code == 1 and json.loads(as_json.output)[0]["status"] == "error"


def _dated_actual(make_book, number_format: str) -> Path:
    """A 时效 indicator due 12月底前 in the 2021 form, its actual a date cell: 20 November of 2022, the year Chinese
    Excel gives 11月20日 typed while filling the form in, shown in ``number_format``."""
    source = make_book(clean_data(), {"rows": {0: {"target": "12月底前", "direction": ""}}})
    ref = check_path(source).extraction.tables["indicators"].rows[0].ref("actual")
    book = load_workbook(source)
    book[ref.sheet][ref.a1] = datetime(2022, 11, 20)
    book[ref.sheet][ref.a1].number_format = number_format
    book.save(source)
    return source


@pytest.mark.parametrize(
    ("number_format", "shown", "met"),
    [
        ('m"月"d"日"', "11月20日", True),
        ("m/d", "11月20日", True),
        ('yyyy"年"m"月"d"日"', "2022-11-20", False),
        ('yyyy"年"m"月"', "2022年11月", False),  # a month shown without its day (2022年11月 typed): as shown
    ],
)
def test_a_date_shown_without_its_year_is_read_as_shown(make_book, number_format, shown, met):
    """Read with the year Excel gave it, 11月20日 was month 23 of the form's year, late: PE209 asked for fewer points.
    The unit sees no year, so none is read; a year shown is the unit's to see, and is read."""
    source = _dated_actual(make_book, number_format)
    for outcome in (check_path(source), check_grid(excel.read_book(FakeBook.from_file(source)))):
        indicator = outcome.scores.indicators[0]
        assert (indicator.actual.raw, indicator.met) == (shown, met)


def test_a_panic_in_calamine_is_an_unreadable_file_not_a_crash(monkeypatch, tmp_path):
    """A panic in calamine's Rust code reaches Python as pyo3's PanicException, a BaseException that `except
    Exception` misses: it ended `check` with a traceback, and a batch with it. It is now the file's reason."""

    class PanicException(BaseException):  # as pyo3 names and bases it
        pass

    def panicking(_: object) -> None:
        raise PanicException("index out of bounds: the len is 3 but the index is 7")

    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_filelike", panicking)
    with pytest.raises(UnreadableInput) as refused:
        read_workbook(XIANGYANG)
    assert refused.value.message == "工作簿无法读取：PanicException"

    def interrupted(_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("python_calamine.CalamineWorkbook.from_filelike", interrupted)
    with pytest.raises(KeyboardInterrupt):
        read_workbook(XIANGYANG)


def _findings(evaluation) -> list[tuple[str, str]]:
    return sorted((f.code, str(f.cell)) for f in evaluation.findings)


def test_a_computed_cell_whose_formula_has_no_saved_result_is_still_the_fields_cell(tmp_path):
    """A workbook saved by a program that keeps formulas but not their results (openpyxl, a budget system's export):
    湖南's 自评得分 (=IF(…), nothing saved) was passed over for the cell below it, 266.32 of 按支出性质分, and the
    form came back with a false PE202 (预算执行得分填报 266.32)."""
    book = load_workbook(TAOJIANG)
    path = tmp_path / "no_results.xlsx"
    book.save(path)  # openpyxl writes the formulas and no results
    resaved, original = check_path(path), check_path(TAOJIANG)
    assert resaved.extraction.fields["budget_score"].ref == original.extraction.fields["budget_score"].ref
    assert _findings(resaved) == _findings(original)


@pytest.mark.parametrize("example", [XIANGYANG, GUANGZHOU, HEBEI, TAOJIANG, YUEYANG], ids=lambda p: p.stem)
def test_a_filled_template_is_its_form_without_the_sheet_that_names_it(tmp_path, example):
    """Our templates name their form in a hidden sheet, which a sheet moved or copied to a new workbook leaves
    behind: the forms had to be found by their labels, and 河北 (its parts numbered 一、…) and 岳阳 (its heading
    部门（单位）年度支出和结余情况 as published) were not found at all."""
    book = load_workbook(example)
    del book["_perfeval"]
    path = tmp_path / example.name
    book.save(path)
    unnamed, named = check_path(path), check_path(example)
    assert unnamed.definition.id == named.definition.id
    assert unnamed.scores.total == named.scores.total
    assert _findings(unnamed) == _findings(named)


@pytest.mark.parametrize(
    ("source", "kept", "asked"),
    [
        (TAOJIANG_OFFICIAL, "附件2", []),
        (TAOJIANG_OFFICIAL, "附件1", []),
        (TAOJIANG_OFFICIAL, "附件2", ["--form", "hunan"]),  # “不是湖南…：找不到标签”
        (TAOJIANG, "自评表", []),  # our template, its form named in its hidden sheet: “不是湖南…” too
    ],
)
def test_a_form_missing_one_of_its_sheets_is_named_with_what_is_missing(tmp_path, source, kept, asked):
    """湖南's 自评表 (附件2) sent without its 基础数据表 (附件1) was “未识别为已支持的表式” and a list of every form,
    or “不是湖南《…》” when the form was asked for or recorded: neither the unit nor the bureau learnt that the form
    was recognised and one sheet was missing."""
    book = load_workbook(source)
    for name in book.sheetnames:
        if name not in (kept, "_perfeval"):
            del book[name]
    path = tmp_path / "one_sheet.xlsx"
    book.save(path)
    result = CliRunner().invoke(main, ["check", str(path), *asked])
    missing = "部门整体支出绩效自评表" if kept == "附件1" else "部门整体支出绩效评价基础数据表"
    assert result.exit_code == 2
    assert "湖南《部门整体支出绩效自评表》" in result.output
    assert f"缺少“{missing}”" in result.output
    assert "广州" not in result.output
    row = json.loads(CliRunner().invoke(main, ["check", str(path), "--format", "json", *asked]).output)[0]
    assert (row["status"], row["form"]) == ("unreadable", "hunan")  # the form is known, as a bureau sorts by it


def test_a_required_value_given_by_a_formula_with_no_saved_result_says_so(tmp_path):
    """执行数 typed as =Z1+Z2 in a file from a program that saves no results: “必填项为空” sent the unit looking at a
    cell Excel shows filled."""
    book = load_workbook(XIANGYANG_OFFICIAL)
    sheet = book.active
    sheet["Z1"], sheet["Z2"], sheet["D6"] = 3000, 14.42, "=Z1+Z2"
    path = tmp_path / "formula.xlsx"
    book.save(path)
    finding = next(f for f in check_path(path).findings if f.code == "PE101")
    assert finding.cell == "D6"
    assert (
        finding.message()
        == "必填项“执行数（B）”为空（单元格是公式，文件中没有保存计算结果：请在 Excel 或 WPS 中打开并保存后重新提交）"
    )
    assert "no result saved" in finding.message("en")


@pytest.mark.parametrize(
    ("example", "headings"),
    [(XIANGYANG_OFFICIAL, {"Sheet1": ["A5", "A8"]}), (TAOJIANG_OFFICIAL, {"附件1": ["A2", "A4", "A23"]})],
    ids=["hubei", "hunan"],
)
def test_a_layout_numbering_its_blocks_is_its_form(tmp_path, example, headings):
    """一、预算执行情况（万元）, 二、年度绩效指标: a layout numbering its blocks was “未识别为已支持的表式”."""
    book = load_workbook(example)
    for sheet, cells in headings.items():
        for number, a1 in zip("一二三", cells, strict=False):
            book[sheet][a1] = f"{number}、{book[sheet][a1].value}"
    path = tmp_path / "numbered.xlsx"
    book.save(path)
    numbered, plain = check_path(path), check_path(example)
    assert (numbered.scores.total, _findings(numbered)) == (plain.scores.total, _findings(plain))
