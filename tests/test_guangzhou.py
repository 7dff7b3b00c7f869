"""The 广州 form end to end: the 广州市科协 2021 seed reproduces its published numbers in both layouts."""

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils.cell import absolute_coordinate

from perfeval_xl.cli import main
from perfeval_xl.definition import load_form
from perfeval_xl.plan import RESULTS_SHEET, build_plan
from perfeval_xl.service import check_path
from perfeval_xl.template import COMPUTED_TINT, INPUT_TINT, build_template
from perfeval_xl.writeback import annotate_file

from .conftest import DIFFERENCE_ROW, GUANGZHOU, GUANGZHOU_OFFICIAL, GUANGZHOU_YAML, seed_data

EXAMPLES = [GUANGZHOU, GUANGZHOU_OFFICIAL]
# The 完成率 row of the 年度部门整体支出规模 block, as printed, column by column.
PUBLISHED_RATES = {
    "fiscal": 0.9862,
    "other": 0.8802,
    "basic": 0.9292,
    "project": 1.0096,
    "city": 0.9619,
    "transfer": 0.9182,
}
# The four formula-scored indicators and their published scores (the rest score full or are self-assessed).
PUBLISHED_FORMULA_SCORES = {
    "预算完成率": 1.24,
    "财政拨款收入预决算差异率": 1.97,
    "一般公共预算支出年度平均执行率": 1.72,
    "政府采购执行率": 1.96,
}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_completion_rates_per_column(path):
    ratios = check_path(path).scores.ratios
    assert {key: round(ratios[f"rate_{key}"], 4) for key in PUBLISHED_RATES} == PUBLISHED_RATES


def test_formula_scores_from_the_amounts():
    evaluation = check_path(GUANGZHOU)
    computed = {i.name: round(i.computed, 2) for i in evaluation.scores.indicators if i.basis == "rated"}
    assert {name: computed[name] for name in PUBLISHED_FORMULA_SCORES} == PUBLISHED_FORMULA_SCORES
    # The remaining rated indicators are within their thresholds and score full.
    assert computed["结转结余率"] == computed["公用经费控制率"] == computed["“三公经费”控制率"] == 2


def test_official_layout_scores_what_its_cells_hold():
    """The official table has no cells for the amounts behind 差异率, 采购, 结转结余 and the control rates (they are in
    the 评分依据 text), so those are taken as self-assessed; the two rates of the 支出规模 block are recomputed."""
    evaluation = check_path(GUANGZHOU_OFFICIAL)
    rated = {i.name: round(i.computed, 2) for i in evaluation.scores.indicators if i.basis == "rated"}
    assert rated == {"预算完成率": 1.24, "一般公共预算支出年度平均执行率": 1.72}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_total_and_sections_reproduce_the_seed(path):
    evaluation = check_path(path)
    scores = evaluation.scores
    assert evaluation.unit == "广州市科学技术协会"
    assert evaluation.extraction.year == 2021
    assert round(scores.total, 2) == 93.89
    assert scores.reported_total == pytest.approx(93.89)
    assert scores.grade == "优"
    sections = {s.name: (s.weight, s.weight_shown, round(s.reported, 2)) for s in scores.sections}
    assert sections == {"管理效能": (45, 45, 43.89), "履职效能": (50, 50, 50), "加减分项": (5, 5, 0)}
    assert len(scores.indicators) == 21 + 20 + 1


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_published_row_is_read(path):
    rows = seed_data(GUANGZHOU_YAML)["tables"]["indicators"]
    indicators = check_path(path).scores.indicators
    assert [i.name for i in indicators] == [r["name"] for r in rows]
    assert [i.reported_score for i in indicators] == [r["score"] for r in rows]
    assert [i.weight for i in indicators] == [r["weight"] for r in rows]
    assert [str(i.row.raw("level2")) for i in indicators] == [r["level2"] for r in rows]


def test_validator_finds_the_published_slip_and_nothing_else():
    evaluation = check_path(GUANGZHOU)
    basis = evaluation.scores.indicators[DIFFERENCE_ROW].row.ref("basis")
    assert [(f.code, f.cell) for f in evaluation.findings] == [("PE214", basis.a1)]
    finding = evaluation.findings[0]
    assert finding.value == pytest.approx(-0.0137)
    assert finding.expected == pytest.approx(-0.013835, abs=1e-6)
    assert "-1.38%" in finding.message()
    assert check_path(GUANGZHOU_OFFICIAL).findings == []


def test_json_and_annotation_work_as_for_every_form(tmp_path):
    result = CliRunner().invoke(main, ["check", str(GUANGZHOU), "--format", "json", "--annotate", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)[0]
    assert (report["form"], report["status"], report["scores"]["total"]) == ("guangzhou", "warning", 93.89)
    assert [issue["code"] for issue in report["issues"]] == ["PE214"]
    # The headline is the 市本级支出 column: 全年预算数 40959.93, 全年执行数 39398.33, 96.19 % as printed.
    headline = report["scores"]
    assert (headline["budget"], headline["executed"], round(headline["execution_rate"], 4)) == (
        40959.93,
        39398.33,
        0.9619,
    )
    book = load_workbook(tmp_path / GUANGZHOU.name)
    results = book[RESULTS_SHEET]
    cells = [row[3].value for row in results.iter_rows(min_row=1) if row[0].value == "PE214"]
    assert len(cells) == 2 and cells[0] and cells[1] is None  # its finding at its cell, then its rule said below
    evaluation = check_path(GUANGZHOU)
    computed = evaluation.scores.indicators[0].row.ref("computed_score")
    assert book[computed.sheet][computed.a1].value == 1.24


def test_annotating_twice_gives_the_same_marks(tmp_path):
    once = annotate_file(GUANGZHOU, build_plan(check_path(GUANGZHOU)), tmp_path / "once.xlsx").path
    twice = annotate_file(once, build_plan(check_path(once)), tmp_path / "twice.xlsx").path
    a, b = load_workbook(once), load_workbook(twice)
    for name in a.sheetnames:
        assert [[c.value for c in r] for r in a[name].iter_rows()] == [
            [c.value for c in r] for r in b[name].iter_rows()
        ]
        notes = [[str(c.comment.text) if c.comment else None for c in r] for r in a[name].iter_rows()]
        assert notes == [[str(c.comment.text) if c.comment else None for c in r] for r in b[name].iter_rows()]


def test_template_prints_the_official_indicators_locked(tmp_path):
    path = build_template(load_form("guangzhou"), tmp_path / "guangzhou.xlsx")
    sheet = load_workbook(path)["自评表"]
    texts = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
    for label in (
        "单位基本情况",
        "单位名称",
        "单位数",
        "年度整体绩效目标",
        "整体绩效目标完成情况",
        "未能完成原因",
        "年度部门整体支出规模（万元）",
        "按资金来源",
        "按资金结构",
        "按预算级次",
        "财政拨款",
        "其他资金",
        "基本支出",
        "项目支出",
        "市本级支出",
        "转移支付区",
        "全年预算数",
        "全年执行数",
        "完成率",
        "一级指标",
        "分值",
        "二级指标",
        "三级指标",
        "指标解释",
        "年度指标值",
        "实际完成指标值",
        "得分/自评分",
        "评分依据、未达标原因、改进措施",
        "备注",
        "管理效能",
        "履职效能",
        "加减分项",
        "总分",
        "资金管理",
        "采购管理",
        "信息公开管理",
        "资产管理",
        "成本管理",
        "绩效管理",
        "预算完成率",
        "“三公经费”控制率",
        "工作受表彰或批评",
    ):
        assert label in texts, label
    evaluation = check_path(path)
    first = evaluation.scores.indicators[0]
    name, score = first.row.ref("name"), first.row.ref("score")
    assert sheet[name.a1].protection.locked is True
    assert sheet[name.a1].fill.fgColor.rgb.endswith(COMPUTED_TINT.lstrip("#"))
    assert sheet[score.a1].protection.locked is False
    assert sheet[score.a1].fill.fgColor.rgb.endswith(INPUT_TINT.lstrip("#"))
    fields = evaluation.extraction.fields
    budget, executed = (absolute_coordinate(fields[k].ref.a1) for k in ("budget_fiscal", "executed_fiscal"))
    assert sheet[fields["rate_fiscal"].ref.a1].value == f'=IF(N({budget})>0,({executed})/({budget}),"")'
    actual = sheet[first.row.ref("actual").a1].value
    assert actual.startswith("=IF(N(") and ",4)" in actual
    total = fields["total"].ref
    assert sheet[total.a1].value.startswith("=SUM(")
    assert "加减分项：部门完成预算编制及执行等工作较好" in "".join(texts)
