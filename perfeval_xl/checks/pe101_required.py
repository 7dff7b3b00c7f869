"""PE101: a required field or column is empty, or a table of them has no row at all."""

from collections.abc import Iterator
from typing import Any

from ..definition import FieldSpec
from ..findings import Finding
from ..locate import FieldValue
from ..values import NIL_AMOUNTS, folds_to_one_of
from .base import Context, SchemaCheck

# What stands in a cell for nothing written (/, —, -): in a required text, amount or quantity, nothing. 无 and 没有
# are words, and may be the answer (主要问题：无; an amount of 无 is 0). An actual of / says nothing was counted:
# PE110's to say, against the target.
_PLACEHOLDERS = NIL_AMOUNTS - {"无", "没有"}


def _placeholder(spec: FieldSpec, value: Any) -> bool:
    typed = spec.type in ("text", "amount") or (spec.type == "quantity" and spec.key != "actual")
    return typed and isinstance(value, str) and folds_to_one_of(value, _PLACEHOLDERS)


class RequiredMissing(SchemaCheck):
    """必填项为空：表式要求填写的单元格（单位名称、预算数、三级指标、目标值、实际完成值、得分…）没有内容。

    财政部门据此退回：空着的必填项无法审核，也无法计分。有必填列的表（年度绩效指标、机构名称、评价人员）一行也没有填写的，
    报在该表第一行的第一个必填格。
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
        return value is not None and str(value).strip() != "" and not _placeholder(spec, value)

    def said(self, cell: FieldValue) -> dict[str, Any]:
        """A formula with no result saved (a file from a program that writes none) is empty to us, not in Excel; a
        placeholder is said as what it is."""
        if _placeholder(cell.spec, cell.typed):
            return {"hint": f"（只填了占位符“{cell.typed}”）", "hint_en": f" (only the placeholder '{cell.typed}')"}
        if not cell.formula:
            return {"hint": "", "hint_en": ""}
        return {
            "hint": "（单元格是公式，文件中没有保存计算结果：请在 Excel 或 WPS 中打开并保存后重新提交）",
            "hint_en": " (the cell holds a formula with no result saved in the file: open and save it in Excel or WPS, "
            "then resubmit)",
        }

    def run(self, ctx: Context) -> Iterator[Finding]:
        yield from super().run(ctx)
        for table in ctx.evaluation.extraction.tables.values():
            required = [c for c in table.spec.columns if c.required]
            if table.rows or not required:
                continue
            column = next((c for c in required if not c.fill_down), required[0])  # 三级指标, not 一级指标 above it
            ref = table.first_cell(column.key)
            hint, hint_en = (
                ("（该表没有填写任何一行）", " (no row of the table is filled)")
                if ref is not None
                else ("（找不到该表的表头：表被删除或改了列标题）", " (the table's header is not found)")
            )
            yield self.finding(ctx, ref, key=column.label, label=column.label, hint=hint, hint_en=hint_en)
