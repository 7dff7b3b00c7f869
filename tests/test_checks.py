"""Every check has a failing case (tests/check_cases.yaml) and a passing case (the clean fixture)."""

from pathlib import Path

import pytest
import yaml

from perfeval_xl.checks import BY_CODE, CATALOGUE
from perfeval_xl.service import check_path

from .conftest import clean_data, locate

CASES = yaml.safe_load((Path(__file__).parent / "check_cases.yaml").read_text(encoding="utf-8"))


def test_every_catalogue_check_has_a_case():
    assert set(CASES) == set(BY_CODE)


def test_clean_fixture_passes_every_check(make_book):
    evaluation = check_path(make_book(clean_data()))
    assert [(f.code, f.cell, f.message()) for f in evaluation.findings] == []
    assert evaluation.status == "ok"


@pytest.mark.parametrize("code", sorted(CASES))
def test_check_fails_at_its_cell(make_book, code):
    case = CASES[code]
    evaluation = check_path(make_book(clean_data(), case["change"]))
    hits = [f for f in evaluation.findings if f.code == code]
    assert hits, f"{code} did not fire; got {[(f.code, f.cell) for f in evaluation.findings]}"
    assert locate(evaluation, case["at"]) in {f.cell for f in hits}
    finding = hits[0]
    assert finding.severity == BY_CODE[code].severity
    assert finding.message("zh") and finding.message("en")
    assert finding.message("zh") != finding.message("en")


@pytest.mark.parametrize("check", CATALOGUE, ids=lambda c: c.code)
def test_docstring_documents_the_check(check):
    doc = check.__doc__ or ""
    assert "Failing" in doc and "Passing" in doc
    assert check.summary()


def test_arithmetic_findings_carry_numbers(make_book):
    evaluation = check_path(make_book(clean_data(), CASES["PE209"]["change"]))
    finding = next(f for f in evaluation.findings if f.code == "PE209")
    assert finding.value == 5
    assert finding.expected == pytest.approx(3.49)


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
    from perfeval_xl.definition import load_form

    severities = {c.code: c.active_severity for c in active_checks(load_form("hubei"))}
    assert severities["PE303"] == "warning"
    assert severities["PE201"] == "error"
