"""PE108: the workbook holds the form in more than one sheet, and only one of them is checked."""

from collections.abc import Iterator

from ..findings import Finding
from ..grid import CellRef
from .base import Check, Context


class FormCopies(Check):
    """工作簿中有多张工作表都是本表：只校验其中一张，另一张可能才是本年度所填的。

    单位常把上年的表复制进新工作簿再填（“2022年自评表”与“2023年自评表”并列），或复制模板的表另填一份；
    校验与计分用的是其中单位看得见（未隐藏）、填了内容的一张，都一样时取第一张；须由单位删除多余的表或确认所填的是哪一张。
    Failing: 工作簿中另有一张“2022年自评表”，标签与本表相同。Passing: 只有一张自评表。
    """

    code = "PE108"
    name = "多张工作表为同一表式"
    name_en = "form in several sheets"
    severity = "warning"
    stage = 1
    message = {
        "zh": "工作簿中的“{others}”也是本表，本次校验的是“{sheet}”：请删除多余的表，或确认所填的是这一张",
        "en": "sheet(s) {others_en} also hold this form; '{sheet}' was checked: delete the extra copy or check the filled one",
    }

    def run(self, ctx: Context) -> Iterator[Finding]:
        for sheet, others in ctx.evaluation.extraction.copies.items():
            yield self.finding(
                ctx,
                CellRef(sheet, 0, 0),
                value=list(others),
                key=sheet,
                sheet=sheet,
                others="”“".join(others),
                others_en=", ".join(repr(name) for name in others),
            )
