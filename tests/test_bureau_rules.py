"""A bureau's own settings of the checks (--rules 本局规则.yaml): switched off, made errors, worded its way, for every
form or for one, in check, rules and batch alike, worker processes included."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfeval_xl.batch import run_batch
from perfeval_xl.checks import active_checks
from perfeval_xl.cli import main
from perfeval_xl.definition import DefinitionError, Rules, load_form, use_rules

from .conftest import GUANGZHOU, XIANGYANG

RULES = """\
checks:
  PE106: {enabled: false}          # 指标分值未填: this bureau's units leave 分值 to the form's defaults
  PE303: {severity: error}         # 执行数超过预算数: returned here, not a warning
forms:
  hubei:
    checks:
      PE303: {message: "执行数 {value} 超过预算数 {expected}，请附调整预算的批复"}
"""


@pytest.fixture(autouse=True)
def _forms_as_defined():
    yield
    use_rules(None)


def _rules(tmp_path: Path, text: str = RULES) -> Path:
    path = tmp_path / "本局规则.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_rules_apply_to_every_form_then_to_their_own_form(tmp_path):
    use_rules(Rules.read(_rules(tmp_path)))
    hubei = {c.code: c for c in active_checks(load_form("hubei"))}
    guangzhou = {c.code: c for c in active_checks(load_form("guangzhou"))}
    assert "PE106" not in hubei and "PE106" not in guangzhou
    assert hubei["PE303"].active_severity == guangzhou["PE303"].active_severity == "error"
    assert hubei["PE303"].active_message["zh"].endswith("请附调整预算的批复")
    assert guangzhou["PE303"].active_message["zh"] == guangzhou["PE303"].message["zh"]
    under = load_form("hubei")
    use_rules(None)
    assert "PE106" in {c.code for c in active_checks(load_form("hubei"))}
    use_rules(Rules.read(_rules(tmp_path)))  # the same rules again (the Excel button pressed again): the same form
    assert load_form("hubei") is under


def test_check_with_the_bureau_rules(tmp_path):
    """襄阳's form: eleven PE106 warnings gone, its PE303 (执行率 114.44%) an error in the bureau's words."""
    run = CliRunner().invoke(main, ["check", str(XIANGYANG), "--format", "json", "--rules", str(_rules(tmp_path))])
    result = json.loads(run.stdout)[0]
    assert [(i["code"], i["severity"]) for i in result["issues"]] == [("PE303", "error")]
    assert result["issues"][0]["message"] == "执行数 3014.42 超过预算数 2634.17，请附调整预算的批复"
    assert run.exit_code == 1
    plain = CliRunner().invoke(main, ["check", str(XIANGYANG), "--format", "json"])
    assert {i["code"] for i in json.loads(plain.stdout)[0]["issues"]} == {"PE303", "PE106"} and plain.exit_code == 0


@pytest.mark.parametrize("form", [["--form", "hubei"], []])
def test_rules_lists_the_checks_as_the_bureau_set_them(tmp_path, form):
    """For one form, and for the catalogue (the settings for every form)."""
    run = CliRunner().invoke(main, ["rules", *form, "--rules", str(_rules(tmp_path))])
    lines = {line.split("\t")[0]: line.split("\t")[1] for line in run.stdout.splitlines()}
    assert "PE106" not in lines and lines["PE303"] == "强制" and lines["PE101"] == "强制"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("checks: {PE999: {enabled: false}}", "checks.PE999: 'PE999' 不是校验目录中的代码"),
        ("forms: {shanghai: {checks: {}}}", "forms.shanghai: 未知表式"),
        ("checks: {PE303: {severity: fatal}}", "checks.PE303.severity: 'fatal' 应为 error 或 warning"),
        ("checks: {PE303: {message: '{valu}'}}", "{valu} 不是该校验的占位符"),
        ("check: {}", "(root)"),
    ],
)
def test_a_misspelt_rule_is_refused_with_its_key_path(tmp_path, text, said):
    with pytest.raises(DefinitionError, match=said.replace("(", r"\(").replace(")", r"\)")):
        Rules.read(_rules(tmp_path, text))
    run = CliRunner().invoke(main, ["check", str(XIANGYANG), "--rules", str(_rules(tmp_path, text))])
    assert run.exit_code == 2 and said in run.stderr


def test_a_batch_checks_under_the_rules_in_its_workers_and_reuses_no_result_of_other_rules(tmp_path):
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    for source in (XIANGYANG, GUANGZHOU, XIANGYANG):
        (inbox / f"{len(list(inbox.iterdir()))}{source.name}").write_bytes(source.read_bytes())
    use_rules(Rules.read(_rules(tmp_path)))
    under_rules = run_batch(inbox, tmp_path / "out", jobs=2)
    results = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    codes = {i["code"] for r in results for i in r["issues"]}
    assert "PE106" not in codes and under_rules.errors == 2  # 襄阳's PE303, twice, in both workers' files
    use_rules(None)
    again = run_batch(inbox, tmp_path / "out", jobs=2)
    assert again.reused == 0 and again.errors == 0


def test_a_worker_started_afresh_is_given_the_rules(tmp_path):
    """On Windows a worker process starts afresh instead of forking: its initializer puts the rules in force."""
    import gc

    from perfeval_xl.batch import _start_worker
    from perfeval_xl.definition import rules_in_force

    rules, threshold = Rules.read(_rules(tmp_path)), gc.get_threshold()
    try:
        _start_worker({}, rules)
    finally:
        gc.set_threshold(*threshold)
    assert rules_in_force() == rules and "PE106" not in {c.code for c in active_checks(load_form("hubei"))}


def _template_under_rules(tmp_path: Path, make_book) -> Path:
    """湖北's template made under the bureau's rules, filled with 襄阳's figures (执行率 114.44%: PE303)."""
    from .conftest import clean_data

    data = clean_data()
    data["fields"].update(budget=2634.17, executed=3014.42)
    use_rules(Rules.read(_rules(tmp_path)))
    path = make_book(data)
    use_rules(None)
    return path


def test_a_template_carries_the_rules_to_the_excel_button_and_to_check(tmp_path, make_book):
    """A unit pressing the button in its bureau's template sees what the bureau's batch will say: PE303 an error in
    the bureau's words. perfeval check without --rules applies them too (the same marks); a batch does not (only
    the bureau's own --rules count there, not what a workbook says of itself)."""
    from perfeval_xl import excel

    from .xlwings_standin import FakeBook

    path = _template_under_rules(tmp_path, make_book)
    book = FakeBook.from_file(path)
    excel.recalculate(book)
    assert (
        book.app.alerts[-1]["mode"] == "critical"
        and "已按本表所附的财政局校验规则校验。" in book.app.alerts[-1]["prompt"]
    )
    assert any("请附调整预算的批复" in n.text for sheet in book.sheets for n in sheet.notes.values())
    checked = json.loads(CliRunner().invoke(main, ["check", str(path), "--format", "json"]).stdout)[0]
    assert [(i["code"], i["severity"]) for i in checked["issues"] if i["code"] == "PE303"] == [("PE303", "error")]
    inbox = tmp_path / "收件箱"
    inbox.mkdir()
    (inbox / "a.xlsx").write_bytes(path.read_bytes())
    run_batch(inbox, tmp_path / "out", jobs=1)
    batched = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))[0]
    assert [i["severity"] for i in batched["issues"] if i["code"] == "PE303"] == ["warning"]


def test_rules_given_with_check_come_before_the_template_s(tmp_path, make_book):
    path = _template_under_rules(tmp_path, make_book)
    other = _rules(tmp_path, "checks: {PE303: {enabled: false}}")
    checked = json.loads(
        CliRunner().invoke(main, ["check", str(path), "--format", "json", "--rules", str(other)]).stdout
    )
    assert "PE303" not in {i["code"] for i in checked[0]["issues"]}


def test_the_report_lists_the_findings_check_lists(tmp_path, make_book):
    """The 自评报告's 附件2 lists the findings under the rules the template carries, as check does."""
    from docx import Document

    path = _template_under_rules(tmp_path, make_book)
    run = CliRunner().invoke(main, ["report", str(path), "-o", str(tmp_path / "报告.docx")])
    assert run.exit_code == 0, run.output
    text = "\n".join(p.text for p in Document(tmp_path / "报告.docx").paragraphs)
    text += "\n".join(c.text for t in Document(tmp_path / "报告.docx").tables for row in t.rows for c in row.cells)
    assert "请附调整预算的批复" in text
