"""The template mirrors the official table and is ready to fill, protect and print."""

import pytest
from openpyxl import load_workbook

from perfeval_xl.definition import load_form
from perfeval_xl.grid import META_SHEET
from perfeval_xl.plan import text_height
from perfeval_xl.template import INPUT_TINT, build_template

from .conftest import CLEAN, ROOT


def _book(tmp_path):
    path = build_template(load_form("hubei"), tmp_path / "hubei.xlsx")
    return path, load_workbook(path)


def test_official_labels_and_footnotes_are_present(tmp_path):
    _, book = _book(tmp_path)
    texts = {str(c.value) for row in book["自评表"].iter_rows() for c in row if c.value}
    for label in (
        "单位名称",
        "填报日期",
        "预算数（A）",
        "执行数（B）",
        "执行率（B/A）",
        "得分（20分*执行率）",
        "年度目标（80分）",
        "年度绩效指标",
        "一级指标",
        "二级指标",
        "三级指标",
        "年初目标值（A）",
        "实际完成值（B）",
        "得分",
        "总分",
        "产出指标（40分）",
        "效益指标（30分）",
        "满意度指标（10分）",
        "偏差大或目标未完成原因分析",
        "改进措施及结果应用方案",
    ):
        assert label in texts, label
    assert any(t.startswith("备注：\n1.预算执行情况口径") for t in texts)


def test_inputs_unlocked_and_tinted_computed_locked_with_formulas(tmp_path):
    _, book = _book(tmp_path)
    sheet = book["自评表"]
    for address in ("C6", "D6"):  # 预算数（A）, 执行数（B）
        cell = sheet[address]
        assert cell.protection.locked is False
        assert cell.fill.fgColor.rgb.endswith(INPUT_TINT.lstrip("#"))
    assert sheet["E6"].value == '=IF(N($C$6)>0,$D$6/$C$6,"")'
    assert sheet["F6"].value == '=IF($E$6="","",MIN(20,MAX(0,20*ROUND($E$6,4))))'
    assert sheet["E6"].protection.locked is True
    assert sheet.protection.sheet is True
    assert sheet.protection.password is None


def test_dropdowns_for_direction_and_tier(tmp_path):
    _, book = _book(tmp_path)
    formulas = {v.formula1 for v in book["自评表"].data_validations.dataValidation}
    assert '"正向,反向,定性"' in formulas
    assert '"达成预期指标,部分达成预期指标,未达成预期指标"' in formulas


FORMS = ["hubei", "guangzhou", "hebei", "hunan", "yueyang"]


@pytest.mark.parametrize("form", FORMS)
def test_print_setup_and_hidden_metadata(tmp_path, form):
    book = load_workbook(build_template(load_form(form), tmp_path / f"{form}.xlsx"))
    sheet = book[load_form(form).sheet_name]
    assert sheet.page_setup.paperSize == 9  # A4
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0  # 1 is the default
    assert sheet.print_title_rows
    meta = book[META_SHEET]
    assert meta.sheet_state == "veryHidden"
    assert (meta["A1"].value, meta["B1"].value, meta["A2"].value) == ("form", form, "version")


@pytest.mark.parametrize("form", FORMS)
def test_chinese_fonts(tmp_path, form):
    book = load_workbook(build_template(load_form(form), tmp_path / f"{form}.xlsx"))
    fonts = {c.font.name for row in book[load_form(form).sheet_name].iter_rows() for c in row if c.value}
    assert fonts <= {"宋体", "黑体"}


@pytest.mark.parametrize("form", FORMS)
def test_committed_template_matches_a_fresh_build(tmp_path, form):
    fresh = load_workbook(build_template(load_form(form), tmp_path / f"{form}.xlsx"))
    committed = load_workbook(ROOT / "workbook_templates" / f"{form}.xlsx")
    for name in (load_form(form).sheet_name, META_SHEET):
        a = [[c.value for c in row] for row in committed[name].iter_rows()]
        b = [[c.value for c in row] for row in fresh[name].iter_rows()]
        assert a == b


def test_hebei_template_has_the_report_outline_and_live_rates(tmp_path):
    book = load_workbook(build_template(load_form("hebei"), tmp_path / "hebei.xlsx"))
    sheet = book["自评报告"]
    texts = {str(c.value) for row in sheet.iter_rows() for c in row if c.value}
    for label in (
        "部门（单位）名称",
        "主管部门",
        "摘要",
        "概述",
        "评价结论",
        "经验做法、问题和建议",
        "一、部门（单位）概况",
        "机构规格",
        "编制数",
        "领导职数",
        "主要职责",
        "总体目标",
        "工作任务",
        "年度整体绩效目标",
        "绩效目标",
        "预算金额（万元）",
        "预算绩效管理开展情况",
        "预算及执行情况（万元）",
        "一般公共预算财政拨款收入",
        "支出合计",
        "基本支出",
        "项目支出",
        "年初预算数",
        "决算数",
        "执行率",
        "二、部门（单位）整体绩效实现情况",
        "部门产出情况",
        "经济性分析",
        "社会效益分析",
        "主要问题及原因分析",
        "改进的方向和具体措施",
        "四、绩效自评结果拟应用和公开情况",
    ):
        assert label in texts, label
    rates = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=IF(N(")]
    assert len(rates) == 4  # 执行率 of each 预算及执行 column, locked
    assert all(c.protection.locked for c in rates)
    goal_cells = [r for r in sheet.merged_cells.ranges if r.size["columns"] == 6]
    assert len(goal_cells) >= 8  # each 绩效目标 cell spans six sheet columns


@pytest.mark.parametrize("form", FORMS)
def test_amount_inputs_warn_of_a_figure_in_yuan_as_it_is_typed(tmp_path, form):
    """A figure typed in 元 into a 万元 cell is said when the workbook is checked (PE112); Excel can say it at once:
    every amount input warns (Excel's “warning” style, which lets the unit keep it) at 1,000,000 万元 and above,
    and lets text (无, 3100万元) through."""
    from perfeval_xl.service import check_path
    from perfeval_xl.values import YUAN_LIKELY

    path = build_template(load_form(form), tmp_path / f"{form}.xlsx", CLEAN[form]())  # filled: its rows are found
    book = load_workbook(path)
    validations = [
        (ws.title, v)
        for ws in book.worksheets
        for v in ws.data_validations.dataValidation
        if v.type == "custom" and str(YUAN_LIKELY) in v.formula1
    ]
    assert validations
    assert all(v.errorStyle == "warning" and "ISNUMBER" in v.formula1 for _, v in validations)
    guarded = {(sheet, cell) for sheet, v in validations for rng in v.sqref.ranges for cell in _cells(rng.coord)}
    extraction = check_path(path).extraction
    inputs = [
        *extraction.fields.values(),
        *(c for t in extraction.tables.values() for r in t.rows for c in r.cells.values()),
    ]
    amounts = [c.ref for c in inputs if c.spec.type == "amount" and c.ref and not (c.spec.output or c.spec.computed)]
    assert amounts
    assert {(ref.sheet, ref.a1) for ref in amounts} <= guarded


@pytest.mark.parametrize("form", ["hubei", "guangzhou", "hunan"])
def test_a_self_score_above_its_weight_warns_as_it_is_typed(tmp_path, form):
    """PE204 (and PE103) at the keyboard: each indicator's 自评得分 warns (Excel's warning style) when it is a number
    above the weight on its row, or below 0; a 加减分项 row, whose score may be a deduction, does not."""
    from perfeval_xl.service import check_path

    path = build_template(load_form(form), tmp_path / f"{form}.xlsx", CLEAN[form]())
    sheet_of = {ws.title: ws for ws in load_workbook(path).worksheets}
    limits = {
        (title, cell): v
        for title, ws in sheet_of.items()
        for v in ws.data_validations.dataValidation
        if v.type == "custom" and v.errorTitle == "自评得分"
        for rng in v.sqref.ranges
        for cell in _cells(rng.coord)
    }
    indicators = load_form(form).indicators
    bonuses = {section.name for section in indicators.sections if section.bonus is not None}
    table = check_path(path).extraction.tables[indicators.table]
    for row in table.rows:
        score, weight = row.ref("score"), row.ref("weight")
        bonus = row.section in bonuses
        assert ((score.sheet, score.a1) in limits) != bonus, score.a1
        if not bonus:
            v = limits[score.sheet, score.a1]
            assert v.errorStyle == "warning"
            assert (
                v.formula1
                == f"OR(NOT(ISNUMBER({score.a1})),AND({score.a1}>=0,OR(NOT(ISNUMBER({weight.a1})),{score.a1}<={weight.a1})))"
            )


def _texts(path) -> set[str]:
    return {
        c.value
        for ws in load_workbook(path).worksheets
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str)
    }


def test_a_hunan_template_of_a_known_year_states_its_years_as_the_official_form(tmp_path):
    """湖南's published form states its years (桃江县2023年度…自评表, 2022年决算数, 2023年预算数, 2023年实际在职人数):
    a template of a known year (--year, --prior, or its data) writes them so, and reads back as the form; one of no
    year keeps 上年决算数 and 本年预算数."""
    from perfeval_xl.service import check_path

    dated = build_template(load_form("hunan"), tmp_path / "2024.xlsx", {"fields": {"year": 2024}})
    texts = _texts(dated)
    assert {"2024年度部门整体支出绩效评价基础数据表", "2024年度部门整体支出绩效自评表"} <= texts
    assert {"2023年决算数", "2024年预算数", "2024年决算数", "2024年实际在职人数"} <= texts
    assert not {"上年决算数", "本年预算数", "本年决算数", "本年实际在职人数"} & texts
    assert {"上年决算数", "本年预算数"} <= _texts(build_template(load_form("hunan"), tmp_path / "t.xlsx"))
    filled = build_template(load_form("hunan"), tmp_path / "filled.xlsx", CLEAN["hunan"]())
    assert "2022年决算数" in _texts(filled)
    evaluation = check_path(filled)
    assert evaluation.extraction.year == 2023 and evaluation.number("sangong_prior") == 1.04


def _cells(coord: str) -> list[str]:
    from openpyxl.utils import range_boundaries
    from openpyxl.utils.cell import get_column_letter

    c1, r1, c2, r2 = range_boundaries(coord)
    return [f"{get_column_letter(c)}{r}" for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)]


def test_a_long_text_gets_the_lines_it_takes_when_printed():
    """Excel never fits a merged cell's height to its text, so the template sizes the row: a CJK character at 10 pt
    is two digits wide, and a column's width counts digits. 60 CJK characters in a cell 30 columns wide take five
    lines (the rows were made for two, and 湖北's 年度目标 printed clipped at top and bottom); 60 digits take three."""
    assert text_height("科" * 60, 30) == 13 * 5 + 8
    assert text_height("1" * 60, 30) == 13 * 3 + 8
    assert text_height("科" * 10 + "\n" + "科" * 10, 30) == 13 * 2 + 8
    assert text_height("科" * 10_000, 30) == 409  # Excel's highest row
    assert text_height(None, 30) == 21


@pytest.mark.parametrize("form", ["hubei", "guangzhou", "hunan"])
def test_weights_self_scores_and_explanations_are_tinted_live_where_they_are_typed(tmp_path, form):
    """Each section's 分值 cells (加减分项 too, as PE205 checks it), each indicator's 自评得分 (a 加减分项 aside: it may
    deduct) and the cells that explain a shortfall carry a conditional format: the tint shows in Excel and in WPS,
    where the buttons do not run, and stays when a pasted value skipped the warning. What the formulas compute is
    checked against the checks in test_template_formulas."""
    from perfeval_xl.service import check_path

    path = build_template(load_form(form), tmp_path / f"{form}.xlsx", CLEAN[form]())
    indicators = load_form(form).indicators
    bonuses = {section.name for section in indicators.sections if section.bonus is not None}
    table = check_path(path).extraction.tables[indicators.table]
    sheet = load_workbook(path)[table.rows[0].ref("score").sheet]
    tinted = {c for rng in sheet.conditional_formatting for coord in str(rng.sqref).split() for c in _cells(coord)}
    said = {c: v.prompt for v in sheet.data_validations.dataValidation if v.promptTitle == "分值" for c in _in(v)}
    points = {section.name: section.weight for section in indicators.sections}
    for row in table.rows:
        bonus = row.section in bonuses
        assert row.ref("weight").a1 in tinted, row.ref("weight").a1
        assert (row.ref("score").a1 in tinted) != bonus, row.ref("score").a1
        # selecting a 分值 says why it may turn red
        assert said[row.ref("weight").a1].startswith(f"{row.section}各指标分值之和须为 {points[row.section]:g} 分")
        if indicators.explanation_column:  # PE301, row by row
            assert row.ref(indicators.explanation_column).a1 in tinted
    if (key := load_form(form).explanation) is not None:  # PE301, once for the form
        assert check_path(path).extraction.fields[key].ref.a1 in tinted


@pytest.mark.parametrize(
    ("key", "title", "said"),
    [
        # 指标性质 must agree with the target's comparator (PE114)
        ("direction", "指标性质", ["正向：目标值为“≥X”", "反向：目标值为“≤X”", "定性：按完成档次计分"]),
        # 完成档次 is scored by the band of its tier (PE210), from the form's definition
        ("tier", "完成档次", ["达成预期指标 80%–100%，部分达成预期指标 50%–80%，未达成预期指标 0%–50%"]),
    ],
)
def test_selecting_a_choice_of_an_indicator_says_what_each_one_asks(tmp_path, key, title, said):
    from perfeval_xl.service import check_path

    path = build_template(load_form("hubei"), tmp_path / "hubei.xlsx", CLEAN["hubei"]())
    table = check_path(path).extraction.tables["indicators"]
    sheet = load_workbook(path)[table.rows[0].ref(key).sheet]
    prompts = {c: (v.promptTitle, v.prompt) for v in sheet.data_validations.dataValidation for c in _in(v)}
    for row in table.rows:
        shown, prompt = prompts[row.ref(key).a1]
        assert shown == title
        assert all(words in prompt for words in said), prompt
        assert len(prompt) <= 255  # Excel's limit on an input message


def test_a_grade_typed_by_the_unit_is_picked_from_a_list_saying_the_total_each_one_needs(tmp_path):
    """岳阳's 评价等次 is typed by the unit beside the 综合得分 it typed (PE211 checks them together); its cell had no
    dropdown, as only a table's choices had one, and any word could be typed (PE107 said so afterwards)."""
    from perfeval_xl.service import check_path

    path = build_template(load_form("yueyang"), tmp_path / "yueyang.xlsx", CLEAN["yueyang"]())
    graded = check_path(path).extraction.fields["grade"].ref
    sheet = load_workbook(path)[graded.sheet]
    said = [(v.formula1, v.prompt) for v in sheet.data_validations.dataValidation if graded.a1 in _in(v)]
    assert said == [('"优,良,中,差"', "评价等次按总分评定：优 ≥ 90，良 ≥ 80，中 ≥ 60，差 < 60。")]


def test_a_form_of_a_single_grade_gets_its_list_without_saying_the_totals(tmp_path, one_grade_form):
    """A bureau's own form may name one grade (合格) for any total: no threshold to say, and nothing fails."""
    path = build_template(one_grade_form("yueyang"), tmp_path / "one.xlsx", CLEAN["yueyang"]())
    graded = [v for ws in load_workbook(path) for v in ws.data_validations.dataValidation if v.type == "list"]
    assert [(v.formula1, v.prompt) for v in graded] == [('"优,良,中,差"', None)]


def _in(validation) -> list[str]:
    return [cell for rng in validation.sqref.ranges for cell in _cells(rng.coord)]
