"""The bureau's list of units (单位名单): who is to submit, and the department each institution belongs to."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, NamedTuple

from .grid import SheetGrid, fold_label, label_keys
from .reader import UnreadableInput, read_workbook

# A header's labels, folded: the unit's name, and its department's (the 主管部门 or 上级单位 of a list exported from
# the 预算管理一体化 system, or typed by the bureau).
_NAME = frozenset({"单位名称", "预算单位名称", "单位全称", "单位", "预算单位", "部门(单位)名称", "部门(单位)"})
_PARENT = frozenset(
    {"上级单位", "上级单位名称", "主管部门", "主管部门名称", "所属部门", "主管单位", "上级部门", "所属主管部门"}
)
# A list exported with codes may give the 上级单位 by its code only: it is the code of another listed unit.
_CODE = frozenset({"单位编码", "预算单位编码", "单位代码", "编码"})
_PARENT_CODE = frozenset({"上级单位编码", "主管部门编码", "上级编码", "上级单位代码", "主管部门代码"})
# Whom to ask about a unit's form, where the list gives it (a bureau's 填报单位联系表): to chase a unit that sent nothing.
_CONTACT = frozenset({"联系人", "填报人", "经办人", "联系人姓名"})
_PHONE = frozenset({"联系电话", "电话", "手机", "手机号码", "手机号", "联系方式", "办公电话"})
HEADER_ROWS = 10  # the header is among a list's first rows (a title and a date may come above it)
# What a list typed by hand has in its name column below its units, folded: a total (合计：35 个单位, 共计), a note
# (说明：…, 注：…), who made it (填表人：…, 制表：…) or 以下空白. No unit's name starts so.
_NOT_A_UNIT = re.compile(
    r"(?:合计|小计|总计|共计)"
    r"|(?:说明|注|备注|附注|填表人|填报人|制表人|制表|审核人|审核|负责人|单位负责人|日期|填表日期|制表日期):"
    r"|\(?以下(?:空白|无)"
)


class RosterError(Exception):
    """A unit list that cannot be used, with why, in Chinese and in English."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message)
        self.message, self.message_en = message, message_en

    def text(self, lang: str) -> str:
        return self.message if lang == "zh" else self.message_en


@dataclass(frozen=True)
class Listed:
    """A unit of the list: its name as the bureau wrote it, its department's (None for a department), and where the
    list gives them its code (单位编码, as the 预算管理一体化 system keys units) and whom to ask about its form."""

    name: str
    parent: str | None
    code: str = ""
    contact: str = ""
    phone: str = ""


class Progress(NamedTuple):
    """A department's 报送进度: its units expected (its own form and its institutions'), how many of them sent a
    form that passes and how many one to return, and the units that sent nothing, as the list names them."""

    department: str
    units: int
    passed: int
    returned: int
    unsent: tuple[str, ...]

    @property
    def sent(self) -> int:
        return self.units - len(self.unsent)

    @property
    def share(self) -> float:
        """The share of its units that sent a readable form."""
        return self.sent / self.units

    @classmethod
    def of_all(cls, name: str, departments: list[Progress]) -> Progress:
        """The departments' progress added up (合计), under ``name``."""
        return cls(
            name,
            sum(p.units for p in departments),
            sum(p.passed for p in departments),
            sum(p.returned for p in departments),
            tuple(unit for p in departments for unit in p.unsent),
        )


class _Columns(NamedTuple):
    """Where a list's header puts each thing a unit's row gives (None for what it does not give)."""

    name: int
    parent: int | None
    code: int | None
    contact: int | None
    phone: int | None


def unit_key(name: Any) -> str:
    """A unit's name as names are compared: folded, as the history keys units (襄阳市科协 and 襄阳市科协 typed with a
    full-width space are one unit)."""
    return fold_label(str(name))


@dataclass(frozen=True)
class Roster:
    """The units a bureau expects a submission from, in the list's order, each with its department if the list
    gives one. A department is the 上级单位 of at least one unit, listed as a unit itself or not."""

    units: tuple[Listed, ...]
    path: Path  # the list's file: kept in the inbox beside the submissions, it is none of them

    @classmethod
    def read(cls, path: Path) -> Roster:
        """The list in a workbook (its first sheet with a 单位名称 column among its first rows) or a .csv (UTF-8 or
        GBK); a list with no such column or no unit in it is a RosterError, as is a file that cannot be read."""
        for rows in _sheets(path):
            for at, row in enumerate(rows[:HEADER_ROWS]):
                labels = [unit_key(v) if v is not None else "" for v in row]
                name_col = _column(labels, _NAME)
                if name_col is None:
                    continue
                parent_col = _column(labels, _PARENT)
                parent_col = parent_col if parent_col is not None else _column(labels, _PARENT_CODE)
                columns = _Columns(
                    name_col, parent_col, _column(labels, _CODE), _column(labels, _CONTACT), _column(labels, _PHONE)
                )
                return cls._of(rows[at + 1 :], columns, path)
        raise RosterError(
            f"单位名单 {path.name} 的各工作表前 {HEADER_ROWS} 行中都没有“单位名称”列",
            f"the unit list {path.name} has no 单位名称 column in the first {HEADER_ROWS} rows of any sheet",
        )

    @classmethod
    def _of(cls, rows: list[list[Any]], columns: _Columns, path: Path) -> Roster:
        codes = ((_text(row, columns.code), _text(row, columns.name)) for row in rows if columns.code is not None)
        named = {code: name for code, name in codes if code and name}
        units: dict[str, Listed] = {}
        for row in rows:
            name = _text(row, columns.name)
            if not name or _NOT_A_UNIT.match(unit_key(name)):
                continue
            parent = _text(row, columns.parent)
            parent = named.get(parent) or parent
            # A department's own row in an exported list names itself as its 主管部门.
            listed = Listed(
                name,
                parent if parent and unit_key(parent) != unit_key(name) else None,
                _text(row, columns.code),
                _text(row, columns.contact),
                _text(row, columns.phone),
            )
            units.setdefault(unit_key(name), listed)
        if not units:
            raise RosterError(f"单位名单 {path.name} 中没有单位", f"the unit list {path.name} lists no unit")
        return cls(tuple(units.values()), path)

    def expected(self) -> dict[str, str]:
        """Every unit expected to submit, by key: each one listed, and each department named as a 上级单位."""
        names = {unit_key(u.name): u.name for u in self.units}
        for unit in self.units:
            if unit.parent is not None:
                names.setdefault(unit_key(unit.parent), unit.parent)
        return names

    def departments(self) -> dict[str, list[Listed]]:
        """Each department's institutions, by the department's key, in the list's order."""
        found: dict[str, list[Listed]] = {}
        for unit in self.units:
            if unit.parent is not None:
                found.setdefault(unit_key(unit.parent), []).append(unit)
        return found

    def parent_of(self, key: str) -> str | None:
        """The department of a unit, by its key, as the list names it."""
        return self._by_key[key].parent if key in self._by_key else None

    def listed(self, key: str) -> Listed | None:
        """A unit of the list by its key (None for a department the list names only as a 上级单位)."""
        return self._by_key.get(key)

    def progress(self, returned: dict[str, bool]) -> list[Progress]:
        """How far each department's units have sent their forms (报送进度), in the list's order: the department's
        own form and its institutions'. ``returned`` says, by unit key, whether a unit that sent a readable form has
        one to return; a unit not in it sent nothing. A unit of no department is a department of one."""
        names, groups = self.expected(), dict[str, list[str]]()
        for key in names:
            parent = self.parent_of(key)
            groups.setdefault(unit_key(parent) if parent else key, []).append(key)
        return [
            Progress(
                names[department],
                len(keys),
                sum(1 for key in keys if returned.get(key) is False),
                sum(1 for key in keys if returned.get(key)),
                tuple(names[key] for key in keys if key not in returned),
            )
            for department, keys in groups.items()
        ]

    @property
    def coded(self) -> bool:
        """Whether the list gives units' codes."""
        return any(u.code for u in self.units)

    @property
    def with_contacts(self) -> bool:
        """Whether the list gives whom to ask about units' forms."""
        return any(u.contact or u.phone for u in self.units)

    @cached_property
    def _by_key(self) -> dict[str, Listed]:
        return {unit_key(u.name): u for u in self.units}


def _column(labels: list[str], wanted: frozenset[str]) -> int | None:
    """The first column whose header is one of ``wanted``, or one of them followed by a bracket (单位名称（全称）)."""
    return next((c for c, label in enumerate(labels) if not wanted.isdisjoint(label_keys(label))), None)


def _text(row: list[Any], col: int | None) -> str:
    value = row[col] if col is not None and col < len(row) else None
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _sheets(path: Path) -> list[list[list[Any]]]:
    """The rows of each sheet of the list (a cover or a note may come first), or of its .csv; a file that cannot be
    read says why, as a submission would."""
    if path.suffix.lower() == ".csv":
        return [_csv_rows(path)]
    try:
        book = read_workbook(path)
    except UnreadableInput as exc:
        raise RosterError(
            f"单位名单 {path.name}：{exc.message}", f"the unit list {path.name}: {exc.message_en}"
        ) from exc
    return [_unmerged(sheet) for sheet in book.sheets.values()]


def _unmerged(sheet: SheetGrid) -> list[list[Any]]:
    """A sheet's rows with each merged cell holding its range's value: a list grouped by department merges the
    department's name down the 主管部门 column over its institutions' rows."""
    rows = [list(row) for row in sheet.cells]
    for top, left, bottom, right in sheet.merged:
        value = sheet.value(top, left)
        for r in range(top, min(bottom + 1, len(rows))):
            rows[r] += [""] * (right + 1 - len(rows[r]))
            rows[r][left : right + 1] = [value] * (right + 1 - left)
    return rows


def _csv_rows(path: Path) -> list[list[Any]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise RosterError(
            f"单位名单 {path.name} 无法打开（{exc.strerror or exc}）", f"cannot open {path.name}: {exc}"
        ) from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(data.decode(encoding).splitlines()))
        except UnicodeDecodeError:
            continue
    raise RosterError(
        f"单位名单 {path.name} 既不是 UTF-8 也不是 GBK 编码", f"the unit list {path.name} is neither UTF-8 nor GBK"
    )
