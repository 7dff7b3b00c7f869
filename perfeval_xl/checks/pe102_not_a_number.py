"""PE102: text where the form expects a number."""

from typing import Any

from ..definition import FieldSpec
from ..engine import parse_typed
from ..locate import FieldValue
from .base import SchemaCheck, value_hint

NUMERIC_TYPES = ("amount", "rate", "score")


class NotANumber(SchemaCheck):
    """数值单元格含文字：金额、比率、分值、得分单元格须为数字（可带 万元、%、分 等单位）。

    文字无法参与计算，合计和得分都会算错。单元格显示公式错误值（#DIV/0!、#REF!、#N/A）的提示修正公式；
    是 Excel 把输入自动转成的日期的，提示先把单元格设为文本。
    Failing: 预算数（A）填 “约二千六百万”。Passing: 2634.17 或 “2634.17万元”。
    """

    code = "PE102"
    name = "数值单元格含文字"
    name_en = "text in a numeric cell"
    severity = "error"
    message = {
        "zh": "“{label}”应为数字，实为“{value}”{hint}",
        "en": "'{label}' must be a number, found '{value}'{hint_en}",
    }

    def applies(self, spec: FieldSpec) -> bool:
        return spec.type in NUMERIC_TYPES and not spec.output

    def element_ok(self, spec: FieldSpec, value: Any) -> bool:
        return value in ("", None) or parse_typed(spec, value).kind == "number"

    def said(self, cell: FieldValue) -> dict[str, Any]:
        hint, hint_en = value_hint(cell.typed)
        return {"hint": hint, "hint_en": hint_en}
