"""Build the example workbooks from the faithful seed transcriptions (``*.yaml`` beside this file).

Each transcription gives two workbooks: one made from our template (``<name>.xlsx``) and one laid out by hand in
the official layout, as units actually send it (``<name>_official.xlsx``). Run: ``python examples/build_examples.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import xlsxwriter
import yaml

from perfeval_xl.definition import load_form
from perfeval_xl.template import build_template

HERE = Path(__file__).resolve().parent


def _official_book(path: Path, sheet: str, widths: tuple[float, ...]) -> tuple[Any, Any, dict[str, Any]]:
    """A hand-made workbook in 宋体 with the formats the official layouts use: cell, bold, pct, plain, title."""
    book = xlsxwriter.Workbook(str(path))
    ws = book.add_worksheet(sheet)
    base = {"font_name": "宋体", "font_size": 10, "border": 1, "valign": "vcenter", "text_wrap": True}
    formats = {
        "cell": book.add_format(base),
        "bold": book.add_format({**base, "bold": True, "align": "center"}),
        "pct": book.add_format({**base, "num_format": "0.00%"}),
        "plain": book.add_format({**base, "border": 0}),
        "title": book.add_format({**base, "border": 0, "bold": True, "font_size": 16, "align": "center"}),
    }
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    return book, ws, formats


def build_official_hubei(data: dict[str, Any], path: Path) -> Path:
    """The 湖北 table as published by 襄阳市科协: no added columns, merged 一级 cells, typed results."""
    definition = load_form("hubei")
    fields = data["fields"]
    rows = data["tables"]["indicators"]
    book, ws, fmt = _official_book(path, "Sheet1", (12, 12, 12, 36, 14, 14, 14))
    cell, bold, pct, plain, title = (fmt[k] for k in ("cell", "bold", "pct", "plain", "title"))
    ws.merge_range("A1:G1", data["title"], title)
    ws.merge_range("A2:G2", data["header_line"], plain)
    ws.write("A3", "单位名称", bold)
    ws.merge_range("B3:G3", fields["unit"], cell)
    ws.write_row("A4", ["基本支出总额", fields["basic_total"], "项目支出总额", fields["project_total"]], cell)
    ws.merge_range("A5:A6", "预算执行情况（万元）\n（20分）", bold)
    ws.write_row("B5", ["", "预算数（A）", "执行数（B）", "执行率（B/A）", "得分\n（20分*执行率）"], bold)
    ws.write_row("B6", ["部门整体支出总额", fields["budget"], fields["executed"]], cell)
    ws.write_number("E6", float(fields["rate"].rstrip("%")) / 100, pct)
    ws.write("F6", fields["budget_score"], cell)
    ws.write("A7", "年度目标（80分）", bold)
    ws.merge_range("B7:G7", fields["goal"], cell)
    ws.set_row(6, 300)
    first = 7
    last = first + len(rows)
    ws.merge_range(first, 0, last, 0, "年度绩效指标", bold)
    ws.write_row(first, 1, ["一级指标", "二级指标", "三级指标", "年初目标值（A）", "实际完成值（B）", "得分"], bold)
    weights = {s.name: s.weight for s in definition.indicators.sections}
    r = first + 1
    for section in weights:
        members = [row for row in rows if row["section"] == section]
        label = f"{section}（{weights[section]:g}分）"
        if len(members) > 1:
            ws.merge_range(r, 1, r + len(members) - 1, 1, label, cell)
        else:
            ws.write(r, 1, label, cell)
        for row in members:
            ws.write_row(r, 2, [row["level2"], row["name"], row["target"], row["actual"], row["score"]], cell)
            r += 1
    ws.write(r, 0, "总分", bold)
    ws.merge_range(r, 1, r, 6, fields["total"], cell)
    ws.write(r + 1, 0, "偏差大或\n目标未完成\n原因分析", bold)
    ws.merge_range(r + 1, 1, r + 1, 6, fields["deviation"], cell)
    ws.write(r + 2, 0, "改进措施及\n结果应用方案", bold)
    ws.merge_range(r + 2, 1, r + 2, 6, fields["improvement"], cell)
    ws.set_row(r + 1, 90)
    ws.set_row(r + 2, 110)
    published_notes = "\n".join(definition.footnotes.splitlines()[:5])
    ws.merge_range(r + 4, 0, r + 4, 6, published_notes, plain)
    ws.set_row(r + 4, 130)
    book.close()
    return path


def _merge_runs(ws: Any, rows: list[dict[str, Any]], top: int, keys: tuple[tuple[int, str], ...], fmt: Any) -> None:
    """Merge each run of rows sharing the first key's value, as the published table merges 一级/二级 cells."""
    start = 0
    for end in range(1, len(rows) + 1):
        if end == len(rows) or rows[end][keys[0][1]] != rows[start][keys[0][1]]:
            for col, key in keys:
                if end - start > 1:
                    ws.merge_range(top + start, col, top + end - 1, col, rows[start][key], fmt)
                else:
                    ws.write(top + start, col, rows[start][key], fmt)
            start = end


def build_official_guangzhou(data: dict[str, Any], path: Path) -> Path:
    """The 广州 table as published by 广州市科协: no added cells; the 管理效能 part headed by 指标解释, the 履职效能
    part by 年度指标值/实际完成指标值/备注, the 加减分项 under the first header again, typed rates and total."""
    f = data["fields"]
    rows = data["tables"]["indicators"]
    book, ws, fmt = _official_book(path, "部门整体支出绩效自评表", (10, 8, 14, 6, 26, 6, 30, 30, 30, 30, 10))
    cell, bold, pct, plain, title = (fmt[k] for k in ("cell", "bold", "pct", "plain", "title"))
    ws.merge_range("A1:K1", data["title"], title)
    ws.merge_range("A2:K2", data["subtitle"], plain)
    ws.merge_range("A3:K3", "单位基本情况", bold)
    ws.write("A4", "单位名称", bold)
    ws.merge_range("B4:G4", f["unit"], cell)
    ws.merge_range("H4:K4", f"单位数:{f['unit_count']}", cell)
    ws.write("A5", "年度整体绩效目标", bold)
    ws.merge_range("B5:D5", f["goal"], cell)
    ws.merge_range("E5:F5", "整体绩效目标完成情况", bold)
    ws.write("G5", f["goal_done"], cell)
    ws.write("H5", "未能完成原因", bold)
    ws.merge_range("I5:K5", f["goal_missed"], cell)
    ws.set_row(4, 400)
    ws.merge_range("A6:A10", "年度部门整体支出规模(万元)", bold)
    ws.write("B6", "", bold)
    for first, label in (("C6:D6", "按资金来源"), ("E6:F6", "按资金结构"), ("G6:H6", "按预算级次")):
        ws.merge_range(first, label, bold)
    columns = ("fiscal", "other", "basic", "project", "city", "transfer")
    ws.write_row("B7", ["", "财政拨款", "其他资金", "基本支出", "项目支出", "市本级支出", "转移支付区"], bold)
    ws.write_row("B8", ["全年预算数", *(f[f"budget_{c}"] for c in columns)], cell)
    ws.write_row("B9", ["全年执行数", *(f[f"executed_{c}"] for c in columns)], cell)
    ws.write("B10", "完成率", bold)
    for offset, column in enumerate(columns):
        ws.write_number(9, 2 + offset, float(f[f"rate_{column}"].rstrip("%")) / 100, pct)
    first_header = ["一级指标", "分值", "二级指标", "分值", "三级指标", "分值", "指标解释", "得分/自评分"]
    first_header.append("评分依据、未达标原因、改进措施")
    duty_header = [*first_header[:6], "年度指标值", "实际完成指标值", *first_header[7:], "备注"]
    r = 10
    for section, header, keys in (
        ("管理效能", first_header, ("explanation", "score", "basis")),
        ("履职效能", duty_header, ("target", "actual", "score", "basis")),
        ("加减分项", first_header, ("explanation", "score", "remark", "basis")),
    ):
        ws.write_row(r, 0, header, bold)
        members = [row for row in rows if row["section"] == section]
        top = r + 1
        _merge_runs(ws, members, top, ((0, "level1"), (1, "level1_weight")), cell)
        _merge_runs(ws, members, top, ((2, "level2"), (3, "level2_weight")), cell)
        for row in members:
            r += 1
            ws.write_row(r, 4, [row["name"], row["weight"], *(row.get(k, "") for k in keys)], cell)
        r += 1
    ws.write_row(r, 0, ["总分", 100, "", "", "", "", "", f["total"], ""], bold)
    book.close()
    return path


def build_official_hunan(data: dict[str, Any], path: Path) -> Path:
    """桃江县科协's 附件1 基础数据表 and 附件2 自评表 as published: years in the column labels (2022年决算数), the
    projects under 项目支出, 无 typed into amount cells, the funds by nature written “label：value” in one cell, 效益指标
    labelled (40分), 总分 typed."""
    f = data["fields"]
    book, ws, fmt = _official_book(path, "附件1", (30, 12, 14, 12, 14, 12, 12))
    cell, bold, pct, plain, title = (fmt[k] for k in ("cell", "bold", "pct", "plain", "title"))
    ws.merge_range("A1:G1", data["titles"]["基础数据表"], title)
    ws.write_row("A2", ["财政供养人员情况（人）", "编制数", "2023年实际在职人数", "控制率"], bold)
    ws.write_row("A3", ["", f["staffing"], f["on_duty"]], cell)
    ws.write_number("D3", float(f["control_rate"].rstrip("%")) / 100, pct)
    ws.write_row("A4", ["经费控制情况（万元）", "2022年决算数", "2023年预算数", "2023年决算数"], bold)
    definition = load_form("hunan")
    costs = next(b.matrix for b in definition.blocks if b.id == "costs")
    r = 4
    for row in costs.rows:
        ws.write_row(r, 0, [row.label, *(f.get(f"{row.key}_{c.key}", "") for c in costs.columns)], cell)
        r += 1
        if row.key in costs.items:
            for item in data["tables"]["project_items"]:
                ws.write_row(r, 0, [item["name"], *(item.get(c.key, "") for c in costs.columns)], cell)
                r += 1
    ws.write_row(
        r, 0, ["楼堂馆所控制情况\n（2023年完工项目）", "批复规模\n（m²）", "实际规模（m²）", "规模\n控制率"], bold
    )
    ws.write_row(r, 4, ["预算投资（万元）", "实际投资\n（万元）", "投资概算\n控制率"], bold)
    ws.write_row(r + 1, 0, ["", data["tables"]["buildings"][0]["approved_area"], "", "", "", "", ""], cell)
    ws.write(r + 2, 0, "厉行节约保障措施", bold)
    ws.merge_range(r + 2, 1, r + 2, 6, f["thrift"], cell)
    note = "说明：“项目支出”需要填报基本支出以外的所有项目支出情况，“公用经费”填报基本支出中的一般商品\n和服务支出。"
    ws.merge_range(r + 4, 0, r + 4, 6, note, plain)
    ws.set_row(r + 4, 30)

    ws = book.add_worksheet("附件2")
    for col, width in enumerate((8, 12, 12, 30, 14, 22, 8, 8, 20)):
        ws.set_column(col, col, width)
    ws.merge_range("A1:I1", data["titles"]["自评表"], title)
    ws.merge_range("A2:B2", "县级预算部门、单位名称", bold)
    ws.merge_range("C2:I2", f["unit"], cell)
    ws.merge_range("A3:A9", "年度预算申请\n(万元)", bold)
    ws.write_row("B3", ["", "年初预算数", "全年预算数", "全年执行数", "分值", "执行率", "自评得分"], bold)
    ws.write_row("B4", ["年度资金总额", f["initial"], f["budget"], f["executed"], f["budget_weight"]], cell)
    ws.write_number("G4", float(f["rate"].rstrip("%")) / 100, pct)
    ws.write("H4", f["budget_score"], cell)
    nature = (
        (f"按收入性质分：{f['by_income']}", f"按支出性质分：{f['by_spending']}"),
        (f"其中：一般公共预算：{f['general']}", f"其中：基本支出：{f['basic']}"),
        ("政府性基金拨款：", f"项目支出：{f['project']}"),
        ("纳入专户管理的非税收入拨款：", "无"),
        ("其他资金：", "无"),
    )
    for offset, (left, right) in enumerate(nature):
        ws.merge_range(4 + offset, 1, 4 + offset, 4, left, cell)
        ws.merge_range(4 + offset, 5, 4 + offset, 8, right, cell)
    ws.merge_range("A10:A11", "年度总体\n目标", bold)
    ws.merge_range("B10:E10", "预期目标", bold)
    ws.merge_range("F10:I10", "实际完成情况", bold)
    ws.merge_range("B11:E11", f["expected"], cell)
    ws.merge_range("F11:I11", f["achieved"], cell)
    ws.set_row(10, 260)
    rows = data["tables"]["indicators"]
    header = [
        "一级\n指标",
        "二级\n指标",
        "三级指标",
        "年度指标值",
        "实际完成值",
        "分值",
        "自评\n得分",
        "偏差原因分析\n及改进措施",
    ]
    ws.merge_range(11, 0, 11 + len(rows), 0, "绩\n效\n指\n标", bold)
    ws.write_row(11, 1, header, bold)
    _merge_runs(ws, rows, 12, ((1, "level1"),), cell)
    _merge_runs(ws, rows, 12, ((2, "level2"),), cell)
    for offset, row in enumerate(rows):
        values = [row["name"], row["target"], row["actual"], row["weight"], row["score"], row.get("explanation", "")]
        ws.write_row(12 + offset, 3, values, cell)
    r = 12 + len(rows)
    ws.merge_range(r, 0, r, 5, "总分", bold)
    ws.write_row(r, 6, [f["total_weight"], f["total"], ""], cell)
    signature = (
        f"填表人：{f['filler']}    填报日期：{f['fill_date']}    联系电话：{f['filler_phone']}    单位负责人签字："
    )
    ws.merge_range(r + 1, 0, r + 1, 8, signature, plain)
    book.close()
    return path


OFFICIAL_BUILDERS = {
    "hubei": build_official_hubei,
    "guangzhou": build_official_guangzhou,
    "hunan": build_official_hunan,
}


def build_all(outdir: Path = HERE) -> list[Path]:
    """Build every example workbook into ``outdir``; returns the paths written."""
    written = []
    for source in sorted(HERE.glob("*.yaml")):
        data = yaml.safe_load(source.read_text(encoding="utf-8"))
        definition = load_form(data["form"])
        written.append(build_template(definition, outdir / f"{source.stem}.xlsx", data))
        builder = OFFICIAL_BUILDERS.get(data["form"])
        if builder is not None:
            written.append(builder(data, outdir / f"{source.stem}_official.xlsx"))
    return written


if __name__ == "__main__":
    for written_path in build_all(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(written_path)
