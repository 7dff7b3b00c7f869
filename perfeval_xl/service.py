"""One workbook file in, one Evaluation out: reading, form detection and evaluation, shared by every adapter."""

from __future__ import annotations

from pathlib import Path

from .definition import FormDefinition, all_forms, load_form
from .engine import Evaluation, evaluate
from .grid import WorkbookGrid
from .locate import WrongForm, find_form_sheet
from .reader import UnreadableInput, read_workbook


def detect_form(book: WorkbookGrid, form_id: str | None = None) -> FormDefinition:
    """The form asked for, else the one our template recorded, else the one whose labels all appear."""
    if form_id:
        return load_form(form_id)
    recorded = book.meta.get("form")
    forms = all_forms()
    if recorded and recorded in {f.id for f in forms}:
        return load_form(recorded)
    for definition in forms:
        try:
            find_form_sheet(book, definition)
        except WrongForm:
            continue
        return definition
    names = "、".join(f"{f.region}《{f.name}》" for f in forms)
    raise WrongForm(f"未识别为已支持的表式（{names}）", "not a supported form")


def check_grid(book: WorkbookGrid, form_id: str | None = None) -> Evaluation:
    """Detect and evaluate a grid read from a file or from an open Excel book; a grid of no known form raises
    UnreadableInput with a one-line reason."""
    try:
        return evaluate(book, detect_form(book, form_id))
    except WrongForm as exc:
        raise UnreadableInput(book.path, exc.message, exc.message_en) from exc


def check_path(path: str | Path, form_id: str | None = None) -> Evaluation:
    """Read, detect and evaluate one file. Raises UnreadableInput with a one-line reason for anything else."""
    return check_grid(read_workbook(path), form_id)
