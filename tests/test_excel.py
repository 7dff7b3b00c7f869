"""The Excel button's Python side (perfeval_xl.excel), run against tests/xlwings_standin.py.

Excel cannot run on Linux, so these tests do not drive real Excel: they drive an in-memory stand-in that implements
only the xlwings calls perfeval_xl.excel makes. What they show is that the button reads the book into the same grid
as the file reader and leaves exactly the marks `perfeval check --in-place` writes from the same annotation plan.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.utils.cell import coordinate_to_tuple, range_boundaries
from openpyxl.workbook.protection import WorkbookProtection

from perfeval_xl import excel, unwritable, wordreport
from perfeval_xl.definition import load_form
from perfeval_xl.plan import ERROR_TEXT, FILLS, HEADER_FILL, MARKS_SHEET, NOTE_TAG, RESULTS_SHEET, build_plan
from perfeval_xl.reader import read_workbook
from perfeval_xl.service import check_grid, check_path
from perfeval_xl.template import build_template
from perfeval_xl.writeback import annotate_file, merged_cells_as_saved

from .conftest import (
    CARRIED_INTO_2020,
    GUANGZHOU,
    GUANGZHOU_OFFICIAL,
    HEBEI,
    MERGED_TARGET_AND_COMPUTED,
    TAOJIANG,
    TAOJIANG_OFFICIAL,
    XIANGYANG,
    XIANGYANG_OFFICIAL,
    YUEYANG,
    clean_data,
    mutate,
    row_added_under_old_sums,
    taojiang_clean_data,
    yueyang_last_year,
)
from .test_wordreport import FACTS as REPORT_FACTS
from .xlwings_standin import FakeBook, FakeRange

EXAMPLES = [XIANGYANG, XIANGYANG_OFFICIAL, GUANGZHOU, GUANGZHOU_OFFICIAL, HEBEI, TAOJIANG, TAOJIANG_OFFICIAL, YUEYANG]
IDS = [p.stem for p in EXAMPLES]


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else value


def _state(book: FakeBook) -> dict[str, Any]:
    """What a user sees of each sheet: order, visibility, constants, formulas, fills, notes and links. The marks
    sheet's fill-XML column is left out: only the command line can write openpyxl's XML."""
    state = {}
    for sheet in book.sheets:
        values = {k: _number(v) for k, v in sheet.values.items() if k not in sheet.formulas and v not in (None, "")}
        if sheet.name == MARKS_SHEET:
            values = {k: v for k, v in values.items() if k[1] != 3}
        state[sheet.name] = {
            "visible": sheet.visible,
            "values": values,
            "formulas": dict(sheet.formulas),
            "fills": dict(sheet.fills),
            "notes": {k: n.text for k, n in sheet.notes.items()},
            "links": {k: v.lstrip("#") for k, v in sheet.hyperlinks.items()},
        }
    return state


def _cli_annotated(source: Path, dest: Path) -> Path:
    return annotate_file(source, build_plan(check_path(source)), dest).path


def _pressed(path: Path) -> FakeBook:
    book = FakeBook.from_file(path)
    excel.recalculate(book)
    return book


@pytest.mark.parametrize("source", EXAMPLES, ids=IDS)
def test_button_reads_the_grid_the_file_reader_reads(source):
    from_file = read_workbook(source)
    from_excel = excel.read_book(FakeBook.from_file(source))
    assert list(from_excel.sheets) == list(from_file.sheets)
    assert from_excel.meta == from_file.meta
    for name, sheet in from_file.sheets.items():
        other = from_excel.sheets[name]
        assert sorted(other.merged) == sorted(sheet.merged)
        assert other.formulas == sheet.formulas
        for r in range(max(sheet.height, other.height)):
            for c in range(max(sheet.width, other.width)):
                if (r, c) not in sheet.formulas:
                    assert _number(other.value(r, c)) == _number(sheet.value(r, c)), (name, r, c)


def test_button_reads_values_a_program_left_under_a_merge_as_the_file_reader_does(tmp_path):
    """A file a program wrote may hold values in the cells a merge covers; Excel keeps them (Range.Value gives them)
    and the file reader reads them, so the button checks such a book as the command line does."""
    source = tmp_path / "merged.xlsx"
    book = load_workbook(XIANGYANG)
    row = check_path(XIANGYANG).scores.indicators[10].row
    first, last = row.ref("level2"), row.ref("actual")
    book["自评表"].merged_cells.add(f"{first.a1}:{last.a1}")  # over the cells' values, as such a program leaves it
    book.save(source)
    from_file, from_excel = read_workbook(source), excel.read_book(FakeBook.from_file(source))
    assert from_excel.sheets["自评表"].value(first.row, last.col) == from_file.sheets["自评表"].value(
        first.row, last.col
    )
    assert from_file.sheets["自评表"].value(first.row, last.col) not in ("", None)
    assert check_grid(from_excel).findings == check_path(source).findings


def test_button_reads_the_hidden_rows_and_columns_the_file_reader_reads(make_book):
    """PE111 from the open book (a hidden row's height and a hidden column's width are 0) as from the file."""
    source = make_book(clean_data(), {"hide": {"rows": ["row:2:name"], "cols": ["row:0:target"]}})
    from_file, from_excel = check_path(source), check_grid(excel.read_book(FakeBook.from_file(source)))
    hidden = [(f.cell, f.message()) for f in from_file.findings if f.code == "PE111"]
    assert len(hidden) >= 2
    assert [(f.cell, f.message()) for f in from_excel.findings if f.code == "PE111"] == hidden


@pytest.mark.parametrize("source", EXAMPLES, ids=IDS)
def test_button_leaves_the_marks_the_command_line_writes(tmp_path, source):
    pressed = _pressed(source)
    cli = FakeBook.from_file(_cli_annotated(source, tmp_path / source.name))
    assert _state(pressed) == _state(cli)
    assert pressed.app.screen_updating is True
    assert [a["title"] for a in pressed.app.alerts] == [excel.TITLE]


def test_button_marks_inside_merged_cells_as_the_command_line_does(tmp_path, make_book):
    source = make_book(clean_data(), MERGED_TARGET_AND_COMPUTED)
    assert _state(_pressed(source)) == _state(FakeBook.from_file(_cli_annotated(source, tmp_path / "cli.xlsx")))


def test_button_writes_the_checked_total_formula_the_command_line_writes(tmp_path, make_book):
    """An older template's 复核总分 leaving out a row inserted under the indicators reads it once pressed, as in the
    command line's copy."""
    source = row_added_under_old_sums(make_book)
    pressed = _pressed(source)
    assert _state(pressed) == _state(FakeBook.from_file(_cli_annotated(source, tmp_path / "cli.xlsx")))
    checked = check_path(source).extraction.fields["checked_total"].ref
    assert "INDEX($K:$K" in pressed.sheets[checked.sheet].formulas[(checked.row + 1, checked.col + 1)]


def test_button_reads_results_calculated_now_in_manual_calculation(make_book):
    """Excel in manual calculation (it takes the mode of the first workbook opened in a session) shows a unit's own
    formula with its last result until F9: the button read that stale result (执行数 0, so 执行率 0 and the budget
    score 0) instead of what the unit had typed."""
    source = make_book(clean_data())
    ref = check_path(source).extraction.fields["executed"].ref
    book = FakeBook.from_file(source)
    sheet, key = book.sheets[ref.sheet], (ref.row + 1, ref.col + 1)
    sheet.formulas[key] = "=3014.42"  # the unit's own formula, its result not yet calculated
    sheet.uncalculated[key] = sheet.values[key]
    sheet.values[key] = 0
    excel.recalculate(book)
    assert book.app.alerts == _pressed(source).app.alerts


def test_button_scores_and_marks_a_workbook_with_errors(tmp_path, make_book):
    source = make_book(clean_data(), {"rows": {4: {"score": 5}}})
    book = _pressed(source)
    evaluation = check_path(source)
    cell = evaluation.scores.indicators[4].row.ref("score")
    sheet = book.sheets[cell.sheet]
    assert sheet.fills[(cell.row + 1, cell.col + 1)] == tuple(int(FILLS["error"][i : i + 2], 16) for i in (0, 2, 4))
    assert NOTE_TAG in sheet.notes[(cell.row + 1, cell.col + 1)].text
    computed = evaluation.scores.indicators[4].row.ref("computed_score")
    assert sheet.values[(computed.row + 1, computed.col + 1)] == 3.49
    alert = book.app.alerts[-1]
    assert alert["mode"] == "critical" and "错误 1 项" in alert["prompt"]
    assert book.sheets.active.name == RESULTS_SHEET
    results = book.sheets[RESULTS_SHEET]
    header = next(r for (r, c), v in results.values.items() if c == 1 and v == "代码")
    assert {(1, 1), (header, 1), (header, 8)} <= results.bold and results.values[(header, 8)] == "差额"
    assert results.widths[5] == 80
    rules = next(r for (r, c), v in results.values.items() if c == 1 and v == "代码" and r > header)
    assert results.values[(rules, 5)] == "规则说明" and {(rules, 1), (rules, 5)} <= results.bold
    found = [r for (r, c) in results.values if c == 1 and r > header and r != rules]  # the findings, and their rules
    assert {(r, 5) for r in found} <= results.wrapped and {(r, 1) for r in found} <= results.top_aligned
    assert sheet.protected and book.sheets[cell.sheet].protection["AllowInsertingRows"]


def test_buttons_results_sheet_shows_its_header_and_errors_as_the_files_does(example_copy):
    """The button's 校验结果 sheet looks as an annotated copy's: its header tinted, centred and framed, 强制 red and
    bold, the summary's values starting where its texts do."""
    book = _pressed(example_copy(HEBEI))  # 强制 (PE101) and 提示 (PE215) findings
    results = book.sheets[RESULTS_SHEET]
    header = next(r for (r, c), v in results.values.items() if c == 1 and v == "代码")
    fill = tuple(int(HEADER_FILL[i : i + 2], 16) for i in (0, 2, 4))
    for col in range(1, 9):
        assert results.fills[(header, col)] == fill and results.aligned[(header, col)] == "center"
        assert results.framed[(header, col)] == ("continuous", "thin")
    levels = {r: v for (r, c), v in results.values.items() if c == 2 and r > header}
    red = {r for r, v in levels.items() if v == "强制"}
    assert red and red != set(levels)
    assert {(r, 2): f"#{ERROR_TEXT}" for r in red} == {k: v for k, v in results.font_colors.items() if k[1] == 2}
    assert {(r, 2) for r in red} <= results.bold
    year = next(r for (r, c), v in results.values.items() if c == 1 and v == "年度" and r < header)
    assert results.aligned[(year, 2)] == "left"


def test_button_on_a_form_without_points_says_so():
    alert = _pressed(HEBEI).app.alerts[-1]
    assert alert["prompt"].startswith("本表式不计分。")
    assert "发现错误 6 项、提示 1 项" in alert["prompt"]
    assert "计算总分" not in alert["prompt"]


def test_pressing_twice_gives_the_same_marks(make_book):
    book = FakeBook.from_file(make_book(clean_data(), {"rows": {4: {"score": 5}}}))
    excel.recalculate(book)
    once = _state(book)
    excel.recalculate(book)
    assert _state(book) == once
    assert all(note.count(NOTE_TAG) == 1 for sheet in once.values() for note in sheet["notes"].values())


@pytest.mark.parametrize("source", [XIANGYANG, GUANGZHOU_OFFICIAL], ids=["hubei", "guangzhou_official"])
def test_clear_marks_restores_fills_and_notes_after_either_applier(tmp_path, source):
    original = _state(FakeBook.from_file(source))
    for annotated in (_pressed(source), FakeBook.from_file(_cli_annotated(source, tmp_path / source.name))):
        excel.clear_marks(annotated)
        after = _state(annotated)
        assert list(after) == list(original)
        for name, sheet in original.items():
            assert after[name]["fills"] == sheet["fills"]
            assert after[name]["notes"] == sheet["notes"]
        assert annotated.app.alerts[-1]["mode"] == "info"


def test_command_line_clears_what_the_button_left(tmp_path, make_book):
    """A unit presses the button, saves, and the bureau annotates the file: one set of marks, not two."""
    source = make_book(clean_data(), {"rows": {4: {"score": 5}}})
    book = _pressed(source)
    saved = tmp_path / "saved.xlsx"
    _save_state_as_file(book, source, saved)
    again = _cli_annotated(saved, tmp_path / "again.xlsx")
    assert _state(FakeBook.from_file(again)) == _state(FakeBook.from_file(_cli_annotated(source, tmp_path / "x.xlsx")))


def _save_state_as_file(book: FakeBook, template: Path, dest: Path) -> None:
    """What Excel would save: the stand-in's fills, notes, values and sheets written over the original file."""
    from openpyxl.cell.cell import MergedCell
    from openpyxl.styles import PatternFill

    with merged_cells_as_saved():  # each cell of a merge keeps its own style, as Excel saves it
        wb = load_workbook(template)
    for sheet in book.sheets:
        ws = wb[sheet.name] if sheet.name in wb.sheetnames else wb.create_sheet(sheet.name)
        if not sheet.visible:
            ws.sheet_state = "hidden"
        for (r, c), value in sheet.values.items():
            if (r, c) not in sheet.formulas:
                ws.cell(r, c).value = value
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell, MergedCell):
                    continue
                rgb = sheet.fills.get((cell.row, cell.column))
                hex_rgb = "{:02X}{:02X}{:02X}".format(*rgb) if rgb else None
                cell.fill = PatternFill("solid", start_color=hex_rgb, end_color=hex_rgb) if rgb else PatternFill()
                note = sheet.notes.get((cell.row, cell.column))
                cell.comment = Comment(note.text, "x") if note else None
    wb.save(dest)


def test_a_unit_note_is_kept(make_book):
    source = make_book(clean_data(), {"rows": {4: {"score": 5}}})
    book = FakeBook.from_file(source)
    cell = check_path(source).scores.indicators[4].row.ref("score")
    sheet, key = book.sheets[cell.sheet], (cell.row + 1, cell.col + 1)
    sheet.protected = False
    sheet.range(cell.a1).add_note("单位备注：按实际完成量计分")
    excel.recalculate(book)
    excel.recalculate(book)
    assert sheet.notes[key].text.startswith("单位备注：按实际完成量计分")
    assert sheet.notes[key].text.count(NOTE_TAG) == 1
    excel.clear_marks(book)
    assert sheet.notes[key].text == "单位备注：按实际完成量计分"


@pytest.mark.parametrize("refused_on", ["自评表", RESULTS_SHEET])
def test_a_press_that_fails_midway_leaves_marks_the_next_press_undoes(make_book, monkeypatch, refused_on):
    """Excel can refuse a change midway (a busy application): the cells marked before it kept our colours and notes
    with no record of what they had, so the next press doubled the notes and clearing could not give the unit's
    colours back; and a results sheet half written was left as if it were the unit's own, the next press writing
    校验结果(2) beside it."""
    source = make_book(clean_data(), {"rows": {4: {"score": 5}, 6: {"actual": "/"}}})
    book = FakeBook.from_file(source)
    real = FakeRange.color
    calls = iter(range(1000))

    def refused_once(self, value):
        if value is not None and self.sheet.name == refused_on and next(calls) == 0:
            raise RuntimeError("Excel refused the change")
        real.fset(self, value)

    monkeypatch.setattr(FakeRange, "color", property(real.fget, refused_once))
    excel.recalculate(book)
    assert book.app.alerts[-1]["prompt"].startswith("perfeval 运行出错")
    monkeypatch.setattr(FakeRange, "color", real)
    excel.recalculate(book)
    once = _pressed(source)
    assert _state(book) == _state(once)
    excel.clear_marks(book)
    excel.clear_marks(once)  # the unit's colours and notes back (our computed scores stay, as the button says)
    assert _state(book) == _state(once)


def test_a_cell_whose_note_excel_refuses_is_still_marked_and_listed(make_book, monkeypatch):
    """Excel 365 keeps a threaded comment (可回复的批注) or a note on a cell, not both, and refuses our note on a cell
    holding a thread: the press ended in “perfeval 运行出错” with the book half marked. The cell keeps its colour and
    its row in 校验结果, the alert says how many cells have no note, and pressing again gives the same marks."""
    source = make_book(clean_data(), {"rows": {4: {"score": 5}, 6: {"actual": "/"}}})
    threaded = build_plan(check_path(source), "zh").marks[0]
    book = FakeBook.from_file(source)
    real = FakeRange.add_note

    def refused_on_the_thread(self, text):
        if (self.sheet.name, (self.row, self.column)) == (threaded.sheet, coordinate_to_tuple(threaded.cell)):
            raise RuntimeError("This cell already has a threaded comment.")
        return real(self, text)

    monkeypatch.setattr(FakeRange, "add_note", refused_on_the_thread)
    excel.recalculate(book)
    alert = book.app.alerts[-1]["prompt"]
    assert "perfeval 运行出错" not in alert and "1 个单元格" in alert
    sheet = book.sheets[threaded.sheet]
    target = sheet.range(threaded.cell)
    assert target.note is None and target.color is not None
    results = [row for row in book.sheets[RESULTS_SHEET].used_range.value if threaded.cell in row]
    assert results
    first = _state(book)
    excel.recalculate(book)
    assert _state(book) == first
    excel.clear_marks(book)
    assert RESULTS_SHEET not in [s.name for s in book.sheets]
    assert target.color == FakeBook.from_file(source).sheets[threaded.sheet].range(threaded.cell).color


def test_text_from_the_book_is_written_as_text(make_book):
    source = make_book(clean_data())
    book = FakeBook.from_file(source)
    ref = check_path(source).extraction.fields["unit"].ref
    sheet = book.sheets[ref.sheet]
    sheet.protected = False
    sheet.range(ref.a1).value = "'=1+1单位"
    excel.recalculate(book)
    results = book.sheets[RESULTS_SHEET]
    assert "=1+1单位" in results.values.values()
    assert not results.formulas


def test_button_keeps_a_sheet_of_the_units_named_like_ours(make_book):
    source = make_book(clean_data(), {"rows": {4: {"score": 5}}})
    book = load_workbook(source)
    book.create_sheet(RESULTS_SHEET)["A1"] = "单位自查记录：财务科复核通过"
    book.save(source)
    pressed = FakeBook.from_file(source)
    for _ in range(2):
        excel.recalculate(pressed)
        names = [s.name for s in pressed.sheets]
        assert [n for n in names if n.startswith(RESULTS_SHEET)] == [RESULTS_SHEET, f"{RESULTS_SHEET}(2)"]
        assert pressed.sheets[RESULTS_SHEET].values[(1, 1)] == "单位自查记录：财务科复核通过"
        assert pressed.sheets.active.name == f"{RESULTS_SHEET}(2)"
        assert f"明细见“{RESULTS_SHEET}(2)”工作表" in pressed.app.alerts[-1]["prompt"]


def test_a_workbook_of_no_known_form_is_reported(tmp_path):
    path = tmp_path / "other.xlsx"
    wb = load_workbook(XIANGYANG)
    wb.remove(wb["自评表"])
    wb.create_sheet("Sheet1")["A1"] = "工资表"
    wb.save(path)
    book = FakeBook.from_file(path)
    excel.recalculate(book)
    alert = book.app.alerts[-1]
    assert alert["mode"] == "critical" and alert["prompt"].startswith("无法校验本工作簿：不是湖北")
    assert RESULTS_SHEET not in [s.name for s in book.sheets]


def test_a_password_protected_sheet_is_reported_not_forced(make_book):
    book = FakeBook.from_file(make_book(clean_data(), {"rows": {4: {"score": 5}}}))
    book.sheets["自评表"].password = "单位密码"
    excel.recalculate(book)
    assert "撤销工作表保护" in book.app.alerts[-1]["prompt"]
    assert book.sheets["自评表"].protected
    assert book.app.screen_updating is True


def _structure_protected(path: Path, password: str = "") -> Path:
    """The workbook with its structure protected (审阅 → 保护工作簿), as bureaus lock forms against added sheets."""
    book = load_workbook(path)
    book.security = WorkbookProtection(lockStructure=True)
    if password:
        book.security.workbookPassword = password
    book.save(path)
    return path


def test_a_workbook_with_its_structure_protected_is_marked_and_stays_protected(make_book):
    """Excel refuses to add or delete a sheet while the workbook's structure is protected: the press ended in
    “perfeval 运行出错” (the 校验结果 sheet could not be added), and so did 清除校验标记."""
    book = FakeBook.from_file(_structure_protected(make_book(clean_data(), {"rows": {4: {"score": 5}}})))
    excel.recalculate(book)
    assert RESULTS_SHEET in [s.name for s in book.sheets]
    assert book.app.alerts[-1]["prompt"].startswith("计算总分")
    assert book.structure_protected
    excel.clear_marks(book)
    assert RESULTS_SHEET not in [s.name for s in book.sheets]
    assert book.structure_protected


def test_a_workbook_structure_protected_with_a_password_is_reported_not_forced(make_book):
    book = FakeBook.from_file(_structure_protected(make_book(clean_data()), "单位密码"))
    book.password = "单位密码"
    excel.recalculate(book)
    assert "保护工作簿" in book.app.alerts[-1]["prompt"]
    assert book.structure_protected
    assert [s.name for s in book.sheets] == [s.name for s in FakeBook.from_file(book.fullname).sheets]


def test_an_internal_failure_ends_in_a_message_box(monkeypatch, make_book):
    book = FakeBook.from_file(make_book(clean_data()))

    def broken(*_: Any, **__: Any) -> None:
        raise ValueError("boom")

    monkeypatch.setattr("perfeval_xl.plan.build_plan", broken)
    excel.recalculate(book)
    alert = book.app.alerts[-1]
    assert alert["mode"] == "critical"
    assert "ValueError: boom" in alert["prompt"] and "perfeval check" in alert["prompt"]
    assert book.app.screen_updating is True


def test_the_module_imports_without_xlwings_or_the_engine():
    import subprocess
    import sys

    code = (
        "import sys, perfeval_xl.excel; print(sorted(m for m in ('xlwings', 'perfeval_xl.engine') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_a_used_range_stretched_far_away_is_refused_before_it_is_read(monkeypatch):
    """Excel's used range grows with formatting: a column bordered down to row 1,048,576 made the button read and
    walk millions of cells, Excel unresponsive meanwhile. Beyond the file reader's limit it is refused, the corner
    said, before a value is read."""
    book = FakeBook.from_file(XIANGYANG)
    book.sheets["自评表"].values[(400_000, 13)] = "x"  # 400,000 rows by 13 columns: beyond 5 million cells
    read, value = [], FakeRange.value
    monkeypatch.setattr(FakeRange, "value", property(lambda rng: read.append(rng.shape) or value.fget(rng), value.fset))
    excel.recalculate(book)
    assert book.app.alerts[-1]["prompt"] == (
        "无法校验本工作簿：工作表“自评表”的已用区域延伸到 M400000（400000 行 × 13 列），超出读取上限 5,000,000 个单元格："
        "通常是远处的单元格设了格式或误填了内容，请删除多余的行和列后保存，再按按钮"
    )
    assert (400_000, 13) not in read


def test_a_template_pressed_before_anything_is_typed_says_there_is_no_grade(tmp_path):
    book = FakeBook.from_file(build_template(load_form("hubei"), tmp_path / "空表.xlsx"))
    excel.recalculate(book)
    assert book.app.alerts[-1]["prompt"].startswith("计算总分 0，评价等次 —（没有可计分的内容）。")


def _yueyang_pressed_for_last_year(tmp_path: Path, chosen: str | bool) -> FakeBook:
    book = FakeBook.from_file(YUEYANG)
    book.app.chosen = chosen
    excel.compare_with_last_year(book)
    return book


def test_the_last_year_button_marks_each_figure_that_differs_from_the_form_chosen(tmp_path):
    """岳阳's and 湖南's forms give figures for last year (上年结转, 上年决算数), which the unit's form of last year
    gave: the 与上年报送的表核对 button asks for that file and marks each figure that differs (PE401), as
    perfeval check --prior does."""
    last = yueyang_last_year(tmp_path, {**CARRIED_INTO_2020, "2、科技馆": 40.0})
    book = _yueyang_pressed_for_last_year(tmp_path, str(last))
    assert book.app.asked == [
        ("Excel 工作簿 (*.xlsx;*.xlsm;*.xls),*.xlsx;*.xlsm;*.xls", 1, "选择本单位上年报送的表", False)
    ]
    evaluation = check_path(YUEYANG)
    row = next(r for r in evaluation.extraction.tables["income"].rows if r.raw("name") == "2、科技馆")
    cell = row.ref("carryover")
    note = book.sheets[cell.sheet].notes[(cell.row + 1, cell.col + 1)].text
    assert "PE401" in note and f"上年报送的“2、科技馆 累计结余”为 40（{last.name}）" in note
    assert f"上年数已与上年报送的 {last.name} 核对。" in book.app.alerts[-1]["prompt"]


def test_the_last_year_button_says_how_the_total_moved(tmp_path):
    """湖南: the button also says how the computed total moved since the form chosen, as the report says it."""
    data = taojiang_clean_data()
    data["fields"]["year"] = 2022
    last = build_template(load_form("hunan"), tmp_path / "桃江2022.xlsx", mutate(data, {"rows": {0: {"score": 0}}}))
    before = check_path(last).scores
    book = FakeBook.from_file(TAOJIANG)
    book.app.chosen = str(last)
    excel.compare_with_last_year(book)
    now, then = round(check_path(TAOJIANG).scores.total, 2), round(before.total, 2)
    moved = f"较上年度（2022年度自评总分{then:g}分，评价等次“{before.grade}”）提高{round(now - then, 2):g}分。"
    assert moved in book.app.alerts[-1]["prompt"]


def test_the_last_year_button_says_why_it_compared_nothing(tmp_path):
    """Cancelled, another year's form, or a file that is no workbook: the message box says so, and no figure is
    compared (the scores and marks are those of 重新计算得分, or none when nothing was chosen)."""
    cancelled = _yueyang_pressed_for_last_year(tmp_path, False)
    assert cancelled.app.alerts[-1]["prompt"] == "未选择上年报送的表，未作跨期核对。"
    older = _yueyang_pressed_for_last_year(tmp_path, str(yueyang_last_year(tmp_path, {"2、科技馆": 40.0}, 2018)))
    prompt = older.app.alerts[-1]["prompt"]
    assert "是 2018 年度的，不是本表（2020 年度）的上一年度，未作跨期核对" in prompt
    assert not [n for sheet in older.sheets for n in sheet.notes.values() if "PE401" in n.text]
    broken = tmp_path / "2019.xlsx"
    broken.write_bytes(b"not a workbook")
    unreadable = _yueyang_pressed_for_last_year(tmp_path, str(broken))
    assert unreadable.app.alerts[-1]["prompt"].startswith("上年的表 2019.xlsx 无法读取：不是 Excel 工作簿")
    assert unreadable.app.alerts[-1]["mode"] == "critical"


def test_the_last_year_button_without_an_open_dialog_points_to_the_command_line(monkeypatch):
    """Excel for Mac's api (appscript) has no GetOpenFilename: the button says what to run instead."""
    book = FakeBook.from_file(YUEYANG)
    monkeypatch.setattr(type(book.app), "api", property(lambda app: object()))
    excel.compare_with_last_year(book)
    alert = book.app.alerts[-1]
    assert alert["mode"] == "critical" and "perfeval check 本表 --prior 上年的表 --in-place" in alert["prompt"]


def _xiangyang_pressed_for_institutions(chosen: tuple[str, ...] | bool) -> FakeBook:
    book = FakeBook.from_file(XIANGYANG)
    book.app.chosen = chosen
    excel.compare_with_institutions(book)
    return book


def test_the_institutions_button_marks_each_figure_that_is_not_their_sum(make_book):
    """The 与各机构的表核对 button asks for the institutions' forms (several at once) and marks each amount and count of
    the department's form that is not their sum (PE402), as perfeval check --part does."""
    from .test_parts import CENTRE, OFFICE

    parts = []
    for unit, figures in (("襄阳市科协机关", OFFICE), ("襄阳市科技馆", {**CENTRE, "budget": 900.0})):
        data = clean_data()
        data["fields"].update(figures, unit=unit)
        parts.append(str(make_book(data)))
    book = _xiangyang_pressed_for_institutions((*parts, str(XIANGYANG)))  # the open form picked too: not summed
    assert book.app.asked[-1][2:] == ("选择各机构（机关、二级机构）的表，可按住 Ctrl 多选", True)
    cell = check_path(XIANGYANG).extraction.fields["budget"].ref
    note = book.sheets[cell.sheet].notes[(cell.row + 1, cell.col + 1)].text
    assert "PE402" in note and "各机构之和为 2534.17（2 个机构的表）" in note
    alert = book.app.alerts[-1]
    assert "已与 2 个机构的表之和核对。" in alert["prompt"] and alert["mode"] == "critical"


def test_the_institutions_button_says_why_it_compared_nothing(make_book, tmp_path):
    cancelled = _xiangyang_pressed_for_institutions(False)
    assert cancelled.app.alerts[-1] == {
        **cancelled.app.alerts[-1],
        "prompt": "未选择各机构的表，未作汇总核对。",
        "mode": "info",
    }
    data = clean_data()
    data["fields"].update(unit="机关", year=2020)
    older = _xiangyang_pressed_for_institutions((str(make_book(data)),))
    assert "机构的表是 2020 年度的，本表是 2021 年度的，未作汇总核对。" in older.app.alerts[-1]["prompt"]
    assert not [n for sheet in older.sheets for n in sheet.notes.values() if "PE402" in n.text]
    broken = tmp_path / "机关.xlsx"
    broken.write_bytes(b"not a workbook")
    unreadable = _xiangyang_pressed_for_institutions((str(broken),))
    assert unreadable.app.alerts[-1]["prompt"].startswith("机构的表 机关.xlsx 无法读取：不是 Excel 工作簿")


def _report_pressed(book: FakeBook) -> dict[str, Any]:
    excel.write_report(book)
    return book.app.alerts[-1]


def test_the_report_button_writes_the_report_of_the_book_as_it_is_open_beside_its_file(tmp_path):
    """生成自评报告: the 自评报告 of the book as Excel shows it, an edit not yet saved included, written beside its
    file as perfeval report writes it; the book is neither marked nor changed."""
    from .test_wordreport import text_of

    source = tmp_path / "襄阳2021.xlsx"
    source.write_bytes(XIANGYANG.read_bytes())
    evaluation = check_path(source)
    cell = evaluation.extraction.fields["unit"].ref
    book = FakeBook.from_file(source)
    book.sheets[cell.sheet].values[(cell.row + 1, cell.col + 1)] = "襄阳市科协（未保存的改动）"
    before = _state(book)
    alert = _report_pressed(book)
    written = tmp_path / "襄阳2021_自评报告.docx"
    text = text_of(written)
    assert "襄阳市科协（未保存的改动）" in text and "自评总分93分" in text
    assert alert["prompt"] == (
        f"已生成自评报告：{written}\n"
        f"自评表尚有{wordreport.findings_phrase(evaluation)}，已列入附件2；点击“重新计算得分”可在表中标出。"
    )
    assert alert["mode"] == "info"
    assert _state(book) == before
    assert source.read_bytes() == XIANGYANG.read_bytes()


@pytest.mark.parametrize("source", list(REPORT_FACTS), ids=lambda p: p.stem)
def test_the_report_button_states_the_workbook_facts_for_every_form(tmp_path, source):
    """The unit, year, budget, executed amount, total and grade, as the command line's report states them. (Its
    附件1 may show more than the command line's of the same file: Excel has calculated the formulas, whose saved
    results the command line does not trust in a file no spreadsheet calculated.)"""
    from .test_wordreport import text_of

    copy = tmp_path / source.name
    copy.write_bytes(source.read_bytes())
    _report_pressed(FakeBook.from_file(copy))
    text = text_of(tmp_path / f"{source.stem}_自评报告.docx")
    assert all(fact in text for fact in REPORT_FACTS[source]), REPORT_FACTS[source]


def test_the_report_button_never_replaces_a_report_written_before(tmp_path):
    """A report the unit went on to edit in Word is kept: pressing again writes 襄阳2021_自评报告(2).docx."""
    source = tmp_path / "襄阳2021.xlsx"
    source.write_bytes(XIANGYANG.read_bytes())
    first = tmp_path / "襄阳2021_自评报告.docx"
    first.write_bytes(b"edited in Word")
    alert = _report_pressed(FakeBook.from_file(source))
    assert first.read_bytes() == b"edited in Word"
    assert alert["prompt"].startswith(f"已生成自评报告：{tmp_path / '襄阳2021_自评报告(2).docx'}\n")
    assert (tmp_path / "襄阳2021_自评报告(2).docx").stat().st_size > 0


@pytest.mark.parametrize(
    ("fullname", "said"),
    [
        ("工作簿1", "本工作簿尚未保存：请先保存，自评报告写在它所在的文件夹中。"),
        (
            "https://d.docs.live.net/3f2a/文档/襄阳2021.xlsx",
            "本工作簿保存在 OneDrive 或 SharePoint 上：请先另存到本机的文件夹，自评报告写在它所在的文件夹中。",
        ),
    ],
    ids=["unsaved", "onedrive"],
)
def test_the_report_button_on_a_book_with_no_folder_says_what_to_do(tmp_path, fullname, said):
    book = FakeBook.from_file(XIANGYANG)
    book.fullname = fullname
    assert _report_pressed(book) == {"prompt": said, "title": excel.TITLE, "mode": "critical"}


def test_the_report_button_says_why_it_could_not_write(tmp_path, monkeypatch):
    """A folder the unit may not write in (the book opened from a read-only share): one sentence, no traceback."""
    source = tmp_path / "襄阳2021.xlsx"
    source.write_bytes(XIANGYANG.read_bytes())

    def refused(evaluation: Any, path: Path, *args: Any) -> Path:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(wordreport, "write_report", refused)
    alert = _report_pressed(FakeBook.from_file(source))
    assert alert["prompt"] == f"无法写入 {tmp_path / '襄阳2021_自评报告.docx'}：{unwritable.reason(PermissionError())}"
    assert alert["mode"] == "critical"


def test_buttons_results_sheet_is_frozen_filtered_and_printed_as_the_files(tmp_path, example_copy):
    """The button's 校验结果 sheet keeps its header in view, filters its findings and prints A4 across, one page wide,
    the header on every page, as an annotated copy's does (it had none of these)."""
    source = example_copy(XIANGYANG)
    book = _pressed(source)
    copy = load_workbook(_cli_annotated(source, tmp_path / "annotated.xlsx"))[RESULTS_SHEET]
    results = book.sheets[RESULTS_SHEET]
    header = next(r for (r, c), v in results.values.items() if c == 1 and v == "代码")
    assert copy.freeze_panes == f"A{header + 1}" and results.frozen == (header, 0)
    c1, r1, c2, r2 = range_boundaries(copy.auto_filter.ref)
    assert results.autofilter == (r1, c1, r2, c2) and r1 == header
    assert results.page_setup == {
        "Orientation": 2,  # xlLandscape, as the copy's
        "PaperSize": 9,  # xlPaperA4
        "Zoom": False,  # else Excel ignores FitToPages
        "FitToPagesWide": 1,
        "FitToPagesTall": False,  # as many pages down as it takes
        "PrintTitleRows": copy.print_title_rows,
    }


@pytest.mark.parametrize("excel_lacks", ["a printer", "a window"])
def test_button_goes_on_when_excel_refuses_laying_out_its_results(monkeypatch, example_copy, excel_lacks):
    """Excel without a printer refuses page setup, and an Excel showing no window has none to freeze panes in: the
    button's results are complete all the same, laid out as far as Excel lets, and the press ends in its usual
    alert."""
    source = example_copy(XIANGYANG)
    usual = _pressed(source)
    book = FakeBook.from_file(source)
    if excel_lacks == "a printer":
        book.no_printer = True
    else:
        monkeypatch.setattr(type(book.app), "ActiveWindow", property(lambda app: None))  # Excel started hidden: Nothing
    excel.recalculate(book)
    results = book.sheets[RESULTS_SHEET]
    assert results.autofilter and (results.frozen is None) == (excel_lacks != "a printer")
    assert bool(results.page_setup) == (excel_lacks != "a printer")
    assert book.app.alerts == usual.app.alerts and _state(book) == _state(usual)
