"""The bureau's unit list in a batch (perfeval batch --units): units that sent nothing, submissions of no listed unit,
and each department's form checked against the sum of its institutions' (汇总, PE402)."""

import csv
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from perfeval_xl.batch import run_batch
from perfeval_xl.cli import main
from perfeval_xl.roster import Listed, Progress, Roster, RosterError

from .conftest import XIANGYANG, clean_data
from .test_parts import CENTRE, OFFICE

DEPARTMENT = "襄阳市科学技术协会"  # the unit 襄阳's example names


def _list(path: Path, rows: list[list[str]], title: str | None = "2021年度预算单位名单") -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _listed(tmp_path: Path, *units: tuple[str, str]) -> Path:
    return _list(
        tmp_path / "单位名单.xlsx",
        [["序号", "单位名称", "主管部门"]] + [[str(n), u, p] for n, (u, p) in enumerate(units)],
    )


def _inbox(
    tmp_path: Path, make_book, centre: dict | None = None, institutions: tuple[str, ...] = ("机关", "科技馆")
) -> Path:
    folder = tmp_path / "收件箱"
    folder.mkdir()
    shutil.copy(XIANGYANG, folder / "襄阳市科协.xlsx")
    figures = {"机关": OFFICE, "科技馆": centre or CENTRE}
    for name in institutions:
        data = clean_data()
        data["fields"].update(figures[name], unit=f"襄阳市科协{name}")
        shutil.copy(make_book(data), folder / f"{name}.xlsx")
    return folder


def _batch(folder: Path, out: Path, units: Path, *more: str):
    run = CliRunner().invoke(main, ["batch", str(folder), "-o", str(out), "--units", str(units), "--jobs", "1", *more])
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return run, {r["file"]: r for r in results}, [r["file"] for r in results]


def _institutions(tmp_path: Path) -> Path:
    return _listed(tmp_path, (DEPARTMENT, DEPARTMENT), ("襄阳市科协机关", DEPARTMENT), ("襄阳市科协科技馆", DEPARTMENT))


def test_a_list_gives_its_units_and_each_institutions_department(tmp_path):
    """A title above the header, a department that names itself its own 主管部门 (as exported lists do), a
    department named only as one's 主管部门, names typed with a full-width space, a unit listed twice."""
    path = _listed(
        tmp_path,
        ("襄阳市科协", "襄阳市科协"),
        ("襄阳市科协机关", "襄阳市科协"),
        ("襄阳市科技馆", "襄阳市 科协"),
        ("襄阳市科技馆", "襄阳市科协"),
        ("枣阳市科协", ""),
        ("宜城市科普中心", "宜城市科协"),
    )
    roster = Roster.read(path)
    assert roster.units == (
        Listed("襄阳市科协", None),
        Listed("襄阳市科协机关", "襄阳市科协"),
        Listed("襄阳市科技馆", "襄阳市 科协"),
        Listed("枣阳市科协", None),
        Listed("宜城市科普中心", "宜城市科协"),
    )
    assert {k: [u.name for u in v] for k, v in roster.departments().items()} == {
        "襄阳市科协": ["襄阳市科协机关", "襄阳市科技馆"],
        "宜城市科协": ["宜城市科普中心"],
    }
    assert list(roster.expected().values()) == [
        "襄阳市科协",
        "襄阳市科协机关",
        "襄阳市科技馆",
        "枣阳市科协",
        "宜城市科普中心",
        "宜城市科协",
    ]


def test_each_departments_progress_counts_its_own_form_and_its_institutions(tmp_path):
    """报送进度 by department, as a bureau chases forms through each 主管部门: the department's own form and its
    institutions', in the list's order; a unit with any form to return counts as returned (which of two forms stands
    is the bureau's call, 同一单位多份); a unit of no department is a department of one; a department named only
    as a 上级单位 is expected too."""
    roster = Roster.read(
        _listed(
            tmp_path,
            ("襄阳市科协", "襄阳市科协"),
            ("襄阳市科协机关", "襄阳市科协"),
            ("襄阳市科技馆", "襄阳市科协"),
            ("枣阳市科协", ""),
            ("宜城市科普中心", "宜城市科协"),
        )
    )
    returned = {"襄阳市科协": False, "襄阳市科协机关": True, "枣阳市科协": False}
    assert roster.progress(returned) == [
        Progress("襄阳市科协", 3, 1, 1, ("襄阳市科技馆",)),
        Progress("枣阳市科协", 1, 1, 0, ()),
        Progress("宜城市科协", 2, 0, 0, ("宜城市科普中心", "宜城市科协")),
    ]
    assert [(p.sent, p.share) for p in roster.progress(returned)] == [(2, 2 / 3), (1, 1.0), (0, 0.0)]


def test_a_lists_totals_and_notes_below_it_are_no_units(tmp_path):
    """A list as bureaus type it ends with a total (合计：3 个单位, 共计), a note (说明：…, 注：…), whoever made it
    (填表人：, 制表：, 审核人) or 以下空白 in the name column: none of them is a unit to expect a form from."""
    rows = [
        ["序号", "单位名称"],
        ["1", "襄阳市科协"],
        ["2", "枣阳市科协"],
        ["", "（以下空白）"],
        ["", "合计：2 个单位"],
    ]
    rows += [["", "共计 2 个"], ["", "小计"], ["说明：", "说明：名单以预算系统为准"], ["", "注：二级机构另报"]]
    rows += [["", "填表人：王五"], ["", "制表：财政局绩效科"], ["", "审核人：赵六"]]
    assert Roster.read(_list(tmp_path / "名单.xlsx", rows)).units == (
        Listed("襄阳市科协", None),
        Listed("枣阳市科协", None),
    )


def test_a_list_that_gives_each_department_by_its_code(tmp_path):
    """An export of the 预算管理一体化 system: 单位编码, 单位名称, 上级单位编码; a code read as a number is the same."""
    rows = [["单位编码", "单位名称", "上级单位编码"], [101, "襄阳市科协", None], ["101001", "科协机关", 101]]
    path = _list(tmp_path / "名单.xlsx", [*rows, ["101002", "襄阳市科技馆", "101"], ["", "宜城市科协", ""]])
    assert Roster.read(path).units == (
        Listed("襄阳市科协", None, "101"),
        Listed("科协机关", "襄阳市科协", "101001"),
        Listed("襄阳市科技馆", "襄阳市科协", "101002"),
        Listed("宜城市科协", None),
    )


def test_a_lists_codes_lead_its_rows_in_the_outputs(tmp_path):
    """A list exported with 单位编码: the 名单核对 sheet and units.csv give each listed unit's code first, so the
    bureau's system can take the statuses back by code; a list without codes has no such column."""
    folder = tmp_path / "收件箱"
    folder.mkdir()
    shutil.copy(XIANGYANG, folder / "襄阳市科协.xlsx")
    rows = [["单位编码", "单位名称"], ["101", DEPARTMENT], ["102", "枣阳市科协"]]
    _batch(folder, tmp_path / "out", _list(tmp_path / "名单.xlsx", rows))
    sheet = openpyxl.load_workbook(tmp_path / "out" / "汇总结果.xlsx")["名单核对"]
    assert [[c.value for c in row][:4] for row in sheet.iter_rows()] == [
        ["单位编码", "单位", "上级单位", "情况"],
        ["101", DEPARTMENT, None, "通过"],
        ["102", "枣阳市科协", None, "未收到可读取的表"],
    ]
    summary_rows = {c.value: c.row for c in openpyxl.load_workbook(tmp_path / "out" / "汇总结果.xlsx")["汇总"]["A"]}
    assert sheet["G2"].hyperlink.location == f"'汇总'!A{summary_rows['襄阳市科协.xlsx']}"
    with (tmp_path / "out" / "units.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert [row[:2] for row in csv.reader(handle)] == [
            ["单位编码", "单位"],
            ["101", DEPARTMENT],
            ["102", "枣阳市科协"],
        ]


def test_a_lists_contacts_are_beside_each_unit_to_chase_the_unsent(tmp_path):
    """A list giving each unit's 联系人 and 联系电话 (as a bureau's 填报单位联系表 does): they come last in 名单核对 and
    units.csv, beside a unit that sent nothing, for the bureau to chase it; a list without them has no such columns."""
    folder = tmp_path / "收件箱"
    folder.mkdir()
    shutil.copy(XIANGYANG, folder / "襄阳市科协.xlsx")
    rows = [
        ["单位名称", "联系人", "手机号码"],
        [DEPARTMENT, "张三", 13800000001],
        ["枣阳市科协", "李四", "13800000002"],
    ]
    _batch(folder, tmp_path / "out", _list(tmp_path / "名单.xlsx", rows))
    sheet = openpyxl.load_workbook(tmp_path / "out" / "汇总结果.xlsx")["名单核对"]
    assert [[c.value for c in row][-3:] for row in sheet.iter_rows()] == [
        ["说明", "联系人", "联系电话"],
        [None, "张三", "13800000001"],
        [None, "李四", "13800000002"],
    ]
    with (tmp_path / "out" / "units.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert [row[-2:] for row in csv.reader(handle)][2] == ["李四", "13800000002"]


def test_a_list_grouped_by_department_with_its_name_merged_down(tmp_path):
    """A bureau's list typed by hand: each department's name merged down the 主管部门 column over its units."""
    path = _list(
        tmp_path / "名单.xlsx",
        [
            ["主管部门", "单位名称"],
            ["襄阳市科协", "襄阳市科协机关"],
            [None, "襄阳市科技馆"],
            ["宜城市科协", "宜城市科普中心"],
        ],
    )
    book = openpyxl.load_workbook(path)
    book.active.merge_cells("A3:A4")
    book.save(path)
    assert Roster.read(path).units == (
        Listed("襄阳市科协机关", "襄阳市科协"),
        Listed("襄阳市科技馆", "襄阳市科协"),
        Listed("宜城市科普中心", "宜城市科协"),
    )


def test_a_list_on_a_later_sheet_is_found(tmp_path):
    """A cover sheet (填报说明) before the list."""
    book = openpyxl.Workbook()
    book.active.title = "填报说明"
    book.active.append(["请按单位名称填写"])
    book.create_sheet("名单").append(["单位名称", "主管部门"])
    book["名单"].append(["襄阳市科协机关", "襄阳市科协"])
    book.save(tmp_path / "名单.xlsx")
    assert Roster.read(tmp_path / "名单.xlsx").units == (Listed("襄阳市科协机关", "襄阳市科协"),)


def test_a_list_in_csv_in_gbk_without_departments(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_bytes("预算单位名称（全称）,单位编码\n襄阳市科协,101\n枣阳市科协,102\n".encode("gbk"))
    roster = Roster.read(path)
    assert roster.units == (Listed("襄阳市科协", None, "101"), Listed("枣阳市科协", None, "102"))
    assert roster.departments() == {}


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (
            lambda p: _list(p / "a.xlsx", [["名称", "金额"], ["襄阳市科协", 1]]),
            "的各工作表前 10 行中都没有“单位名称”列",
        ),
        (lambda p: _list(p / "b.xlsx", [["单位名称"]], None), "中没有单位"),
        (lambda p: (p / "c.xlsx").write_text("not a workbook") and p / "c.xlsx", "单位名单 c.xlsx："),
    ],
)
def test_a_list_that_cannot_be_used_says_why_and_the_batch_does_not_start(tmp_path, make, said):
    path = make(tmp_path)
    with pytest.raises(RosterError, match=said):
        Roster.read(path)
    run = CliRunner().invoke(main, ["batch", str(XIANGYANG.parent), "-o", str(tmp_path / "out"), "--units", str(path)])
    assert run.exit_code == 2 and said in run.stderr and not (tmp_path / "out").exists()


def test_the_list_shows_each_units_status_and_the_submissions_of_no_listed_unit(tmp_path, make_book):
    """Each listed unit in the list's order with the status of its file, linked to its summary row, or that nothing
    readable came; then the submission of a unit the list names otherwise (襄阳市科协科技馆 as 襄阳市科技馆, twice
    shortened), the listed names it may be shown, another city's 科技馆 not."""
    folder = _inbox(tmp_path, make_book)
    listed = [("襄阳市科协机关", DEPARTMENT), ("枣阳市科协科技馆", ""), ("襄阳市科技馆", ""), ("襄阳科技馆", "")]
    run, _, _ = _batch(folder, tmp_path / "out", _listed(tmp_path, (DEPARTMENT, ""), *listed))
    assert "名单中 3 个单位未收到可读取的表，1 份提交的单位不在名单中，见汇总结果.xlsx 的“名单核对”表" in run.stdout
    sheet = openpyxl.load_workbook(tmp_path / "out" / "汇总结果.xlsx")["名单核对"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1:] == [
        [DEPARTMENT, None, "退回", "hubei", 2021, "襄阳市科协.xlsx", None],  # not the sum of its one institution
        ["襄阳市科协机关", DEPARTMENT, "通过", "hubei", 2021, "机关.xlsx", None],
        ["枣阳市科协科技馆", None, "未收到可读取的表", None, None, None, None],
        ["襄阳市科技馆", None, "未收到可读取的表", None, None, None, None],
        ["襄阳科技馆", None, "未收到可读取的表", None, None, None, None],
        [
            "襄阳市科协科技馆",
            None,
            "不在名单中",
            "hubei",
            2021,
            "科技馆.xlsx",
            "名单中相近的单位：襄阳市科技馆、襄阳科技馆",
        ],
    ]
    with (tmp_path / "out" / "units.csv").open(encoding="utf-8-sig", newline="") as handle:  # the same, for machines
        assert [[v or None for v in row] for row in csv.reader(handle)] == [
            [str(v) if isinstance(v, int) else v for v in row] for row in rows
        ]
    summary_rows = {c.value: c.row for c in openpyxl.load_workbook(tmp_path / "out" / "汇总结果.xlsx")["汇总"]["A"]}
    assert sheet["F7"].hyperlink.location == f"'汇总'!A{summary_rows['科技馆.xlsx']}"
    assert sheet["F2"].hyperlink.location == f"'汇总'!A{summary_rows['襄阳市科协.xlsx']}"


def test_a_list_with_departments_gives_a_sheet_of_each_departments_progress(tmp_path, make_book):
    """报送进度: one row per department with its counts and the units it has still to send, then the total; a list
    without departments has no such sheet (each unit would be a department of one, as 名单核对 shows it)."""
    folder = _inbox(tmp_path, make_book)
    listed = _listed(
        tmp_path,
        (DEPARTMENT, DEPARTMENT),
        ("襄阳市科协机关", DEPARTMENT),
        ("襄阳市科协科技馆", DEPARTMENT),
        ("襄阳市青少年科技中心", DEPARTMENT),
        ("枣阳市科协", ""),
    )
    run, _, _ = _batch(folder, tmp_path / "out", listed)
    assert "各部门的报送进度见汇总结果.xlsx 的“报送进度”表" in run.stdout
    book = openpyxl.load_workbook(tmp_path / "out" / "汇总结果.xlsx")
    assert book.sheetnames.index("报送进度") == book.sheetnames.index("名单核对") + 1
    sheet = book["报送进度"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows == [
        ["部门", "应报单位", "已报送", "通过", "退回", "未报送", "报送率", "未报送的单位"],
        [DEPARTMENT, 4, 3, 2, 1, 1, 0.75, "襄阳市青少年科技中心"],  # 科技馆's form is returned
        ["枣阳市科协", 1, 0, 0, 0, 1, 0, "枣阳市科协"],
        ["合计", 5, 3, 2, 1, 2, 0.6, None],
    ]
    assert sheet["G2"].number_format == "0.0%"
    with (tmp_path / "out" / "departments.csv").open(encoding="utf-8-sig", newline="") as handle:  # for machines
        assert list(csv.reader(handle)) == [
            rows[0],
            [DEPARTMENT, "4", "3", "2", "1", "1", "0.75", "襄阳市青少年科技中心"],
            ["枣阳市科协", "1", "0", "0", "0", "1", "0.0", "枣阳市科协"],
            ["合计", "5", "3", "2", "1", "2", "0.6", ""],
        ]
    flat = _list(tmp_path / "flat.xlsx", [["单位名称"], [DEPARTMENT], ["襄阳市科协机关"]])
    _batch(folder, tmp_path / "flat", flat)
    assert "报送进度" not in openpyxl.load_workbook(tmp_path / "flat" / "汇总结果.xlsx").sheetnames


def test_a_department_equal_to_its_institutions_is_said_compared_and_comes_last(tmp_path, make_book):
    """The list kept in the inbox beside the submissions is none of them."""
    inbox = _inbox(tmp_path, make_book)
    run, results, order = _batch(inbox, tmp_path / "out", _institutions(inbox))
    assert order == ["机关.xlsx", "科技馆.xlsx", "襄阳市科协.xlsx"]
    department = results["襄阳市科协.xlsx"]
    assert department["parts"] == {"files": ["机关.xlsx", "科技馆.xlsx"]}
    assert not [i for i in department["issues"] if i["code"] == "PE402"]
    assert "汇总核对：1 个部门的表已与其机构的表之和核对" in run.stdout
    summary = openpyxl.load_workbook(tmp_path / "out" / "汇总结果.xlsx")["汇总"]
    header = [c.value for c in summary[1]]
    assert summary.cell(4, header.index("汇总核对") + 1).value == "已与 2 个机构的表之和核对"


def test_a_department_that_is_not_the_sum_of_its_institutions_is_returned_with_pe402(tmp_path, make_book):
    out = tmp_path / "out"
    run, results, _ = _batch(_inbox(tmp_path, make_book, {**CENTRE, "budget": 900.0}), out, _institutions(tmp_path))
    department = results["襄阳市科协.xlsx"]
    found = [(i["code"], i["value"], i["expected"]) for i in department["issues"] if i["code"] == "PE402"]
    assert found == [("PE402", 2634.17, 2534.17)] and department["status"] == "error"
    assert run.exit_code == 1
    copy = openpyxl.load_workbook(out / "annotated" / "襄阳市科协.xlsx")
    assert any("PE402" in (c.comment.text if c.comment else "") for row in copy.active.iter_rows() for c in row)
    # A later batch without the list takes none of it as this department's result: the file is checked again.
    assert run_batch(out.parent / "收件箱", out, jobs=1).reused == 2
    again = {r["file"]: r for r in json.loads((out / "results.json").read_text(encoding="utf-8"))}["襄阳市科协.xlsx"]
    assert again["status"] == "warning" and "parts" not in again and not again["reused"]


def test_a_department_whose_institution_sent_nothing_is_not_compared_and_says_why(tmp_path, make_book):
    run, results, _ = _batch(
        _inbox(tmp_path, make_book, institutions=("机关",)), tmp_path / "out", _institutions(tmp_path), "--lang", "en"
    )
    department = results["襄阳市科协.xlsx"]
    assert department["parts"] == {"files": [], "not_compared": "no readable form from 襄阳市科协科技馆: not compared"}
    assert not [i for i in department["issues"] if i["code"] == "PE402"]
    assert "0 departments checked against the sum of their institutions' forms, 1 not" in run.stdout


def test_a_department_whose_institutions_sent_twice_or_another_year_is_not_compared(tmp_path, make_book):
    """An institution that sent two files (which one counts is the bureau's call), or institutions' forms of another
    year than the department's: not compared, and said why, rather than summed from a guess."""
    (tmp_path / "a").mkdir()
    twice = _inbox(tmp_path / "a", make_book)
    shutil.copy(twice / "机关.xlsx", twice / "机关（修改后）.xlsx")
    _, results, _ = _batch(twice, tmp_path / "a" / "out", _institutions(tmp_path / "a"))
    assert results["襄阳市科协.xlsx"]["parts"]["not_compared"] == "机构“襄阳市科协机关”报送了不止一份，未作汇总核对"
    older = tmp_path / "b" / "收件箱"
    older.mkdir(parents=True)
    shutil.copy(XIANGYANG, older / "襄阳市科协.xlsx")
    for name, figures in (("机关", OFFICE), ("科技馆", CENTRE)):
        data = clean_data()
        data["fields"].update(figures, unit=f"襄阳市科协{name}", year=2020)
        shutil.copy(make_book(data), older / f"{name}.xlsx")
    _, results, _ = _batch(older, tmp_path / "b" / "out", _institutions(tmp_path / "b"))
    said = results["襄阳市科协.xlsx"]["parts"]["not_compared"]
    assert said == "机构的表是 2020 年度的，本表是 2021 年度的，未作汇总核对"
