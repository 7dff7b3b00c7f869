"""PE216: a figure a text repeats differs from the table's."""

import re
from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from ..values import parse_quantity
from .base import Check, Context, differs


class CitedFigureMismatch(Check):
    """文字所引数字与表内不符：叙述文字重复了表中的某个数（基本情况写“编制9名”），却与表中的数（编制数）不一致。

    报告每年手工抄写，数字容易与表格脱节；财政部门公开的报告里同一个数前后不一，正是退回的理由。
    Failing: 基本情况写“编制9名”，编制数填 10。Passing: 编制数填 9。
    """

    code = "PE216"
    name = "文字所引数字与表内不符"
    name_en = "a figure cited in the text differs from the table"
    severity = "error"
    stage = 2
    message = {
        "zh": "“{text}”写“{cited}”，而“{field}”为 {expected}",
        "en": "'{text}' says '{cited}' but '{field}' is {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return bool(definition.citations)

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        for citation in ev.definition.citations:
            value = ev.number(citation.field)
            match = re.search(citation.pattern, ev.text(citation.text))
            if value is None or match is None:
                continue
            cited = parse_quantity(match.group(1))
            if cited.kind != "number" or differs(cited.value or 0.0, value, cited.tolerance):
                fields = ev.extraction.fields
                yield self.finding(
                    ctx,
                    fields[citation.text].ref,
                    value=match.group(0),
                    expected=value,
                    text=fields[citation.text].spec.label,
                    cited=match.group(0),
                    field=fields[citation.field].spec.label,
                )
