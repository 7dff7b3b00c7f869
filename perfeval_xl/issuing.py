"""Templates issued to the units of a bureau's list (下发): one per unit, with its name filled in, so what comes back
names the unit as the list does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .definition import FormDefinition
from .roster import Roster
from .template import build_template

# What Windows refuses in a file's name (and the separators), each made an underscore.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def file_name(unit: str, form_name: str, suffix: str, taken: set[str]) -> str:
    """The file a unit's template is written to, 单位名称_表名.xlsx, safe on Windows and on a share (no \\ / : * ? " < > |,
    no space or dot at either end); ``(2)`` and on after a name already ``taken`` (two names that read the same once
    made safe; compared regardless of case, as Windows compares them)."""
    stem = _UNSAFE.sub("_", f"{unit.strip(' .')}_{form_name}")
    name, number = f"{stem}{suffix}", 1
    while name.casefold() in taken:
        number += 1
        name = f"{stem}({number}){suffix}"
    return name


def issue(
    definition: FormDefinition, roster: Roster, folder: Path, year: int | None = None, macro: bool = False
) -> Iterator[Path]:
    """Write the form's template for every unit the list expects (each listed unit, and each department named only as
    a 上级单位) into ``folder``, its 单位名称 filled in, and the year and its 主管部门 where given and the form has
    them; each path as it is written."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = definition.fields
    taken: set[str] = set()
    for key, name in roster.expected().items():
        fields = {"unit": name, "year": year, "supervisor": roster.parent_of(key)}
        data = {"fields": {k: v for k, v in fields.items() if k in keys and v is not None}}
        written = file_name(name, definition.name, ".xlsm" if macro else ".xlsx", taken)
        taken.add(written.casefold())
        yield build_template(definition, folder / written, data, macro)
