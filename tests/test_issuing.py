"""Templates issued to the units of a bureau's list (perfeval template FORM -o 文件夹 --units 单位名单.xlsx): one per
unit, its name (and the year, and the 主管部门 where the form has one) filled in, so that what comes back matches the
list."""

import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from perfeval_xl.batch import run_batch
from perfeval_xl.cli import main
from perfeval_xl.definition import load_form
from perfeval_xl.issuing import file_name
from perfeval_xl.roster import Roster
from perfeval_xl.service import check_path
from perfeval_xl.template import build_template

from .conftest import TAOJIANG, taojiang_clean_data
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


def test_a_list_takes_last_years_forms_as_a_folder(tmp_path):
    units = _listed(tmp_path, ("襄阳市科技馆", ""))
    result = run("template", "hubei", "-o", tmp_path / "下发", "--units", units, "--prior", units)
    assert result.exit_code == 2 and "给了 --units 时 --prior 是上一年度各单位的表所在的文件夹或 .zip" in result.output


def test_a_list_issues_next_years_templates_from_last_years_inbox(tmp_path):
    """--prior 上年收件箱/ with --units: each unit's template is filled from its form of last year found there (by its
    name, folded), as --prior 上年.xlsx fills one; a unit with two forms of that year, or none, gets its name only, and
    the command says which."""
    inbox = tmp_path / "2023收件箱"
    inbox.mkdir()
    shutil.copy(TAOJIANG, inbox / "桃江.xlsx")
    other = taojiang_clean_data()
    other["fields"]["unit"] = "安化县科学技术协会"
    for name in ("安化.xlsx", "安化（改）.xlsx"):
        build_template(load_form("hunan"), inbox / name, other)
    (inbox / "说明.docx").write_bytes(b"not a workbook")
    units = _listed(tmp_path, ("桃江县科学技术协会", ""), ("安化县科学技术协会", ""), ("沅江市科学技术协会", ""))
    out = tmp_path / "下发"
    result = run("template", "hunan", "-o", out, "--units", units, "--prior", inbox)
    assert result.exit_code == 0, result.output
    taojiang = check_path(out / "桃江县科学技术协会_部门整体支出绩效自评表.xlsx")
    assert (taojiang.extraction.year, taojiang.number("sangong_prior")) == (2024, 1.3)
    anhua = check_path(out / "安化县科学技术协会_部门整体支出绩效自评表.xlsx")
    assert (anhua.unit, anhua.extraction.year, anhua.number("sangong_prior")) == ("安化县科学技术协会", None, None)
    assert (
        "安化县科学技术协会：2023收件箱 中有它 2023 年度的表 2 份（安化.xlsx、安化（改）.xlsx），未预填上年数"
        in result.output
    )
    assert "沅江市科学技术协会：2023收件箱 中没有它的表，未预填上年数" in result.output
    assert "已为单位名单中的 3 个单位生成模板" in result.output and "其中 1 个按上年的表预填" in result.output


def test_last_years_inbox_may_be_a_zip_as_the_batch_takes_it(tmp_path):
    inbox = tmp_path / "2023收件箱.zip"
    with zipfile.ZipFile(inbox, "w") as archive:
        archive.write(TAOJIANG, "桃江县/桃江.xlsx")
    units = _listed(tmp_path, ("桃江县科学技术协会", ""))
    out = tmp_path / "下发"
    result = run("template", "hunan", "-o", out, "--units", units, "--prior", inbox)
    assert result.exit_code == 0, result.output
    assert check_path(out / "桃江县科学技术协会_部门整体支出绩效自评表.xlsx").number("sangong_prior") == 1.3
    empty = tmp_path / "空.zip"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("说明.txt", "no workbook")
    refused = run("template", "hunan", "-o", out, "--units", units, "--prior", empty)
    assert refused.exit_code == 2 and "中没有找到工作簿" in refused.output


def test_with_a_year_only_the_forms_of_the_year_before_fill_a_list(tmp_path):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    shutil.copy(TAOJIANG, inbox / "桃江.xlsx")
    units = _listed(tmp_path, ("桃江县科学技术协会", ""))
    out = tmp_path / "下发"
    result = run("template", "hunan", "-o", out, "--units", units, "--prior", inbox, "--year", 2025)
    assert result.exit_code == 0, result.output
    assert check_path(out / "桃江县科学技术协会_部门整体支出绩效自评表.xlsx").number("sangong_prior") is None
    assert "桃江县科学技术协会：收件箱 中没有它 2024 年度的表，未预填上年数" in result.output


def _returned(out: Path, inbox: Path, typed: dict[str, str]) -> None:
    """The issued templates come back into ``inbox``, each unit's name typed as ``typed`` gives it (as issued else)."""
    inbox.mkdir()
    for path in sorted(out.iterdir()):
        returned = inbox / path.name
        shutil.copy(path, returned)
        unit = check_path(returned).extraction.fields["unit"]
        if unit.typed in typed:
            book = openpyxl.load_workbook(returned)
            book[unit.ref.sheet][unit.ref.a1] = typed[unit.typed]
            book.save(returned)


def test_a_template_returned_under_another_name_is_the_unit_it_was_issued_to(tmp_path):
    """A unit that typed its name otherwise than the list (科技馆 for 襄阳市科技馆) in the template issued to it is
    that unit in 名单核对, said so; a name on the list wins over the template's (a unit that filled in a neighbour's
    template is itself)."""
    units = _listed(tmp_path, ("襄阳市科技馆", ""), ("襄阳市科协机关", ""), ("襄阳市青少年科技中心", ""))
    out = tmp_path / "下发"
    assert run("template", "hubei", "-o", out, "--units", units).exit_code == 0
    _returned(out, tmp_path / "收件箱", {"襄阳市科技馆": "科技馆", "襄阳市青少年科技中心": "襄阳市科协机关"})
    result = run_batch(tmp_path / "收件箱", tmp_path / "审核", jobs=1, annotate=False, roster=Roster.read(units))
    assert (result.unsent, result.unlisted) == (1, 0)
    sheet = openpyxl.load_workbook(tmp_path / "审核" / "汇总结果.xlsx")["名单核对"]
    assert [(r[0].value, r[2].value, r[5].value, r[6].value) for r in sheet.iter_rows()] == [
        ("单位", "情况", "文件", "说明"),
        (
            "襄阳市科技馆",
            "退回",
            "襄阳市科技馆_部门整体绩效自评表.xlsx",
            "表中单位名称写作“科技馆”，按下发给该单位的模板对应",
        ),
        ("襄阳市科协机关", "退回", "襄阳市科协机关_部门整体绩效自评表.xlsx", None),
        ("襄阳市科协机关", "退回", "襄阳市青少年科技中心_部门整体绩效自评表.xlsx", None),
        ("襄阳市青少年科技中心", "未收到可读取的表", None, None),
    ]
    results = json.loads((tmp_path / "审核" / "results.json").read_text(encoding="utf-8"))
    assert {r["unit"]: r["issued_to"] for r in results}["科技馆"] == "襄阳市科技馆"


def test_issuing_speaks_english_on_request(tmp_path):
    inbox = tmp_path / "2023"
    inbox.mkdir()
    shutil.copy(TAOJIANG, inbox / "桃江.xlsx")
    units = _listed(tmp_path, ("桃江县科学技术协会", ""), ("沅江市科学技术协会", ""))
    result = run("template", "hunan", "-o", tmp_path / "out", "--units", units, "--prior", inbox, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "  沅江市科学技术协会: 2023 holds none of its forms: last year's figures not filled in" in result.output
    assert result.output.endswith(
        f"templates for 2 units of the list written to {tmp_path / 'out'}, 1 filled in from last year's forms\n"
    )


@pytest.mark.parametrize("form", ["hubei", "guangzhou", "hebei", "hunan", "yueyang"])
def test_every_form_is_issued_with_the_units_name_and_year_read_back(tmp_path, form):
    units = _listed(tmp_path, ("襄阳市科技馆", ""))
    out = tmp_path / "下发"
    assert run("template", form, "-o", out, "--units", units, "--year", 2025).exit_code == 0
    (issued,) = out.iterdir()
    evaluation = check_path(issued)
    assert (evaluation.unit, evaluation.extraction.year, evaluation.extraction.issued_to) == (
        "襄阳市科技馆",
        2025,
        "襄阳市科技馆",
    )
