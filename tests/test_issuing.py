"""Templates issued to the units of a bureau's list (perfeval template FORM -o 文件夹 --units 单位名单.xlsx): one per
unit, its name (and the year, and the 主管部门 where the form has one) filled in, so that what comes back matches the
list."""

import shutil
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from perfeval_xl.batch import run_batch
from perfeval_xl.cli import main
from perfeval_xl.issuing import file_name
from perfeval_xl.roster import Roster
from perfeval_xl.service import check_path

from .test_roster import _list, _listed


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def _fields(path: Path) -> dict:
    fields = check_path(path).extraction.fields
    return {key: fields[key].typed for key in ("unit", "year", "supervisor") if key in fields}


def test_one_template_per_listed_unit_each_with_its_name_and_the_year(tmp_path):
    units = _listed(tmp_path, ("襄阳市科协机关", "襄阳市科学技术协会"), ("襄阳市科技馆", "襄阳市科学技术协会"))
    out = tmp_path / "下发"
    result = run("template", "hubei", "-o", out, "--units", units, "--year", 2025)
    assert result.exit_code == 0, result.output
    made = sorted(p.name for p in out.iterdir())
    # The department, named only as the 主管部门 of its institutions, reports too.
    assert made == sorted(
        f"{u}_部门整体绩效自评表.xlsx" for u in ("襄阳市科协机关", "襄阳市科技馆", "襄阳市科学技术协会")
    )
    assert _fields(out / "襄阳市科技馆_部门整体绩效自评表.xlsx") == {"unit": "襄阳市科技馆", "year": 2025}
    assert "已为单位名单中的 3 个单位生成模板" in result.output


def test_a_form_with_a_supervisor_field_gets_the_units_department(tmp_path):
    units = _listed(tmp_path, ("香河县科协机关", "香河县科学技术协会"), ("香河县科学技术协会", ""))
    out = tmp_path / "下发"
    assert run("template", "hebei", "-o", out, "--units", units).exit_code == 0
    assert _fields(out / "香河县科协机关_部门（单位）整体绩效自评报告.xlsx") == {
        "unit": "香河县科协机关",
        "supervisor": "香河县科学技术协会",
        "year": "",  # blank: no --year
    }
    assert _fields(out / "香河县科学技术协会_部门（单位）整体绩效自评报告.xlsx")["supervisor"] == ""


def test_macro_templates_are_issued_as_xlsm(tmp_path):
    units = _listed(tmp_path, ("襄阳市科技馆", ""))
    out = tmp_path / "下发"
    assert run("template", "hubei", "--macro", "-o", out, "--units", units).exit_code == 0
    assert [p.name for p in out.iterdir()] == ["襄阳市科技馆_部门整体绩效自评表.xlsm"]


def test_a_units_name_becomes_a_file_name_windows_can_hold():
    assert file_name("市科协/机关", "自评表", ".xlsx", set()) == "市科协_机关_自评表.xlsx"
    assert file_name('A:B*C?"D"<E>|F\\G', "表", ".xlsx", set()) == "A_B_C__D__E__F_G_表.xlsx"
    assert file_name(" 科协. ", "表", ".xlsx", set()) == "科协_表.xlsx"
    # Two names that read the same once made safe get two files.
    assert file_name("市科协/机关", "自评表", ".xlsx", {"市科协_机关_自评表.xlsx"}) == "市科协_机关_自评表(2).xlsx"


def test_issued_templates_returned_are_the_listed_units_in_the_batch(tmp_path):
    units = _listed(tmp_path, ("襄阳市科协机关", ""), ("襄阳市科技馆", ""), ("襄阳市青少年科技中心", ""))
    out = tmp_path / "下发"
    assert run("template", "hubei", "-o", out, "--units", units, "--year", 2025).exit_code == 0
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    for path in sorted(out.iterdir())[:2]:
        shutil.copy(path, inbox / path.name)
    result = run_batch(inbox, tmp_path / "审核", jobs=1, annotate=False, roster=Roster.read(units))
    assert (result.unsent, result.unlisted) == (1, 0)
    sheet = openpyxl.load_workbook(tmp_path / "审核" / "汇总结果.xlsx")["名单核对"]
    assert [(r[0].value, r[2].value) for r in sheet.iter_rows(min_row=2)] == [
        ("襄阳市科协机关", "退回"),  # returned blank: it has nothing filled in yet
        ("襄阳市科技馆", "退回"),
        ("襄阳市青少年科技中心", "未收到可读取的表"),
    ]


def test_issuing_refuses_an_output_that_is_a_file_and_a_file_output_that_is_a_folder(tmp_path):
    units = _listed(tmp_path, ("襄阳市科技馆", ""))
    taken = tmp_path / "模板.xlsx"
    taken.write_bytes(b"")
    refused = run("template", "hubei", "-o", taken, "--units", units)
    assert refused.exit_code == 2 and "给了 --units 时 -o 是存放各单位模板的文件夹" in refused.output
    folder = tmp_path / "文件夹"
    folder.mkdir()
    assert run("template", "hubei", "-o", folder).exit_code == 2


def test_an_unusable_list_is_one_line_and_exit_2(tmp_path):
    nameless = _list(tmp_path / "名单.xlsx", [["序号", "名称"], ["1", "襄阳市科技馆"]])
    result = run("template", "hubei", "-o", tmp_path / "下发", "--units", nameless)
    assert result.exit_code == 2
    assert result.output.strip().startswith("单位名单 名单.xlsx 的各工作表")
    assert not (tmp_path / "下发").exists()


def test_year_fills_a_single_template(tmp_path):
    out = tmp_path / "湖北.xlsx"
    assert run("template", "hubei", "-o", out, "--year", 2025).exit_code == 0
    assert _fields(out)["year"] == 2025


def test_last_years_form_is_one_units_and_not_for_a_list(tmp_path):
    units = _listed(tmp_path, ("襄阳市科技馆", ""))
    result = run("template", "hubei", "-o", tmp_path / "下发", "--units", units, "--prior", units)
    assert result.exit_code == 2 and "不能与 --units 同用" in result.output
