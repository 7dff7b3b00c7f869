"""Benchmark: ``perfeval check`` per file against a naive peer and the calamine read floor, in the same run.

    python bench/check_speed.py [N]

Writes N copies of the example workbooks (both layouts) to a temporary folder, then times, over the same files:
- ours: read (calamine) + locate + score + all checks (``service.check_path``);
- naive peer: what a user would otherwise script — openpyxl full load + pandas DataFrame of the sheet + the same
  budget arithmetic found by scanning for labels;
- read floor: python-calamine reading every sheet and doing nothing else.
It prints files/s for each and the ratios ours/peer and ours/floor. It asserts nothing about time.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from perfeval_xl.service import check_path
from perfeval_xl.values import parse_amount, parse_quantity, parse_rate, parse_score

PARSERS = (parse_quantity, parse_amount, parse_rate, parse_score)
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def ours(path: Path) -> None:
    # The copies repeat the same workbooks; clearing the parsers' memos keeps the result what distinct submissions
    # would see (the memos still remove repeated parsing within one file).
    for parser in PARSERS:
        parser.cache_clear()
    check_path(path)


def naive_peer(path: Path) -> float | None:
    book = load_workbook(path)
    frame = pd.DataFrame(book.worksheets[0].values)
    for _, row in frame.iterrows():
        values = [v for v in row if v is not None]
        if values and values[0] in ("部门整体支出总额", "全年预算数"):  # 湖北, 广州
            try:
                return float(values[2]) / float(values[1])
            except (TypeError, ValueError, IndexError):
                return None
    return None


def read_floor(path: Path) -> int:
    book = CalamineWorkbook.from_path(str(path))
    return sum(len(book.get_sheet_by_name(name).to_python()) for name in book.sheet_names)


def timed(label: str, func, files: list[Path]) -> float:
    start = time.perf_counter()
    for path in files:
        func(path)
    elapsed = time.perf_counter() - start
    rate = len(files) / elapsed
    print(f"{label:<12} {rate:8.1f} files/s  ({elapsed:.2f} s for {len(files)} files)")
    return rate


def main(n: int) -> None:
    sources = sorted(EXAMPLES.glob("*.xlsx"))
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(n):
            source = sources[i % len(sources)]
            target = Path(tmp) / f"{i:05d}_{source.name}"
            shutil.copy(source, target)
            files.append(target)
        check_path(files[0])  # import and definition loading are not part of the per-file cost
        our_rate = timed("ours", ours, files)
        peer = timed("naive peer", naive_peer, files)
        floor = timed("read floor", read_floor, files)
    print(f"ours / naive peer = {our_rate / peer:.2f}x   ours / read floor = {our_rate / floor:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
