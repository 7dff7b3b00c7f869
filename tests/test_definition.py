"""Form definitions load, drive everything, and a broken one is refused with the path of the bad key."""

import copy
from importlib import resources

import pytest
import yaml

from perfeval_xl.definition import DefinitionError, all_forms, load_form, parse_definition


def _raw(form: str) -> dict:
    return yaml.safe_load((resources.files("perfeval_xl") / "forms" / f"{form}.yaml").read_text(encoding="utf-8"))


@pytest.fixture
def raw():
    return _raw("hubei")


def test_bundled_forms_load():
    assert [f.id for f in all_forms()] == ["guangzhou", "hebei", "hubei", "hunan", "yueyang"]
    hubei = load_form("hubei")
    assert hubei.total_weight == 100
    assert [(s.name, s.weight) for s in hubei.indicators.sections] == [
        ("产出指标", 40),
        ("效益指标", 30),
        ("满意度指标", 10),
    ]
    assert hubei.budget.weight == 20


BANDS = "scoring.budget_execution.bands"
HUBEI_BREAKS = [
    (lambda d: d["blocks"][1]["fields"]["budget"].update(type="money"), "blocks[1].fields.budget.type"),
    (lambda d: d["blocks"][1]["fields"]["budget"].update(colour="red"), "blocks[1].fields.budget.colour"),
    (lambda d: d.pop("sheet"), "sheet"),
    (
        lambda d: d["blocks"][3]["table"]["columns"]["direction"].update(hint="说" * 256),
        "blocks[3].table.columns.direction.hint",
    ),
    (lambda d: d["blocks"][3]["table"]["columns"]["name"].update(hint="三级指标"), "blocks[3].table.columns.name.hint"),
    (lambda d: d["scoring"]["budget_execution"].update(budget="nothing"), "scoring.budget_execution.budget"),
    (lambda d: d["scoring"]["indicators"]["sections"][0].update(weight=45), "scoring"),
    (lambda d: d["scoring"]["indicators"]["tiers"][0].update(low=1.5), "scoring.indicators.tiers[0]"),
    (lambda d: d["checks"]["PE303"].update(severity="fatal"), "checks.PE303.severity"),
    (lambda d: d["scoring"]["sums"][0].update(part=["basic_total"]), "scoring.sums[0].part"),
    (lambda d: d["scoring"]["sums"].append("executed"), "scoring.sums[1]"),
    (lambda d: d["scoring"]["sums"][0].update(parts="basic_total"), "scoring.sums[0].parts"),
    (lambda d: d.update(colour="red"), "(root).colour"),
    (lambda d: d["sheet"].update(landscape=True), "sheet.landscape"),
    (lambda d: d["scoring"].update(bonus=5), "scoring.bonus"),
    (lambda d: d["scoring"]["budget_execution"].update(cap=1), "scoring.budget_execution.cap"),
    (lambda d: d["scoring"]["indicators"].update(tier=[]), "scoring.indicators.tier"),
    (lambda d: d["scoring"]["indicators"]["tiers"][0].update(hi=1), "scoring.indicators.tiers[0].hi"),
    (lambda d: d["scoring"]["indicators"]["tiers"].append(0.5), "scoring.indicators.tiers[3]"),
    (lambda d: d["grades"][0].update(max=100), "grades[0].max"),
    (lambda d: d["checks"]["PE303"].update(severty="error"), "checks.PE303.severty"),
    (lambda d: d["checks"].update(PE3O3={"enabled": False}), "checks.PE3O3"),
    (lambda d: d["checks"]["PE303"].update(message="执行数 {executed} 超过预算数"), "checks.PE303.message"),
    (lambda d: d["checks"]["PE303"].update(message="执行数 {value 超过预算数"), "checks.PE303.message"),
    (lambda d: d["checks"]["PE303"].update(message={"fr": "dépassé"}), "checks.PE303.message.fr"),
    (lambda d: d["checks"]["PE303"].update(message={"zh": 303}), "checks.PE303.message.zh"),
    (lambda d: d.update(rounding={"scores": 1}), "rounding.scores"),
    (lambda d: d.update(other_forms=[]), "other_forms"),
    (lambda d: d["blocks"][3]["table"].update(stops=["合计"]), "blocks[3].table.stops"),
    (lambda d: d["scoring"]["budget_execution"].update(weight="twenty"), "scoring.budget_execution.weight"),
    (lambda d: _budget(d).update(rule="bands"), "scoring.budget_execution.bands"),
    (lambda d: _budget(d).update(bands=[{"up_to": 0, "share": 1}]), "scoring.budget_execution.bands"),
    (lambda d: _budget(d).update(rule="bands", bands=[]), "scoring.budget_execution.bands"),
    (lambda d: _budget(d).update(rule="bands", bands=[{"up_to": 0.1, "share": 1.5}]), f"{BANDS}[0].share"),
    (lambda d: _budget(d).update(rule="bands", bands=[{"up_to": 0.1, "from": 0, "share": 1}]), f"{BANDS}[0]"),
    (lambda d: _budget(d).update(rule="bands", bands=[{"up_to": 0.1, "points": 1}]), f"{BANDS}[0].points"),
    (
        lambda d: _budget(d).update(rule="bands", bands=[{"from": 0.9, "share": 0.8}, {"from": 0.95, "share": 1}]),
        "scoring.budget_execution.bands[1]",
    ),
    (
        lambda d: _budget(d).update(rule="bands", bands=[{"up_to": 0.1, "share": 1}, {"from": 0.9, "share": 0.5}]),
        "scoring.budget_execution.bands[1]",
    ),
    (lambda d: _budget(d).update(rule="deduction"), "scoring.budget_execution.per_point"),
    (lambda d: _budget(d).update(rule="deduction", per_point=0), "scoring.budget_execution.per_point"),
    (lambda d: _budget(d).update(per_point=0.5), "scoring.budget_execution.per_point"),
]


def _budget(d):
    return d["scoring"]["budget_execution"]


def _rated(d):
    return d["scoring"]["indicators"]["rated"]


def _columns(d):
    return d["blocks"][3]["table"]["columns"]


GUANGZHOU_BREAKS = [
    (lambda d: d["blocks"][1]["matrix"]["sums"][0].update(total="county"), "blocks[1].matrix.sums[0]"),
    (lambda d: d["blocks"][1]["matrix"]["sums"][0].update(partial=True), "blocks[1].matrix.sums[0].partial"),
    (
        lambda d: d["blocks"][1]["matrix"]["rows"]["rate"].update(ratio=["executed"]),
        "blocks[1].matrix.rows.rate.ratio",
    ),
    (
        lambda d: d["blocks"][1]["matrix"]["columns"]["fiscal"].update(colour="red"),
        "blocks[1].matrix.columns.fiscal",
    ),
    (lambda d: _columns(d)["weight"].update(after="score"), "blocks[3].table.columns.weight.after"),
    (lambda d: d["blocks"][3]["table"]["presets"][0].update(grade="优"), "blocks[3].table.presets[0].grade"),
    (lambda d: d["blocks"][4]["fields"]["total"].update(under="points"), "fields.total.under"),
    (lambda d: _rated(d)[0].update(rule="log"), "scoring.indicators.rated[0].rule"),
    (lambda d: _rated(d)[0].update(numerator=["income"]), "scoring.indicators.rated[0].numerator"),
    (lambda d: _rated(d)[0].update(rule="deduction", per_point=-1), "scoring.indicators.rated[0].per_point"),
    (
        lambda d: d["scoring"]["indicators"]["sections"][2]["bonus"].update(min=1),
        "scoring.indicators.sections[2].bonus",
    ),
    (
        lambda d: d["scoring"]["indicators"].update(explanation_column="why"),
        "scoring.indicators.explanation_column",
    ),
]


def _allocation(d):
    return d["scoring"]["allocations"][0]


HEBEI_BREAKS = [
    (lambda d: _allocation(d).update(column="cost"), "scoring.allocations[0]"),
    (lambda d: _allocation(d).update(within=["project"]), "scoring.allocations[0].within"),
    (lambda d: d["scoring"]["headline"].update(explain_below="九成"), "scoring.headline.explain_below"),
    (lambda d: d["report"].update(appendix=["unit"]), "report.appendix"),
    (lambda d: d["scoring"]["citations"][0].update(pattern="编制(\\d+)(名)"), "scoring.citations[0].pattern"),
    (lambda d: d["scoring"]["citations"][0].update(pattern="编制(\\d+"), "scoring.citations[0].pattern"),
    (lambda d: d["scoring"]["citations"][0].update(field="headcount"), "scoring.citations[0].field"),
    (lambda d: d["report"].update(summary=["abstract"]), "report.summary"),
    (lambda d: d["blocks"][3]["table"]["columns"]["name"].update(span=0), "blocks[3].table.columns.name.span"),
    (
        lambda d: d["scoring"].update(
            budget_execution={"weight": 10, "budget": "budget_spending", "executed": "final_spending", "rule": "linear"}
        ),
        "grades",
    ),
]


YUEYANG_BREAKS = [
    (lambda d: d["scoring"]["prior_year"][0].update(last="spending.surplus"), "scoring.prior_year[0].last"),
    (lambda d: d["scoring"]["prior_year"][0].update(last="total"), "scoring.prior_year[0].last"),  # a field to a column
    (lambda d: d["scoring"]["prior_year"][0].update(this="carryover"), "scoring.prior_year[0].this"),
]


@pytest.mark.parametrize(
    ("form", "change", "path"),
    [("hubei", *case) for case in HUBEI_BREAKS]
    + [("guangzhou", *case) for case in GUANGZHOU_BREAKS]
    + [("hebei", *case) for case in HEBEI_BREAKS]
    + [("yueyang", *case) for case in YUEYANG_BREAKS],
)
def test_bad_definition_names_the_key(form, change, path):
    broken = _raw(form)
    change(broken)
    with pytest.raises(DefinitionError) as error:
        parse_definition(broken, f"{form}.yaml")
    assert f"{form}.yaml: {path}" in str(error.value)


def test_a_form_scores_its_budget_execution_by_the_bands_it_states(raw, tmp_path):
    """A province that scores 执行率 by bands (≥95 % full, ≥85 % 60 %…) says so in its definition, no code: 襄阳's
    figures with a budget of 3500.55 (执行率 86.11 %) earn 60 % of the 20 points."""
    from perfeval_xl.definition import Band, RateRule
    from perfeval_xl.engine import evaluate_extractions
    from perfeval_xl.locate import extract
    from perfeval_xl.reader import read_workbook
    from perfeval_xl.template import build_template

    from .conftest import clean_data, mutate

    raw["scoring"]["budget_execution"].update(
        rule="bands", bands=[{"from": 0.95, "share": 1}, {"from": 0.85, "share": 0.6}, {"from": 0.6, "share": 0.2}]
    )
    form = parse_definition(raw, "hubei.yaml")
    assert form.budget.rule == RateRule(
        "bands", bands=(Band(0.95, 1.0, at_least=True), Band(0.85, 0.6, at_least=True), Band(0.6, 0.2, at_least=True))
    )
    path = build_template(form, tmp_path / "bands.xlsx", mutate(clean_data(), {"fields": {"budget": 3500.55}}))
    scores = evaluate_extractions([extract(read_workbook(path), form)])[0].scores
    assert (round(scores.rate, 4), scores.budget_score) == (0.8611, 12)


def test_guangzhou_weights_close_at_every_level():
    form = load_form("guangzhou")
    assert form.total_weight == 100
    presets = form.tables["indicators"].presets
    level2 = {}
    for preset in presets:
        level2.setdefault(preset["level2"], [preset["level2_weight"], 0])[1] += preset["weight"]
    assert all(weight == total for weight, total in level2.values()), level2
    assert sum(p["weight"] for p in presets if p["level1"] == "管理效能") == 45


def test_unknown_form_is_a_clear_error():
    with pytest.raises(DefinitionError, match="未知表式 'beijing'"):
        load_form("beijing")


def test_amount_unit_must_be_a_money_unit(raw):
    broken = copy.deepcopy(raw)
    broken["blocks"][1]["fields"]["budget"]["unit"] = "美元"
    with pytest.raises(DefinitionError, match=r"blocks\[1\]\.fields\.budget\.unit"):
        parse_definition(broken, "hubei.yaml")


def test_report_form_gives_no_points():
    form = load_form("hebei")
    assert not form.scored
    assert form.total_weight == 0
    assert (form.headline.budget, form.headline.executed, form.headline.explain_below) == (
        "budget_spending",
        "final_spending",
        0.9,
    )


def test_a_bureau_words_a_checks_message_its_own_way():
    """Bureaus adjust the messages of their checks as they switch them on and off (the reporting systems they know
    do): a form's ``checks`` may give a check's message, in Chinese and in English, with the placeholders of the
    catalogue's own (a misspelt one is refused, above)."""
    from dataclasses import replace

    from perfeval_xl.checks import run_checks
    from perfeval_xl.service import check_path

    from .conftest import XIANGYANG

    raw = _raw("hubei")
    raw["checks"]["PE303"]["message"] = (
        "执行数 {value} 万元超过预算数 {expected} 万元，须在“偏差原因分析”中写明超支资金来源"
    )
    raw["checks"]["PE106"] = {"message": {"en": "no weight for '{key}'"}}
    custom = parse_definition(raw, "hubei.yaml")
    evaluation = check_path(XIANGYANG)
    findings = run_checks(replace(evaluation, definition=custom), {})
    over = next(f for f in findings if f.code == "PE303")
    assert over.message() == "执行数 3014.42 万元超过预算数 2634.17 万元，须在“偏差原因分析”中写明超支资金来源"
    assert over.message("en") == "executed 3014.42 exceeds the budget 2634.17 (rate 114.44%)"  # as the catalogue's
    weightless = next(f for f in findings if f.code == "PE106")
    assert weightless.message("en") == "no weight for '2021年项目总个数'"
    assert weightless.message().startswith("“2021年项目总个数”未填分值")
    assert [f.message() for f in evaluation.findings if f.code == "PE303"] != [over.message()]  # the bundled form's
