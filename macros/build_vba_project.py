"""Build time only: compile macros/PerfEval.bas into perfeval_xl/vba/vbaProject.bin with pyopenvba.

Run ``pip install -e ".[build]" && python macros/build_vba_project.py`` after editing the module source; the
binary is committed, and tests/test_macro.py checks (with olevba) that it holds exactly this source.
"""

from __future__ import annotations

import sys
import tempfile
import zipfile
from pathlib import Path

import xlsxwriter
from pyopenvba import ExcelFile

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "macros" / "PerfEval.bas"
TARGET = ROOT / "perfeval_xl" / "vba" / "vbaProject.bin"
# The macro templates hold these sheets (see perfeval_xl/template.py); Excel names their document modules so.
SHEET_CODE_NAMES = ("Sheet1", "Sheet2", "Sheet3")


def build(source: Path = SOURCE, target: Path = TARGET) -> Path:
    """Write a project with the workbook's and sheets' document modules and the PerfEval standard module."""
    with tempfile.TemporaryDirectory() as tmp:
        skeleton = Path(tmp) / "skeleton.xlsm"
        book = xlsxwriter.Workbook(str(skeleton))
        book.set_vba_name("ThisWorkbook")
        for code_name in SHEET_CODE_NAMES:
            book.add_worksheet().set_vba_name(code_name)
        book.close()
        with ExcelFile(skeleton) as excel:
            project = excel.add_vba_project()
            project.add_module("PerfEval", source.read_text(encoding="ascii"))
            excel.save(Path(tmp) / "built.xlsm")
        with zipfile.ZipFile(Path(tmp) / "built.xlsm") as archive:
            target.write_bytes(archive.read("xl/vbaProject.bin"))
    return target


if __name__ == "__main__":
    print(build(*(Path(arg) for arg in sys.argv[1:3])))
