"""Annotating changes only what it means to: marks, notes, computed scores, 校验结果; twice equals once."""

import gc
import hashlib
import io
import json
import re
import shutil
import sys
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import Border, Side

from perfeval_xl.checks.pe106_weight_missing import WeightMissing
from perfeval_xl.cli import main
from perfeval_xl.plan import (
    ERROR_TEXT,
    FILLS,
    HEADER_FILL,
    LINE_HEIGHT,
    MARKS_SHEET,
    NOTE_TAG,
    RESULTS_SHEET,
    build_plan,
)
from perfeval_xl.reader import read_workbook, standard_names
from perfeval_xl.service import check_path
from perfeval_xl.unkept import Unkept, copy_lacks, count_unkept
from perfeval_xl.writeback import CannotAnnotate, annotate_file, merged_cells_as_saved

from .conftest import (
    CLEAN,
    GUANGZHOU_OFFICIAL,
    HEBEI,
    MERGED_TARGET_AND_COMPUTED,
    OVER_ITS_POINTS,
    ROOT,
    TAOJIANG_OFFICIAL,
    XIANGYANG,
    XIANGYANG_OFFICIAL,
    YUEYANG,
    clean_data,
    rewrite_parts,
    row_added_under_old_sums,
    with_cell_pictures,
    with_picture_and_text_box,
)


def unkept(path: Path) -> Unkept:
    """What of a workbook file an annotated copy cannot carry, its parts named as the format names them."""
    with zipfile.ZipFile(io.BytesIO(standard_names(path.read_bytes()))) as archive:
        return count_unkept(archive)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(path: Path, skip: set[tuple[str, str]] = frozenset(), sheets: tuple[str, ...] | None = None) -> dict:
    """Everything a user could have made: values, formulas, styles, notes, merges, validations, layout."""
    book = load_workbook(path)
    snap = {}
    for ws in book.worksheets:
        if sheets is not None and ws.title not in sheets:
            continue
        cells = {
            c.coordinate: (
                c.value,
                c.number_format,
                c.font.name,
                c.font.b,
                c.border.left.style,
                c.alignment.wrap_text,
                c.protection.locked,
                c.fill.fgColor.rgb,
                c.comment.text if c.comment else None,
            )
            for row in ws.iter_rows()
            for c in row
            if (ws.title, c.coordinate) not in skip
        }
        snap[ws.title] = {
            "cells": cells,
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted((str(v.sqref), v.formula1) for v in ws.data_validations.dataValidation),
            "protected": ws.protection.sheet,
            "print": (ws.page_setup.paperSize, ws.page_setup.orientation, ws.print_title_rows, ws.sheet_state),
            "widths": {k: v.width for k, v in ws.column_dimensions.items()},
            "heights": {k: v.height for k, v in ws.row_dimensions.items()},
        }
    return snap


def _annotated(tmp_path: Path, source: Path) -> tuple[Path, object]:
    evaluation = check_path(source)
    plan = build_plan(evaluation)
    dest = annotate_file(source, plan, tmp_path / "annotated.xlsx").path
    return dest, plan


def test_annotated_copy_marks_cells_and_leaves_the_original(tmp_path, example_copy):
    source = example_copy(XIANGYANG)
    before = _digest(source)
    dest, _ = _annotated(tmp_path, source)
    assert _digest(source) == before
    book = load_workbook(dest)
    sheet = book["自评表"]
    warning = sheet["D6"]  # 执行数 above 预算数
    assert warning.fill.fgColor.rgb.endswith(FILLS["warning"])
    assert NOTE_TAG in warning.comment.text and "PE303" in warning.comment.text
    results = book[RESULTS_SHEET]
    codes = [results.cell(r, 1).value for r in range(1, results.max_row + 1)]
    assert codes.count("PE106") == 11 + 1  # its findings, and the rule said once below them
    link = next(results.cell(r, 4) for r in range(1, results.max_row + 1) if results.cell(r, 1).value == "PE303")
    assert link.hyperlink.location == "'自评表'!D6"
    assert book[MARKS_SHEET].sheet_state == "veryHidden"
    header = next(r for r in range(1, results.max_row + 1) if results.cell(r, 1).value == "代码")
    over = next(r for r in range(header, results.max_row + 1) if results.cell(r, 1).value == "PE303")
    columns = {results.cell(header, c).value: results.cell(over, c).value for c in range(1, results.max_column + 1)}
    assert (columns["填报值"], columns["应为"], columns["差额"]) == (3014.42, 2634.17, 380.25)


def test_the_results_sheet_prints_its_messages_whole(tmp_path, example_copy):
    """Its 80-wide 说明 column was cut where the next cell began, and its seven columns printed over two portrait
    pages: the messages wrap, and the sheet prints A4 landscape, one page wide, its header on every page."""
    dest, plan = _annotated(tmp_path, example_copy(XIANGYANG))
    results = load_workbook(dest)[RESULTS_SHEET]
    header = next(r for r in range(1, results.max_row + 1) if results.cell(r, 1).value == "代码")
    assert (results.page_setup.orientation, results.page_setup.paperSize) == ("landscape", 9)
    assert results.sheet_properties.pageSetUpPr.fitToPage and results.page_setup.fitToHeight == 0
    assert results.print_title_rows == f"${header}:${header}"
    messages = [results.cell(r, 5) for r in range(header + 1, header + 1 + len(plan.results))]
    assert messages and all(cell.alignment.wrap_text for cell in messages)
    long = max(messages, key=lambda cell: len(cell.value))  # 100 Chinese characters: 200 widths of the column's 80
    assert results.row_dimensions[long.row].height >= 2 * 14


def test_the_results_sheet_explains_each_rule_it_found_once(tmp_path, example_copy):
    """A unit reading its 校验结果 sheet saw PE106 eleven times and no word of what the rule asks, and
    ``perfeval rules`` is no help inside Excel: below the findings, each rule found is said once, in the order first
    found, with its severity, why it holds and its examples, laid out as the findings are."""
    dest, plan = _annotated(tmp_path, example_copy(XIANGYANG))
    results = load_workbook(dest)[RESULTS_SHEET]
    found, rules = [r for r in range(1, results.max_row + 1) if results.cell(r, 1).value == "代码"]
    codes = [results.cell(r, 1).value for r in range(found + 1, found + 1 + len(plan.results))]
    assert rules == found + len(plan.results) + 2 and results.cell(rules - 1, 1).value is None
    assert results.cell(rules, 5).value == "规则说明"
    explained = {results.cell(r, 1).value: r for r in range(rules + 1, results.max_row + 1)}
    assert list(explained) == list(dict.fromkeys(codes)) and codes.count("PE106") == 11
    row = explained["PE106"]
    text = results.cell(row, 5).value
    assert results.cell(row, 2).value == "提示"
    assert text.startswith(f"{WeightMissing.summary()}\n") and "\n不通过示例：" in text and "通过示例：" in text
    assert results.cell(row, 5).alignment.wrap_text and results.cell(row, 1).alignment.vertical == "top"
    assert results.row_dimensions[row].height >= (text.count("\n") + 1) * LINE_HEIGHT
    for cell in results[rules][: results.max_column]:
        assert cell.font.bold and cell.fill.fgColor.rgb.endswith(HEADER_FILL)


def test_the_rules_found_are_named_in_english_on_request():
    """With --lang en, each rule is headed by its English name; why it holds and its examples are the catalogue's
    Chinese, their examples marked Failing and Passing as ``perfeval rules --lang en`` marks them."""
    rules = {rule.code: rule for rule in build_plan(check_path(XIANGYANG), "en").rules}
    head, *rest = rules["PE106"].text.split("\n")
    assert head == WeightMissing.name_en and rest == WeightMissing.description("en") and "Failing: " in rest[-1]


def test_the_results_sheet_of_a_file_without_findings_explains_no_rule(tmp_path, example_copy):
    dest, plan = _annotated(tmp_path, example_copy(GUANGZHOU_OFFICIAL))
    results = load_workbook(dest)[RESULTS_SHEET]
    assert not plan.results and not plan.rules
    assert [results.cell(r, 1).value for r in range(1, results.max_row + 1)].count("代码") == 1
    assert results.cell(results.max_row, 1).value == "未发现问题"


def test_the_results_sheet_shows_its_header_and_errors_as_the_summary_does(tmp_path, example_copy):
    """Its header was bold text alone, its 强制 findings looked like its 提示 ones, and the summary's years and
    totals sat at the far side of their cells from its texts: the header is tinted, framed and centred as the
    summary workbook's, 强制 is red and bold as 退回 there, and the summary's values start where its texts do."""
    dest, plan = _annotated(tmp_path, example_copy(HEBEI))  # 强制 (PE101) and 提示 (PE215) findings
    results = load_workbook(dest)[RESULTS_SHEET]
    header = next(r for r in range(1, results.max_row + 1) if results.cell(r, 1).value == "代码")
    for cell in results[header][: results.max_column]:
        assert cell.font.bold and cell.fill.fgColor.rgb.endswith(HEADER_FILL)
        assert cell.alignment.horizontal == "center" and cell.border.bottom.style == "thin"
    found = range(header + 1, header + 1 + len(plan.results))
    levels = {results.cell(r, 2).value: results.cell(r, 2).font for r in found}
    assert set(levels) == {"强制", "提示"}
    assert levels["强制"].bold and levels["强制"].color.rgb.endswith(ERROR_TEXT)
    assert not levels["提示"].bold and levels["提示"].color != levels["强制"].color
    rules = {results.cell(r, 1).value: results.cell(r, 2) for r in range(found.stop + 2, results.max_row + 1)}
    assert rules["PE101"].value == "强制" and rules["PE101"].font.bold  # said as their findings are
    assert rules["PE101"].font.color == levels["强制"].color
    assert rules["PE215"].value == "提示" and not rules["PE215"].font.bold
    year = next(r for r in range(1, header) if results.cell(r, 1).value == "年度")
    assert results.cell(year, 2).value == 2019 and results.cell(year, 2).alignment.horizontal == "left"


@pytest.mark.parametrize("source", [HEBEI, YUEYANG], ids=["hebei", "yueyang"])
def test_the_results_sheet_says_a_form_gives_no_points(source):
    """A form without points (河北's report, 岳阳's) had 计算总分 0 and 填报总分 0 in its 校验结果 sheet, as if the unit
    had scored nothing, where the command line and the button say 本表式不计分."""
    summary = dict(build_plan(check_path(source)).summary)
    assert (summary["计算总分"], summary["填报总分"], summary["评价等次"]) == ("本表式不计分", "", "")
    assert dict(build_plan(check_path(source), "en").summary)["computed total"] == "not scored"


def _cli(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_a_pasted_picture_survives_annotation(tmp_path, example_copy):
    """A seal or signature pasted into the form as a picture is still there, byte for byte and where it was, in the
    annotated copy (openpyxl keeps pictures only where Pillow is installed; without it they vanished unsaid)."""
    source = with_picture_and_text_box(example_copy(XIANGYANG_OFFICIAL))
    dest, _ = _annotated(tmp_path, source)
    with zipfile.ZipFile(source) as before, zipfile.ZipFile(dest) as after:
        pictures = [(n, before.read(n)) for n in before.namelist() if n.startswith("xl/media/")]
        assert pictures and [(n, after.read(n)) for n in after.namelist() if n.startswith("xl/media/")] == pictures
    assert [image.anchor._from.row for image in load_workbook(dest).worksheets[0]._images] == [29]


def test_drawings_the_copy_cannot_keep_are_counted_and_said(tmp_path, example_copy):
    """openpyxl carries pictures and charts into the annotated copy, not shapes or text boxes: the copy is written and
    says how many it lacks; annotating in place, which would delete them from the original, is refused."""
    source = with_picture_and_text_box(example_copy(XIANGYANG_OFFICIAL))
    assert (unkept(source), unkept(XIANGYANG_OFFICIAL)) == (Unkept(shapes=1), Unkept())
    before = _digest(source)
    copy = _cli("check", source, "--annotate", tmp_path / "out", "--format", "json")
    assert copy.exit_code == 0, copy.output
    assert (
        json.loads(copy.output)[0]["annotation_warning"]
        == "原文件中的 1 个形状或文本框未保留在批注副本中（原文件未改动）"
    )
    in_place = _cli("check", source, "--in-place")
    assert in_place.exit_code == 2 and _digest(source) == before
    assert in_place.output.splitlines()[-2] == (  # then the pointer to perfeval rules
        f"无法写入 {source}：文件中有 1 个形状或文本框，就地标注会删去它们；请改用 --annotate 输出批注副本"
    )


def test_an_embedded_object_the_copy_cannot_keep_is_said(tmp_path, example_copy):
    """A report inserted into the workbook as an object (an OLE part under xl/embeddings/) is not in a copy openpyxl
    saves: the copy says so, beside the text box it also lacks."""
    source = with_picture_and_text_box(example_copy(XIANGYANG_OFFICIAL))
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("xl/embeddings/Microsoft_Word_Document.docx", b"PK\x03\x04")
    lost = unkept(source)
    assert lost == Unkept(shapes=1, objects=1)
    dest, _ = _annotated(tmp_path, source)
    with zipfile.ZipFile(dest) as archive:
        assert not [n for n in archive.namelist() if n.startswith("xl/embeddings/")]
    assert copy_lacks(lost) == "原文件中的 1 个形状或文本框、1 个嵌入的对象未保留在批注副本中（原文件未改动）"
    assert copy_lacks(lost, "en") == (
        "1 shapes or text boxes and 1 embedded objects of the original are not in the annotated copy "
        "(the original is unchanged)"
    )


def test_pictures_placed_in_cells_the_copy_cannot_keep_are_said(tmp_path, example_copy):
    """A seal placed in a cell (WPS's 嵌入单元格图片, Excel's 放置在单元格中) lives in a part openpyxl does not know and
    drops: the copy says so, and annotating in place, which would delete it from the original, is refused."""
    source = with_cell_pictures(example_copy(XIANGYANG_OFFICIAL))
    assert unkept(source) == Unkept(cell_pictures=2)
    before = _digest(source)
    copy = _cli("check", source, "--annotate", tmp_path / "out", "--format", "json")
    assert (
        json.loads(copy.output)[0]["annotation_warning"]
        == "原文件中的 2 张单元格内图片未保留在批注副本中（原文件未改动）"
    )
    with zipfile.ZipFile(tmp_path / "out" / source.name) as archive:
        assert not {"xl/cellimages.xml", "xl/richData/rdrichvalue.xml"} & set(archive.namelist())
    in_place = _cli("check", source, "--in-place")
    assert in_place.exit_code == 2 and _digest(source) == before
    assert "文件中有 2 张单元格内图片，就地标注会删去它们" in in_place.output
    assert copy_lacks(unkept(source), "en").startswith("2 pictures in cells of the original")


_THREADS = (
    '<ThreadedComments xmlns="http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments">'
    '<threadedComment ref="D6" dT="2022-03-01T10:00:00.00" personId="{P1}" id="{T1}"><text>请核对执行数</text>'
    '</threadedComment><threadedComment ref="D6" dT="2022-03-02T09:00:00.00" personId="{P2}" id="{T2}" '
    'parentId="{T1}"><text>已核对</text></threadedComment><threadedComment ref="E7" dT="2022-03-02T09:30:00.00" '
    'personId="{P1}" id="{T3}"><text>得分依据？</text></threadedComment></ThreadedComments>'
)


def test_threaded_comments_the_copy_turns_into_notes_are_said(tmp_path, example_copy):
    """Excel 365's comments (批注 that take replies) live in a part openpyxl drops: the copy keeps only the note Excel
    writes beside each thread, and annotating in place would have turned the unit's discussions into notes."""
    source = example_copy(XIANGYANG_OFFICIAL)
    with zipfile.ZipFile(source, "a") as archive:
        archive.writestr("xl/threadedComments/threadedComment1.xml", _THREADS)
    assert unkept(source) == Unkept(threads=2)  # two threads, one with a reply
    copy = _cli("check", source, "--annotate", tmp_path / "out", "--format", "json")
    assert json.loads(copy.output)[0]["annotation_warning"] == (
        "原文件中的 2 组新版批注（可回复的批注）未保留在批注副本中（原文件未改动）"
    )
    before = _digest(source)
    in_place = _cli("check", source, "--in-place")
    assert in_place.exit_code == 2 and _digest(source) == before
    assert copy_lacks(unkept(source), "en").startswith("2 threaded comments of the original")


_X14 = (
    '<conditionalFormatting sqref="D6"><cfRule type="dataBar" priority="1"><dataBar><cfvo type="min"/><cfvo type="max"/>'
    '<color rgb="FF638EC6"/></dataBar><extLst><ext uri="{B025F937-C7B1-47D3-B67F-A62EFF666E3E}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:id>{0000-BAR}</x14:id></ext>'
    "</extLst></cfRule></conditionalFormatting>",
    '<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:conditionalFormattings>'
    '<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:cfRule type="dataBar" id="{0000-BAR}"><x14:dataBar minLength="0" maxLength="100"/></x14:cfRule>'
    "<xm:sqref>D6</xm:sqref></x14:conditionalFormatting>"
    '<x14:conditionalFormatting xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
    '<x14:cfRule type="iconSet" priority="2" id="{0000-ICONS}"><x14:iconSet iconSet="3Stars"/></x14:cfRule>'
    "<xm:sqref>F6</xm:sqref></x14:conditionalFormatting></x14:conditionalFormattings></ext>"
    '<ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations count="1" '
    'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:dataValidation type="list" allowBlank="1">'
    "<x14:formula1><xm:f>名单!$A$1:$A$3</xm:f></x14:formula1><xm:sqref>E9</xm:sqref></x14:dataValidation>"
    '</x14:dataValidations></ext><ext uri="{05C60535-1F16-4fd2-B633-F4F36F0B64E0}" '
    'xmlns:x14="http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:sparklineGroups '
    'xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main"><x14:sparklineGroup><x14:sparklines>'
    "<x14:sparkline><xm:f>自评表!C6:D6</xm:f><xm:sqref>H6</xm:sqref></x14:sparkline></x14:sparklines>"
    "</x14:sparklineGroup></x14:sparklineGroups></ext></extLst>",
)


def test_what_a_sheet_holds_only_in_excel_2010_extensions_is_said(tmp_path, example_copy):
    """A drop-down list drawing on another sheet, an icon set of Excel 2010 and a sparkline live in the sheet's x14
    extensions, which openpyxl drops: the copy says so. A data bar written in both forms keeps its first form."""
    source = example_copy(XIANGYANG_OFFICIAL)

    def extended(xml: bytes) -> bytes:
        xml = xml.replace(b"<pageMargins", _X14[0].encode() + b"<pageMargins")
        return xml.replace(b"</worksheet>", _X14[1].encode() + b"</worksheet>")

    rewrite_parts(source, {"xl/worksheets/sheet1.xml": extended})
    lost = unkept(source)
    assert lost == Unkept(validations=1, formats=1, sparklines=1)
    assert copy_lacks(lost) == (
        "原文件中的 1 个数据验证（下拉列表）、1 条条件格式、1 组迷你图未保留在批注副本中（原文件未改动）"
    )
    assert copy_lacks(lost, "en").startswith(
        "1 data validations (drop-down lists), 1 conditional formats and 1 sparkline groups of the original"
    )
    with warnings.catch_warnings(record=True) as caught:  # said in our words, not in openpyxl's warnings
        warnings.simplefilter("always")
        said = _cli("check", source, "--annotate", tmp_path / "out")
    assert copy_lacks(lost) in said.output.splitlines() and not caught
    with zipfile.ZipFile(tmp_path / "out" / source.name) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    assert b"x14:" not in sheet and b'<cfRule type="dataBar"' in sheet


def test_only_marked_cells_change(tmp_path, example_copy):
    source = example_copy(XIANGYANG)
    dest, plan = _annotated(tmp_path, source)
    touched = {(m.sheet, m.cell) for m in plan.marks} | {(w.sheet, w.cell) for w in plan.writes}
    assert _snapshot(source, touched, ("自评表",)) == _snapshot(dest, touched, ("自评表",))


def _merged_styles(path: Path) -> dict[str, tuple]:
    """The borders of every cell of the form's merged ranges, and the fill and protection of each but the first (which
    holds the range's value, and our marks), as the file has them."""
    with merged_cells_as_saved():
        sheet = load_workbook(path)["自评表"]
    styles = {}
    for merged in sheet.merged_cells.ranges:
        for n, (row, col) in enumerate(merged.cells):
            cell = sheet.cell(row, col)
            border = cell.border
            sides = tuple(
                side.style if side else None for side in (border.left, border.right, border.top, border.bottom)
            )
            styles[cell.coordinate] = (sides,) if n == 0 else (sides, cell.fill.fgColor.rgb, cell.protection.locked)
    return styles


def test_the_cells_of_a_merged_range_keep_their_own_styles(tmp_path, example_copy):
    """openpyxl, reading a sheet, blanks the styles of a merged range's cells but its first, draws borders of its
    own on the range's edges, and gives the first cell the last one's right and bottom borders (together more than
    half of an annotation's time, measured); the copy keeps each cell's as the file had it, so a unit that unmerges a
    range finds its cells as it left them."""
    source = example_copy(XIANGYANG)
    with merged_cells_as_saved():  # a range whose last cell has a border of its own, as Excel lets a unit draw
        book = load_workbook(source)
    sheet = book["自评表"]
    last = next(r for r in sheet.merged_cells.ranges if r.size["columns"] > 1)
    sheet.cell(last.max_row, last.max_col).border = Border(right=Side(style="thick"), bottom=Side(style="thick"))
    book.save(source)
    dest, _ = _annotated(tmp_path, source)
    before = _merged_styles(source)
    assert any(style[1:2] not in (("00000000",), (None,)) for style in before.values() if len(style) == 3)  # tinted
    assert _merged_styles(dest) == before


def test_values_a_program_left_under_a_merge_stay_in_the_copy(tmp_path, example_copy):
    """A file a program wrote may hold values in the cells a merge covers (a merge it did not move with the rows it
    inserted): the checker reads them, and openpyxl's reading dropped them, so the copy checked otherwise than the
    file it was made from (found by tests/test_robustness.py). They stay, and the copy checks as its original."""
    source = example_copy(XIANGYANG)
    book = load_workbook(source)
    row = check_path(source).scores.indicators[10].row
    first, last = row.ref("level2"), row.ref("actual")
    book["自评表"].merged_cells.add(f"{first.a1}:{last.a1}")  # over the cells' values, as such a program leaves it
    book.save(source)
    dest, _ = _annotated(tmp_path, source)
    original, copy = read_workbook(source).sheets["自评表"], read_workbook(dest).sheets["自评表"]
    assert [copy.value(first.row, c) for c in range(first.col, last.col + 1)] == [
        original.value(first.row, c) for c in range(first.col, last.col + 1)
    ]
    assert original.value(first.row, last.col) not in ("", None)
    assert check_path(dest).findings == check_path(source).findings


def test_annotating_twice_equals_once(tmp_path, example_copy):
    source = example_copy(XIANGYANG_OFFICIAL)
    once = annotate_file(source, build_plan(check_path(source)), tmp_path / "once.xlsx").path
    twice = annotate_file(once, build_plan(check_path(once)), tmp_path / "twice.xlsx").path
    assert _snapshot(once) == _snapshot(twice)


def test_user_note_is_kept_and_our_part_replaced(tmp_path, example_copy):
    source = example_copy(XIANGYANG_OFFICIAL)
    book = load_workbook(source)
    book.active["D6"].comment = Comment("单位备注：含政府性基金376万元", "填报人")
    book.save(source)
    once = annotate_file(source, build_plan(check_path(source)), tmp_path / "once.xlsx").path
    twice = annotate_file(once, build_plan(check_path(once)), tmp_path / "twice.xlsx").path
    note = load_workbook(twice).active["D6"].comment
    assert note.text.startswith("单位备注：含政府性基金376万元")
    assert note.text.count(NOTE_TAG) == 1
    assert note.author == "填报人"


def test_marks_disappear_when_the_problem_is_fixed(tmp_path, make_book):
    broken = make_book(clean_data(), {"rows": {4: {"score": 5}}})
    annotated = annotate_file(broken, build_plan(check_path(broken)), tmp_path / "a.xlsx").path
    cell = check_path(annotated).scores.indicators[4].row.ref("score").a1
    book = load_workbook(annotated)
    original_fill = load_workbook(broken)["自评表"][cell].fill.fgColor.rgb
    assert book["自评表"][cell].fill.fgColor.rgb.endswith(FILLS["error"])
    book["自评表"][cell].value = 3.49
    book.save(annotated)
    annotate_file(annotated, build_plan(check_path(annotated)), annotated)
    fixed = load_workbook(annotated)["自评表"][cell]
    assert fixed.fill.fgColor.rgb == original_fill
    assert fixed.comment is None


def test_computed_scores_are_written_to_the_template_column(tmp_path, make_book):
    source = make_book(clean_data())
    evaluation = check_path(source)
    annotate_file(source, build_plan(evaluation), source)
    sheet = load_workbook(source)["自评表"]
    cost = evaluation.scores.indicators[4].row.ref("computed_score").a1
    assert sheet[cost].value == 3.49
    total = evaluation.extraction.fields["checked_total"].ref.a1
    assert str(sheet[total].value).startswith("=")  # the 复核总分 formula is left in place


def test_findings_and_scores_inside_merged_cells_go_to_each_merges_first_cell(tmp_path, make_book):
    """A target merged over two indicators, and their 计算得分 cells merged: the copy could not be written at all
    (openpyxl refuses a value or a note on any cell of a merge but its first), and the command exited with 2."""
    source = make_book(clean_data(), MERGED_TARGET_AND_COMPUTED)
    evaluation = check_path(source)
    rows = evaluation.extraction.tables["indicators"].rows
    assert [f.cell for f in evaluation.findings] == [rows[0].ref("target").a1, rows[1].ref("target").a1]
    copy = annotate_file(source, build_plan(evaluation), tmp_path / "copy.xlsx").path
    sheet = load_workbook(copy)["自评表"]
    note = sheet[rows[0].ref("target").a1].comment.text
    assert "2021年项目总个数" in note and "政府专项项目个数" in note  # both findings, on the cell that shows them
    assert sheet[rows[0].ref("computed_score").a1].value == evaluation.scores.indicators[0].computed


def test_an_xlsx_named_xls_is_annotated(tmp_path):
    """Some systems save .xlsx content under an .xls name: it was checked, but openpyxl refused its name and the copy
    was “InvalidFileException: openpyxl does not support the old .xls file format”."""
    source = tmp_path / "单位.xls"
    source.write_bytes(XIANGYANG_OFFICIAL.read_bytes())
    evaluation = check_path(source)
    copy = annotate_file(source, build_plan(evaluation), tmp_path / "out" / "单位.xls").path
    assert [f.code for f in check_path(copy).findings] == [f.code for f in evaluation.findings]


def _with_backslashes(source: Path, dest: Path) -> Path:
    """The package with its member names written as some exporters write them, with Windows' separator
    (xl\\workbook.xml), which Excel opens."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            copy.writestr(info.filename.replace("/", "\\"), original.read(info))
    return dest


def test_a_package_named_with_backslashes_is_checked_and_annotated(tmp_path, example_copy):
    """A budget system's export naming its parts xl\\workbook.xml was “不是 Excel 工作簿（压缩包内没有 xl/workbook.xml）”
    (exit 2) though Excel opens it: read, and annotated into a copy with the names the format asks for."""
    source = _with_backslashes(TAOJIANG_OFFICIAL, tmp_path / "单位.xlsx")
    before = _digest(source)
    evaluation = check_path(source)
    expected = check_path(TAOJIANG_OFFICIAL)
    assert [(f.code, f.sheet, f.cell) for f in evaluation.findings] == [
        (f.code, f.sheet, f.cell) for f in expected.findings
    ]
    drawn = _with_backslashes(with_picture_and_text_box(example_copy(XIANGYANG_OFFICIAL)), tmp_path / "drawn.xlsx")
    assert unkept(drawn) == Unkept(shapes=1)  # what the copy cannot keep is counted by the names as they are meant
    copy = annotate_file(source, build_plan(evaluation), tmp_path / "out" / "单位.xlsx").path
    assert not any("\\" in name for name in zipfile.ZipFile(copy).namelist())
    assert RESULTS_SHEET in load_workbook(copy).sheetnames
    assert [f.code for f in check_path(copy).findings] == [f.code for f in expected.findings]
    assert _digest(source) == before


def _sheet_named_in_capitals(source: Path, dest: Path) -> Path:
    """The package with a worksheet's part named in another case than its relationship calls it
    (xl/worksheets/Sheet1.xml for worksheets/sheet1.xml): part names are case-insensitive, and Excel opens it."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in original.infolist():
            copy.writestr(info.filename.replace("sheet1.xml", "Sheet1.xml"), original.read(info))
    return dest


def test_a_part_named_in_another_case_is_read_and_annotated(tmp_path, make_book):
    """A filled template whose sheet part is xl/worksheets/Sheet1.xml: the formula scan missed the sheet, so the
    template's computed cells (执行率, 得分, 总分: formulas without results) read as typed 0s, four false 强制 errors
    (PE201, PE202, PE208, PE211); openpyxl saw no 自评表 and the copy was “无法写入…KeyError”."""
    source = make_book(clean_data())
    misnamed = _sheet_named_in_capitals(source, tmp_path / "单位.xlsx")
    before = _digest(misnamed)
    evaluation = check_path(misnamed)
    assert evaluation.findings == check_path(source).findings == []
    evaluation = check_path(make_book(clean_data(), {"fields": {"unit": ""}}))
    misnamed = _sheet_named_in_capitals(make_book(clean_data(), {"fields": {"unit": ""}}), tmp_path / "缺单位.xlsx")
    copy = annotate_file(misnamed, build_plan(check_path(misnamed)), tmp_path / "out" / "缺单位.xlsx").path
    assert {"自评表", RESULTS_SHEET} <= set(load_workbook(copy).sheetnames)
    assert [f.code for f in check_path(copy).findings] == [f.code for f in evaluation.findings] == ["PE101"]
    assert _digest(tmp_path / "单位.xlsx") == before


def test_text_from_submissions_never_becomes_a_formula(tmp_path, make_book):
    source = make_book(clean_data())
    book = load_workbook(source)
    cell = book["自评表"][check_path(source).extraction.fields["unit"].ref.a1]
    cell.value = '=HYPERLINK("http://x","点我")'
    cell.data_type = "s"  # what Excel stores when a unit types '=… as text
    book.save(source)
    evaluation = check_path(source)
    assert evaluation.unit.startswith("=HYPERLINK")
    dest = annotate_file(source, build_plan(evaluation), tmp_path / "a.xlsx").path
    results = load_workbook(dest)[RESULTS_SHEET]
    unit = next(results.cell(r, 2) for r in range(1, 10) if results.cell(r, 1).value == "单位")
    assert unit.data_type != "f"
    assert unit.value == '=HYPERLINK("http://x","点我")'


def _with_own_results_sheet(source: Path) -> Path:
    """The unit's own sheet named 校验结果 (its self-check record), as a workbook may hold one."""
    book = load_workbook(source)
    book.create_sheet(RESULTS_SHEET)["A1"] = "单位自查记录：财务科复核通过"
    book.save(source)
    return source


def test_a_sheet_of_the_units_named_like_ours_is_kept(tmp_path, make_book):
    """Annotating deleted any sheet named 校验结果, the unit's own with it (in its file, with --in-place or the
    button). Ours is 校验结果(2) beside it, and a second run replaces ours alone."""
    source = _with_own_results_sheet(make_book(clean_data(), {"rows": {4: {"score": 5}}}))
    copy = annotate_file(source, build_plan(check_path(source)), tmp_path / "a.xlsx").path
    again = annotate_file(copy, build_plan(check_path(copy)), tmp_path / "b.xlsx").path
    for path in (copy, again):
        book = load_workbook(path)
        assert [n for n in book.sheetnames if n.startswith(RESULTS_SHEET)] == [RESULTS_SHEET, f"{RESULTS_SHEET}(2)"]
        assert book[RESULTS_SHEET]["A1"].value == "单位自查记录：财务科复核通过"
        assert any(row[0] == "PE209" for row in book[f"{RESULTS_SHEET}(2)"].iter_rows(values_only=True))


def test_cli_in_place_and_annotate(tmp_path, example_copy):
    source = example_copy(XIANGYANG_OFFICIAL)
    before = _digest(source)
    out = tmp_path / "out"
    assert CliRunner().invoke(main, ["check", str(source), "--annotate", str(out)]).exit_code == 0
    assert _digest(source) == before
    assert RESULTS_SHEET in load_workbook(out / source.name).sheetnames
    assert CliRunner().invoke(main, ["check", str(source), "--in-place"]).exit_code == 0
    assert RESULTS_SHEET in load_workbook(source).sheetnames


def test_cli_refuses_to_annotate_over_the_original(tmp_path, example_copy):
    source = example_copy(XIANGYANG_OFFICIAL)
    before = _digest(source)
    result = CliRunner().invoke(main, ["check", str(source), "--annotate", str(source.parent)])
    assert result.exit_code == 2
    assert "--in-place" in result.output
    assert _digest(source) == before


def _sharing(source: Path, element: str) -> Path:
    """``source`` with ``element`` (a <fileSharing>) where Excel writes it in xl/workbook.xml: before <workbookPr>."""

    def put(xml: bytes) -> bytes:
        at = xml.index(b"<workbookPr")
        return xml[:at] + element.encode("utf-8") + xml[at:]

    return rewrite_parts(source, {"xl/workbook.xml": put})


_FILE_SHARING = re.compile(r"<(?:\w+:)?fileSharing\b[^>]*>")


@pytest.mark.parametrize(
    "element",
    [
        '<fileSharing readOnlyRecommended="1" userName="科协" reservationPassword="CBEB"/>',  # as Excel 2007 writes it
        '<fileSharing userName="张三" algorithmName="SHA-512" hashValue="pq7S1M3a+2HXbQ==" saltValue="Kf2Q0wK5hw==" '
        'spinCount="100000"/>',  # Excel 2010's on: the password's hash
    ],
    ids=["password", "hashed"],
)
def test_a_password_to_modify_stays_in_the_copy_and_in_place(tmp_path, example_copy, element):
    """A unit's 修改权限密码 (and 建议只读) live in xl/workbook.xml's <fileSharing>, which openpyxl drops: annotating in
    place took the password off the unit's own file without a word."""
    source = _sharing(example_copy(XIANGYANG), element)
    copy, _ = _annotated(tmp_path, source)
    annotate_file(source, build_plan(check_path(source)), source)
    for path in (copy, source):
        xml = _workbook_xml(path)
        assert _FILE_SHARING.findall(xml) == [element]
        assert xml.index("<fileSharing") < xml.index("<workbookPr")  # the schema's order, or Excel repairs the file
        assert load_workbook(path)["自评表"]["D6"].comment is not None
    assert not _FILE_SHARING.search(_workbook_xml(_annotated(tmp_path, XIANGYANG)[0]))  # none where there was none


def test_the_company_and_manager_of_the_documents_properties_stay_in_the_copy(tmp_path, example_copy):
    """openpyxl writes its own docProps/app.xml: the 公司 and 经理 of the file's properties (文件 → 属性 → 详细信息),
    which Excel fills in from Office's settings, were gone from the copy and from a file annotated in place."""
    company = "<Company>襄阳市科学技术协会</Company><Manager>李四</Manager>".encode()
    source = rewrite_parts(
        example_copy(XIANGYANG), {"docProps/app.xml": lambda xml: xml.replace(b"<Company></Company>", company)}
    )
    copy, _ = _annotated(tmp_path, source)
    annotate_file(source, build_plan(check_path(source)), source)
    for path in (copy, source):
        with zipfile.ZipFile(path) as archive:
            assert company in archive.read("docProps/app.xml")
        assert load_workbook(path)["自评表"]["D6"].comment is not None


def _workbook_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return archive.read("xl/workbook.xml").decode("utf-8")


def test_macro_workbook_keeps_its_vba_project(tmp_path):
    """An .xlsm keeps its VBA part byte for byte and stays macro-enabled (openpyxl keep_vba)."""
    import zipfile

    import xlsxwriter

    from perfeval_xl.definition import load_form
    from perfeval_xl.template import build_template

    vba = tmp_path / "vbaProject.bin"
    vba.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 4)  # opaque to openpyxl: kept as is
    plain = build_template(load_form("hubei"), tmp_path / "plain.xlsx", clean_data())
    source = tmp_path / "book.xlsm"
    book = xlsxwriter.Workbook(str(source))
    book.add_worksheet("按钮")
    book.add_vba_project(str(vba))
    book.close()
    # Put the form into the macro workbook: copy its sheet through openpyxl with keep_vba.
    from openpyxl import load_workbook as load

    macro = load(source, keep_vba=True)
    form = load(plain)["自评表"]
    target = macro.create_sheet("自评表")
    for row in form.iter_rows():
        for cell in row:
            target[cell.coordinate] = cell.value
    macro.save(source)
    macro.vba_archive.close()
    once = annotate_file(source, build_plan(check_path(source, "hubei")), tmp_path / "out.xlsm").path
    twice = annotate_file(once, build_plan(check_path(once, "hubei")), once).path
    with zipfile.ZipFile(twice) as archive:
        assert archive.read("xl/vbaProject.bin") == vba.read_bytes()
        assert "macroEnabled" in archive.read("[Content_Types].xml").decode()


def test_annotating_a_macro_workbook_leaves_no_archive_open(tmp_path, monkeypatch):
    """openpyxl's keep_vba holds the VBA parts in an in-memory zip that it never closes; left to the garbage
    collector, it can print "Exception ignored in: ZipFile.__del__ … I/O operation on closed file" after a run."""
    from perfeval_xl import writeback

    loaded, load = [], writeback._loaded

    def keep(*args, **kwargs):
        loaded.append(load(*args, **kwargs))
        return loaded[-1]

    monkeypatch.setattr(writeback, "_loaded", keep)
    source = ROOT / "workbook_templates" / "hubei.xlsm"
    annotate_file(source, build_plan(check_path(source)), tmp_path / "out.xlsm")
    assert loaded[0].vba_archive is not None and loaded[0].vba_archive.fp is None  # closed


def test_cli_refuses_two_inputs_onto_one_annotated_copy(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "x.xlsx", tmp_path / "b" / "x.xlsx"
    shutil.copy(XIANGYANG, first)
    shutil.copy(XIANGYANG_OFFICIAL, second)
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["check", str(first), str(second), "--annotate", str(out)])
    assert result.exit_code == 2
    assert "同名" in result.output
    assert not out.exists()  # refused before anything was written


def test_a_macro_workbook_openpyxl_refuses_leaves_no_zip_open(tmp_path, monkeypatch):
    """keep_vba copies an .xlsm's package into a zip of openpyxl's own before a later part (a style past the end of
    the style sheet) makes openpyxl refuse the workbook. That zip was left open, and closing it when it was collected
    printed a traceback ("Exception ignored in: ZipFile.__del__") under the one-line refusal."""
    bad = rewrite_parts(
        Path(shutil.copy(ROOT / "workbook_templates" / "hubei.xlsm", tmp_path / "导出.xlsm")),
        {"xl/worksheets/sheet1.xml": lambda xml: xml.replace(b' s="1"', b' s="9999"')},
    )
    unraisable: list[object] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    with pytest.raises(CannotAnnotate, match="IndexError"):
        annotate_file(bad, build_plan(check_path(bad)), tmp_path / "out" / bad.name)
    gc.collect()
    assert unraisable == []


def test_a_checked_total_leaving_out_an_inserted_row_is_written_to_read_it(tmp_path, make_book):
    """复核总分 is ours, summing the 计算得分 the copy writes. An older template's sums the indicator rows as they were,
    and leaves out a row inserted under them: the copy writes it the template's formula of now, from the header row
    to the row above 总分, and a second run finds nothing to rewrite. The unit's 总分 is left as it was (PE223's)."""
    source = row_added_under_old_sums(make_book)
    evaluation = check_path(source)
    fields = evaluation.extraction.fields
    checked, total = fields["checked_total"].ref, fields["total"].ref
    formula = (
        "=N($F$6)+MIN(40,SUM($K$8:INDEX($K:$K,MIN(ROW($K$21:$K$22))-1)))"
        "+MIN(30,SUM($K$21:INDEX($K:$K,MIN(ROW($K$27:$K$32))-1)))"
        f"+MIN(10,SUM($K$27:INDEX($K:$K,ROW($C${total.row + 1})-1)))"
    )
    plan = build_plan(evaluation)
    assert [(w.sheet, w.cell, w.value) for w in plan.writes if w.formula] == [(checked.sheet, checked.a1, formula)]
    copy = annotate_file(source, plan, tmp_path / "copy.xlsx").path
    sheet = load_workbook(copy)[checked.sheet]
    assert (sheet[checked.a1].value, sheet[total.a1].value) == (formula, "=N($F$6)+SUM($J$9:$J$31)")
    assert not [w for w in build_plan(check_path(copy)).writes if w.formula]


def test_a_checked_total_reading_every_row_is_left_as_it_is(make_book):
    assert not [w for w in build_plan(check_path(make_book(clean_data()))).writes if w.formula]


# 复核总分 as the templates of sessions 27 and 28 wrote it: the 计算得分 column summed whole, no section capped.
WHOLE_COLUMN = {"field:checked_total": "=N($F$6)+SUM($K$8:INDEX($K:$K,ROW($C$32)-1))"}


def test_the_templates_checked_total_counts_each_section_at_most_at_its_points(make_book):
    """复核总分 says what the check says: each section's 计算得分 summed at most to the section's points (湖北 备注2, 得分不得突破
    权重总额), as the scorer counts it; a 加减分 section (广州) keeps its own bounds."""
    formulas = {}
    for form, path in (
        ("hubei", make_book(clean_data(), OVER_ITS_POINTS)),
        ("guangzhou", make_book(CLEAN["guangzhou"]())),
    ):
        ref = check_path(path).extraction.fields["checked_total"].ref
        formulas[form] = load_workbook(path)[ref.sheet][ref.a1].value
    hubei = check_path(make_book(clean_data(), OVER_ITS_POINTS))
    assert {"PE205", "PE207"} <= {f.code for f in hubei.findings}
    assert formulas == {
        "hubei": "=N($F$6)+MIN(40,SUM($K$8:INDEX($K:$K,MIN(ROW($K$21:$K$26))-1)))"
        "+MIN(30,SUM($K$21:INDEX($K:$K,MIN(ROW($K$27:$K$31))-1)))+MIN(10,SUM($K$27:INDEX($K:$K,ROW($C$32)-1)))",
        "guangzhou": "=MIN(45,SUM($M$19:INDEX($M:$M,MIN(ROW($M$41:$M$80))-1)))"
        "+MIN(50,SUM($M$41:INDEX($M:$M,MIN(ROW($M$81:$M$81))-1)))+SUM($M$81:INDEX($M:$M,ROW($J$82)-1))",
    }
    assert not [w for w in build_plan(hubei).writes if w.formula]


def test_a_checked_total_reading_a_deleted_row_is_written_anew(make_book):
    """复核总分 reading #REF! (a row it named deleted) shows an error, whatever it sums: the copy writes it anew."""
    broken = {"field:checked_total": "=N($F$6)+SUM($K$8:INDEX($K:$K,ROW(#REF!)-1))"}
    plan = build_plan(check_path(make_book(clean_data(), {"cells": broken})))
    assert [w.value[:12] for w in plan.writes if w.formula] == ["=N($F$6)+MIN"]


def test_an_older_checked_total_is_written_to_count_a_section_at_most_at_its_points(tmp_path, make_book):
    """An older template's 复核总分 summed the 计算得分 column whole: with a section scored above its points, the copy
    writes it the template's formula of now, and a second run finds nothing to rewrite. While every section is within
    its points, the older formula says the same and is left as it is."""
    source = make_book(clean_data(), {**OVER_ITS_POINTS, "cells": WHOLE_COLUMN})
    evaluation = check_path(source)
    checked = evaluation.extraction.fields["checked_total"].ref
    plan = build_plan(evaluation)
    assert [(w.sheet, w.cell, w.value[:12]) for w in plan.writes if w.formula] == [
        (checked.sheet, checked.a1, "=N($F$6)+MIN")
    ]
    copy = annotate_file(source, plan, tmp_path / "copy.xlsx").path
    assert not [w for w in build_plan(check_path(copy)).writes if w.formula]
    within = make_book(clean_data(), {"cells": WHOLE_COLUMN})
    assert not [w for w in build_plan(check_path(within)).writes if w.formula]
