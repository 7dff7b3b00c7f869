"""perfeval batch: a folder or zip of submissions in, summary / JSON / CSV / annotated copies / history out."""

from __future__ import annotations

import csv
import gc
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
import weakref
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlalchemy import create_engine, inspect, text

from perfeval_xl import batch as batch_module
from perfeval_xl import submissions as submissions_module
from perfeval_xl.batch import BatchResult, Entry, Progress, run_batch
from perfeval_xl.cli import main
from perfeval_xl.definition import load_form
from perfeval_xl.history import Found, History, HistoryError, Recorded, changes
from perfeval_xl.plan import display_width, looks_like_formula, text_height
from perfeval_xl.provenance import code_digest
from perfeval_xl.service import check_path
from perfeval_xl.submissions import MAX_RATIO, member_name, safe_name
from perfeval_xl.summary import COLUMNS, FINDINGS_CSV, RESULTS_CSV, RESULTS_JSON, SUMMARY_BOOK, WRAP_WIDTH
from perfeval_xl.template import build_template

from .conftest import (
    CARRIED_INTO_2020,
    GUANGZHOU,
    GUANGZHOU_OFFICIAL,
    XIANGYANG,
    XIANGYANG_OFFICIAL,
    YUEYANG,
    clean_data,
    gbk_named,
    mutate,
    with_picture_and_text_box,
    yueyang_last_year,
)
from .postgres import needs_postgres

CONTRACT_KEYS = {"file", "form", "unit", "year", "status", "scores", "issues"}


class _Quiet(Progress):
    """No output; keeps every entry the batch reports, in its order (the batch itself keeps none)."""

    def __init__(self, total: int) -> None:
        super().__init__(total, "zh", io.StringIO())
        self.entries: list[Entry] = []

    def step(self, entry: Entry) -> None:
        super().step(entry)
        self.entries.append(entry)


@dataclass
class _Ran:
    result: BatchResult
    entries: list[Entry]


def _hashes(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


@pytest.fixture
def submissions(tmp_path, make_book) -> Path:
    """Four examples, one broken workbook, one non-workbook, one unit whose name starts with =, in sub-folders."""
    folder = tmp_path / "收件箱"
    (folder / "二级单位").mkdir(parents=True)
    for source in (XIANGYANG, XIANGYANG_OFFICIAL, GUANGZHOU, GUANGZHOU_OFFICIAL):
        shutil.copy(source, folder / source.name)
    data = clean_data()
    data["fields"]["unit"] = '=HYPERLINK("http://x","点我")'
    shutil.copy(make_book(data, {"rows": {4: {"score": 5}}}), folder / "二级单位" / "公式单位.xlsx")
    (folder / "二级单位" / "说明.xlsx").write_text("not a workbook", encoding="utf-8")
    (folder / "二级单位" / "~$公式单位.xlsx").write_bytes(b"lock")  # Excel's lock file: not a submission
    return folder


def _run(source: Path, out: Path, **options) -> _Ran:
    options.setdefault("jobs", 1)
    made: list[_Quiet] = []

    def quiet(total: int) -> _Quiet:
        made.append(_Quiet(total))
        return made[-1]

    result = run_batch(source, out, progress=quiet, **options)
    return _Ran(result, made[0].entries)


def test_folder_batch_writes_every_output_and_leaves_inputs_untouched(tmp_path, submissions):
    before = _hashes(submissions)
    result = _run(submissions, tmp_path / "out", jobs=2)
    assert _hashes(submissions) == before
    names = [e.name for e in result.entries]
    assert names == sorted(names) and len(names) == 6 and not any("~$" in n for n in names)
    assert result.result.exit_code == 2  # one file cannot be read
    assert (result.result.total, result.result.returned, result.result.unreadable) == (6, 2, 1)
    out = tmp_path / "out"
    results = json.loads((out / RESULTS_JSON).read_text(encoding="utf-8"))
    assert [r["file"] for r in results] == names
    assert all(set(r) >= CONTRACT_KEYS for r in results)
    unreadable = next(r for r in results if r["file"] == "二级单位/说明.xlsx")
    assert unreadable["status"] == "unreadable" and "不是 Excel 工作簿" in unreadable["message"]
    broken = next(r for r in results if r["file"] == "二级单位/公式单位.xlsx")
    assert broken["status"] == "error"
    annotated = sorted(p.relative_to(out / "annotated").as_posix() for p in (out / "annotated").rglob("*.xlsx"))
    assert annotated == sorted(r["file"] for r in results if r["issues"])
    assert "guangzhou_kexie_2021_official.xlsx" not in annotated  # no findings, no copy
    with (out / RESULTS_CSV).open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    assert rows[0][:3] == ["文件", "单位", "表式"] and len(rows) == 7


def test_summary_workbook_prints_each_table_across_one_page(tmp_path, submissions):
    """A bureau prints the summary for its review meeting: its twenty columns came out three to a portrait page."""
    _run(submissions, tmp_path / "out")
    book = load_workbook(tmp_path / "out" / SUMMARY_BOOK)
    for sheet in (book[name] for name in book.sheetnames if name != "图表"):
        setup = (sheet.page_setup.orientation, sheet.page_setup.paperSize, sheet.print_title_rows)
        assert setup == ("landscape", 9, "$1:$1"), sheet.title
        # one page wide (1 is fitToWidth's default, which XlsxWriter leaves unwritten), as many pages down as needed
        fit = (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight)
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and fit == (1, 0)
        assert sheet.print_options.gridLines and "&P" in sheet.oddFooter.center.text


def test_summary_hides_the_columns_of_what_a_run_did_not_do(tmp_path, submissions):
    """A first run without --prior or --units had six of 汇总's twenty-two columns empty on every row (跨期对照 to
    新增问题), squeezing the others in the one-page-wide print: they are hidden, not dropped, so every column keeps
    its letter, and a column is shown as soon as a run fills it (本次, on a run reusing the last one's results)."""
    optional = ["跨期对照", "汇总核对", "本次", "上次提交", "已改正", "新增问题"]

    def hidden(out: Path) -> list[str]:
        sheet = load_workbook(out / SUMMARY_BOOK)["汇总"]
        assert [c.value for c in sheet[1]] == [c.zh for c in COLUMNS]
        dimensions = sheet.column_dimensions.values()  # openpyxl joins alike neighbours: P with min 16, max 17
        hidden = {col for d in dimensions if d.hidden for col in range(d.min, d.max + 1)}
        return [c.value for c in sheet[1] if c.column in hidden]

    _run(submissions, tmp_path / "out")
    assert hidden(tmp_path / "out") == optional
    _run(submissions, tmp_path / "out")
    assert hidden(tmp_path / "out") == [name for name in optional if name != "本次"]


def test_summary_workbook_wraps_its_long_texts_in_rows_tall_enough(tmp_path, submissions):
    """The reasons, messages and descriptions ran far past their columns' edge: on screen over the cells beside them,
    and on paper they stretched the page the table is fitted to until its print was unreadable."""
    _run(submissions, tmp_path / "out")
    book = load_workbook(tmp_path / "out" / SUMMARY_BOOK)
    wrapped = {"汇总": "说明", "按校验代码统计": "说明", "问题明细": "说明"}
    for name, header in wrapped.items():
        sheet = book[name]
        column = next(c.column_letter for c in sheet[1] if c.value == header)
        assert sheet.column_dimensions[column].width <= WRAP_WIDTH + 1, name
        texts = [c for c in sheet[column][1:] if isinstance(c.value, str)]
        assert any(display_width(c.value) > WRAP_WIDTH for c in texts), name  # something to wrap
        for cell in texts:
            assert cell.alignment.wrap_text, (name, cell.coordinate)
            if (needed := text_height(cell.value, WRAP_WIDTH)) > text_height("", WRAP_WIDTH):  # more than a line
                # XlsxWriter stores a height in whole pixels (0.75 pt)
                assert (sheet.row_dimensions[cell.row].height or 0) > needed - 0.75, (name, cell.coordinate)


def test_each_check_code_leads_to_its_first_finding(tmp_path, submissions):
    """A count per check is a summary; where it first occurs is where a reviewer starts (as linters report)."""
    _run(submissions, tmp_path / "out")
    book = load_workbook(tmp_path / "out" / SUMMARY_BOOK)
    codes, details = book["按校验代码统计"], book["问题明细"]
    assert [c.value for c in codes[1]][-1] == "首次出现"
    firsts = {}
    for row in details.iter_rows(min_row=2):
        firsts.setdefault(row[2].value, row)
    assert len(firsts) == codes.max_row - 1
    for row in codes.iter_rows(min_row=2):
        first = firsts[row[0].value]
        name, sheet, cell = (first[i].value for i in (0, 4, 5))
        assert row[-1].value == (f"{name} {sheet}!{cell}" if sheet and cell else name)
        assert row[-1].hyperlink.location == f"'问题明细'!A{first[0].row}"


def test_every_finding_is_a_row_of_findings_csv_as_of_the_findings_sheet(tmp_path, submissions):
    """The detailed table in machine-readable form, beside results.csv's row per submission (STYLE: a detailed table
    and a summary, as JSON/CSV and as an Excel sheet): what a bureau's own system imports."""
    _run(submissions, tmp_path / "out")
    with (tmp_path / "out" / FINDINGS_CSV).open(encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    sheet = load_workbook(tmp_path / "out" / SUMMARY_BOOK)["问题明细"]
    assert rows[0] == [c.value for c in sheet[1]]
    # as the sheet shows them, text a spreadsheet would take for a formula behind an apostrophe (a unit's name)
    shown = [
        ["" if v is None else "'" + v if looks_like_formula(v) else str(v) for v in row]
        for row in sheet.iter_rows(min_row=2, values_only=True)
    ]
    assert len(rows) - 1 == len(shown) and [r[:6] for r in rows[1:]] == [r[:6] for r in shown]
    over = next(r for r in rows if r[0] == "hubei_xiangyang_2021.xlsx" and r[2] == "PE303")
    assert over[5:] == ["D6", "执行数（B）", over[7], "3014.42", "2634.17", "380.25"]


def test_summary_workbook_rows_sheets_charts_and_links(tmp_path, submissions):
    _run(submissions, tmp_path / "out")
    path = tmp_path / "out" / SUMMARY_BOOK
    book = load_workbook(path)
    assert book.sheetnames == ["汇总", "按校验代码统计", "问题明细", "同一单位多份", "年度不同", "其他文件", "图表"]
    summary = book["汇总"]
    header = [c.value for c in summary[1]]
    assert header[:4] == ["文件", "单位", "表式", "年度"] and "结论" in header and "批注副本" in header
    assert summary.freeze_panes == "A2" and summary.auto_filter.ref
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in summary.iter_rows(min_row=2, values_only=True)}
    hubei = rows["hubei_xiangyang_2021.xlsx"]
    assert (hubei["预算数（万元）"], hubei["执行数（万元）"], hubei["计算总分"], hubei["等次"]) == (
        2634.17,
        3014.42,
        93,
        "优",
    )
    assert (hubei["结论"], hubei["提示数"], hubei["错误数"]) == ("通过", 12, 0)
    assert rows["二级单位/说明.xlsx"]["结论"] == "退回"
    assert rows["guangzhou_kexie_2021.xlsx"]["执行率"] == pytest.approx(0.961875, abs=1e-6)
    copies = [row[header.index("批注副本")] for row in summary.iter_rows(min_row=2)]
    link = next(c for c in copies if c.value == "annotated/hubei_xiangyang_2021.xlsx")
    assert link.hyperlink.target.replace("\\", "/") == "annotated/hubei_xiangyang_2021.xlsx"  # XlsxWriter writes \\
    counts = {r[0]: r for r in book["按校验代码统计"].iter_rows(min_row=2, values_only=True)}
    assert counts["PE106"][3:5] == (2, 22)  # two files, 22 times
    details = list(book["问题明细"].iter_rows(min_row=2, values_only=True))
    assert len(details) == sum(r[11] + r[12] for r in summary.iter_rows(min_row=2, values_only=True))
    # Each finding leads to its cell, marked in the annotated copy: the bureau clicks from the list to the problem.
    over = next(row for row in book["问题明细"].iter_rows(min_row=2) if row[0].value == "hubei_xiangyang_2021.xlsx")
    assert (over[2].value, over[5].value) == ("PE303", "D6")
    assert over[5].hyperlink.target.replace("\\", "/") == "annotated/hubei_xiangyang_2021.xlsx"
    assert over[5].hyperlink.location == "'自评表'!D6"
    found = dict(zip((c.value for c in book["问题明细"][1]), (c.value for c in over), strict=True))
    assert (found["填报值"], found["应为"], found["差额"]) == (3014.42, 2634.17, 380.25)
    unweighted = next(row for row in book["问题明细"].iter_rows(min_row=2, values_only=True) if row[2] == "PE106")
    assert unweighted[6] == "2021年项目总个数"  # 填报项: the row's 三级指标
    _run(submissions, tmp_path / "bare", annotate=False)
    bare = load_workbook(tmp_path / "bare" / SUMMARY_BOOK)["问题明细"]
    assert not [row[5].hyperlink for row in bare.iter_rows(min_row=2) if row[5].hyperlink]  # no copy to lead to
    with zipfile.ZipFile(path) as archive:
        charts = [n for n in archive.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3


def test_a_template_sent_back_empty_is_in_neither_chart(tmp_path):
    """An empty template scores 0 with no grade: the charts counted it a 差 at 0 points, among the units that scored
    badly. Its row is there, with its total and no grade."""
    folder = tmp_path / "收件箱"
    folder.mkdir()
    shutil.copy(XIANGYANG, folder / XIANGYANG.name)
    build_template(load_form("hubei"), folder / "空表.xlsx")
    _run(folder, tmp_path / "out")
    book = load_workbook(tmp_path / "out" / SUMMARY_BOOK)
    header = [c.value for c in book["汇总"][1]]
    rows = {r[0]: dict(zip(header, r, strict=True)) for r in book["汇总"].iter_rows(min_row=2, values_only=True)}
    assert (rows["空表.xlsx"]["计算总分"], rows["空表.xlsx"]["等次"], rows["空表.xlsx"]["结论"]) == (0, None, "退回")
    charts = [r for r in book["图表"].iter_rows(values_only=True) if r[0] is not None]
    grades = {r[0]: r[1] for r in charts[1 : charts.index(("计算总分区间", "份数"))]}
    assert grades == {"优": 1} and sum(r[1] for r in charts[charts.index(("计算总分区间", "份数")) + 1 :]) == 1


def test_a_unit_that_sent_several_files_is_listed_with_each_of_them(tmp_path, submissions):
    """The inbox holds 襄阳's and 广州's forms twice each (filled in our template and in the published layout): the
    bureau must choose which counts, so each such unit is listed with its files, each linked to its summary row."""
    ran = _run(submissions, tmp_path / "out")
    assert ran.result.same_unit == 2
    book = load_workbook(tmp_path / "out" / SUMMARY_BOOK)
    rows = list(book["同一单位多份"].iter_rows(values_only=True))
    assert rows == [
        ("单位", "表式", "年度", "文件", "结论"),
        ("广州市科学技术协会", "guangzhou", 2021, "guangzhou_kexie_2021.xlsx", "通过"),
        ("广州市科学技术协会", "guangzhou", 2021, "guangzhou_kexie_2021_official.xlsx", "通过"),
        ("襄阳市科学技术协会", "hubei", 2021, "hubei_xiangyang_2021.xlsx", "通过"),
        ("襄阳市科学技术协会", "hubei", 2021, "hubei_xiangyang_2021_official.xlsx", "通过"),
    ]
    summary_rows = {r[0].value: r[0].row for r in book["汇总"].iter_rows(min_row=2)}
    for cell in book["同一单位多份"]["D"][1:]:
        assert cell.hyperlink.location == f"'汇总'!A{summary_rows[cell.value]}"
    alone = tmp_path / "单独"
    alone.mkdir()
    shutil.copy(XIANGYANG, alone / XIANGYANG.name)
    assert _run(alone, tmp_path / "out2").result.same_unit == 0
    assert list(load_workbook(tmp_path / "out2" / SUMMARY_BOOK)["同一单位多份"].iter_rows(values_only=True)) == [
        ("单位", "表式", "年度", "文件", "结论")
    ]


def test_a_submission_of_another_year_than_its_forms_others_is_listed(tmp_path, make_book):
    """A unit sent last year's file by mistake: among 2021's 湖北 forms, its 2020 form passed unremarked. Each file
    whose year differs from the year most of its form's files state is listed, linked to its summary row."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for source in (XIANGYANG, XIANGYANG_OFFICIAL):
        shutil.copy(source, inbox / source.name)
    data = clean_data()
    data["fields"].update(year=2020, unit="上年单位")
    shutil.copy(make_book(data), inbox / "上年单位.xlsx")
    ran = _run(inbox, tmp_path / "out")
    assert ran.result.other_year == 1
    book = load_workbook(tmp_path / "out" / SUMMARY_BOOK)
    assert list(book["年度不同"].iter_rows(values_only=True)) == [
        ("单位", "表式", "年度", "该表式多数提交的年度", "文件", "结论"),
        ("上年单位", "hubei", 2020, 2021, "上年单位.xlsx", "通过"),
    ]
    summary_rows = {r[0].value: r[0].row for r in book["汇总"].iter_rows(min_row=2)}
    assert book["年度不同"]["E2"].hyperlink.location == f"'汇总'!A{summary_rows['上年单位.xlsx']}"
    said = CliRunner().invoke(main, ["batch", str(inbox), "-o", str(tmp_path / "cli"), "--jobs", "1"])
    assert "1 份提交的年度与同一表式多数提交的年度不同，见汇总结果.xlsx 的“年度不同”表" in said.output


def test_a_form_whose_submissions_state_no_year_has_no_other_year(tmp_path, make_book):
    """Templates sent back with the 评价年度 blank: no form's year to differ from, and the batch goes on (it stopped
    with a KeyError on the summary)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for unit in ("甲单位", "乙单位"):
        data = clean_data()
        data["fields"].update(year=None, unit=unit)
        shutil.copy(make_book(data), inbox / f"{unit}.xlsx")
    ran = _run(inbox, tmp_path / "out")
    assert [e.result["year"] for e in ran.entries] == [None, None] and ran.result.other_year == 0
    assert list(load_workbook(tmp_path / "out" / SUMMARY_BOOK)["年度不同"].iter_rows(values_only=True))[1:] == []


def test_each_units_total_is_set_beside_its_total_of_last_year_sqlite(tmp_path, make_book):
    _beside_last_year(tmp_path, make_book, f"sqlite:///{tmp_path / 'history.sqlite'}")


@needs_postgres
def test_each_units_total_is_set_beside_its_total_of_last_year_postgresql(tmp_path, make_book, postgres_url):
    _beside_last_year(tmp_path, make_book, postgres_url)


def _beside_last_year(tmp_path: Path, make_book, url: str) -> None:
    """A bureau that checked last year's forms sees each unit's computed total and grade beside those of its latest
    submission of the year before (its name folded), and the change: a unit whose self-evaluation fell stands out.
    A unit new this year, and the first year's run, have nothing to set it beside."""
    unit = f"襄阳单位{uuid.uuid4().hex[:8]}"  # the PostgreSQL database is shared by the session's tests
    last_year = tmp_path / "2020"
    last_year.mkdir()
    data = clean_data()
    data["fields"].update(year=2020, unit=f"{unit} ")  # a space too many: the same unit, as the history folds it
    shutil.copy(make_book(mutate(data, {"rows": {4: {"score": 1}}})), last_year / "襄阳2020.xlsx")
    first = _run(last_year, tmp_path / "out2020", db_url=url, annotate=False)
    assert first.result.last_year == 0
    assert "与上年对比" not in load_workbook(tmp_path / "out2020" / SUMMARY_BOOK).sheetnames
    this_year = tmp_path / "2021"
    this_year.mkdir()
    shutil.copy(XIANGYANG, this_year / "襄阳2021.xlsx")
    renamed(this_year / "襄阳2021.xlsx", unit)
    new = clean_data()
    new["fields"].update(unit="新设单位")
    shutil.copy(make_book(new), this_year / "新设单位.xlsx")
    ran = _run(this_year, tmp_path / "out2021", db_url=url, annotate=False)
    assert ran.result.last_year == 1
    before, now = check_path(last_year / "襄阳2020.xlsx").scores, check_path(XIANGYANG).scores
    assert before.total < now.total and before.grade == now.grade == "优"  # 1 point fewer for 产出 row 4
    book = load_workbook(tmp_path / "out2021" / SUMMARY_BOOK)
    assert list(book["与上年对比"].iter_rows(values_only=True)) == [
        ("单位", "表式", "年度", "计算总分", "等次", "上年计算总分", "上年等次", "变化", "文件", "上年文件"),
        (
            unit,
            "hubei",
            2021,
            round(now.total, 2),
            now.grade,
            round(before.total, 2),
            before.grade,
            round(round(now.total, 2) - round(before.total, 2), 2),
            "襄阳2021.xlsx",
            "襄阳2020.xlsx",
        ),
    ]
    summary_rows = {r[0].value: r[0].row for r in book["汇总"].iter_rows(min_row=2)}
    assert book["与上年对比"]["I2"].hyperlink.location == f"'汇总'!A{summary_rows['襄阳2021.xlsx']}"
    said = CliRunner().invoke(
        main, ["batch", str(this_year), "-o", str(tmp_path / "cli"), "--db", url, "--no-annotate", "--jobs", "1"]
    )
    assert "1 份提交有该单位上一年度的结果，见汇总结果.xlsx 的“与上年对比”表" in said.output


def _last_years_folder(tmp_path: Path, make_book) -> tuple[Path, Path]:
    """Last year's inbox (岳阳 2019 with 科协机关's 累计结余 50, 襄阳 2020 with a point fewer) and this year's."""
    last_year, this_year = tmp_path / "上年", tmp_path / "本年"
    last_year.mkdir()
    this_year.mkdir()
    yueyang_last_year(last_year, {**CARRIED_INTO_2020, "1、科协机关": 50.0})
    data = clean_data()
    data["fields"].update(year=2020)
    shutil.copy(make_book(mutate(data, {"rows": {4: {"score": 1}}})), last_year / "襄阳2020.xlsx")
    shutil.copy(YUEYANG, this_year / "岳阳2020.xlsx")
    shutil.copy(XIANGYANG, this_year / "襄阳2021.xlsx")
    return last_year, this_year


def test_last_years_folder_checks_the_figures_and_sets_totals_beside_without_a_database(tmp_path, make_book):
    """--prior 上年收件箱/ (a bureau's first year with the tool, nothing in its database yet): each unit's figures for
    last year are checked against its form in that folder (PE401), and its total is set beside last year's. A run
    without it, into the same database, does not take those results as its own."""
    last_year, this_year = _last_years_folder(tmp_path, make_book)
    ran = _run(this_year, tmp_path / "out", prior=last_year, annotate=False, jobs=2)  # last year's in workers too
    entries = {e.name: e for e in ran.entries}
    yueyang = entries["岳阳2020.xlsx"].result
    assert yueyang["prior_year"] == {"file": "yueyang_2019.xlsx", "year": 2019}
    assert [(i["value"], i["expected"]) for i in yueyang["issues"] if i["code"] == "PE401"] == [(58.35, 50.0)]
    assert ran.result.last_year == 1
    beside = list(load_workbook(tmp_path / "out" / SUMMARY_BOOK)["与上年对比"].iter_rows(values_only=True))
    assert [(row[0], row[-2], row[-1]) for row in beside[1:]] == [
        ("襄阳市科学技术协会", "襄阳2021.xlsx", "襄阳2020.xlsx")
    ]
    again = _run(this_year, tmp_path / "out", annotate=False)
    assert [e.reused for e in again.entries] == [False, False] and "prior_year" not in again.entries[0].result


def test_a_unit_with_two_forms_of_last_year_in_the_folder_is_compared_with_neither(tmp_path, make_book):
    last_year, this_year = _last_years_folder(tmp_path, make_book)
    shutil.copy(last_year / "yueyang_2019.xlsx", last_year / "yueyang_2019（改）.xlsx")
    ran = _run(this_year, tmp_path / "out", prior=last_year, annotate=False)
    assert "prior_year" not in next(e for e in ran.entries if e.name == "岳阳2020.xlsx").result
    assert ran.result.last_year == 1  # 襄阳's one form of 2020 is still set beside


def test_batch_prior_on_the_command_line(tmp_path, make_book):
    last_year, this_year = _last_years_folder(tmp_path, make_book)
    out = tmp_path / "out"
    said = CliRunner().invoke(
        main, ["batch", str(this_year), "-o", str(out), "--prior", str(last_year), "--no-annotate", "--jobs", "1"]
    )
    assert "1 份提交有该单位上一年度的结果" in said.output
    assert f"上一年度的表：2 份（{last_year}），据以作跨期核对和与上年对比" in said.output
    assert "上一年度的表 [1/2] 退回 yueyang_2019.xlsx" in said.output  # last year's forms read, shown as they are
    missing = CliRunner().invoke(main, ["batch", str(this_year), "-o", str(out), "--prior", str(tmp_path / "无")])
    assert missing.exit_code == 2


def test_entries_written_a_window_at_a_time_give_the_same_outputs_and_history(tmp_path, submissions, monkeypatch):
    whole = _run(submissions, tmp_path / "whole")
    monkeypatch.setattr(batch_module, "WINDOW", 2)
    windowed = _run(submissions, tmp_path / "windowed")
    assert [e.result for e in windowed.entries] == [e.result for e in whole.entries]
    assert (tmp_path / "windowed" / RESULTS_JSON).read_text(encoding="utf-8") == (
        tmp_path / "whole" / RESULTS_JSON
    ).read_text(encoding="utf-8")
    first, second = (load_workbook(tmp_path / d / SUMMARY_BOOK) for d in ("whole", "windowed"))
    for name in first.sheetnames:
        assert list(first[name].iter_rows(values_only=True)) == list(second[name].iter_rows(values_only=True))
    engine = create_engine(windowed.result.database)
    with engine.connect() as conn:
        stored = dict(
            conn.execute(
                text(
                    "SELECT s.file, COUNT(f.id) FROM perfeval_submissions s "
                    "LEFT JOIN perfeval_findings f ON f.submission_id = s.id GROUP BY s.file"
                )
            ).all()
        )
    engine.dispose()
    assert stored == {e.name: len(e.result.get("issues", [])) for e in windowed.entries}


def test_text_from_submissions_never_becomes_a_formula(tmp_path, submissions):
    _run(submissions, tmp_path / "out")
    summary = load_workbook(tmp_path / "out" / SUMMARY_BOOK)["汇总"]
    unit = next(c for c in summary["B"] if isinstance(c.value, str) and "HYPERLINK" in c.value)
    assert unit.data_type == "s" and unit.value.startswith("=")
    for name in (RESULTS_CSV, FINDINGS_CSV):
        with (tmp_path / "out" / name).open(encoding="utf-8-sig") as handle:
            units = [row[1] for row in csv.reader(handle)]
        assert "'" + '=HYPERLINK("http://x","点我")' in units, name


def test_output_is_deterministic_and_parallel_equals_sequential(tmp_path, submissions):
    one = _run(submissions, tmp_path / "one", jobs=1)
    two = _run(submissions, tmp_path / "two", jobs=2)
    assert [e.result for e in one.entries] == [e.result for e in two.entries]
    first = load_workbook(tmp_path / "one" / SUMMARY_BOOK)
    second = load_workbook(tmp_path / "two" / SUMMARY_BOOK)
    for name in first.sheetnames:
        assert list(first[name].iter_rows(values_only=True)) == list(second[name].iter_rows(values_only=True))


def test_workers_forked_after_the_warm_up_import_nothing_to_read_chinese_numerals():
    """A fresh interpreter, as a batch's parent is: after warm_up, a value in Chinese numerals (专家工作站三个) is read
    without importing anything, so no worker forked after it pays cn2an's import (~0.2 s) again."""
    script = (
        "import sys\n"
        "from perfeval_xl.service import warm_up\n"
        "from perfeval_xl.values import parse_quantity\n"
        "warm_up()\n"
        "before = set(sys.modules)\n"
        "assert parse_quantity('科普小镇1个，专家工作站三个').parts[1].value == 3\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_workers_started_afresh_give_what_forked_workers_give(tmp_path, submissions):
    """On Windows, where bureaus run their batches, a worker process is not forked from the batch's process but starts
    afresh (spawn), as it does on Linux from Python 3.14 (forkserver): it knows only what its initializer and its
    tasks give it, and must check every file as a forked worker does."""
    _run(submissions, tmp_path / "forked", jobs=2)
    script = (
        "import multiprocessing\nmultiprocessing.set_start_method('spawn')\nimport perfeval_xl.batch\n"
        # the platform's start method, not the fork the batch chooses on Linux (see start_method)
        "perfeval_xl.batch.start_method = lambda: None\nfrom perfeval_xl.cli import main\nmain()"
    )
    command = [sys.executable, "-c", script, "batch", str(submissions), "-o", str(tmp_path / "spawned"), "--jobs", "2"]
    spawned = subprocess.run(command, capture_output=True, text=True, check=False)
    assert spawned.returncode == 2, spawned.stderr  # one file cannot be read, as in the forked run

    def results(out: str) -> list[dict]:
        found = json.loads((tmp_path / out / RESULTS_JSON).read_text(encoding="utf-8"))
        return [{k: v for k, v in result.items() if k != "annotated"} for result in found]  # paths under each out

    assert results("spawned") == results("forked")
    assert len(results("spawned")) == 6 and not spawned.stderr.count("内部错误")


@pytest.mark.parametrize(
    ("platform", "jobs", "chunks", "workers"),
    [("win32", 128, 512, 61), ("linux", 128, 512, 128), ("linux", 8, 3, 3), ("win32", 2, 8, 2)],
)
def test_a_pool_has_no_more_workers_than_chunks_nor_than_windows_takes(monkeypatch, platform, jobs, chunks, workers):
    """ProcessPoolExecutor refuses more than 61 workers on Windows, and every core is the default: on a machine of 64
    or more, the batch ended with an internal error. A worker with no chunk to check was forked for nothing."""
    monkeypatch.setattr(sys, "platform", platform)
    assert batch_module.pool_size(jobs, chunks) == workers
    if platform == "win32":
        ProcessPoolExecutor(max_workers=batch_module.pool_size(jobs, chunks)).shutdown()  # no process started
        with pytest.raises(ValueError, match="max_workers"):
            ProcessPoolExecutor(max_workers=62)  # the limit pool_size keeps under


@pytest.mark.parametrize(("platform", "size"), [("win32", 5), ("linux", 2)])
def test_chunks_are_sized_for_the_workers_that_run_them(monkeypatch, platform, size):
    """Each worker gets about four chunks, so that none waits idle at the end: on Windows, 128 jobs asked for run in 61
    workers, and chunks sized for 128 were more and smaller than they need be (more pandera calls, more round trips)."""
    monkeypatch.setattr(sys, "platform", platform)
    tasks = [batch_module._Task(f"{n}.xlsx", f"{n}.xlsx", None, "zh", None) for n in range(1000)]
    chunks = batch_module.chunked(tasks, 128)
    assert {len(chunk) for chunk in chunks[:-1]} == {size}
    assert [task for chunk in chunks for task in chunk] == tasks


@pytest.mark.parametrize(
    ("platform", "threads", "forked"),
    [("linux", 1, True), ("linux", 2, False), ("win32", 1, False), ("darwin", 1, False)],
)
def test_workers_are_forked_on_linux_while_the_batch_runs_no_other_thread(monkeypatch, platform, threads, forked):
    """From Python 3.14 Linux starts workers from a forkserver, where each imports and warms up again (about 1 s more
    per batch, measured here with the start method set to forkserver). Forking is safe while the process runs no
    other Python thread (one may hold a lock the child inherits), so then the batch forks, as before 3.14."""
    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(threading, "active_count", lambda: threads)
    context = batch_module.start_method()
    assert (context is not None and context.get_start_method() == "fork") is forked
    if not forked:
        assert context is None  # the platform's own default


def test_progress_lines_when_not_on_a_terminal(tmp_path, submissions):
    stream = io.StringIO()
    run_batch(submissions, tmp_path / "out", jobs=1, progress=lambda n: Progress(n, "zh", stream))
    lines = stream.getvalue().splitlines()
    assert len(lines) == 6 and lines[0].startswith("[1/6] ") and lines[-1].startswith("[6/6] 无法读取")


class _GbkName(zipfile.ZipInfo):
    """A member named in GBK bytes without the UTF-8 flag, as Windows' zip tool writes on a Chinese system."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gbk"), self.flag_bits


def _zip_bytes(members: dict[str, bytes], utf8_flag: bool = True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            if utf8_flag:
                archive.writestr(name, data)
            else:
                info = _GbkName(name)
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, data)
    return buffer.getvalue()


def _zip(path: Path, members: dict[str, bytes], utf8_flag: bool = True) -> Path:
    path.write_bytes(_zip_bytes(members, utf8_flag))
    return path


def test_zip_names_in_gbk_and_utf8_are_decoded(tmp_path):
    data = XIANGYANG.read_bytes()
    gbk = _zip(tmp_path / "gbk.zip", {"湖北/襄阳市科协.xlsx": data}, utf8_flag=False)
    with zipfile.ZipFile(gbk) as archive:
        info = archive.infolist()[0]
        assert not info.flag_bits & 0x800 and member_name(info) == "湖北/襄阳市科协.xlsx"
    utf8 = _zip(tmp_path / "utf8.zip", {"广州/广州市科协.xlsx": GUANGZHOU.read_bytes()})
    for archive, name, out in ((gbk, "湖北/襄阳市科协.xlsx", "o1"), (utf8, "广州/广州市科协.xlsx", "o2")):
        result = _run(archive, tmp_path / out)
        assert [e.name for e in result.entries] == [name]
        assert result.entries[0].status == "warning"
        assert (tmp_path / out / "annotated" / name).exists()


def test_file_names_in_gbk_on_disk_are_decoded(tmp_path):
    """A Windows zip unpacked on Linux without a name encoding, or a USB stick mounted without one, leaves file names
    in GBK bytes: their rows name them in Chinese (they ended the batch with a UTF-8 encoding error)."""
    folder = tmp_path / "收件箱"
    folder.mkdir()
    (folder / "广州.xlsx").write_bytes(GUANGZHOU.read_bytes())
    gbk_named(folder, "襄阳市科协.xlsx", XIANGYANG.read_bytes())
    ran = _run(folder, tmp_path / "out", jobs=2)
    assert [e.name for e in ran.entries] == ["广州.xlsx", "襄阳市科协.xlsx"]
    assert ran.entries[1].result["form"] == "hubei"
    assert (tmp_path / "out" / "annotated" / "襄阳市科协.xlsx").exists()
    results = json.loads((tmp_path / "out" / RESULTS_JSON).read_text(encoding="utf-8"))
    assert [r["file"] for r in results] == ["广州.xlsx", "襄阳市科协.xlsx"]


def test_macos_metadata_files_are_not_submissions(tmp_path):
    """A zip made on a Mac carries __MACOSX/…/._name.xlsx beside each workbook, and a folder copied through a USB
    stick from a Mac has ._name.xlsx files: resource data, not workbooks, so no row for them."""
    apple_double = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        "
    data = XIANGYANG.read_bytes()
    archive = _zip(
        tmp_path / "mac.zip",
        {"湖北/襄阳市科协.xlsx": data, "__MACOSX/湖北/._襄阳市科协.xlsx": apple_double},
    )
    folder = tmp_path / "收件箱"
    folder.mkdir()
    (folder / "襄阳市科协.xlsx").write_bytes(data)
    (folder / "._襄阳市科协.xlsx").write_bytes(apple_double)
    for source, out in ((archive, "o1"), (folder, "o2")):
        names = [e.name for e in _run(source, tmp_path / out).entries]
        assert names == ["湖北/襄阳市科协.xlsx" if out == "o1" else "襄阳市科协.xlsx"]


def test_a_workbook_in_another_spreadsheet_format_gets_its_row(tmp_path):
    """A unit that saved in WPS's own .et format (an OLE compound file) is told to save as .xlsx, not passed over;
    its self-evaluation report in Word beside it is no submission."""
    folder = tmp_path / "收件箱"
    folder.mkdir()
    shutil.copy(XIANGYANG, folder / "襄阳市科协.xlsx")
    (folder / "某单位.et").write_bytes(bytes.fromhex("d0cf11e0a1b11ae1") + b"\0" * 504 + "Workbook".encode("utf-16-le"))
    (folder / "某单位自评报告.docx").write_bytes(b"PK\x03\x04")
    entries = {e.name: e for e in _run(folder, tmp_path / "out").entries}
    assert sorted(entries) == ["某单位.et", "襄阳市科协.xlsx"]
    assert entries["某单位.et"].status == "unreadable"
    assert entries["某单位.et"].result["message"] == "WPS 表格 .et 格式暂不支持，请在 WPS 中另存为 .xlsx 后重新提交"


def test_zip_path_traversal_and_bombs_are_refused(tmp_path):
    bomb = b"\0" * (MAX_RATIO * 4096)
    archive = _zip(
        tmp_path / "in.zip", {"../逃逸.xlsx": b"x", "/abs.xlsx": b"x", "ok/炸弹.xlsx": bomb, "ok/readme.txt": b"x"}
    )
    result = _run(archive, tmp_path / "out")
    reasons = {e.name: e.result["message"] for e in result.entries}
    assert set(reasons) == {"../逃逸.xlsx", "/abs.xlsx", "ok/炸弹.xlsx"}
    assert "路径不安全" in reasons["../逃逸.xlsx"] and "路径不安全" in reasons["/abs.xlsx"]
    assert "压缩炸弹" in reasons["ok/炸弹.xlsx"]
    assert not (tmp_path / "逃逸.xlsx").exists() and not list((tmp_path / "out").glob(".unpacked-*"))
    assert (safe_name("a\\..\\b.xlsx"), safe_name("C:/x.xlsx"), safe_name("./a/b.xlsx")) == (None, None, "a/b.xlsx")


def test_archives_inside_the_inbox_are_opened_not_passed_over(tmp_path):
    """A district's zip in the bureau's folder, a city's zip of district zips: every workbook inside is checked,
    named by the path through its archives; the archive limits hold at every depth; a zip that cannot be opened or
    holds no workbook gets its row, as a .rar or .7z does (we cannot open those: the bureau extracts them)."""
    hubei, guangzhou = XIANGYANG.read_bytes(), GUANGZHOU_OFFICIAL.read_bytes()
    folder = tmp_path / "收件箱"
    folder.mkdir()
    shutil.copy(XIANGYANG_OFFICIAL, folder / "市直单位.xlsx")
    (folder / "区县B.zip").write_bytes(_zip_bytes({"单位1.xlsx": hubei, "二级/单位2.xlsx": guangzhou}))
    district = _zip_bytes({"单位3.xlsx": hubei, "炸弹.xlsx": b"\0" * (MAX_RATIO * 4096)})
    (folder / "全市.zip").write_bytes(_zip_bytes({"区县C.zip": district, "说明.txt": b"x"}))
    (folder / "坏包.zip").write_bytes(b"PK\x03\x04 truncated")
    (folder / "只有报告.zip").write_bytes(_zip_bytes({"自评报告.docx": b"PK\x03\x04"}))
    (folder / "单位Y.rar").write_bytes(b"Rar!\x1a\x07\x00")
    (folder / "单位Z.7Z").write_bytes(b"7z\xbc\xaf\x27\x1c")
    before = _hashes(folder)
    ran = _run(folder, tmp_path / "out", jobs=2)
    assert _hashes(folder) == before
    entries = {e.name: e for e in ran.entries}
    assert list(entries) == [
        "全市.zip/区县C.zip/单位3.xlsx",
        "全市.zip/区县C.zip/炸弹.xlsx",
        "区县B.zip/二级/单位2.xlsx",
        "区县B.zip/单位1.xlsx",
        "单位Y.rar",
        "单位Z.7Z",
        "只有报告.zip",
        "坏包.zip",
        "市直单位.xlsx",
    ]
    checked = ["全市.zip/区县C.zip/单位3.xlsx", "区县B.zip/二级/单位2.xlsx", "区县B.zip/单位1.xlsx", "市直单位.xlsx"]
    assert all(entries[name].result["form"] for name in checked)
    assert (tmp_path / "out" / "annotated" / "全市.zip" / "区县C.zip" / "单位3.xlsx").exists()
    messages = {name: e.result.get("message") for name, e in entries.items() if e.status == "unreadable"}
    assert messages == {
        "全市.zip/区县C.zip/炸弹.xlsx": "压缩比异常（疑似压缩炸弹），未解压",
        "单位Y.rar": "RAR 压缩包无法直接读取，请解压后把其中的工作簿放入待校验的文件夹",
        "单位Z.7Z": "7z 压缩包无法直接读取，请解压后把其中的工作簿放入待校验的文件夹",
        "只有报告.zip": "压缩包内没有 Excel 工作簿",
        "坏包.zip": "压缩包已损坏或不完整，无法解压",
    }
    assert not list((tmp_path / "out").glob(".unpacked-*"))


def test_an_earlier_batch_output_inside_the_inbox_is_not_submissions(tmp_path, submissions):
    """Run with -o 收件箱/审核结果, then again into another folder: the first run's summary and annotated copies are
    ours, not units' submissions, and are left out as the current output folder is."""
    first = _run(submissions, submissions / "审核结果")
    names = [e.name for e in first.entries]
    second = _run(submissions, tmp_path / "第二轮")
    assert [e.name for e in second.entries] == names
    assert any((submissions / "审核结果" / "annotated").rglob("*.xlsx"))


def test_a_damaged_member_of_a_zip_gets_its_row_and_the_others_are_checked(tmp_path):
    """A zip damaged in transit fails one member's checksum: that member is one row, not a traceback for the batch."""
    data = _zip_bytes({"甲单位.xlsx": XIANGYANG.read_bytes(), "乙单位.xlsx": GUANGZHOU_OFFICIAL.read_bytes()})
    damaged = bytearray(data)
    start = 30 + len("甲单位.xlsx".encode()) + 200  # inside the first member's compressed bytes
    damaged[start : start + 50] = bytes(b ^ 0x55 for b in damaged[start : start + 50])
    archive = tmp_path / "传输损坏.zip"
    archive.write_bytes(bytes(damaged))
    folder = tmp_path / "收件箱"
    folder.mkdir()
    shutil.copy(archive, folder / "区县.zip")
    for source, prefix in ((archive, ""), (folder, "区县.zip/")):
        entries = {e.name: e for e in _run(source, tmp_path / f"out{len(prefix)}").entries}
        assert entries[f"{prefix}甲单位.xlsx"].result["message"] == "压缩包内该文件已损坏，无法解压"
        assert entries[f"{prefix}乙单位.xlsx"].result["form"] == "guangzhou"


def test_files_that_are_not_workbooks_are_named_not_dropped(tmp_path):
    """A unit that sent its form as a scanned PDF or its report as .docx, and no workbook, was absent from every
    output without a word: the bureau, reading the summary, could not tell it had sent anything. Such files are
    listed (in a folder and in its zips), and the command says how many; they are no submission, so the exit code
    stays that of the workbooks. Excel's lock files and what Windows and macOS leave in folders are not listed."""
    folder = tmp_path / "收件箱"
    (folder / "乙单位").mkdir(parents=True)
    shutil.copy(XIANGYANG_OFFICIAL, folder / "甲单位.xlsx")
    (folder / "乙单位" / "自评表（盖章）.pdf").write_bytes(b"%PDF-1.4")
    (folder / "乙单位" / "自评报告.docx").write_bytes(b"PK")
    (folder / "丙单位.zip").write_bytes(_zip_bytes({"丙单位.xlsx": GUANGZHOU.read_bytes(), "说明.txt": b"x"}))
    for noise in ("Thumbs.db", "desktop.ini", ".DS_Store", "~$甲单位.xlsx"):
        (folder / noise).write_bytes(b"x")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(folder), "-o", str(out), "--jobs", "1", "--no-annotate"])
    others = ["丙单位.zip/说明.txt", "乙单位/自评报告.docx", "乙单位/自评表（盖章）.pdf"]
    assert result.exit_code == 0, result.output
    assert "另有 3 个文件不是工作簿，未校验，见汇总结果.xlsx 的“其他文件”表" in result.output
    book = load_workbook(out / SUMMARY_BOOK)
    assert book.sheetnames == ["汇总", "按校验代码统计", "问题明细", "同一单位多份", "年度不同", "其他文件", "图表"]
    assert [r[0] for r in book["其他文件"].iter_rows(min_row=2, values_only=True)] == others
    assert [r[0] for r in book["汇总"].iter_rows(min_row=2, values_only=True)] == [
        "丙单位.zip/丙单位.xlsx",
        "甲单位.xlsx",
    ]
    english = CliRunner().invoke(main, ["batch", str(folder), "-o", str(tmp_path / "en"), "--lang", "en"])
    assert "3 other files are not workbooks and were not checked: see the 'other files' sheet" in english.output


def test_the_member_limit_counts_workbooks_not_attachments(tmp_path, monkeypatch):
    """Units' zips full of scanned attachments do not use up the limit on members extracted: only what could be a
    submission counts, so the last zips of a large inbox are opened like the first."""
    monkeypatch.setattr(submissions_module, "MAX_MEMBERS", 3)
    folder = tmp_path / "收件箱"
    folder.mkdir()
    scans = {f"附件{n}.jpg": b"jpeg" for n in range(5)}
    for unit in ("甲", "乙", "丙"):
        (folder / f"{unit}.zip").write_bytes(_zip_bytes({**scans, f"{unit}.xlsx": XIANGYANG.read_bytes()}))
    (folder / "癸.zip").write_bytes(_zip_bytes({f"癸{n}.xlsx": b"x" for n in range(2)}))  # listed last
    entries = {e.name: e.result.get("message") for e in _run(folder, tmp_path / "out").entries}
    assert entries == {
        "丙.zip/丙.xlsx": None,
        "乙.zip/乙.xlsx": None,
        "甲.zip/甲.xlsx": None,
        "癸.zip": "压缩包内文件超过 3 个，请分批提交",
    }


def test_a_member_that_cannot_be_extracted_here_gets_its_row(tmp_path):
    """A member whose name this system cannot hold (a colon on Windows, a path too long) or that a file of the zip
    already took (a.xlsx and a.xlsx/b.xlsx) is one row; it ended the batch, blamed on the output folder."""
    data = XIANGYANG.read_bytes()
    archive = tmp_path / "冲突.zip"
    archive.write_bytes(_zip_bytes({"a.xlsx": data, "a.xlsx/b.xlsx": data, "c.xlsx": data}))
    entries = {e.name: e for e in _run(archive, tmp_path / "out").entries}
    assert [(name, e.status) for name, e in entries.items()] == [
        ("a.xlsx", "warning"),
        ("a.xlsx/b.xlsx", "unreadable"),
        ("c.xlsx", "warning"),
    ]
    assert entries["a.xlsx/b.xlsx"].result["message"].startswith("无法解压（")


def test_archives_nested_too_deep_are_refused(tmp_path):
    """Zips inside zips are opened three levels deep; a fourth is no bureau's inbox but a trap, and gets its row."""
    data = XIANGYANG.read_bytes()
    for level in range(4):
        data = _zip_bytes({f"层{level}.zip" if level else "单位.xlsx": data})
    archive = tmp_path / "套娃.zip"
    archive.write_bytes(data)
    ran = _run(archive, tmp_path / "out")
    assert [(e.name, e.result.get("message")) for e in ran.entries] == [
        ("层3.zip/层2.zip/层1.zip", "压缩包嵌套超过 3 层，未解压")
    ]


def test_rerun_skips_unchanged_files(tmp_path, submissions, monkeypatch):
    first = _run(submissions, tmp_path / "out")

    def must_not_run(tasks):
        raise AssertionError(f"{[t.name for t in tasks]} checked again")

    monkeypatch.setattr(batch_module, "check_chunk", must_not_run)
    again = _run(submissions, tmp_path / "out")
    assert all(e.reused for e in again.entries if e.status != "unreadable" or e.content_hash)
    assert [e.result for e in again.entries] == [e.result for e in first.entries]


def test_a_rerun_with_changed_rules_checks_every_file_again(tmp_path, submissions, monkeypatch):
    """A result is reused only while the code and form definitions that decided it are the same: the version number
    alone (0.1.0 through every change) kept yesterday's results, without today's checks, for unchanged files."""
    _run(submissions, tmp_path / "out")
    monkeypatch.setattr(batch_module, "tool_version", lambda: "0.1.0+changed")
    again = _run(submissions, tmp_path / "out")
    assert not any(e.reused for e in again.entries)


def test_the_tool_version_changes_with_a_check_or_a_form_definition(tmp_path):
    package = tmp_path / "perfeval_xl"
    shutil.copytree(Path(batch_module.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = code_digest(package)
    assert code_digest(package) == before
    form = package / "forms" / "hubei.yaml"
    form.write_text(form.read_text(encoding="utf-8").replace("成本指标", "成本"), encoding="utf-8")
    changed = code_digest(package)
    assert changed != before
    (package / "cache.pyc").write_bytes(b"compiled")  # not a source
    assert code_digest(package) == changed


def test_a_file_that_breaks_the_engine_gets_its_row_and_the_batch_goes_on(tmp_path, submissions, monkeypatch):
    real = batch_module.check_paths

    def fragile(paths, form_id=None, earlier=None):
        if any(str(p).endswith("hubei_xiangyang_2021.xlsx") for p in paths):
            raise RuntimeError("engine bug")
        return real(paths, form_id, earlier)

    monkeypatch.setattr(batch_module, "check_paths", fragile)
    result = _run(submissions, tmp_path / "out")
    rows = {e.name: e for e in result.entries}
    assert "engine bug" in rows["hubei_xiangyang_2021.xlsx"].result["message"]
    assert rows["hubei_xiangyang_2021_official.xlsx"].status == "warning"  # same chunk, checked alone
    assert len(rows) == 6


def test_a_copy_lacking_drawn_objects_of_its_original_says_so_in_its_row(tmp_path):
    """A submission with a text box drawn on the form: its annotated copy is written without it (openpyxl cannot
    carry it), and its row says so; the submission itself keeps it."""
    folder = tmp_path / "收件箱"
    folder.mkdir()
    source = folder / "盖章单位.xlsx"
    shutil.copy(XIANGYANG_OFFICIAL, source)
    with_picture_and_text_box(source)
    before = _hashes(folder)
    [entry] = _run(folder, tmp_path / "out").entries
    assert _hashes(folder) == before and entry.annotated == "annotated/盖章单位.xlsx"
    assert entry.result["annotation_warning"] == "原文件中的 1 个形状或文本框未保留在批注副本中（原文件未改动）"
    row = next(load_workbook(tmp_path / "out" / SUMMARY_BOOK)["汇总"].iter_rows(min_row=2, values_only=True))
    assert row[14] == "提示 12 项，请核实；原文件中的 1 个形状或文本框未保留在批注副本中（原文件未改动）"


def test_a_copy_that_cannot_be_written_is_said_in_its_row_and_the_batch_goes_on(tmp_path, submissions, monkeypatch):
    from perfeval_xl import writeback

    real = writeback.annotate_file

    def locked(source, plan, dest):
        if str(source).endswith("hubei_xiangyang_2021.xlsx"):  # as when last run's copy is open in Excel
            raise PermissionError(13, "Permission denied", str(dest))
        return real(source, plan, dest)

    monkeypatch.setattr(writeback, "annotate_file", locked)
    entries = {e.name: e for e in _run(submissions, tmp_path / "out").entries}
    message = "无法写入 annotated/hubei_xiangyang_2021.xlsx：没有写入权限，或文件正在 Excel/WPS 中打开（请关闭后重试）"
    locked_entry = entries.pop("hubei_xiangyang_2021.xlsx")
    assert locked_entry.result["annotation_error"] == message and locked_entry.annotated is None
    assert all(e.annotated == f"annotated/{e.name}" for e in entries.values() if e.result["issues"])
    summary = load_workbook(tmp_path / "out" / SUMMARY_BOOK)["汇总"]
    column = [c.value for c in summary[1]].index("批注副本")
    cells = {r[0]: r[column] for r in summary.iter_rows(min_row=2, values_only=True)}
    assert cells["hubei_xiangyang_2021.xlsx"] == message


def test_a_summary_that_cannot_be_written_is_one_line_and_exit_2(tmp_path, submissions):
    out = tmp_path / "out"
    (out / SUMMARY_BOOK).mkdir(parents=True)
    result = CliRunner().invoke(main, ["batch", str(submissions), "-o", str(out), "--jobs", "1", "--no-annotate"])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert f"无法写入 {out / SUMMARY_BOOK}：已有同名文件夹" in result.output


def test_a_value_typed_far_away_is_one_unreadable_row_not_a_dead_batch(tmp_path, submissions):
    """Before the reader's size guard, calamine aborted the worker reading it and BrokenProcessPool ended the batch."""
    book = load_workbook(submissions / XIANGYANG.name)
    book["自评表"]["XFD1048576"] = "x"
    book.save(submissions / "远处有字.xlsx")
    entries = {e.name: e for e in _run(submissions, tmp_path / "out", jobs=2).entries}
    assert len(entries) == 7
    assert entries["远处有字.xlsx"].status == "unreadable"
    assert "XFD1048576" in entries["远处有字.xlsx"].result["message"]
    assert entries[XIANGYANG.name].status == "warning"


def test_a_worker_that_dies_costs_only_its_file(tmp_path, submissions, monkeypatch):
    """A native crash or the OOM killer ends a worker without an exception: its file gets a row saying so, and every
    other file, in its chunk or after, is still checked."""

    real = batch_module.check_paths

    def crashing(paths, form_id=None, earlier=None):
        if any(str(p).endswith("hubei_xiangyang_2021.xlsx") for p in paths):
            os._exit(134)  # as an abort in native code ends a process
        return real(paths, form_id, earlier)

    real_alone = batch_module._alone
    alone: list[str] = []
    threads: list[int] = []

    def counted(task):
        alone.append(task.name)
        threads.append(threading.active_count())  # the broken pool's threads gone before a process is forked
        return real_alone(task)

    monkeypatch.setattr(batch_module, "check_paths", crashing)
    monkeypatch.setattr(batch_module, "_alone", counted)
    monkeypatch.setattr(batch_module, "CHUNK", 1)
    entries = {e.name: e for e in _run(submissions, tmp_path / "out", jobs=2).entries}
    # Each pool the file breaks costs the chunks in flight beside it, checked file by file (two workers: at most
    # three chunks, one file each here); the chunks after go to a new pool. Every later file took a process of its own.
    assert "hubei_xiangyang_2021.xlsx" in alone and len(alone) <= 3
    assert set(threads) == {threading.active_count()}  # forked beside threads, a process may inherit a held lock
    assert len(entries) == 6
    dead = entries.pop("hubei_xiangyang_2021.xlsx")
    assert dead.status == "unreadable" and "进程异常终止" in dead.result["message"]
    assert entries["hubei_xiangyang_2021_official.xlsx"].status == "warning"
    assert entries["二级单位/公式单位.xlsx"].status == "error"
    assert [e.status for e in entries.values()].count("unreadable") == 1  # 说明.xlsx, which is not a workbook


class Traced:
    """A result a worker sends back that the batch's process can tell is still held (a dict cannot be)."""

    def __init__(self, name: str) -> None:
        self.name = name


def _traced_chunk(tasks):
    return [(Traced(task.name), None, None) for task in tasks]


def test_a_chunks_results_are_let_go_of_once_they_are_out(monkeypatch):
    """Every future was kept in a list until the last chunk came in, and with it every chunk's results: the batch's
    memory grew with its files."""
    monkeypatch.setattr(batch_module, "check_chunk", _traced_chunk)  # the workers are forked after it
    monkeypatch.setattr(batch_module, "CHUNK", 4)
    tasks = [batch_module._Task(f"{n}.xlsx", f"{n}.xlsx", None, "zh", None) for n in range(40)]
    kept = []
    for n, (result, _, _) in enumerate(batch_module._checked(tasks, jobs=2)):
        kept.append(weakref.ref(result))
        del result
        if n == len(tasks) - 1:
            gc.collect()
            assert sum(ref() is not None for ref in kept) <= 4  # the last chunk's, at most


def test_a_file_that_cannot_be_opened_is_one_row_not_a_dead_batch(tmp_path, submissions, monkeypatch):
    """The batch hashes every file before checking it: a file it cannot open (no read permission, held by another
    program) ended the whole batch there."""
    real = batch_module.content_hash

    def locked(path):
        if path.name == XIANGYANG.name:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(batch_module, "content_hash", locked)
    entries = {e.name: e for e in _run(submissions, tmp_path / "out").entries}
    assert len(entries) == 6
    assert entries[XIANGYANG.name].result["message"] == "无法打开文件（Permission denied），请检查读取权限"
    assert entries[XIANGYANG_OFFICIAL.name].status == "warning"


def _resubmission(tmp_path: Path, make_book, db_url: str | None) -> Entry:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = clean_data()
    broken = make_book(data, {"rows": {4: {"score": 5}}, "fields": {"budget": 3000}})
    shutil.copy(broken, inbox / "unit.xlsx")
    first = _run(inbox, tmp_path / "out1", db_url=db_url)
    first_codes = {i["code"] for i in first.entries[0].result["issues"]}
    fixed = make_book(data, {"rows": {4: {"score": 3.49}, 5: {"score": 4}}})
    shutil.copy(fixed, inbox / "unit.xlsx")
    second = _run(inbox, tmp_path / "out2", db_url=db_url)
    entry = second.entries[0]
    assert entry.previous is not None and entry.previous.file == "unit.xlsx"
    assert entry.fixed and {k[0] for k in entry.fixed} <= first_codes
    assert entry.new and not set(entry.new) & {(f.code, f.sheet, f.cell) for f in entry.previous.findings}
    history = json.loads((tmp_path / "out2" / RESULTS_JSON).read_text(encoding="utf-8"))[0]["history"]
    assert [f["code"] for f in history["fixed"]] == [k[0] for k in entry.fixed]
    header = [c.value for c in load_workbook(tmp_path / "out2" / SUMMARY_BOOK)["汇总"][1]]
    row = [c.value for c in load_workbook(tmp_path / "out2" / SUMMARY_BOOK)["汇总"][2]]
    assert row[header.index("已改正")] and row[header.index("新增问题")]
    return entry


def test_the_previous_submission_is_dated_by_the_bureaus_clock(tmp_path, make_book, monkeypatch):
    """The history keeps a run's time in UTC, and the summary showed it so: 2026-11-23T01:30:00+00:00 for a run at
    9:30 in Beijing. It shows the time of the machine the batch runs on, as a date Excel sorts and filters."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    try:
        entry = _resubmission(tmp_path, make_book, f"sqlite:///{tmp_path / 'history.sqlite'}")
        summary = load_workbook(tmp_path / "out2" / SUMMARY_BOOK)["汇总"]
        cell = summary.cell(2, [c.value for c in summary[1]].index("上次提交") + 1)
    finally:
        monkeypatch.undo()
        time.tzset()
    beijing = datetime.fromisoformat(entry.previous.started_at).replace(tzinfo=None) + timedelta(hours=8)
    assert abs(cell.value - beijing) < timedelta(seconds=1) and cell.number_format == "yyyy-mm-dd hh:mm"


def test_a_finding_moved_by_rows_inserted_above_it_is_neither_fixed_nor_new():
    """A unit that added an indicator row when it resubmitted moved every finding below it down a row: each was
    listed as fixed at its old cell and new at its new one. A finding about something (its key: the 三级指标, the row,
    the field) is the same finding in the same column of the same sheet; one about nothing named, at the same cell."""
    before = {
        Found("PE209", "自评表", "J13", "整体项目指标成本"),
        Found("PE101", "自评表", "C4", ""),
        Found("PE204", "自评表", "I20", "满意度"),
    }
    after = {
        Found("PE209", "自评表", "J14", "整体项目指标成本"),  # moved down a row: the same
        Found("PE209", "自评表", "I14", "整体项目指标成本"),  # another column: another finding
        Found("PE101", "自评表", "C5", ""),  # nothing named, another cell: another finding
    }
    fixed, new = changes(before, after)
    assert fixed == [("PE101", "自评表", "C4"), ("PE204", "自评表", "I20")]
    assert new == [("PE101", "自评表", "C5"), ("PE209", "自评表", "I14")]
    # A database written before findings recorded what they are about: every finding is compared by its cell.
    recorded_without = {Found(f.code, f.sheet, f.cell, None) for f in before}
    assert changes(recorded_without, after) == (
        [("PE101", "自评表", "C4"), ("PE204", "自评表", "I20"), ("PE209", "自评表", "J13")],
        [("PE101", "自评表", "C5"), ("PE209", "自评表", "I14"), ("PE209", "自评表", "J14")],
    )


def test_resubmission_with_an_indicator_added_above_a_finding_keeps_it(tmp_path, make_book):
    """The unit added an indicator above the one it scored wrongly, and left that one as it was: the finding is
    still there, one row down, and is neither fixed nor new; the sums the added row broke are new."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    data = mutate(clean_data(), {"rows": {4: {"score": 5}}})
    shutil.copy(make_book(data), inbox / "unit.xlsx")
    first = _run(inbox, tmp_path / "out1", db_url=f"sqlite:///{tmp_path / 'history.sqlite'}")
    extra = dict(data["tables"]["indicators"][1], name="新增的指标")
    data["tables"]["indicators"].insert(1, extra)
    shutil.copy(make_book(data), inbox / "unit.xlsx")
    entry = _run(inbox, tmp_path / "out2", db_url=f"sqlite:///{tmp_path / 'history.sqlite'}").entries[0]
    moved = [
        (i["code"], i["cell"]) for r in (first.entries[0], entry) for i in r.result["issues"] if i["code"] == "PE209"
    ]
    assert moved == [("PE209", "J13"), ("PE209", "J14")]
    assert entry.fixed == [] and {code for code, _, _ in entry.new} == {"PE205", "PE207"}


def test_resubmission_shows_fixed_and_new_findings_sqlite(tmp_path, make_book):
    _resubmission(tmp_path, make_book, f"sqlite:///{tmp_path / 'history.sqlite'}")


@needs_postgres
def test_resubmission_shows_fixed_and_new_findings_postgresql(tmp_path, make_book, postgres_url):
    _resubmission(tmp_path, make_book, postgres_url)


def _history_over_runs(url: str) -> None:
    """Runs that record a unit's contents A, A (unchanged), then B twice and another year's A: each new content is
    compared with the unit's latest earlier submission of that form and year with other content."""
    unit = f"历史单位{uuid.uuid4().hex[:8]}"  # the PostgreSQL database is shared by the session's tests

    def result(year: int, codes: list[str]) -> dict:
        issues = [{"code": c, "severity": "error", "sheet": "自评表", "cell": "C5"} for c in codes]
        return {"status": "error", "form": "hubei", "unit": unit, "year": year, "issues": issues}

    with History(url, "test") as history:
        for file, content in (("A1.xlsx", "A"), ("A2.xlsx", "A")):
            history.record(history.start_run("inbox"), [Recorded(file, content, "", result(2021, ["PE201"]))])
        third = history.start_run("inbox")
        history.record(third, [Recorded("B1.xlsx", "B", "", result(2021, ["PE203"]))])
        history.record(third, [Recorded("other.xlsx", "A", "", result(2022, ["PE208"]))])
        history.record(third, [Recorded("B2.xlsx", "B", "", result(2021, ["PE203", "PE204"]))])
        now = history.start_run("inbox")
        found = history.previous([("hubei", unit, 2021, "C"), ("hubei", unit, 2021, "B")], now)
        assert found[("hubei", unit, 2021, "C")].file == "B2.xlsx"
        assert found[("hubei", unit, 2021, "C")].findings == {
            Found("PE203", "自评表", "C5", ""),
            Found("PE204", "自评表", "C5", ""),
        }
        assert found[("hubei", unit, 2021, "B")].file == "A2.xlsx"
        assert found[("hubei", unit, 2021, "B")].findings == {Found("PE201", "自评表", "C5", "")}
        assert history.previous([("hubei", unit, 2021, "C")], third)[("hubei", unit, 2021, "C")].file == "A2.xlsx"
        assert history.previous([("hubei", unit, 2023, "A"), ("hubei", unit, 2022, "A")], now) == {}
        retyped = f" {unit.replace('单位', '单位 ')}"  # a space too many: the same unit, as 同一单位多份 folds it
        assert history.previous([("hubei", retyped, 2021, "C")], now)[("hubei", retyped, 2021, "C")].file == "B2.xlsx"


def test_previous_submission_is_the_latest_with_other_content_sqlite(tmp_path):
    _history_over_runs(f"sqlite:///{tmp_path / 'history.sqlite'}")


@needs_postgres
def test_previous_submission_is_the_latest_with_other_content_postgresql(postgres_url):
    _history_over_runs(postgres_url)


def _last_year_in_history(tmp_path: Path, url: str) -> None:
    """A bureau's batches of 2019, then of 2020: each institution's 上年结转 of 2020 is compared with its 累计结余 in
    the unit's latest 2019 submission. The unit sent A (科协机关 50), then B (58.35, as 2020 says), then A again,
    taken unchanged from the history: A is the latest, and 科协机关's figure differs."""
    unit = f"岳阳单位{uuid.uuid4().hex[:8]}"  # the PostgreSQL database is shared by the session's tests
    sent, this_year = tmp_path / "2019", tmp_path / "2020"
    this_year.mkdir()
    sent.mkdir()
    versions = {}
    for accumulated in (50.0, 58.35):
        path = yueyang_last_year(sent, {**CARRIED_INTO_2020, "1、科协机关": accumulated})
        renamed(path, unit)
        versions[accumulated] = path.read_bytes()
    for n, accumulated in enumerate((50.0, 58.35, 50.0)):
        (sent / "yueyang_2019.xlsx").write_bytes(versions[accumulated])
        entry = _run(sent, tmp_path / f"out2019_{n}", db_url=url, annotate=False).entries[0]
        assert entry.reused == (n == 2)
    shutil.copy(YUEYANG, this_year / "岳阳2020.xlsx")
    renamed(this_year / "岳阳2020.xlsx", f" {unit}")  # a space too many: the same unit, as the history folds it
    shutil.copy(this_year / "岳阳2020.xlsx", this_year / "岳阳2020（重报）.xlsx")  # two chunks: worker processes
    entries = _run(this_year, tmp_path / "out2020", db_url=url, jobs=2).entries
    assert [e.result["prior_year"] for e in entries] == [{"file": "yueyang_2019.xlsx", "year": 2019}] * 2
    entry = entries[0]
    summary = load_workbook(tmp_path / "out2020" / SUMMARY_BOOK)["汇总"]
    header = [c.value for c in summary[1]]
    assert summary.cell(2, header.index("跨期对照") + 1).value == "yueyang_2019.xlsx"
    found = [i for i in entry.result["issues"] if i["code"] == "PE401"]
    assert [(i["value"], i["expected"]) for i in found] == [(58.35, 50.0)]
    assert found[0]["message"].endswith("上年报送的“1、科协机关 累计结余”为 50（yueyang_2019.xlsx），应相同")


def renamed(path: Path, unit: str) -> None:
    """The workbook with its 部门（单位）名称 typed as ``unit``."""
    cell = check_path(path).extraction.fields["unit"].ref
    book = load_workbook(path)
    book[cell.sheet][cell.a1] = unit
    book.save(path)


def test_last_years_figures_come_from_the_history_sqlite(tmp_path):
    _last_year_in_history(tmp_path, f"sqlite:///{tmp_path / 'history.sqlite'}")


@needs_postgres
def test_last_years_figures_come_from_the_history_postgresql(tmp_path, postgres_url):
    _last_year_in_history(tmp_path, postgres_url)


def test_a_database_an_earlier_version_wrote_gets_its_unit_keys(tmp_path):
    """Before unit_key, a unit was found by its exact name: opening such a database adds the column, fills it from
    the names stored, and a resubmission typed a little differently finds the unit's earlier submission. The
    column of the figures carried into next year is added too, empty, and so is the one of what each finding is
    about, whose findings then compare by cell."""
    url = f"sqlite:///{tmp_path / 'history.sqlite'}"
    issue = {"code": "PE209", "severity": "error", "sheet": "自评表", "cell": "J13", "key": "整体项目指标成本"}
    result = {"status": "error", "form": "hubei", "unit": "襄阳市科学技术协会", "year": 2021, "issues": [issue]}
    with History(url, "test") as history:
        history.record(history.start_run("inbox"), [Recorded("old.xlsx", "A", "", result)])
        with history.engine.begin() as conn:
            conn.execute(text("DROP INDEX ix_perfeval_submissions_unit_key"))
            conn.execute(text("ALTER TABLE perfeval_submissions DROP COLUMN unit_key"))
            conn.execute(text("ALTER TABLE perfeval_submissions DROP COLUMN carried"))
            conn.execute(text("ALTER TABLE perfeval_findings DROP COLUMN item"))
    with History(url, "test") as history:
        assert history.last_years(history.start_run("inbox")) == {}
        now = history.start_run("inbox")
        wanted = ("hubei", "襄阳市科学技术协会　", 2021, "B")  # an ideographic space typed after the name
        assert history.previous([wanted], now)[wanted].file == "old.xlsx"
        assert history.previous([wanted], now)[wanted].findings == {Found("PE209", "自评表", "J13", None)}
        assert "ix_perfeval_submissions_unit_key" in {
            i["name"] for i in inspect(history.engine).get_indexes("perfeval_submissions")
        }


def test_a_database_that_fails_during_the_run_is_one_line(tmp_path, submissions):
    """The results database removed while the batch runs (a server restarted, a connection dropped, a disk full
    fail the same way): one line naming the database, not a traceback from the driver."""
    out = tmp_path / "out"

    class Removing(_Quiet):
        def step(self, entry: Entry) -> None:
            super().step(entry)
            (out / "results.sqlite").unlink(missing_ok=True)

    with pytest.raises(HistoryError) as failed:
        run_batch(submissions, out, jobs=1, progress=Removing)
    assert (
        str(failed.value)
        == f"结果数据库 sqlite:///{out.resolve()}/results.sqlite 读写失败：attempt to write a readonly database"
    )
    assert (out / SUMMARY_BOOK).exists() and not list(out.glob(".unpacked-*"))


def test_default_database_is_sqlite_in_the_output_folder(tmp_path, submissions):
    result = _run(submissions, tmp_path / "out")
    assert (tmp_path / "out" / "results.sqlite").exists() and result.result.database.startswith("sqlite:///")


def test_command_line(tmp_path, submissions):
    runner = CliRunner()
    ok = runner.invoke(main, ["batch", str(submissions), "-o", str(tmp_path / "out"), "--jobs", "1", "--no-annotate"])
    assert ok.exit_code == 2, ok.output
    assert "6 份提交：通过 4，退回 2" in ok.output
    assert "2 个单位提交了不止一份，见汇总结果.xlsx 的“同一单位多份”表" in ok.output
    assert not (tmp_path / "out" / "annotated").exists()
    english = runner.invoke(
        main, ["batch", str(submissions), "-o", str(tmp_path / "en"), "--jobs", "1", "--lang", "en"]
    )
    assert "6 submissions: 4 accepted, 2 returned" in english.output
    assert "2 units sent more than one file: see the 'same unit' sheet of 汇总结果.xlsx" in english.output
    assert load_workbook(tmp_path / "en" / SUMMARY_BOOK).sheetnames[0] == "summary"
    not_zip = tmp_path / "x.zip"
    not_zip.write_text("no")
    refused = runner.invoke(main, ["batch", str(not_zip), "-o", str(tmp_path / "bad")])
    assert refused.exit_code == 2 and "不是有效的 .zip" in refused.output
    nothing = tmp_path / "空文件夹"
    nothing.mkdir()
    (nothing / "说明.txt").write_text("x", encoding="utf-8")
    refused = runner.invoke(main, ["batch", str(nothing), "-o", str(tmp_path / "none")])
    assert refused.exit_code == 2 and refused.output.startswith(f"{nothing} 中没有找到工作簿（.xlsx、.xlsm")
    assert "或装有它们的 .zip），只有 1 个其他文件：说明.txt" in refused.output  # a folder of the units' PDFs, say
    rar = tmp_path / "区县.rar"
    rar.write_bytes(b"Rar!\x1a\x07\x00")
    refused = runner.invoke(main, ["batch", str(rar), "-o", str(tmp_path / "rar")])
    assert refused.exit_code == 2
    assert refused.output == f"{rar}：RAR 压缩包无法直接读取，请解压后把其中的工作簿放入待校验的文件夹\n"
    bad_db = runner.invoke(main, ["batch", str(submissions), "-o", str(tmp_path / "db"), "--db", "nosuchdb://x"])
    assert bad_db.exit_code == 2 and "无法打开结果数据库" in bad_db.output
    unreachable = "postgresql+psycopg://perfeval:secret@127.0.0.1:1/none"  # nothing listens on port 1
    refused = runner.invoke(main, ["batch", str(submissions), "-o", str(tmp_path / "pg"), "--db", unreachable])
    assert refused.exit_code == 2 and refused.output.count("\n") == 1, refused.output
    assert refused.output.startswith("无法打开结果数据库 postgresql+psycopg://perfeval:***@127.0.0.1:1/none：")


def test_ctrl_c_is_one_line_and_exit_130(tmp_path, submissions, monkeypatch):
    """Interrupted, the batch says its outputs are incomplete and exits 130, not 1 ("some submissions returned")."""

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_module, "run_batch", interrupted)
    result = CliRunner().invoke(main, ["batch", str(submissions), "-o", str(tmp_path / "out")])
    assert (result.exit_code, result.output) == (130, "已中断：输出目录中的结果不完整\n")


def test_an_interrupted_batch_keeps_what_it_checked(tmp_path, submissions, monkeypatch):
    """Ctrl-C after three files: the three are in the summary and the history (a re-run takes them unchanged); the
    window they were in was dropped, and a re-run checked them again."""
    real = batch_module._run_tasks

    def interrupted(tasks, jobs, last_years):
        results = real(tasks, jobs, last_years)
        for _ in range(3):
            yield next(results)
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_module, "_run_tasks", interrupted)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        _run(submissions, out)
    rows = list(load_workbook(out / SUMMARY_BOOK)["汇总"].iter_rows(min_row=2, values_only=True))
    assert len([row for row in rows if row[0]]) == 3
    monkeypatch.setattr(batch_module, "_run_tasks", real)
    assert [e.reused for e in _run(submissions, out).entries].count(True) == 3


def test_validating_files_together_finds_what_validating_each_alone_finds(make_book):
    """pandera validates a chunk's frames in one call; every file must still get exactly its own findings."""
    from perfeval_xl.service import check_path, check_paths

    bad = {"fields": {"budget": "见附件"}, "rows": {4: {"score": 5}, 6: {"weight": -5}}}
    paths = [XIANGYANG, make_book(clean_data(), bad), GUANGZHOU, make_book(clean_data()), XIANGYANG_OFFICIAL]
    together = check_paths(paths)
    for path, evaluation in zip(paths, together, strict=True):
        alone = check_path(path)
        assert [f.as_dict("zh") for f in evaluation.findings] == [f.as_dict("zh") for f in alone.findings]
        assert evaluation.scores.total == alone.scores.total
    assert any(f.code.startswith("PE1") for f in together[1].findings)


def test_files_of_several_forms_validated_together_each_get_their_own_forms_checks(make_book):
    """One pandera call covers a chunk of any forms: a schema check runs on a cell only when the cell's own form
    switches it on, so a form that turns a check off gets no such finding beside forms that keep it, and a form that
    keeps it still gets it beside one that turns it off, whatever their order."""
    from dataclasses import replace

    from perfeval_xl.definition import CheckConfig, load_form
    from perfeval_xl.locate import extract
    from perfeval_xl.reader import read_workbook
    from perfeval_xl.schemas import schema_failures

    hubei = load_form("hubei")
    quiet = replace(hubei, checks={**hubei.checks, "PE102": CheckConfig(enabled=False)})
    bad = read_workbook(make_book(clean_data(), {"fields": {"budget": "见附件"}}))
    alone = schema_failures([extract(bad, hubei)])[0]
    assert {cell.typed for cell in alone["PE102"]} == {"见附件"}
    without_pe102 = {code: cells for code, cells in alone.items() if code != "PE102"}
    guangzhou = extract(read_workbook(GUANGZHOU), load_form("guangzhou"))
    assert schema_failures([extract(bad, hubei), extract(bad, quiet), guangzhou]) == [alone, without_pe102, {}]
    assert schema_failures([extract(bad, quiet), extract(bad, hubei)]) == [without_pe102, alone]


def _issue(severity: str, n: int = 1) -> dict:
    return {"severity": severity, "sheet": "自评表", "cell": f"F{n}", "message": f"问题{n}"}


@pytest.mark.parametrize(
    ("issues", "said"),
    [
        ([_issue("error")], "1 error to correct: 自评表!F1 问题1"),
        ([_issue("error"), _issue("error", 2)], "2 errors to correct: 自评表!F1 问题1; 自评表!F2 问题2"),
        ([_issue("warning")], "1 warning to verify"),
    ],
)
def test_the_english_reason_counts_in_the_singular_for_one(issues, said):
    from perfeval_xl.summary import _reason

    assert _reason(Entry("a.xlsx", "", {"status": "returned", "issues": issues}), "en") == said


def test_a_returned_submissions_reason_spells_out_its_first_errors():
    """The 说明 of a returned submission is what the bureau gives as its reason for returning it: the first three
    errors with their cells (a finding said of the whole form has no cell), warnings left out, more said to follow."""
    from perfeval_xl.summary import _reason

    issues = [_issue("warning", 9), _issue("error"), {**_issue("error", 2), "cell": None}, _issue("error", 3)]
    entry = Entry("a.xlsx", "", {"status": "error", "issues": [*issues, _issue("error", 4)]})
    assert _reason(entry, "zh") == "强制性错误 4 项，须改正后重新提交：自评表!F1 问题1；问题2；自评表!F3 问题3；……"
