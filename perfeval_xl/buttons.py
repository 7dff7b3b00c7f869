"""The macro-enabled (.xlsm) variant of a template: the compiled VBA project and the 使用说明 sheet with the buttons."""

from __future__ import annotations

import re
from importlib.resources import files
from typing import Any

from xlsxwriter.workbook import Workbook

from .definition import FormDefinition
from .plan import text_height

BUTTON_SHEET = "使用说明"
STEP_WIDTH = 100  # the steps' column, in Excel's widths
RECALCULATE_MACRO = "PerfEvalRecalculate"
CLEAR_MACRO = "PerfEvalClearMarks"
LAST_YEAR_MACRO = "PerfEvalCompareLastYear"  # only on the forms that give figures for last year (湖南, 岳阳)
INSTITUTIONS_MACRO = "PerfEvalCompareInstitutions"  # on the forms whose amounts and counts add up (PE402)
REPORT_MACRO = "PerfEvalWriteReport"
# Built from macros/PerfEval.bas by macros/build_vba_project.py (tests/test_macro.py checks the two agree).
VBA_PROJECT = files("perfeval_xl") / "vba" / "vbaProject.bin"

_STEPS = (
    "在“{sheet}”中填写带浅黄色底纹的单元格；灰色单元格由公式自动计算，已锁定。",
    "填完后点击“重新计算得分”：按表式规则计算得分，把问题在“{sheet}”中标红（错误，须改正后才能提交）"
    "或标黄（提示，请核实），加上批注，并在“校验结果”工作表中逐条列出，点击单元格地址即可跳转；"
    "表末的“规则说明”解释每条出现的规则查的是什么、为什么，并举出不通过和通过的例子。",
    "改正后再点一次即可：上次的标记会先清除再重新生成，不会重复。“清除校验标记”只去掉本工具加上的颜色、"
    "批注和“校验结果”表，不改动任何填报内容。",
    "点击“生成自评报告”：按本表的数字、复核计算的得分和所填文字写出《部门（单位）整体绩效自评报告》（Word），"
    "保存在本工作簿所在的文件夹中（文件名为本工作簿名加“_自评报告.docx”；已有同名报告时另存为“(2)”等，"
    "不覆盖已修改过的报告）；自评表尚有的问题列入报告的附件2。",
    "按钮需要本机安装 Python 和 xlwings 加载项（每台电脑一次）：在“命令提示符”中运行 pip install perfeval_xl "
    "和 xlwings addin install，然后重新打开 Excel。",
    "打开文件时如提示“宏已被禁用”，请点“启用内容”；从网上或邮件下载的文件，请先在文件“属性”中勾选“解除锁定”。",
    "按钮经 xlwings 调用 Microsoft Excel，在 WPS 表格中不能使用；用 WPS、没有 Excel 或不能启用宏时，"
    "可在命令行运行 perfeval check 文件名.xlsm --in-place，得到相同的标记。",
)
# The steps of the buttons that compare with other files, after the third step: last year's form (the forms that
# give figures for last year) and the institutions' forms (the forms whose amounts and counts add up, PE402).
_LAST_YEAR_STEP = (
    "本表填有上年数（{labels}）：点击“与上年报送的表核对”，选择本单位上年报送的同一张表，"
    "除完成“重新计算得分”的全部工作外，还把与上年表不一致的上年数标黄（提示，PE401），请核实。"
)
_INSTITUTIONS_STEP = (
    "本表是部门汇总各机构（机关、二级机构）的表的：点击“与各机构的表核对”，选择各机构的同一张表（可按住 Ctrl 多选），"
    "除完成“重新计算得分”的全部工作外，还把不等于各机构之和的金额和人数标红（错误，PE402），须改正。"
)


def _live_step(definition: FormDefinition) -> list[str]:
    """The step saying which cells the template tints red as it is filled (see template.py: its conditional formats),
    for the forms that have some."""
    rules, headline = definition.indicators, definition.headline
    tinted = ["各部分的指标分值合计与该部分的分值不符", "得分超过分值或为负数"] if rules is not None else []
    shortfalls = ["得分低于分值"] if rules is not None and (rules.explanation_column or definition.explanation) else []
    if definition.explanation and headline is not None and headline.explain_below is not None:
        shortfalls.append(f"执行率低于 {headline.explain_below:.0%} ")  # a space after the figure, before 而
    if shortfalls:
        tinted.append(f"{'或'.join(shortfalls)}而没有说明原因")
    if not tinted:
        return []
    return [
        f"填写时，{'、'.join(tinted)}的单元格会立即显示为红色，不需要按钮，WPS 中同样显示；全部问题以按钮或校验的结果为准。"
    ]


def add_button_sheet(book: Workbook, definition: FormDefinition) -> None:
    """The first sheet: how to use the workbook and its buttons. No finding is ever located here, so our notes and
    fills never land on the buttons' sheet."""
    from .checks import active_checks

    ws = book.add_worksheet(BUTTON_SHEET)
    title = book.add_format({"font_name": "黑体", "font_size": 16, "bold": True})
    text = book.add_format({"font_name": "宋体", "font_size": 11, "text_wrap": True, "valign": "top"})
    ws.set_column(0, 0, 2)
    ws.set_column(1, 1, STEP_WIDTH, text)
    ws.write_string(0, 1, f"{definition.region}{definition.name} 使用说明", title)
    ws.set_row(0, 30)
    # Two rows of buttons, three at most in each (200 pixels and a gap of 20 fit the column's 700): what is done to
    # this workbook, then what compares it with other files.
    rows = [[(RECALCULATE_MACRO, "重新计算得分"), (CLEAR_MACRO, "清除校验标记"), (REPORT_MACRO, "生成自评报告")], []]
    steps = [step.format(sheet=definition.sheet_name) for step in _STEPS]
    steps[1:1] = _live_step(definition)
    comparing = []
    if definition.prior_year:
        rows[1].append((LAST_YEAR_MACRO, "与上年报送的表核对"))
        labels = "、".join(dict.fromkeys(_label(definition, rule.this) for rule in definition.prior_year))
        comparing.append(_LAST_YEAR_STEP.format(labels=labels))
    if any(check.code == "PE402" for check in active_checks(definition)):
        rows[1].append((INSTITUTIONS_MACRO, "与各机构的表核对"))
        comparing.append(_INSTITUTIONS_STEP)
    rows = [row for row in rows if row]
    for at, row in enumerate(rows, start=2):
        for n, (macro, caption) in enumerate(row):
            ws.insert_button(at, 1, _button(macro, caption, 200, n * 220))
        ws.set_row(at, 44)
    first = 3 + len(rows)
    for n, step in enumerate([*steps[:4], *comparing, *steps[4:]]):
        ws.write_string(first + n, 1, f"{n + 1}. {step}", text)
        ws.set_row(first + n, max(36, text_height(step, STEP_WIDTH)))
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)  # the steps' column is wider than a portrait A4 page
    ws.protect()
    ws.activate()


def _label(definition: FormDefinition, key: str) -> str:
    """The name of a figure for last year as the form prints it: a table's column (``income.carryover``, 上年结转),
    or a field's column in its matrix (三公经费：（上年决算数） is 上年决算数)."""
    if "." in key:
        table, column = key.split(".", 1)
        return next(c.label for c in definition.tables[table].columns if c.key == column)
    label = definition.fields[key].label
    column = re.search(r"（([^（）]+)）$", label)
    return column[1] if column else label


def _button(macro: str, caption: str, width: int, x_offset: int) -> dict[str, Any]:
    return {"macro": macro, "caption": caption, "width": width, "height": 40, "x_offset": x_offset, "y_offset": 2}
