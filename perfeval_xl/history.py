"""Batch history in a database (SQLite by default, any SQLAlchemy URL such as PostgreSQL): every run, every
submission by content hash, every finding; unchanged files are not checked again and resubmissions are compared."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    insert,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

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
    Column("year", Integer),
    Column("status", String(16), nullable=False),
    Column("total", Float),
    Column("reported_total", Float),
    Column("grade", String(16)),
    Column("errors", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("result", Text, nullable=False),
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
)


class HistoryError(Exception):
    """The database cannot be opened or written; the message says which URL and why."""


@dataclass(frozen=True)
class Previous:
    """A unit's latest earlier submission of the same form and year with other content."""

    file: str
    started_at: str
    findings: frozenset[tuple[str, str, str]]  # (code, sheet, cell)


def finding_keys(result: dict[str, Any]) -> frozenset[tuple[str, str, str]]:
    return frozenset((i["code"], i.get("sheet") or "", i.get("cell") or "") for i in result.get("issues", []))


class History:
    """One database of batch results. ``options`` (the form asked for, the language) must match for a stored
    result to stand in for checking a file again, and so must the tool version."""

    def __init__(self, url: str, tool_version: str) -> None:
        self.url = url
        self.tool_version = tool_version
        try:
            self.engine: Engine = create_engine(url)
            metadata.create_all(self.engine)
        except (SQLAlchemyError, ImportError, ValueError) as exc:
            raise HistoryError(f"无法打开结果数据库 {_safe_url(url)}：{exc}") from exc

    def start_run(self, source: str) -> int:
        started = datetime.now(UTC).isoformat(timespec="seconds")
        with self.engine.begin() as conn:
            row = conn.execute(
                insert(runs)
                .values(started_at=started, source=source, tool_version=self.tool_version)
                .returning(runs.c.id)
            )
            return int(row.scalar_one())

    def stored_results(self, hashes: list[str], options: str) -> dict[str, dict[str, Any]]:
        """Results of files already checked with the same content, options and tool version, by content hash."""
        found: dict[str, dict[str, Any]] = {}
        with self.engine.connect() as conn:
            for start in range(0, len(hashes), 500):
                query = (
                    select(submissions.c.content_hash, submissions.c.result)
                    .join(runs, runs.c.id == submissions.c.run_id)
                    .where(submissions.c.content_hash.in_(hashes[start : start + 500]))
                    .where(submissions.c.options == options)
                    .where(runs.c.tool_version == self.tool_version)
                    .order_by(submissions.c.id)
                )
                for content_hash, result in conn.execute(query):
                    found[content_hash] = json.loads(result)
        return found

    def previous(self, form: str, unit: str, year: int | None, content_hash: str, before_run: int) -> Previous | None:
        """The unit's latest submission from an earlier run whose content differs from this one."""
        with self.engine.connect() as conn:
            query = (
                select(submissions.c.id, submissions.c.file, runs.c.started_at)
                .join(runs, runs.c.id == submissions.c.run_id)
                .where(submissions.c.form == form, submissions.c.unit == unit, submissions.c.year == year)
                .where(submissions.c.content_hash != content_hash, submissions.c.run_id < before_run)
                .order_by(submissions.c.id.desc())
                .limit(1)
            )
            row = conn.execute(query).first()
            if row is None:
                return None
            keys = conn.execute(
                select(findings.c.code, findings.c.sheet, findings.c.cell).where(findings.c.submission_id == row.id)
            )
            return Previous(row.file, row.started_at, frozenset((c, s or "", a or "") for c, s, a in keys))

    def record(self, run_id: int, entries: list[tuple[str, str, str, dict[str, Any]]]) -> None:
        """Store (file, content_hash, options, result) of every submission of a run, with its findings."""
        with self.engine.begin() as conn:
            for file, content_hash, options, result in entries:
                scores = result.get("scores") or {}
                issues = result.get("issues", [])
                errors, warnings = issue_counts(result)
                row = conn.execute(
                    insert(submissions)
                    .values(
                        run_id=run_id,
                        file=file,
                        content_hash=content_hash,
                        options=options,
                        form=result.get("form"),
                        unit=result.get("unit"),
                        year=result.get("year"),
                        status=result["status"],
                        total=scores.get("total"),
                        reported_total=scores.get("reported_total"),
                        grade=scores.get("grade"),
                        errors=errors,
                        warnings=warnings,
                        result=json.dumps(result, ensure_ascii=False),
                    )
                    .returning(submissions.c.id)
                )
                submission_id = int(row.scalar_one())
                if issues:
                    conn.execute(
                        insert(findings),
                        [
                            {
                                "submission_id": submission_id,
                                "code": i["code"],
                                "severity": i["severity"],
                                "sheet": i.get("sheet"),
                                "cell": i.get("cell"),
                                "message": i.get("message"),
                            }
                            for i in issues
                        ],
                    )

    def close(self) -> None:
        self.engine.dispose()


def _safe_url(url: str) -> str:
    """The URL without its password, for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "（无效的数据库地址）"
