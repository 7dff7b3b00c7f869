"""PE112: an amount that looks typed in 元 where the form asks 万元."""

from typing import Any

from ..definition import FieldSpec
from ..engine import parse_typed
from ..locate import FieldValue
from ..values import YUAN_LIKELY
from .base import SchemaCheck


class AmountInYuan(SchemaCheck):
    """金额疑似按元填报：表式金额单位为万元，单元格里的数达到 100 亿元（1,000,000 万元）以上。

    按元填写的金额在万元单元格里放大一万倍：执行率和得分不受影响，汇总、合计和公开的数字却全错。写明单位的（如
    “26341700元”）按所写单位换算，不提示。
    Failing: 预算数（A）填 26341700（实为 2634.17 万元）。Passing: 2634.17 或 “26341700元”。
    """

    code = "PE112"
    name = "金额疑似按元填报"
    name_en = "amount apparently in 元"
    severity = "warning"
    message = {
        "zh": "“{label}”为 {value} 万元（{scaled} 亿元），疑似按元填报：表式金额单位为万元，如为元请换算（{value} 元 = {scaled} 万元）",
        "en": "'{label}' is {value} 万元 ({scaled} 亿元), apparently typed in 元: the form's amounts are in 万元 "
        "({value} 元 = {scaled} 万元)",
    }

    def applies(self, spec: FieldSpec) -> bool:
        return spec.in_wan and not spec.output

    def element_ok(self, spec: FieldSpec, value: Any) -> bool:
        parsed = parse_typed(spec, value)
        return parsed.kind != "number" or parsed.typed_unit is not None or abs(parsed.value or 0.0) < YUAN_LIKELY

    def said(self, cell: FieldValue) -> dict[str, Any]:
        """The figure over 10,000: the amount in 亿元 as typed, and in 万元 if it is 元."""
        return {"scaled": f"{(parse_typed(cell.spec, cell.typed).value or 0.0) / 1e4:,.2f}"}
