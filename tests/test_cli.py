"""The command-line contract other tools rely on: commands, JSON shape, languages and exit codes."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from perfeval_xl.checks import CATALOGUE
from perfeval_xl.cli import main

from .conftest import HEBEI, XIANGYANG, XIANGYANG_OFFICIAL, clean_data, gbk_named


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_forms_lists_every_bundled_form():
    result = run("forms")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("guangzhou\t广州\t部门整体支出绩效自评表")
    assert lines[1].startswith("hebei\t河北\t部门（单位）整体绩效自评报告")
    assert lines[2].startswith("hubei\t湖北\t部门整体绩效自评表")


def test_forms_says_how_a_form_scores():
    """A bureau checking that the tool scores its form by the form's own rules reads them from the definition, not
    from the code: the budget-execution rule, each section's points, how indicators score, the total, the grades."""
    hubei = run("forms", "hubei")
    assert hubei.exit_code == 0
    assert hubei.output.splitlines()[:3] == [
        "湖北 部门整体绩效自评表（hubei 2021.1）",
        "预算执行 20 分：得分 = 20 × 执行率，不超过 20 分",
        "绩效指标：产出指标 40 分，效益指标 30 分，满意度指标 10 分",
    ]
    assert "达成预期指标 80%–100%，部分达成预期指标 50%–80%，未达成预期指标 0%–50%" in hubei.output
    assert hubei.output.splitlines()[-1] == "评价等次：优 ≥ 90，良 ≥ 80，中 ≥ 60，差 < 60"
    guangzhou = run("forms", "guangzhou").output
    assert "  加减分项：每档 2.5 分，-5 至 5 分" in guangzhou
    assert "  预算完成率（按表中金额计算）：比率 90% 及以下得 0 分，到 100% 线性增至满分" in guangzhou
    assert "  结转结余率（按表中金额计算）：比率不超过 10% 得满分，超过时得分 = 分值 × 10% ÷ 比率" in guangzhou
    assert run("forms", "hebei").output.splitlines()[1] == "本表式不计分：只校验，不评分、不评等次"
    english = run("forms", "hubei", "--lang", "en").output.splitlines()
    assert english[1] == "budget execution, 20 points: 20 × execution rate, at most 20"
    unknown = run("forms", "beijing")
    assert unknown.exit_code == 2 and "未知表式 'beijing'" in unknown.output


def test_forms_says_how_a_direction_and_a_count_per_period_are_read():
    """What decides 正向 or 反向 (the target's comparator over a direction picked against it, PE114) and how 每月1期 is
    counted are the engine's reading of 湖北 备注2, the same for every form with targets and actuals."""
    said = run("forms", "hunan").output
    assert "  指标性质：年初目标值写“≥X”“X以上”的为正向，写“≤X”“X以内”“X前”“±X”或为 0 的为反向" in said
    assert "按月、季度、半年写的数按全年计（每月1期即 12 期）" in said
    assert "区间（“1000-1200万元”）不定方向，按所选指标性质或二级指标，反向的取上限" in said
    assert (
        "a range (1000-1200万元) none, its upper end taken when negative"
        in run("forms", "hunan", "--lang", "en").output
    )
    assert "≤X, X以内, X前, ±X or 0 negative" in run("forms", "hubei", "--lang", "en").output


def test_forms_says_how_an_actual_typed_as_a_bound_scores():
    """不足95% against ≥95% was met at full marks; a bureau reading the rules learns that a bound scores the weight only
    when every figure it allows meets the target, and a missed one at most what its bound scores."""
    said = run("forms", "hubei").output
    assert (
        "实际完成值写成范围的（“95%以上”“不足95%”），它允许的数都达到目标时得满分，都达不到时算未完成，"
        "自评分至多为界限按公式所得（“低于90%”对“≥95%”至多 分值×90/95），其余沿用自评分" in said
    )
    assert (
        "an actual typed as a bound (95%以上, 不足95%) scores the weight when every figure it allows meets the target, "
        "is missed when none does, its self-score at most what the rule gives its bound (低于90% against ≥95%: "
        "weight × 90/95), and else keeps its self-score" in run("forms", "hubei", "--lang", "en").output
    )


def test_forms_of_a_single_grade_says_it(one_grade_form):
    """It failed on the threshold below the last grade, which a single grade does not have."""
    from perfeval_xl.explain import scoring_rules

    assert scoring_rules(one_grade_form("hubei"))[-1] == "评价等次：合格"


def test_banded_and_deduction_rules_are_said_as_a_form_states_them():
    from perfeval_xl.definition import Band, RateRule
    from perfeval_xl.explain import rule_text

    adjusted = RateRule("bands", bands=(Band(0.0, 1.0), Band(0.1, 0.8), Band(0.2, 0.6)))
    assert rule_text(adjusted, 5, "预算调整率") == (
        "预算调整率 ≤ 0% 得 5 分；预算调整率 ≤ 10% 得 4 分；预算调整率 ≤ 20% 得 3 分；其余得 0 分"
    )
    assert rule_text(adjusted, None, "比率").startswith("比率 ≤ 0% 得满分；比率 ≤ 10% 得分值的 80%")
    staffed = RateRule("deduction", limit=1.0, per_point=0.5)
    assert rule_text(staffed, 3, "人员控制率") == "人员控制率不超过 100% 得 3 分，每超过 1 个百分点扣 0.5 分，最低 0 分"
    assert rule_text(staffed, 3, "staffing rate", "en") == (
        "3 while the staffing rate is at most 100%, 0.5 off per percentage point above it, at least 0"
    )


def test_rules_lists_the_catalogue():
    lines = run("rules").output.strip().splitlines()
    assert len(lines) == len(CATALOGUE)
    code, severity, scope, description = lines[0].split("\t")
    assert (code, severity, scope) == ("PE101", "强制", "表内")
    assert description.startswith("必填项为空")
    assert (
        run("rules", "--form", "hunan", "--lang", "en").output.splitlines()[-2]
        == "PE401\twarning\t跨期\tlast year's figure differs from last year's submission"
    )


def test_rules_describes_each_check_in_whole_sentences():
    """A description wrapped in its docstring was cut at the line's end: PE206 ended “广州 管理效能 45、履职效能 50、”."""
    descriptions = dict(line.split("\t")[::3] for line in run("rules").output.strip().splitlines())
    assert all(text.endswith("。") for text in descriptions.values())
    assert descriptions["PE206"].endswith("广州 管理效能 45、履职效能 50、加减分项 5，合计 100。")
    assert "专户非税收入 + 其他收入" in descriptions["PE218"]


def test_rules_with_a_code_says_the_whole_rule_and_the_forms_it_applies_to():
    """A unit puzzled by a finding asks about its code: the whole description (the catalogue line is its first
    paragraph), the message as the form writes it, and the forms that check it."""
    result = run("rules", "pe210")
    assert result.exit_code == 0
    listed = next(line for line in run("rules").output.splitlines() if line.startswith("PE210"))
    assert result.output.splitlines()[0] == listed
    text = result.output
    assert "不通过示例：分值 10，档次 “部分达成预期指标”，得分 9。" in text  # the examples the docstring gives
    assert "Failing: 分值 10" in run("rules", "pe210", "--lang", "en").output
    assert "适用表式：湖北" in text and "广州" not in text.split("适用表式：")[1]
    assert "消息：" in text and "{" not in text.split("消息：")[1]  # the template's placeholders said in words


def test_rules_with_codes_and_a_form_says_when_a_code_does_not_apply_to_it():
    text = run("rules", "PE114", "PE205", "--form", "guangzhou").output
    assert "PE114" in text and "不适用于 广州" in text
    assert "\n  不通过示例：目标 “90%以上”，指标性质 “反向”。" in text  # the examples on a line of their own
    assert "适用表式：广州" in text


def test_rules_with_a_code_and_a_form_says_it_as_that_form_is_set(tmp_path):
    """A bureau's rules may set a check for one form only: described for that form, it is as that form runs it."""
    rules = tmp_path / "本局规则.yaml"
    rules.write_text("forms:\n  hubei:\n    checks:\n      PE303: {severity: error}\n", encoding="utf-8")
    assert run("rules", "PE303", "--form", "hubei", "--rules", rules).output.startswith("PE303\t强制\t")
    assert run("rules", "PE303", "--rules", rules).output.startswith("PE303\t提示\t")


def test_rules_with_an_unknown_code_is_refused_in_one_line():
    result = run("rules", "PE999")
    assert result.exit_code == 2
    assert "没有校验规则 PE999" in result.output and "Traceback" not in result.output


def test_template_command_writes_a_workbook(tmp_path):
    out = tmp_path / "t.xlsx"
    result = run("template", "hubei", "-o", out)
    assert result.exit_code == 0 and out.exists()
    assert run("template", "nowhere", "-o", out).exit_code == 2


def test_json_contract():
    result = run("check", XIANGYANG, XIANGYANG_OFFICIAL, "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert len(data) == 2
    item = data[0]
    assert set(item) >= {"file", "form", "unit", "year", "status", "scores", "issues"}
    assert (item["form"], item["unit"], item["year"], item["status"]) == (
        "hubei",
        "襄阳市科学技术协会",
        2021,
        "warning",
    )
    scores = item["scores"]
    assert (scores["total"], scores["reported_total"], scores["grade"]) == (93, 93, "优")
    assert scores["sections"]["产出指标"] == {"weight": 40, "score": 39, "reported": 39}
    issue = next(i for i in item["issues"] if i["code"] == "PE303")
    assert issue == {
        "code": "PE303",
        "severity": "warning",
        "sheet": "自评表",
        "cell": "D6",
        "message": "执行数 3014.42 超过预算数 2634.17（执行率 114.44%），请核实预算口径",
        "value": 3014.42,
        "expected": 2634.17,
        "key": "执行数（B）",
        "difference": 380.25,
    }


def test_exit_1_on_errors_and_english_messages(make_book):
    path = make_book(clean_data(), {"rows": {4: {"score": 5}}})
    result = run("check", path, "--format", "json", "--lang", "en")
    assert result.exit_code == 1
    issue = json.loads(result.output)[0]["issues"][0]
    assert issue["code"] == "PE209" and issue["severity"] == "error"
    assert issue["message"] == "'整体项目指标成本' self-scores 5; the negative rule gives 3.49"
    assert isinstance(issue["value"], int | float) and issue["expected"] == 3.49


def test_text_report():
    result = run("check", XIANGYANG)
    assert result.exit_code == 0
    assert "计算总分 93.00" in result.output and "等次 优" in result.output
    assert "自评表!D6 PE303 [提示]" in result.output


def test_a_text_report_with_findings_ends_saying_how_to_read_a_rule_in_full(make_book):
    """The catalogue says each rule in full (perfeval rules PE205); a unit reading a finding it does not follow is
    told so once, after the files, and not at all when nothing was found or the output is JSON."""
    told = "perfeval rules PE303"
    assert run("check", XIANGYANG).output.rstrip().endswith(f"看不懂某条结果时，可运行 {told} 查看该条规则的详细说明")
    assert run("check", XIANGYANG, XIANGYANG).output.count(told) == 1
    assert told not in run("check", XIANGYANG, "--format", "json").output
    assert "perfeval rules PE" in run("check", XIANGYANG, "--lang", "en").output
    assert "perfeval rules" not in run("check", make_book(clean_data())).output


def test_a_file_named_in_gbk_on_disk_is_named_in_chinese(tmp_path):
    """A file name left in GBK bytes on a Linux disk is shown decoded, and the JSON stays valid UTF-8."""
    gbk = gbk_named(tmp_path, "襄阳市科协.xlsx", XIANGYANG.read_bytes())
    data = json.loads(run("check", gbk, "--format", "json").output)
    assert data[0]["file"] == str(tmp_path / "襄阳市科协.xlsx")
    assert run("check", gbk).output.startswith(f"{tmp_path / '襄阳市科协.xlsx'}: 襄阳市科学技术协会 2021")


def test_usage_errors_exit_2(tmp_path):
    assert run("check", XIANGYANG, "--annotate", tmp_path, "--in-place").exit_code == 2
    assert run("check", XIANGYANG, "--form", "nowhere").exit_code == 2
    assert run("check").exit_code == 2


@pytest.mark.parametrize(
    ("given", "command"),
    [(XIANGYANG, "check"), ("单位.xlsm", "check"), ("收件箱.zip", "batch"), ("{folder}", "batch")],
    ids=["workbook", "named-workbook", "zip", "folder"],
)
def test_a_file_given_as_the_command_is_told_the_command_to_use(tmp_path, given, command):
    """``perfeval 文件.xlsx``, as a unit told to run ``perfeval check --in-place`` may type it, or a file dropped on
    perfeval.exe: click said “No such command”, which does not say what to type instead."""
    given = str(given).format(folder=tmp_path)
    result = run(given)
    assert result.exit_code == 2
    assert f"perfeval {command} {given}" in result.output
    assert "No such command" not in result.output
    assert run("chekc").exit_code == 2 and "No such command" in run("chekc").output  # a mistyped command, as before


def _blocked(tmp_path):
    """A path under a plain file: no folder can be made there, whoever runs the test (root ignores permissions)."""
    (tmp_path / "blocker").write_text("", encoding="utf-8")
    return tmp_path / "blocker" / "out"


@pytest.mark.parametrize(
    "args",
    [
        ("template", "hubei", "-o", "{out}/t.xlsx"),
        ("report", XIANGYANG, "-o", "{out}/r.docx"),
        ("consolidate", XIANGYANG, "-o", "{out}/c.xlsx"),
        ("batch", XIANGYANG, "-o", "{out}"),
        ("check", XIANGYANG, "--annotate", "{out}"),
    ],
    ids=lambda args: args[0],
)
def test_an_output_that_cannot_be_written_is_one_line_and_exit_2(tmp_path, args):
    out = _blocked(tmp_path)
    result = run(*(str(a).format(out=out) for a in args))
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)  # said, not raised
    assert "无法写入" in result.output and "路径中有一个同名文件，不是文件夹" in result.output


def test_a_copy_that_cannot_be_written_is_reported_and_the_other_files_are_still_checked(tmp_path, monkeypatch):
    from perfeval_xl import writeback

    real = writeback.annotate_file

    def locked(source, plan, dest):
        if Path(source) == XIANGYANG:  # as when the copy is open in Excel on Windows
            raise PermissionError(13, "Permission denied", str(dest))
        return real(source, plan, dest)

    monkeypatch.setattr(writeback, "annotate_file", locked)
    result = run("check", XIANGYANG, XIANGYANG_OFFICIAL, "--annotate", tmp_path, "--format", "json", "--lang", "en")
    assert result.exit_code == 2
    first, second = json.loads(result.output)
    assert first["annotation_error"] == (
        f"cannot write {tmp_path / XIANGYANG.name}: permission denied, or the file is open in Excel/WPS "
        "(close it and retry)"
    )
    assert "annotated" not in first and second["annotated"] == str(tmp_path / XIANGYANG_OFFICIAL.name)
    assert (tmp_path / XIANGYANG_OFFICIAL.name).exists()


def test_a_file_that_breaks_the_engine_is_one_line_and_the_other_files_are_still_checked(monkeypatch):
    """A bug of ours met by one file ended the command with a traceback, and the files after it went unchecked."""
    from perfeval_xl import cli

    real = cli._checked

    def fragile(path, form_id=None, earlier=None, parts=None):
        if Path(path) == XIANGYANG:
            raise AttributeError("'FieldSpec' object has no attribute 'columns'")
        return real(path, form_id, earlier, parts)

    monkeypatch.setattr(cli, "_checked", fragile)
    result = run("check", XIANGYANG, XIANGYANG_OFFICIAL)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "内部错误，请联系技术支持：AttributeError: 'FieldSpec' object has no attribute 'columns'" in result.output
    assert "襄阳市科学技术协会" in result.output  # the second file was checked
    first, second = json.loads(run("check", XIANGYANG, XIANGYANG_OFFICIAL, "--format", "json", "--lang", "en").output)
    assert first["status"] == "unreadable" and first["message"].startswith("internal error: AttributeError")
    assert second["status"] == "warning"


def test_a_bug_in_any_command_is_one_line_and_exit_2(tmp_path, monkeypatch):
    from perfeval_xl import wordreport

    def broken(*args, **kwargs):
        raise KeyError("report")

    monkeypatch.setattr(wordreport, "write_report", broken)
    result = run("report", XIANGYANG, "-o", tmp_path / "报告.docx")
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert result.output == "内部错误，请联系技术支持：KeyError: 'report' (internal error)\n"


def test_readme_lists_every_check():
    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for check in CATALOGUE:
        assert f"| {check.code} |" in readme, check.code


def test_readme_links_lead_to_files_that_are_there():
    """The README keeps to what a reader needs first and links to the details (docs/读取规则.md)."""
    import re

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    targets = [t for t in re.findall(r"\]\(([^)#]+)\)", readme) if "://" not in t]
    assert "docs/读取规则.md" in targets
    assert [t for t in targets if not (ROOT / t).is_file()] == []


def test_every_module_imports_on_its_own() -> None:
    # A library user imports what they need, in any order: a cycle that the command line's import order hides (the
    # schemas imported checks, a check imported the schemas) must not break `import perfeval_xl.schemas`. One fresh
    # interpreter imports each module with none of the package imported before it.
    import subprocess
    import sys

    script = """
import importlib, pkgutil, sys
import perfeval_xl
names = sorted(m.name for m in pkgutil.walk_packages(perfeval_xl.__path__, "perfeval_xl."))
failed = []
for name in names:
    for loaded in [m for m in sys.modules if m.startswith("perfeval_xl.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except ImportError as exc:
        failed.append(f"{name}: {exc}")
print(len(names))
print("\\n".join(failed))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    count, *failed = done.stdout.splitlines()
    assert int(count) > 50
    assert [line for line in failed if line] == []


def test_the_english_count_line_says_one_finding_in_the_singular():
    """“0 errors, 1 warnings” under a report with one warning."""
    output = run("check", str(Path(__file__).parent.parent / "examples" / "guangzhou_kexie_2021.xlsx"), "--lang", "en")
    assert output.output.splitlines()[-2] == "  0 errors, 1 warning"  # the last line points to perfeval rules


def test_a_batch_of_one_is_counted_in_the_singular(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "one.xlsx").write_bytes(XIANGYANG.read_bytes())
    result = run("batch", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1", "--no-annotate", "--lang", "en")
    assert "1 submission: 1 accepted, 0 returned (0 unchanged)" in result.output


# Each command's refusals of what it was asked: its arguments, then the line in Chinese and in English; {tmp} is a
# folder, {folder} one holding 襄阳's example, {listed} a unit list, {example} the example itself.
NAME = XIANGYANG.name
UNKNOWN = (
    "未知表式 'beijing'; 可用: guangzhou, hebei, hubei, hunan, yueyang",
    "unknown form 'beijing'; available: guangzhou, hebei, hubei, hunan, yueyang",
)
USAGE_CASES = [
    (
        ["check", "{example}", "--annotate", "{tmp}", "--in-place"],
        "--annotate 与 --in-place 只能选一个",
        "--annotate and --in-place: choose one",
    ),
    (["check", "{example}", "--form", "beijing"], *UNKNOWN),
    (
        ["check", f"{{folder}}/{NAME}", "--annotate", "{folder}"],
        f"批注目录与原文件相同，会覆盖 {{folder}}/{NAME}；如需修改原文件请用 --in-place",
        f"the annotation folder holds the original: {{folder}}/{NAME} would be overwritten; use --in-place to mark "
        "the original",
    ),
    (
        ["check", "{example}", f"{{folder}}/{NAME}", "--annotate", "{tmp}/副本"],
        f"多个文件同名 {NAME}，批注副本会互相覆盖；请分别运行或改名",
        f"several files are named {NAME}: their annotated copies would overwrite each other; run them apart or "
        "rename them",
    ),
    (
        ["batch", "{folder}", "-o", "{folder}"],
        "输出目录不能就是输入目录；请另指定一个目录",
        "the output folder cannot be the input folder; give another",
    ),
    (["batch", "{folder}", "-o", "{tmp}/out", "--form", "beijing"], *UNKNOWN),
    (["template", "beijing", "-o", "{tmp}/t.xlsx"], *UNKNOWN),
    (
        ["template", "hubei", "-o", "{folder}"],
        "{folder} 是一个文件夹：请给出 .xlsx/.xlsm 文件路径（为名单中每个单位各生成一份请加 --units）",
        "{folder} is a folder: give an .xlsx or .xlsm file (add --units for one template per listed unit)",
    ),
    (
        ["template", "hubei", "--macro", "-o", "{tmp}/t.xlsx"],
        "带按钮的模板请用 --macro 并输出为 .xlsm；不带按钮的模板请输出为 .xlsx",
        "a template with buttons takes --macro and an .xlsm output; one without them, an .xlsx output",
    ),
    (
        ["template", "hubei", "--units", "{listed}", "-o", "{listed}"],
        "给了 --units 时 -o 是存放各单位模板的文件夹，而 {listed} 是一个文件",
        "with --units, -o is the folder for the units' templates, and {listed} is a file",
    ),
    (
        ["template", "hubei", "--units", "{listed}", "--prior", "{listed}", "-o", "{tmp}/下发"],
        "给了 --units 时 --prior 是上一年度各单位的表所在的文件夹或 .zip，而 {listed} 两者都不是",
        "with --units, --prior is the folder or .zip of the units' forms of last year, and {listed} is neither",
    ),
    (["rules", "--form", "beijing"], *UNKNOWN),
    (
        ["consolidate", "{example}", "-o", "{tmp}/部门.docx"],
        "汇总表请输出为 .xlsx",
        "write the consolidated form as .xlsx",
    ),
    (
        ["consolidate", "{example}", "-o", "{example}"],
        "输出文件 {example} 是输入之一；汇总不会覆盖提交的工作簿，请另指定输出路径",
        "the output {example} is one of the inputs: consolidating never overwrites a submission; give another path",
    ),
    (["consolidate", "{example}", "-o", "{tmp}/部门.xlsx", "--form", "beijing"], *UNKNOWN),
]


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize(("args", "zh", "en"), USAGE_CASES, ids=[" ".join(c[0][:1] + c[0][2:]) for c in USAGE_CASES])
def test_a_command_asked_what_it_cannot_do_says_why_in_the_language_asked_for(tmp_path, args, zh, en, lang):
    """A usage error is the usage line and one sentence, exit code 2, in Chinese, or in English with --lang en."""
    folder, listed = tmp_path / "目录", tmp_path / "单位名单.csv"
    folder.mkdir()
    (folder / NAME).write_bytes(XIANGYANG.read_bytes())
    listed.write_text("单位名称\n襄阳市科协\n", encoding="utf-8")
    places = {"tmp": tmp_path, "folder": folder, "listed": listed, "example": XIANGYANG}
    refused = run(*[a.format(**places) for a in args], "--lang", lang)
    assert refused.exit_code == 2
    assert refused.output.splitlines()[-1] == f"Error: {(zh if lang == 'zh' else en).format(**places)}"


def test_output_redirected_on_a_chinese_windows_is_written_whole():
    """A Chinese Windows writes output redirected to a file or a pipe in GBK, which lacks −, m² and a unit's rarer
    characters: 香河's report stopped at its first − (UnicodeEncodeError, said as an internal error, exit code 2) and
    its findings were lost. Text gets the nearest character GBK has; JSON escapes what GBK lacks, and loses nothing."""
    text = CliRunner(charset="gbk").invoke(main, ["check", str(HEBEI)])
    assert text.exit_code == 1 and "内部错误" not in text.output + text.stderr
    assert (
        "(blank; 决算数（支出合计）-决算数（基本支出）)"
        in CliRunner(charset="gbk").invoke(main, ["check", str(HEBEI), "--lang", "en"]).output
    )
    report = CliRunner(charset="gbk").invoke(main, ["check", str(HEBEI), "--format", "json"])
    messages = [issue["message"] for issue in json.loads(report.output)[0]["issues"]]
    assert any("决算数（支出合计）−决算数（基本支出）" in message for message in messages)
