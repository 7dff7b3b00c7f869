"""The 自评报告 .docx: written from the workbook for every form, in the official typography, into a bureau's own
template, and rendered by LibreOffice into pages that are not blank."""

import hashlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from perfeval_xl.cli import main
from perfeval_xl.definition import load_form
from perfeval_xl.service import check_path
from perfeval_xl.template import build_template
from perfeval_xl.wordreport import column_widths, write_report

from .conftest import (
    GUANGZHOU,
    GUANGZHOU_OFFICIAL,
    HEBEI,
    ROOT,
    TAOJIANG_OFFICIAL,
    XIANGYANG,
    XIANGYANG_OFFICIAL,
    YUEYANG,
    clean_data,
)
from .libreoffice import convert, needs_writer, page_images

EXAMPLES = [XIANGYANG, XIANGYANG_OFFICIAL, GUANGZHOU, GUANGZHOU_OFFICIAL, HEBEI, TAOJIANG_OFFICIAL, YUEYANG]
# What each example's workbook says, as its report must print it: unit, year, budget, executed, total, grade.
FACTS = {
    XIANGYANG: ("襄阳市科学技术协会", "2021年度", "2634.17", "3014.42", "自评总分93分", "“优”"),
    GUANGZHOU: ("广州市科学技术协会", "2021年度", "40959.93", "39398.33", "自评总分93.89分", "“优”"),
    HEBEI: ("香河县科学技术协会", "2019年度", "274.64", "258.13", "本表式不计分", "未评定等次"),
    TAOJIANG_OFFICIAL: ("桃江县科学技术协会", "2023年度", "266.32", "266.32", "自评总分100分", "“优”"),
    YUEYANG: ("岳阳市科学技术协会", "2020年度", "1056.50", "1075.30", "单位自评综合得分100分", "“优”"),
}
FACTS[XIANGYANG_OFFICIAL] = FACTS[XIANGYANG]
FACTS[GUANGZHOU_OFFICIAL] = FACTS[GUANGZHOU]


def text_of(path: Path) -> str:
    """Every paragraph and table cell of a .docx, in order."""
    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reports")
    return {path: write_report(check_path(path), folder / f"{path.stem}.docx") for path in EXAMPLES}


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_report_states_the_workbook_facts(reports, path):
    text = text_of(reports[path])
    for fact in FACTS[path]:
        assert fact in text, fact
    for heading in (
        "摘要",
        "一、部门（单位）概况",
        "二、部门（单位）整体绩效实现情况",
        "附件1",
        "附件2：校验发现的问题",
    ):
        assert heading in text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_open_findings_are_listed_in_the_appendix(reports, path):
    findings = check_path(path).findings
    if not findings:
        assert "经校验，自评表未发现问题。" in text_of(reports[path])
        return
    document = Document(str(reports[path]))
    assert [c.text for c in document.tables[-1].rows[0].cells] == ["序号", "代码", "类别", "位置", "说明"]
    listed = {(row.cells[1].text, row.cells[3].text) for row in document.tables[-1].rows[1:]}
    assert listed == {(f.code, f"{f.sheet}!{f.cell}") for f in findings}


def test_numbers_come_from_the_workbook_never_retyped(make_book, tmp_path):
    data = clean_data()
    data["fields"].update(budget=3200.00)
    report = write_report(check_path(make_book(data)), tmp_path / "r.docx")
    text = text_of(report)
    assert "预算数3200.00万元，执行数3014.42万元，预算执行率94.20%" in text
    assert "预算执行得分18.84分（满分20分）" in text  # 20 × 94.20 %, computed, not the typed 20
    assert "自评总分91.33分" in text


def test_a_form_sent_back_empty_is_reported_without_a_grade(tmp_path):
    path = build_template(load_form("hubei"), tmp_path / "空表.xlsx")
    text = text_of(write_report(check_path(path), tmp_path / "r.docx"))
    assert "没有可计分的内容，未评定等次" in text and "评价等次为“None”" not in text


def test_hebei_report_takes_its_narrative_and_goal_budgets(reports):
    text = text_of(reports[HEBEI])
    assert "香河县科协技术协会，机构规格相当于正科级，编制9名" in text  # the published typo, as written
    assert "全国科普日宣传活动。每年9月中旬开展全国科普日系列宣传活动，需预算1.5万元经费。" in text
    assert "0.50" in text  # 5000元 in 万元
    assert "部门产出情况" in text and "经济性分析" in text and "社会效益分析" in text


def test_official_typography(reports):
    document = Document(str(reports[XIANGYANG]))
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    styles = document.styles

    def east_asian(name):
        return styles[name].element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))

    assert east_asian("Normal") == "仿宋" and styles["Normal"].font.size == Pt(16)
    assert east_asian("Heading 1") == "黑体" and east_asian("Heading 2") == "黑体"
    assert east_asian("Title") == "宋体"
    footer = section.footer.paragraphs[0]._element
    assert [i.text for i in footer.iter(qn("w:instrText"))] == [" PAGE "]
    assert document.sections[-1].page_width > document.sections[-1].page_height  # attachments in landscape


def test_bureau_template_keeps_its_look_and_loses_its_body(tmp_path, reports):
    template = Document()
    template.sections[0].header.paragraphs[0].text = "某某县财政局 预算绩效管理"
    template.styles["Normal"].font.size = Pt(12)
    template.sections[0].left_margin = Cm(3.0)
    template.add_paragraph("此处为模板示例正文，生成报告时应被替换")
    path = tmp_path / "bureau.docx"
    template.save(str(path))
    result = CliRunner().invoke(main, ["report", str(HEBEI), "-o", str(tmp_path / "r.docx"), "--template", str(path)])
    assert result.exit_code == 0, result.output
    report = Document(str(tmp_path / "r.docx"))
    assert report.sections[0].header.paragraphs[0].text == "某某县财政局 预算绩效管理"
    assert report.styles["Normal"].font.size == Pt(12)
    assert round(report.sections[0].left_margin.cm, 1) == 3.0
    text = text_of(tmp_path / "r.docx")
    assert "模板示例正文" not in text
    assert "香河县科学技术协会" in text


def test_cli_report(tmp_path):
    before = hashlib.sha256(GUANGZHOU.read_bytes()).hexdigest()
    result = CliRunner().invoke(main, ["report", str(GUANGZHOU), "-o", str(tmp_path / "gz.docx")])
    assert result.exit_code == 0, result.output
    assert hashlib.sha256(GUANGZHOU.read_bytes()).hexdigest() == before  # the workbook is only read
    assert (tmp_path / "gz.docx").exists()
    assert "自评表尚有提示性问题1项，已列入附件2" in result.output


def test_report_sets_the_total_beside_last_years_with_prior(tmp_path, make_book):
    """report --prior 上年.xlsx: the report says how the total moved since the unit's form of the year before, as
    自评报告 usually do (较上年度提高…分), and its 附件2 lists what check --prior finds; a form of another unit or
    year is named and not compared."""
    data = clean_data()
    data["fields"].update(year=2020, unit="襄阳市科学技术协会")
    last = make_book(data, {"rows": {4: {"score": 1}}})
    before = check_path(last).scores
    out = tmp_path / "襄阳2021.docx"
    result = CliRunner().invoke(main, ["report", str(XIANGYANG), "-o", str(out), "--prior", str(last)])
    assert result.exit_code == 0, result.output
    change = round(93 - round(before.total, 2), 2)
    said = f"较上年度（2020年度自评总分{round(before.total, 2):g}分，评价等次“优”）提高{change:g}分"
    assert said in text_of(out)
    other = make_book(clean_data())  # 2021, as this year's: not the year before
    again = CliRunner().invoke(main, ["report", str(XIANGYANG), "-o", str(out), "--prior", str(other)])
    assert again.exit_code == 0 and "是 2021 年度的，不是本表（2021 年度）的上一年度" in again.output
    assert "较上年度" not in text_of(out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["README.md", "-o", "r.docx"], "不是 Excel 工作簿"),
        ([str(HEBEI), "-o", "r.docx", "--template", "README.md"], "不是有效的 Word 文档"),
        ([str(HEBEI), "-o", "r.pdf"], "请输出为 .docx"),
    ],
)
def test_cli_report_refuses_bad_input(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(ROOT)
    args = [a if a != "r.docx" else str(tmp_path / "r.docx") for a in args]
    result = CliRunner().invoke(main, ["report", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "r.docx").exists()


def test_column_widths_fill_the_line_and_keep_short_columns_readable():
    rows = [["序号", "代码", "说明"], ["1", "PE101", "必填项“概述”为空" * 6]]
    widths = column_widths(rows, 15.6)
    assert sum(widths) == pytest.approx(15.6)
    assert widths[0] >= 0.45 + 0.38 * 2 and widths[2] > 10


@needs_writer
@pytest.mark.parametrize("path", [XIANGYANG, HEBEI], ids=lambda p: p.name)
def test_report_renders_to_pages_that_are_not_blank(tmp_path, reports, path):
    pdf = convert(reports[path], tmp_path, "pdf")
    pages = page_images(pdf, tmp_path)
    assert len(pages) >= 4
    for number, pixels in enumerate(pages, start=1):
        ink = sum(1 for value in pixels if value < 128) / len(pixels)
        assert ink > 0.002, f"page {number} is blank"


def test_readme_shows_a_report_page():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/report_xiangyang_page1.png)" in readme
    image = ROOT / "docs" / "report_xiangyang_page1.png"
    assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
