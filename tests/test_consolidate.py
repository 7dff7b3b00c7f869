"""perfeval consolidate: institutions' workbooks into one department's 汇总, round trips against the examples."""

import copy
import hashlib

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from perfeval_xl.cli import main
from perfeval_xl.definition import load_form
from perfeval_xl.service import check_path
from perfeval_xl.template import SOURCES_SHEET, build_template

from .conftest import CLEAN, TAOJIANG, YUEYANG_YAML, gbk_named, seed_data

INSTITUTION_TABLES = ("income", "spending", "sangong", "assets")


def split(data, tmp_path, form="yueyang"):
    """One workbook per institution: the example with only that institution's row in each per-institution table."""
    paths = []
    for index in range(1, len(data["tables"]["income"])):
        part = copy.deepcopy(data)
        for table in INSTITUTION_TABLES:
            part["tables"][table] = [data["tables"][table][index]]
        path = tmp_path / f"institution{index}.xlsx"
        build_template(load_form(form), path, part)
        paths.append(path)
    return paths


def run(*args):
    return CliRunner().invoke(main, ["consolidate", *map(str, args)])


def department_rows(path):
    evaluation = check_path(path)
    return evaluation, {t: evaluation.extraction.tables[t].rows for t in INSTITUTION_TABLES}


def test_round_trip_rebuilds_a_consistent_total_row(tmp_path):
    """Split the consistent 岳阳 data into its three institutions, consolidate: the 汇总 row is the published one, and
    the result passes every 汇总 check."""
    data = CLEAN["yueyang"]()
    out = tmp_path / "department.xlsx"
    result = run(*split(data, tmp_path), "-o", out, "--unit", "岳阳市科学技术协会")
    assert result.exit_code == 0, result.output
    evaluation, rows = department_rows(out)
    assert evaluation.findings == []
    for table in INSTITUTION_TABLES:
        spec = evaluation.definition.tables[table]
        published = data["tables"][table][0]
        total = rows[table][0]
        assert total.raw("name") == "岳阳市科学技术协会汇总"
        for column in spec.columns[1:]:
            assert (total.raw(column.key) or 0) == pytest.approx(published.get(column.key, 0)), (table, column.key)
        assert [r.raw("name") for r in rows[table][1:]] == [r["name"] for r in data["tables"][table][1:]]


def test_round_trip_of_the_published_example_agrees_where_its_total_row_does(tmp_path):
    """The published 汇总 row disagrees with its institutions in 人员/基本/项目支出 (PE219); every other column is
    rebuilt exactly, and the rebuilt row passes the 汇总 check."""
    data = seed_data(YUEYANG_YAML)
    out = tmp_path / "department.xlsx"
    run(*split(data, tmp_path), "-o", out)
    evaluation, rows = department_rows(out)
    assert not [f for f in evaluation.findings if f.code == "PE219"]
    inconsistent = {("spending", "personnel"), ("spending", "basic"), ("spending", "project")}
    for table in INSTITUTION_TABLES:
        published = data["tables"][table][0]
        for column in evaluation.definition.tables[table].columns[1:]:
            if (table, column.key) not in inconsistent:
                assert (rows[table][0].raw(column.key) or 0) == pytest.approx(published.get(column.key, 0))
    assert rows["spending"][0].raw("project") == pytest.approx(640.83)


def test_output_names_its_sources_and_inputs_are_untouched(tmp_path):
    paths = split(CLEAN["yueyang"](), tmp_path)
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]
    out = tmp_path / "department.xlsx"
    run(*paths, "-o", out)
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths] == before
    sheet = load_workbook(out)[SOURCES_SHEET]
    listed = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert listed == [str(p) for p in paths]


def test_an_input_named_in_gbk_on_disk_is_listed_in_chinese(tmp_path):
    """A source file whose name is GBK bytes on a Linux disk: its 汇总来源 row names it in Chinese (the name ended
    the command with a traceback from the workbook writer)."""
    first, second = split(CLEAN["yueyang"](), tmp_path)[:2]
    gbk = gbk_named(tmp_path, "机关.xlsx", first.read_bytes())
    out = tmp_path / "department.xlsx"
    result = run(gbk, second, "-o", out)
    assert result.exit_code == 0, result.output
    listed = [row[2] for row in load_workbook(out)[SOURCES_SHEET].iter_rows(min_row=2, values_only=True)]
    assert listed == [str(tmp_path / "机关.xlsx"), str(second)]


def test_amounts_are_summed_and_rates_recomputed_not_averaged(tmp_path):
    """Two 湖北 units: budget and executed add up; the 执行率 of the department is Σ executed / Σ budget."""
    first, second = CLEAN["hubei"](), CLEAN["hubei"]()
    second["fields"].update(unit="襄阳市科技馆", budget=1000.0, executed=500.0, basic_total=200.0, project_total=300.0)
    paths = []
    for index, data in enumerate((first, second)):
        paths.append(tmp_path / f"unit{index}.xlsx")
        build_template(load_form("hubei"), paths[-1], data)
    out = tmp_path / "department.xlsx"
    run(*paths, "-o", out, "--unit", "襄阳市科协（汇总）")
    evaluation = check_path(out)
    assert evaluation.number("budget") == pytest.approx(4100.0)
    assert evaluation.number("executed") == pytest.approx(3014.42 + 500)
    assert evaluation.scores.rate == pytest.approx(3514.42 / 4100)
    # 备注2/3: a rate indicator averages by fund amount, a count adds up, a self-score averages by fund amount.
    rows = {r.raw("name"): r for r in evaluation.extraction.tables["indicators"].rows}
    count = next(r for name, r in rows.items() if name == "2021年项目总个数")
    assert count.raw("actual") == "16个"
    assert evaluation.unit == "襄阳市科协（汇总）"


@pytest.mark.parametrize("typed", ["990.69万元", "9906900元", 990.69])
def test_amounts_typed_with_their_unit_are_summed_in_the_forms_unit(tmp_path, typed):
    """基本支出总额 typed 990.69万元 in both units was summed in 元, 19813800, and written into the 万元 cell: the
    department's form came back with a false PE203 (强制, 60288400 against 执行数 6028.84)."""
    paths = []
    for index in range(2):
        data = CLEAN["hubei"]()
        data["fields"].update(unit=f"单位{index}", basic_total=typed)
        paths.append(tmp_path / f"unit{index}.xlsx")
        build_template(load_form("hubei"), paths[-1], data)
    out = tmp_path / "department.xlsx"
    run(*paths, "-o", out)
    evaluation = check_path(out)
    assert evaluation.number("basic_total") == pytest.approx(1981.38)
    assert not {"PE203", "PE112"} & {f.code for f in evaluation.findings}


@pytest.mark.parametrize(
    ("first", "second", "target", "actual"),
    [
        (("12月底前", "2021年11月"), ("12月底前", "2021年12月"), "12月底前", "2021年12月"),
        (("6月30日前", "6月28日"), ("6月30日前", "2021年6月25日"), "6月30日前", "6月28日"),
        (("10月底前", "9月"), ("2021年12月底前", "11月"), "2021年12月底前", "11月"),
    ],
)
def test_deadlines_and_their_days_consolidate_to_the_latest_not_a_sum(tmp_path, first, second, target, actual):
    """A 时效 indicator is done when the last institution is done: two units due 12月底前 were due “≤24月”, and
    months 11 and 12 were month 23."""
    paths = []
    for index, (due, done) in enumerate((first, second)):
        data = CLEAN["hubei"]()
        data["fields"]["unit"] = f"单位{index}"
        data["tables"]["indicators"][0].update(target=due, actual=done)
        paths.append(tmp_path / f"unit{index}.xlsx")
        build_template(load_form("hubei"), paths[-1], data)
    out = tmp_path / "department.xlsx"
    run(*paths, "-o", out)
    row = check_path(out).extraction.tables["indicators"].rows[0]
    assert (row.raw("target"), row.raw("actual")) == (target, actual)


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        (lambda p: [p[0], p[0]], "重复"),
        (lambda p: [p[0], TAOJIANG], "表式不同"),
    ],
)
def test_inconsistent_inputs_are_refused(tmp_path, inputs, message):
    paths = split(CLEAN["yueyang"](), tmp_path)
    result = run(*inputs(paths), "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "out.xlsx").exists()


def test_different_years_are_refused(tmp_path):
    data = CLEAN["yueyang"]()
    paths = split(data, tmp_path)
    later = copy.deepcopy(data)
    later["fields"]["year"] = 2021
    later["tables"]["income"][1]["name"] = "4、新机构"
    for table in INSTITUTION_TABLES:
        later["tables"][table] = [later["tables"][table][1]]
    build_template(load_form("yueyang"), tmp_path / "later.xlsx", later)
    result = run(paths[0], tmp_path / "later.xlsx", "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 2 and "年度不同" in result.output


def test_an_input_is_never_the_output(tmp_path):
    paths = split(CLEAN["yueyang"](), tmp_path)
    before = hashlib.sha256(paths[0].read_bytes()).hexdigest()
    result = run(*paths, "-o", paths[0])
    assert result.exit_code == 2 and "输入之一" in result.output
    assert hashlib.sha256(paths[0].read_bytes()).hexdigest() == before


def test_an_unreadable_input_is_refused(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    result = run(bad, "-o", tmp_path / "out.xlsx")
    assert result.exit_code == 2 and "bad.xlsx" in result.output


def test_a_folder_of_institutions_is_every_workbook_in_it_and_a_second_run_leaves_its_output_out(tmp_path):
    """perfeval consolidate 机构/ -o 机构/部门汇总.xlsx twice: the second run must not sum last run's department
    into the institutions."""
    folder = tmp_path / "机构"
    folder.mkdir()
    split(CLEAN["yueyang"](), folder)
    out = folder / "部门汇总.xlsx"
    first = run(folder, "-o", out, "--unit", "岳阳市科学技术协会")
    assert first.exit_code == 0, first.output
    again = run(folder, "-o", out, "--unit", "岳阳市科学技术协会")
    assert again.exit_code == 0 and f"{len(list(folder.glob('institution*.xlsx')))} 个工作簿汇总为" in again.output
