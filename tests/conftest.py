"""Shared fixtures: the 襄阳 transcription, a clean weighted variant of it, and builders for test workbooks."""

from __future__ import annotations

import copy
import io
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import settings
from openpyxl import load_workbook
from openpyxl.formatting.formatting import ConditionalFormattingList
from openpyxl.formula.tokenizer import Token, Tokenizer
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.cell_range import CellRange

from perfeval_xl.definition import load_form
from perfeval_xl.engine import Evaluation
from perfeval_xl.grid import CellRef
from perfeval_xl.reader import sheet_parts
from perfeval_xl.service import check_path
from perfeval_xl.template import build_template

from .postgres import postgres_url  # noqa: F401 - a session fixture for the tests that need PostgreSQL

# Tests assert behaviour, never wall-clock time: no Hypothesis deadline (a first example pays for lazy imports, and a
# busy CI machine is slower still).
settings.register_profile("perfeval", deadline=None)
settings.load_profile("perfeval")

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
XIANGYANG_YAML = EXAMPLES / "hubei_xiangyang_2021.yaml"
XIANGYANG = EXAMPLES / "hubei_xiangyang_2021.xlsx"
XIANGYANG_OFFICIAL = EXAMPLES / "hubei_xiangyang_2021_official.xlsx"
GUANGZHOU_YAML = EXAMPLES / "guangzhou_kexie_2021.yaml"
GUANGZHOU = EXAMPLES / "guangzhou_kexie_2021.xlsx"
GUANGZHOU_OFFICIAL = EXAMPLES / "guangzhou_kexie_2021_official.xlsx"
HEBEI_YAML = EXAMPLES / "hebei_xianghe_2019.yaml"
HEBEI = EXAMPLES / "hebei_xianghe_2019.xlsx"
TAOJIANG_YAML = EXAMPLES / "hunan_taojiang_2023.yaml"
TAOJIANG = EXAMPLES / "hunan_taojiang_2023.xlsx"
TAOJIANG_OFFICIAL = EXAMPLES / "hunan_taojiang_2023_official.xlsx"
YUEYANG_YAML = EXAMPLES / "yueyang_kexie_2020.yaml"
YUEYANG = EXAMPLES / "yueyang_kexie_2020.xlsx"
DIFFERENCE_ROW = 3  # 财政拨款收入预决算差异率, whose published explanation cites −1.37 % for −1.38 %

# A consistent, fully weighted variant of the 襄阳 data used as the passing case of every check. It is a test
# fixture, not an example: the examples stay exactly as published.
CLEAN_WEIGHTS = [3, 3, 2, 2, 5, 5, 10, 10, 15, 15, 10]
CLEAN_SCORES = {4: 3.49, 5: 5}
CLEAN_TIERS = {7: "达成预期指标", 8: "达成预期指标", 9: "达成预期指标"}


def seed_data(path: Path = XIANGYANG_YAML) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def guangzhou_clean_data() -> dict[str, Any]:
    """The 广州 transcription with its one published slip (−1.37 % for −1.38 %) put right: a test fixture."""
    data = seed_data(GUANGZHOU_YAML)
    row = data["tables"]["indicators"][DIFFERENCE_ROW]
    row["basis"] = row["basis"].replace("-1.37%", "-1.38%")
    return data


def clean_data() -> dict[str, Any]:
    data = seed_data()
    data["fields"]["budget"] = 3100.00
    rows = data["tables"]["indicators"]
    for index, row in enumerate(rows):
        row["weight"] = CLEAN_WEIGHTS[index]
        row["score"] = CLEAN_SCORES.get(index, row["score"])
        if index in CLEAN_TIERS:
            row["tier"] = CLEAN_TIERS[index]
    return data


def hebei_clean_data() -> dict[str, Any]:
    """The 香河 transcription with the gaps of the published report filled (摘要, 基本/项目支出 split so that the
    goals' 12 万元 are project spending): a test fixture."""
    data = seed_data(HEBEI_YAML)
    data["fields"].update(
        overview="县科协2019年度部门整体支出年初预算274.64万元，决算258.13万元。",
        conclusion="较好完成年度绩效目标。",
        lessons="加强绩效目标管理。",
        budget_basic=262.64,
        budget_project=12.00,
        final_basic=246.13,
        final_project=12.00,
    )
    return data


def taojiang_clean_data() -> dict[str, Any]:
    """The 桃江 transcription with 效益指标 weighted 30 as the national allocation says (10 + 10 + 5 + 5) and scored
    in full, so that 预算执行 10 + 产出 50 + 效益 30 + 满意度 10 make the printed 总分 100: a test fixture."""
    data = seed_data(TAOJIANG_YAML)
    benefits = [row for row in data["tables"]["indicators"] if row["section"] == "效益指标"]
    for row, weight in zip(benefits, (10, 10, 5, 5), strict=True):
        row["level1"] = "效益指标（30分）"
        row["weight"] = row["score"] = weight
    return data


def yueyang_clean_data() -> dict[str, Any]:
    """The 岳阳 transcription with 科技活动管理中心's 人员支出 3.17 counted in its 基本支出 and in the 汇总 row's 基本
    and 人员支出 instead of its 项目支出: a test fixture."""
    data = seed_data(YUEYANG_YAML)
    total, *_, centre = data["tables"]["spending"]
    centre["basic"] = 3.17
    total.update(basic=434.47, personnel=375.5, project=640.83)
    return data


CLEAN = {
    "hubei": clean_data,
    "guangzhou": guangzhou_clean_data,
    "hebei": hebei_clean_data,
    "hunan": taojiang_clean_data,
    "yueyang": yueyang_clean_data,
}
# A target typed once for two indicators (a finding in each row, on one merged cell) and their 计算得分 merged.
MERGED_TARGET_AND_COMPUTED = {
    "rows": {0: {"target": "7个或8个"}},
    "merge": [["row:0:target", "row:1:target"], ["row:0:computed_score", "row:1:computed_score"]],
}
# The table ``rows`` changes and ``row:N:column`` places refer to, for forms with several tables.
MAIN_TABLE = {"hunan": "indicators", "yueyang": "spending"}


def _main_table(form: str, tables: dict[str, Any]) -> Any:
    return tables[MAIN_TABLE.get(form, next(iter(tables)))]


def mutate(data: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """``fields`` to set, ``rows`` of the form's main table and ``tables`` (by id, then row) to change; ``None``
    removes a value."""
    data = copy.deepcopy(data)
    data["fields"].update(change.get("fields", {}))
    tables = {MAIN_TABLE.get(data["form"], next(iter(data["tables"]))): change.get("rows", {})}
    for table_id, rows in {**tables, **change.get("tables", {})}.items():
        for index, values in rows.items():
            row = data["tables"][table_id][int(index)]
            for key, value in values.items():
                if value is None:
                    row.pop(key, None)
                else:
                    row[key] = value
    return data


def cell_ref(evaluation: Evaluation, where: str) -> CellRef:
    """``field:unit``, ``row:4:score`` (the form's main table), ``table:income:0:total``, or ``cell:F17`` on the main
    table's sheet (a spare row of the template, say) → that cell."""
    kind, *rest = where.split(":")
    if kind == "cell":
        table = _main_table(evaluation.definition.id, evaluation.extraction.tables)
        row, col = coordinate_to_tuple(rest[0])
        return CellRef(table.rows[0].ref(table.spec.columns[0].key).sheet, row - 1, col - 1)
    if kind == "field":
        ref = evaluation.extraction.fields[rest[0]].ref
    elif kind == "table":
        ref = evaluation.extraction.tables[rest[0]].rows[int(rest[1])].ref(rest[2])
    else:
        table = _main_table(evaluation.definition.id, evaluation.extraction.tables)
        ref = table.rows[int(rest[0])].ref(rest[1])
    assert ref is not None, where
    return ref


def locate(evaluation: Evaluation, where: str) -> str:
    """The A1 address of a place (see ``cell_ref``), or of ``cell:A1`` itself."""
    return where.removeprefix("cell:") if where.startswith("cell:") else cell_ref(evaluation, where).a1


def overwrite(path: Path, evaluation: Evaluation, cells: dict[str, Any]) -> None:
    """Type values over template cells (formulas included), as a unit who unprotects the sheet would."""
    book = load_workbook(path)
    for where, value in cells.items():
        ref = cell_ref(evaluation, where)
        book[ref.sheet][ref.a1].value = value
    book.save(path)


def merge(path: Path, evaluation: Evaluation, ranges: list[list[str]]) -> None:
    """Merge each range from one place to another (``row:0:score`` to ``row:1:score``), as a unit may."""
    book = load_workbook(path)
    for first, last in ranges:
        start, end = cell_ref(evaluation, first), cell_ref(evaluation, last)
        book[start.sheet].merge_cells(f"{start.a1}:{end.a1}")
    book.save(path)


def hide(path: Path, evaluation: Evaluation, rows: list[str] = (), cols: list[str] = ()) -> None:
    """Hide the row or the column of each cell named (``row:2:name``), as a unit may to tidy a form."""
    book = load_workbook(path)
    for where in rows:
        ref = cell_ref(evaluation, where)
        book[ref.sheet].row_dimensions[ref.excel_row].hidden = True
    for where in cols:
        ref = cell_ref(evaluation, where)
        book[ref.sheet].column_dimensions[get_column_letter(ref.col + 1)].hidden = True
    book.save(path)


def insert_rows(sheet: Any, at: int, count: int = 1) -> None:
    """Insert rows into an openpyxl sheet as Excel does, merges below moving down and merges across growing, and the
    formulas of the book reading the sheet's rows from ``at`` on reading them where they moved (openpyxl moves the
    cells only): a range ending above ``at`` stays as it was, one across it grows."""
    merges = list(sheet.merged_cells.ranges)
    for box in merges:
        sheet.unmerge_cells(str(box))
    sheet.insert_rows(at, count)
    for ws in sheet.parent.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f" and isinstance(cell.value, str):
                    cell.value = _moved(cell.value, ws is sheet, sheet.title, at, count)
    for box in merges:
        _moved_box(box, at, count)
        sheet.merge_cells(str(box))
    formats = ConditionalFormattingList()  # their ranges and formulas move as the cells do
    for entry in sheet.conditional_formatting:
        ranges = " ".join(_moved_box(CellRange(box.coord), at, count).coord for box in entry.sqref.ranges)
        for rule in entry.rules:
            rule.formula = [_moved(f"={text}", True, sheet.title, at, count)[1:] for text in rule.formula]
            formats.add(ranges, rule)
    sheet.conditional_formatting = formats


def _moved_box(box: CellRange, at: int, count: int) -> CellRange:
    """``box`` as Excel moves a range for ``count`` rows inserted at row ``at``: down when it starts there or below,
    grown when the rows are inside it."""
    if box.min_row >= at:
        box.shift(0, count)
    elif box.max_row >= at:
        box.expand(down=count)
    return box


def delete_row(sheet: Any, at: int) -> None:
    """Delete row ``at`` of an openpyxl sheet as Excel does, merges across it shrinking and those below moving up, and
    the formulas on the sheet reading rows below it reading them where they moved: a range across it shrinks, a cell in
    it is #REF!."""
    merges = list(sheet.merged_cells.ranges)
    for box in merges:
        sheet.unmerge_cells(str(box))
    sheet.delete_rows(at)

    def moved(ref: str) -> str:
        rows = [int(cell[2]) for cell in _CELL.finditer(ref)]
        if rows and all(row == at for row in rows):
            return "#REF!"
        return _CELL.sub(lambda cell: f"{cell[1]}{int(cell[2]) - (int(cell[2]) > at)}", ref)

    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f" and isinstance(cell.value, str):
                tokens = Tokenizer(cell.value)
                for token in tokens.items:
                    if (token.type, token.subtype) == (Token.OPERAND, Token.RANGE) and "!" not in token.value:
                        token.value = moved(token.value)
                    elif (token.type, token.subtype) == (Token.FUNC, Token.OPEN) and ":" in token.value:
                        start, _, function = token.value.partition(":")
                        token.value = f"{moved(start)}:{function}"
                cell.value = tokens.render()
    for box in merges:
        if box.min_row <= at <= box.max_row:
            box.shrink(bottom=1)
        elif box.min_row > at:
            box.shift(0, -1)
        if box.size["rows"] * box.size["columns"] > 1:  # a merge left with one cell is none
            sheet.merge_cells(str(box))


def insert_indicator(sheet: Any, row: int, columns: dict[str, int], typed: dict[str, Any]) -> None:
    """A row inserted at sheet row ``row`` (1-based) as Excel inserts one, ``typed`` in its columns (by key)."""
    insert_rows(sheet, row)
    for key, value in typed.items():
        sheet.cell(row, columns[key] + 1, value)


# 效益指标 weighted and scored 40 in its 30-point section (PE205, PE207): the check counts it at its 30 points.
OVER_ITS_POINTS = {"rows": {8: {"weight": 20, "score": 20}, 9: {"weight": 20, "score": 20}}}

# The 湖北 template's sums before they read from the header row: the indicator rows of the clean book, 9 to 31.
OLD_SUMS = {
    "field:total": "=N($F$6)+SUM($J$9:$J$31)",
    "field:checked_total": "=N($F$6)+SUM($K$9:$K$31)",
    "field:grade": '=IF(COUNT($J$9:$J$31,$F$6)=0,"",IF($C$32>=90,"优",IF($C$32>=80,"良",IF($C$32>=60,"中","差"))))',
}


def row_added_under_old_sums(make_book: Callable[..., Path], score: Any = 2) -> Path:
    """The clean book with the template's sums as they were (``OLD_SUMS``) and an indicator added right above 总分, as
    Excel inserts a row there: the sums end above the inserted row, so Excel leaves them as they were."""
    path = make_book(clean_data(), {"cells": OLD_SUMS})
    evaluation = check_path(path)
    total, table = evaluation.extraction.fields["total"].ref, evaluation.extraction.tables["indicators"]
    book = load_workbook(path)
    sheet = book[total.sheet]
    insert_indicator(
        sheet, total.row + 1, table.columns, {"level2": "满意度", "name": "新增的满意度指标", "score": score}
    )
    book.save(path)
    return path


_CELL = re.compile(r"(\$?[A-Z]{1,3}\$?)(\d+)")


def _moved(formula: str, on_sheet: bool, title: str, at: int, count: int) -> str:
    """A formula with its references to rows ``at`` and below of sheet ``title`` moved down ``count`` rows."""

    def shifted(cell: re.Match[str]) -> str:
        row = int(cell[2])
        return f"{cell[1]}{row + count if row >= at else row}"

    tokens = Tokenizer(formula)
    for token in tokens.items:
        # a range, or the cell a range to a function's result starts at ($J$8:INDEX(, which opens the function)
        if (token.type, token.subtype) != (Token.OPERAND, Token.RANGE) and (
            (token.type, token.subtype) != (Token.FUNC, Token.OPEN) or ":" not in token.value
        ):
            continue
        where, bang, ref = token.value.rpartition("!")
        if (where.strip("'") == title) if bang else on_sheet:
            token.value = where + bang + _CELL.sub(shifted, ref)
    return tokens.render()


def gbk_named(folder: Path, name: str, data: bytes) -> Path:
    """A file whose name is ``name`` in GBK bytes, as a Windows zip unpacked on Linux without its encoding leaves it;
    skipped where the file system refuses names that are not UTF-8 (macOS)."""
    path = Path(os.fsdecode(os.path.join(os.fsencode(folder), name.encode("gbk"))))
    try:
        path.write_bytes(data)
    except OSError as exc:
        pytest.skip(f"this file system refuses a name that is not UTF-8: {exc}")
    return path


_TEXT_BOX = (
    "<twoCellAnchor><from><col>7</col><colOff>0</colOff><row>34</row><rowOff>0</rowOff></from><to><col>9</col>"
    '<colOff>0</colOff><row>37</row><rowOff>0</rowOff></to><sp macro="" textlink=""><nvSpPr><cNvPr id="9" '
    'name="TextBox 8"/><cNvSpPr txBox="1"/></nvSpPr><spPr/><txBody><a:bodyPr xmlns:a="{a}"/><a:p xmlns:a="{a}">'
    "<a:r><a:t>（单位盖章）</a:t></a:r></a:p></txBody></sp><clientData/></twoCellAnchor>"
).format(a="http://schemas.openxmlformats.org/drawingml/2006/main")


def with_picture_and_text_box(source: Path) -> Path:
    """The form with a seal pasted as a picture and a text box drawn beside it (openpyxl can add the first only, so
    the second is written into the drawing part)."""
    from openpyxl.drawing.image import Image
    from PIL import Image as Picture

    png = io.BytesIO()
    Picture.new("RGB", (60, 60), (200, 0, 0)).save(png, format="PNG")
    book = load_workbook(source)
    book.worksheets[0].add_image(Image(png), "H30")
    book.save(source)
    rewrite_parts(
        source, {"xl/drawings/drawing1.xml": lambda xml: xml.replace(b"</wsDr>", _TEXT_BOX.encode() + b"</wsDr>")}
    )
    return source


def rewrite_parts(path: Path, edits: dict[str, Callable[[bytes], bytes]]) -> Path:
    """The workbook at ``path`` with some of its parts changed in place, each by its edit (what a program other than
    openpyxl writes, which openpyxl cannot)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info: archive.read(info) for info in archive.infolist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts.items():
            archive.writestr(info, edits[info.filename](data) if info.filename in edits else data)
    return path


_CELL_PICTURE_PARTS = {
    "xl/cellimages.xml": (
        '<etc:cellImages xmlns:etc="http://www.wps.cn/officeDocument/2017/etCustomData" '
        'xmlns:xdr="http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing" '
        'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><etc:cellImage><xdr:pic>'
        '<xdr:nvPicPr><xdr:cNvPr id="2" name="ID_SEAL"/><xdr:cNvPicPr/></xdr:nvPicPr><xdr:blipFill>'
        '<a:blip r:embed="rId1"/></xdr:blipFill><xdr:spPr/></xdr:pic></etc:cellImage></etc:cellImages>'
    ),
    "xl/_rels/cellimages.xml.rels": (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        'Target="media/seal.png"/></Relationships>'
    ),
    "xl/richData/rdrichvalue.xml": (
        '<rvData xmlns="http://schemas.microsoft.com/office/spreadsheetml/2017/richdata" count="1">'
        '<rv s="0"><v>0</v><v>5</v></rv></rvData>'
    ),
}


def with_cell_pictures(source: Path) -> Path:
    """The form with a picture placed in a cell by WPS (嵌入单元格图片: xl/cellimages.xml) and one by Excel (放置在单元格中:
    a rich value in xl/richData), the parts as those programs name them (the workbook's links to them left out)."""
    with zipfile.ZipFile(source, "a") as archive:
        for name, xml in _CELL_PICTURE_PARTS.items():
            archive.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + xml)
        archive.writestr("xl/media/seal.png", b"\x89PNG\r\n\x1a\n")
    return source


def copy_sheet(path: Path, sheet: str, title: str) -> None:
    """Copy a sheet of a workbook under a new title, as its first sheet (last year's sheet copied in)."""
    book = load_workbook(path)
    copy = book.copy_worksheet(book[sheet])
    copy.title = title
    book.move_sheet(copy, offset=-book.index(copy))
    book.save(path)


def calculated(path: Path, cells: dict[str, tuple[str, Any]]) -> Path:
    """The template at ``path`` as a spreadsheet saves it (no fullCalcOnLoad: its formulas' results are read), with
    the cells named (``field:rate``, ``cell:E6``) given a formula (``{rate}`` in it is that field's cell) showing the
    result given, an error as such: what a unit's edited formula prints; a cell given no formula holds the value."""
    evaluation = check_path(path)
    fields = {key: value.ref.a1 for key, value in evaluation.extraction.fields.items() if value.ref}
    by_part: dict[str, list[tuple[CellRef, str, Any]]] = {}
    with zipfile.ZipFile(path) as archive:
        parts = dict(sheet_parts(archive))
    for where, (formula, shown) in cells.items():
        ref = cell_ref(evaluation, where)
        by_part.setdefault(parts[ref.sheet], []).append((ref, formula.format(**fields), shown))

    def edit(placed: list[tuple[CellRef, str, Any]]) -> Callable[[bytes], bytes]:
        def formulas(xml: bytes) -> bytes:
            for ref, formula, shown in placed:
                kind = ' t="e"' if str(shown).startswith("#") else ' t="str"' if isinstance(shown, str) else ""
                cell = f'<c r="{ref.a1}"{kind}>{f"<f>{formula}</f>" if formula else ""}<v>{shown}</v></c>'.encode()
                xml = re.sub(rf'<c r="{ref.a1}"[^>]*?(?:/>|>.*?</c>)'.encode(), cell, xml, count=1, flags=re.S)
            return xml

        return formulas

    edits = {part: edit(placed) for part, placed in by_part.items()}
    return rewrite_parts(path, {"xl/workbook.xml": lambda xml: xml.replace(b' fullCalcOnLoad="1"', b""), **edits})


@pytest.fixture
def make_book(tmp_path: Path):
    """Build a filled template from data plus a change; returns the path."""
    counter = iter(range(10_000))

    def make(data: dict[str, Any], change: dict[str, Any] | None = None) -> Path:
        change = change or {}
        path = tmp_path / f"book{next(counter)}.xlsx"
        build_template(load_form(data["form"]), path, mutate(data, change))
        if change.get("cells"):
            overwrite(path, check_path(path), change["cells"])
        if change.get("merge"):
            merge(path, check_path(path), change["merge"])
        if change.get("copy_sheet"):
            copy_sheet(path, **change["copy_sheet"])
        if change.get("hide"):
            hide(path, check_path(path), **change["hide"])
        if change.get("shown"):
            calculated(path, change["shown"])
        return path

    return make


@pytest.fixture
def one_grade_form():
    """A bundled form as a bureau might define its own: one grade (合格) for any total."""
    from importlib import resources

    from perfeval_xl.definition import parse_definition

    def form(form_id: str):
        raw = yaml.safe_load((resources.files("perfeval_xl") / "forms" / f"{form_id}.yaml").read_text(encoding="utf-8"))
        raw["grades"] = [{"grade": "合格", "min": 0}]
        return parse_definition(raw, f"{form_id}.yaml")

    return form


@pytest.fixture
def example_copy(tmp_path: Path):
    def copy_of(source: Path) -> Path:
        target = tmp_path / source.name
        shutil.copy(source, target)
        return target

    return copy_of


# 岳阳 2020's 上年结转 by institution, as printed in the seed: what its 2019 form gave as 累计结余.
CARRIED_INTO_2020 = {
    "市科协及二级机构汇总": 119.25,
    "1、科协机关": 58.35,
    "2、科技馆": 45.89,
    "3、科技活动管理中心": 15.01,
}


def yueyang_last_year(tmp_path: Path, accumulated: dict[str, float], year: int = 2019) -> Path:
    """岳阳's form as its 2019 submission would be: the year 2019, and these 累计结余 by institution."""
    path = tmp_path / f"yueyang_{year}.xlsx"
    shutil.copy(YUEYANG, path)
    evaluation = check_path(path)
    table = evaluation.extraction.tables["spending"]
    book = load_workbook(path)
    year_cell = evaluation.extraction.fields["year"].ref
    book[year_cell.sheet][year_cell.a1] = year
    for row in table.rows:
        ref = row.ref("accumulated")
        book[ref.sheet][ref.a1] = accumulated.get(table.name(row), book[ref.sheet][ref.a1].value)
    book.save(path)
    return path
