"""Form definitions: the YAML data files under ``forms/``, validated into typed objects with key-path errors."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache, cached_property
from importlib import resources
from itertools import pairwise
from pathlib import Path
from string import Formatter
from typing import Any

import yaml

from .grid import fold_label, indicator_key
from .values import MONEY_UNITS

FIELD_TYPES = ("text", "amount", "rate", "score", "quantity", "choice", "year")
SEVERITIES = ("error", "warning")
RATE_RULES = ("proportional", "linear", "deviation", "ceiling", "bands", "deduction")
FIELD_KEYS = frozenset(
    "label match type required computed added output at tall fill_down choices width unit after optional under "
    "signed span group hint".split()
)
ROOT_KEYS = frozenset(
    "id name region version source year_pattern dated sheet sheets detect other_forms blocks scoring grades rounding "
    "checks footnotes report".split()
)
SCORING_KEYS = frozenset(
    "budget_execution indicators total grade explanation headline sums row_sums ratios allocations citations "
    "agree prior_year".split()
)
RATE_RULE_KEYS = frozenset({"rule", "floor", "limit", "bands", "per_point"})  # a rate rule's keys (see rate_rule)
INDICATOR_KEYS = frozenset("table sections tiers negative_level2 far_exceeded_ratio rated explanation_column".split())


class DefinitionError(ValueError):
    """A form definition that does not hold together; the message names the file and the key path."""


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str
    match: tuple[str, ...]
    type: str
    required: bool = False
    computed: bool = False
    added: bool = False
    output: bool = False
    at: str = "right"
    tall: bool = False
    fill_down: bool = False
    choices: tuple[str, ...] = ()
    width: float | None = None
    unit: str | None = None
    after: str | None = None  # a table column: the first match right of this column (three columns read 分值)
    optional: bool = False  # an official column some layouts leave out (the header need not have it)
    under: str | None = None  # a field in its label's row, under this table column (总分 under 得分)
    signed: bool = False  # may be negative (加减分)
    span: int = 1  # a table column laid over this many sheet columns, merged in each row (a wide text column)
    group: str | None = None  # a table column's group label, printed above it (其中：, 结余)
    row_match: tuple[str, ...] = ()  # a matrix cell: the labels of its row…
    col_match: tuple[str, ...] = ()  # …and of its column
    hint: str | None = None  # a choice's input message in the template, said when its cell is selected

    @property
    def in_wan(self) -> bool:
        """An amount the form asks in 万元 (its unit, which amounts have by default)."""
        return self.type == "amount" and (self.unit or "万元") == "万元"


@dataclass(frozen=True)
class TableSpec:
    columns: tuple[FieldSpec, ...]
    stop: tuple[str, ...]
    spare_rows: int
    presets: tuple[dict[str, Any], ...] = ()
    header_rows: int = 1  # an official header may spread its labels over rows (收入合计 | 其中: / 上年结转 …)
    total_row: tuple[str, ...] = ()  # the key column of the 汇总 row contains one of these (Σ of the other rows)

    def column(self, key: str) -> FieldSpec:
        return next(c for c in self.columns if c.key == key)

    def is_total(self, name: str) -> bool:
        """Whether a row's name (its first column) marks the 汇总 row: it contains one of ``total_row``, or it is
        合计 or 总计 alone, as many units name it (二级机构合计 is a part's subtotal, not the table's)."""
        if not self.total_row:  # most tables: asked of every row
            return False
        folded = fold_label(name)
        return any(fold_label(label) in folded for label in self.total_row) or _TOTAL_NAME.fullmatch(folded) is not None


# The name units give the 汇总 row of a table that has one, folded: 合计, 总计, 合计(万元).
_TOTAL_NAME = re.compile(r"(?:合计|总计)(?:\([^()]*\))?")


@dataclass(frozen=True)
class MatrixColumn:
    key: str
    label: str
    group: str | None


@dataclass(frozen=True)
class MatrixSpec:
    """A rows × columns block (支出规模: 预算数/执行数/完成率 by 资金来源, 资金结构, 预算级次); its cells are fields
    keyed ``<row>_<column>``."""

    rows: tuple[FieldSpec, ...]
    columns: tuple[MatrixColumn, ...]
    # Rows followed by a variable number of item rows that add up to them (项目支出 and its projects), by row key.
    items: dict[str, TableSpec] = field(default_factory=dict)

    @staticmethod
    def key(row: str, column: str) -> str:
        return f"{row}_{column}"

    @staticmethod
    def items_id(row: str) -> str:
        """The id of the item table under a matrix row."""
        return f"{row}_items"


@dataclass(frozen=True)
class BlockSpec:
    id: str
    title: str | None
    anchor: str | None
    row_label: str | None
    fields: tuple[FieldSpec, ...]
    table: TableSpec | None
    matrix: MatrixSpec | None = None
    sheet: str | None = None  # the form's sheet the block sits on (None: the first)


@dataclass(frozen=True)
class Bonus:
    """加减分: scores in steps, between ``min`` and ``max`` (may be negative)."""

    step: float
    min: float
    max: float


@dataclass(frozen=True)
class Section:
    name: str
    weight: float
    bonus: Bonus | None = None


@dataclass(frozen=True)
class Ratio:
    """A rate computed from amounts: Σ numerator / Σ denominator + offset (差异率 = 决算/预算 − 1)."""

    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    offset: float = 0.0
    key: str | None = None  # the field holding the typed rate, when the form has one


@dataclass(frozen=True)
class Band:
    """A step of a banded rate rule: the share of the weight a rate earns when it is at most ``bound`` (预算调整率
    ≤10 % → 80 %), or at least it with ``at_least`` (执行率 ≥95 % → full)."""

    bound: float
    share: float
    at_least: bool = False


@dataclass(frozen=True)
class RateRule:
    """How a rate earns points, as a form states it in its definition (see ``scoring.rate_score``)."""

    kind: str = "proportional"
    floor: float = 0.0  # linear: the rate that earns nothing, rising to the full weight at 100 %
    limit: float = 1.0  # ceiling and deduction: the rate up to which the full weight is earned
    bands: tuple[Band, ...] = ()  # bands: the first band the rate falls in gives its share, and none gives 0
    per_point: float = 0.0  # deduction: the points taken off per percentage point over the limit


@dataclass(frozen=True)
class RatedIndicator:
    """An indicator scored from a rate by a rule (广州 预算完成率: linear from 90 % to 100 %)."""

    name: str
    ratio: Ratio
    rule: RateRule


@dataclass(frozen=True)
class Tier:
    name: str
    low: float
    high: float


@dataclass(frozen=True)
class BudgetRule:
    weight: float
    budget: str
    executed: str
    rate: str | None
    score: str | None
    rule: RateRule
    explain_below: float


@dataclass(frozen=True)
class IndicatorRules:
    table: str
    sections: tuple[Section, ...]
    negative_level2: tuple[str, ...]
    tiers: tuple[Tier, ...]
    far_exceeded_ratio: float
    rated: tuple[RatedIndicator, ...] = ()
    explanation_column: str | None = None

    @cached_property
    def _rated_by_key(self) -> dict[str, RatedIndicator]:
        return {indicator_key(r.name): r for r in self.rated}

    def rated_for(self, name: str) -> RatedIndicator | None:
        """The rate rule of the indicator with this name, if the form scores it from amounts."""
        return self._rated_by_key.get(indicator_key(name))


@dataclass(frozen=True)
class SumRule:
    """total = Σ parts; ``partial``: the parts are only some of the total's (其中 items), Σ parts ≤ total."""

    total: str
    parts: tuple[str, ...]
    partial: bool = False
    blank_is_zero: bool = False  # a blank part is 0 (基础数据表 leaves 公车购置 blank), not unknown


@dataclass(frozen=True)
class Term:
    """A signed table cell in a row identity: a column of this row, or of the row with the same name in another
    table (当年结余 = 收入表.收入合计 − 支出合计)."""

    sign: int
    table: str
    column: str


@dataclass(frozen=True)
class RowSum:
    """An identity that holds in every row of a table: total = Σ signed terms."""

    table: str
    total: str
    terms: tuple[Term, ...]


@dataclass(frozen=True)
class PriorYear:
    """A figure this year's form gives for last year, which last year's form gave as its own (跨期): 湖南's 上年决算数
    is last year's 本年决算数, 岳阳's 上年结转 last year's 累计结余. A field key, or ``table.column`` for a column,
    matched row by row on each table's first column (the institution)."""

    this: str
    last: str

    @property
    def table(self) -> str | None:
        """The table the rule's columns are in (both sides are columns, or both fields), None for fields."""
        return self.this.split(".", 1)[0] if "." in self.this else None


@dataclass(frozen=True)
class SheetSpec:
    """One sheet of the form: our template's sheet name, its title, and the labels that find it in other files."""

    name: str
    title: str
    detect: tuple[str, ...]


@dataclass(frozen=True)
class Allocation:
    """The rows of a table share out an amount: Σ ``column`` must not exceed any of the ``within`` fields that is
    known (年度整体绩效目标 item budgets within 项目支出)."""

    table: str
    column: str
    within: tuple[str, ...]


@dataclass(frozen=True)
class Citation:
    """A number a text field cites (``pattern``'s one group) that must agree with a field (基本情况 “编制9名” and
    编制数)."""

    text: str
    pattern: str
    field: str


@dataclass(frozen=True)
class Headline:
    """The department's budget and executed amounts (field keys) that summaries and the report show, and the rate
    below which the form asks for an explanation."""

    budget: str
    executed: str
    explain_below: float | None = None


OUTLINE_PARTS = ("summary", "profile", "performance", "problems", "disclosure")


@dataclass(frozen=True)
class CheckConfig:
    enabled: bool = True
    severity: str | None = None
    message: dict[str, str] = field(default_factory=dict)  # the form's own wording, by language (zh, en)


@dataclass(frozen=True)
class FormDefinition:
    id: str
    name: str
    region: str
    version: str
    source: str
    year_pattern: str | None
    score_decimals: int
    rate_decimals: int
    grades: tuple[tuple[str, float], ...]
    blocks: tuple[BlockSpec, ...]
    budget: BudgetRule | None
    indicators: IndicatorRules | None
    total: str | None
    grade: str | None
    explanation: str | None
    sums: tuple[SumRule, ...]
    checks: dict[str, CheckConfig] = field(default_factory=dict)
    footnotes: str = ""
    ratios: tuple[Ratio, ...] = ()
    # The budget-execution rule's amounts by default, or ``scoring.headline`` for forms without that rule.
    headline: Headline | None = None
    allocations: tuple[Allocation, ...] = ()
    citations: tuple[Citation, ...] = ()
    # The text fields the 自评报告 takes into each part of its outline (摘要, 一 部门概况, 二 绩效实现情况…).
    outline: dict[str, tuple[str, ...]] = field(default_factory=dict)
    row_sums: tuple[RowSum, ...] = ()
    # Groups of fields that hold the same figure in different tables (基础数据表 ↔ 自评表).
    agreements: tuple[tuple[str, ...], ...] = ()
    # The form's sheets, the first one first (基础数据表 + 自评表); a one-sheet form has one.
    sheets: tuple[SheetSpec, ...] = ()
    prior_year: tuple[PriorYear, ...] = ()
    # The titles of other forms that share this one's labels (the 项目支出绩效自评表 of each project, which units send
    # in the same workbook): a sheet so titled is not this form.
    other_forms: tuple[str, ...] = ()
    # Whether the published form states its years (2023年度…自评表, 2022年决算数 for 上年决算数): a template of a known
    # year writes its titles and its 本年/上年 labels so.
    dated: bool = False

    @property
    def sheet_name(self) -> str:
        """The name of the form's first sheet in our template."""
        return self.sheets[0].name

    @property
    def fields(self) -> dict[str, FieldSpec]:
        return {f.key: f for block in self.blocks for f in block.fields}

    @property
    def tables(self) -> dict[str, TableSpec]:
        """Every table by id: the blocks' tables and the item tables under matrix rows."""
        tables = {block.id: block.table for block in self.blocks if block.table is not None}
        for block in self.blocks:
            if block.matrix is not None:
                tables.update({MatrixSpec.items_id(row): spec for row, spec in block.matrix.items.items()})
        return tables

    def block_sheet(self, block: BlockSpec) -> str:
        """The name of the sheet a block sits on in our template."""
        return block.sheet or self.sheet_name

    @property
    def scored(self) -> bool:
        """Whether the form gives points (a narrative report form like 河北's has no score and no grade)."""
        return self.budget is not None or self.indicators is not None

    @property
    def checked_total(self) -> str | None:
        """The field our template adds to sum the scores it computes (复核总分), if the form has one."""
        return next((f.key for f in self.fields.values() if f.output and f.type == "score"), None)

    @property
    def score_tolerance(self) -> float:
        """Half a unit of a score's last printed decimal: two scores closer than that print the same."""
        return 0.5 * 10.0**-self.score_decimals

    @property
    def rate_tolerance(self) -> float:
        """Half a unit of a rate's last printed decimal (0.005 % at 4 decimals)."""
        return 0.5 * 10.0**-self.rate_decimals

    @property
    def total_weight(self) -> float:
        budget = self.budget.weight if self.budget else 0.0
        sections = sum(s.weight for s in self.indicators.sections) if self.indicators else 0.0
        return budget + sections


def _headline(r: _Reader, scoring: dict[str, Any], budget: BudgetRule | None, field_ref: Any) -> Headline | None:
    if "headline" not in scoring:
        return Headline(budget.budget, budget.executed, budget.explain_below) if budget is not None else None
    h = r.mapping(scoring["headline"], "scoring.headline")
    r.known(h, {"budget", "executed", "explain_below"}, "scoring.headline")
    return Headline(
        field_ref(h.get("budget"), "scoring.headline.budget"),
        field_ref(h.get("executed"), "scoring.headline.executed"),
        r.get(h, "explain_below", "scoring.headline", float, None),
    )


def _allocations(r: _Reader, scoring: dict[str, Any], tables: dict[str, TableSpec], field_ref: Any) -> tuple:
    allocations = []
    for path, data in r.entries(scoring, "allocations", "scoring", {"table", "column", "within"}):
        table, column = r.get(data, "table", path, str), r.get(data, "column", path, str)
        if table not in tables or column not in {c.key for c in tables[table].columns}:
            raise r.fail(path, f"{table}.{column} 不是本表定义的表格列")
        within = tuple(field_ref(k, f"{path}.within") for k in r.labels(data.get("within"), f"{path}.within"))
        allocations.append(Allocation(table, column, within))
    return tuple(allocations)


def _citations(r: _Reader, scoring: dict[str, Any], field_ref: Any) -> tuple[Citation, ...]:
    citations = []
    for path, data in r.entries(scoring, "citations", "scoring", {"text", "pattern", "field"}):
        pattern = r.get(data, "pattern", path, str)
        try:
            groups = re.compile(pattern).groups
        except re.error as exc:
            raise r.fail(f"{path}.pattern", f"正则表达式无效: {exc}") from exc
        if groups != 1:
            raise r.fail(f"{path}.pattern", "须恰有一个捕获组（所引的数）")
        citations.append(
            Citation(
                field_ref(data.get("text"), f"{path}.text"), pattern, field_ref(data.get("field"), f"{path}.field")
            )
        )
    return tuple(citations)


def _outline(r: _Reader, data: dict[str, Any], field_ref: Any) -> dict[str, tuple[str, ...]]:
    outline = r.mapping(data.get("report", {}), "report")
    r.known(outline, set(OUTLINE_PARTS), "report")
    return {
        part: tuple(field_ref(k, f"report.{part}") for k in r.labels(keys, f"report.{part}"))
        for part, keys in outline.items()
    }


def _check_configs(r: _Reader, data: dict[str, Any]) -> dict[str, CheckConfig]:
    """A form's ``checks:`` settings, over the catalogue's."""
    return {
        code: _set(CheckConfig(), given) for code, given in _check_settings(r, data.get("checks", {}), "checks").items()
    }


def _check_settings(r: _Reader, raw: Any, path: str) -> dict[str, dict[str, Any]]:
    """``{PE303: {severity: warning, message: …}, PE102: {enabled: false}}``: each code one of the catalogue's, so
    that a misspelt code is refused rather than silently leaving the check as it was; only the settings given."""
    from .checks import BY_CODE  # here: the checks import this module

    settings = {}
    for code, value in r.mapping(raw, path).items():
        where = f"{path}.{code}"
        if code not in BY_CODE:
            raise r.fail(where, f"{code!r} 不是校验目录中的代码; 可用: {', '.join(sorted(BY_CODE))}")
        cfg = r.mapping(value, where)
        r.known(cfg, {"enabled", "severity", "message"}, where)
        given: dict[str, Any] = {}
        if "enabled" in cfg:
            given["enabled"] = r.get(cfg, "enabled", where, bool)
        if "severity" in cfg:
            given["severity"] = r.get(cfg, "severity", where, str)
            if given["severity"] not in SEVERITIES:
                raise r.fail(f"{where}.severity", f"{given['severity']!r} 应为 error 或 warning")
        if "message" in cfg:
            given["message"] = _check_message(r, cfg["message"], BY_CODE[code].message, f"{where}.message")
        settings[code] = given
    return settings


def _set(config: CheckConfig, given: dict[str, Any]) -> CheckConfig:
    """A check's settings with those ``given`` over them (a message over the same language's only)."""
    return CheckConfig(
        enabled=given.get("enabled", config.enabled),
        severity=given.get("severity", config.severity),
        message={**config.message, **given.get("message", {})},
    )


@dataclass(frozen=True)
class Rules:
    """A bureau's own settings of the checks (``perfeval … --rules 本局规则.yaml``), as bureau software lets a region
    switch checks on and off and word them: ``checks:`` for every form, ``forms: {hubei: {checks: …}}`` for one, each
    over the form definition's own. ``digest`` names them, so that no result checked under other rules is reused."""

    every: dict[str, dict[str, Any]]
    by_form: dict[str, dict[str, dict[str, Any]]]
    digest: str
    text: str  # as written, which a template carries for its Excel button (see ``RULES_KEY``)

    @classmethod
    def read(cls, path: Path) -> Rules:
        """The rules of a YAML file; a misspelt code, form or setting is a DefinitionError naming its key path."""
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise DefinitionError(f"{path.name}: 无法读取规则文件: {exc}") from exc
        return cls.parse(text, path.name)

    @classmethod
    def parse(cls, text: str, origin: str) -> Rules:
        """The rules of a YAML text (``origin`` names it in a DefinitionError)."""
        try:
            data = yaml.load(text, Loader=_LOADER)
        except yaml.YAMLError as exc:
            raise DefinitionError(f"{origin}: YAML 语法错误: {exc}") from exc
        r = _Reader(origin)
        data = r.mapping(data if data is not None else {}, "(root)")
        r.known(data, {"checks", "forms"}, "(root)")
        by_form = {}
        for form_id, raw in r.mapping(data.get("forms", {}), "forms").items():
            if form_id not in _bundled():
                raise r.fail(f"forms.{form_id}", f"未知表式; 可用: {', '.join(sorted(_bundled()))}")
            r.known(r.mapping(raw, f"forms.{form_id}"), {"checks"}, f"forms.{form_id}")
            by_form[form_id] = _check_settings(r, raw.get("checks", {}), f"forms.{form_id}.checks")
        every = _check_settings(r, data.get("checks", {}), "checks")
        return cls(every, by_form, hashlib.sha256(text.encode()).hexdigest()[:12], text)

    def every_form(self) -> dict[str, CheckConfig]:
        """The settings these rules give every form, over the catalogue's."""
        return {code: _set(CheckConfig(), given) for code, given in self.every.items()}

    def applied(self, definition: FormDefinition) -> FormDefinition:
        """The definition with these settings over its own: every form's, then its own form's."""
        own = self.by_form.get(definition.id, {})
        checks = dict(definition.checks)
        for code in {**self.every, **own}:
            checks[code] = _set(_set(checks.get(code, CheckConfig()), self.every.get(code, {})), own.get(code, {}))
        return replace(definition, checks=checks)


def _check_message(r: _Reader, raw: Any, catalogue: dict[str, str], path: str) -> dict[str, str]:
    """A check's message as a form words it: a text (Chinese), or ``{zh: …, en: …}``, each with only placeholders the
    catalogue's own messages fill (``{value}``, ``{expected}``, ``{key}``…), so that none is left unfilled."""
    messages = {"zh": raw} if isinstance(raw, str) else r.mapping(raw, path)
    r.known(messages, {"zh", "en"}, path)
    filled = {name for text in catalogue.values() for _, name, _, _ in Formatter().parse(text) if name}
    for lang, text in messages.items():
        where = path if isinstance(raw, str) else f"{path}.{lang}"
        if not isinstance(text, str):
            raise r.fail(where, f"应为文字 (text), 实为 {type(text).__name__}")
        try:
            names = {name for _, name, _, _ in Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise r.fail(where, f"花括号不成对 ({exc}); 占位符写作 {{value}}") from None
        if unknown := sorted(names - filled):
            raise r.fail(where, f"{{{unknown[0]}}} 不是该校验的占位符; 可用: {', '.join(sorted(filled))}")
    return messages


def _sheets(r: _Reader, data: dict[str, Any]) -> tuple[SheetSpec, ...]:
    """``sheet: {name, title}`` for a one-sheet form, or ``sheets: [{name, title, detect}, …]``."""
    if "sheets" in data:
        specs = []
        for path, sheet in r.entries(data, "sheets", "", {"name", "title", "detect"}, required=True):
            specs.append(
                SheetSpec(
                    r.get(sheet, "name", path, str),
                    r.get(sheet, "title", path, str),
                    r.labels(r.get(sheet, "detect", path, list), f"{path}.detect"),
                )
            )
        if not specs:
            raise r.fail("sheets", "至少列出一个工作表")
        return tuple(specs)
    sheet = r.mapping(r.get(data, "sheet", "", dict), "sheet")
    r.known(sheet, {"name", "title"}, "sheet")
    detect = r.labels(r.get(data, "detect", "", list), "detect")
    return (SheetSpec(r.get(sheet, "name", "sheet", str), r.get(sheet, "title", "sheet", str), detect),)


def _field_ratios(r: _Reader, scoring: dict[str, Any], field_ref: Any) -> tuple[Ratio, ...]:
    """``{key, numerator: [...], denominator: [...]}``: a rate field the form computes from amounts (控制率 =
    实际在职人数 / 编制数)."""
    ratios = []
    for path, data in r.entries(scoring, "ratios", "scoring", {"key", "numerator", "denominator"}):
        terms = {
            part: tuple(field_ref(k, f"{path}.{part}") for k in r.labels(data.get(part), f"{path}.{part}"))
            for part in ("numerator", "denominator")
        }
        ratios.append(Ratio(terms["numerator"], terms["denominator"], key=field_ref(data.get("key"), f"{path}.key")))
    return tuple(ratios)


def _prior_year(
    r: _Reader, scoring: dict[str, Any], fields: set[str], tables: dict[str, TableSpec]
) -> tuple[PriorYear, ...]:
    """``{this: field, last: field}`` or ``{this: table.column, last: table.column}``: what this year's form gives for
    last year against what last year's form gave."""
    columns = {f"{table_id}.{c.key}" for table_id, table in tables.items() for c in table.columns}
    rules = []
    for path, data in r.entries(scoring, "prior_year", "scoring", {"this", "last"}):
        rule = PriorYear(r.get(data, "this", path, str), r.get(data, "last", path, str))
        for side in ("this", "last"):
            key = getattr(rule, side)
            if key not in (columns if rule.table else fields) or ("." in key) != bool(rule.table):
                raise r.fail(f"{path}.{side}", f"{key!r} 不是本表的字段（或与另一边同为表格的列）")
        rules.append(rule)
    return tuple(rules)


def _row_sums(r: _Reader, scoring: dict[str, Any], tables: dict[str, TableSpec]) -> tuple[RowSum, ...]:
    """``{table, total, parts: [column, -column, other_table.column, …]}``: an identity in every row of a table,
    other tables' cells taken from the row with the same name (each table's first column)."""

    def term(text: Any, table: str, path: str) -> Term:
        if not isinstance(text, str) or not text.strip("-"):
            raise r.fail(path, f"应为列名, 实为 {text!r}")
        sign = -1 if text.startswith("-") else 1
        name = text.lstrip("-")
        other, _, column = name.rpartition(".")
        other = other or table
        if other not in tables or column not in {c.key for c in tables[other].columns}:
            raise r.fail(path, f"{name!r} 不是表格的列")
        return Term(sign, other, column)

    rules = []
    for path, data in r.entries(scoring, "row_sums", "scoring", {"table", "total", "parts"}):
        table = r.get(data, "table", path, str)
        if table not in tables:
            raise r.fail(f"{path}.table", f"{table!r} 不是本表定义的表格")
        total = term(r.get(data, "total", path, str), table, f"{path}.total")
        if total.sign < 0 or total.table != table:
            raise r.fail(f"{path}.total", "合计须为本表的列")
        parts = tuple(term(p, table, f"{path}.parts") for p in r.get(data, "parts", path, list))
        rules.append(RowSum(table, total.column, parts))
    return tuple(rules)


class _Reader:
    """Walks the YAML mapping and raises DefinitionError naming the file and key path of a bad value."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, path: str, message: str) -> DefinitionError:
        return DefinitionError(f"{self.origin}: {path}: {message}")

    def mapping(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(path, f"应为映射 (mapping), 实为 {type(value).__name__}")
        return value

    def get(self, data: dict[str, Any], key: str, path: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in data:
            if default is ...:
                raise self.fail(f"{path}.{key}" if path else key, "缺少必填键 (missing key)")
            return default
        value = data[key]
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (kind in (int, float) and isinstance(value, bool)):
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(f"{path}.{key}" if path else key, f"应为 {names}, 实为 {value!r}")
        return value

    def labels(self, value: Any, path: str) -> tuple[str, ...]:
        if isinstance(value, str):
            return (value,)
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return tuple(value)
        raise self.fail(path, f"应为标签或标签列表, 实为 {value!r}")

    def entries(
        self, data: dict[str, Any], key: str, path: str, allowed: set[str], required: bool = False
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """Each mapping of the list under ``key`` (none when it is absent, unless ``required``), with its key path
        (``scoring.citations[2]``), its keys checked against ``allowed``."""
        for n, raw in enumerate(self.get(data, key, path, list, ... if required else [])):
            where = f"{path}.{key}[{n}]" if path else f"{key}[{n}]"
            item = self.mapping(raw, where)
            self.known(item, allowed, where)
            yield where, item

    def known(self, data: dict[str, Any], allowed: set[str] | frozenset[str], path: str) -> None:
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(f"{path}.{unknown[0]}", f"未知的键 (unknown key); 可用: {', '.join(sorted(allowed))}")

    def field_spec(self, key: str, data: Any, path: str, extra: tuple[str, ...] = ()) -> FieldSpec:
        data = self.mapping(data, path)
        self.known(data, FIELD_KEYS | set(extra), path)
        label = self.get(data, "label", path, str)
        kind = self.get(data, "type", path, str)
        if kind not in FIELD_TYPES:
            raise self.fail(f"{path}.type", f"{kind!r} 不是可用类型之一: {', '.join(FIELD_TYPES)}")
        at = self.get(data, "at", path, str, "right")
        if at not in ("right", "below"):
            raise self.fail(f"{path}.at", f"{at!r} 应为 right 或 below")
        choices = tuple(self.get(data, "choices", path, list, []))
        unit = self.get(data, "unit", path, str, None)
        if kind == "amount" and unit not in (None, *MONEY_UNITS):
            raise self.fail(f"{path}.unit", f"{unit!r} 应为 {'、'.join(MONEY_UNITS)} 之一")
        if kind == "choice" and not choices:
            raise self.fail(f"{path}.choices", "choice 类型须列出可选值")
        hint = self.get(data, "hint", path, str, None)
        if hint is not None and (kind != "choice" or len(hint) > 255):
            raise self.fail(f"{path}.hint", "只用于 choice 类型，至多 255 个字符（Excel 输入信息的上限）")
        return FieldSpec(
            key=key,
            label=label,
            match=self.labels(data["match"], f"{path}.match") if "match" in data else (label,),
            type=kind,
            required=self.get(data, "required", path, bool, False),
            computed=self.get(data, "computed", path, bool, False),
            added=self.get(data, "added", path, bool, False),
            output=self.get(data, "output", path, bool, False),
            at=at,
            tall=self.get(data, "tall", path, bool, False),
            fill_down=self.get(data, "fill_down", path, bool, False),
            choices=choices,
            width=self.get(data, "width", path, (int, float), None),
            unit=unit,
            after=self.get(data, "after", path, str, None),
            optional=self.get(data, "optional", path, bool, False),
            under=self.get(data, "under", path, str, None),
            signed=self.get(data, "signed", path, bool, False),
            span=self._span(data, path),
            group=self.get(data, "group", path, str, None),
            hint=hint,
        )

    def _span(self, data: dict[str, Any], path: str) -> int:
        span = self.get(data, "span", path, int, 1)
        if span < 1:
            raise self.fail(f"{path}.span", f"应为正整数, 实为 {span}")
        return span

    def section(self, data: Any, path: str) -> Section:
        data = self.mapping(data, path)
        self.known(data, {"name", "weight", "bonus"}, path)
        bonus = None
        if "bonus" in data:
            b = self.mapping(data["bonus"], f"{path}.bonus")
            self.known(b, {"step", "min", "max"}, f"{path}.bonus")
            bonus = Bonus(
                self.get(b, "step", f"{path}.bonus", float),
                self.get(b, "min", f"{path}.bonus", float),
                self.get(b, "max", f"{path}.bonus", float),
            )
            if not (bonus.step > 0 and bonus.min <= 0 <= bonus.max):
                raise self.fail(f"{path}.bonus", "须满足 step > 0 且 min ≤ 0 ≤ max")
        return Section(self.get(data, "name", path, str), self.get(data, "weight", path, float), bonus)

    def rate_rule(self, data: dict[str, Any], path: str) -> RateRule:
        """A rate rule's ``rule`` and its parameters: ``floor`` (linear), ``limit`` (ceiling, deduction), ``bands``
        (bands: each ``{up_to: 0.1, share: 0.8}`` or ``{from: 0.95, share: 1}``, all one way, the strictest
        first) and ``per_point`` (deduction: points off per percentage point over the limit)."""
        kind = self.get(data, "rule", path, str)
        if kind not in RATE_RULES:
            raise self.fail(f"{path}.rule", f"{kind!r} 应为 {', '.join(RATE_RULES)}")
        bands = tuple(self.band(b, f"{path}.bands[{n}]") for n, b in enumerate(self.get(data, "bands", path, list, [])))
        if (kind == "bands") != bool(bands):
            raise self.fail(f"{path}.bands", "rule 为 bands 时须列出各档（且只在此时列出）")
        for n, (before, band) in enumerate(pairwise(bands), start=1):
            if band.at_least != before.at_least:
                raise self.fail(f"{path}.bands[{n}]", "各档须同为 up_to 或同为 from")
            if (band.bound >= before.bound) if band.at_least else (band.bound <= before.bound):
                raise self.fail(f"{path}.bands[{n}]", "各档须从严到宽排列，否则这一档永远用不到")
        per_point = self.get(data, "per_point", path, float, 0.0)
        if (kind == "deduction") != (per_point != 0) or per_point < 0:
            raise self.fail(f"{path}.per_point", "rule 为 deduction 时须给出大于 0 的 per_point（且只在此时给出）")
        return RateRule(
            kind,
            floor=self.get(data, "floor", path, float, 0.0),
            limit=self.get(data, "limit", path, float, 1.0),
            bands=bands,
            per_point=per_point,
        )

    def band(self, data: Any, path: str) -> Band:
        data = self.mapping(data, path)
        self.known(data, {"up_to", "from", "share"}, path)
        if ("up_to" in data) == ("from" in data):
            raise self.fail(path, "须给出 up_to 或 from 之一")
        share = self.get(data, "share", path, float)
        if not 0 <= share <= 1:
            raise self.fail(f"{path}.share", "须在 0 到 1 之间（所得分值占该项分值的比例）")
        at_least = "from" in data
        return Band(self.get(data, "from" if at_least else "up_to", path, float), share, at_least)

    def rated(self, data: Any, path: str, field_ref: Any) -> RatedIndicator:
        data = self.mapping(data, path)
        self.known(data, {"name", "numerator", "denominator", "offset", *RATE_RULE_KEYS}, path)
        terms = {
            part: tuple(field_ref(k, f"{path}.{part}") for k in self.get(data, part, path, list))
            for part in ("numerator", "denominator")
        }
        return RatedIndicator(
            name=self.get(data, "name", path, str),
            ratio=Ratio(terms["numerator"], terms["denominator"], self.get(data, "offset", path, float, 0.0)),
            rule=self.rate_rule(data, path),
        )

    def matrix(self, data: Any, path: str) -> tuple[MatrixSpec, tuple[FieldSpec, ...], list[Ratio], list[SumRule]]:
        """The matrix spec, its cells as fields, the ratios of its computed rows and its per-row column sums."""
        data = self.mapping(data, path)
        self.known(data, {"columns", "rows", "sums", "row_sums"}, path)
        columns = []
        for key, value in self.mapping(self.get(data, "columns", path, dict), f"{path}.columns").items():
            value = self.mapping(value, f"{path}.columns.{key}")
            self.known(value, {"label", "group"}, f"{path}.columns.{key}")
            cpath = f"{path}.columns.{key}"
            columns.append(
                MatrixColumn(key, self.get(value, "label", cpath, str), self.get(value, "group", cpath, str, None))
            )
        rows_raw = self.mapping(self.get(data, "rows", path, dict), f"{path}.rows")
        rows = tuple(self.field_spec(k, v, f"{path}.rows.{k}", extra=("ratio", "items")) for k, v in rows_raw.items())
        cells = tuple(
            replace(
                row,
                key=MatrixSpec.key(row.key, col.key),
                label=f"{row.label}（{col.label}）",
                match=(row.label,),
                row_match=row.match,
                col_match=(col.label,),
            )
            for row in rows
            for col in columns
        )
        col_keys = {c.key for c in columns}
        ratios = []
        for row in rows:
            ratio = rows_raw[row.key].get("ratio")
            if ratio is None:
                continue
            if not (isinstance(ratio, list) and len(ratio) == 2 and all(r in rows_raw for r in ratio)):
                raise self.fail(f"{path}.rows.{row.key}.ratio", "应为 [分子行, 分母行]")
            ratios += [
                Ratio(
                    (MatrixSpec.key(ratio[0], c.key),),
                    (MatrixSpec.key(ratio[1], c.key),),
                    key=MatrixSpec.key(row.key, c.key),
                )
                for c in columns
            ]
        sums = []
        for spath, rule in self.entries(data, "sums", path, {"total", "parts"}):
            total, parts = self.get(rule, "total", spath, str), self.get(rule, "parts", spath, list)
            for name in (total, *parts):
                if name not in col_keys:
                    raise self.fail(spath, f"{name!r} 不是本矩阵的列; 可用: {', '.join(sorted(col_keys))}")
            sums += [
                SumRule(MatrixSpec.key(row.key, total), tuple(MatrixSpec.key(row.key, p) for p in parts))
                for row in rows
                if row.type == "amount"
            ]
        # Identities down each column: 三公经费 = 公务用车 + 出国 + 公务接待; 公用经费 ≥ its 其中 rows (partial).
        for spath, rule in self.entries(data, "row_sums", path, {"total", "parts", "partial"}):
            total, parts = self.get(rule, "total", spath, str), self.get(rule, "parts", spath, list)
            for name in (total, *parts):
                if name not in rows_raw:
                    raise self.fail(spath, f"{name!r} 不是本矩阵的行; 可用: {', '.join(rows_raw)}")
            partial = self.get(rule, "partial", spath, bool, False)
            sums += [
                SumRule(MatrixSpec.key(total, c.key), tuple(MatrixSpec.key(p, c.key) for p in parts), partial, True)
                for c in columns
            ]
        items = {
            row.key: TableSpec(
                columns=(
                    FieldSpec(key="name", label=f"{row.label}明细", match=(f"{row.label}明细",), type="text"),
                    *(
                        replace(row, key=c.key, label=c.label, match=(c.label,), required=False, computed=False)
                        for c in columns
                    ),
                ),
                stop=(),
                spare_rows=6,
            )
            for row in rows
            if self.get(rows_raw[row.key], "items", f"{path}.rows.{row.key}", bool, False)
        }
        return MatrixSpec(rows, tuple(columns), items), cells, ratios, sums

    def block(self, data: Any, path: str) -> tuple[BlockSpec, list[Ratio], list[SumRule]]:
        data = self.mapping(data, path)
        self.known(data, {"id", "title", "anchor", "row_label", "fields", "table", "matrix", "sheet"}, path)
        fields = tuple(
            self.field_spec(key, value, f"{path}.fields.{key}")
            for key, value in self.mapping(data.get("fields", {}), f"{path}.fields").items()
        )
        matrix, ratios, sums = None, [], []
        if "matrix" in data:
            matrix, cells, ratios, sums = self.matrix(data["matrix"], f"{path}.matrix")
            fields += cells
        table = None
        if "table" in data:
            tdata = self.mapping(data["table"], f"{path}.table")
            self.known(tdata, {"columns", "stop", "spare_rows", "presets", "header_rows", "total_row"}, f"{path}.table")
            columns = tuple(
                self.field_spec(key, value, f"{path}.table.columns.{key}")
                for key, value in self.mapping(
                    self.get(tdata, "columns", f"{path}.table", dict), f"{path}.table.columns"
                ).items()
            )
            keys = [c.key for c in columns]
            for n, column in enumerate(columns):
                if column.after is not None and column.after not in keys[:n]:
                    raise self.fail(f"{path}.table.columns.{column.key}.after", f"{column.after!r} 须为其左侧的列")
            presets = tuple(self.get(tdata, "presets", f"{path}.table", list, []))
            for n, preset in enumerate(presets):
                unknown = sorted(set(self.mapping(preset, f"{path}.table.presets[{n}]")) - set(keys))
                if unknown:
                    raise self.fail(f"{path}.table.presets[{n}].{unknown[0]}", "不是本表的列")
            total_row = tdata.get("total_row")
            table = TableSpec(
                columns=columns,
                stop=self.labels(self.get(tdata, "stop", f"{path}.table", list), f"{path}.table.stop"),
                spare_rows=self.get(tdata, "spare_rows", f"{path}.table", int, 10),
                presets=presets,
                header_rows=self.get(tdata, "header_rows", f"{path}.table", int, 1),
                total_row=() if total_row is None else self.labels(total_row, f"{path}.table.total_row"),
            )
        if not fields and table is None:
            raise self.fail(path, "区块须有 fields、matrix 或 table")
        block = BlockSpec(
            id=self.get(data, "id", path, str),
            title=self.get(data, "title", path, str, None),
            anchor=self.get(data, "anchor", path, str, None),
            row_label=self.get(data, "row_label", path, str, None),
            fields=fields,
            table=table,
            matrix=matrix,
            sheet=self.get(data, "sheet", path, str, None),
        )
        return block, ratios, sums


def parse_definition(data: Any, origin: str = "<definition>") -> FormDefinition:
    """Validate a loaded YAML mapping into a FormDefinition; raise DefinitionError at the first bad key."""
    r = _Reader(origin)
    data = r.mapping(data, "(root)")
    r.known(data, ROOT_KEYS, "(root)")
    parsed_blocks = [r.block(b, f"blocks[{i}]") for i, b in enumerate(r.get(data, "blocks", "", list))]
    blocks = tuple(block for block, _, _ in parsed_blocks)
    ratios = [ratio for _, block_ratios, _ in parsed_blocks for ratio in block_ratios]
    matrix_sums = [rule for _, _, block_sums in parsed_blocks for rule in block_sums]
    field_keys = {f.key for b in blocks for f in b.fields}
    tables = {b.id: b.table for b in blocks if b.table is not None}
    table_keys = set(tables)
    scoring = r.mapping(r.get(data, "scoring", "", dict), "scoring")
    r.known(scoring, SCORING_KEYS, "scoring")

    def field_ref(value: Any, path: str, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or value not in field_keys:
            raise r.fail(path, f"{value!r} 不是本表定义的字段; 可用: {', '.join(sorted(field_keys))}")
        return value

    budget = None
    if "budget_execution" in scoring:
        b = r.mapping(scoring["budget_execution"], "scoring.budget_execution")
        r.known(
            b,
            {"weight", "budget", "executed", "rate", "score", "explain_below", *RATE_RULE_KEYS},
            "scoring.budget_execution",
        )
        budget = BudgetRule(
            weight=r.get(b, "weight", "scoring.budget_execution", float),
            budget=field_ref(b.get("budget"), "scoring.budget_execution.budget"),
            executed=field_ref(b.get("executed"), "scoring.budget_execution.executed"),
            rate=field_ref(b.get("rate"), "scoring.budget_execution.rate", optional=True),
            score=field_ref(b.get("score"), "scoring.budget_execution.score", optional=True),
            rule=r.rate_rule(b, "scoring.budget_execution"),
            explain_below=r.get(b, "explain_below", "scoring.budget_execution", float, 0.9),
        )
    indicators = None
    if "indicators" in scoring:
        path = "scoring.indicators"
        i = r.mapping(scoring["indicators"], path)
        r.known(i, INDICATOR_KEYS, path)
        table = r.get(i, "table", path, str)
        if table not in table_keys:
            raise r.fail(f"{path}.table", f"{table!r} 不是本表定义的表格; 可用: {', '.join(sorted(table_keys))}")
        sections = tuple(r.section(s, f"{path}.sections[{n}]") for n, s in enumerate(r.get(i, "sections", path, list)))
        tiers = tuple(
            Tier(r.get(t, "name", where, str), r.get(t, "low", where, float), r.get(t, "high", where, float))
            for where, t in r.entries(i, "tiers", path, {"name", "low", "high"}, required=True)
        )
        for n, tier in enumerate(tiers):
            if not 0 <= tier.low <= tier.high <= 1:
                raise r.fail(f"{path}.tiers[{n}]", "档次区间须满足 0 ≤ low ≤ high ≤ 1")
        indicators = IndicatorRules(
            table=table,
            sections=sections,
            negative_level2=tuple(r.get(i, "negative_level2", path, list, [])),
            tiers=tiers,
            far_exceeded_ratio=r.get(i, "far_exceeded_ratio", path, float, 1.5),
            rated=tuple(
                r.rated(rated, f"{path}.rated[{n}]", field_ref)
                for n, rated in enumerate(r.get(i, "rated", path, list, []))
            ),
            explanation_column=r.get(i, "explanation_column", path, str, None),
        )
        columns = {c.key for c in tables[table].columns}
        if indicators.explanation_column not in (None, *columns):
            raise r.fail(f"{path}.explanation_column", f"{indicators.explanation_column!r} 不是表格 {table} 的列")
    sums = tuple(matrix_sums) + tuple(
        SumRule(
            total=field_ref(s.get("total"), f"{where}.total"),
            parts=tuple(field_ref(p, f"{where}.parts") for p in r.get(s, "parts", where, list)),
            partial=r.get(s, "partial", where, bool, False),
            blank_is_zero=r.get(s, "blank_is_zero", where, bool, False),
        )
        for where, s in r.entries(scoring, "sums", "scoring", {"total", "parts", "partial", "blank_is_zero"})
    )
    agreements = tuple(
        tuple(field_ref(k, f"scoring.agree[{n}]") for k in r.labels(group, f"scoring.agree[{n}]"))
        for n, group in enumerate(r.get(scoring, "agree", "scoring", list, []))
    )
    grades = tuple(
        (r.get(g, "grade", where, str), r.get(g, "min", where, float))
        for where, g in r.entries(data, "grades", "", {"grade", "min"})
    )
    if [m for _, m in grades] != sorted((m for _, m in grades), reverse=True):
        raise r.fail("grades", "等次须按最低分从高到低排列")
    checks = _check_configs(r, data)
    sheets = _sheets(r, data)
    rounding = r.mapping(data.get("rounding", {}), "rounding")
    r.known(rounding, {"score", "rate"}, "rounding")
    definition = FormDefinition(
        id=r.get(data, "id", "", str),
        name=r.get(data, "name", "", str),
        region=r.get(data, "region", "", str),
        version=str(r.get(data, "version", "", (str, int, float))),
        source=r.get(data, "source", "", str, ""),
        year_pattern=r.get(data, "year_pattern", "", str, None),
        dated=r.get(data, "dated", "", bool, False),
        score_decimals=r.get(rounding, "score", "rounding", int, 2),
        rate_decimals=r.get(rounding, "rate", "rounding", int, 4),
        grades=grades,
        blocks=blocks,
        budget=budget,
        indicators=indicators,
        total=field_ref(scoring.get("total"), "scoring.total", optional=True),
        grade=field_ref(scoring.get("grade"), "scoring.grade", optional=True),
        explanation=field_ref(scoring.get("explanation"), "scoring.explanation", optional=True),
        sums=sums,
        checks=checks,
        footnotes=r.get(data, "footnotes", "", str, ""),
        ratios=tuple(ratios) + _field_ratios(r, scoring, field_ref),
        headline=_headline(r, scoring, budget, field_ref),
        allocations=_allocations(r, scoring, tables, field_ref),
        citations=_citations(r, scoring, field_ref),
        outline=_outline(r, data, field_ref),
        row_sums=_row_sums(r, scoring, tables),
        agreements=agreements,
        sheets=sheets,
        prior_year=_prior_year(r, scoring, field_keys, tables),
        other_forms=r.labels(data["other_forms"], "other_forms") if "other_forms" in data else (),
    )
    for n, block in enumerate(blocks):
        if block.sheet is not None and block.sheet not in {s.name for s in sheets}:
            raise r.fail(f"blocks[{n}].sheet", f"{block.sheet!r} 不是 sheets 中列出的工作表")
    for spec in definition.fields.values():
        if spec.under is not None and not any(spec.under in {c.key for c in t.columns} for t in tables.values()):
            raise r.fail(f"fields.{spec.key}.under", f"{spec.under!r} 不是任何表格的列")
    if definition.scored and not grades:
        raise r.fail("grades", "计分的表式须列出评价等次")
    if indicators is not None and abs(definition.total_weight - 100) > 1e-9:
        raise r.fail("scoring", f"预算执行与各部分分值之和应为 100, 实为 {definition.total_weight:g}")
    return definition


# libyaml's loader when PyYAML was built with it: ~10× faster, and loading the five bundled forms is part of every
# command's start-up.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_definition_file(path: str | Path) -> FormDefinition:
    """Load and validate a definition from a YAML file."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path.name}: YAML 语法错误: {exc}") from exc
    return parse_definition(data, path.name)


@cache
def _bundled() -> dict[str, Path]:
    folder = resources.files("perfeval_xl") / "forms"
    return {Path(str(p)).stem: Path(str(p)) for p in folder.iterdir() if str(p).endswith(".yaml")}


# The bureau's rules in force in this process (see ``use_rules``), if any, and every rules used so far by digest.
_IN_FORCE: list[Rules] = []
_KNOWN: dict[str, Rules] = {}


def use_rules(rules: Rules | None) -> None:
    """Put a bureau's rules in force for every form loaded from now on in this process (None: the forms as
    defined); a batch's worker processes are given them as they start. Rules used again give the same definitions
    (the checks and locators keep what they worked out per definition: an Excel button pressed a hundred times in
    one process must not make a hundred of each)."""
    _IN_FORCE[:] = [rules] if rules is not None else []
    if rules is not None:
        _KNOWN.setdefault(rules.digest, rules)


def rules_in_force() -> Rules | None:
    return _IN_FORCE[0] if _IN_FORCE else None


@contextmanager
def rules_applied(rules: Rules | None) -> Iterator[None]:
    """These rules in force for a while (a workbook checked under the rules its template carries), then the ones
    before them again."""
    before = rules_in_force()
    use_rules(rules)
    try:
        yield
    finally:
        use_rules(before)


# The key of a template's hidden metadata (grid.META_SHEET) under which it carries the bureau's rules it was made with
# (perfeval template FORM --rules 本局规则.yaml): the Excel button, and perfeval check without --rules, apply them,
# so that a unit sees what its bureau's batch will say; a bureau's batch applies only its own --rules.
RULES_KEY = "rules"


def load_form(form_id: str) -> FormDefinition:
    """A bundled form by id (``hubei``…), with the bureau's rules in force over its own settings of the checks."""
    forms = _bundled()
    if form_id not in forms:
        raise DefinitionError(f"未知表式 {form_id!r}; 可用: {', '.join(sorted(forms))}")
    return _under(form_id, _IN_FORCE[0].digest if _IN_FORCE else None)


@cache
def _under(form_id: str, digest: str | None) -> FormDefinition:
    """A bundled form under the rules of that digest (None: as defined)."""
    if digest is None:
        return load_definition_file(_bundled()[form_id])
    return _KNOWN[digest].applied(_under(form_id, None))


def all_forms() -> list[FormDefinition]:
    """Every bundled form, sorted by id."""
    return [load_form(form_id) for form_id in sorted(_bundled())]
