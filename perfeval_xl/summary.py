"""The outputs of a batch: 汇总结果.xlsx (rows, counts, every finding, charts), results.json/.csv, findings.csv."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

import xlsxwriter

from .checks import CATALOGUE
from .definition import all_forms
from .findings import SEVERITY_LABEL
from .grid import fold_label, sheet_ref
from .plan import ERROR_TEXT, HEADER_FILL, display_width, looks_like_formula, text_height
from .report import counted, issue_counts, summed_from
from .roster import Progress
from .unwritable import close_xlsx

if TYPE_CHECKING:
    from .batch import Entry
    from .history import Scored
    from .roster import Listed, Roster

SUMMARY_BOOK = "汇总结果.xlsx"
RESULTS_JSON = "results.json"
RESULTS_CSV = "results.csv"
FINDINGS_CSV = "findings.csv"  # the 问题明细 sheet's rows, one per finding
UNITS_CSV = "units.csv"  # the 名单核对 sheet's rows, with the bureau's unit list only
DEPARTMENTS_CSV = "departments.csv"  # the 报送进度 sheet's rows, with a unit list that gives departments
SHEETS = {
    "zh": ("汇总", "按校验代码统计", "问题明细", "同一单位多份", "年度不同", "其他文件", "图表"),
    "en": ("summary", "by check", "findings", "same unit", "other year", "other files", "charts"),
}
ROSTER_SHEET = {"zh": "名单核对", "en": "unit list"}  # with the bureau's unit list only, before the charts
PROGRESS_SHEET = {"zh": "报送进度", "en": "progress"}  # with a unit list that gives departments, after 名单核对
# With the history of an earlier year only (a unit's submission of the year before, in the database), before the charts.
LAST_YEAR_SHEET = {"zh": "与上年对比", "en": "last year"}
VERDICT = {"zh": ("通过", "退回"), "en": ("accepted", "returned")}
FINDING_HEADERS = {
    "zh": ["文件", "单位", "代码", "级别", "工作表", "单元格", "填报项", "说明", "填报值", "应为", "差额"],
    "en": ["file", "unit", "code", "severity", "sheet", "cell", "item", "message", "value", "expected", "difference"],
}
FINDING_CELL = 5  # the column of 问题明细 that gives a finding's cell
FINDING_MESSAGE = 7  # and the one that gives its message
SCORE_BINS = ((0, 60), (60, 70), (70, 80), (80, 90), (90, 100.0001))


def _scores(entry: Entry) -> dict[str, Any]:
    return entry.result.get("scores") or {}


def _difference(entry: Entry) -> float | None:
    scores = _scores(entry)
    if scores.get("total") is None or scores.get("reported_total") is None:
        return None
    return round(scores["reported_total"] - scores["total"], 2)


WRAP_WIDTH = 50  # the width the long texts of a table wrap at (see _Table)
ONE_LINE = text_height("", WRAP_WIDTH)  # the height text_height gives a text of one line
SHOWN_ERRORS = 3  # the errors a returned submission's 说明 spells out, for the bureau to give as its reason


def _reason(entry: Entry, lang: str) -> str:
    """Why a submission is returned, or what to verify: a returned one's first errors spelt out (cell and message),
    as the reason a bureau gives when it returns a form in its reporting system."""
    if entry.status == "unreadable":
        return str(entry.result.get("message", ""))
    errors, warnings = issue_counts(entry.result)
    shown = [i for i in entry.result.get("issues", []) if i["severity"] == "error"][:SHOWN_ERRORS]
    listed = ("；" if lang == "zh" else "; ").join(
        f"{i['sheet']}!{i['cell']} {i['message']}" if i.get("cell") else i["message"] for i in shown
    )
    more = errors > len(shown)
    if lang == "zh":
        said = (
            f"强制性错误 {errors} 项，须改正后重新提交：{listed}" + ("；……" if more else "")
            if errors
            else (f"提示 {warnings} 项，请核实" if warnings else "")
        )
    else:
        said = (
            f"{counted(errors, 'error')} to correct: {listed}" + ("; …" if more else "")
            if errors
            else (f"{counted(warnings, 'warning')} to verify" if warnings else "")
        )
    lacking = entry.result.get("annotation_warning")  # the annotated copy lacks drawn objects of the original
    return ("；" if lang == "zh" else "; ").join(part for part in (said, lacking) if part)


def _parts(entry: Entry, lang: str) -> str:
    """Whether a department's submission was checked against the sum of its institutions', and if not, why."""
    parts = entry.result.get("parts") or {}
    if parts.get("files"):
        return summed_from(len(parts["files"]), lang)
    return str(parts.get("not_compared", ""))


def _previous(entry: Entry, lang: str) -> datetime | str:
    """When the unit's previous submission was recorded, by the clock of the machine the batch runs on (the history
    keeps UTC), as Excel sorts and filters dates: without the zone, which it has no use for."""
    if entry.previous is None:
        return ""
    return datetime.fromisoformat(entry.previous.started_at).astimezone().replace(tzinfo=None)


def _keys(keys: list[tuple[str, str, str]]) -> str:
    return "；".join(f"{code} {sheet}!{cell}" for code, sheet, cell in keys)


class Column(NamedTuple):
    zh: str
    en: str
    value: Callable[[Entry, str], Any]
    num_format: str | None


COLUMNS: tuple[Column, ...] = tuple(
    Column(*c)
    for c in (
        ("文件", "file", lambda e, _: e.name, None),
        ("单位", "unit", lambda e, _: e.result.get("unit") or "", None),
        ("表式", "form", lambda e, _: e.result.get("form") or "", None),
        ("年度", "year", lambda e, _: e.result.get("year"), "0"),
        ("预算数（万元）", "budget", lambda e, _: _scores(e).get("budget"), "#,##0.00"),
        ("执行数（万元）", "executed", lambda e, _: _scores(e).get("executed"), "#,##0.00"),
        ("执行率", "execution rate", lambda e, _: _scores(e).get("execution_rate"), "0.00%"),
        ("计算总分", "computed total", lambda e, _: _scores(e).get("total"), "0.00"),
        ("填报总分", "reported total", lambda e, _: _scores(e).get("reported_total"), "0.00"),
        ("差异", "difference", lambda e, _: _difference(e), "0.00"),
        ("等次", "grade", lambda e, _: _scores(e).get("grade") or "", None),
        ("错误数", "errors", lambda e, _: issue_counts(e.result)[0], "0"),
        ("提示数", "warnings", lambda e, _: issue_counts(e.result)[1], "0"),
        ("结论", "status", lambda e, lang: VERDICT[lang][e.returned], None),
        ("说明", "reason", _reason, None),
        ("跨期对照", "last year's form", lambda e, _: (e.result.get("prior_year") or {}).get("file", ""), None),
        ("汇总核对", "institutions", _parts, None),
        ("本次", "this run", lambda e, lang: ("沿用" if lang == "zh" else "reused") if e.reused else "", None),
        ("上次提交", "previous", _previous, "yyyy-mm-dd hh:mm"),
        ("已改正", "fixed", lambda e, _: _keys(e.fixed), None),
        ("新增问题", "new", lambda e, _: _keys(e.new), None),
        ("批注副本", "annotated copy", lambda e, _: e.annotated or e.result.get("annotation_error", ""), None),
    )
)


COLUMN_AT = {c.en: i for i, c in enumerate(COLUMNS)}  # a column's position by its English name
# The columns of what a run may not do (compare with last year, sum institutions, reuse or follow an earlier run):
# hidden when no row fills them, not dropped, so that every column keeps its letter.
UNUSED_HIDDEN = frozenset(
    COLUMN_AT[name] for name in ("last year's form", "institutions", "this run", "previous", "fixed", "new")
)


def _safe_csv(value: Any) -> Any:
    """Text that a spreadsheet would take for a formula gets a leading apostrophe."""
    return "'" + value if looks_like_formula(value) else value


def _json_result(entry: Entry) -> dict[str, Any]:
    """An entry's object in results.json: the JSON contract, plus its hash, copy, reuse and history."""
    result = dict(entry.result, hash=entry.content_hash, annotated=entry.annotated, reused=entry.reused)
    if entry.previous is not None:
        result["history"] = {
            "previous_file": entry.previous.file,
            "previous_run": entry.previous.started_at,
            "fixed": [dict(zip(("code", "sheet", "cell"), k, strict=True)) for k in entry.fixed],
            "new": [dict(zip(("code", "sheet", "cell"), k, strict=True)) for k in entry.new],
        }
    return result


class _Table:
    """A sheet written row by row (the workbook keeps no rows in memory): a frozen, filtered header, and columns as
    wide as their content, set when the table is finished; the texts of the ``wrap`` columns (a reason, a message, a
    description) wrap at ``WRAP_WIDTH``, each row as tall as its longest, which no spreadsheet works out on opening."""

    def __init__(
        self,
        book: _Book,
        ws: Any,
        headers: list[str],
        formats: list[str | None],
        wrap: frozenset[int] = frozenset(),
        hidden_unless_filled: frozenset[int] = frozenset(),
    ) -> None:
        self.book, self.ws, self.headers, self.formats, self.wrap = book, ws, headers, formats, wrap
        self.ws.write_row(0, 0, headers, book.header)
        self.widths = [display_width(h) + 2 for h in headers]
        self.rows = 0
        self.unfilled = set(hidden_unless_filled)  # hidden when finished, unless a row fills them

    def append(self, row: list[Any]) -> int:
        """Write the next row; its index, for cells written over it in the same pass (a status, a link)."""
        self.rows += 1
        wrapped = [text_height(row[c], WRAP_WIDTH) for c in self.wrap if isinstance(row[c], str)]
        if wrapped and max(wrapped) > ONE_LINE:  # set before the row's cells: they are written out as they come
            self.ws.set_row(self.rows, max(wrapped))
        for c, value in enumerate(row):
            self.book.write(self.ws, self.rows, c, value, self.formats[c], c in self.wrap)
            self.widths[c] = max(self.widths[c], display_width(value if value is not None else "") + 2)
            if value is not None and value != "":
                self.unfilled.discard(c)
        return self.rows

    def finish(self) -> None:
        for c, width in enumerate(self.widths):
            hidden = {"hidden": True} if c in self.unfilled else None
            self.ws.set_column(c, c, min(width, WRAP_WIDTH if c in self.wrap else 60), None, hidden)
        self.ws.freeze_panes(1, 0)
        self.ws.autofilter(0, 0, max(self.rows, 1), len(self.headers) - 1)
        # Printed for a review: A4 across, every column on one page wide, the header on each page, lines and numbers.
        self.ws.set_landscape()
        self.ws.set_paper(9)
        self.ws.fit_to_pages(1, 0)
        self.ws.repeat_rows(0)
        self.ws.hide_gridlines(0)
        self.ws.set_footer("&C第 &P 页，共 &N 页")


class _Book:
    def __init__(self, path: Path) -> None:
        # constant_memory: every row goes to a temporary file once the next one starts, so a batch of any size
        # holds one row per sheet in memory.
        self.book = xlsxwriter.Workbook(
            str(path), {"strings_to_formulas": False, "strings_to_urls": False, "constant_memory": True}
        )
        base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
        self.base = base
        self.header = self.book.add_format(
            {**base, "bold": True, "bg_color": f"#{HEADER_FILL}", "border": 1, "text_wrap": True}
        )
        self.formats: dict[str | None, Any] = {None: self.book.add_format(base)}
        self.returned = self.book.add_format({**base, "font_color": f"#{ERROR_TEXT}", "bold": True})
        self.link = self.book.add_format({**base, "font_color": "#0563C1", "underline": 1})
        self.wrapped = self.book.add_format({**base, "text_wrap": True})

    def fmt(self, num_format: str | None) -> Any:
        if num_format not in self.formats:
            self.formats[num_format] = self.book.add_format({**self.base, "num_format": num_format})
        return self.formats[num_format]

    def write(self, ws: Any, row: int, col: int, value: Any, num_format: str | None = None, wrap: bool = False) -> None:
        if value is None or value == "":
            return
        if isinstance(value, str):
            # never a formula, whatever a unit typed
            ws.write_string(row, col, value, self.wrapped if wrap else self.fmt(None))
        elif isinstance(value, datetime):
            ws.write_datetime(row, col, value, self.fmt(num_format))
        else:
            ws.write_number(row, col, value, self.fmt(num_format))


class Outputs:
    """The outputs of a batch, written as its entries come, in order: 汇总结果.xlsx (a row per submission, counts per
    check code, every finding, the units that sent several files, native charts), results.json, results.csv and
    findings.csv (a row per finding), and
    with the bureau's unit list its 名单核对 sheet and units.csv (and 报送进度 when it gives departments). Only counts
    and each submission's unit and row are kept, never the entries, so memory grows with the number of submissions
    by a few names each, not by their results."""

    def __init__(
        self,
        outdir: Path,
        lang: str,
        others: list[str],
        roster: Roster | None = None,
        scored: dict[tuple[str, str, int], Scored] | None = None,
    ) -> None:
        self.lang, self.zh, self.outdir = lang, lang == "zh", outdir
        self.book = _Book(outdir / SUMMARY_BOOK)
        summary_name, codes_name, findings_name, same_unit_name, other_year_name, others_name, self.charts_name = (
            SHEETS[lang]
        )
        self.summary_name = summary_name
        sheet = self.book.book.add_worksheet
        self.summary = _Table(
            self.book,
            sheet(summary_name),
            [c.zh if self.zh else c.en for c in COLUMNS],
            [c.num_format for c in COLUMNS],
            frozenset({COLUMN_AT["reason"]}),
            UNUSED_HIDDEN,
        )
        self.codes = sheet(codes_name)  # its tab comes second; its rows, counts, come at the end
        self.findings_name = findings_name
        self.findings = _Table(
            self.book,
            sheet(findings_name),
            FINDING_HEADERS[lang],
            [None] * len(FINDING_HEADERS[lang]),
            frozenset({FINDING_MESSAGE}),
        )
        self.same_unit_sheet = sheet(same_unit_name)  # filled at the end, once every unit's files are known
        self.other_year_sheet = sheet(other_year_name)  # likewise, once each form's usual year is known
        self.others_sheet, self.others = sheet(others_name), others  # the inbox's files that are no submission
        self.roster, self.roster_sheet = roster, sheet(ROSTER_SHEET[lang]) if roster is not None else None
        by_department = roster is not None and roster.departments()
        self.progress_sheet = sheet(PROGRESS_SHEET[lang]) if by_department else None
        self.departments = self.complete = 0  # departments in 报送进度, and those whose every unit sent a form
        self.unsent = self.unlisted = 0  # listed units with no readable form, submissions of no listed unit
        self.scored = scored or {}  # each unit's graded submissions of earlier years (see History.scored)
        self.beside: list[list[Any]] = []  # the 与上年对比 rows: a graded submission beside the unit's of last year
        self.issued: dict[str, str] = {}  # by file, the listed unit the template was issued to (see grid.ISSUED_KEY)
        self.units: dict[tuple[str, str, str], list[tuple[str, Any, str, int, str]]] = {}
        self.code_files: Counter[str] = Counter()
        self.first_found: dict[str, tuple[str, int]] = {}  # by code: where it was first found, and its 问题明细 row
        self.code_times: Counter[str] = Counter()
        self.grades: Counter[str] = Counter()
        self.bins = [0] * len(SCORE_BINS)
        self.json = (outdir / RESULTS_JSON).open("w", encoding="utf-8")
        self.json.write("[")
        self.csv_file = (outdir / RESULTS_CSV).open("w", encoding="utf-8-sig", newline="")  # BOM: Excel reads UTF-8
        self.csv = csv.writer(self.csv_file)
        self.csv.writerow([c.zh if self.zh else c.en for c in COLUMNS])
        self.findings_file = (outdir / FINDINGS_CSV).open("w", encoding="utf-8-sig", newline="")
        self.findings_csv = csv.writer(self.findings_file)
        self.findings_csv.writerow(FINDING_HEADERS[lang])
        self.count = 0
        self.other_year = 0

    def add(self, entry: Entry) -> None:
        lang = self.lang
        # One submission per line: as easy to read and diff as an indented file, and written by json's C encoder
        # (``indent`` switches to the pure-Python one, ~10× slower).
        self.json.write(("\n" if not self.count else ",\n") + json.dumps(_json_result(entry), ensure_ascii=False))
        self.count += 1
        values = [c.value(entry, lang) for c in COLUMNS]
        self.csv.writerow([_safe_csv(v) for v in values])
        row = self.summary.append(values)
        if entry.returned:
            self.summary.ws.write_string(row, COLUMN_AT["status"], VERDICT[lang][1], self.book.returned)
        if entry.annotated:
            self.summary.ws.write_url(
                row, COLUMN_AT["annotated copy"], f"external:{entry.annotated}", self.book.link, entry.annotated
            )
        result = entry.result
        if result.get("form") and result.get("unit"):
            key = (result["form"], fold_label(str(result["unit"])), str(result.get("year")))
            listed = (result["unit"], result.get("year"), entry.name, row, VERDICT[lang][entry.returned])
            self.units.setdefault(key, []).append(listed)
            if result.get("issued_to"):
                self.issued[entry.name] = result["issued_to"]
        issues = entry.result.get("issues", [])
        codes = [i["code"] for i in issues]
        self.code_times.update(codes)
        self.code_files.update(set(codes))
        for i in issues:
            found = [
                entry.name,
                entry.result.get("unit") or "",
                i["code"],
                SEVERITY_LABEL[lang][i["severity"]],
                i.get("sheet"),
                i.get("cell"),
                i.get("key"),
                i.get("message"),
                _cell_text(i.get("value")),
                _cell_text(i.get("expected")),
                i.get("difference"),
            ]
            at = self.findings.append(found)
            self.findings_csv.writerow([_safe_csv(v if v is not None else "") for v in found])
            located = bool(i.get("sheet") and i.get("cell"))
            self.first_found.setdefault(
                i["code"], (f"{entry.name} {i['sheet']}!{i['cell']}" if located else entry.name, at)
            )
            if entry.annotated and located:  # to the cell, marked in the annotated copy
                link = f"external:{entry.annotated}#{sheet_ref(i['sheet'], i['cell'])}"
                self.findings.ws.write_url(at, FINDING_CELL, link, self.book.link, i["cell"])
        scores = _scores(entry)
        if scores.get("grade"):  # a form with nothing to score has a total of 0 and no grade: in neither chart
            self._beside_last_year(entry, row)
            self.grades[scores["grade"]] += 1
            for n, (low, high) in enumerate(SCORE_BINS):
                self.bins[n] += low <= scores["total"] < high

    def close(self) -> None:
        self.json.write("\n]\n" if self.count else "]\n")
        self.json.close()
        self.csv_file.close()
        self.findings_file.close()
        self.summary.finish()
        self.findings.finish()
        self._codes()
        self._same_unit()
        self.other_year = self._other_year()  # how many submissions state another year than most of their form's
        self._others()
        self._roster()
        self._last_year()
        self._charts(self.book.book.add_worksheet(self.charts_name))
        close_xlsx(self.book.book)

    def _beside_last_year(self, entry: Entry, row: int) -> None:
        """Keep a graded submission's 与上年对比 row when the history has the unit's graded form of the year before."""
        result, scores = entry.result, _scores(entry)
        if not result.get("year") or not result.get("unit"):
            return
        last = self.scored.get((result["form"], fold_label(str(result["unit"])), result["year"] - 1))
        if last is not None:
            change = round(scores["total"] - last.total, 2)
            values = [result["unit"], result["form"], result["year"], scores["total"], scores["grade"]]
            self.beside.append([*values, last.total, last.grade, change, entry.name, last.file, row])

    def _last_year(self) -> None:
        """Each graded submission beside the unit's graded form of the year before, its file linked to its summary
        row: a sheet only when the history has any (a bureau's first year with the tool has none)."""
        if not self.beside:
            return
        ws = self.book.book.add_worksheet(LAST_YEAR_SHEET[self.lang])
        headers = (
            ["单位", "表式", "年度", "计算总分", "等次", "上年计算总分", "上年等次", "变化", "文件", "上年文件"]
            if self.zh
            else [
                "unit",
                "form",
                "year",
                "total",
                "grade",
                "last year's total",
                "last year's grade",
                "change",
                "file",
                "last year's file",
            ]
        )
        table = _Table(
            self.book, ws, headers, [None, None, "0", "0.00", None, "0.00", None, "+0.00;-0.00;0", None, None]
        )
        for *values, row in self.beside:
            at = table.append(values)
            ws.write_url(at, 8, f"internal:{sheet_ref(self.summary_name, f'A{row + 1}')}", self.book.link, values[8])
        table.finish()

    def _codes(self) -> None:
        catalogue = {cls.code: cls() for cls in CATALOGUE}
        lang, zh = self.lang, self.zh
        table = _Table(
            self.book,
            self.codes,
            ["代码", "级别", "说明", "涉及文件数", "出现次数", "首次出现"]
            if zh
            else ["code", "severity", "description", "files", "times", "first found"],
            [None, None, None, "0", "0", None],
            frozenset({2}),
        )
        for code in sorted(self.code_times):
            check = catalogue.get(code)
            where, at = self.first_found[code]
            row = table.append(
                [
                    code,
                    SEVERITY_LABEL[lang][check.active_severity] if check else "",
                    (check.summary() if zh else check.name_en) if check else "",
                    self.code_files[code],
                    self.code_times[code],
                    where,
                ]
            )
            link = f"internal:{sheet_ref(self.findings_name, f'A{at + 1}')}"  # to its row in 问题明细
            self.codes.write_url(row, len(table.headers) - 1, link, self.book.link, where)
        table.finish()

    @property
    def same_unit(self) -> int:
        """How many units sent more than one file of the same form and year."""
        return sum(len(files) > 1 for files in self.units.values())

    def _same_unit(self) -> None:
        """Each unit that sent more than one file of a form and year, with each file linked to its summary row: the
        bureau decides which one counts (a corrected copy saved beside the first, a district forwarding it again)."""
        table = _Table(
            self.book,
            self.same_unit_sheet,
            ["单位", "表式", "年度", "文件", "结论"] if self.zh else ["unit", "form", "year", "file", "status"],
            [None, None, "0", None, None],
        )
        for key in sorted(k for k, files in self.units.items() if len(files) > 1):
            for unit, year, name, row, verdict in self.units[key]:
                at = table.append([unit, key[0], year, name, verdict])
                link = f"internal:{sheet_ref(self.summary_name, f'A{row + 1}')}"
                self.same_unit_sheet.write_url(at, 3, link, self.book.link, name)
        table.finish()

    def _usual_years(self) -> dict[str, str]:
        """By form, the year most of its submissions state (of equals, the latest)."""
        years: dict[str, Counter[str]] = {}
        for (form, _, year), files in self.units.items():
            if year != "None":
                years.setdefault(form, Counter())[year] += len(files)
        return {form: max(counted, key=lambda y: (counted[y], y)) for form, counted in years.items()}

    def _other_year(self) -> int:
        """Each submission whose year differs from the year most of its form's state (last year's file sent by
        mistake), with its file linked to its summary row; one that states no year is not listed. Returns how many
        are listed."""
        usual = self._usual_years()
        zh = self.zh
        table = _Table(
            self.book,
            self.other_year_sheet,
            ["单位", "表式", "年度", "该表式多数提交的年度", "文件", "结论"]
            if zh
            else ["unit", "form", "year", "year of most of the form's", "file", "status"],
            [None, None, "0", "0", None, None],
        )
        listed = 0
        for (form, _, year), files in sorted(self.units.items()):
            if year in ("None", usual.get(form)):  # a form none of whose submissions states a year has no usual one
                continue
            for unit, typed_year, name, row, verdict in files:
                at = table.append([unit, form, typed_year, int(usual[form]), name, verdict])
                link = f"internal:{sheet_ref(self.summary_name, f'A{row + 1}')}"
                self.other_year_sheet.write_url(at, 4, link, self.book.link, name)
                listed += 1
        table.finish()
        return listed

    def _others(self) -> None:
        """The files of the inbox that are no submission, by name and type: a unit that sent only a scanned PDF of
        its form, or its report in .docx, has no row in the summary, and is found here."""
        table = _Table(self.book, self.others_sheet, ["文件", "类型"] if self.zh else ["file", "type"], [None, None])
        for name in self.others:
            table.append([name, PurePosixPath(name).suffix.lstrip(".").lower()])
        table.finish()

    def _roster(self) -> None:
        """The bureau's unit list as its reporting system shows it: each listed unit in the list's order (then each
        department named only as a 上级单位) with the status of each of its files, linked to its summary row, or that
        no readable form came from it; then each submission of a unit the list does not name (a name typed otherwise,
        or a unit the list forgot), with the unsent listed units whose name is its name shortened or lengthened
        (襄阳市科协 and 襄阳市科学技术协会): a hint to look at, never taken as that unit. A file whose name is not on
        the list, in a template issued to a listed unit (perfeval template --units), is that unit's, said so."""
        if self.roster is None or self.roster_sheet is None:
            return
        zh, roster = self.zh, self.roster
        coded = roster.coded  # a list exported with 单位编码: each row's code first, for the bureau's system
        contacts = roster.with_contacts  # a list giving whom to ask: last, to chase a unit that sent nothing
        table = _Table(
            self.book,
            self.roster_sheet,
            ["单位编码"] * coded
            + (
                ["单位", "上级单位", "情况", "表式", "年度", "文件", "说明"]
                if zh
                else ["unit", "department", "status", "form", "year", "file", "note"]
            )
            + ((["联系人", "联系电话"] if zh else ["contact", "phone"]) if contacts else []),
            [None] * coded + [None, None, None, None, "0", None, None] + [None, None] * contacts,
        )
        expected = roster.expected()
        # Each unit's files, by its key: a file of a name not on the list is the unit its template was issued to.
        by_unit: dict[str, list[tuple[str, str, Any, str, int, str]]] = {}
        for (form, key, _), files in sorted(self.units.items()):
            for file in files:
                issued = fold_label(self.issued.get(file[2], ""))
                owner = issued if key not in expected and issued in expected else key
                by_unit.setdefault(owner, []).append((form, *file))
        with (self.outdir / UNITS_CSV).open("w", encoding="utf-8-sig", newline="") as handle:
            rows = csv.writer(handle)
            rows.writerow(table.headers)

            def put(listed: Listed | None, values: list[Any], row: int | None = None) -> None:
                """A row of the sheet and of units.csv: the listed unit's code first when the list gives codes, whom
                to ask last when it gives them; its file linked to the file's summary row."""
                ask = [listed.contact, listed.phone] if listed is not None else ["", ""]
                values = [listed.code if listed is not None else ""] * coded + values + ask * contacts
                at = table.append(values)
                rows.writerow([_safe_csv(v if v is not None else "") for v in values])
                if row is not None:
                    link = f"internal:{sheet_ref(self.summary_name, f'A{row + 1}')}"
                    self.roster_sheet.write_url(at, coded + 5, link, self.book.link, values[coded + 5])

            unsent = {key: name for key, name in expected.items() if key not in by_unit}
            for key, unit in expected.items():
                parent, listed = roster.parent_of(key) or "", roster.listed(key)
                if key in unsent:
                    put(
                        listed,
                        [unit, parent, "未收到可读取的表" if zh else "no readable form received", "", None, "", ""],
                    )
                for form, typed, year, name, row, verdict in by_unit.get(key, ()):
                    note = "" if fold_label(typed) == key else self._typed_otherwise(typed)
                    put(listed, [unit, parent, verdict, form, year, name, note], row)
            for key, files in by_unit.items():
                if key in expected:
                    continue
                close = "、".join(name for other, name in unsent.items() if _abbreviates(key, other))
                said = (f"名单中相近的单位：{close}" if zh else f"close listed units: {close}") if close else ""
                for form, unit, year, name, row, _ in files:
                    put(None, [unit, "", "不在名单中" if zh else "not on the list", form, year, name, said], row)
                    self.unlisted += 1
        self.unsent = len(unsent)
        table.finish()
        returned = VERDICT[self.lang][True]
        self._progress({key: any(f[-1] == returned for f in files) for key, files in by_unit.items()})

    def _progress(self, returned: dict[str, bool]) -> None:
        """报送进度: each department of the list (see ``Roster.progress``) with its counts and the units it has still
        to send, then the total, for a bureau that chases forms through each 主管部门."""
        if self.roster is None or self.progress_sheet is None:
            return
        headers = (
            ["部门", "应报单位", "已报送", "通过", "退回", "未报送", "报送率", "未报送的单位"]
            if self.zh
            else ["department", "expected", "sent", "passed", "returned", "not sent", "share sent", "units not sent"]
        )
        table = _Table(self.book, self.progress_sheet, headers, [None, "0", "0", "0", "0", "0", "0.0%", None])
        progress = self.roster.progress(returned)

        def counts(p: Progress) -> list[Any]:
            return [p.department, p.units, p.sent, p.passed, p.returned, len(p.unsent), p.share]

        rows = [[*counts(p), "、".join(p.unsent)] for p in progress]
        for row in rows:
            table.append(row)
        table.finish()  # the total below the table: out of its filter, so that sorting the departments leaves it last
        total = counts(Progress.of_all("合计" if self.zh else "total", progress))
        for c, value in enumerate(total):
            shown = {"num_format": table.formats[c]} if table.formats[c] else {}
            bold = self.book.book.add_format({**self.book.base, "bold": True, "top": 1, **shown})
            self.progress_sheet.write(table.rows + 1, c, value, bold)
        with (self.outdir / DEPARTMENTS_CSV).open("w", encoding="utf-8-sig", newline="") as handle:  # for machines
            csv.writer(handle).writerows([headers, *([_safe_csv(v) for v in row] for row in rows), [*total, ""]])
        self.departments, self.complete = len(progress), sum(not p.unsent for p in progress)

    def _typed_otherwise(self, typed: str) -> str:
        """The note of a file counted for the listed unit its template was issued to, its name typed otherwise."""
        if self.zh:
            return f"表中单位名称写作“{typed}”，按下发给该单位的模板对应"
        return f"its unit typed as {typed!r}: taken by the template issued to this unit"

    def _charts(self, ws: Any) -> None:
        """Native Excel charts: grade distribution, score histogram, computed against reported total."""
        name, zh, header = self.charts_name, self.zh, self.book.header
        rank = _grade_rank()
        order = sorted(self.grades, key=lambda g: rank.get(g, len(rank)))
        ws.write_row(0, 0, ["等次", "份数"] if zh else ["grade", "files"], header)
        for r, grade in enumerate(order, start=1):
            ws.write_string(r, 0, grade)
            ws.write_number(r, 1, self.grades[grade])
        chart = self.book.book.add_chart({"type": "column"})
        chart.add_series(
            {
                "name": "份数" if zh else "files",
                "categories": [name, 1, 0, max(len(order), 1), 0],
                "values": [name, 1, 1, max(len(order), 1), 1],
                "data_labels": {"value": True},
            }
        )
        chart.set_title({"name": "评价等次分布" if zh else "grade distribution"})
        chart.set_legend({"none": True})
        ws.insert_chart(0, 3, chart)

        top = len(order) + 3
        ws.write_row(top, 0, ["计算总分区间", "份数"] if zh else ["computed total", "files"], header)
        for r, ((low, high), count) in enumerate(zip(SCORE_BINS, self.bins, strict=True), start=top + 1):
            label = f"<{high:g}" if low == 0 else (f"{low:g}–100" if high > 100 else f"{low:g}–{high:g}")
            ws.write_string(r, 0, label)
            ws.write_number(r, 1, count)
        histogram = self.book.book.add_chart({"type": "column"})
        histogram.add_series(
            {
                "name": "份数" if zh else "files",
                "categories": [name, top + 1, 0, top + len(SCORE_BINS), 0],
                "values": [name, top + 1, 1, top + len(SCORE_BINS), 1],
                "gap": 10,
            }
        )
        histogram.set_title({"name": "计算总分分布" if zh else "computed total histogram"})
        histogram.set_legend({"none": True})
        ws.insert_chart(16, 3, histogram)

        computed, reported = COLUMN_AT["computed total"], COLUMN_AT["reported total"]
        scatter = self.book.book.add_chart({"type": "scatter"})
        last = max(self.count, 1)
        scatter.add_series(
            {
                "name": "单位" if zh else "units",
                "categories": [self.summary_name, 1, computed, last, computed],
                "values": [self.summary_name, 1, reported, last, reported],
                "marker": {"type": "circle", "size": 6},
            }
        )
        scatter.set_title({"name": "计算总分与填报总分" if zh else "computed vs reported total"})
        scatter.set_x_axis({"name": "计算总分" if zh else "computed", "min": 0, "max": 100})
        scatter.set_y_axis({"name": "填报总分" if zh else "reported", "min": 0, "max": 100})
        scatter.set_legend({"none": True})
        ws.insert_chart(32, 3, scatter)
        ws.set_column(0, 0, 14)


def _abbreviates(one: str, other: str) -> bool:
    """Whether one of two names is the other shortened, as a 简称 is its 全称 with characters left out (襄阳市科协 of
    襄阳市科学技术协会, 襄阳市科技馆 of 襄阳市科协科技馆); 枣阳市科协 is no shortening of 襄阳市科协."""
    short, long = sorted((one, other), key=len)
    rest = iter(long)
    return all(char in rest for char in short)


def _grade_rank() -> dict[str, int]:
    """Grades best first, in the order the forms list them (优, 良, 中, 差)."""
    rank: dict[str, int] = {}
    for definition in all_forms():
        for name, _ in definition.grades:
            rank.setdefault(name, len(rank))
    return rank


def _cell_text(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return value
