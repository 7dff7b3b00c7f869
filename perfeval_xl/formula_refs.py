"""The cell areas a formula reads, told from its text alone (no spreadsheet library: the validator imports none), and
the range our totals sum, written as text."""

from __future__ import annotations

import re
from collections.abc import Iterable

Area = tuple[str, int, int, int, int]  # sheet (casefolded), first column, first row, last column, last row (1-based)

_LAST_ROW, _LAST_COL = 1_048_576, 16_384
# One piece of a formula, in the order tried: a string, a sheet prefix (quoted, or a 3-D one over several sheets), a
# cell or a range of cells, columns or rows, a number, a function's name with its bracket, a name (defined, a table,
# TRUE), a structured reference's bracket; anything else (operators, commas, spaces) is skipped.
_PIECE = re.compile(
    r"""(?P<string>"(?:[^"]|"")*")
    |(?P<sheet>(?:'(?:[^']|'')+'|[^\s'!"(),:;+\-*/^&=<>%{}\[\]]+(?::[^\s'!"(),:;+\-*/^&=<>%{}\[\]]+)?)!)
    |(?P<cells>\$?[A-Z]{1,3}\$?\d+(?::\$?[A-Z]{1,3}\$?\d+)?(?![\w.(\[]))
    |(?P<cols>\$?[A-Z]{1,3}:\$?[A-Z]{1,3}(?![\w.(\[]))
    |(?P<rows>\$?\d+:\$?\d+(?![\w.(\[]))
    |(?P<number>\d+(?:\.\d*)?(?:E[+-]?\d+)?|\.\d+(?:E[+-]?\d+)?)
    |(?P<function>[A-Z_][\w.]*\()
    |(?P<name>[^\W\d][\w.]*)
    |(?P<bracket>\[)
    |(?P<other>.)""",
    re.X | re.I | re.S,
)
_INDIRECT = frozenset({"INDIRECT(", "OFFSET("})
_LITERALS = frozenset({"TRUE", "FALSE"})
_CELL = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)", re.I)


def formula_areas(formula: str, sheet: str) -> list[Area] | None:
    """The cell areas a formula (with its "=") reads; None when they cannot all be told (a defined name, a table, a
    3-D reference, INDIRECT, a string left open)."""
    areas: list[Area] = []
    where = None
    for piece in _PIECE.finditer(formula.removeprefix("=")):
        kind, text = piece.lastgroup, piece[0]
        if kind == "sheet":
            name = text[:-1]
            if ":" in name:  # no sheet's name holds a colon: the sheets between two, in the book's order
                return None
            where = name[1:-1].replace("''", "'") if name.startswith("'") else name
            continue
        if kind in ("cells", "cols", "rows"):
            areas.append(_area(kind, text, (where or sheet).casefold()))
        elif _untold(kind, text.upper()):
            return None
        where = None
    return areas


def _untold(kind: str | None, text: str) -> bool:
    """Whether a piece makes what the formula reads untold: INDIRECT or OFFSET, a name, a table's column, a quote
    left open."""
    return (
        (kind == "function" and text in _INDIRECT)
        or (kind == "name" and text not in _LITERALS)
        or kind == "bracket"
        or (kind == "other" and text in "\"'")
    )


def _area(kind: str, text: str, sheet: str) -> Area:
    first, _, last = text.replace("$", "").upper().partition(":")
    last = last or first
    if kind == "rows":
        return sheet, 1, int(first), _LAST_COL, int(last)
    if kind == "cols":
        return sheet, _column(first), 1, _column(last), _LAST_ROW
    (c0, r0), (c1, r1) = _CELL.fullmatch(first).groups(), _CELL.fullmatch(last).groups()  # type: ignore[union-attr]
    return sheet, _column(c0), int(r0), _column(c1), int(r1)


def _column(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number


def reads_any(areas: list[Area], cells: Iterable[tuple[str, int, int]]) -> bool:
    """Whether any of the cells (sheet casefolded, 1-based column and row) lies in one of the areas."""
    return any(s == a[0] and a[1] <= c <= a[3] and a[2] <= r <= a[4] for a in areas for s, c, r in cells)


def rows_above(letter: str, top: int, row: str, below: int = 1, sheet: str = "") -> str:
    """A column's cells (``$K``) from row ``top`` (1-based: the table's header row, text, which SUM and COUNT pass over,
    or a section's first row) to ``below`` rows above the row ``row`` gives (``ROW()``, ``ROW($C$21)``: 总分's, or the
    next section's first), worked out when calculated: a row a unit inserts right above that row is inside it, where
    Excel would leave a range of the indicator rows as it was (it widens a range for a row inserted inside it only).
    ``sheet``: its prefix (``自评表!``)."""
    return f"{sheet}{letter}${top}:INDEX({sheet}{letter}:{letter},{row}-{below})"


def sections_summed(
    letter: str, header: int, sections: list[tuple[int, int, float | None]], end: str, below: int = 1, sheet: str = ""
) -> str:
    """A column's sum section by section, each at most its points (``None``: a 加减分 section, bounded on its own), as
    the scorer counts a section (湖北 备注2: 得分不得突破权重总额). ``sections``: each one's first and last rows (1-based)
    and points, top to bottom; the first is summed from the ``header`` row, each to the row above the next one's rows
    (the last to ``below`` rows above the row ``end`` gives, 总分's), so that an inserted row is in one of them (see
    ``rows_above``). The next one's rows are named as a range, whose first row MIN(ROW()) gives: a range shrinks when
    a unit deletes its first row, where a cell would turn #REF!."""
    sums = []
    for index, (first, _, points) in enumerate(sections):
        if index + 1 < len(sections):
            top, bottom, _ = sections[index + 1]
            after, gap = f"MIN(ROW({sheet}{letter}${top}:{letter}${bottom}))", 1
        else:
            after, gap = end, below
        summed = f"SUM({rows_above(letter, header if index == 0 else first, after, gap, sheet)})"
        sums.append(summed if points is None else f"MIN({points:g},{summed})")
    return "+".join(sums)
