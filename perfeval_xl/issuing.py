"""Templates issued to the units of a bureau's list (下发): one per unit, with its name filled in, so what comes back
names the unit as the list does."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .definition import FormDefinition
from .engine import Evaluation
from .plan import unused_name
from .reader import UnreadableInput
from .roster import Roster, unit_key
from .template import build_template

# What Windows refuses in a file's name (and the separators), each made an underscore.
_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def file_name(unit: str, form_name: str, suffix: str, taken: set[str]) -> str:
    """The file a unit's template is written to, 单位名称_表名.xlsx, safe on Windows and on a share (no \\ / : * ? " < > |,
    no space or dot at either end); ``(2)`` and on after a name already ``taken`` (two names that read the same once
    made safe; compared regardless of case, as Windows compares them)."""
    stem = _UNSAFE.sub("_", f"{unit.strip(' .')}_{form_name}")
    return unused_name(stem, suffix, lambda name: name.casefold() in taken)


def issue(
    definition: FormDefinition,
    roster: Roster,
    folder: Path,
    year: int | None = None,
    macro: bool = False,
    prior: Mapping[str, dict[str, Any]] | None = None,
) -> Iterator[Path]:
    """Write the form's template for every unit the list expects (each listed unit, and each department named only as
    a 上级单位) into ``folder``, its 单位名称 filled in as the list writes it, and the year and its 主管部门 where given
    and the form has them; a unit with ``prior`` data (by its key: ``prior_year.next_year`` of its form of last year)
    gets it too. Each path as it is written."""
    folder.mkdir(parents=True, exist_ok=True)
    keys = definition.fields
    taken: set[str] = set()
    for key, name in roster.expected().items():
        data = (prior or {}).get(key, {})
        fields = {**data.get("fields", {}), "unit": name, "supervisor": roster.parent_of(key)}
        if year is not None:
            fields["year"] = year
        filled = {**data, "fields": {k: v for k, v in fields.items() if k in keys and v is not None}}
        written = file_name(name, definition.name, ".xlsm" if macro else ".xlsx", taken)
        taken.add(written.casefold())
        yield build_template(definition, folder / written, filled, macro, issued_to=name)


def forms_by_unit(
    checked: list[tuple[str, Evaluation | UnreadableInput]], year: int | None = None
) -> dict[str, list[tuple[str, Evaluation]]]:
    """Last year's readable forms (each with its file's name), by their unit's key: of each unit, those of the latest
    year it sent, or of the year before ``year`` when given (a form that states no year is of any year). More than
    one is the unit's to tell apart: none of them is taken for it."""
    by_unit: dict[str, list[tuple[str, Evaluation]]] = {}
    for name, outcome in checked:
        if isinstance(outcome, UnreadableInput) or not outcome.unit:
            continue
        if year is not None and outcome.extraction.year not in (year - 1, None):
            continue
        by_unit.setdefault(unit_key(outcome.unit), []).append((name, outcome))
    latest = {key: max(e.extraction.year or 0 for _, e in forms) for key, forms in by_unit.items()}
    return {key: [f for f in forms if (f[1].extraction.year or 0) == latest[key]] for key, forms in by_unit.items()}
