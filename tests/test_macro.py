"""The macro-enabled templates: the VBA module in them is macros/PerfEval.bas, the buttons call it, LibreOffice opens
them, and annotating one keeps its VBA project and buttons."""

from __future__ import annotations

import codecs
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from oletools.olevba import VBA_Parser
from openpyxl import load_workbook

from perfeval_xl.buttons import (
    BUTTON_SHEET,
    CLEAR_MACRO,
    INSTITUTIONS_MACRO,
    LAST_YEAR_MACRO,
    RECALCULATE_MACRO,
    REPORT_MACRO,
    VBA_PROJECT,
)
from perfeval_xl.cli import main
from perfeval_xl.definition import load_form
from perfeval_xl.plan import text_height
from perfeval_xl.service import check_path
from perfeval_xl.template import build_template

from .conftest import ROOT, seed_data
from .libreoffice import convert, needs_libreoffice

SOURCE = ROOT / "macros" / "PerfEval.bas"
FORMS = ["hubei", "guangzhou", "hebei", "hunan", "yueyang"]
MACRO_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"


def _code(text: str) -> str:
    """A module's code as VBA stores it: CRLF or LF alike, without the Attribute lines the editor hides."""
    lines = text.replace("\r\n", "\n").split("\n")
    return "\n".join(line for line in lines if not line.startswith("Attribute VB_")).strip()


def _modules(path: Path | str, data: bytes | None = None) -> dict[str, str]:
    parser = VBA_Parser(str(path), data=data)
    try:
        return {name: _code(code) for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _buttons(path: Path) -> list[tuple[str, str]]:
    """(macro, caption) of every form button in the workbook's VML drawings."""
    found = []
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.endswith(".vml"):
                vml = archive.read(name).decode("utf-8")
                for shape in re.findall(r"<v:shape .*?</v:shape>", vml, re.S):
                    macro = re.search(r"<x:FmlaMacro>(.*?)</x:FmlaMacro>", shape)
                    caption = re.sub(r"<[^>]+>", "", re.search(r"<v:textbox.*?</v:textbox>", shape, re.S).group())
                    if macro:
                        found.append((macro.group(1), caption.strip()))
    return found


@pytest.fixture(scope="module")
def macro_templates(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("xlsm")
    return {form: build_template(load_form(form), out / f"{form}.xlsm", macro=True) for form in FORMS}


def test_module_source_is_ascii_with_the_documented_calls():
    text = SOURCE.read_text(encoding="ascii")
    assert 'Application.Run "xlwings.xlam!RunPython", "import perfeval_xl.excel as e; e.recalculate()"' in text
    assert 'Application.Run "xlwings.xlam!RunPython", "import perfeval_xl.excel as e; e.clear_marks()"' in text
    assert f"Public Sub {RECALCULATE_MACRO}()" in text and f"Public Sub {CLEAR_MACRO}()" in text
    assert (
        'Application.Run "xlwings.xlam!RunPython", "import perfeval_xl.excel as e; e.compare_with_last_year()"' in text
    )
    assert f"Public Sub {LAST_YEAR_MACRO}()" in text
    assert 'Application.Run "xlwings.xlam!RunPython", "import perfeval_xl.excel as e; e.write_report()"' in text
    assert f"Public Sub {REPORT_MACRO}()" in text
    assert "ChrW(" in text


def test_missing_addin_message_tells_how_to_install():
    text = SOURCE.read_text(encoding="ascii")
    body = text.split("Private Function MissingAddinMessage", 1)[1].split("End Function", 1)[0]
    decoded = "".join(codecs.decode(s, "unicode_escape") for s in re.findall(r'U\("([^"]*)"\)', body))
    literals = re.findall(r'& "([^"]*)"', body)
    assert "未找到 xlwings 加载项" in decoded and "重新打开 Excel" in decoded
    assert any("pip install perfeval_xl" in s for s in literals)
    assert any("xlwings addin install" in s for s in literals)
    assert "vbExclamation" in text.split("Private Function AddinLoaded", 1)[1].split("End Function", 1)[0]


def test_committed_vba_project_holds_the_module_source():
    modules = _modules("vbaProject.bin", VBA_PROJECT.read_bytes())
    assert modules["PerfEval.bas"] == _code(SOURCE.read_text(encoding="ascii"))
    assert {"ThisWorkbook.cls", "Sheet1.cls", "Sheet2.cls", "Sheet3.cls"} <= set(modules)


@pytest.mark.parametrize("form", FORMS)
def test_macro_template_is_macro_enabled_with_module_and_buttons(macro_templates, form):
    path = macro_templates[form]
    with zipfile.ZipFile(path) as archive:
        assert MACRO_CONTENT_TYPE in archive.read("[Content_Types].xml").decode()
        assert archive.read("xl/vbaProject.bin") == VBA_PROJECT.read_bytes()
        workbook = archive.read("xl/workbook.xml").decode()
    assert 'codeName="ThisWorkbook"' in workbook
    assert _modules(path)["PerfEval.bas"] == _code(SOURCE.read_text(encoding="ascii"))
    buttons = [
        (f"[0]!{RECALCULATE_MACRO}", "重新计算得分"),
        (f"[0]!{CLEAR_MACRO}", "清除校验标记"),
        (f"[0]!{REPORT_MACRO}", "生成自评报告"),
    ]
    if load_form(form).prior_year:  # 湖南, 岳阳: the form gives figures for last year
        buttons.append((f"[0]!{LAST_YEAR_MACRO}", "与上年报送的表核对"))
    buttons.append((f"[0]!{INSTITUTIONS_MACRO}", "与各机构的表核对"))  # every form: its amounts add up (PE402)
    assert _buttons(path) == buttons
    steps = [c.value for c in load_workbook(path)[BUTTON_SHEET]["B"] if c.value][1:]
    assert any("与上年报送的表核对" in step for step in steps) == bool(load_form(form).prior_year)
    assert any("与各机构的表核对" in step for step in steps)
    assert any("“生成自评报告”" in step for step in steps)
    assert any("“规则说明”" in step for step in steps)  # where a unit reads what a rule found asks
    assert any("在 WPS 表格中不能使用" in step and "--in-place" in step for step in steps)  # where units often fill in
    live = [step for step in steps if "立即显示为红色" in step]  # the templates' live tints, where there are some
    assert bool(live) is (form != "yueyang")
    assert all("WPS 中同样显示" in step for step in live)
    assert any("得分超过分值" in step for step in live) is (load_form(form).indicators is not None)
    assert [step.split(".")[0] for step in steps] == [str(n) for n in range(1, len(steps) + 1)]


def test_the_button_sheet_prints_one_page_wide_with_every_step_whole(macro_templates):
    """The steps' column is wider than a portrait A4 page: printed at 100 %, the steps were cut at the page's edge
    (LibreOffice's PDF showed half of each line, and a blank first page)."""
    sheet = load_workbook(macro_templates["hunan"])[BUTTON_SHEET]
    fit = (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight)  # 1 wide is the default, left unwritten
    assert sheet.sheet_properties.pageSetUpPr.fitToPage and fit == (1, 0)
    steps = [row for row in range(2, sheet.max_row + 1) if sheet.cell(row, 2).value]
    for row in steps:
        step = sheet.cell(row, 2).value
        assert sheet.row_dimensions[row].height >= text_height(step, sheet.column_dimensions["B"].width), step


@pytest.mark.parametrize("form", FORMS)
def test_committed_macro_template_matches_a_fresh_build(macro_templates, form):
    committed, fresh = (
        zipfile.ZipFile(ROOT / "workbook_templates" / f"{form}.xlsm"),
        zipfile.ZipFile(macro_templates[form]),
    )
    assert committed.namelist() == fresh.namelist()
    for name in committed.namelist():
        if name != "docProps/core.xml":  # the creation time
            assert committed.read(name) == fresh.read(name), name


@pytest.mark.parametrize("form", FORMS)
def test_no_finding_ever_lands_on_the_button_sheet(tmp_path, form):
    """Notes are written where findings point; the buttons' sheet must never get one (openpyxl would then rewrite
    its drawing and drop the buttons)."""
    data = seed_data(
        ROOT / "examples" / ("hubei_xiangyang_2021.yaml" if form == "hubei" else "guangzhou_kexie_2021.yaml")
    )
    data["fields"].pop("unit", None)
    path = build_template(load_form(form), tmp_path / f"{form}.xlsm", data, macro=True)
    evaluation = check_path(path)
    assert evaluation.findings
    assert BUTTON_SHEET not in {f.sheet for f in evaluation.findings}


def test_check_in_place_keeps_the_vba_project_and_buttons(tmp_path):
    data = seed_data()
    data["fields"].pop("unit", None)
    path = build_template(load_form("hubei"), tmp_path / "filled.xlsm", data, macro=True)
    before_buttons, before_project = _buttons(path), zipfile.ZipFile(path).read("xl/vbaProject.bin")
    for _ in range(2):
        result = CliRunner().invoke(main, ["check", str(path), "--in-place"])
        assert result.exit_code == 1, result.output
    with zipfile.ZipFile(path) as archive:
        assert archive.read("xl/vbaProject.bin") == before_project
        assert MACRO_CONTENT_TYPE in archive.read("[Content_Types].xml").decode()
    assert _buttons(path) == before_buttons
    assert _modules(path)["PerfEval.bas"] == _code(SOURCE.read_text(encoding="ascii"))
    assert check_path(path).findings  # the annotated copy still reads as the form


def test_template_command_builds_the_macro_variant(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(main, ["template", "guangzhou", "--macro", "-o", str(tmp_path / "g.xlsm")])
    assert ok.exit_code == 0, ok.output
    assert _buttons(tmp_path / "g.xlsm")
    for args in (["--macro", "-o", str(tmp_path / "g.xlsx")], ["-o", str(tmp_path / "g2.xlsm")]):
        refused = runner.invoke(main, ["template", "guangzhou", *args])
        assert refused.exit_code == 2 and ".xlsm" in refused.output


@needs_libreoffice
@pytest.mark.parametrize("form", FORMS)
def test_libreoffice_opens_the_macro_template_and_keeps_module_and_buttons(tmp_path, form):
    source = ROOT / "workbook_templates" / f"{form}.xlsm"
    saved = convert(source, tmp_path, "xlsm:Calc MS Excel 2007 VBA XML")
    assert _modules(saved)["PerfEval.bas"] == _code(SOURCE.read_text(encoding="ascii"))
    # LibreOffice binds each button to the module's macro when it loads the project, and writes it back so.
    buttons = [(RECALCULATE_MACRO, "重新计算得分"), (CLEAR_MACRO, "清除校验标记"), (REPORT_MACRO, "生成自评报告")]
    buttons += [(LAST_YEAR_MACRO, "与上年报送的表核对")] if load_form(form).prior_year else []
    buttons += [(INSTITUTIONS_MACRO, "与各机构的表核对")]
    assert [(macro.split(".")[-1].split("!")[-1], caption) for macro, caption in _buttons(saved)] == buttons
