"""The 河北 report form: the 香河 seed, transcribed faithfully, is read, and its published gaps are found."""

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from perfeval_xl.cli import main
from perfeval_xl.report import result_dict
from perfeval_xl.service import check_path

from .conftest import HEBEI, HEBEI_YAML, hebei_clean_data, locate, seed_data


def test_published_report_is_read():
    evaluation = check_path(HEBEI)
    scores = evaluation.scores
    assert evaluation.unit == "香河县科学技术协会"
    assert evaluation.extraction.year == 2019
    assert evaluation.text("report_date") == "2020年11月"
    assert evaluation.number("staffing") == 9
    assert (scores.budget, scores.executed) == (274.64, 258.13)
    assert round(scores.headline_rate * 100, 2) == 93.99
    assert scores.ratios["rate_income"] == pytest.approx(255.37 / 274.64)
    goals = evaluation.extraction.tables["goals"].rows
    assert [row.raw("budget") for row in goals] == ["1.5万元", "1万元", "5000元", "3万元", "3万元", "3万元"]
    assert [row.raw("name") for row in goals] == [r["name"] for r in seed_data(HEBEI_YAML)["tables"]["goals"]]


def test_report_form_is_not_scored():
    scores = check_path(HEBEI).scores
    assert (scores.total, scores.reported_total, scores.grade, scores.sections) == (None, None, None, [])


def test_validator_finds_what_the_published_report_leaves_out():
    evaluation = check_path(HEBEI)
    found = {(f.code, f.cell) for f in evaluation.findings}
    expected = {("PE101", locate(evaluation, f"field:{key}")) for key in ("overview", "conclusion", "lessons")}
    # 预算及执行 states only 支出 年初预算 / 决算 and 其中基本支出 258.13: 项目支出 and the 基本支出 budget are missing…
    expected |= {("PE101", locate(evaluation, f"field:{key}")) for key in ("budget_basic", "budget_project")}
    expected.add(("PE101", locate(evaluation, "field:final_project")))
    # …and 258.13 − 258.13 leaves no project spending for the six goals' 12 万元.
    expected.add(("PE215", locate(evaluation, "row:0:budget")))
    assert found == expected
    allocation = next(f for f in evaluation.findings if f.code == "PE215")
    assert (allocation.value, allocation.expected) == (12, 0)
    assert "按 决算数（支出合计）−决算数（基本支出） 推算" in allocation.message()
    assert evaluation.status == "error"


def test_json_contract_for_a_form_without_points():
    result = result_dict(check_path(HEBEI), HEBEI)
    assert result["form"] == "hebei"
    assert result["scores"]["total"] is None and result["scores"]["grade"] is None
    assert (result["scores"]["budget"], result["scores"]["executed"]) == (274.64, 258.13)
    assert result["scores"]["execution_rate"] == pytest.approx(0.939885, abs=1e-6)
    assert result["scores"]["sections"] == {}
    json.dumps(result, ensure_ascii=False)


def test_check_annotates_the_report_workbook(tmp_path):
    result = CliRunner().invoke(main, ["check", str(HEBEI), "--annotate", str(tmp_path), "--format", "json"])
    assert result.exit_code == 1
    book = load_workbook(tmp_path / HEBEI.name)
    assert "校验结果" in book.sheetnames
    evaluation = check_path(HEBEI)
    assert book["自评报告"][locate(evaluation, "row:0:budget")].comment is not None


def test_committed_example_matches_its_transcription(tmp_path):
    from examples.build_examples import build_all

    build_all(tmp_path)
    fresh, committed = load_workbook(tmp_path / HEBEI.name), load_workbook(HEBEI)
    for name in committed.sheetnames:
        assert [[c.value for c in r] for r in committed[name].iter_rows()] == [
            [c.value for c in r] for r in fresh[name].iter_rows()
        ]


@pytest.mark.parametrize(
    ("cited", "fires"), [("编制10人", True), ("编制数为10名", True), ("编制9人", False), ("编制九名", False)]
)
def test_the_staffing_the_text_cites_is_read_however_it_is_worded(make_book, cited, fires):
    """编制10人 (人 for 名) was not read at all: the text could say any number of staff without a finding."""
    data = hebei_clean_data()
    data["fields"]["basics"] = data["fields"]["basics"].replace("编制9名", cited)
    evaluation = check_path(make_book(data))
    assert ("PE216" in {f.code for f in evaluation.findings}) is fires
