"""Form definitions load, drive everything, and a broken one is refused with the path of the bad key."""

import copy

import pytest
import yaml

from perfeval_xl.definition import DefinitionError, all_forms, load_form, parse_definition


@pytest.fixture
def raw():
    from importlib import resources

    return yaml.safe_load((resources.files("perfeval_xl") / "forms" / "hubei.yaml").read_text(encoding="utf-8"))


def test_bundled_forms_load():
    assert [f.id for f in all_forms()] == ["guangzhou", "hubei"]
    hubei = load_form("hubei")
    assert hubei.total_weight == 100
    assert [(s.name, s.weight) for s in hubei.indicators.sections] == [
        ("产出指标", 40),
        ("效益指标", 30),
        ("满意度指标", 10),
    ]
    assert hubei.budget.weight == 20


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["blocks"][1]["fields"]["budget"].update(type="money"), "blocks[1].fields.budget.type"),
        (lambda d: d["blocks"][1]["fields"]["budget"].update(colour="red"), "blocks[1].fields.budget.colour"),
        (lambda d: d.pop("sheet"), "sheet"),
        (lambda d: d["scoring"]["budget_execution"].update(budget="nothing"), "scoring.budget_execution.budget"),
        (lambda d: d["scoring"]["indicators"]["sections"][0].update(weight=45), "scoring"),
        (lambda d: d["scoring"]["indicators"]["tiers"][0].update(low=1.5), "scoring.indicators.tiers[0]"),
        (lambda d: d["checks"]["PE303"].update(severity="fatal"), "checks.PE303.severity"),
        (lambda d: d["scoring"]["budget_execution"].update(weight="twenty"), "scoring.budget_execution.weight"),
    ],
)
def test_bad_definition_names_the_key(raw, change, path):
    broken = copy.deepcopy(raw)
    change(broken)
    with pytest.raises(DefinitionError) as error:
        parse_definition(broken, "hubei.yaml")
    assert f"hubei.yaml: {path}" in str(error.value)


def test_unknown_form_is_a_clear_error():
    with pytest.raises(DefinitionError, match="未知表式 'beijing'"):
        load_form("beijing")


def test_amount_unit_must_be_a_money_unit(raw):
    broken = copy.deepcopy(raw)
    broken["blocks"][1]["fields"]["budget"]["unit"] = "美元"
    with pytest.raises(DefinitionError, match=r"blocks\[1\]\.fields\.budget\.unit"):
        parse_definition(broken, "hubei.yaml")
