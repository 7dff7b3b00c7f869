"""跨期 (PE401): the figures a form gives for last year against last year's form, from a file or a batch's history."""

import json
import shutil

from click.testing import CliRunner
from openpyxl import load_workbook

from perfeval_xl.cli import main
from perfeval_xl.prior_year import Earlier, carried
from perfeval_xl.service import check_path

from .conftest import CARRIED_INTO_2020, TAOJIANG, XIANGYANG, YUEYANG, clean_data, yueyang_last_year


def test_the_figures_carried_are_the_last_side_of_each_rule():
    """湖南 2023 gives its 本年决算数 (三公经费 1.3, 项目支出 158.68) for 2024's 上年决算数, each with its rounding."""
    figures = carried(check_path(TAOJIANG))
    assert figures["sangong_final"] == (1.3, 0.05)
    assert figures["project_final"] == (158.68, 0.005)
    assert figures["vehicle_final"] == (0.0, 0.0)  # blank: 0, as blanks are in the form's sums
    assert set(figures) == {rule.last for rule in check_path(TAOJIANG).definition.prior_year}


def test_a_prior_figure_is_checked_against_last_years_form():
    """湖南 2023's 上年决算数 of 三公经费 is 1.04: a 2022 form that gave 1.2 is said, one that gave 1.04 is not."""
    evaluation = check_path(TAOJIANG)
    values = {key: (value + 1.0, tolerance) for key, (value, tolerance) in carried(evaluation).items()}
    values["sangong_final"] = (1.2, 0.005)

    def earlier(given):
        return lambda e: Earlier({**values, **given}, "桃江2022.xlsx", "hunan", 2022)

    found = [f for f in check_path(TAOJIANG, earlier=earlier({})).findings if f.code == "PE401"]
    first = next(f for f in found if f.cell == evaluation.extraction.fields["sangong_prior"].ref.a1)
    assert (first.value, first.expected, first.severity) == (1.04, 1.2, "warning")
    assert (
        first.message()
        == "“三公经费：（上年决算数）”为 1.04，上年报送的“三公经费：（本年决算数）”为 1.2（桃江2022.xlsx），应相同"
    )
    again = check_path(TAOJIANG, earlier=earlier({"sangong_final": (1.04, 0.005)})).findings
    assert first.cell not in {f.cell for f in again if f.code == "PE401"}


def test_institutions_are_matched_by_name_across_the_years(tmp_path):
    """岳阳: each institution's 上年结转 against its 累计结余 of last year, names matched folded (科协机关 is
    1、科协机关). Only the institution whose figure differs is said."""
    last = {**CARRIED_INTO_2020, "1、科协机关": 50.0}
    earlier = Earlier.of(check_path(yueyang_last_year(tmp_path, last)), "岳阳2019.xlsx")
    evaluation = check_path(YUEYANG, earlier=earlier.before)
    found = [f for f in evaluation.findings if f.code == "PE401"]
    table = evaluation.extraction.tables["income"]
    row = next(r for r in table.rows if table.name(r) == "1、科协机关")
    assert [(f.cell, f.value, f.expected) for f in found] == [(row.ref("carryover").a1, 58.35, 50.0)]
    assert "“1、科协机关 累计结余”为 50" in found[0].message()


def test_last_years_form_must_be_the_year_before():
    """A form of the same year, or of another form, is not last year's: nothing is compared."""
    earlier = Earlier({"spending.accumulated@科协机关": (1.0, 0.0)}, "x.xlsx", "yueyang", 2020)
    assert earlier.before(check_path(YUEYANG)) is None
    assert Earlier(earlier.values, "x.xlsx", "hunan", 2019).before(check_path(YUEYANG)) is None
    assert Earlier(earlier.values, "x.xlsx", "yueyang", 2019).before(check_path(YUEYANG)) is not None


def test_check_compares_with_the_form_named_by_prior(tmp_path):
    """perfeval check FILE --prior LAST: the unit's own file of last year."""
    last = yueyang_last_year(tmp_path, {**CARRIED_INTO_2020, "2、科技馆": 40.0})
    run = CliRunner().invoke(main, ["check", str(YUEYANG), "--prior", str(last), "--format", "json"])
    result = json.loads(run.stdout)[0]
    assert result["prior_year"] == {"file": last.name, "year": 2019}  # what was compared, found or not
    issues = result["issues"]
    assert [i["message"] for i in issues if i["code"] == "PE401"] == [
        f"“2、科技馆 上年结转”为 45.89，上年报送的“2、科技馆 累计结余”为 40（{last.name}），应相同"
    ]
    same = CliRunner().invoke(
        main, ["check", str(YUEYANG), "--prior", str(yueyang_last_year(tmp_path, CARRIED_INTO_2020))]
    )
    assert "PE401" not in same.stdout
    assert same.stdout.rstrip().endswith("上年数已与上年报送的 yueyang_2019.xlsx 核对")


def test_a_prior_form_of_another_year_is_said_not_compared(tmp_path):
    last = yueyang_last_year(tmp_path, {"2、科技馆": 40.0}, year=2018)
    run = CliRunner().invoke(main, ["check", str(YUEYANG), "--prior", str(last), "--format", "json"])
    assert "prior_year" not in json.loads(run.stdout)[0]
    assert "是 2018 年度的，不是本表（2020 年度）的上一年度，未作跨期核对" in run.stderr


def test_an_unreadable_prior_form_ends_the_command(tmp_path):
    broken = tmp_path / "2019.xlsx"
    broken.write_bytes(b"not a workbook")
    run = CliRunner().invoke(main, ["check", str(YUEYANG), "--prior", str(broken)])
    assert run.exit_code == 2
    assert run.stderr.startswith(f"上年的表 {broken}: 不是 Excel 工作簿")


def test_a_form_without_figures_for_last_year_is_said_not_compared():
    """湖北's form gives no figure for last year: naming last year's file compares nothing, and says so rather than
    reporting the figures checked."""
    run = CliRunner().invoke(main, ["check", str(XIANGYANG), "--prior", str(XIANGYANG)])
    assert "核对" not in run.stdout
    assert "没有填写上年数的栏目，未作跨期核对" in run.stderr


def test_a_prior_form_of_another_form_is_named_not_compared():
    run = CliRunner().invoke(main, ["check", str(TAOJIANG), "--prior", str(YUEYANG)])
    assert "是另一种表式（湖南岳阳《部门整体支出绩效评价自评报告》），未作跨期核对" in run.stderr


def test_a_prior_form_of_another_unit_is_not_compared(tmp_path):
    """perfeval check a.xlsx b.xlsx --prior last.xlsx: a file of another unit than last year's form is not compared
    with it (every figure would differ), and that is said; the same name typed with a space inside is the unit."""
    last = yueyang_last_year(tmp_path, {**CARRIED_INTO_2020, "2、科技馆": 40.0})
    book = load_workbook(last)
    unit = check_path(last).extraction.fields["unit"].ref
    book[unit.sheet][unit.a1] = "岳阳市 科学技术协会"
    book.save(last)
    other = tmp_path / "other.xlsx"
    shutil.copy(YUEYANG, other)
    book = load_workbook(other)
    book[unit.sheet][unit.a1] = "岳阳市气象局"
    book.save(other)
    run = CliRunner().invoke(main, ["check", str(YUEYANG), str(other), "--prior", str(last), "--format", "json"])
    compared, not_compared = json.loads(run.stdout)
    assert compared["prior_year"]["file"] == last.name and "prior_year" not in not_compared
    assert "是另一个单位（岳阳市 科学技术协会）的，不是岳阳市气象局的，未作跨期核对" in run.stderr


def test_the_total_row_is_matched_whatever_a_year_names_it(tmp_path):
    """岳阳's 汇总 row named 市科协及二级机构汇总 in 2020 and 合计 in 2019 is the same row: its 上年结转 is compared."""
    path = yueyang_last_year(tmp_path, {**CARRIED_INTO_2020, "市科协及二级机构汇总": 100.0})
    evaluation = check_path(path)
    book = load_workbook(path)
    for table in ("income", "spending", "sangong", "assets"):
        total = next(r for r in evaluation.extraction.tables[table].rows if r.raw("name") == "市科协及二级机构汇总")
        book[total.ref("name").sheet][total.ref("name").a1] = "合计"
    book.save(path)
    found = [f for f in check_path(YUEYANG, earlier=Earlier.of(check_path(path), "2019.xlsx").before).findings]
    assert [(f.key, f.value, f.expected) for f in found if f.code == "PE401"] == [
        ("市科协及二级机构汇总 上年结转", 119.25, 100.0)
    ]


def _next_year(tmp_path, form, prior, *more):
    out = tmp_path / "next.xlsx"
    result = CliRunner().invoke(main, ["template", form, "-o", str(out), "--prior", str(prior), *more])
    return result, out


def test_next_years_template_gives_last_years_figures_again(tmp_path):
    """湖南: the 2024 template from 桃江's 2023 form has its unit, 2024, and each 上年决算数 as 2023's 本年决算数 (a
    blank one blank): checked against 2023's form, no PE401."""
    result, out = _next_year(tmp_path, "hunan", TAOJIANG)
    assert result.exit_code == 0, result.output
    evaluation, last = check_path(out), check_path(TAOJIANG)
    assert (evaluation.unit, evaluation.extraction.year) == (last.unit, 2024)
    assert evaluation.number("sangong_prior") == 1.3 and evaluation.number("project_prior") == 158.68
    assert evaluation.extraction.fields["vehicle_prior"].raw == ""
    checked = CliRunner().invoke(main, ["check", str(out), "--prior", str(TAOJIANG), "--format", "json"])
    assert [i for i in json.loads(checked.output)[0]["issues"] if i["code"] == "PE401"] == []


def test_next_years_template_lists_last_years_institutions_with_their_carryover(tmp_path):
    """岳阳: each institution of 2020 (and the 汇总 row) is a row of 2021's 收入 table, named as in 2020, its 上年结转
    2020's 累计结余; the other tables checked row by row list the same institutions, their figures left to fill."""
    result, out = _next_year(tmp_path, "yueyang", YUEYANG)
    assert result.exit_code == 0, result.output
    last = check_path(YUEYANG).extraction.tables["spending"]
    table = check_path(out).extraction.tables["income"]
    assert [(table.name(r), r.raw("carryover")) for r in table.rows] == [
        (last.name(r), r.raw("accumulated")) for r in last.rows
    ]
    assets = check_path(out).extraction.tables["assets"]
    assert [(assets.name(r), r.raw("total")) for r in assets.rows] == [(last.name(r), "") for r in last.rows]
    checked = CliRunner().invoke(main, ["check", str(out), "--prior", str(YUEYANG), "--format", "json"])
    assert [i for i in json.loads(checked.output)[0]["issues"] if i["code"] == "PE401"] == []


def test_next_years_template_of_a_form_without_last_years_figures_has_the_unit_and_year(tmp_path):
    result, out = _next_year(tmp_path, "hubei", XIANGYANG)
    assert result.exit_code == 0, result.output
    assert (check_path(out).unit, check_path(out).extraction.year) == ("襄阳市科学技术协会", 2022)
    _, given = _next_year(tmp_path, "hubei", XIANGYANG, "--year", "2023")
    assert check_path(given).extraction.year == 2023


def test_next_years_template_refuses_another_forms_file_in_one_line(tmp_path):
    result, out = _next_year(tmp_path, "hubei", TAOJIANG)
    assert result.exit_code == 2 and not out.exists()
    assert result.output.startswith(f"上年的表 {TAOJIANG}: 不是湖北《部门整体绩效自评表》")
    assert len(result.output.splitlines()) == 1


def test_check_with_prior_says_how_the_total_moved_since_last_year(tmp_path, make_book):
    """check --prior on a form that gives no figures for last year (湖北) still sets its total beside last year's, as
    the report does; in English on request."""
    data = clean_data()
    data["fields"].update(year=2020, unit="襄阳市科学技术协会")
    last = make_book(data, {"rows": {4: {"score": 1}}})
    before = round(check_path(last).scores.total, 2)
    said = CliRunner().invoke(main, ["check", str(XIANGYANG), "--prior", str(last)])
    assert f"  较上年度（2020年度自评总分{before:g}分，评价等次“优”）提高{round(93 - before, 2):g}分" in said.output
    english = CliRunner().invoke(main, ["check", str(XIANGYANG), "--prior", str(last), "--lang", "en"])
    assert f"  total up {round(93 - before, 2):g} on 2020's {before:g} (优)" in english.output


def test_check_json_gives_last_years_total_beside_this_years(tmp_path, make_book):
    data = clean_data()
    data["fields"].update(year=2020, unit="襄阳市科学技术协会")
    last = make_book(data, {"rows": {4: {"score": 1}}})
    said = CliRunner().invoke(main, ["check", str(XIANGYANG), "--prior", str(last), "--format", "json"])
    before = check_path(last).scores
    assert json.loads(said.stdout)[0]["last_year"] == {  # 湖北 gives no figures for PE401: said on stderr
        "file": last.name,
        "year": 2020,
        "total": round(before.total, 2),
        "grade": "优",
    }
    alone = CliRunner().invoke(main, ["check", str(XIANGYANG), "--format", "json"])
    assert "last_year" not in json.loads(alone.output)[0]
