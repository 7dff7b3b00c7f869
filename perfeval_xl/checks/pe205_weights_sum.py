"""PE205: the weights of a section's indicators do not add up to the section's weight."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from ..grid import CellRef, fold_label
from ..locate import TableExtraction
from .base import Check, Context, differs, section_rows


class SectionWeightsSum(Check):
    """指标分值合计与一级指标分值不符：三级指标分值之和应等于所属一级指标的分值（如 产出指标 40 分）。

    分值不闭合，满分就不是 100 分，得分无法比较。只在该部分每个指标都填了分值时检查；一个一级指标下一个指标也没有的
    （加减分项除外），合计为 0，报在表中该一级指标的名称上（名称也被删去的，报在该表的标题格）。
    Failing: 产出指标各项分值合计 38；满意度指标（10分）下没有任何指标。Passing: 合计 40。
    """

    code = "PE205"
    name = "指标分值合计与一级指标分值不符"
    name_en = "indicator weights do not add up to the section weight"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{key}”各指标分值合计 {value}，应为 {expected}{hint}",
        "en": "weights in '{key}' add up to {value}, expected {expected}{hint_en}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        for section in ctx.evaluation.scores.sections:
            if section.weights_typed is not None and differs(section.weights_typed, section.weight, 0.0):
                first = section_rows(ctx, section.name)[0]
                yield self.finding(
                    ctx,
                    first.row.ref("weight"),
                    value=section.weights_typed,
                    expected=section.weight,
                    key=section.name,
                    hint="",
                    hint_en="",
                )
        yield from self._empty_sections(ctx)

    def _empty_sections(self, ctx: Context) -> Iterator[Finding]:
        """A section with no indicator at all (its rows left blank or deleted), in a table that has some."""
        rules = ctx.evaluation.definition.indicators
        table = ctx.evaluation.extraction.tables.get(rules.table) if rules else None
        if rules is None or table is None or not table.rows:
            return
        block = next(b for b in ctx.evaluation.definition.blocks if b.id == rules.table)
        for section in rules.sections:
            if section.bonus is None and not section_rows(ctx, section.name):
                yield self.finding(
                    ctx,
                    _name_cell(ctx, table, section.name) or ctx.evaluation.extraction.block_cell(block),
                    value=0.0,
                    expected=section.weight,
                    key=section.name,
                    hint="（该一级指标下没有填写任何指标）",
                    hint_en=" (no indicator is filled in the section)",
                )


def _name_cell(ctx: Context, table: TableExtraction, name: str) -> CellRef | None:
    """The cell naming a section in the table's 一级指标 column (满意度指标（10分）, kept by the template or the layout
    when its rows are blank), None when the sheet no longer names it."""
    if table.start is None or "level1" not in table.columns:
        return None
    sheet, start = table.start
    positions = ctx.evaluation.extraction.grids[sheet].label_index.get(fold_label(name), ())
    return next(
        (CellRef(sheet, r, c) for r, c in positions if r >= start and c == table.columns["level1"]),
        None,
    )
