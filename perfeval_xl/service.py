"""Workbook files in, Evaluations out: reading, form detection and evaluation, shared by every adapter."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .definition import RULES_KEY, DefinitionError, FormDefinition, Rules, all_forms, load_form, rules_applied
from .engine import Evaluation, LastYear, evaluate_extractions
from .grid import WorkbookGrid
from .locate import Extraction, FormLacksSheet, OtherForm, WrongForm, extract, find_form_sheet
from .reader import UnreadableInput, read_workbook

if TYPE_CHECKING:
    from .consolidate import Parts


def detect_form(book: WorkbookGrid, form_id: str | None = None) -> FormDefinition:
    """The form asked for, else the one our template recorded, else the one whose labels all appear; a form of
    several sheets with some of them only is named with what it lacks."""
    if form_id:
        return load_form(form_id)
    recorded = book.meta.get("form")
    forms = all_forms()
    if recorded and recorded in {f.id for f in forms}:
        return load_form(recorded)
    # What the nearest forms say: a sheet titled as another form (a project's) first, else a sheet the form lacks.
    near: list[WrongForm] = []
    for definition in forms:
        try:
            find_form_sheet(book, definition)
        except (OtherForm, FormLacksSheet) as exc:
            near.append(exc)
            continue
        except WrongForm:
            continue
        return definition
    if near:
        raise min(near, key=lambda exc: not isinstance(exc, OtherForm))  # min keeps the first of equals
    names = "、".join(f"{f.region}《{f.name}》" for f in forms)
    raise WrongForm(f"未识别为已支持的表式（{names}）", "not a supported form")


def carried_rules(book: WorkbookGrid) -> Rules | None:
    """The bureau's rules a workbook's template carries (see ``definition.RULES_KEY``), if any; rules that do not
    parse (the hidden sheet edited by hand) make the workbook unreadable, saying so."""
    text = book.meta.get(RULES_KEY)
    if not text:
        return None
    try:
        return Rules.parse(text, "模板所附的本局规则")
    except DefinitionError as exc:
        raise UnreadableInput(
            book.path, f"模板所附的本局规则无效：{exc}", f"the bureau's rules the template carries are invalid: {exc}"
        ) from exc


def _extract(book: WorkbookGrid, form_id: str | None) -> Extraction:
    try:
        return extract(book, detect_form(book, form_id))
    except WrongForm as exc:
        raise UnreadableInput(book.path, exc.message, exc.message_en, exc.form) from exc


def check_grids(
    books: list[WorkbookGrid | UnreadableInput],
    form_id: str | None = None,
    earlier: LastYear | None = None,
    parts: Parts | None = None,
) -> list[Evaluation | UnreadableInput]:
    """Detect and evaluate grids read from files or open Excel books, validating them together; an item that is
    already UnreadableInput, or a grid of no known form, comes back as UnreadableInput with a one-line reason.
    ``earlier`` finds each form's submission of last year (see ``engine.LastYear``); ``parts`` are the forms of the
    institutions a department's form is the sum of (see ``consolidate.Parts``)."""
    extracted: list[Extraction | UnreadableInput] = []
    for book in books:
        try:
            extracted.append(book if isinstance(book, UnreadableInput) else _extract(book, form_id))
        except UnreadableInput as exc:
            extracted.append(exc)
    evaluations = iter(
        evaluate_extractions([e for e in extracted if not isinstance(e, UnreadableInput)], earlier, parts)
    )
    return [e if isinstance(e, UnreadableInput) else next(evaluations) for e in extracted]


def _read(path: str | Path) -> WorkbookGrid | UnreadableInput:
    try:
        return read_workbook(path)
    except UnreadableInput as exc:
        return exc


def check_paths(
    paths: list[str | Path], form_id: str | None = None, earlier: LastYear | None = None, parts: Parts | None = None
) -> list[Evaluation | UnreadableInput]:
    """Read, detect and evaluate several files together (one pandera call for all): an Evaluation or the
    UnreadableInput that says why not, for each path in order."""
    return check_grids([_read(path) for path in paths], form_id, earlier, parts)


def _one(outcome: Evaluation | UnreadableInput) -> Evaluation:
    if isinstance(outcome, UnreadableInput):
        raise outcome
    return outcome


def check_grid(
    book: WorkbookGrid, form_id: str | None = None, earlier: LastYear | None = None, parts: Parts | None = None
) -> Evaluation:
    """Detect and evaluate one grid; a grid of no known form raises UnreadableInput with a one-line reason."""
    return _one(check_grids([book], form_id, earlier, parts)[0])


def check_carrying_rules(
    book: WorkbookGrid, form_id: str | None = None, earlier: LastYear | None = None, parts: Parts | None = None
) -> tuple[Evaluation, Rules | None]:
    """Detect and evaluate one grid under the bureau's rules its template carries (see ``carried_rules``), as the
    Excel button and perfeval check without --rules do; those rules are returned with the evaluation (None when it
    carries none), for the adapter to say so."""
    carried = carried_rules(book)
    with rules_applied(carried):
        return check_grid(book, form_id, earlier, parts), carried


def check_path(
    path: str | Path, form_id: str | None = None, earlier: LastYear | None = None, parts: Parts | None = None
) -> Evaluation:
    """Read, detect and evaluate one file. Raises UnreadableInput with a one-line reason for anything else."""
    return _one(check_paths([path], form_id, earlier, parts)[0])


def warm_up() -> None:
    """Load every form definition, validate an empty frame with the pandera schema of all of them (pandera
    registers its backends on the first validate, ~0.2 s) and import cn2an (its import compiles its patterns, ~0.2 s;
    a value in Chinese numerals needs it), so that worker processes forked after this start with the definitions, the
    backends and cn2an instead of each loading them again."""
    import cn2an  # noqa: F401 - imported for the workers to inherit

    from .schemas import cell_frame, cell_schema, schema_codes

    empty, _ = cell_frame([], [])
    cell_schema([(definition, schema_codes(definition)) for definition in all_forms()]).validate(empty)
