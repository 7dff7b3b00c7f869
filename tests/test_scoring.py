"""Scoring formulas checked against numbers printed in the seeds, and their properties."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from perfeval_xl.definition import Band, RateRule, Tier
from perfeval_xl.scoring import (
    compared_direction,
    execution_rate,
    grade_for,
    in_band,
    indicator_direction,
    quantitative_score,
    range_end,
    rate_score,
    round_half_up,
    target_met,
    tier_band,
)
from perfeval_xl.values import counted_from_year, parse_quantity, scale_to

GRADES = (("优", 90.0), ("良", 80.0), ("中", 60.0), ("差", 0.0))


def test_hubei_budget_execution_seed_000():
    rate = execution_rate(2634.17, 3014.42)
    assert round(rate * 100, 2) == 114.44
    assert rate_score(rate, 20) == 20


def test_national_budget_execution_seed_002():
    rate = execution_rate(266.32, 266.32)
    assert rate == 1.0
    assert rate_score(rate, 10) == 10


@pytest.mark.parametrize(("budget", "executed", "score"), [(40959.93, 39398.33, 1.238), (31570.33, 31133.57, 1.724)])
def test_guangzhou_linear_rate_scores_seed_001(budget, executed, score):
    printed_rate = round_half_up(execution_rate(budget, executed), 4)  # the seed scores the rate as printed
    assert round_half_up(rate_score(printed_rate, 2, RateRule("linear", floor=0.9)), 3) == score


def test_a_banded_rule_scores_the_share_of_the_band_a_rate_falls_in():
    """Provinces score 预算调整率 by bands (0 → full, ≤10 %, ≤20 %, ≤30 %, above → 0) and an execution rate by bands
    from above (≥95 % full, ≥90 % …): a form states them as parameters, the first band the rate falls in counts,
    and a rate in none of them scores 0."""
    at_most = RateRule("bands", bands=(Band(0.0, 1.0), Band(0.10, 0.8), Band(0.20, 0.6), Band(0.30, 0.4)))
    assert [rate_score(r, 5, at_most) for r in (0.0, 0.05, 0.10, 0.1001, 0.30, 0.31)] == [5, 4, 4, 3, 2, 0]
    at_least = RateRule("bands", bands=(Band(0.95, 1.0, at_least=True), Band(0.90, 0.8, at_least=True)))
    assert [rate_score(r, 10, at_least) for r in (1.02, 0.95, 0.93, 0.8999)] == [10, 10, 8, 0]


def test_a_deduction_rule_takes_points_off_per_percentage_point_over_its_limit():
    """人员控制率 ≤ 100 % scores full, and each percentage point over it costs the points the form states
    (每超过1个百分点扣0.5分), never below 0."""
    rule = RateRule("deduction", limit=1.0, per_point=0.5)
    assert [rate_score(r, 3, rule) for r in (0.9, 1.0, 1.02, 1.05, 1.5)] == pytest.approx([3, 3, 2, 0.5, 0])


RULES = [
    RateRule(),
    RateRule("linear", floor=0.9),
    RateRule("deviation"),
    RateRule("ceiling", limit=0.1),
    RateRule("bands", bands=(Band(0.0, 1.0), Band(0.1, 0.5))),
    RateRule("bands", bands=(Band(0.95, 1.0, at_least=True), Band(0.6, 0.25, at_least=True))),
    RateRule("deduction", limit=1.0, per_point=0.5),
]


@given(st.floats(-2, 5), st.floats(0, 100), st.sampled_from(RULES))
def test_every_rate_rule_scores_between_nothing_and_its_weight(rate, weight, rule):
    assert 0 <= rate_score(rate, weight, rule) <= weight


def test_positive_and_negative_indicators():
    assert quantitative_score(3, "正向", 7, 8) == 3
    assert quantitative_score(4, "正向", 10, 8) == pytest.approx(3.2)
    assert quantitative_score(5, "反向", 1411.9, 2023.73) == pytest.approx(3.4883, abs=1e-4)
    assert quantitative_score(4, "反向", 1122.1, 990.69) == 4


def test_direction_inference():
    assert indicator_direction("", parse_quantity("≤12个月"), "时效指标", ()) == "反向"
    assert indicator_direction("", parse_quantity("1411.9万元"), "成本指标", ("成本指标",)) == "反向"
    assert indicator_direction("", parse_quantity("90%以上"), "时效指标", ("成本指标",)) == "正向"
    assert indicator_direction("", parse_quantity("达标"), "质量指标", ()) == "定性"
    assert indicator_direction("反向", parse_quantity("7个"), "数量指标", ()) == "反向"


@pytest.mark.parametrize("target", ["0起", "0", "0%", "0次"])
def test_a_target_of_none_is_at_most_none(target):
    """0起 (安全事故) asks for none: fewer is better. Read as 正向 where no direction was typed (the official 湖北
    layout has no column for it), one accident met it (1 > 0) and scored full marks (w × B/A has no A to divide by)."""
    direction = indicator_direction("", parse_quantity(target), "质量指标", ("成本指标",))
    assert direction == "反向"
    assert not target_met(direction, parse_quantity(target), parse_quantity("1"))
    assert target_met(direction, parse_quantity(target), parse_quantity("0"))


def test_a_deadline_met_early_is_met_not_scored_by_its_ratio():
    """12月底前 is a deadline: done in November meets it (it scored 11/12 of the weight, as if 11 of 12 things were
    done); done in January of the next year (13) does not."""
    deadline = parse_quantity("12月底前")
    direction = indicator_direction("", deadline, "时效指标", ())
    assert direction == "反向" and target_met(direction, deadline, parse_quantity("11月"))
    assert quantitative_score(5, direction, deadline.value or 0, 11) == 5
    assert not target_met(direction, deadline, parse_quantity("13月"))


@pytest.mark.parametrize(
    ("target", "actual", "met"),
    [
        ("2021年12月底前", "2021年11月", True),
        ("2021年12月底前", "2022年1月", False),  # January of the next year is late, not month 1
        ("12月底前", "2021年11月完成", True),
        ("12月底前", "2022年1月", False),
        ("2022年3月底前", "2022年2月", True),  # a deadline in the year after the form's
        ("2021年底前", "2021年11月", True),
        ("年底前完成", "2022年1月", False),
        ("第三季度末前", "2021年10月", False),
        ("年中前完成", "2021年6月", True),  # mid-year: the first half's end (年中 was read as a word, not scored)
        ("年中前完成", "2021年7月", False),
        ("6月30日前", "2021年6月25日", True),  # a deadline on a day
        ("6月30日前", "6月30日", True),
        ("6月30日前", "7月1日", False),
        ("2021年12月31日前", "2022年1月5日", False),  # early January of the next year is late, not day 5
        ("2022年3月31日前", "2022-03-01", True),
        ("2021年12月31日", "2021年12月20日", True),  # a date as a target is a deadline without saying 前
        ("2021.12前", "2021-09", True),  # a month dated with a dot or a dash (September was after 2021.12)
        ("2021-12前", "2021/11", True),
        ("2021.12前", "2022-01", False),
        # a month as a target is a deadline without saying 前, as a date is (October scored 10/12 of the weight, as if
        # more months were better)
        ("2021年12月", "2021年10月", True),
        ("2021-12", "2022-01", False),
    ],
)
def test_a_month_or_a_day_of_a_stated_year_is_counted_from_the_forms_year(target, actual, met):
    """2021年11月 against 12月底前 could not be read (PE104, the self-score kept); read as month 11 alone, 2022年1月
    would have met a 2021 deadline. Days likewise (6月30日前 was not read at all)."""
    target_q, actual_q = (counted_from_year(parse_quantity(v), 2021) for v in (target, actual))
    assert target_met(indicator_direction("", target_q, "时效指标", ()), target_q, actual_q) is met


def test_a_target_in_financial_numerals_is_the_amount_it_says():
    """叁仟万 against 3000万元: the numeral took its 万 in, and the bare 30,000,000 took the actual's 万元 as well,
    a target 10,000 times over."""
    target = scale_to(parse_quantity("叁仟万"), parse_quantity("3000万元"))
    assert target_met("正向", target, parse_quantity("3000万元"))


def test_a_target_met_exactly_is_met_whatever_the_floats():
    """95% parses as 0.9500000000000001 (95 × 0.01) and 0.95 typed as a ratio is 0.95: the target met exactly was
    missed, and PE301 asked why."""
    assert target_met("正向", parse_quantity("95%"), scale_to(parse_quantity(0.95), parse_quantity("95%")))
    assert target_met("反向", parse_quantity("≤0.3"), parse_quantity(0.1 + 0.2))
    assert not target_met("正向", parse_quantity("95%"), parse_quantity("94.99%"))


@pytest.mark.parametrize(
    ("target", "actual", "met"),
    [
        ("≥95%", "不足95%", False),  # below the target: was met, w × 95/95
        ("≥95%", "低于90%", False),
        ("≥95%", "95%以下", None),  # 95% itself would meet it, less would not
        ("≥95%", "不到100%", None),
        ("≥95%", "95%以上", True),
        ("≥95%", "超过95%", True),
        ("≥95%", "超过90%", None),  # was missed, w × 90/95, though 96% is more than 90%
        (">95%", "95%以上", None),
        (">95%", "超过95%", True),
        ("≤5%", "超过5%", False),  # above a ceiling: was met, as 5 is not more than 5
        ("≤5%", "不足5%", True),
        ("≤5%", "5%以上", None),
        ("<5%", "5%以下", None),
        ("12月底前", "11月底前", True),
        ("12月底前", "12月底前", True),
        ("6月底前", "10月以前", None),
        ("≥95%", "=96%", True),
        ("≥95%", "85%-90%", False),  # a range as actual: both its ends count (it was at least 85%)
        ("≥95%", "96%-98%", True),
        ("≥95%", "90%-96%", None),
        ("≤5%", "3%-4%", True),
        ("≤5%", "6%-8%", False),
        ("≤5%", "4%-6%", None),
    ],
)
def test_an_actual_given_as_a_bound_is_met_only_when_every_figure_it_allows_meets(target, actual, met):
    """不足95% against ≥95% says the target was missed, 超过5% against ≤5% that the ceiling was passed; both were read
    as the figure alone and met. A bound that allows figures either side of the target (95%以下 against ≥95%) decides
    nothing."""
    target_q, actual_q = parse_quantity(target), parse_quantity(actual)
    assert target_met(indicator_direction("", target_q, "", ()), target_q, actual_q) is met


@pytest.mark.parametrize(
    ("target", "actual", "met"),
    [("满意度≥90%", "95.1%", True), ("满意度≥90%", "满意度85%", False), ("90%-95%", "93%", True)],
)
def test_a_target_with_its_name_or_a_range_is_decided(target, actual, met):
    """满意度≥90% (the name typed before the value) and 90%-95% (a range with its unit at both ends) could not be
    read: the indicator went unscored and the unit's own score was taken, with a PE104 warning."""
    target_q, actual_q = parse_quantity(target), parse_quantity(actual)
    assert target_met(indicator_direction("", target_q, "满意度指标", ()), target_q, actual_q) is met


def test_a_range_says_no_direction_and_a_negative_one_is_its_upper_end():
    """1000-1200万元 was read as at least 1000万元, 正向 over 成本指标: a range says neither way."""
    cost = parse_quantity("1000-1200万元")
    assert compared_direction(cost) is None
    assert indicator_direction("", cost, "成本指标", ("成本指标",)) == "反向"
    assert range_end(cost, "反向").value == pytest.approx(12_000_000) and range_end(cost, "反向").comparator == "<="
    assert range_end(cost, "正向") is cost and range_end(parse_quantity("≤5%"), "反向").value == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("target", "actual", "met"),
    [("最多2起", "0起", True), ("最高5%", "6%", False), ("最低90%", "95%", True), ("逾1万人次", "12000人次", True)],
)
def test_at_most_and_at_least_in_words_decide_the_direction(target, actual, met):
    """最多2起 with no direction typed read as exactly 2, a 正向 target: 0 accidents was not met and scored 0."""
    target_q, actual_q = parse_quantity(target), parse_quantity(actual)
    assert target_met(indicator_direction("", target_q, "社会效益指标", ()), target_q, actual_q) is met


def test_target_met():
    assert target_met("正向", parse_quantity("90%以上"), parse_quantity("96.5%"))
    assert not target_met("反向", parse_quantity("1411.9万元"), parse_quantity("2023.73万元"))
    assert target_met("正向", parse_quantity("达标"), parse_quantity("达标")) is None


def test_hubei_tiers_include_their_lower_bound():
    partly = Tier("部分达成预期指标", 0.5, 0.8)
    assert tier_band(partly, 10) == (5, 8)
    assert in_band(5, tier_band(partly, 10))
    assert not in_band(9, tier_band(partly, 10))


@pytest.mark.parametrize(
    ("total", "grade"), [(93, "优"), (90, "优"), (89.99, "良"), (80, "良"), (60, "中"), (59.9, "差")]
)
def test_grades(total, grade):
    assert grade_for(total, GRADES) == grade


def test_round_half_up_is_not_bankers_rounding():
    assert round_half_up(0.125, 2) == 0.13
    assert round_half_up(2.5, 0) == 3


@pytest.mark.parametrize("value", [1e24, -2.63417e27, 1.7e308, float("inf"), float("-inf")])
def test_round_half_up_keeps_numbers_too_large_for_decimals(value):
    """A unit that types 2.63417E+27 as its budget gets a rate of 1e24: more digits than a decimal context holds at
    four places. Such a float has no fraction to round; it comes back as it is, not as an InvalidOperation."""
    assert round_half_up(value, 4) == value


def test_round_half_up_leaves_nan_nan():
    assert math.isnan(round_half_up(float("nan"), 2))


weights = st.floats(min_value=0, max_value=100, allow_nan=False)
amounts = st.floats(min_value=0, max_value=1e9, allow_nan=False)


@given(weights, st.sampled_from(["正向", "反向"]), amounts, amounts)
def test_quantitative_score_stays_within_its_weight(weight, direction, target, actual):
    score = quantitative_score(weight, direction, target, actual)
    assert 0 <= score <= weight


@pytest.mark.parametrize(("target", "actual"), [(95, "98%"), ("90", "100%"), (0.9, "100%")])
def test_a_bare_target_takes_the_unit_of_its_actual(make_book, target, actual):
    """90%以上 typed as 90 into a General cell, the actual typed 100%: the target was 90 against 1.0 and the met
    target scored 0.11 of 10, a false PE209. A bare target now takes its actual's unit, read the nearer way as an
    actual takes its target's."""
    from perfeval_xl.service import check_path

    from .conftest import clean_data

    data = clean_data()
    row = next(i for i, r in enumerate(data["tables"]["indicators"]) if r["target"] == "90%以上")
    evaluation = check_path(make_book(data, {"rows": {row: {"target": target, "actual": actual}}}))
    assert evaluation.scores.indicators[row].met is True
    assert not [f for f in evaluation.findings if f.code == "PE209"]


@pytest.mark.parametrize("form", ["hubei", "guangzhou", "hunan"])
def test_a_form_sent_back_empty_gets_no_grade(tmp_path, form):
    """A template sent back with nothing typed was graded 差 from its total of 0: the bureau's grade chart counted
    units that had filled nothing among those that had scored badly. Its total stays 0, with no grade."""
    from perfeval_xl.definition import load_form
    from perfeval_xl.plan import build_plan
    from perfeval_xl.report import render_text
    from perfeval_xl.service import check_path
    from perfeval_xl.template import build_template

    path = build_template(load_form(form), tmp_path / f"{form}.xlsx")
    evaluation = check_path(path)
    assert (evaluation.scores.total, evaluation.scores.grade, evaluation.status) == (0.0, None, "error")
    assert "等次 —（没有可计分的内容）" in render_text(evaluation, path)
    summary = dict(build_plan(evaluation).summary)  # the 校验结果 sheet says it as the report does
    assert (summary["计算总分"], summary["评价等次"]) == (0, "—（没有可计分的内容）")


def test_a_form_with_one_score_typed_is_graded(make_book):
    """One self-score is something scored: the grade follows the total, low as it is."""
    from perfeval_xl.service import check_path

    from .conftest import clean_data

    data = clean_data()
    data["fields"] = {"unit": data["fields"]["unit"]}
    data["tables"]["indicators"] = data["tables"]["indicators"][:1]
    evaluation = check_path(make_book(data))
    assert evaluation.scores.grade == "差" and evaluation.scores.total > 0
