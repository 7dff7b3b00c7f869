"""PE103: a negative amount, rate, weight or score."""

from typing import Any

from ..definition import FieldSpec
from ..engine import parse_typed
from .base import SchemaCheck
from .pe102_not_a_number import NUMERIC_TYPES


class NegativeValue(SchemaCheck):
    """数值为负：预算数、执行数、执行率、分值和得分都不能小于 0（加减分项的得分可以为负）。

    负数多为录入错误（把差额填进了金额栏），会让执行率和总分失真。
    Failing: 得分填 −2。Passing: 得分填 2。
    """

    code = "PE103"
    name = "数值为负"
    name_en = "negative value"
    severity = "error"
    message = {"zh": "“{label}”不能为负数，实为 {value}", "en": "'{label}' cannot be negative, found {value}"}

    def applies(self, spec: FieldSpec) -> bool:
        return spec.type in NUMERIC_TYPES and not spec.output and not spec.signed

    def element_ok(self, spec: FieldSpec, value: Any) -> bool:
        parsed = parse_typed(spec, value)
        return parsed.kind != "number" or (parsed.value or 0.0) >= 0
