"""Every check has a failing case (tests/check_cases.yaml) and a passing case (the clean fixture)."""

import json
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.utils.cell import coordinate_to_tuple

from perfeval_xl import checks as checks_module
from perfeval_xl import excel
from perfeval_xl.checks import BY_CODE, CATALOGUE
from perfeval_xl.cli import main
from perfeval_xl.consolidate import Parts
from perfeval_xl.definition import load_form
from perfeval_xl.findings import percent
from perfeval_xl.prior_year import Earlier
from perfeval_xl.service import check_grid, check_path

from .conftest import (
    CLEAN,
    TAOJIANG_OFFICIAL,
    XIANGYANG_OFFICIAL,
    calculated,
    clean_data,
    copy_sheet,
    guangzhou_clean_data,
    insert_indicator,
    insert_rows,
    locate,
    rewrite_parts,
    row_added_under_old_sums,
    yueyang_clean_data,
)
from .xlwings_standin import FakeBook

CASES = yaml.safe_load((Path(__file__).parent / "check_cases.yaml").read_text(encoding="utf-8"))
FAILING = [
    (code, case) for code, cases in sorted(CASES.items()) for case in (cases if isinstance(cases, list) else [cases])
]


def test_every_catalogue_check_has_a_case():
    assert set(CASES) == set(BY_CODE)


@pytest.mark.parametrize("form", sorted(CLEAN))
def test_clean_fixture_passes_every_check(make_book, form):
    evaluation = check_path(make_book(CLEAN[form]()))
    assert [(f.code, f.cell, f.message()) for f in evaluation.findings] == []
    assert evaluation.status == "ok"


@pytest.mark.parametrize(("code", "case"), FAILING, ids=[f"{c}-{case.get('form', 'hubei')}" for c, case in FAILING])
def test_check_fails_at_its_cell(make_book, code, case):
    given = case.get("earlier")  # last year's submission's figures, for a 跨期 check
    summed = case.get("parts")  # what the institutions' forms add up to, for a 汇总 check
    form = case.get("form", "hubei")

    def earlier(evaluation):
        return Earlier({k: (v, 0.0) for k, v in given.items()}, "上年.xlsx", evaluation.definition.id, None)

    parts = Parts({k: (v, 0.0) for k, v in summed.items()}, ("机关.xlsx",), form, None) if summed else None
    evaluation = check_path(make_book(CLEAN[form](), case["change"]), earlier=earlier if given else None, parts=parts)
    hits = [f for f in evaluation.findings if f.code == code]
    assert hits, f"{code} did not fire; got {[(f.code, f.cell) for f in evaluation.findings]}"
    assert locate(evaluation, case["at"]) in {f.cell for f in hits}
    finding = hits[0]
    assert finding.severity == BY_CODE[code].severity
    assert finding.key, f"{code} names no row or field it is about"  # the record's human key (STYLE)
    assert finding.message("zh") and finding.message("en")
    assert finding.message("zh") != finding.message("en")


def _every_check_applying(monkeypatch: pytest.MonkeyPatch) -> None:
    for check in CATALOGUE:
        monkeypatch.setattr(check, "applies_to", classmethod(lambda cls, definition: True))
    monkeypatch.setattr(checks_module, "_ACTIVE", {})  # each form's checks asked again, not taken as known


@pytest.mark.parametrize(("code", "case"), FAILING, ids=[f"{c}-{case.get('form', 'hubei')}" for c, case in FAILING])
def test_a_check_left_out_of_a_form_would_find_nothing_there(make_book, monkeypatch, code, case):
    """A form is checked only with the checks that apply to it (what ``perfeval rules --form`` lists): the failing
    case of every check, whatever its form, gives the same findings when every check of the catalogue is run."""
    path = make_book(CLEAN[case.get("form", "hubei")](), case["change"])
    applying = [(f.code, f.sheet, f.cell, f.message()) for f in check_path(path).findings]
    _every_check_applying(monkeypatch)
    assert [(f.code, f.sheet, f.cell, f.message()) for f in check_path(path).findings] == applying


@pytest.mark.parametrize(
    ("form", "listed", "left_out"),
    [
        ("hubei", {"PE202", "PE210", "PE211", "PE107"}, {"PE113", "PE212", "PE213", "PE215", "PE218", "PE401"}),
        ("guangzhou", {"PE113", "PE212", "PE213", "PE214"}, {"PE202", "PE210", "PE217", "PE218", "PE401"}),
        ("hebei", {"PE201", "PE215", "PE216", "PE301"}, {"PE104", "PE202", "PE204", "PE208", "PE211", "PE401"}),
        ("hunan", {"PE202", "PE217", "PE220", "PE221", "PE401"}, {"PE107", "PE113", "PE213", "PE218", "PE219"}),
        ("yueyang", {"PE211", "PE218", "PE219", "PE401"}, {"PE104", "PE202", "PE208", "PE301", "PE303"}),
    ],
)
def test_rules_for_a_form_list_the_checks_that_apply_to_it(form, listed, left_out):
    """``perfeval rules --form hubei`` listed PE218 (岳阳's row identities) and PE401 (湖南's and 岳阳's last-year
    figures), which no 湖北 form can break."""
    result = CliRunner().invoke(main, ["rules", "--form", form])
    codes = {line.split("\t")[0] for line in result.output.splitlines()}
    assert result.exit_code == 0 and listed <= codes and not codes & left_out
    assert {"PE101", "PE102", "PE108", "PE109", "PE111"} <= codes  # every form's


@pytest.mark.parametrize("check", CATALOGUE, ids=lambda c: c.code)
def test_docstring_documents_the_check(check):
    doc = check.__doc__ or ""
    assert "Failing" in doc and "Passing" in doc
    assert check.summary()


def test_scores_merged_across_two_indicators_are_one_finding_not_five(make_book):
    """Typed once for two indicators, a merged score was read into both rows: 得分 6 超过分值 3 twice, 应为 3 分
    twice and the section over its points, none of them saying what to do."""
    evaluation = check_path(make_book(clean_data(), CASES["PE109"][0]["change"]))
    assert [(f.code, f.cell) for f in evaluation.findings] == [("PE109", "J9")]
    assert "J9:J10" in evaluation.findings[0].message()
    assert evaluation.scores.reported_sum == check_path(make_book(clean_data())).scores.reported_sum


# The 满意度 section's one indicator left blank, its label (满意度指标（10分）) kept by the template.
BLANK_SATISFACTION = {10: {"level2": None, "name": None, "target": None, "actual": None, "score": None, "weight": None}}


@pytest.mark.parametrize("merged", [False, True], ids=["alone", "with-merged-scores"])
def test_a_section_left_blank_is_said_at_its_name(make_book, merged):
    """PE205: a 一级指标 with no indicator filled in is said at the cell naming it, 0 against its points; also when
    scores are merged across rows elsewhere in the table (the table's start was then taken for the merge's cell,
    and the check failed with a TypeError)."""
    change: dict[str, Any] = {"rows": dict(BLANK_SATISFACTION)}
    if merged:
        change["rows"][0] = {"score": 6}
        change["merge"] = CASES["PE109"][0]["change"]["merge"]
    evaluation = check_path(make_book(clean_data(), change))
    blank = [f for f in evaluation.findings if f.code == "PE205"]
    assert [(f.value, f.expected) for f in blank] == [(0.0, 10)]
    row, col = coordinate_to_tuple(blank[0].cell)
    assert str(evaluation.extraction.grids[blank[0].sheet].value(row - 1, col - 1)).startswith("满意度指标")
    assert "该一级指标下没有填写任何指标" in blank[0].message()
    assert not [f for f in check_path(make_book(clean_data())).findings if f.code == "PE205"]


def _with_row(make_book, at: Callable[[Any], int], typed: dict[str, Any], merged: list[tuple[str, ...]] = ()):
    """The clean template and the same with a row inserted above sheet row ``at(table)`` (1-based), as Excel inserts
    one, ``typed`` in its columns (by key) and each of ``merged`` merged: (key, key) across the new row, (key,) with
    the row above. Both checked."""
    clean = check_path(make_book(clean_data()))
    table = clean.extraction.tables["indicators"]
    row, path = at(table), make_book(clean_data())
    book = load_workbook(path)
    sheet = book[table.rows[0].ref("name").sheet]
    insert_indicator(sheet, row, table.columns, typed)
    for keys in merged:
        first, last = table.columns[keys[0]] + 1, table.columns[keys[-1]] + 1
        top = row - 1 if len(keys) == 1 else row
        sheet.merge_cells(start_row=top, start_column=first, end_row=row, end_column=last)
    book.save(path)
    return clean, check_path(path)


INDICATOR_COLUMNS = ("name", "direction", "weight", "target", "actual", "tier", "score")


def test_an_indicator_written_over_two_merged_rows_is_one_indicator(make_book):
    """Every cell of an indicator merged with the row below (a taller row): the row below was read as a second
    indicator, with a false PE205 and PE207 and the total off by its points."""
    below_first = lambda table: table.rows[0].excel_row + 1  # noqa: E731
    clean, evaluation = _with_row(make_book, below_first, {}, [(key,) for key in INDICATOR_COLUMNS])
    assert [(f.code, f.cell) for f in evaluation.findings] == []
    assert len(evaluation.extraction.tables["indicators"].rows) == len(clean.extraction.tables["indicators"].rows)
    assert evaluation.scores.total == pytest.approx(clean.scores.total)


NOTE = "注：满意度指标根据问卷调查结果填写"


@pytest.mark.parametrize(
    ("where", "typed", "merged"),
    [
        # a subtotal row under a section's indicators, its 分值 40 and its 得分 38.49
        ("section", {"name": "小计", "weight": 40, "score": 38.49}, ()),
        ("section", {"name": "产出指标小计", "weight": 40, "score": 38.49}, ()),
        ("section", {"name": "合计", "weight": 40, "score": 38.49}, ()),
        ("section", {"name": "产出指标合计：", "weight": 40, "score": 38.49}, ()),
        ("section", {"name": "产出指标小计（40分）", "weight": 40, "score": 38.49}, ()),
        ("section", {"name": "合计（分）", "weight": 40, "score": 38.49}, ()),
        # the column numbers official forms print under the header (栏次)
        ("header", dict(zip(("level1", "level2", *INDICATOR_COLUMNS), range(1, 10), strict=False)), ()),
        ("header", dict(zip(("level1", "level2", "name", "direction"), ["甲", "乙", "丙", 1], strict=True)), ()),
        ("header", {"level1": "栏次", "direction": 1, "weight": 2, "target": 3}, ()),
        # a note written across the table, what a unit writes below its last row, a row of slashes
        ("end", {"name": NOTE}, [("name", "score")]),
        ("end", {"name": "以下空白"}, ()),
        ("end", {"name": "（以下空白）"}, ()),
        ("end", {"name": "以下为空白"}, ()),
        ("end", {"name": "此行以下空白"}, ()),
        ("end", {"name": "以下空白（本页）"}, ()),
        ("end", {"name": "——以下空白——"}, ()),
        ("end", dict.fromkeys(INDICATOR_COLUMNS, "/"), ()),
    ],
    ids=[
        "小计",
        "产出指标小计",
        "合计",
        "产出指标合计",
        "产出指标小计（40分）",
        "合计（分）",
        "1-9",
        "甲乙丙",
        "栏次",
        "note",
        "blank below",
        "（blank below）",
        "以下为空白",
        "此行以下空白",
        "以下空白（本页）",
        "——以下空白——",
        "/",
    ],
)
def test_a_row_a_unit_types_that_holds_no_indicator_is_none(make_book, where, typed, merged):
    """Each was read as one more indicator: a 小计 with the section's weights doubled (PE205), its scores over its
    points (PE207), its target and actual missing (PE101 twice); a 栏次 row with no choices (PE107 twice) and a score
    over its weight (PE204, PE209); a note as its 指标性质, 分值 and 得分 (two PE107, two PE102, PE106); 以下空白 with
    no target, actual nor score (three PE101)."""
    at = {
        "section": lambda table: [row for row in table.rows if row.section == "产出指标"][-1].excel_row + 1,
        "header": lambda table: table.rows[0].excel_row,
        "end": lambda table: table.rows[-1].excel_row + 1,
    }[where]
    clean, evaluation = _with_row(make_book, at, typed, merged)
    assert [(f.code, f.cell) for f in evaluation.findings] == []
    assert evaluation.scores.total == pytest.approx(clean.scores.total)


@pytest.mark.parametrize(
    ("actual", "met"),
    [
        ("2021年11月完成", True),
        ("2022年1月", False),
        # a date against a month: 2021.11 was the number 2021.11 (not met, and PE209 asked for 0.03 of the points)
        ("2021.11", True),
        ("2021-11-30", True),  # as a date cell reads
        ("2021年11月20日", True),
        ("2022.01", False),
        ("12月20日", True),  # a day without its year: of the form's
    ],
)
def test_a_deadline_met_in_a_month_of_a_stated_year_is_scored(make_book, actual, met):
    """A 时效 indicator due 12月底前, done 2021年11月: it could not be read (PE104) and the self-score was kept."""
    change = {"rows": {0: {"target": "12月底前", "actual": actual, "direction": ""}}}
    evaluation = check_path(make_book(clean_data(), change))
    indicator = evaluation.scores.indicators[0]
    assert (indicator.basis, indicator.met) == ("quantitative", met)
    assert "PE104" not in {f.code for f in evaluation.findings}


@pytest.mark.parametrize(
    ("target", "actual", "met"),
    [
        ("2021.12前", "2021.9", True),  # was the number 2021.12, missed by 2021.9 (w × 2021.12/2021.9)
        ("2021.12前", "2022.1", False),
        ("2021-12前", "2021-11", True),  # was a range from 2021 to 12 (PE105 on the actual), the self-score kept
        ("2021/12前", "2021/11", True),  # was unread (PE104)
        ("2021-12前", "2022-02", False),
        ("2021-12", "2021-10", True),  # a month as a target is a deadline, as a date is (it scored w × 10/12)
        ("12月", "2021.11", True),
    ],
)
def test_a_deadline_dated_with_a_dot_a_dash_or_a_slash_is_a_month(make_book, target, actual, met):
    """Units date a month as 2021.12, 2021-12 or 2021/12: as a deadline it is December 2021, and an actual so dated its
    month, counted from the form's year."""
    change = {"rows": {0: {"target": target, "actual": actual, "direction": ""}}}
    evaluation = check_path(make_book(clean_data(), change))
    indicator = evaluation.scores.indicators[0]
    assert (indicator.basis, indicator.met) == ("quantitative", met)
    assert not {"PE104", "PE105"} & {f.code for f in evaluation.findings}


@pytest.mark.parametrize(
    ("actual", "met", "points"),
    [("6月25日", True, 3), ("2021-06-30", True, 3), ("2021年7月10日完成", False, 3 * 181 / 191)],
)
def test_a_deadline_on_a_day_is_scored_by_the_days(make_book, actual, met, points):
    """6月30日前 could not be read (PE104 on the target and on the actual, the self-score kept). Late, it scores as
    the form's reverse indicators do, w × A/B, in days from the start of the form's year (181 / 191)."""
    change = {"rows": {0: {"target": "6月30日前", "actual": actual, "direction": ""}}}
    evaluation = check_path(make_book(clean_data(), change))
    indicator = evaluation.scores.indicators[0]
    assert (indicator.basis, indicator.met) == ("quantitative", met)
    assert indicator.computed == pytest.approx(points)
    assert "PE104" not in {f.code for f in evaluation.findings}


@pytest.mark.parametrize(
    ("target", "actual", "met"),
    [
        ("≥1800㎡", "1900平方米", True),  # ㎡ folds to m2, which no unit held: PE104 on the target, score kept
        ("≥1800平方米", "1700m²", False),
        ("≥1万人次", "1万余人次", True),  # the unit was 余人次, compared with 人次: PE104
        ("20%—30%", "25%", True),
        ("10000+", "12000", True),
        ("100人+", "90人", False),  # + after the unit: it did not read, PE104
        ("12月末前", "2021年11月份完成", True),
        ("12.31前", "2022年1月5日", False),  # 12.31前 was the number 12.31
        ("12月底前", "12月中旬", True),
        ("12月底前全部完成", "11月已完成", True),  # units 月底前全部 and 月已: PE104 on both
        ("截止2021年底", "2022年1月", False),  # 2021 年 against 13 months: PE104
        ("≥1000人次", "1200人/次", True),
        ("次年3月底前", "2021年12月", True),  # March of the form's year: late
        ("次年3月底前", "2022年3月", True),
        ("本年度内完成", "2022年1月", False),  # words: unchecked
        ("12月上旬前", "12月20日", False),
        ("满意度9成以上", "95%", True),  # 成 is a tenth: 9 of a unit 成 against 95%, PE104
        ("九成以上", "8成", False),
        ("八成五以上", "85%", True),  # 八成五 is 85%: it did not read, PE104
        ("85%以上", "8成5", True),
        ("九成五以上", "94.9%", False),
        ("八成半以上", "85%", True),
        ("1次/年", "1次", True),  # a count per year is the year's count: 次/年 against 次 was PE104, the score kept
        ("≥2次/年", "1次", False),
        ("≥4场", "4场次", True),  # 场次 is 场 as units write it: PE104
        ("覆盖全县15个乡镇", "15个", True),  # 个 of 个乡镇, what is counted left unsaid: PE104
        ("≥10家企业", "8家", False),
        ("≥10人", "10余名", True),  # 人, 名 and 位 all count people: 名 against 人 was PE104
        ("≥10名", "9人", False),
        ("培训专家不少于10位", "12人", True),
        ("≥10名专家", "12人", True),
        # a day dated month.day, month/day or month-day against a deadline on a day is that day: 12.20 was the number
        # 12.2 (PE104), 6-25 a range from 6 to 25 (PE105); alone, 6.25 may be a figure
        ("12.31前", "12.20", True),
        ("12月31日前", "12.20", True),
        ("6/30前", "6/25", True),
        ("6-30前", "7-10", False),
        ("6月30日前", "7.1", False),
    ],
)
def test_values_in_the_spellings_units_type_are_scored(make_book, target, actual, met):
    change = {"rows": {0: {"target": target, "actual": actual, "direction": ""}}}
    evaluation = check_path(make_book(clean_data(), change))
    indicator = evaluation.scores.indicators[0]
    assert (indicator.basis, indicator.met) == ("quantitative", met)
    assert "PE104" not in {f.code for f in evaluation.findings}


def _scored(
    make_book: Callable[..., Path], target: str, actual: str, points: float, **row: str
) -> tuple[Any, set[str]]:
    """Row 0 of the clean 湖北 form with ``target`` and ``actual``, weighted 3 and self-scored ``points`` (and any other
    cells of ``row``, no 指标性质 unless given): its indicator and the codes found."""
    cells = {"target": target, "actual": actual, "direction": "", "weight": 3, "score": points, **row}
    change = {"rows": {0: cells}}
    evaluation = check_path(make_book(clean_data(), change))
    return evaluation.scores.indicators[0], {f.code for f in evaluation.findings}


@pytest.mark.parametrize(
    ("target", "actual", "met", "points"),
    [
        ("每月1期", "12期", True, 3),  # 12 against 1 was PE302, “目标是否设置偏低”
        ("每月1期", "10期", False, 2.5),  # met, as 10 is more than 1
        ("每月1期", "每月1期", True, 3),
        ("每季度开展1次", "4次", True, 3),
        ("每季度1次", "3次", False, 2.25),
        ("每半年1次", "2次", True, 3),
        ("2次/月", "24次", True, 3),
        ("每年不少于2次", "2次", True, 3),
        ("每周1次", "每周1次", True, 3),
    ],
)
def test_a_target_per_month_or_quarter_is_counted_over_the_year(make_book, target, actual, met, points):
    """The form is a year's: 每月1期 asks for 12 issues in it, 每季度1次 for 4 (湖北 备注2 scores w × B/A of them)."""
    indicator, found = _scored(make_book, target, actual, points)
    assert (indicator.basis, indicator.met) == ("quantitative", met)
    assert indicator.computed == pytest.approx(points)
    assert not {"PE104", "PE209", "PE302"} & found


@pytest.mark.parametrize(
    ("target", "actual", "met", "points"),
    [
        ("±5%", "3%", True, 3),  # was read as at least 5 %: not met, 1.8 of 3
        ("±5%", "-3%", True, 3),
        ("±5%", "-8%", False, 1.88),  # 5 % off is allowed either way: 8 % under scores as 8 % over, w × A/B
        ("±5%", "8%", False, 1.88),
        ("≤±5%", "5%", True, 3),
        ("±5%以内", "-5%", True, 3),  # was met by -8 % as well, as less than 5 %
        ("偏差率控制在±5%以内", "偏差率-4.2%", True, 3),
        ("正负5%", "4%", True, 3),
        ("±5%", "±3%", True, 3),
    ],
)
def test_a_tolerance_either_way_is_met_by_a_deviation_that_small_in_either_direction(
    make_book, target, actual, met, points
):
    """±5% (预算执行偏差率, 成本控制) allows 5 % off either way: at most 5 % off, a 反向 target, an actual under it
    compared by its size."""
    indicator, found = _scored(make_book, target, actual, points)
    assert (indicator.basis, indicator.direction, indicator.met) == ("quantitative", "反向", met)
    assert indicator.computed == pytest.approx(points, abs=0.005)
    assert not {"PE104", "PE209"} & found


@pytest.mark.parametrize(
    ("target", "actual", "met", "kept"),
    [
        ("≥95%", "不足95%", False, 3),  # was met, 3 of 3: 不足95% read as 95%
        ("≥95%", "低于90%", False, 3 * 90 / 95),  # at most w × 90/95: a typed 3 is that, rounded
        ("≤5%", "超过5%", False, 3),  # was met: a ceiling passed read as reached
        ("≥95%", "95%以下", None, 3),
        ("≥95%", "超过90%", None, 3),  # was missed, 2.84 of 3, and a self-score of 3 an error (PE209)
        ("≥95%", "85%-90%", False, 3 * 90 / 95),  # a range: was at least 85 %, undecided
        ("≥95%", "接近95%", False, 3),  # nearly: short of it, was met as about 95 %
        ("≥95%", "满意度将近95%", False, 3),
        ("≥100人", "近100人", False, 3),
    ],
)
def test_an_actual_given_as_a_bound_that_decides_no_score_keeps_the_self_score(make_book, target, actual, met, kept):
    """不足95% against ≥95% is below the target by how much it does not say: w × B/A has no B. The row keeps its
    self-score, up to the most the bound allows, a target it certainly missed asks for the reason (PE301), and PE105
    asks for the figure."""
    change = {"rows": {0: {"target": target, "actual": actual, "direction": "", "weight": 3, "score": 3}}}
    evaluation = check_path(make_book(clean_data(), {**change, "fields": {"deviation": ""}}))
    indicator, found = evaluation.scores.indicators[0], {f.code for f in evaluation.findings}
    assert (indicator.basis, indicator.met) == ("qualitative", met)
    assert indicator.computed == pytest.approx(kept)
    assert "PE105" in found and "PE209" not in found  # 2.84 of 3 at most is within a typed 3's rounding
    missed = f"“{indicator.name}”未达到目标"
    assert any(f.code == "PE301" and missed in f.message() for f in evaluation.findings) is (met is False)


@pytest.mark.parametrize(
    ("target", "actual", "met", "points"),
    [
        ("11月底前", "12月底", False, 2.75),  # when it was done, not a deadline: it was not decided, and PE105
        ("11月底前", "12月末", False, 2.75),
        ("12月底前", "11月底", True, 3),
        ("12月底前", "2021年12月底", True, 3),
        ("12月底前", "年底完成", True, 3),
        ("≥95%", "达到90%", False, 3 * 90 / 95),  # what was reached, not at least it
        ("≥95%", "满意度达90%", False, 3 * 90 / 95),
        ("≥95%", "已达到96%", True, 3),
        ("≥95%", "高达97%", True, 3),
        ("≤5%", "控制在6%", False, 3 * 5 / 6),  # the level kept to, not at most it
        ("≤5%", "成本控制在4%", True, 3),
    ],
)
def test_an_actual_said_as_done_is_its_figure(make_book, target, actual, met, points):
    """Words that make a target a bound say in an actual what was done. 12月底 in a target is a deadline, by the end of
    December; in an actual it says when the work was done, in December. 达到90% and 控制在6% say what was reached or
    kept to. Read as bounds, PE105 asked for the figure and against 11月底前 or ≥95% nothing was decided."""
    indicator, found = _scored(make_book, target, actual, points)
    assert (indicator.basis, indicator.met) == ("quantitative", met)
    assert indicator.computed == pytest.approx(points)
    assert not {"PE105", "PE209"} & found


@pytest.mark.parametrize(
    ("target", "actual", "points", "ceiling"),
    [
        ("≥95%", "低于90%", 10, 10 * 90 / 95),  # short of 90 %: at most w × 90/95 by 湖北 备注2
        ("≥95%", "85%-90%", 10, 10 * 90 / 95),  # a range: its better end
        ("≤5%", "超过6%", 10, 10 * 5 / 6),  # 反向: w × A/B, B over 6 %
        ("≥95%", "低于90%", 9, None),
        ("≥95%", "不足95%", 10, None),  # short of 95 % by how much it does not say: full marks is no more than allowed
    ],
)
def test_a_self_score_above_what_a_missed_bound_allows_is_said(make_book, target, actual, points, ceiling):
    """低于90% against ≥95% scores w × B/A with B under 90 %: less than w × 90/95, whatever B was. A self-score above that
    is PE209, saying the most the rule allows; the row counts at most that much."""
    change = {"rows": {0: {"target": target, "actual": actual, "direction": "", "weight": 10, "score": points}}}
    evaluation = check_path(make_book(clean_data(), {**change, "fields": {"deviation": "原因"}}))
    indicator = evaluation.scores.indicators[0]
    said = [f for f in evaluation.findings if f.code == "PE209"]
    if ceiling is None:
        assert not said and indicator.computed == points
        return
    assert indicator.computed == pytest.approx(ceiling)
    assert said[0].expected == round(ceiling, 2)
    assert f"自评 {points} 分，按{indicator.direction}指标计分规则应不超过 {round(ceiling, 2)} 分" in said[0].message()
    assert (
        f"self-scores {points}; the {'positive' if indicator.direction == '正向' else 'negative'} rule gives at most"
        in (said[0].message("en"))
    )


@pytest.mark.parametrize(
    ("target", "actual", "basis", "met", "asked"),
    [
        ("≤5%", "接近5%", "quantitative", True, True),  # nearly 5 % is under 5 %: met, and PE105 asks the figure
        ("≥95%", "约95%", "quantitative", True, False),  # about 95 %: the figure, neither under nor over it
        ("≥95%", "95%左右", "quantitative", True, False),
    ],
)
def test_an_actual_said_as_nearly_a_figure_is_short_of_it(make_book, target, actual, basis, met, asked):
    """将近, 接近 and 近 before a figure say it was nearly reached, not reached; 约 and 左右 say about it."""
    indicator, found = _scored(make_book, target, actual, 3)
    assert (indicator.basis, indicator.met, indicator.computed) == (basis, met, 3)
    assert ("PE105" in found) is asked and "PE209" not in found


@pytest.mark.parametrize(
    ("actual", "zh", "en"),
    [
        ("≥96%", "含比较符", "contains a comparator"),
        ("85%-90%", "是一个范围", "is a range"),  # was “含比较符”, and a range has none
        ("接近96%", "只说接近这个数", "says only nearly that much"),
    ],
)
def test_an_actual_not_given_as_its_figure_is_told_what_it_gave(make_book, actual, zh, en):
    """PE105 asks for the figure achieved, saying what was typed in its place: a comparator, a range, or nearly."""
    evaluation = check_path(make_book(clean_data(), {"rows": {0: {"target": "≥95%", "actual": actual}}}))
    finding = next(f for f in evaluation.findings if f.code == "PE105")
    assert f"“{actual}”{zh}，应填写实际完成的确数" in finding.message()
    assert f"'{actual}' of '{finding.key}' {en}; give the figure achieved" in finding.message("en")


def test_a_self_score_typed_as_text_is_said_with_the_total_its_formula_shows(make_book):
    """Excel's SUM leaves text out: a 3 typed as text prints a 总分 3 short, and the grade its formula gives with it.
    The row's score is still read as 3 (the sum of the sheet's scores is what the total should be)."""
    evaluation = check_path(make_book(clean_data(), {"rows": {0: {"score": "3"}}}))
    finding = next(f for f in evaluation.findings if f.code == "PE116")
    shown, summed = evaluation.extraction.fields["total"].raw, evaluation.scores.reported_sum
    assert summed - shown == pytest.approx(3)
    assert (finding.value, finding.expected) == ("3", 3)
    assert f"是文本，总分的公式不计入它：表中总分为 {shown:g}，应为 {summed:g}" in finding.message()
    assert f"the total's formula leaves out: the sheet shows {shown:g}, {summed:g} with it" in finding.message("en")


@pytest.mark.parametrize(("field", "shown", "shown_en"), [("budget", "空白", "blank"), ("executed", "0.00%", "0.00%")])
def test_an_amount_typed_as_text_is_said_with_the_rate_its_formula_shows(make_book, field, shown, shown_en):
    """The 执行率 formula reads 预算数 through N(), 0 for a text: the rate prints blank, or 0 % for a text 执行数 as
    LibreOffice computes it, and the 预算执行 score with it; the amount is still read as its number."""
    evaluation = check_path(make_book(clean_data(), {"fields": {field: str(clean_data()["fields"][field])}}))
    finding = next(f for f in evaluation.findings if f.code == "PE116")
    assert finding.cell == locate(evaluation, f"field:{field}")
    assert f"是文本，执行率的公式不计入它：表中执行率为 {shown}，应为 97.24%" in finding.message()
    assert f"the execution rate's formula leaves out: the sheet shows {shown_en}, 97.24% with it" in finding.message(
        "en"
    )
    assert evaluation.scores.rate == pytest.approx(3014.42 / 3100)


@pytest.mark.parametrize("level1", ["满意度", "满意度（10分）", " 满意度指标"])
def test_a_section_named_without_its_last_word_is_that_section(make_book, level1):
    """满意度 for 满意度指标 (the 一级指标 as many units write it): the row is that section's, as typed in full."""
    evaluation = check_path(make_book(clean_data(), {"cells": {"row:10:level1": level1}}))
    assert evaluation.scores.indicators[10].section == "满意度指标"
    assert [(f.code, f.cell) for f in evaluation.findings] == []


def test_a_row_under_no_section_of_the_form_is_said_and_counts_in_none(make_book):
    """An 一级指标 the form does not have (新增指标, 社会效益): the row's score was in the unit's total and in no
    section, so the sections' checks did not see it and the checked total left it out, with nothing said."""
    evaluation = check_path(make_book(clean_data(), {"cells": {"row:10:level1": "新增指标"}}))
    finding = next(f for f in evaluation.findings if f.code == "PE117")
    assert finding.cell == locate(evaluation, "row:10:level1")
    assert (finding.value, finding.expected) == ("新增指标", "产出指标、效益指标、满意度指标")
    assert "一级指标“新增指标”不是本表的一级指标（应为产出指标、效益指标、满意度指标之一）" in finding.message()
    assert "其得分 10 不计入任何一级指标，也不计入计算总分" in finding.message()
    assert "is none of the form's sections (产出指标、效益指标、满意度指标)" in finding.message("en")
    assert evaluation.scores.indicators[10].section is None


def test_a_score_the_total_formula_does_not_sum_is_said_at_the_total(make_book):
    """A row inserted under the last indicator is outside the SUM Excel keeps: the sheet's 总分 leaves its score out,
    and nothing said so. PE223 names the rows, at the 总分 cell (its formula is what to mend)."""
    evaluation = check_path(row_added_under_old_sums(make_book, 2))
    total = evaluation.extraction.fields["total"].ref
    finding = next(f for f in evaluation.findings if f.code == "PE223")
    assert finding.cell == total.a1 and finding.value == "=N($F$6)+SUM($J$9:$J$31)"
    assert finding.expected == pytest.approx(evaluation.scores.reported_sum)
    summed = f"{round(evaluation.scores.reported_sum, 4):g}"
    assert f"总分的公式 =N($F$6)+SUM($J$9:$J$31) 未计入第 {total.row} 行的得分（共 2 分），总分应为 {summed}" in (
        finding.message()
    )
    assert f"the total's formula =N($F$6)+SUM($J$9:$J$31) leaves out the score in row {total.row} (2 in all)" in (
        finding.message("en")
    )
    # the 总分 cell of our template is locked: the message says how to reach it
    assert "总分格受保护时，先点“审阅 → 撤销工作表保护”，标准模板未设密码" in finding.message()
    assert "first Review → Unprotect Sheet: the standard template has no password" in finding.message("en")


def test_a_zero_score_outside_the_total_formula_is_not_said(make_book):
    """A score of 0 the SUM leaves out changes nothing the sheet prints."""
    assert "PE223" not in {f.code for f in check_path(row_added_under_old_sums(make_book, 0)).findings}


@pytest.mark.parametrize(
    ("formula", "rows"),
    [
        ("=N($F$6)+SUM($J$9:$J$31)", []),
        ("=N($F$6)+SUM(J9:J16)+SUM(J21:J31)", []),
        ("=N($F$6)+$L$40", []),  # through a formula of the unit's own (L40 = SUM($J$9:$J$31))
        ('=N($F$6)+SUM(INDIRECT("J9:J31"))', []),  # what it reads cannot be told: nothing said
        ("=N($F$6)+SUM($J$9:$J$22)", [27]),
        ("=SUM($J$9:$J$31)", [6]),  # the 预算执行 score is one of the scores the total adds
        ("=N($F$6)+SUM($K$9:$K$31)", [9, 10, 11, 12, 13, 14, 15, 16, 21, 22, 27]),
        # 复核总分 (H32) is ours, summing 计算得分, never a subtotal of the unit's: what it reads is not read through it
        ("=SUM($J$9:$J$31)+0*$H$32", [6]),
    ],
)
def test_the_total_formula_is_checked_for_the_rows_it_reads(make_book, formula, rows):
    evaluation = check_path(
        make_book(clean_data(), {"cells": {"field:total": formula, "cell:L40": "=SUM($J$9:$J$31)"}})
    )
    found = [f for f in evaluation.findings if f.code == "PE223"]
    assert [f.cell for f in found] == ([locate(evaluation, "field:total")] if rows else [])
    for finding in found:
        assert "第 " + "、".join(str(r) for r in rows[:5]) in finding.message()


def _at(evaluation) -> dict[str, str]:
    return {key: f.ref.a1 for key, f in evaluation.extraction.fields.items() if f.ref}


@pytest.mark.parametrize(
    ("key", "formula", "shown", "said"),
    [
        # the unit's rate formula reads 90 % of 执行数: the rate, the 预算执行 score and the total all print short
        (
            "rate",
            "{executed}/{budget}*0.9",
            0.8751541935,
            "执行率的公式 ={executed}/{budget}*0.9 显示 87.52%，应为 97.24%",
        ),
        (
            "budget_score",
            "MIN(20,20*{rate})/2",
            9.724,
            "预算执行得分的公式 =MIN(20,20*{rate})/2 显示 9.724，应为 19.448",
        ),
        (
            "total",
            "SUM(J9:J31)+{budget_score}-1",
            90.938,
            "总分的公式 =SUM(J9:J31)+{budget_score}-1 显示 90.938，应为 91.938",
        ),
        # the unit raised the bar of 优 to 95: the sheet grades its 91.938 良
        (
            "grade",
            'IF({total}>=95,"优",IF({total}>=80,"良",IF({total}>=60,"中","差")))',
            "良",
            '评价等次的公式 =IF({total}>=95,"优",IF({total}>=80,"良",IF({total}>=60,"中","差"))) 显示 良，应为 优',
        ),
    ],
)
def test_a_form_formula_showing_another_result_than_the_rules_is_said_at_its_cell(make_book, key, formula, shown, said):
    """A unit's edited formula (the rate of another cell, a score halved, a total less 1) prints a number the form's
    rules do not give, and the ones computed from it with it: said once, at the first of them."""
    evaluation = check_path(make_book(clean_data(), {"shown": {f"field:{key}": (formula, shown)}}))
    at = _at(evaluation)
    found = [(f.cell, f.message()) for f in evaluation.findings if f.code == "PE224"]
    assert [cell for cell, _ in found] == [at[key]]
    assert said.format(**at) in found[0][1]
    assert not [f for f in evaluation.findings if f.code in ("PE201", "PE202", "PE208", "PE211")]


def test_a_rate_formula_printing_short_is_said_alone_not_with_the_scores_it_gives(make_book):
    """The rate printed 87.52 % gives a 预算执行 score of 17.504 and a total 1.944 short, as their formulas should:
    the rate is the one to mend."""
    shown = {
        "field:rate": ("{executed}/{budget}*0.9", 0.8751541935),
        "field:budget_score": ("MIN(20,20*{rate})", 17.504),
        "field:total": ("N({budget_score})+SUM(J9:J31)", 89.994),
    }
    evaluation = check_path(make_book(clean_data(), {"shown": shown}))
    at = _at(evaluation)
    assert [(f.code, f.cell) for f in evaluation.findings] == [("PE224", at["rate"])]
    said = evaluation.findings[0].message("en")
    assert (
        f"the execution rate's formula ={at['executed']}/{at['budget']}*0.9 shows 87.52%, 97.24% by the rules" in said
    )


@pytest.mark.parametrize(
    ("form", "key", "formula", "shown", "said"),
    [
        # 广州 支出规模's 完成率 of 市本级支出: scored from the amounts, but printed on the form
        ("guangzhou", "rate_city", "{executed_city}/{budget_city}*0.9", 0.8656874414, "显示 86.57%，应为 96.19%"),
        # 河北 (no points): 执行率 of 支出合计
        ("hebei", "rate_spending", "{final_spending}/{budget_spending}*0.9", 0.8458964463, "显示 84.59%，应为 93.99%"),
        # 湖南 基础数据表's 编制控制率 (在职人数 / 编制人数)
        ("hunan", "control_rate", "{on_duty}/{staffing}/2", 0.5, "显示 50.00%，应为 100.00%"),
    ],
)
def test_a_rate_formula_of_the_form_showing_another_rate_than_its_amounts_is_said(
    make_book, form, key, formula, shown, said
):
    """A computed rate of the form (完成率, 执行率, 编制控制率) whose formula the unit edited prints another rate than its
    amounts give; each rate is its own, said at its cell whatever the chain of scores after it says."""
    evaluation = check_path(make_book(CLEAN[form](), {"shown": {f"field:{key}": (formula, shown)}}))
    at = _at(evaluation)
    found = [f for f in evaluation.findings if f.code == "PE224"]
    assert [f.cell for f in found] == [at[key]]
    label = evaluation.extraction.fields[key].spec.label
    assert f"{label}的公式 ={formula.format(**at)} {said}" in found[0].message()
    assert found[0].expected == pytest.approx(evaluation.scores.ratios[key], abs=1e-6)
    assert f"{label}'s formula ={formula.format(**at)} shows {percent(shown)}" in found[0].message("en")
    assert "PE201" not in {f.code for f in evaluation.findings}


def test_a_rate_formula_of_the_form_showing_its_amounts_rate_is_not_said(make_book):
    """The template's formula, calculated: 96.19 % is what 执行数 / 预算数 of 市本级支出 gives."""
    evaluation = check_path(calculated(make_book(CLEAN["guangzhou"]()), {}))
    assert "PE224" not in {f.code for f in evaluation.findings}


def test_a_form_formula_showing_an_error_is_said_with_the_error(make_book):
    evaluation = check_path(
        make_book(clean_data(), {"shown": {"field:budget_score": ("MIN(20,20*{rate})*分值", "#NAME?")}})
    )
    found = [f for f in evaluation.findings if f.code == "PE224"]
    assert [(f.cell, f.value) for f in found] == [(_at(evaluation)["budget_score"], "#NAME?")]
    assert "显示 #NAME?，应为 19.448" in found[0].message()


def test_a_form_formula_filled_down_as_a_shared_one_is_said_without_its_text(make_book):
    """A shared formula filled down (<f t="shared" si="0"/>) writes no text of its own: still a formula, said as one."""
    path = make_book(clean_data(), {"shown": {"field:rate": ("SHARED", 0.8751541935)}})
    rewrite_parts(
        path, {"xl/worksheets/sheet1.xml": lambda xml: xml.replace(b"<f>SHARED</f>", b'<f t="shared" si="0"/>')}
    )
    evaluation = check_path(path)
    found = [f for f in evaluation.findings if f.code == "PE224"]
    assert [f.cell for f in found] == [_at(evaluation)["rate"]]
    assert "执行率的公式 （共享公式） 显示 87.52%" in found[0].message()
    assert "the execution rate's formula (a shared formula) shows 87.52%" in found[0].message("en")


def test_a_score_computed_from_a_rate_typed_wrong_is_the_typed_rates_finding(make_book):
    """104.44 % typed over the rate formula gives a 预算执行 score of 20 by the template's formula: PE201 says the rate,
    and the score follows it."""
    shown = {"field:rate": ("", 1.0444), "field:budget_score": ("MIN(20,20*{rate})", 20)}
    evaluation = check_path(make_book(clean_data(), {"shown": shown}))
    assert {f.code for f in evaluation.findings} & {"PE201", "PE224"} == {"PE201"}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({}, None),
        ({"rows": {0: {"score": "3"}}}, "PE116"),
        ({"fields": {"budget": "3100"}}, "PE116"),
        # a total the unit's formula rounds to one decimal, as a total it types may be (PE208 allows it too)
        ({"shown": {"field:total": ("ROUND(N({budget_score})+SUM(J9:J31),1)", 91.9)}}, None),
    ],
)
def test_a_form_formula_showing_what_the_rules_give_or_what_a_text_number_explains_is_not_said(make_book, change, code):
    """The template's formulas, calculated, show what the rules give; a formula short of a number typed as text is
    PE116's to say, not this check's."""
    evaluation = check_path(calculated(make_book(clean_data(), change), {}))
    assert "PE224" not in {f.code for f in evaluation.findings}
    assert code is None or code in {f.code for f in evaluation.findings}


@pytest.mark.parametrize("cells", [{}, {"field:total": 91.938}])
def test_a_self_score_typed_as_a_number_or_under_a_typed_total_is_not_said(make_book, cells):
    """A number is summed; a 总分 typed by hand (no formula) leaves nothing out, and PE208 checks it."""
    score = 3 if not cells else "3"
    evaluation = check_path(make_book(clean_data(), {"rows": {0: {"score": score}}, "cells": cells}))
    assert "PE116" not in {f.code for f in evaluation.findings}
    assert evaluation.scores.indicators[0].reported_score == 3


@pytest.mark.parametrize(("actual", "met"), [("12月底前", None), ("截止12月底", None), ("10月底前", True)])
def test_an_actual_before_a_months_end_is_a_bound(make_book, actual, met):
    """12月底前完成 as an actual says it was done by then, not when: against 11月底前 that decides nothing."""
    indicator, found = _scored(make_book, "11月底前", actual, 3)
    assert indicator.met is met and "PE105" in found


@pytest.mark.parametrize(
    ("target", "actual", "level2", "direction", "met", "points"),
    [
        ("1000-1200万元", "1300万元", "成本指标", "", False, 2.77),  # was 正向, at least 1000: met, 3 of 3
        ("1000-1200万元", "1100万元", "成本指标", "", True, 3),
        ("1000-1200万元", "900万元", "成本指标", "", True, 3),  # under the range: a cost saved
        ("1000万元-1200万元", "1300万元", "数量指标", "反向", False, 2.77),  # was PE114, a range read as ≥
        ("90%-95%", "97%", "满意度指标", "", True, 3),
        ("90%-95%", "85%", "满意度指标", "", False, 2.83),
        ("90%-95%", "85%", "满意度指标", "正向", False, 2.83),
    ],
)
def test_a_range_as_target_is_its_upper_end_for_a_negative_indicator(
    make_book, target, actual, level2, direction, met, points
):
    """成本控制在1000-1200万元 asks for at most 1200万元: a range says no direction of its own, and was read as at least
    its lower end, 正向 over 成本指标 and over a typed 反向 (PE114), so that 1300万元 met it at full marks. A range is
    now 正向 or 反向 as a bare figure is, and a 反向 one is its upper end."""
    indicator, found = _scored(make_book, target, actual, points, level2=level2, direction=direction)
    assert (indicator.basis, indicator.met) == ("quantitative", met)
    assert indicator.computed == pytest.approx(points, abs=0.005)
    assert not {"PE104", "PE114", "PE209"} & found


@pytest.mark.parametrize(
    ("target", "actual"), [("≥95%", "95%以上"), ("≥95%", "超过96%"), ("≤5%", "不足5%"), ("≤5%", "3%-4%")]
)
def test_an_actual_given_as_a_bound_that_meets_its_target_scores_the_weight(make_book, target, actual):
    """95%以上 against ≥95%: every figure it allows meets the target, so the row scores its weight."""
    indicator, found = _scored(make_book, target, actual, 3)
    assert (indicator.basis, indicator.met, indicator.computed) == ("quantitative", True, 3)
    assert "PE209" not in found


@pytest.mark.parametrize(
    ("target", "actual", "met", "points"),
    [
        ("≤2天", "48小时", True, 3),
        ("1小时内", "30分钟", True, 3),
        ("≤0.5小时", "25分钟", True, 3),
        ("≤30分钟", "1小时", False, 1.5),  # twice the time allowed: w × A/B, half the weight
        ("5日内", "3天", True, 3),
        ("≤2周", "10天", True, 3),
        ("≥12个月", "1年", True, 3),
        ("≤1年", "10个月", True, 3),
        ("≤5个工作日", "3工作日", True, 3),
        ("≤2个小时", "90分钟", True, 3),
    ],
)
def test_a_length_of_time_in_another_unit_is_converted(make_book, target, actual, met, points):
    """48小时 against ≤2天, 30分钟 against 1小时内, 1年 against ≥12个月: the same length of time, in another unit, was
    PE104's units that differ and the row left to its self-score."""
    indicator, found = _scored(make_book, target, actual, points)
    assert (indicator.basis, indicator.met) == ("quantitative", met)
    assert indicator.computed == pytest.approx(points)
    assert not {"PE104", "PE209"} & found


@pytest.mark.parametrize(
    ("target", "actual"),
    [
        ("≥50人", "60人次"),
        ("6个月", "6个"),
        ("每月1期", "90%"),
        ("≤500元/人", "480元"),
        ("每周1次", "50次"),  # 50 against 1 was met and PE302, 50 times the target: set too low
        ("≤5个工作日", "7天"),  # a week holds five working days or fewer: no set number
        ("≤3个月", "80天"),  # a month holds 28 to 31 days
        ("≥10人", "12人次"),  # people against the times they came: 人次 counts visits, not people
        ("≤5个工作日", "5个"),  # 个工作日 was 个 of a thing counted, 工作日, and 5个 met it
    ],
)
def test_units_that_count_other_things_are_still_said(make_book, target, actual):
    """人 and 人次 count different things, as 个月 and 个 do; 元/人 is a rate where 元 is a total, and 次/周 one of a
    week where 50次 is the year's: PE104, the self-score kept."""
    change = {"rows": {0: {"target": target, "actual": actual, "direction": ""}}}
    evaluation = check_path(make_book(clean_data(), change))
    assert evaluation.scores.indicators[0].basis == "qualitative"
    assert "PE104" in {f.code for f in evaluation.findings}


@pytest.mark.parametrize(
    ("actual", "fires"),
    [("达到96%", False), ("群众满意度达96.5%", False), ("达到96%以上", True), ("96%以上", True), ("≥96%", True)],
)
def test_an_actual_said_as_reached_is_a_figure_not_a_comparator(make_book, actual, fires):
    """达到96% in an actual says what was reached (in a target, 达到90% is at least 90 %): it was PE105, “含比较符，
    应填写实际完成的确数”, on a figure given exactly."""
    change = {"rows": {0: {"target": "≥90%", "actual": actual}}}
    evaluation = check_path(make_book(clean_data(), change))
    assert ("PE105" in {f.code for f in evaluation.findings}) is fires


@pytest.mark.parametrize(("budget", "fires"), [("26341700元", False), (999_999.99, False), (1_000_000, True)])
def test_an_amount_in_yuan_is_said_only_when_typed_bare_and_that_large(make_book, budget, fires):
    """An amount with its unit typed (26341700元) reads as that many 元; a bare figure is the form's 万元, and one of
    100亿元 or more is what a 元 figure in a 万元 cell looks like."""
    evaluation = check_path(make_book(clean_data(), {"fields": {"budget": budget}}))
    assert ("PE112" in {f.code for f in evaluation.findings}) is fires


@pytest.mark.parametrize(
    ("target", "actual", "basis", "met"),
    [
        ("0起", "无", "quantitative", True),  # none against none allowed: met, scored (the self-score was kept)
        ("≤5起", "没有", "quantitative", True),
        ("≤3次", "未发生", "quantitative", True),
        ("≥90%", "无", "qualitative", None),  # none against a share asked for: no figure (PE110)
        ("0起", "/", "qualitative", None),  # a placeholder says nothing was counted, not that none happened
    ],
)
def test_none_against_at_most_some_is_zero(make_book, target, actual, basis, met):
    evaluation = check_path(make_book(clean_data(), {"rows": {4: {"target": target, "actual": actual}}}))
    indicator = evaluation.scores.indicators[4]
    assert (indicator.basis, indicator.met) == (basis, met)
    if met:
        assert indicator.computed == indicator.weight
        assert "PE209" in {f.code for f in evaluation.findings}  # the clean fixture's 3.49 of 5 is now checked


@pytest.mark.parametrize(
    ("target", "actual"),
    [
        ("0起", "零事故"),
        ("≤3起", "未发生安全事故"),
        ("0起", "无安全责任事故发生"),
        ("0次", "零投诉"),
        ("0起", "安全事故零发生"),
        ("零事故", "零事故"),  # a target of none in words: at most none
        ("无安全事故", "无"),
        ("零投诉", "0次"),
        ("确保全年不发生安全生产事故", "全年未发生安全生产事故"),
        ("杜绝安全责任事故", "0起"),
        ("全年零事故", "无"),
    ],
)
def test_none_of_what_is_counted_said_in_words_is_zero(make_book, target, actual):
    """零事故, 无安全事故, 未发生安全事故 say how many happened: none. Against 0起 they were PE110 (no figure given), and
    as a target 零事故 left the row unscored, whatever its actual."""
    evaluation = check_path(make_book(clean_data(), {"rows": {4: {"target": target, "actual": actual}}}))
    indicator = evaluation.scores.indicators[4]
    assert (indicator.basis, indicator.met, indicator.computed) == ("quantitative", True, indicator.weight)
    assert "PE110" not in {f.code for f in evaluation.findings}


def test_an_accident_against_a_target_of_none_in_words_scores_nothing(make_book):
    """零事故 with 1起 happened was left to its self-score, 3.49 of 5, without a word."""
    change = {"rows": {4: {"target": "零事故", "actual": "1起", "direction": ""}}}
    evaluation = check_path(make_book(clean_data(), change))
    indicator = evaluation.scores.indicators[4]
    assert (indicator.direction, indicator.met, indicator.computed) == ("反向", False, 0.0)
    assert "PE209" in {f.code for f in evaluation.findings}


@pytest.mark.parametrize(
    ("target", "actual"),
    [
        ("≥90%", "无投诉"),  # no complaint is no share of satisfied people
        ("0起", "无法统计"),  # could not be counted: no figure
        ("0起", "无变化"),
    ],
)
def test_words_that_give_no_count_of_none_are_still_no_figure(make_book, target, actual):
    evaluation = check_path(make_book(clean_data(), {"rows": {4: {"target": target, "actual": actual}}}))
    assert evaluation.scores.indicators[4].basis == "qualitative"
    assert "PE110" in {f.code for f in evaluation.findings}


@pytest.mark.parametrize("target", ["零距离服务", "无", "杜绝铺张浪费"])
def test_a_target_naming_nothing_counted_stays_words(make_book, target):
    evaluation = check_path(make_book(clean_data(), {"rows": {4: {"target": target, "actual": "0起"}}}))
    assert evaluation.scores.indicators[4].basis == "qualitative"


@pytest.mark.parametrize(
    ("target", "actual"),
    [
        ("100%", "全部完成"),
        ("≥95%", "已全部完成"),
        ("100%", "全覆盖"),
        ("90%以上", "全部达标"),
        ("100%", "百分百"),
        ("100%", "实现全覆盖"),
        ("≥95%", "已实现全覆盖"),
    ],
)
def test_all_said_in_words_against_a_share_is_all_of_it(make_book, target, actual):
    """全部完成 against 100% (完成率, 覆盖率) says how much was done: all of it. It was PE110, no figure given, and the row
    was left to its self-score."""
    evaluation = check_path(
        make_book(clean_data(), {"rows": {4: {"target": target, "actual": actual, "direction": ""}}})
    )
    indicator = evaluation.scores.indicators[4]
    assert (indicator.basis, indicator.met, indicator.actual.value) == ("quantitative", True, 1.0)
    assert "PE110" not in {f.code for f in evaluation.findings}


@pytest.mark.parametrize(
    ("target", "actual"),
    [
        ("≤5%", "全部完成"),  # a share at most: all done says nothing of it
        ("100%", "已完成"),  # done, not said to be all of it
        ("100%", "基本全部完成"),  # nearly all
        ("6个", "全部完成"),  # a count: the figure is asked for
    ],
)
def test_words_that_do_not_say_all_of_a_share_are_still_no_figure(make_book, target, actual):
    evaluation = check_path(
        make_book(clean_data(), {"rows": {4: {"target": target, "actual": actual, "direction": ""}}})
    )
    assert evaluation.scores.indicators[4].basis == "qualitative"
    assert "PE110" in {f.code for f in evaluation.findings}


@pytest.mark.parametrize(("typed", "reported"), [("加2.5分", 2.5), ("扣2.5分", -2.5), ("不加分", 0.0)])
def test_a_bonus_typed_in_words_is_read(make_book, typed, reported):
    evaluation = check_path(make_book(guangzhou_clean_data(), {"rows": {41: {"score": typed}}}))
    assert "PE102" not in {f.code for f in evaluation.findings}
    bonus = next(i for i in evaluation.scores.indicators if i.bonus is not None)
    assert bonus.reported_score == reported


def test_a_bare_number_against_a_deadline_on_a_day_is_not_a_day(make_book):
    """25 against 6月30日前 is no date: it took the target's unit and was day 25, the target met."""
    change = {"rows": {0: {"target": "6月30日前", "actual": 25, "direction": ""}}}
    evaluation = check_path(make_book(clean_data(), change))
    assert evaluation.scores.indicators[0].met is None
    finding = next(f for f in evaluation.findings if f.code == "PE104")
    assert (finding.cell, finding.value) == (locate(evaluation, "row:0:actual"), "25")
    assert "日期" in finding.message()


def test_a_month_against_a_deadline_on_a_day_asks_for_the_day(make_book):
    """2021年6月 against 6月30日前 cannot be decided (the 1st or the 30th?): it said “单位 月 与目标值单位 日期 不一致”."""
    change = {"rows": {0: {"target": "6月30日前", "actual": "2021年6月", "direction": ""}}}
    finding = next(f for f in check_path(make_book(clean_data(), change)).findings if f.code == "PE104")
    assert finding.message().endswith("（目标值与实际完成值须同为日期，如“6月30日前”与“6月25日”）")


@pytest.mark.parametrize(("where", "other"), [("actual", "target"), ("target", "actual")])
def test_a_date_excel_made_of_a_count_is_said_on_its_cell_with_the_mend(make_book, where, other):
    """7-8 typed as a count becomes 2021-07-08 in Excel; read as a day, it was said to differ from 7个 in its unit,
    on the actual whichever cell held it, without saying how to get the input back."""
    change = {"rows": {0: {where: "2021-07-08", other: "7个"}}}
    evaluation = check_path(make_book(clean_data(), change))
    finding = next(f for f in evaluation.findings if f.code == "PE104")
    assert (finding.cell, finding.value) == (locate(evaluation, f"row:0:{where}"), "2021-07-08")
    assert "自动转成日期" in finding.message()


@pytest.mark.parametrize(
    ("target", "actual", "met"),
    [
        ("8个", "完成8个，完成率100%", True),
        ("100%", "完成8个，完成率100%", True),
        ("≥10个", "完成8个，完成率80%", False),
        ("≥95%", "调查300人，满意度96%", True),
        ("≥10人", "培训10名，满意度95%", True),  # 名 counts people as 人 does: it was left a list, PE104
        ("≤2天", "响应48小时，满意度96%", True),  # 48小时 is 2天
    ],
)
def test_an_actual_listing_figures_is_read_as_the_one_in_the_targets_unit(make_book, target, actual, met):
    """完成8个，完成率100% says the count and its rate: against 8个 the count is the actual, against 100% the rate. It
    was read as a list of two figures, the row left to its self-score without a word."""
    change = {"rows": {0: {"target": target, "actual": actual, "direction": ""}}}
    evaluation = check_path(make_book(clean_data(), change))
    indicator = evaluation.scores.indicators[0]
    assert (indicator.basis, indicator.met) == ("quantitative", met)
    assert "PE104" not in {f.code for f in evaluation.findings}


@pytest.mark.parametrize("actual", ["科普小镇1个，专家工作站7个", "完成6家，覆盖90%"])
def test_an_actual_listing_figures_none_or_several_of_them_in_the_targets_unit_is_said(make_book, actual):
    """Against 8个, 1个 and 7个 are two counts, neither of them the target's, and 6家 and 90% none: the row cannot be
    scored, which went unsaid."""
    change = {"rows": {0: {"target": "8个", "actual": actual, "direction": ""}}}
    evaluation = check_path(make_book(clean_data(), change))
    assert evaluation.scores.indicators[0].basis == "qualitative"
    finding = next(f for f in evaluation.findings if f.code == "PE104")
    assert (finding.cell, finding.value) == (locate(evaluation, "row:0:actual"), actual)
    assert finding.message().endswith("（列出了几个数，不知哪一个与目标值“8个”对应：请只填与目标值对应的完成数）")
    assert finding.message("en").endswith(
        "(it lists several figures, and which of them answers the target 8个 is not said: give the one that does)"
    )


@pytest.mark.parametrize(
    ("target", "actual", "met"),
    [
        ("科普小镇1个，专家工作站三个", "科普小镇1个，专家工作站3个", True),
        ("科普小镇1个，专家工作站三个", "科普小镇1个，专家工作站2个", False),
        ("科普小镇1个，专家工作站3个", "专家工作站3个；科普小镇1个", True),  # paired by their names, in any order
        ("科普小镇1个，专家工作站3个", "1个，2个", False),  # no names: in the order given
        ("≥2场；≥90%", "3场；85%", False),
        ("科普小镇1个，专家工作站3个", "示范基地1个，科普e站3个", None),  # other names: nothing to pair
        ("科普小镇1个，专家工作站3个", "科普小镇1个，专家工作站3人", None),  # 人 is no count of 个
        ("科普小镇1个，专家工作站3个", "科普小镇1个", None),
        ("科普小镇1个，专家工作站3个", "科普小镇1个，专家工作站不足3个", False),  # a part below its target
        ("科普小镇1个，专家工作站3个", "科普小镇1个，专家工作站3个以上", True),
        ("科普小镇1个，专家工作站5个", "科普小镇1个，专家工作站3个以上", None),  # was missed: 3个以上 may be 5
        ("科普小镇2个，专家工作站5个", "科普小镇1个，专家工作站3个以上", False),
    ],
)
def test_a_list_of_targets_is_met_when_each_of_its_figures_is(make_book, target, actual, met):
    """科普小镇1个，专家工作站三个 against 科普小镇1个，专家工作站2个 missed a target without a word: a list was never
    compared. Each figure is now compared with its own, paired by name (or in order when either lists no names), and a
    missed one asks for the reason (PE301). How a list scores the form does not say: the self-score is kept."""
    change = {"rows": {0: {"target": target, "actual": actual, "direction": "", "score": 3}}}
    evaluation = check_path(make_book(clean_data(), {**change, "fields": {"deviation": ""}}))
    indicator = evaluation.scores.indicators[0]
    assert (indicator.basis, indicator.met, indicator.computed) == ("qualitative", met, 3)
    missed = f"“{indicator.name}”未达到目标"
    assert any(f.code == "PE301" and missed in f.message() for f in evaluation.findings) is (met is False)


@pytest.mark.parametrize(
    ("actual", "said"),
    [
        ("4个", "年初目标值列了几项，实际完成值只有一个数"),
        ("科普小镇1个", "年初目标值列了几项，实际完成值只有一个数"),
        ("示范基地1个，科普e站3个", "实际完成值的各项与年初目标值的各项对不上"),
        ("科普小镇1个，专家工作站3人", "实际完成值的各项与年初目标值的各项对不上"),
        ("1个，2个，3个", "实际完成值的各项与年初目标值的各项对不上"),
    ],
)
def test_a_list_of_targets_answered_by_no_list_that_pairs_is_said(make_book, actual, said):
    """科普小镇1个，专家工作站3个 against 4个, or against a list of other names, was compared with nothing and said
    nothing: the row kept its self-score without a word."""
    target = "科普小镇1个，专家工作站3个"
    evaluation = check_path(make_book(clean_data(), {"rows": {0: {"target": target, "actual": actual}}}))
    finding = next(f for f in evaluation.findings if f.code == "PE104")
    assert (finding.cell, finding.value, finding.expected) == (locate(evaluation, "row:0:actual"), actual, target)
    assert finding.message().endswith(f"（{said}：请按年初目标值的各项逐项填写完成数，如“科普小镇1个，专家工作站3个”）")
    assert "give a figure for each of the target's" in finding.message("en")


@pytest.mark.parametrize(
    ("actual", "direction"),
    [("科普小镇1个，专家工作站2个", ""), ("完成科普小镇1个；专家工作站3个", ""), ("4个", "定性")],
)
def test_a_list_of_targets_answered_item_by_item_or_typed_qualitative_is_not_said(make_book, actual, direction):
    target = "科普小镇1个，专家工作站3个"
    change = {"rows": {0: {"target": target, "actual": actual, "direction": direction}}}
    evaluation = check_path(make_book(clean_data(), change))
    assert "PE104" not in {f.code for f in evaluation.findings}


@pytest.mark.parametrize("ratio", ["1:1", "1：1", "8/8", "完成8/8项"])
def test_a_ratio_or_a_fraction_is_unparsed_with_how_to_write_it(make_book, ratio):
    """1:1 and 8/8 say neither a direction nor a unit the target's can be compared with: the tool does not guess, and
    says what it can read instead of leaving the unit to find out."""
    evaluation = check_path(make_book(clean_data(), {"rows": {0: {"actual": ratio}}}))
    finding = next(f for f in evaluation.findings if f.code == "PE104")
    assert finding.message().endswith("（比值或分数无法与目标值比较：请写成百分数或数量，如“100%”“8个”）")
    assert finding.message("en").endswith(
        "(a ratio or a fraction does not compare with the target: write a percentage or a quantity, such as 100% or 8个)"
    )


def test_a_value_that_is_no_ratio_gets_no_such_hint(make_book):
    evaluation = check_path(make_book(clean_data(), {"rows": {0: {"actual": "完成2020年16家建站工作站第一阶段评审"}}}))
    finding = next(f for f in evaluation.findings if f.code == "PE104")
    assert "比值" not in finding.message()


@pytest.mark.parametrize(
    ("target", "actual"),
    [
        ("90%以上", "96.5%"),
        ("达标", "达标"),  # a qualitative target
        ("≤5起", "无"),  # none, against at most some: met
        ("0起", "无"),
        ("≤5起", "/"),
        ("年底前完成", "按期完成"),  # a deadline said to be met on time
        ("12月底前", "提前完成"),
        ("6月30日前", "按时完成"),
        ("年底前完成", "已完成"),  # done, in a year-end self-evaluation
    ],
)
def test_an_actual_without_a_figure_is_said_only_against_a_figure_asked_for(make_book, target, actual):
    change = {"rows": {6: {"target": target, "actual": actual}}}
    assert "PE110" not in {f.code for f in check_path(make_book(clean_data(), change)).findings}


def test_an_actual_without_a_figure_scored_nothing_is_not_said(make_book):
    """未开展, 0 points: no score to check against the target."""
    change = {"rows": {6: {"actual": "未开展", "score": 0}}}
    assert "PE110" not in {f.code for f in check_path(make_book(clean_data(), change)).findings}


@pytest.mark.parametrize("typed", ["二〇二一年", "二零二一", "２０２１年度"])
def test_a_year_typed_in_chinese_numerals_or_full_width_digits_is_that_year(make_book, typed):
    assert check_path(make_book(clean_data(), {"fields": {"year": typed}})).extraction.year == 2021


def test_arithmetic_findings_carry_numbers(make_book):
    evaluation = check_path(make_book(clean_data(), CASES["PE209"][0]["change"]))
    finding = next(f for f in evaluation.findings if f.code == "PE209")
    assert finding.value == 5
    assert finding.expected == pytest.approx(3.49)


@pytest.mark.parametrize(
    ("target", "actual", "typed", "direction", "met", "points"),
    [
        ("≤5%", "3%", "正向", "反向", True, 3),  # as 正向, w × B/A: 1.8, and PE209 on the full marks claimed
        ("90%以上", "100%", "反向", "正向", True, 3),  # as 反向, w × A/B: 2.7
        ("0起", "1起", "正向", "反向", False, 0),  # as 正向, 0起 had no A to divide by: met, full marks
        ("≥95%", "96%", "正向", "正向", True, 3),
        ("1411.9万元", "1300万元", "反向", "反向", True, 3),  # no comparator: the typed direction stands
        ("1411.9万元", "1300万元", "正向", "正向", False, 3 * 1300 / 1411.9),
    ],
)
def test_a_direction_picked_against_the_targets_comparator_scores_by_the_comparator(
    make_book, target, actual, typed, direction, met, points
):
    """湖北 备注2 names the direction by the target: 正向 “≥X”, 反向 “≤X”. A dropdown picked against it (PE114) does
    not turn the rule around."""
    change = {"rows": {0: {"target": target, "actual": actual, "direction": typed}}}
    evaluation = check_path(make_book(clean_data(), change))
    indicator = evaluation.scores.indicators[0]
    assert (indicator.direction, indicator.met) == (direction, met)
    assert indicator.computed == pytest.approx(points)
    assert ("PE114" in {f.code for f in evaluation.findings}) is (typed != direction)


@pytest.mark.parametrize(
    "change",
    [
        {1: {"name": "2021年项目总个数", "target": "7个", "actual": "9个"}},  # the same name, another figure
        {1: {"name": "2021年项目总个数", "target": "7个", "actual": "8个"}, 0: {"level2": "质量指标"}},
    ],
)
def test_an_indicator_named_again_with_other_values_or_under_another_heading_is_no_copy(make_book, change):
    evaluation = check_path(make_book(clean_data(), {"rows": change}))
    assert "PE115" not in {f.code for f in evaluation.findings}


def test_negative_cost_indicator_scores_by_a_over_b(make_book):
    evaluation = check_path(make_book(clean_data()))
    cost = evaluation.scores.indicators[4]
    assert cost.direction == "反向"
    assert cost.computed == pytest.approx(5 * 1411.9 / 2023.73)


def test_type_error_is_not_reported_again_by_later_stages(make_book):
    evaluation = check_path(make_book(clean_data(), {"rows": {0: {"score": "三分半"}}}))
    cell = locate(evaluation, "row:0:score")
    assert [f.code for f in evaluation.findings if f.cell == cell] == ["PE102"]


def test_severity_can_be_overridden_by_the_definition():
    from perfeval_xl.checks import active_checks

    severities = {c.code: c.active_severity for c in active_checks(load_form("hubei"))}
    assert severities["PE303"] == "warning"
    assert severities["PE201"] == "error"


def test_bonus_may_be_negative_on_its_step(make_book):
    change = {"rows": {41: {"score": -2.5, "basis": "绩效自评逾期，扣2.5分"}}}
    evaluation = check_path(make_book(guangzhou_clean_data(), change))
    assert [(f.code, f.cell) for f in evaluation.findings] == []
    assert evaluation.scores.total == pytest.approx(93.8944 - 2.5, abs=1e-4)


def test_a_deduction_typed_as_text_is_the_same_deduction(make_book):
    """A 加减分 typed into a text-formatted cell ("-2.5", as WPS keeps it) scores as the number would: it was
    unreadable, an error (PE102). The sheet's own 总分 formula leaves the text out, which PE116 says, and only that."""
    change = {"rows": {41: {"score": "-2.5", "basis": "绩效自评逾期，扣2.5分"}}}
    evaluation = check_path(make_book(guangzhou_clean_data(), change))
    assert [(f.code, f.cell) for f in evaluation.findings] == [("PE116", locate(evaluation, "row:41:score"))]
    assert evaluation.scores.total == pytest.approx(93.8944 - 2.5, abs=1e-4)


def test_bonus_needs_its_reason(make_book):
    evaluation = check_path(make_book(guangzhou_clean_data(), {"rows": {41: {"score": 2.5, "basis": ""}}}))
    assert [f.code for f in evaluation.findings] == ["PE301"]


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan")])
def test_a_non_finite_value_found_is_written_as_text_so_results_stay_strict_json(value):
    from perfeval_xl.findings import Finding

    finding = Finding("PE102", "error", "自评表", "C5", {"zh": "不是数字"}, value=value, expected=value)
    record = json.loads(json.dumps(finding.as_dict(), allow_nan=False))
    assert record["value"] == record["expected"] == str(value)


def test_each_finding_record_names_its_row_and_the_difference_found():
    """STYLE's finding record: beside the value found and expected, the human key of the row (the 三级指标), or of
    the field, and the difference, found minus expected, wherever both are numbers."""
    records = {f.code: f.as_dict() for f in check_path(TAOJIANG_OFFICIAL).findings}
    assert (records["PE205"]["key"], records["PE205"]["difference"]) == ("效益指标", 10)
    assert (records["PE208"]["key"], records["PE208"]["difference"]) == ("总分（自评得分）", -10)
    # each code's first finding (PE106's is on D9)
    xiangyang = {f.code: f.as_dict() for f in reversed(check_path(XIANGYANG_OFFICIAL).findings)}
    overspent, unweighted = xiangyang["PE303"], xiangyang["PE106"]
    assert overspent["difference"] == 380.25  # 3014.42 - 2634.17, without the float's tail
    assert overspent["key"] == "执行数（B）"  # the field's label in the form definition
    assert unweighted["key"] == "2021年项目总个数" and unweighted["difference"] is None


def test_a_copy_of_the_form_in_an_official_layout_is_named_and_the_first_is_checked(example_copy):
    """Last year's sheet copied in front of this year's, in the published layout (no template to name the sheet):
    the first sheet carrying the form's labels is checked, and the other is named."""
    path = example_copy(XIANGYANG_OFFICIAL)
    copy_sheet(path, sheet="Sheet1", title="2020年自评表")
    evaluation = check_path(path)
    assert evaluation.extraction.sheet.name == "2020年自评表"
    hits = [f for f in evaluation.findings if f.code == "PE108"]
    assert [(f.sheet, f.cell, f.message()) for f in hits] == [
        (
            "2020年自评表",
            "A1",
            "工作簿中的“Sheet1”也是本表，本次校验的是“2020年自评表”：请删除多余的表，或确认所填的是这一张",
        )
    ]
    assert not [f for f in check_path(XIANGYANG_OFFICIAL).findings if f.code == "PE108"]


def test_a_hidden_copy_of_the_form_gives_way_to_the_visible_one(example_copy):
    """Last year's sheet hidden rather than deleted, in front of this year's: the sheet the unit sees is checked."""
    path = example_copy(XIANGYANG_OFFICIAL)
    copy_sheet(path, sheet="Sheet1", title="2020年自评表")
    book = load_workbook(path)
    book["2020年自评表"].sheet_state = "hidden"
    book.save(path)
    evaluation = check_path(path)
    assert evaluation.extraction.sheet.name == "Sheet1"
    assert check_grid(excel.read_book(FakeBook.from_file(path))).extraction.sheet.name == "Sheet1"  # the button
    assert [(f.sheet, f.message()) for f in evaluation.findings if f.code == "PE108"] == [
        ("Sheet1", "工作簿中的“2020年自评表”也是本表，本次校验的是“Sheet1”：请删除多余的表，或确认所填的是这一张")
    ]


def test_the_filled_copy_of_the_templates_sheet_is_checked_not_the_empty_original(make_book):
    """The unit copied the template's 自评表 and filled the copy, leaving the original as it came: the original,
    found by its name, was checked, and every field was reported missing."""
    path = make_book(clean_data())
    filled = check_path(path)
    copy_sheet(path, sheet="自评表", title="自评表 (2)")
    book = load_workbook(path)
    refs = [f.ref for f in filled.extraction.fields.values() if f.ref is not None]
    refs += [c.ref for t in filled.extraction.tables.values() for r in t.rows for c in r.cells.values() if c.ref]
    for cell in (book["自评表"][ref.a1] for ref in refs):
        if not isinstance(cell, MergedCell):
            cell.value = None
    book.save(path)
    evaluation = check_path(path)
    assert evaluation.extraction.sheet.name == "自评表 (2)"
    assert [(f.code, f.cell) for f in evaluation.findings if f.code != "PE108"] == [
        (f.code, f.cell) for f in filled.findings
    ]


@pytest.mark.parametrize(("typed", "fires"), [("优秀", False), ("优（91.94分）", False), ("良好", True), ("A", True)])
def test_a_grade_typed_by_its_full_name_is_that_grade(make_book, typed, fires):
    """Many provinces name the grades 优秀、良好、中等、较差: a total of 91.94 typed 优秀 was returned for a grade
    mismatch (PE211, 强制). A grade's full name, or the grade with its total in brackets, is that grade."""
    evaluation = check_path(make_book(clean_data(), {"cells": {"field:grade": typed}}))
    assert bool([f for f in evaluation.findings if f.code == "PE211"]) is fires


@pytest.mark.parametrize(
    ("change", "fires", "field", "named"),
    [
        ({0: {"direction": "正向指标"}}, False, "direction", "正向"),
        ({7: {"tier": "全部达成预期指标"}}, False, "tier", "达成预期指标"),
        ({7: {"tier": "已达成预期指标"}}, False, "tier", "达成预期指标"),
        ({7: {"tier": "未达成预期指标"}}, False, "tier", "未达成预期指标"),
        ({7: {"tier": "达成"}}, True, "tier", None),  # which of the three: the unit says
        # 逆向 and 负向 are what many units and provinces call 反向; an aside in brackets explains, it changes nothing
        ({4: {"direction": "逆向指标"}}, False, "direction", "反向"),
        ({4: {"direction": "负向"}}, False, "direction", "反向"),
        ({0: {"direction": "正向（越大越好）"}}, False, "direction", "正向"),
        ({7: {"tier": "达成预期指标（100%）"}}, False, "tier", "达成预期指标"),
        ({0: {"direction": "定量"}}, True, "direction", "正向"),  # 正向 or 反向? PE107; scored as the form's default
    ],
)
def test_a_choice_typed_with_words_that_change_nothing_is_that_choice(make_book, change, fires, field, named):
    """正向指标 for 正向, 全部达成预期指标 for 达成预期指标: returned as an invalid choice (PE107, 强制), and the tier
    was not scored. Words that change nothing around a choice (已, 全部 before it, 指标 after it) are allowed."""
    evaluation = check_path(make_book(clean_data(), {"rows": change}))
    assert bool([f for f in evaluation.findings if f.code == "PE107"]) is fires
    indicator = evaluation.scores.indicators[next(iter(change))]
    assert (indicator.direction if field == "direction" else getattr(indicator.tier, "name", None)) == named


def _tables_of_rows(form: str) -> list[str]:
    """The tables of a form whose rows have required cells: the form's content, which cannot be left out."""
    return [tid for tid, table in load_form(form).tables.items() if any(c.required for c in table.columns)]


def _blank_rows(path: Path, tables: list[Any], groups: bool = True) -> None:
    """Clear what a unit typed in every row of these tables, leaving the sheet's layout and its formulas, and the
    names of the rows' groups (一级指标, 二级指标) unless ``groups``."""
    book = load_workbook(path)
    for table in tables:
        for row in table.rows:
            for cell in (c for c in row.cells.values() if groups or not c.spec.fill_down):
                target = book[cell.ref.sheet][cell.ref.a1]
                if not isinstance(target, MergedCell) and not str(target.value).startswith("="):
                    target.value = None
    book.save(path)


@pytest.mark.parametrize("form", sorted(CLEAN))
def test_a_table_of_the_form_left_empty_is_said_where_its_first_row_goes(make_book, form):
    """A form with no indicator at all (every row of 年度绩效指标 left blank) came back 通过: no row, no cell to find
    empty. Said once per table, on its first row's first required cell a unit types (三级指标, 机构名称)."""
    path = make_book(CLEAN[form]())
    tables = [check_path(path).extraction.tables[table_id] for table_id in _tables_of_rows(form)]
    _blank_rows(path, tables)
    evaluation = check_path(path)
    said = {(f.sheet, f.cell) for f in evaluation.findings if f.code == "PE101" and "没有填写任何一行" in f.message()}
    expected = set()
    for table in tables:
        column = next(c for c in table.spec.columns if c.required and not c.fill_down)
        ref = table.rows[0].cells[column.key].ref
        expected.add((ref.sheet, ref.a1))
    assert said == expected
    assert evaluation.status == "error"


def test_a_table_the_form_may_leave_empty_is_not_said(make_book):
    """湖南's 项目明细 and 楼堂馆所: a unit with no project or building leaves them blank."""
    data = CLEAN["hunan"]()
    data["tables"]["project_items"], data["tables"]["buildings"] = [], []
    assert "PE101" not in {f.code for f in check_path(make_book(data)).findings}


def test_a_table_whose_header_is_gone_is_said_on_its_heading(make_book):
    """岳阳's 评价人员 with its column titles deleted: its rows cannot be found, nor said empty one by one. Said on
    the block's heading (四、评价人员), where the unit looks for the table."""
    path = make_book(CLEAN["yueyang"]())
    table = check_path(path).extraction.tables["reviewers"]
    book = load_workbook(path)
    sheet = book[table.rows[0].ref("name").sheet]
    header = table.rows[0].excel_row - 1
    for col in table.columns.values():
        sheet.cell(header, col + 1).value = None
    book.save(path)
    finding = next(f for f in check_path(path).findings if "找不到该表的表头" in f.message())
    assert (finding.code, finding.key) == ("PE101", "姓名")
    assert book[finding.sheet][finding.cell].value == "四、评价人员"


def _clear_labels(path: Path, *labels: str) -> dict[str, str]:
    """Delete the cells that start with these labels (a unit clearing or overwriting them); where each was."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    where = {}
    for label in labels:
        cell = next(c for row in sheet.iter_rows() for c in row if str(c.value or "").startswith(label))
        where[label] = cell.coordinate
        cell.value = None
    book.save(path)
    return where


def test_a_required_field_whose_label_is_gone_is_said_on_its_blocks_heading(make_book):
    """湖北's 预算数（A） label deleted: the budget could not be found, its 20 points went unscored, and the form came
    back 通过. Said on the block's heading (预算执行情况), where the unit looks for it."""
    path = make_book(CLEAN["hubei"]())
    _clear_labels(path, "预算数")
    evaluation = check_path(path)
    finding = next(f for f in evaluation.findings if f.code == "PE101")
    assert (finding.key, finding.severity) == ("预算数（A）", "error")
    assert "找不到" in finding.message() and "not found" in finding.message("en")
    assert str(load_workbook(path)[finding.sheet][finding.cell].value).startswith("预算执行情况")
    assert evaluation.status == "error"


@pytest.mark.parametrize(
    ("label", "key"), [("预算数", "budget"), ("预算数（万元）", "budget"), ("执行数(万元)", "executed")]
)
def test_a_label_retyped_without_its_mark_still_finds_its_value(make_book, label, key):
    """湖北's 预算数（A） and 执行数（B） retyped without the letter the 执行率 formula refers to, or with the unit
    instead: the same column, found, not a label gone (a false 强制 PE101 since labels not found are said)."""
    path = make_book(CLEAN["hubei"]())
    where = check_path(path).extraction.fields[key].ref
    book = load_workbook(path)
    sheet = book[where.sheet]
    sheet.cell(where.row, where.col + 1).value = label  # the label sits right above its value
    book.save(path)
    evaluation = check_path(path)
    assert evaluation.extraction.fields[key].ref == where
    assert evaluation.findings == []


@pytest.mark.parametrize(
    ("example", "table", "header", "retyped"),
    [
        ("hubei_xiangyang_2021_official.xlsx", "indicators", "年初目标值（A）", "年初目标值"),
        ("hubei_xiangyang_2021_official.xlsx", "indicators", "实际完成值（B）", "实际完成值"),
        ("hubei_xiangyang_2021.xlsx", "indicators", "实际完成值（B）", "实际完成值(万元)"),
        ("hebei_xianghe_2019.xlsx", "goals", "预算金额（万元）", "预算金额"),
    ],
)
def test_a_column_header_retyped_without_its_mark_still_finds_the_table(example_copy, example, table, header, retyped):
    """湖北's 实际完成值（B） retyped 实际完成值: the indicator table was not found (the published layout not even
    recognised as 湖北's), now a 强制 PE101 for a header gone. Columns are found by the name before the mark."""
    path = example_copy(XIANGYANG_OFFICIAL.parent / example)
    before = check_path(path)
    book = load_workbook(path)
    cell = next(c for sheet in book for row in sheet.iter_rows() for c in row if c.value == header)
    cell.value = retyped
    book.save(path)
    after = check_path(path)
    assert after.extraction.tables[table].columns == before.extraction.tables[table].columns
    assert len(after.extraction.tables[table].rows) == len(before.extraction.tables[table].rows)
    assert [(f.code, f.cell) for f in after.findings] == [(f.code, f.cell) for f in before.findings]


def test_required_fields_whose_labels_are_gone_outside_any_block_are_said_once_at_a1(make_book):
    """湖北's 单位名称 and 年度目标 sit in no block with a heading: both are named in one finding at A1, not one
    finding hiding the other (findings are one per code and cell)."""
    path = make_book(CLEAN["hubei"]())
    _clear_labels(path, "单位名称", "年度目标")
    findings = [f for f in check_path(path).findings if f.code == "PE101"]
    assert [(f.cell, f.key) for f in findings] == [("A1", "单位名称、年度目标（80分）")]
    assert "“单位名称”“年度目标（80分）”" in findings[0].message()


def test_a_field_our_template_adds_is_not_missing_from_the_published_layout(make_book):
    """湖南's published layout has no 评价年度 cell (its title states the year), and 岳阳's none for the 部门（单位）名称
    our template adds: a file in those layouts misses nothing."""
    evaluation = check_path(XIANGYANG_OFFICIAL.parent / "hunan_taojiang_2023_official.xlsx")
    assert evaluation.extraction.fields["year"].ref is None and evaluation.extraction.year == 2023
    assert not [f for f in evaluation.findings if f.code == "PE101" and "找不到" in f.message()]
    path = make_book(CLEAN["yueyang"]())
    _clear_labels(path, "部门（单位）名称", "评价年度")
    assert not [f for f in check_path(path).findings if f.code == "PE101" and "找不到" in f.message()]


@pytest.mark.parametrize("form", ["hubei", "hunan", "guangzhou"])
def test_a_section_left_without_indicators_is_said_on_its_name(make_book, form):
    """Every row of 满意度指标 (10 points) left blank: the form came back 通过 with the ten points gone, as a section
    with no indicator had no weights to add up. Said on the section's name in the 一级指标 column."""
    path = make_book(CLEAN[form]())
    table = check_path(path).extraction.tables["indicators"]
    last = next(s for s in reversed(load_form(form).indicators.sections) if s.bonus is None)
    _blank_rows(path, [replace(table, rows=[r for r in table.rows if r.section == last.name])], groups=False)
    evaluation = check_path(path)
    finding = next(f for f in evaluation.findings if f.code == "PE205")
    assert (finding.key, finding.value, finding.expected) == (last.name, 0.0, last.weight)
    named = load_workbook(path)[finding.sheet][finding.cell]
    assert (named.column - 1, named.value.startswith(last.name)) == (table.columns["level1"], True)
    assert evaluation.status == "error"


def test_sections_whose_rows_and_names_are_deleted_are_each_said_on_the_tables_heading(make_book):
    """效益指标 and 满意度指标 cleared with their names: no cell names them any more. Each is said on the table's
    heading (年度绩效指标), not at A1, and neither hides the other (findings at one cell are one per code and key)."""
    path = make_book(CLEAN["hubei"]())
    table = check_path(path).extraction.tables["indicators"]
    _blank_rows(path, [replace(table, rows=[r for r in table.rows if r.section in ("效益指标", "满意度指标")])])
    findings = [f for f in check_path(path).findings if f.code == "PE205"]
    assert [f.key for f in findings] == ["效益指标", "满意度指标"]
    assert {load_workbook(path)[f.sheet][f.cell].value for f in findings} == {"年度绩效指标"}


def test_a_bonus_section_may_be_left_without_rows(make_book):
    """广州's 加减分项: no bonus and no penalty is a section of no rows, and 0 points."""
    path = make_book(CLEAN["guangzhou"]())
    table = check_path(path).extraction.tables["indicators"]
    _blank_rows(path, [replace(table, rows=[r for r in table.rows if r.section == "加减分项"])])
    assert "PE205" not in {f.code for f in check_path(path).findings}


def test_a_rate_from_amounts_the_layout_has_no_cells_for_is_not_said():
    """The published 广州 layout cites the amounts in its 评分依据 only: no cell to fill, nothing to say."""
    evaluation = check_path(Path(__file__).parent.parent / "examples" / "guangzhou_kexie_2021_official.xlsx")
    assert "PE113" not in {f.code for f in evaluation.findings}


def test_none_in_a_rows_own_text_leaves_it_an_indicator(make_book):
    """无 in 评分依据 or 备注 says nothing of the row itself: it is not 以下无, what a unit writes below its last row."""
    clean = check_path(make_book(guangzhou_clean_data()))
    evaluation = check_path(make_book(guangzhou_clean_data(), {"rows": {3: {"basis": "无", "remark": "空白"}}}))
    assert len(evaluation.scores.indicators) == len(clean.scores.indicators)


@pytest.mark.parametrize("name", ["合计", "合　计", "总计"])
def test_a_total_row_named_as_units_name_it_is_the_total_row(make_book, name):
    """岳阳's 汇总 row named 合计 or 总计, as many units name it, was taken for a subtotal a unit added and dropped: the
    汇总 identity (PE219) went unchecked and a wrong total passed."""
    data = yueyang_clean_data()
    for table in ("income", "spending", "sangong", "assets"):
        data["tables"][table][0]["name"] = name
    evaluation = check_path(make_book(data))
    assert [len(evaluation.extraction.tables[t].rows) for t in ("income", "spending", "sangong", "assets")] == [4] * 4
    assert evaluation.findings == []
    data["tables"]["spending"][0]["project"] = 644  # the institutions' 项目支出 add up to 640.83
    assert "PE219" in {f.code for f in check_path(make_book(data)).findings}


def test_a_subtotal_of_some_institutions_is_no_total_row(make_book):
    """二级机构合计, a unit's own subtotal of some rows, is not the table's 汇总 row: still no row of the form."""
    data = yueyang_clean_data()
    data["tables"]["income"].append({"name": "二级机构合计", "total": 1})
    evaluation = check_path(make_book(data))
    assert len(evaluation.extraction.tables["income"].rows) == 4 and evaluation.findings == []


@pytest.mark.parametrize("name", ["小计", "合计", "项目支出合计"])
def test_a_subtotal_under_item_rows_is_no_item(make_book, name):
    """湖南's 项目明细 with a 小计 a unit added under its items: read as one more item, every column's items added up
    to twice the 项目支出 row (three false PE221)."""
    data = CLEAN["hunan"]()
    items = data["tables"]["project_items"]
    sums = {k: round(sum(r[k] for r in items if k in r), 2) for k in ("prior", "budget", "final")}
    items.append({"name": name, **sums})
    evaluation = check_path(make_book(data))
    assert evaluation.findings == []
    assert len(evaluation.extraction.tables["project_items"].rows) == len(items) - 1


@pytest.mark.parametrize(
    ("name", "weight", "said"),
    [
        ("产出指标小计", 40, False),
        ("产出指标小计", 38, True),  # the 产出指标 rows' weights add up to 40
        ("小计（40分）", 38, True),  # a bare 小计 sums the rows since the table's start (or the subtotal before it)
        ("合计", 40, False),  # all the rows above it: the 产出 rows
        ("效益指标小计", 38, False),  # under the 产出 rows, no row of its group above it: what it sums is not guessed
    ],
)
def test_a_subtotal_a_unit_added_is_checked_against_the_rows_it_sums(make_book, name, weight, said):
    """A 小计 row a unit typed under its 产出 rows is no indicator (the other checks pass over it), but a wrong one stood
    on the submitted form without a word."""
    data = clean_data()
    data["tables"]["indicators"].append({"section": "产出指标", "name": name, "weight": weight, "score": 38.49})
    evaluation = check_path(make_book(data))
    found = [f for f in evaluation.findings if f.code == "PE222"]
    assert [(f.value, f.expected) for f in found] == ([(weight, 40.0)] if said else [])
    assert "PE205" not in {f.code for f in evaluation.findings}  # the subtotal is no indicator of the section
    if said:
        assert found[0].message() == f"“{name}”的“分值”为 38，所合计的 8 行之和为 40"
        assert found[0].message("en") == f"'{name}' gives '分值' as 38 but the 8 rows it sums add up to 40"


def test_a_placeholder_in_a_required_text_is_said_as_such(make_book):
    """年度目标 of “/” came back 通过: a placeholder is no goal. 无 stays an answer (主要问题：无)."""
    finding = next(f for f in check_path(make_book(clean_data(), {"fields": {"goal": "/"}})).findings)
    assert (finding.code, finding.message()) == ("PE101", "必填项“年度目标（80分）”为空（只填了占位符“/”）")
    assert "PE101" not in {f.code for f in check_path(make_book(clean_data(), {"fields": {"goal": "无"}})).findings}


@pytest.mark.parametrize("budget", [0, "无"])
def test_spending_against_a_budget_of_nothing_is_said(make_book, budget):
    """预算数 0 (or 无) with 3014.42 spent came back 通过: no 执行率 to compare, so nothing was said, and the budget's
    20 points were left out of the total without a word."""
    evaluation = check_path(make_book(clean_data(), {"fields": {"budget": budget}}))
    finding = next(f for f in evaluation.findings if f.code == "PE303")
    assert (finding.cell, finding.value, finding.expected) == (locate(evaluation, "field:executed"), 3014.42, 0.0)
    assert "预算数为 0" in finding.message()


@pytest.mark.parametrize(("form", "key"), [("hubei", "budget"), ("hunan", "initial"), ("hunan", "staffing")])
def test_a_blank_value_below_its_label_is_empty_not_the_next_value(make_book, form, key):
    """湖北's 预算数（A） left blank read the 年度目标 text two rows down as the budget, and 湖南's 年初预算数 the 全年预算数
    below it: the form came back 通过 without its budget. A value below its label stops at the next row of the form."""
    where = check_path(make_book(CLEAN[form]())).extraction.fields[key].ref
    evaluation = check_path(make_book(CLEAN[form](), {"fields": {key: ""}}))
    assert (evaluation.extraction.fields[key].ref, evaluation.extraction.fields[key].raw) == (where, "")
    assert ("PE101", where.a1) in {(f.code, f.cell) for f in evaluation.findings}


def test_a_value_below_its_label_is_found_past_an_inserted_row():
    """The other side of stopping at a row of the form: a blank row a unit inserted between 预算数（A） and its value
    has no label, and is passed."""
    source = check_path(XIANGYANG_OFFICIAL)
    budget = source.extraction.fields["budget"].ref
    book = load_workbook(XIANGYANG_OFFICIAL)
    insert_rows(book[budget.sheet], budget.row + 1, 1)
    with tempfile.TemporaryDirectory() as tmp:
        book.save(Path(tmp) / "inserted.xlsx")
        moved = check_path(Path(tmp) / "inserted.xlsx")
    assert (moved.extraction.fields["budget"].raw, moved.extraction.fields["budget"].ref.row) == (
        2634.17,
        budget.row + 1,
    )
