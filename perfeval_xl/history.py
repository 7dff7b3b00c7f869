"""Batch history in a database (SQLite by default, any SQLAlchemy URL such as PostgreSQL): every run, every
submission by content hash, every finding; unchanged files are not checked again and resubmissions are compared."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Concatenate, NamedTuple, ParamSpec, TypeVar

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    create_engine,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from .grid import fold_label
from .prior_year import Carried, Earlier
from .report import issue_counts

metadata = MetaData()
runs = Table(
    "perfeval_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("started_at", String(32), nullable=False),
    Column("source", Text, nullable=False),
    Column("tool_version", String(32), nullable=False),
)
submissions = Table(
    "perfeval_submissions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("perfeval_runs.id"), nullable=False, index=True),
    Column("file", Text, nullable=False),
    Column("content_hash", String(64), nullable=False, index=True),
    Column("options", String(64), nullable=False),
    Column("form", String(32)),
    Column("unit", Text),
    # The unit's name folded as the summary's 同一单位多份 folds it (full-width forms, spaces): a resubmission whose name
    # is typed a little differently is still the unit's. A database written before the column was added gets it on
    # opening (History._add_unit_keys).
    Column("unit_key", Text, index=True),
    Column("year", Integer),
    Column("status", String(16), nullable=False),
    Column("total", Float),
    Column("reported_total", Float),
    Column("grade", String(16)),
    Column("errors", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("result", Text, nullable=False),
    # The figures next year's form of the unit gives again as last year's, JSON {key: [value, rounding]} (see
    # prior_year.carried), for the 跨期 check of its next year; none for a form without such figures. A database
    # written before the column was added gets it on opening (History._add_columns).
    Column("carried", Text),
)
findings = Table(
    "perfeval_findings",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("submission_id", Integer, ForeignKey("perfeval_submissions.id"), nullable=False, index=True),
    Column("code", String(16), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("sheet", Text),
    Column("cell", String(16)),
    Column("message", Text),
    # What the finding is about (its key: the 三级指标, the row, the field), "" when it names nothing; NULL in a
    # database written before the column was added (History._add_columns), whose findings compare by cell alone.
    Column("item", Text),
)


_IN_CHUNK = 500  # values per IN (…) list: far below every backend's limit on bound parameters
Submitted = tuple[str, str, int | None, str]  # form, unit, year, content hash


class Recorded(NamedTuple):
    """A submission as a run records it: its file, content hash, the options it was checked with, its result, and
    the figures it carries into next year (see ``prior_year.carried``), when it has any."""

    file: str
    content_hash: str
    options: str
    result: dict[str, Any]
    carried: Carried | None = None


class HistoryError(Exception):
    """The database cannot be opened or written; the message says which URL and why."""


Cell = tuple[str, str, str]  # a finding's code, sheet and cell, as 已改正 and 新增问题 list them


class Found(NamedTuple):
    """A finding as a resubmission is compared by: what it is about (``item``, its key; "" when it names nothing,
    None when the database did not record it) and where."""

    code: str
    sheet: str
    cell: str
    item: str | None

    def identity(self, by_item: bool) -> tuple[str, ...]:
        """What makes it the same finding in another submission of the unit: its code and sheet, and what it is about
        in the same column (rows the unit inserted or deleted above it move it, and it is still the same), or its
        cell when it names nothing or the comparison cannot know (``by_item`` false)."""
        if by_item and self.item:
            return self.code, self.sheet, self.item, self.cell.rstrip("0123456789")
        return self.code, self.sheet, self.cell


def changes(before: Collection[Found], after: Collection[Found]) -> tuple[list[Cell], list[Cell]]:
    """The findings of a unit's previous submission that its new one no longer has (fixed), and those it has that the
    previous one had not (new), each as (code, sheet, cell). Compared by what they are about (see
    ``Found.identity``), unless the previous findings were recorded without it."""
    by_item = all(f.item is not None for f in before)
    kept, had = ({f.identity(by_item) for f in found} for found in (after, before))
    fixed = sorted((f.code, f.sheet, f.cell) for f in before if f.identity(by_item) not in kept)
    new = sorted((f.code, f.sheet, f.cell) for f in after if f.identity(by_item) not in had)
    return fixed, new


@dataclass(frozen=True)
class Previous:
    """A unit's latest earlier submission of the same form and year with other content."""

    file: str
    started_at: str
    findings: frozenset[Found]


class Scored(NamedTuple):
    """A unit's submission of a year as next year's is set beside it (与上年对比): its file, total and grade."""

    file: str
    total: float
    grade: str


def found_in(result: dict[str, Any]) -> frozenset[Found]:
    """A result's findings as a resubmission is compared by."""
    return frozenset(
        Found(i["code"], i.get("sheet") or "", i.get("cell") or "", i.get("key") or "")
        for i in result.get("issues", [])
    )


P = ParamSpec("P")
T = TypeVar("T")


def _first_line(exc: Exception) -> str:
    """The driver's own first line (connection refused, no such database, disk full), not SQLAlchemy's wrapping of
    it with the statement and a link: one line for the user."""
    return str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]


def _one_line(method: Callable[Concatenate[History, P], T]) -> Callable[Concatenate[History, P], T]:
    """A database that fails while a batch runs (a server restarted, a connection dropped, a disk full, the file
    removed) is one line naming it, as one that cannot be opened is, not a traceback."""

    @functools.wraps(method)
    def wrapper(self: History, *args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(self, *args, **kwargs)
        except SQLAlchemyError as exc:
            raise HistoryError(f"结果数据库 {_safe_url(self.url)} 读写失败：{_first_line(exc)}") from exc

    return wrapper


class History:
    """One database of batch results. ``options`` (the form asked for, the language) must match for a stored
    result to stand in for checking a file again, and so must the tool version."""

    def __init__(self, url: str, tool_version: str) -> None:
        self.url = url
        self.tool_version = tool_version
        try:
            self.engine: Engine = create_engine(url)
            metadata.create_all(self.engine)
            self._add_columns()
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise HistoryError(f"无法打开结果数据库 {_safe_url(url)}：{_first_line(exc)}") from exc

    def _add_columns(self) -> None:
        """A database an earlier version wrote lacks the columns added since: unit_key, with its index, is filled
        from the names stored, so that earlier submissions are still found; carried stays empty (those submissions
        were not kept for a 跨期 check), and so does each finding's item (those findings compare by cell)."""
        inspector = inspect(self.engine)
        have = {c["name"] for c in inspector.get_columns(submissions.name)}
        if "carried" not in have:
            with self.engine.begin() as conn:
                conn.execute(text(f"ALTER TABLE {submissions.name} ADD COLUMN carried TEXT"))
        if "item" not in {c["name"] for c in inspector.get_columns(findings.name)}:
            with self.engine.begin() as conn:
                conn.execute(text(f"ALTER TABLE {findings.name} ADD COLUMN item TEXT"))
        if "unit_key" in have:
            return
        with self.engine.begin() as conn:
            conn.execute(text(f"ALTER TABLE {submissions.name} ADD COLUMN unit_key TEXT"))
            next(i for i in submissions.indexes if "unit_key" in i.columns).create(conn, checkfirst=True)
            units = [u for (u,) in conn.execute(select(submissions.c.unit).distinct()) if u is not None]
            if units:  # one statement, executed for every stored name
                fill = update(submissions).where(submissions.c.unit == bindparam("name"))
                conn.execute(fill.values(unit_key=bindparam("key")), [{"name": u, "key": fold_label(u)} for u in units])

    @_one_line
    def start_run(self, source: str) -> int:
        started = datetime.now(UTC).isoformat(timespec="seconds")
        with self.engine.begin() as conn:
            row = conn.execute(
                insert(runs)
                .values(started_at=started, source=source, tool_version=self.tool_version)
                .returning(runs.c.id)
            )
            return int(row.scalar_one())

    def _stored(self, columns: list[Any], hashes: list[str], options: str) -> Iterator[Any]:
        """Rows of the submissions already checked with one of these contents, the same options and tool version,
        oldest first."""
        with self.engine.connect() as conn:
            for start in range(0, len(hashes), _IN_CHUNK):
                query = (
                    select(submissions.c.content_hash, *columns)
                    .join(runs, runs.c.id == submissions.c.run_id)
                    .where(submissions.c.content_hash.in_(hashes[start : start + _IN_CHUNK]))
                    .where(submissions.c.options == options)
                    .where(runs.c.tool_version == self.tool_version)
                    .order_by(submissions.c.id)
                )
                yield from conn.execute(query)

    @_one_line
    def stored_issues(self, hashes: list[str], options: str) -> dict[str, bool]:
        """For each content already checked with the same options and tool version, whether it had findings."""
        return {
            content_hash: errors + warnings > 0
            for content_hash, errors, warnings in self._stored(
                [submissions.c.errors, submissions.c.warnings], hashes, options
            )
        }

    @_one_line
    def stored_results(self, hashes: list[str], options: str) -> dict[str, tuple[dict[str, Any], Carried | None]]:
        """Results of files already checked with the same content, options and tool version, and the figures they
        carry into next year (see ``record``), by content hash."""
        return {
            content_hash: (json.loads(result), _carried(carried))
            for content_hash, result, carried in self._stored(
                [submissions.c.result, submissions.c.carried], hashes, options
            )
        }

    def _latest_of_each_year(self, before_run: int, having: Any, columns: tuple[str, ...]) -> list[Any]:
        """The form, folded unit, year and ``columns`` of each unit's latest submission of each form and year for
        which ``having`` holds, from the runs before this one."""
        latest = (
            select(func.max(submissions.c.id).label("id"))
            .where(having, submissions.c.year.is_not(None))
            .where(submissions.c.run_id < before_run)
            .group_by(submissions.c.form, submissions.c.unit_key, submissions.c.year)
            .subquery()
        )
        named = [submissions.c[name] for name in ("form", "unit_key", "year", *columns)]
        with self.engine.connect() as conn:
            return list(conn.execute(select(*named).join(latest, latest.c.id == submissions.c.id)))

    @_one_line
    def last_years(self, before_run: int) -> dict[tuple[str, str, int], Earlier]:
        """Each unit's latest submission of each form and year that carries figures into the next year (see
        ``prior_year.carried``), from the runs before this one, by (form, folded unit, year): what a 跨期 check
        of the year after compares with."""
        rows = self._latest_of_each_year(before_run, submissions.c.carried.is_not(None), ("unit", "file", "carried"))
        return {
            (row.form, row.unit_key, row.year): Earlier(
                _carried(row.carried) or {}, row.file, row.form, row.year, row.unit or ""
            )
            for row in rows
        }

    @_one_line
    def scored(self, before_run: int) -> dict[tuple[str, str, int], Scored]:
        """Each unit's latest graded submission of each form and year, from the runs before this one, by (form,
        folded unit, year): what the year after's total is set beside."""
        rows = self._latest_of_each_year(before_run, submissions.c.grade.is_not(None), ("file", "total", "grade"))
        return {(row.form, row.unit_key, row.year): Scored(row.file, row.total, row.grade) for row in rows}

    @_one_line
    def previous(self, wanted: list[Submitted], before_run: int) -> dict[Submitted, Previous]:
        """For each (form, unit, year, content hash), the unit's latest submission of that form and year from an
        earlier run whose content differs, its name matched folded (see ``unit_key``): one query for the submissions
        and one for their findings, not one per unit. The database keeps only each content's latest submission for
        the first (a unit whose unchanged file is taken again run after run has a row per run, and only the newest
        of them can be the answer)."""
        units = sorted({fold_label(unit) for _, unit, _, _ in wanted})
        earlier: dict[tuple[str, str, int | None], list[Any]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(units), _IN_CHUNK):
                latest = (
                    select(func.max(submissions.c.id).label("id"))
                    .where(submissions.c.unit_key.in_(units[start : start + _IN_CHUNK]))
                    .where(submissions.c.run_id < before_run)
                    .group_by(
                        submissions.c.form, submissions.c.unit_key, submissions.c.year, submissions.c.content_hash
                    )
                    .subquery()
                )
                query = (
                    select(
                        submissions.c.id,
                        submissions.c.file,
                        submissions.c.form,
                        submissions.c.unit_key,
                        submissions.c.year,
                        submissions.c.content_hash,
                        runs.c.started_at,
                    )
                    .join(latest, latest.c.id == submissions.c.id)
                    .join(runs, runs.c.id == submissions.c.run_id)
                    .order_by(submissions.c.id.desc())
                )
                for row in conn.execute(query):
                    earlier.setdefault((row.form, row.unit_key, row.year), []).append(row)
            chosen = {}
            for key in wanted:
                form, unit, year, content_hash = key
                found = earlier.get((form, fold_label(unit), year), ())
                row = next((r for r in found if r.content_hash != content_hash), None)
                if row is not None:
                    chosen[key] = row
            keys: dict[int, set[Found]] = {row.id: set() for row in chosen.values()}
            ids = sorted(keys)
            columns = (findings.c.submission_id, findings.c.code, findings.c.sheet, findings.c.cell, findings.c.item)
            for start in range(0, len(ids), _IN_CHUNK):
                query = select(*columns).where(findings.c.submission_id.in_(ids[start : start + _IN_CHUNK]))
                for submission_id, code, sheet, cell, item in conn.execute(query):
                    keys[submission_id].add(Found(code, sheet or "", cell or "", item))
        return {key: Previous(row.file, row.started_at, frozenset(keys[row.id])) for key, row in chosen.items()}

    @_one_line
    def record(self, run_id: int, entries: list[Recorded]) -> None:
        """Store submissions of a run, with their findings and what each carries into next year: the submissions in
        one statement, then their new ids (in insertion order, by file name), then every finding in one statement."""
        rows = []
        for file, content_hash, options, result, carries in entries:
            scores = result.get("scores") or {}
            errors, warnings = issue_counts(result)
            rows.append(
                {
                    "run_id": run_id,
                    "file": file,
                    "content_hash": content_hash,
                    "options": options,
                    "form": result.get("form"),
                    "unit": result.get("unit"),
                    "unit_key": fold_label(str(result["unit"])) if result.get("unit") is not None else None,
                    "year": result.get("year"),
                    "status": result["status"],
                    "total": scores.get("total"),
                    "reported_total": scores.get("reported_total"),
                    "grade": scores.get("grade"),
                    "errors": errors,
                    "warnings": warnings,
                    "result": json.dumps(result, ensure_ascii=False),
                    "carried": json.dumps(carries, ensure_ascii=False) if carries else None,
                }
            )
        if not rows:
            return
        with self.engine.begin() as conn:
            mine = submissions.c.run_id == run_id
            before = conn.execute(select(func.max(submissions.c.id)).where(mine)).scalar() or 0
            conn.execute(insert(submissions), rows)
            ids: dict[str, list[int]] = {}
            query = select(submissions.c.file, submissions.c.id).where(mine, submissions.c.id > before)
            for file, submission_id in conn.execute(query.order_by(submissions.c.id.desc())):
                ids.setdefault(file, []).append(submission_id)  # a zip may hold one name twice: first id last
            found = [
                {
                    "submission_id": submission_id,
                    "code": i["code"],
                    "severity": i["severity"],
                    "sheet": i.get("sheet"),
                    "cell": i.get("cell"),
                    "message": i.get("message"),
                    "item": i.get("key") or "",
                }
                for file, submission_id, result in ((e.file, ids[e.file].pop(), e.result) for e in entries)
                for i in result.get("issues", [])
            ]
            if found:
                conn.execute(insert(findings), found)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _carried(stored: str | None) -> Carried | None:
    """Figures carried into next year as stored (JSON lists) back to (value, rounding) pairs."""
    return {key: (value, rounding) for key, (value, rounding) in json.loads(stored).items()} if stored else None


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "（无效的数据库地址）"
