"""The template's live formulas give the numbers the Python scorer gives (recalculated by LibreOffice headless)."""

from dataclasses import replace

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from perfeval_xl import excel
from perfeval_xl.definition import Band, RateRule, load_form
from perfeval_xl.engine import evaluate_extractions
from perfeval_xl.locate import extract
from perfeval_xl.plan import build_plan
from perfeval_xl.reader import RESULTS_CARRIED, read_workbook
from perfeval_xl.scoring import grade_for, round_half_up
from perfeval_xl.service import check_grid, check_path
from perfeval_xl.template import build_template
from perfeval_xl.writeback import annotate_file

from .conftest import (
    CLEAN,
    GUANGZHOU,
    HEBEI,
    OVER_ITS_POINTS,
    XIANGYANG,
    XIANGYANG_OFFICIAL,
    clean_data,
    delete_row,
    guangzhou_clean_data,
    insert_indicator,
    mutate,
    row_added_under_old_sums,
)
from .libreoffice import needs_libreoffice, recalculate
from .xlwings_standin import FakeBook

pytestmark = [needs_libreoffice, pytest.mark.libreoffice]


def _cached(path, evaluation, key):
    ref = evaluation.extraction.fields[key].ref
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(ref.sheet).to_python(skip_empty_area=False)
    return sheet[ref.row][ref.col]


@pytest.mark.parametrize("variant", ["seed", "clean", "under-executed", "a section over its points"])
def test_formulas_agree_with_python(tmp_path, make_book, variant):
    if variant == "seed":
        source = XIANGYANG
    elif variant == "clean":
        source = make_book(clean_data())
    elif variant == "under-executed":
        source = make_book(clean_data(), {"fields": {"budget": 3500.55}})
    else:
        source = make_book(clean_data(), OVER_ITS_POINTS)
    evaluation = check_path(source)
    annotated = annotate_file(source, build_plan(evaluation), tmp_path / "annotated.xlsx").path
    recalculated = recalculate(annotated, tmp_path)
    s = evaluation.scores
    assert _cached(recalculated, evaluation, "rate") == pytest.approx(s.rate, abs=1e-12)
    assert _cached(recalculated, evaluation, "budget_score") == pytest.approx(s.budget_score, abs=1e-9)
    assert _cached(recalculated, evaluation, "total") == pytest.approx(s.reported_total, abs=1e-9)
    assert _cached(recalculated, evaluation, "grade") == grade_for(s.reported_total, evaluation.definition.grades)
    # 复核总分 sums the computed scores the check wrote into 计算得分 (rounded to the form's 2 decimals).
    assert _cached(recalculated, evaluation, "checked_total") == pytest.approx(s.total, abs=0.05)


def test_a_number_typed_as_text_is_left_out_by_the_recalculated_formulas_as_pe116_says(tmp_path, make_book):
    """PE116 rests on how a spreadsheet reads text: SUM leaves it out, N() reads 0. LibreOffice recalculates a book
    with a self-score and a 预算数 typed as text, and PE116 says each with the numbers it shows."""
    source = make_book(clean_data(), {"rows": {0: {"score": "3"}}, "fields": {"budget": "3100"}})
    recalculated = recalculate(source, tmp_path)
    evaluation = check_path(recalculated)
    total = _cached(recalculated, evaluation, "total")
    assert _cached(recalculated, evaluation, "rate") == ""
    assert total == pytest.approx(evaluation.scores.reported_sum - 3 - evaluation.scores.budget_score, abs=1e-9)
    said = {f.cell: f.message() for f in evaluation.findings if f.code == "PE116"}
    assert "表中执行率为 空白，应为 97.24%" in said[evaluation.extraction.fields["budget"].ref.a1]
    assert f"表中总分为 {round(total, 4):g}，" in said[evaluation.scores.indicators[0].row.ref("score").a1]


def test_an_edited_rate_formula_is_said_once_recalculated(tmp_path, make_book):
    """PE224 rests on what a spreadsheet shows: LibreOffice recalculates a book whose 执行率 formula a unit edited
    (90 % of 执行数); the rate is said at its cell, and the 预算执行 score and the total it feeds are not said again."""
    source = make_book(clean_data())
    fields = check_path(source).extraction.fields
    book = load_workbook(source)
    sheet = book[fields["rate"].ref.sheet]
    sheet[fields["rate"].ref.a1] = f"={fields['executed'].ref.a1}/{fields['budget'].ref.a1}*0.9"
    book.save(source)
    evaluation = check_path(recalculate(source, tmp_path))
    said = [(f.code, f.cell, f.message()) for f in evaluation.findings]
    assert said == [("PE224", fields["rate"].ref.a1, said[0][2])]
    assert "显示 87.52%，应为 97.24%" in said[0][2]


def test_an_edited_rate_of_amounts_is_said_once_recalculated(tmp_path, make_book):
    """广州 支出规模's 完成率 of 市本级支出, its formula edited to 90 % of 执行数: LibreOffice prints 86.57 %, said at
    its cell; the other 完成率 and the scores are as the template computes them."""
    source = make_book(CLEAN["guangzhou"]())
    fields = check_path(source).extraction.fields
    book = load_workbook(source)
    rate = fields["rate_city"].ref
    book[rate.sheet][rate.a1] = f"={fields['executed_city'].ref.a1}/{fields['budget_city'].ref.a1}*0.9"
    book.save(source)
    evaluation = check_path(recalculate(source, tmp_path))
    said = [(f.code, f.cell, f.message()) for f in evaluation.findings if f.code == "PE224"]
    assert said == [("PE224", rate.a1, said[0][2])]
    assert "显示 86.57%，应为 96.19%" in said[0][2]


def test_an_edited_grade_formula_is_said_once_recalculated(tmp_path, make_book):
    """优 from 95 in the unit's 评价等次 formula: LibreOffice grades the total of 91.938 良, said at the grade."""
    source = make_book(clean_data())
    fields = check_path(source).extraction.fields
    book = load_workbook(source)
    total = fields["total"].ref.a1
    book[fields["grade"].ref.sheet][fields["grade"].ref.a1] = f'=IF({total}>=95,"优",IF({total}>=80,"良","中"))'
    book.save(source)
    evaluation = check_path(recalculate(source, tmp_path))
    said = [(f.code, f.cell, f.value, f.expected) for f in evaluation.findings]
    assert said == [("PE224", fields["grade"].ref.a1, "良", "优")]


@pytest.mark.parametrize("variant", ["seed", "rates-out-of-range"])
def test_guangzhou_formulas_agree_with_python(tmp_path, make_book, variant):
    """支出规模 完成率, the rates of the rated indicators, 总分 and 等次: Excel's numbers are the scorer's."""
    if variant == "seed":
        source = GUANGZHOU
    else:
        change = {"fields": {"carryover": 9000, "public_actual": 7000.5, "income_final": 25000}}
        source = make_book(guangzhou_clean_data(), change)
    evaluation = check_path(source)
    recalculated = recalculate(
        annotate_file(source, build_plan(evaluation), tmp_path / "annotated.xlsx").path, tmp_path
    )
    for key, rate in evaluation.scores.ratios.items():
        assert _cached(recalculated, evaluation, key) == pytest.approx(rate, abs=1e-12), key
    sheet = CalamineWorkbook.from_path(str(recalculated)).get_sheet_by_name("自评表").to_python(skip_empty_area=False)
    for indicator in (i for i in evaluation.scores.indicators if i.basis == "rated"):
        ref = indicator.row.ref("actual")
        printed = round_half_up(indicator.rate, evaluation.definition.rate_decimals)
        assert sheet[ref.row][ref.col] == pytest.approx(printed, abs=1e-12), indicator.name
    s = evaluation.scores
    assert _cached(recalculated, evaluation, "total") == pytest.approx(s.reported_total, abs=1e-9)
    assert _cached(recalculated, evaluation, "grade") == grade_for(s.reported_total, evaluation.definition.grades)
    assert _cached(recalculated, evaluation, "checked_total") == pytest.approx(s.total, abs=0.05)


RULES = {
    "proportional": RateRule(),
    "linear": RateRule("linear", floor=0.6),
    "deviation": RateRule("deviation"),
    "ceiling": RateRule("ceiling", limit=0.8),
    "bands-from": RateRule("bands", bands=(Band(0.95, 1.0, at_least=True), Band(0.85, 0.6, at_least=True))),
    "bands-up-to": RateRule("bands", bands=(Band(0.5, 1.0), Band(0.9, 0.25))),
    "deduction": RateRule("deduction", limit=0.8, per_point=0.5),
}


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES)
def test_every_rule_of_the_budget_score_computes_in_the_template_as_in_python(tmp_path, rule):
    """Whatever rule a form scores its execution rate by, the template's live formula gives the scorer's points
    (执行率 86.11 %: 3014.42 of 3500.55), as LibreOffice computes it and as the file holds it unopened."""
    hubei = load_form("hubei")
    form = replace(hubei, budget=replace(hubei.budget, rule=rule))
    path = build_template(form, tmp_path / "rule.xlsx", mutate(clean_data(), {"fields": {"budget": 3500.55}}))
    extraction = extract(read_workbook(path), form)
    points = evaluate_extractions([extraction])[0].scores.budget_score
    ref = extraction.fields["budget_score"].ref
    for book in (path, recalculate(path, tmp_path)):
        sheet = CalamineWorkbook.from_path(str(book)).get_sheet_by_name(ref.sheet).to_python(skip_empty_area=False)
        assert sheet[ref.row][ref.col] == pytest.approx(points, abs=1e-9), book.name


def test_hebei_execution_rates_agree_with_python(tmp_path):
    evaluation = check_path(HEBEI)
    recalculated = recalculate(annotate_file(HEBEI, build_plan(evaluation), tmp_path / "annotated.xlsx").path, tmp_path)
    assert set(evaluation.scores.ratios) == {"rate_income", "rate_spending"}  # the blank columns have no rate
    for key, rate in evaluation.scores.ratios.items():
        assert _cached(recalculated, evaluation, key) == pytest.approx(rate, abs=1e-12), key
    assert _cached(recalculated, evaluation, "rate_project") == ""


def test_hunan_formulas_across_sheets_agree_with_python(tmp_path, make_book):
    """控制率 on the 基础数据表, 执行率, 预算执行得分 and 总分 on the 自评表 (the 总分 formula sums the grid and the
    budget score across the sheet's own cells; multi-sheet formulas name their sheet)."""
    source = make_book(CLEAN["hunan"](), {"fields": {"executed": 250.0, "by_spending": 250.0, "project": 142.36}})
    evaluation = check_path(source)
    recalculated = recalculate(
        annotate_file(source, build_plan(evaluation), tmp_path / "annotated.xlsx").path, tmp_path
    )
    s = evaluation.scores
    assert _cached(recalculated, evaluation, "control_rate") == pytest.approx(s.ratios["control_rate"], abs=1e-12)
    assert _cached(recalculated, evaluation, "rate") == pytest.approx(s.rate, abs=1e-12)
    assert _cached(recalculated, evaluation, "budget_score") == pytest.approx(s.budget_score, abs=1e-9)
    assert s.budget_score == pytest.approx(10 * round_half_up(250 / 266.32, 4))
    assert _cached(recalculated, evaluation, "total") == pytest.approx(s.reported_total, abs=1e-9)


def test_a_units_own_formulas_are_read_once_a_spreadsheet_has_calculated_them(tmp_path, example_copy):
    """A unit computes 执行数 and a self-score with formulas in its own layout. Written by a library (which asks for
    a full recalculation on load), the cached values are not there to read: the cells count as empty, as before.
    Saved by a spreadsheet (here LibreOffice), or open in Excel under the button, the results are read as the unit
    sees them; they were taken as empty, two false PE101 errors and a computed total of 70 instead of 93. The
    template's own formulas (执行率, 总分) are still never read as typed."""
    source = example_copy(XIANGYANG_OFFICIAL)
    evaluation = check_path(source)
    executed, score = evaluation.extraction.fields["executed"], evaluation.extraction.tables["indicators"].rows[0]
    book = load_workbook(source)
    book[executed.ref.sheet][executed.ref.a1] = f"={executed.raw}+0"
    book[executed.ref.sheet][score.ref("score").a1] = f"={score.raw('score')}+0"
    book.save(source)
    unsaved = check_path(source)
    assert {(f.code, f.cell) for f in unsaved.findings if f.code == "PE101"} == {
        ("PE101", executed.ref.a1),
        ("PE101", score.ref("score").a1),
    }
    recalculated = recalculate(source, tmp_path)
    saved = check_path(recalculated)
    in_excel = check_grid(excel.read_book(FakeBook.from_file(recalculated)))  # the button: Excel's live results
    for outcome in (saved, in_excel):
        assert [(f.code, f.cell) for f in outcome.findings] == [(f.code, f.cell) for f in evaluation.findings]
        assert (outcome.scores.total, outcome.scores.rate) == (evaluation.scores.total, evaluation.scores.rate)


def _with_own_formula(source, field):
    """``source`` with the unit's ``field`` typed as a formula giving the same value (执行数 = 基本支出 + 项目支出)."""
    ref = check_path(source).extraction.fields[field]
    book = load_workbook(source)
    book[ref.ref.sheet][ref.ref.a1] = f"={ref.raw}+0"
    book.save(source)


@pytest.mark.parametrize("example", [XIANGYANG_OFFICIAL, XIANGYANG], ids=["published", "template"])
def test_annotating_in_place_twice_reads_the_units_formulas_the_same_each_time(tmp_path, example_copy, example):
    """openpyxl saves formulas without their results: a second --in-place run read the unit's 执行数 formula as
    empty (a false PE101, and 预算执行 scored as unspent). The copy now carries the spreadsheet's results, and the
    third reading equals the first."""
    source = example_copy(example)
    _with_own_formula(source, "executed")
    calculated = recalculate(source, tmp_path)
    first = check_path(calculated)
    for _ in range(2):
        annotate_file(calculated, build_plan(check_path(calculated)), calculated)
        again = check_path(calculated)
        assert [(f.code, f.cell) for f in again.findings] == [(f.code, f.cell) for f in first.findings]
        assert (again.scores.total, again.scores.rate) == (first.scores.total, first.scores.rate)


def test_a_formula_reading_a_written_score_is_left_for_the_spreadsheet_to_compute(tmp_path, example_copy):
    """The template's 复核总分 sums the 计算得分 column the copy writes: its old result would be stale, so it is not
    carried over. The copy still asks for a full recalculation on load, and a hidden name tells our reader that
    the results it carries are a spreadsheet's. LibreOffice computes 复核总分 on opening."""
    source = example_copy(XIANGYANG)
    _with_own_formula(source, "executed")
    calculated = recalculate(source, tmp_path)
    evaluation = check_path(calculated)
    copy = annotate_file(calculated, build_plan(evaluation), tmp_path / "copy.xlsx").path
    assert _cached(copy, evaluation, "executed") == evaluation.extraction.fields["executed"].typed
    assert _cached(copy, evaluation, "total") == pytest.approx(evaluation.scores.reported_total)
    assert _cached(copy, evaluation, "checked_total") == ""
    opened = load_workbook(copy)
    assert opened.calculation.fullCalcOnLoad and RESULTS_CARRIED in opened.defined_names
    assert _cached(recalculate(copy, tmp_path / "again"), evaluation, "checked_total") == pytest.approx(
        evaluation.scores.total, abs=0.05
    )


def test_a_workbook_no_spreadsheet_calculated_still_asks_for_a_full_recalculation(tmp_path, make_book):
    """Written by a library (results missing or 0), nothing is carried over, and nothing says it was."""
    source = make_book(clean_data())
    copy = annotate_file(source, build_plan(check_path(source)), tmp_path / "copy.xlsx").path
    assert RESULTS_CARRIED not in load_workbook(copy).defined_names
    assert check_path(copy).extraction.sheet.calculated is False


@pytest.mark.parametrize("form", ["hubei", "guangzhou"])
def test_a_template_just_opened_shows_no_grade(tmp_path, form):
    """Opened before anything is typed, the template's 评价等次 showed 差; like the scorer, it now grades nothing."""
    source = build_template(load_form(form), tmp_path / f"{form}.xlsx")
    evaluation = check_path(source)
    recalculated = recalculate(source, tmp_path)
    assert (_cached(recalculated, evaluation, "grade"), evaluation.scores.grade) == ("", None)


def _formula_results(path):
    """Every formula cell's result as the file holds it (calamine reads cached results), by sheet and cell."""
    book = load_workbook(path)
    cached = CalamineWorkbook.from_path(str(path))
    results = {}
    for ws in book.worksheets:
        values = cached.get_sheet_by_name(ws.title).to_python(skip_empty_area=False)
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    results[(ws.title, cell.coordinate)] = values[cell.row - 1][cell.column - 1]
    return results


@pytest.mark.parametrize("built", ["example", "blank"])
@pytest.mark.parametrize("form", sorted(CLEAN))
def test_formula_results_are_written_as_a_spreadsheet_computes_them(tmp_path, form, built):
    """A viewer that shows the results a file holds without calculating (LibreOffice as installed, the previews of
    mail and chat programs) showed 执行率 0.00%, 得分 0 and 评价等次 0 in every template and example: XlsxWriter writes
    0 for each formula. The results written are those a spreadsheet computes."""
    data = CLEAN[form]() if built == "example" else None
    path = build_template(load_form(form), tmp_path / f"{form}.xlsx", data)
    written = _formula_results(path)
    assert written or form == "yueyang"  # 岳阳's form computes nothing
    computed = _formula_results(recalculate(path, tmp_path))
    assert written.keys() == computed.keys()
    for at, value in computed.items():
        assert written[at] == (pytest.approx(value, abs=1e-9) if isinstance(value, float) else value), at


def test_the_self_score_warning_says_what_pe204_and_pe103_say(tmp_path):
    """The warning each 自评得分 cell gives as it is typed (see test_template) holds exactly where the check finds no
    score above its weight (PE204) and no negative score (PE103), on the rounding the check allows; recalculated by
    LibreOffice from the template's own validation formulas."""
    import re

    path = build_template(load_form("hubei"), tmp_path / "hubei.xlsx", clean_data())
    book = load_workbook(path)
    sheet = book["自评表"]
    rules = {
        cell: v.formula1
        for v in sheet.data_validations.dataValidation
        if v.errorTitle == "自评得分"
        for cell in str(v.sqref).split()
    }
    table = check_path(path).extraction.tables["indicators"]
    cases = [(3, 2), (2, 2), (1.5, 2), (-1, 2), (0, 2), (2.01, 2), (2.004, 2), (5, None)]
    rows = table.rows[: len(cases)]
    scratch = book.create_sheet("试算")
    for n, (row, (score, weight)) in enumerate(zip(rows, cases, strict=True), start=1):
        sheet[row.ref("score").a1], sheet[row.ref("weight").a1] = score, weight
        formula = re.sub(r"\b([A-Z]{1,3}\d+)\b", r"'自评表'!\1", rules[row.ref("score").a1])
        scratch[f"A{n}"] = f"={formula}"
    book.save(path)
    said = {(f.cell, f.code) for f in check_path(path).findings if f.code in ("PE204", "PE103")}
    values = load_workbook(recalculate(path, tmp_path), data_only=True)["试算"]
    warns = [values[f"A{n}"].value is False for n in range(1, len(cases) + 1)]
    checked = [any((row.ref("score").a1, code) in said for code in ("PE204", "PE103")) for row in rows]
    assert warns == checked == [True, False, False, True, False, True, True, False]


def _live(row, key, delta):
    return {key: row[key] + delta}


def _tinted(path, tmp_path) -> set[tuple[str, str]]:
    """The cells the workbook's conditional formats tint, as LibreOffice computes them: each rule's formula is put in a
    cell of its own, far to the right, and recalculated; a true one tints the first cell of its range."""
    book = load_workbook(path)
    scratch = []
    for sheet in book.worksheets:
        for rng in sheet.conditional_formatting:
            for rule in rng.rules:
                cell = sheet.cell(len(scratch) + 1, 200, f"={rule.formula[0]}")
                scratch.append((sheet.title, str(rng.sqref).split()[0].split(":")[0], cell.row - 1))
    book.save(tmp_path / "scratch.xlsx")
    recalculated = CalamineWorkbook.from_path(str(recalculate(tmp_path / "scratch.xlsx", tmp_path)))
    sheets = {title: recalculated.get_sheet_by_name(title).to_python(skip_empty_area=False) for title, _, _ in scratch}
    return {(title, first) for title, first, row in scratch if sheets[title][row][199] is True}


LIVE = ("PE204", "PE103", "PE205", "PE301")


@pytest.mark.parametrize("explained", [True, False], ids=["explained", "unexplained"])
@pytest.mark.parametrize("form", ["hubei", "guangzhou", "hunan"])
def test_the_live_tints_find_what_the_checks_find(tmp_path, make_book, form, explained):
    """The template's conditional formats, computed by a spreadsheet, tint the cells the checks would report: a
    section whose weights do not add up (PE205, on its first 分值; not while one of them is missing, as the check
    waits for them all), a self-score above its weight (PE204) or below 0 (PE103), and a shortfall left unexplained
    (PE301: a score below its weight, in the row's own cell where the form explains each row, else in 偏差原因分析)."""
    definition = load_form(form)
    data = CLEAN[form]()
    rows = data["tables"][definition.indicators.table]
    sections = list(dict.fromkeys(row["section"] for row in rows))
    first = {name: next(i for i, row in enumerate(rows) if row["section"] == name) for name in sections}
    off, missing = first[sections[0]], first[sections[1]]
    changed = {
        off: _live(rows[off], "weight", 1),  # PE205 in the first section
        off + 1: _live(rows[off + 1], "score", rows[off + 1]["weight"] - rows[off + 1]["score"] + 1),  # PE204
        off + 2: {"score": -1},  # PE103
        missing: {"weight": None},  # the second section's weights wait for this one
        missing + 1: _live(rows[missing + 1], "weight", 1),
    }
    column = definition.indicators.explanation_column
    if column is not None:
        for values in changed.values():
            values[column] = "年中调整了任务" if explained else None
    if len(sections) > 2 and (last := [row for row in rows if row["section"] == sections[2]]):
        # a right subtotal a unit typed under the third section's rows: no indicator, its weight not counted twice
        total = {key: sum(row[key] for row in last) for key in ("weight", "score")}
        rows.append({"section": sections[2], "name": f"{sections[2]}小计", **total})
    fields = {} if explained or definition.explanation is None else {definition.explanation: None}
    path = make_book(data, {"rows": changed, "fields": fields})
    evaluation = check_path(path)
    codes = {f.code for f in evaluation.findings}
    assert codes >= {"PE204", "PE103", "PE205"} and ("PE301" in codes) is not explained
    assert _tinted(path, tmp_path) == {(f.sheet, f.cell) for f in evaluation.findings if f.code in LIVE}


@pytest.mark.parametrize(("executed", "explained"), [(200, False), (200, True), (258.13, False)])
def test_a_low_execution_rate_left_unexplained_is_tinted_live(tmp_path, make_book, executed, explained):
    """香河: an execution rate below 90 % with 偏差原因分析 left empty is PE301, tinted as the amounts are typed."""
    data = CLEAN["hebei"]()
    change = {"fields": {"final_spending": executed, "final_basic": executed - 12, "deviation": None}}
    if explained:
        change["fields"]["deviation"] = "年中压减了支出"
    path = make_book(data, change)
    said = {(f.sheet, f.cell) for f in check_path(path).findings if f.code in LIVE}
    assert bool(said) is (executed == 200 and not explained)
    assert _tinted(path, tmp_path) == said


def _rows_added_at_both_ends(path):
    """``path`` with an indicator inserted as a unit inserts one in Excel: at the table's first row (its 一级指标 typed,
    the section's merged cell having moved down) and right above 总分 (under the last section, its cell blank), each
    scored 1. A SUM over the table's rows leaves both out: Excel widens a range for a row inserted inside it only."""
    evaluation = check_path(path)
    table = evaluation.extraction.tables[evaluation.definition.indicators.table]
    first, total = table.rows[0].ref("score"), evaluation.extraction.fields[evaluation.definition.total].ref
    section = table.rows[0].raw("level1")
    book = load_workbook(path)
    sheet = book[total.sheet]
    for row, level1 in ((total.row + 1, None), (first.row + 1, section)):
        insert_indicator(sheet, row, table.columns, {"level1": level1, "name": "新增指标", "score": 1})
    book.save(path)
    return path


@pytest.mark.parametrize("form", ["hubei", "guangzhou", "hunan"])
def test_the_templates_totals_read_an_indicator_inserted_at_either_end_of_the_table(tmp_path, make_book, form):
    """A unit short of rows inserts one under the last indicator, or above the first: the template's 总分, 复核总分 and
    评价等次 still read every row, as LibreOffice computes them, and PE223 has nothing to say."""
    source = _rows_added_at_both_ends(make_book(CLEAN[form]()))
    evaluation = check_path(source)
    s = evaluation.scores
    assert "PE223" not in {f.code for f in evaluation.findings}
    assert sum(1 for i in s.indicators if i.name == "新增指标") == 2
    recalculated = recalculate(
        annotate_file(source, build_plan(evaluation), tmp_path / "annotated.xlsx").path, tmp_path
    )
    assert _cached(recalculated, evaluation, "total") == pytest.approx(s.reported_sum, abs=1e-9)
    if "checked_total" in evaluation.extraction.fields:  # the written 计算得分 (the form's 2 decimals) and 预算执行,
        # each section at most its points: the check's 计算总分 (the inserted 满意度 row takes 湖北's over its 10)
        assert _cached(recalculated, evaluation, "checked_total") == pytest.approx(s.total, abs=0.05)
    if "grade" in evaluation.extraction.fields:
        assert _cached(recalculated, evaluation, "grade") == grade_for(s.reported_sum, evaluation.definition.grades)


@pytest.mark.parametrize("under", ["first section", "last section"])
@pytest.mark.parametrize("form", ["hubei", "guangzhou", "hunan"])
def test_the_live_tints_read_an_indicator_inserted_under_a_sections_last_row(tmp_path, make_book, form, under):
    """A unit inserts an indicator under a section's last row (above the next section, or above 总分), weighted 1 and
    scored 0: the section's weights no longer add up (PE205) and, where the form explains once, a score below its
    weight wants 偏差原因分析 (PE301). Excel leaves the tints' ranges of the section's rows as they were; the tints,
    computed by a spreadsheet, still say what the checks say."""
    definition = load_form(form)
    data = CLEAN[form]()
    rows = data["tables"][definition.indicators.table]
    full = {i: {"score": row["weight"], "actual": row.get("target")} for i, row in enumerate(rows)}  # targets met
    fields = {} if definition.explanation is None else {definition.explanation: None}
    path = make_book(data, {"rows": full, "fields": fields})  # nothing to explain but the inserted row
    evaluation = check_path(path)
    assert not [f for f in evaluation.findings if f.code in LIVE]
    table = evaluation.extraction.tables[definition.indicators.table]
    second = next(r for r in table.rows if r.raw("level1") and r.raw("level1") != table.rows[0].raw("level1"))
    row = (second.ref("score") if under == "first section" else evaluation.extraction.fields["total"].ref).row + 1
    typed = {"name": "新增指标", "weight": 1, "score": 0}
    if definition.indicators.explanation_column is not None:  # explained on its own row, as the form asks
        typed[definition.indicators.explanation_column] = "年中新增的任务，未完成"
    book = load_workbook(path)
    insert_indicator(book[second.ref("score").sheet], row, table.columns, typed)
    book.save(path)
    evaluation = check_path(path)
    said = {(f.sheet, f.cell) for f in evaluation.findings if f.code in LIVE}
    assert "PE205" in {f.code for f in evaluation.findings}
    assert ("PE301" in {f.code for f in evaluation.findings}) is (definition.explanation is not None)
    assert _tinted(path, tmp_path) == said


@pytest.mark.parametrize("form", ["hubei", "guangzhou"])
def test_the_checked_total_reads_on_when_a_sections_first_indicator_is_deleted(tmp_path, make_book, form):
    """A unit deletes an indicator it has no use for, the first of a section (Excel keeps the merged 一级指标 label in
    the rows left). 复核总分 bounds each section by the next one's rows: it still sums every section, each at most its
    points, as LibreOffice computes it once the copy has written 计算得分 (naming the next section's first row, it
    read #REF!)."""
    path = make_book(CLEAN[form]())
    evaluation = check_path(path)
    table = evaluation.extraction.tables[evaluation.definition.indicators.table]
    second = next(r for r in table.rows if r.raw("level1") and r.raw("level1") != table.rows[0].raw("level1"))
    row, col = second.ref("level1").row + 1, second.ref("level1").col + 1
    book = load_workbook(path)
    sheet = book[second.ref("level1").sheet]
    label = sheet.cell(row, col).value
    delete_row(sheet, row)
    sheet.cell(row, col).value = label
    book.save(path)
    evaluation = check_path(path)
    s = evaluation.scores
    assert len(s.indicators) == len(table.rows) - 1
    recalculated = recalculate(annotate_file(path, build_plan(evaluation), tmp_path / "annotated.xlsx").path, tmp_path)
    assert _cached(recalculated, evaluation, "checked_total") == pytest.approx(s.total, abs=0.05)


def test_an_older_templates_checked_total_reads_an_inserted_row_in_the_copy(tmp_path, make_book):
    """复核总分 of an older template, rewritten in the copy to read a row inserted under the indicators: LibreOffice's
    result is the check's 计算总分, the 预算执行 score and the written 计算得分 (the inserted row's among them) section by
    section, each at most its points."""
    source = row_added_under_old_sums(make_book)
    evaluation = check_path(source)
    s = evaluation.scores
    recalculated = recalculate(
        annotate_file(source, build_plan(evaluation), tmp_path / "annotated.xlsx").path, tmp_path
    )
    assert _cached(recalculated, evaluation, "checked_total") == pytest.approx(s.total, abs=0.05)
    assert any(i.name == "新增的满意度指标" and i.computed for i in s.indicators)
