"""PE116: a self-score typed as text, which the 总分 formula's SUM leaves out."""

from collections.abc import Iterator

from ..definition import FormDefinition
from ..findings import Finding
from .base import Check, Context, differs


class ScoreAsText(Check):
    """得分存为文本：自评得分单元格里是文本（“'3”“3分”，或从 Word 粘贴来的数字），总分的公式（SUM）不计入它。

    Excel 和 WPS 的 SUM 跳过文本，表上打印的总分少了这一项，按总分给出的评价等次也随之不对；单元格左上角的绿色三角即
    “以文本形式存储的数字”。本工具仍按它的数计分，总分应为计入后的数。总分是手填的（没有公式）不提示，总分与各项得分
    之和是否相符由 PE208 校验；公式的结果已计入它的（如 =J9+J10 把 “3” 当作 3）不提示。
    Failing: 得分填 “3”（文本），表中总分 88.938，计入后 91.938。Passing: 得分填数字 3。
    """

    code = "PE116"
    name = "得分存为文本"
    name_en = "self-score stored as text"
    severity = "error"
    stage = 1
    message = {
        "zh": "“{key}”的得分“{value}”是文本，总分的公式不计入它：表中总分为 {shown}，计入它应为 {summed}；"
        "请把单元格改为数字 {expected}",
        "en": "the score '{value}' of '{key}' is text, which the total's formula leaves out: the total the sheet "
        "shows, {shown}, is {summed} with it; type the number {expected}",
    }

    @classmethod
    def applies_to(cls, definition: FormDefinition) -> bool:
        return definition.indicators is not None and definition.total is not None

    def run(self, ctx: Context) -> Iterator[Finding]:
        ev = ctx.evaluation
        total = ev.extraction.fields.get(ev.definition.total or "")
        if total is None or not total.formula:
            return
        texts = [i for i in ev.scores.indicators if isinstance(i.row.raw("score"), str) and i.reported_score]
        summed = ev.scores.reported_sum
        cached = total.raw if isinstance(total.raw, int | float) and not isinstance(total.raw, bool) else None
        if not texts or (cached is not None and not differs(cached, summed, 0.5 * 10.0**-ev.definition.score_decimals)):
            return
        # A formula never calculated (a file written by a program) will show the sum without them once it is.
        shown = cached if cached is not None else summed - sum(i.reported_score or 0.0 for i in texts)
        for ind in texts:
            yield self.finding(
                ctx,
                ind.row.ref("score"),
                value=ind.row.raw("score"),
                expected=ind.reported_score,
                key=ind.name,
                shown=f"{round(shown, 4):g}",
                summed=f"{round(summed, 4):g}",
            )
