"""PE101: a required field or column is empty, or a table of them has no row at all."""

from collections.abc import Iterator
from typing import Any

from ..definition import FieldSpec
from ..findings import Finding
from ..grid import CellRef
from ..locate import FieldValue
from ..values import NIL_AMOUNTS, folds_to_one_of
from .base import Context, SchemaCheck

# What stands in a cell for nothing written (/, —, -): in a required text, amount, quantity or year, nothing. 无 and
# 没有 are words, and may be the answer (主要问题：无; an amount of 无 is 0). An actual of / says nothing was counted:
# PE110's to say, against the target.
_PLACEHOLDERS = NIL_AMOUNTS - {"无", "没有"}


def _placeholder(spec: FieldSpec, value: Any) -> bool:
    typed = spec.type in ("text", "amount", "year") or (spec.type == "quantity" and spec.key != "actual")
    return typed and isinstance(value, str) and folds_to_one_of(value, _PLACEHOLDERS)


class RequiredMissing(SchemaCheck):
    """必填项为空：表式要求填写的单元格（单位名称、预算数、三级指标、目标值、实际完成值、得分…）没有内容。

    财政部门据此退回：空着的必填项无法审核，也无法计分。有必填列的表（年度绩效指标、机构名称、评价人员）一行也没有填写的，
    报在该表第一行的第一个必填格。标签被删除或改写而找不到的必填项、找不到表头的表，报在所在区块的标题格（没有标题的报在 A1），
    同一格的几项合成一条。
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
        extraction = ctx.evaluation.extraction
        unfound: dict[CellRef, list[tuple[str, tuple[str, str]]]] = {}  # by where they are said: label, hint
        for block in extraction.definition.blocks:
            for spec in block.fields:
                value = extraction.fields[spec.key]
                # A field our template adds to the published form (评价年度, 岳阳's 部门（单位）名称) is not missing
                # from a file in the published layout, which has no cell for it.
                if spec.required and not spec.output and not spec.added and value.ref is None:
                    unfound.setdefault(extraction.block_cell(block), []).append((spec.label, _NO_LABEL))
            table = extraction.tables.get(block.id)
            required = [c for c in table.spec.columns if c.required] if table is not None else []
            if table is None or table.rows or not required:
                continue
            column = next((c for c in required if not c.fill_down), required[0])  # 三级指标, not 一级指标 above it
            ref = table.first_cell(column.key)
            if ref is None:
                unfound.setdefault(extraction.block_cell(block), []).append((column.label, _NO_HEADER))
            else:
                yield self.finding(ctx, ref, key=column.label, label=column.label, **_said([_NO_ROW]))
        for ref, missing in unfound.items():
            labels = [label for label, _ in missing]
            hints = list(dict.fromkeys(hint for _, hint in missing))
            yield self.finding(ctx, ref, key="、".join(labels), label="”“".join(labels), **_said(hints))


def _said(hints: list[tuple[str, str]]) -> dict[str, str]:
    """The message's hint arguments (zh, en) saying why these values are empty to us."""
    return {
        "hint": "（" + "；".join(zh for zh, _ in hints) + "）",
        "hint_en": " (" + "; ".join(en for _, en in hints) + ")",
    }


# Why a required value is empty to us: a table with no row filled, or, though the unit may have typed it, a table's
# header or a field's label not found.
_NO_ROW = ("该表没有填写任何一行", "no row of the table is filled")
_NO_HEADER = ("找不到该表的表头：表被删除或改了列标题", "the table's header is not found")
_NO_LABEL = ("找不到标签：标签被删除或改写，请按表式恢复", "the label is not found: deleted or retyped")
