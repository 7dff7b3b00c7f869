"""PE107: a dropdown cell holding a value that is not one of its choices."""

from typing import Any

from ..definition import FieldSpec
from ..locate import choice_named
from .base import SchemaCheck


class InvalidChoice(SchemaCheck):
    """选项无效：指标性质只能是 正向/反向/定性，完成档次只能是表式列出的三档。

    自造的选项无法对应计分规则（例如 “基本完成” 不知属于哪一档）；前后多出不改变意思的字（已、全部、指标，
    如 “正向指标”“全部达成预期指标”）的仍算该选项。
    Failing: 指标性质 “正面”。Passing: “正向”。
    """

    code = "PE107"
    name = "选项无效"
    name_en = "invalid choice"
    severity = "error"
    message = {"zh": "“{label}”填写“{value}”不在可选项中", "en": "'{value}' is not a valid choice for '{label}'"}

    def applies(self, spec: FieldSpec) -> bool:
        return spec.type == "choice"

    def element_ok(self, spec: FieldSpec, value: Any) -> bool:
        return value in ("", None) or choice_named(value, spec.choices) is not None
