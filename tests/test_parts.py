"""汇总 across files: a department's form against the forms of its institutions (perfeval check --part, PE402)."""

import json

from click.testing import CliRunner

from perfeval_xl.cli import main
from perfeval_xl.service import check_path

from .conftest import XIANGYANG, clean_data

# 襄阳's department figures (万元) split between its 机关 and one 二级机构 as their own forms would give them.
OFFICE = {"budget": 1634.17, "executed": 2000.0, "basic_total": "600.69万元", "project_total": "1400万元"}
CENTRE = {"budget": 1000.0, "executed": 1014.42, "basic_total": "390万元", "project_total": "623.73万元"}


def _institution(make_book, unit: str, figures: dict) -> str:
    data = clean_data()
    data["fields"].update(figures, unit=unit)
    return str(make_book(data))


def _checked(department, *parts, fmt: str = "json"):
    args = ["check", str(department), "--format", fmt]
    for part in parts:
        args += ["--part", part]
    return CliRunner().invoke(main, args)


def test_a_department_equal_to_its_institutions_passes_and_says_it_was_compared(make_book):
    parts = [_institution(make_book, "襄阳市科协机关", OFFICE), _institution(make_book, "襄阳市科技馆", CENTRE)]
    run = _checked(XIANGYANG, *parts)
    result = json.loads(run.stdout)[0]
    assert not [i for i in result["issues"] if i["code"] == "PE402"]
    assert result["parts"] == {"files": [p.rsplit("/", 1)[-1] for p in parts]}
    text = _checked(XIANGYANG, *parts, fmt="text")
    assert text.stdout.rstrip().endswith("已与 2 个机构的表之和核对")


def test_a_department_figure_that_is_not_the_sum_of_its_institutions_is_an_error(make_book):
    """The department's 预算数 2634.17 against its institutions' 1634.17 + 900: one of them left out, or mistyped."""
    parts = [
        _institution(make_book, "襄阳市科协机关", OFFICE),
        _institution(make_book, "襄阳市科技馆", {**CENTRE, "budget": 900.0}),
    ]
    result = json.loads(_checked(XIANGYANG, *parts).stdout)[0]
    found = [i for i in result["issues"] if i["code"] == "PE402"]
    budget = check_path(XIANGYANG).extraction.fields["budget"].ref
    assert [(i["cell"], i["severity"], i["value"], i["expected"]) for i in found] == [
        (budget.a1, "error", 2634.17, 2534.17)
    ]
    assert found[0]["message"] == "“预算数（A）”为 2634.17，各机构之和为 2534.17（2 个机构的表），应相同"
    assert result["status"] == "error"


def test_institutions_of_another_form_or_year_are_not_compared(make_book, tmp_path):
    from perfeval_xl.definition import load_form
    from perfeval_xl.template import build_template

    from .conftest import CLEAN

    other_form = str(build_template(load_form("guangzhou"), tmp_path / "gz.xlsx", CLEAN["guangzhou"]()))
    run = _checked(XIANGYANG, _institution(make_book, "机关", OFFICE), other_form)
    assert run.exit_code == 2 and "表式不同，不能汇总" in run.stderr
    data = clean_data()
    data["fields"].update(OFFICE, unit="机关", year=2020)
    last_year = str(make_book(data))
    run = _checked(XIANGYANG, last_year, fmt="text")
    assert "机构的表是 2020 年度的，本表是 2021 年度的，未作汇总核对" in run.stderr
    assert "PE402" not in run.stdout


def test_a_folder_of_institutions_forms_is_every_workbook_in_it_but_the_department_s(make_book, tmp_path):
    """--part 机构/ takes every workbook below the folder; the department's own form kept there with them, and
    Excel's lock file, are not an institution's."""
    import shutil

    folder = tmp_path / "机构"
    (folder / "二级机构").mkdir(parents=True)
    shutil.copy(_institution(make_book, "襄阳市科协机关", OFFICE), folder / "机关.xlsx")
    shutil.copy(_institution(make_book, "襄阳市科技馆", CENTRE), folder / "二级机构" / "科技馆.xlsx")
    (folder / "~$机关.xlsx").write_bytes(b"lock")
    department = shutil.copy(XIANGYANG, folder / "部门.xlsx")
    result = json.loads(_checked(department, str(folder)).stdout)[0]
    assert result["parts"] == {"files": ["科技馆.xlsx", "机关.xlsx"]}
    assert not [i for i in result["issues"] if i["code"] == "PE402"]
    empty = tmp_path / "空"
    empty.mkdir()
    run = _checked(XIANGYANG, str(empty))
    assert run.exit_code == 2 and "中没有机构的表（工作簿）" in run.stderr
    itself = _checked(XIANGYANG, str(XIANGYANG))
    assert itself.exit_code == 2 and "就是本部门的表，不是机构的表" in itself.stderr
