"""Which formula results an annotated copy may carry over: those the values it writes cannot have changed."""

import zipfile

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

from perfeval_xl.formula_results import cached_results, restoring, unchanged_formulas
from perfeval_xl.package_parts import rewrite_parts


def _book() -> Workbook:
    book = Workbook()
    form = book.active
    form.title = "自评表"
    other = book.create_sheet("基础 数据")
    form["K9"], form["K10"] = 1, 2
    form["H32"] = "=N($F$6)+SUM($K$9:$K$31)"  # reads the written K9
    form["H33"] = "=H32*2"  # through H32
    form["H34"] = "=SUM(K:K)"  # a whole column
    form["H35"] = "=Total+1"  # a defined name: what it reads cannot be told
    form["H36"] = '=INDIRECT("K"&9)'
    form["C6"] = "=D6+E6"  # the unit's own 执行数
    form["C7"] = "=SUM(K10:K31)"  # beside the written cell
    form["C8"] = '="abc'  # no formula Excel would save, but a cell openpyxl holds: unreadable, so counted as reading K9
    other["B2"] = "='自评表'!K9"
    other["B3"] = "=自评表!C6"
    other["B4"] = "=SUM('自评表:基础 数据'!K9)"  # a 3-D reference: the sheets between two, in the book's order
    book.defined_names["Total"] = DefinedName("Total", attr_text="'自评表'!$K$9")
    return book


def test_formulas_reading_a_written_cell_directly_or_not_are_told_apart():
    assert unchanged_formulas(_book(), [("自评表", "K9")]) == {"自评表": {"C6", "C7"}, "基础 数据": {"B3"}}


def test_with_nothing_written_every_formula_keeps_its_result():
    kept = unchanged_formulas(_book(), [])
    assert kept["自评表"] == {"H32", "H33", "H34", "H35", "H36", "C6", "C7", "C8"} and kept["基础 数据"] == {
        "B2",
        "B3",
        "B4",
    }


def test_results_go_back_into_the_cells_kept_with_their_type(tmp_path):
    _book().save(tmp_path / "saved.xlsx")
    results = {"自评表": {"C6": (None, b"3014.42"), "C7": (b"str", b"a&lt;b"), "H32": (None, b"93")}}
    saved = (tmp_path / "saved.xlsx").read_bytes()
    restored = rewrite_parts(saved, restoring(saved, results, {"自评表": {"C6", "C7"}}))
    (tmp_path / "restored.xlsx").write_bytes(restored)
    with zipfile.ZipFile(tmp_path / "restored.xlsx") as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
        assert b'<c r="C6"><f>D6+E6</f><v>3014.42</v></c>' in xml
        assert b'<c r="C7" t="str"><f>SUM(K10:K31)</f><v>a&lt;b</v></c>' in xml
        assert b'<c r="H32"><f>N($F$6)+SUM($K$9:$K$31)</f><v></v></c>' in xml
        assert cached_results(archive) == {}  # openpyxl asked for a full recalculation: none of these is a result


def test_results_of_cells_written_without_their_references_are_found(tmp_path):
    """A spreadsheet-calculated sheet whose cells carry no reference (<c><f>D6+E6</f><v>3014.42</v></c>): the result
    was not found, so the annotated copy lost it and its next check read the unit's own 执行数 as empty."""
    book = Workbook()
    book.active["A1"], book.active["B1"] = 1, "=A1+1"
    book.save(tmp_path / "saved.xlsx")
    with zipfile.ZipFile(tmp_path / "saved.xlsx") as saved, zipfile.ZipFile(tmp_path / "bare.xlsx", "w") as bare:
        for info in saved.infolist():
            xml = saved.read(info).replace(b' fullCalcOnLoad="1"', b"")
            xml = (
                xml.replace(b'<c r="A1" t="n">', b"<c>").replace(b'<c r="B1">', b"<c>").replace(b"<v></v>", b"<v>2</v>")
            )
            bare.writestr(info, xml)
    with zipfile.ZipFile(tmp_path / "bare.xlsx") as archive:
        assert b"<c><f>A1+1</f><v>2</v></c>" in archive.read("xl/worksheets/sheet1.xml")
        assert cached_results(archive) == {"Sheet": {"B1": (None, b"2")}}
