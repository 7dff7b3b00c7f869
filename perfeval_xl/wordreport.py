"""The 部门（单位）整体绩效自评报告 as a Word document (python-docx), written from a checked workbook of any form:
every number, score and grade comes from the evaluation, never retyped."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.styles.style import BaseStyle

from .definition import BlockSpec, FieldSpec
from .engine import Evaluation, parse_cell
from .findings import SEVERITY_LABEL, percent
from .prior_year import Earlier
from .report import moved_since, points, result_dict

# The outline every province's report follows (seeds 002 桃江, 003 岳阳, 004 香河); the form's ``report`` mapping
# says which of its text fields go under each part.
OUTLINE = (
    ("summary", "摘要"),
    ("profile", "一、部门（单位）概况"),
    ("performance", "二、部门（单位）整体绩效实现情况"),
    ("problems", "三、部门（单位）整体绩效评价存在问题及改进措施"),
    ("disclosure", "四、绩效自评结果拟应用和公开情况"),
)
CHINESE_ORDINALS = "一二三四五六七八九十"
EMPTY = "（未填写）"

# 党政机关公文格式 (GB/T 9704) as the issue asks: A4, 仿宋 三号 body on a 28 pt line, 黑体 headings, 宋体 tables
# and page numbers; Times New Roman for Latin letters and digits.
BODY_FONT, HEADING_FONT, TITLE_FONT, TABLE_FONT, LATIN_FONT = "仿宋", "黑体", "宋体", "宋体", "Times New Roman"
TABLE_STYLE = "Table Grid"


def write_report(
    evaluation: Evaluation, path: str | Path, template: str | Path | None = None, last_year: Earlier | None = None
) -> Path:
    """Write the report of ``evaluation`` to ``path``. With ``template`` (a bureau's own .docx), its styles, page
    set-up, header and footer are kept and its body is replaced by the report; without, the official typography
    is applied to a blank document. With ``last_year`` (the unit's form of the year before), the report says how
    its total moved since."""
    path = Path(path)
    document = _document(template)
    _Writer(document, evaluation, last_year).write()
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


class TemplateError(ValueError):
    """A --template that is not a Word .docx document."""


def _document(template: str | Path | None) -> DocumentObject:
    if template is None:
        document = Document()
        _official_typography(document)
        return document
    try:
        document = Document(str(template))
    except (PackageNotFoundError, BadZipFile, KeyError, ValueError) as exc:
        raise TemplateError(f"模板 {Path(template).name} 不是有效的 Word 文档（.docx）：{exc}") from exc
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    _ensure_styles(document)
    return document


def _fonts(style: Any, east_asia: str, size: float, bold: bool = False) -> None:
    style.font.name = LATIN_FONT
    style.font.size = Pt(size)
    style.font.bold = bold
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def _official_typography(document: DocumentObject) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    styles = document.styles
    normal = styles["Normal"]
    _fonts(normal, BODY_FONT, 16)
    normal.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    normal.paragraph_format.line_spacing = Pt(28)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.first_line_indent = Pt(32)
    title = styles["Title"]
    _fonts(title, TITLE_FONT, 22, bold=True)
    title.font.color.rgb = RGBColor(0, 0, 0)
    border = title.element.get_or_add_pPr().find(qn("w:pBdr"))
    if border is not None:  # python-docx's default Title has a blue rule under it
        border.getparent().remove(border)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.first_line_indent = Pt(0)
    title.paragraph_format.space_after = Pt(16)
    title.paragraph_format.line_spacing = Pt(36)
    for level in (1, 2):
        heading = styles[f"Heading {level}"]
        _fonts(heading, HEADING_FONT, 16)
        heading.font.color.rgb = RGBColor(0, 0, 0)
        fmt = heading.paragraph_format
        fmt.first_line_indent = Pt(32) if level == 2 else Pt(0)
        fmt.space_before, fmt.space_after = Pt(6 if level == 2 else 12), Pt(6)
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = Pt(28)
    _fonts(styles[TABLE_STYLE], TABLE_FONT, 10.5)
    _page_numbers(section.footer.paragraphs[0])


def _ensure_styles(document: DocumentObject) -> None:
    """A bureau's template may lack a style we use (Word keeps unused built-in styles latent): add it plainly."""
    names = {style.name for style in document.styles}
    for name, kind in (
        ("Title", WD_STYLE_TYPE.PARAGRAPH),
        ("Heading 1", WD_STYLE_TYPE.PARAGRAPH),
        ("Heading 2", WD_STYLE_TYPE.PARAGRAPH),
        (TABLE_STYLE, WD_STYLE_TYPE.TABLE),
    ):
        if name not in names:
            style: BaseStyle = document.styles.add_style(name, kind)
            if kind == WD_STYLE_TYPE.PARAGRAPH:
                _fonts(style, TITLE_FONT if name == "Title" else HEADING_FONT, 22 if name == "Title" else 16)
            else:
                _table_borders(style)


def _table_borders(style: Any) -> None:
    tblpr = style.element.get_or_add_tblPr()
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        line = OxmlElement(f"w:{edge}")
        line.set(qn("w:val"), "single")
        line.set(qn("w:sz"), "4")
        borders.append(line)
    tblpr.append(borders)


def _page_numbers(paragraph: Any) -> None:
    """A centred “— 1 —” page number in 宋体 四号: a PAGE field between em dashes."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.first_line_indent = Pt(0)

    def run(text: str = "") -> Any:
        r = paragraph.add_run(text)
        r.font.size = Pt(14)
        r.font.name = LATIN_FONT
        r._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), TITLE_FONT)
        return r

    run("— ")
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = run()
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            r._element.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            r._element.append(instr)
        else:
            r.text = text
    run(" —")


def findings_phrase(evaluation: Evaluation) -> str:
    """“强制性问题6项、提示性问题1项”, naming only the kinds there are."""
    errors, warnings = evaluation.severity_counts()
    return "、".join(f"{kind}问题{n}项" for kind, n in (("强制性", errors), ("提示性", warnings)) if n)


def column_widths(rows: list[list[str]], text_width: float) -> list[float]:
    """Column widths (cm) that fit the text width: a short column (序号, 代码, 分值) gets what its longest cell
    needs at 五号, and the long ones share the rest by their length."""
    need = [0.45 + 0.38 * min(40.0, max(_chars(row[c]) for row in rows)) for c in range(len(rows[0]))]
    if sum(need) <= text_width:
        return [text_width * n / sum(need) for n in need]
    short = [n if n <= 3.0 else 0.0 for n in need]
    spare = text_width - sum(short)
    long_total = sum(n for n, s in zip(need, short, strict=True) if not s)
    return [s or spare * n / long_total for n, s in zip(need, short, strict=True)]


def _chars(text: str) -> float:
    """Width of a text in CJK characters (Latin letters and digits are about half as wide)."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)


def plain(value: Any) -> str:
    """A typed cell as text: whole numbers without “.0” (calamine reads 2019 as 2019.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def amount(value: float | None) -> str:
    """万元 with two decimals, as the forms print amounts; “—” when missing."""
    return "—" if value is None else f"{value:.2f}"


class _Writer:
    def __init__(self, document: DocumentObject, evaluation: Evaluation, last_year: Earlier | None = None) -> None:
        self.doc = document
        self.ev = evaluation
        self.last_year = last_year
        self.d = evaluation.definition
        self.result = result_dict(evaluation, "")

    # -- building blocks
    def heading(self, text: str, level: int) -> None:
        self.doc.add_heading(text, level)

    def paragraphs(self, text: str) -> None:
        for line in text.split("\n") if text.strip() else [EMPTY]:
            if line.strip():
                self.doc.add_paragraph(line.strip())

    def table(self, header: list[str], rows: Iterable[list[str]]) -> None:
        rows = list(rows)
        table = self.doc.add_table(rows=1 + len(rows), cols=len(header))
        table.style = self.doc.styles[TABLE_STYLE]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        section = self.doc.sections[-1]
        text_width = Emu(section.page_width - section.left_margin - section.right_margin).cm
        widths = column_widths([header, *rows], text_width)
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width)
        for r, values in enumerate([header, *rows]):
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.text = value
                paragraph = cell.paragraphs[0]
                paragraph.paragraph_format.first_line_indent = Pt(0)
                paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
                for run in paragraph.runs:
                    run.font.size = Pt(10.5)
                    run.font.bold = r == 0
                    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), TABLE_FONT)
                cell.width = Cm(widths[c])
        self.doc.add_paragraph()

    def text_fields(self, part: str, first: int = 0) -> None:
        """The form's text fields of one part of the outline, each under its numbered label."""
        keys = self.d.outline.get(part, ())
        part_heading = dict(OUTLINE)[part]
        for n, key in enumerate(keys, start=first):
            spec = self.d.fields[key]
            # A part holding one field named like the part itself (四、…公开情况) needs no sub-heading.
            if not (len(keys) == 1 and first == 0 and spec.label in part_heading):
                self.heading(f"（{CHINESE_ORDINALS[n]}）{spec.label}" if n < len(CHINESE_ORDINALS) else spec.label, 2)
            self.paragraphs(self.value_text(spec))

    def value_text(self, spec: FieldSpec) -> str:
        """A field as the unit typed it; a computed field as we computed it."""
        scores = self.ev.scores
        if spec.key == self.d.total:
            return points(scores.total, self.d.score_decimals)
        if spec.key == self.d.grade:
            return scores.grade or ""
        if spec.key in scores.ratios:
            return percent(scores.ratios[spec.key])
        if spec.key == self.d.checked_total:
            return points(scores.total, self.d.score_decimals)
        if self.d.budget is not None and spec.key == self.d.budget.rate and scores.rate is not None:
            return percent(scores.rate)
        if self.d.budget is not None and spec.key == self.d.budget.score:
            return points(scores.budget_score, self.d.score_decimals)
        if spec.type == "amount":
            value = self.ev.number(spec.key)
            return amount(value) if value is not None else self.ev.text(spec.key)
        value = self.ev.extraction.fields.get(spec.key)
        return "" if value is None else plain(value.typed)

    # -- the facts every report states
    @property
    def year(self) -> str:
        return f"{self.ev.extraction.year}年度" if self.ev.extraction.year else ""

    def budget_sentence(self) -> str:
        s = self.ev.scores
        if self.d.headline is None:
            return ""  # the form states no department budget (岳阳: 收支 by institution, in 附件1)
        if s.budget is None and s.executed is None:
            return "预算执行数据未填写。"
        rate = f"，预算执行率{percent(s.headline_rate)}" if s.headline_rate is not None else ""
        text = f"{self.year}部门整体支出预算数{amount(s.budget)}万元，执行数{amount(s.executed)}万元{rate}。"
        if self.d.budget is not None and s.budget_score is not None:
            text += f"预算执行得分{points(s.budget_score, self.d.score_decimals)}分（满分{self.d.budget.weight:g}分）。"
        return text

    def score_sentence(self) -> str:
        s = self.ev.scores
        if s.total is None and s.reported_total is not None and self.d.grade:
            typed = self.ev.text(self.d.grade) or EMPTY
            return f"单位自评综合得分{points(s.reported_total, self.d.score_decimals)}分，评价等次为“{typed}”。"
        if s.total is None:
            return "本表式不计分，未评定等次。"
        reported = points(s.reported_total, self.d.score_decimals)
        graded = f"评价等次为“{s.grade}”" if s.grade else "没有可计分的内容，未评定等次"
        return (
            f"按{self.d.region}《{self.d.name}》的评分规则复核，自评总分{points(s.total, self.d.score_decimals)}分"
            f"（单位填报{reported}分），{graded}{self.since_last_year()}。"
        )

    def since_last_year(self) -> str:
        """How the total moved since the unit's form of the year before (see ``report.moved_since``)."""
        moved = moved_since(self.last_year, self.ev)
        return f"，{moved}" if moved else ""

    def findings_sentence(self) -> str:
        if not self.ev.findings:
            return "经校验，自评表未发现问题。"
        return f"经校验，自评表尚有{findings_phrase(self.ev)}，详见附件2。"

    # -- the document
    def write(self) -> None:
        unit = self.ev.unit or EMPTY
        self.doc.add_paragraph(f"{self.year}部门（单位）整体绩效自评报告", style="Title")
        cover = [("部门（单位）名称", unit)]
        for key in ("supervisor", "report_date", "fill_date"):
            if key in self.d.fields and self.ev.text(key):
                cover.append((self.d.fields[key].label, self.ev.text(key)))
        for label, value in cover:
            paragraph = self.doc.add_paragraph(f"{label}：{value}")
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.paragraph_format.first_line_indent = Pt(0)
        self.summary()
        self.profile()
        self.performance()
        self.heading(OUTLINE[3][1], 1)
        self.text_fields("problems")
        self.shortfalls()
        self.heading(OUTLINE[4][1], 1)
        if self.d.outline.get("disclosure"):
            self.text_fields("disclosure")
        else:
            self.paragraphs("")
        self.attachment_tables()
        self.attachment_findings()

    def summary(self) -> None:
        self.heading(OUTLINE[0][1], 1)
        self.paragraphs(f"{self.ev.unit}{self.budget_sentence()}{self.score_sentence()}{self.findings_sentence()}")
        for key in self.d.outline.get("summary", ()):
            spec = self.d.fields[key]
            self.heading(spec.label, 2)
            self.paragraphs(self.value_text(spec))

    def profile(self) -> None:
        self.heading(OUTLINE[1][1], 1)
        self.paragraphs(f"部门（单位）名称：{self.ev.unit or EMPTY}。评价年度：{self.year or EMPTY}。")
        self.text_fields("profile")

    def performance(self) -> None:
        self.heading(OUTLINE[2][1], 1)
        self.heading("（一）预算执行情况", 2)
        self.paragraphs(self.budget_sentence())
        self.heading("（二）自评得分情况", 2)
        self.paragraphs(self.score_sentence())
        if self.ev.scores.total is not None:
            self.score_table()
        self.text_fields("performance", first=2)

    def score_table(self) -> None:
        sections = self.result["scores"]["sections"]
        decimals = self.d.score_decimals
        rows = [
            [name, f"{s['weight']:g}", points(s["score"], decimals), points(s["reported"], decimals)]
            for name, s in sections.items()
        ]
        s = self.ev.scores
        rows.append(["总分", f"{self.d.total_weight:g}", points(s.total, decimals), points(s.reported_total, decimals)])
        self.table(["评价内容", "分值", "复核得分", "填报得分"], rows)

    def shortfalls(self) -> None:
        """The indicators that did not earn their full weight, each with the unit's own explanation."""
        lost = [
            i
            for i in self.ev.scores.indicators
            if i.weight is not None and i.computed is not None and i.computed < i.weight - 1e-9 and i.bonus is None
        ]
        if not lost:
            return
        decimals = self.d.score_decimals
        self.heading("（附）未得满分的指标", 2)
        self.table(
            ["指标", "分值", "复核得分", "目标值", "实际完成值"],
            [
                [i.name, f"{i.weight:g}", points(i.computed, decimals), plain(i.target.raw), plain(i.actual.raw)]
                for i in lost
            ],
        )

    def attachment_tables(self) -> None:
        """The workbook's tables, on landscape pages (the indicator grids are wide)."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        if section.orientation != WD_ORIENT.LANDSCAPE:
            section.orientation = WD_ORIENT.LANDSCAPE
            section.page_width, section.page_height = section.page_height, section.page_width
            section.top_margin, section.bottom_margin = Cm(2.5), Cm(2.5)
        self.heading(f"附件1：{self.d.region}{self.d.name}", 1)
        for block in self.d.blocks:
            if block.matrix is not None:
                self.matrix(block)
            elif block.table is not None:
                self.data_table(block)
            else:
                short = [f for f in block.fields if not f.tall]
                if short:
                    if block.title:
                        self.heading(block.title, 2)
                    self.table(["项目", "内容"], [[f.label, self.value_text(f)] for f in short])

    def matrix(self, block: BlockSpec) -> None:
        assert block.matrix is not None
        self.heading(block.title or block.anchor or block.id, 2)
        fields = self.d.fields
        rows = [
            [row.label, *(self.value_text(fields[block.matrix.key(row.key, c.key)]) for c in block.matrix.columns)]
            for row in block.matrix.rows
        ]
        self.table(["", *(c.label for c in block.matrix.columns)], rows)

    def data_table(self, block: BlockSpec) -> None:
        assert block.table is not None
        table = self.ev.extraction.tables.get(block.id)
        self.heading(block.title or block.anchor or "表格", 2)
        if table is None or not table.rows:
            self.paragraphs("")
            return
        computed = {id(i.row): i for i in self.ev.scores.indicators}
        # Columns the layout has and the unit used (an official layout leaves our added columns out or empty).
        columns = [
            c
            for c in block.table.columns
            if c.output or (c.key in table.columns and any(plain(r.raw(c.key)) for r in table.rows))
        ]
        rows = []
        for row in table.rows:
            indicator = computed.get(id(row))
            cells = []
            for column in columns:
                if column.output and indicator is not None:
                    cells.append(points(indicator.computed, self.d.score_decimals))
                elif column.type == "amount" and parse_cell(row.cells.get(column.key)).kind == "number":
                    cells.append(amount(parse_cell(row.cells.get(column.key)).value))
                else:
                    cells.append(plain(row.raw(column.key)))
            rows.append(cells)
        self.table([c.label for c in columns], rows)

    def attachment_findings(self) -> None:
        self.heading("附件2：校验发现的问题", 1)
        findings = self.ev.findings
        if not findings:
            self.paragraphs("未发现问题。")
            return
        self.paragraphs(self.findings_sentence().replace("，详见附件2", ""))
        self.table(
            ["序号", "代码", "类别", "位置", "说明"],
            [
                [str(n), f.code, SEVERITY_LABEL["zh"][f.severity], f"{f.sheet}!{f.cell}", f.message("zh")]
                for n, f in enumerate(findings, start=1)
            ],
        )
