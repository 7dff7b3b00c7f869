"""The 湖南 forms: 桃江 自评表 + 基础数据表 (two sheets, published layout) and the 岳阳 per-institution 自评报告 form."""

import json

import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from perfeval_xl.cli import main
from perfeval_xl.definition import load_form
from perfeval_xl.grid import SheetGrid, WorkbookGrid
from perfeval_xl.service import check_path
from perfeval_xl.template import build_template

from .conftest import (
    CLEAN,
    TAOJIANG,
    TAOJIANG_OFFICIAL,
    TAOJIANG_YAML,
    XIANGYANG_OFFICIAL,
    YUEYANG,
    YUEYANG_YAML,
    seed_data,
)


def codes(evaluation):
    return sorted((f.code, f.sheet, f.cell) for f in evaluation.findings)


def test_taojiang_published_layout_is_read_across_both_sheets():
    evaluation = check_path(TAOJIANG_OFFICIAL)
    assert evaluation.definition.id == "hunan"
    assert set(evaluation.extraction.sheets) == {"基础数据表", "自评表"}
    assert {n: s.name for n, s in evaluation.extraction.sheets.items()} == {"基础数据表": "附件1", "自评表": "附件2"}
    number = evaluation.number
    # “2022年决算数 / 2023年预算数 / 2023年决算数” are the 上年/本年 columns of 2023.
    assert (number("project_prior"), number("project_budget"), number("project_final")) == (99.18, 48, 158.68)
    assert number("on_duty") == 7 and evaluation.scores.ratios["control_rate"] == 1.0
    # “按收入性质分：266.32” and its 其中 lines, value and label in one cell; “无” reads as 0.
    assert (number("by_income"), number("general"), number("basic"), number("project")) == (
        266.32,
        266.32,
        107.64,
        158.68,
    )
    assert evaluation.parsed["gov_fund"].kind == "empty"
    assert number("special") == 0
    items = evaluation.extraction.tables["project_items"].rows
    assert items[0].raw("name") == "1、业务工作经费" and len(items) == 6
    assert evaluation.extraction.tables["buildings"].rows == []  # its one row says 无 in every cell: no building
    assert (evaluation.text("filler"), evaluation.text("fill_date"), evaluation.text("head")) == (
        "刘自平",
        "2024年4月10日",
        "",
    )
    assert evaluation.extraction.year == 2023


def test_taojiang_published_slips_are_found_and_nothing_else():
    evaluation = check_path(TAOJIANG_OFFICIAL)
    # 效益指标 labelled and weighted 40 in a 30-point section; 总分 printed 100 where the scores add up to 110.
    assert [(f.code, f.cell) for f in evaluation.findings] == [
        ("PE206", "B19"),
        ("PE207", "B19"),
        ("PE205", "G19"),
        ("PE208", "H24"),
    ]
    scores = evaluation.scores
    assert (scores.rate, scores.budget_score) == (1.0, 10.0)
    assert [(s.name, s.computed) for s in scores.sections] == [("产出指标", 50), ("效益指标", 30), ("满意度指标", 10)]
    assert scores.total == 100 and scores.reported_sum == 110 and scores.reported_total == 100


def test_taojiang_template_example_keeps_the_published_values():
    data = seed_data(TAOJIANG_YAML)
    evaluation = check_path(TAOJIANG)
    for key in ("initial", "budget", "executed", "by_income", "basic_final", "sangong_final", "utilities_prior"):
        assert evaluation.number(key) == pytest.approx(data["fields"][key]), key
    assert [r.raw("name") for r in evaluation.extraction.tables["indicators"].rows] == [
        r["name"] for r in data["tables"]["indicators"]
    ]
    assert {f.code for f in evaluation.findings} == {"PE205", "PE207"}


def test_taojiang_clean_fixture_scores_100(make_book):
    evaluation = check_path(make_book(CLEAN["hunan"]()))
    assert evaluation.findings == []
    assert (evaluation.scores.total, evaluation.scores.grade) == (100, "优")


@pytest.mark.parametrize(
    ("change", "code", "field"),
    [
        ({"by_income": 260}, "PE203", "by_income"),  # 按收入性质分 ≠ its 其中 lines
        ({"budget": 270}, "PE220", "by_income"),  # 按收入性质分 ≠ 全年预算数
        ({"office_final": 18.47, "utilities_final": 0.87}, "PE217", "public_final"),
        ({"vehicle_buy_final": 2}, "PE203", "vehicle_final"),  # blank 公务用车 with 2 in 公车购置
    ],
)
def test_taojiang_identities_fail_on_a_wrong_figure(make_book, change, code, field):
    evaluation = check_path(make_book(CLEAN["hunan"](), {"fields": change}))
    cell = evaluation.extraction.fields[field].ref
    assert (code, cell.sheet, cell.a1) in codes(evaluation)


def test_partial_items_may_be_less_than_their_total(make_book):
    evaluation = check_path(make_book(CLEAN["hunan"](), {"fields": {"office_final": 1, "utilities_final": 0.87}}))
    assert evaluation.findings == []


def test_inline_value_cells_stop_a_label_scan():
    """A label with nothing after its colon is blank, not the next “label：value” cell to its right."""
    definition = load_form("hunan")
    nature = [["政府性基金拨款：", "", "项目支出：158.68"], ["其中：基本支出：107.64", "", ""]]
    book = WorkbookGrid("x.xlsx", {"附件": SheetGrid("附件", cells=nature)})
    sheet = book.sheets["附件"]
    from perfeval_xl.locate import _Locator

    locator = _Locator(sheet, definition, [b for b in definition.blocks if b.id == "nature"], None)
    block = next(b for b in definition.blocks if b.id == "nature")
    fields = {spec.key: locator.field(spec, block).raw for spec in block.fields}
    assert fields["gov_fund"] == "" and fields["project"] == "158.68" and fields["basic"] == "107.64"


@pytest.mark.parametrize("stated", ["二〇二三年度", "二零二三年度", "２０２３年度"])
def test_a_title_stating_its_year_in_chinese_numerals_or_full_width_digits_is_read(tmp_path, stated):
    """桃江县二〇二三年度… (as official documents write years): the year was not found, so neither were the columns
    named by it (2022年决算数, 2023年预算数), and their amounts were missing."""
    path = tmp_path / "桃江.xlsx"
    book = load_workbook(TAOJIANG_OFFICIAL)
    for sheet in book.worksheets:
        title = sheet["A1"]
        title.value = title.value.replace("2023年度", stated)
    book.save(path)
    evaluation, published = check_path(path), check_path(TAOJIANG_OFFICIAL)
    assert evaluation.extraction.year == 2023
    assert [(f.code, f.cell) for f in evaluation.findings] == [(f.code, f.cell) for f in published.findings]


def test_column_labels_stating_years_in_chinese_numerals_are_read(tmp_path):
    """二〇二二年决算数 and 二〇二三年预算数 (the whole form written as official documents write years): the columns
    were not found and their amounts read as missing."""
    path = tmp_path / "桃江.xlsx"
    book = load_workbook(TAOJIANG_OFFICIAL)
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.data_type == "s":
                    cell.value = cell.value.replace("2022年", "二〇二二年").replace("2023年", "二〇二三年")
    book.save(path)
    evaluation, published = check_path(path), check_path(TAOJIANG_OFFICIAL)
    assert (evaluation.number("project_prior"), evaluation.number("project_budget")) == (99.18, 48)
    assert [(f.code, f.cell) for f in evaluation.findings] == [(f.code, f.cell) for f in published.findings]


def test_year_stated_column_labels_need_the_year():
    from perfeval_xl.locate import _Locator

    definition = load_form("hunan")
    block = next(b for b in definition.blocks if b.id == "costs")
    cells = [["经费控制情况（万元）", "2022年决算数", "2023年预算数", "2023年决算数"], ["三公经费：", 1.04, 1.58, 1.3]]
    sheet = SheetGrid("S", cells=cells)
    fields = {f.key: f for f in block.fields}

    def read(year):
        locator = _Locator(sheet, definition, [block], year)
        return [locator.field(fields[f"sangong_{c}"], block).raw for c in ("prior", "budget", "final")]

    assert read(2023) == [1.04, 1.58, 1.3]
    assert read(2024) == [1.3, "", ""]  # in 2024, 2023年决算数 is 上年决算数 and no column is 本年


def test_yueyang_published_slips_are_found_and_nothing_else():
    evaluation = check_path(YUEYANG)
    found = [(f.code, f.cell, f.message()) for f in evaluation.findings]
    assert found == [
        ("PE219", "E23", "“市科协及二级机构汇总”的“人员支出”为 372.33，各行之和为 375.5"),
        ("PE219", "G23", "“市科协及二级机构汇总”的“项目支出”为 644，各行之和为 640.83"),
        ("PE218", "C26", "“3、科技活动管理中心”：“支出合计”为 87.01，按 基本支出 + 项目支出 应为 83.84"),
        ("PE218", "D26", "“3、科技活动管理中心”：“基本支出”为 空白，按 人员支出 + 公用支出 应为 3.17"),
    ]
    assert evaluation.scores.reported_total == 100 and evaluation.text("grade") == "优"
    assert evaluation.scores.total is None


def test_yueyang_example_is_the_transcription():
    data = seed_data(YUEYANG_YAML)
    evaluation = check_path(YUEYANG)
    for table_id in ("income", "spending", "sangong", "assets", "quantitative", "reviewers"):
        rows = evaluation.extraction.tables[table_id].rows
        spec = evaluation.definition.tables[table_id]
        read = [{c.key: r.raw(c.key) for c in spec.columns if r.raw(c.key) != ""} for r in rows]
        assert read == data["tables"][table_id], table_id


def test_yueyang_income_total_excludes_the_carry_over(make_book):
    """收入合计 = 公共财政拨款 + 政府基金 + 专户非税 + 其他收入 (岳阳 2020: 1056.5 = 912.53 + 143.97); adding 上年结转
    to it breaks 收入合计 and the 结余 rows that follow from it."""
    data = CLEAN["yueyang"]()
    total = data["tables"]["income"][0]
    evaluation = check_path(
        make_book(data, {"tables": {"income": {0: {"total": total["total"] + total["carryover"]}}}})
    )
    assert {f.code for f in evaluation.findings} == {"PE218", "PE219"}


@pytest.mark.parametrize("form", ["hunan", "yueyang"])
def test_json_contract(example_copy, form):
    path = {"hunan": TAOJIANG_OFFICIAL, "yueyang": YUEYANG}[form]
    result = CliRunner().invoke(main, ["check", str(example_copy(path)), "--format", "json"])
    assert result.exit_code == 1
    (record,) = json.loads(result.output)
    assert record["form"] == form and record["status"] == "error"
    assert record["year"] == {"hunan": 2023, "yueyang": 2020}[form]
    assert record["unit"] in ("桃江县科学技术协会", "岳阳市科学技术协会")
    for issue in record["issues"]:
        assert set(issue) == {"code", "severity", "sheet", "cell", "message", "value", "expected", "key", "difference"}
        assert issue["sheet"] in {"附件1", "附件2", "自评报告"}


def test_definitions_refuse_a_row_sum_on_an_unknown_column():
    from perfeval_xl.definition import DefinitionError, parse_definition

    raw = yaml.safe_load((YUEYANG_YAML.parent.parent / "perfeval_xl" / "forms" / "yueyang.yaml").read_text("utf-8"))
    raw["scoring"]["row_sums"][0]["parts"].append("income.nonsense")
    with pytest.raises(DefinitionError, match="row_sums"):
        parse_definition(raw, "yueyang.yaml")


def test_templates_lay_out_both_sheets(tmp_path):
    from openpyxl import load_workbook

    path = build_template(load_form("hunan"), tmp_path / "hunan.xlsx")
    book = load_workbook(path)
    assert book.sheetnames[:2] == ["基础数据表", "自评表"]
    formulas = {c.value for row in book["自评表"].iter_rows() for c in row if str(c.value).startswith("=")}
    assert any("自评表!" in f for f in formulas)  # multi-sheet formulas name their sheet
    assert any("控制率" in str(c.value) for row in book["基础数据表"].iter_rows() for c in row)


@pytest.mark.parametrize("path", [TAOJIANG, TAOJIANG_OFFICIAL, YUEYANG], ids=lambda p: p.name)
def test_committed_examples_match_a_fresh_build(tmp_path, path):
    from openpyxl import load_workbook

    from examples.build_examples import build_all

    build_all(tmp_path)
    fresh, committed = load_workbook(tmp_path / path.name), load_workbook(path)
    assert committed.sheetnames == fresh.sheetnames
    for name in committed.sheetnames:
        assert [[c.value for c in r] for r in committed[name].iter_rows()] == [
            [c.value for c in r] for r in fresh[name].iter_rows()
        ], f"{path.name}:{name}; run python examples/build_examples.py"


def _with_project_form(tmp_path, source, sheet: str, keep: bool = True):
    """The workbook with a 项目支出绩效自评表 made from its ``sheet`` (the national project form shares its 年度资金总额,
    三级指标 and 偏差原因分析及改进措施), filled a little further; without the form's own sheet unless ``keep``."""
    book = load_workbook(source)
    project = book.copy_worksheet(book[sheet])
    project.title = "科普项目"
    for row in project.iter_rows():
        for cell in row:
            if isinstance(cell.value, str):
                cell.value = cell.value.replace("部门整体支出绩效自评表", "项目支出绩效自评表").replace(
                    "部门整体绩效自评表", "项目支出绩效自评表"
                )
    project["J40"], project["J41"] = "备注", "另附项目明细"
    if not keep:
        del book[sheet]
    path = tmp_path / f"{'with' if keep else 'only'}_project_{source.name}"
    book.save(path)
    return path


@pytest.mark.parametrize(("source", "sheet"), [(TAOJIANG_OFFICIAL, "附件2"), (XIANGYANG_OFFICIAL, "Sheet1")])
def test_a_project_form_in_the_same_workbook_is_not_taken_for_the_form(tmp_path, source, sheet):
    """Units send each project's 项目支出绩效自评表 in the workbook of their 部门整体 form, with the same labels: the
    project sheet, filled a little further, was checked as the form (its figures, and a PE108 calling the form's own
    sheet the extra copy). A sheet titled as the project form is not the form."""
    evaluation = check_path(_with_project_form(tmp_path, source, sheet))
    published = check_path(source)
    assert {f.sheet for f in evaluation.findings} <= {sheet, *published.extraction.grids}
    assert [(f.code, f.sheet, f.cell) for f in evaluation.findings] == [
        (f.code, f.sheet, f.cell) for f in published.findings
    ]


def test_a_workbook_of_project_forms_only_is_said_to_be_one(tmp_path):
    """A unit that sent its projects' forms for its 部门整体 form is told so, not checked against the wrong form."""
    path = _with_project_form(tmp_path, TAOJIANG_OFFICIAL, "附件2", keep=False)
    run = CliRunner().invoke(main, ["check", str(path)])
    assert run.exit_code == 2
    assert "工作表“科普项目”是项目支出绩效自评表，不是湖南《部门整体支出绩效自评表》" in run.stderr


def test_a_form_naming_the_project_forms_in_its_first_rows_is_still_the_form(tmp_path):
    """A note at the top of the 部门整体 form (附：项目支出绩效自评表) names the project form, and its own title stays."""
    book = load_workbook(TAOJIANG_OFFICIAL)
    book["附件2"]["J1"] = "附：项目支出绩效自评表"
    path = tmp_path / "with_note.xlsx"
    book.save(path)
    published = check_path(TAOJIANG_OFFICIAL)
    assert [(f.code, f.cell) for f in check_path(path).findings] == [(f.code, f.cell) for f in published.findings]
