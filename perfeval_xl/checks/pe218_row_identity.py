"""PE218: an identity that must hold in every row of a table does not hold in one."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..engine import parse_cell
from ..findings import Finding
from .base import Check, Context


class RowIdentity(Check):
    """表格逐行勾稽不平：每一行（每个机构）都须满足的等式，如 收入合计 = 公共财政拨款 + 政府基金拨款 + 专户非税收入 +
    其他收入，支出合计 = 基本支出 + 项目支出，基本支出 = 人员支出 + 公用支出，当年结余 = 收入合计 − 支出合计，
    累计结余 = 上年结转 + 当年结余（另一张表的数取同名机构那一行）。空白按 0 计。

    岳阳 2020：科技活动管理中心 人员支出 3.17，基本支出却空着。
    Failing: 基本支出 空白，人员支出 3.17。Passing: 基本支出 3.17。
    """

    code = "PE218"
    name = "表格逐行勾稽不平"
    name_en = "a row identity does not hold"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{row}”：“{total}”为 {found}，按 {parts} 应为 {expected}",
        "en": "'{row}': '{total}' is {found_en} but {parts} gives {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return bool(definition.row_sums)

    def run(self, ctx: Context) -> Iterator[Finding]:
        tables = ctx.evaluation.extraction.tables
        for rule in ctx.evaluation.definition.row_sums:
            table = tables.get(rule.table)
            if table is None or rule.total not in table.columns:
                continue
            others = {
                name: {tables[name].key(row): row for row in tables[name].rows}
                for name in {t.table for t in rule.terms}
                if name in tables
            }
            parts = " ".join(
                f"{'−' if t.sign < 0 else '+'} {tables[t.table].spec.column(t.column).label}"
                for t in rule.terms
                if t.table in tables
            ).lstrip("+ ")
            for row in table.rows:
                name = table.key(row)
                sources = [(t, row if t.table == rule.table else others.get(t.table, {}).get(name)) for t in rule.terms]
                if any(source is None for _, source in sources):
                    continue
                total = parse_cell(row.cells.get(rule.total))
                terms = [(t.sign, parse_cell(source.cells.get(t.column))) for t, source in sources if source]
                title = table.name(row)
                finding = self.identity_finding(
                    ctx,
                    row.ref(rule.total),
                    total,
                    terms,
                    key=title,
                    row=title,
                    total=table.spec.column(rule.total).label,
                    parts=parts,
                )
                if finding is not None:
                    yield finding
