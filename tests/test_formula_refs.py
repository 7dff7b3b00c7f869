"""The cells a formula reads, told from its text without a spreadsheet library (the validator never imports one)."""

import subprocess
import sys

import pytest
from openpyxl.formula.tokenizer import Tokenizer

from perfeval_xl.formula_refs import formula_areas

from .conftest import XIANGYANG

FORMULAS = [
    ("=N($F$6)+SUM($J$9:$J$31)", [("自评表", 6, 6, 6, 6), ("自评表", 10, 9, 10, 31)]),
    ("=SUM(K:K)", [("自评表", 11, 1, 11, 1_048_576)]),
    ("=SUM($9:$9)", [("自评表", 1, 9, 16_384, 9)]),
    ("='基础 数据'!K9", [("基础 数据", 11, 9, 11, 9)]),
    ("='it''s'!A1:B2", [("it's", 1, 1, 2, 2)]),
    ("=自评表!C6+Sheet2!$D$7", [("自评表", 3, 6, 3, 6), ("sheet2", 4, 7, 4, 7)]),
    ('=IF(A1="B2",1,0)', [("自评表", 1, 1, 1, 1)]),  # a reference inside a string is text
    ("=LOG10(A1)*1E+5+TRUE", [("自评表", 1, 1, 1, 1)]),
    ("=_xlfn.IFS(A1>1,2)", [("自评表", 1, 1, 1, 1)]),
    ("=SUM(J9:J31)/100%", [("自评表", 10, 9, 10, 31)]),
    ("=Total+1", None),  # a defined name: what it reads cannot be told
    ('=INDIRECT("K"&9)', None),
    ("=OFFSET(A1,1,1)", None),
    ("=SUM('自评表:基础 数据'!K9)", None),  # the sheets between two, in the book's order
    ("=SUM(Table1[得分])", None),
    ('="abc', None),  # no formula Excel would save
    ("=R1C1", None),
]


@pytest.mark.parametrize(("formula", "areas"), FORMULAS)
def test_the_areas_a_formula_reads(formula, areas):
    assert formula_areas(formula, "自评表") == areas


@pytest.mark.parametrize("formula", [f for f, areas in FORMULAS if areas is not None])
def test_the_references_found_are_the_ones_openpyxl_tokenizes(formula):
    """Every reference openpyxl's tokenizer finds, and none it does not."""
    ranges = [t.value for t in Tokenizer(formula).items if t.type == "OPERAND" and t.subtype == "RANGE"]
    assert len(formula_areas(formula, "自评表") or []) == len(ranges)


def test_checking_a_file_imports_no_spreadsheet_writer():
    """A validate-only batch never imports openpyxl (each worker would hold it, ~12 MiB): reading what the 总分
    formula sums (PE223) does not need it."""
    script = (
        "import sys\nfrom perfeval_xl.service import check_path\n"
        f"evaluation = check_path({str(XIANGYANG)!r})\n"
        "total = evaluation.extraction.fields['total'].ref\n"
        "assert evaluation.extraction.grids[total.sheet].formulas[(total.row, total.col)]  # a formula to read\n"
        "print('openpyxl' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
