"""PE101: a required field or column is empty."""

from typing import Any

from ..definition import FieldSpec
from ..locate import FieldValue
from .base import SchemaCheck


class RequiredMissing(SchemaCheck):
    """必填项为空：表式要求填写的单元格（单位名称、预算数、三级指标、目标值、实际完成值、得分…）没有内容。

    财政部门据此退回：空着的必填项无法审核，也无法计分。
    Failing: 三级指标 “政府专项项目个数” 的实际完成值（B）为空。Passing: 填写 “2个”。
    """

    code = "PE101"
    name = "必填项为空"
    name_en = "required value missing"
    severity = "error"
    message = {"zh": "必填项“{label}”为空{hint}", "en": "required value '{label}' is empty{hint_en}"}

    def applies(self, spec: FieldSpec) -> bool:
        return spec.required and not spec.output

    def element_ok(self, spec: FieldSpec, value: Any) -> bool:
        return value is not None and str(value).strip() != ""

    def said(self, cell: FieldValue) -> dict[str, Any]:
        """A formula with no result saved (a file from a program that writes none) is empty to us, not in Excel."""
        if not cell.formula:
            return {"hint": "", "hint_en": ""}
        return {
            "hint": "（单元格是公式，文件中没有保存计算结果：请在 Excel 或 WPS 中打开并保存后重新提交）",
            "hint_en": " (the cell holds a formula with no result saved in the file: open and save it in Excel or WPS, "
            "then resubmit)",
        }
