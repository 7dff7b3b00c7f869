"""Form definitions: the YAML data files under ``forms/``, validated into typed objects with key-path errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .values import MONEY_UNITS

FIELD_TYPES = ("text", "amount", "rate", "score", "quantity", "choice", "year")
SEVERITIES = ("error", "warning")
BUDGET_RULES = ("proportional", "linear")


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


@dataclass(frozen=True)
class TableSpec:
    columns: tuple[FieldSpec, ...]
    stop: tuple[str, ...]
    spare_rows: int

    def column(self, key: str) -> FieldSpec:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class BlockSpec:
    id: str
    title: str | None
    anchor: str | None
    row_label: str | None
    fields: tuple[FieldSpec, ...]
    table: TableSpec | None


@dataclass(frozen=True)
class Section:
    name: str
    weight: float


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
    rule: str
    floor: float
    explain_below: float


@dataclass(frozen=True)
class IndicatorRules:
    table: str
    sections: tuple[Section, ...]
    negative_level2: tuple[str, ...]
    tiers: tuple[Tier, ...]
    far_exceeded_ratio: float


@dataclass(frozen=True)
class SumRule:
    total: str
    parts: tuple[str, ...]


@dataclass(frozen=True)
class CheckConfig:
    enabled: bool = True
    severity: str | None = None


@dataclass(frozen=True)
class FormDefinition:
    id: str
    name: str
    region: str
    version: str
    source: str
    detect: tuple[str, ...]
    year_pattern: str | None
    sheet_name: str
    title: str
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

    @property
    def fields(self) -> dict[str, FieldSpec]:
        return {f.key: f for block in self.blocks for f in block.fields}

    @property
    def tables(self) -> dict[str, TableSpec]:
        return {block.id: block.table for block in self.blocks if block.table is not None}

    @property
    def total_weight(self) -> float:
        budget = self.budget.weight if self.budget else 0.0
        sections = sum(s.weight for s in self.indicators.sections) if self.indicators else 0.0
        return budget + sections


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

    def field_spec(self, key: str, data: Any, path: str) -> FieldSpec:
        data = self.mapping(data, path)
        allowed = {
            "label",
            "match",
            "type",
            "required",
            "computed",
            "added",
            "output",
            "at",
            "tall",
            "fill_down",
            "choices",
            "width",
            "unit",
        }
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise self.fail(f"{path}.{unknown[0]}", f"未知的键 (unknown key); 可用: {', '.join(sorted(allowed))}")
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
        )

    def block(self, data: Any, path: str) -> BlockSpec:
        data = self.mapping(data, path)
        fields = tuple(
            self.field_spec(key, value, f"{path}.fields.{key}")
            for key, value in self.mapping(data.get("fields", {}), f"{path}.fields").items()
        )
        table = None
        if "table" in data:
            tdata = self.mapping(data["table"], f"{path}.table")
            columns = tuple(
                self.field_spec(key, value, f"{path}.table.columns.{key}")
                for key, value in self.mapping(
                    self.get(tdata, "columns", f"{path}.table", dict), f"{path}.table.columns"
                ).items()
            )
            table = TableSpec(
                columns=columns,
                stop=self.labels(self.get(tdata, "stop", f"{path}.table", list), f"{path}.table.stop"),
                spare_rows=self.get(tdata, "spare_rows", f"{path}.table", int, 10),
            )
        if not fields and table is None:
            raise self.fail(path, "区块须有 fields 或 table")
        return BlockSpec(
            id=self.get(data, "id", path, str),
            title=self.get(data, "title", path, str, None),
            anchor=self.get(data, "anchor", path, str, None),
            row_label=self.get(data, "row_label", path, str, None),
            fields=fields,
            table=table,
        )


def parse_definition(data: Any, origin: str = "<definition>") -> FormDefinition:
    """Validate a loaded YAML mapping into a FormDefinition; raise DefinitionError at the first bad key."""
    r = _Reader(origin)
    data = r.mapping(data, "(root)")
    blocks = tuple(r.block(b, f"blocks[{i}]") for i, b in enumerate(r.get(data, "blocks", "", list)))
    field_keys = {f.key for b in blocks for f in b.fields}
    table_keys = {b.id for b in blocks if b.table is not None}
    scoring = r.mapping(r.get(data, "scoring", "", dict), "scoring")

    def field_ref(value: Any, path: str, optional: bool = False) -> str | None:
        if value is None and optional:
            return None
        if not isinstance(value, str) or value not in field_keys:
            raise r.fail(path, f"{value!r} 不是本表定义的字段; 可用: {', '.join(sorted(field_keys))}")
        return value

    budget = None
    if "budget_execution" in scoring:
        b = r.mapping(scoring["budget_execution"], "scoring.budget_execution")
        rule = r.get(b, "rule", "scoring.budget_execution", str)
        if rule not in BUDGET_RULES:
            raise r.fail("scoring.budget_execution.rule", f"{rule!r} 应为 {', '.join(BUDGET_RULES)}")
        budget = BudgetRule(
            weight=r.get(b, "weight", "scoring.budget_execution", float),
            budget=field_ref(b.get("budget"), "scoring.budget_execution.budget"),
            executed=field_ref(b.get("executed"), "scoring.budget_execution.executed"),
            rate=field_ref(b.get("rate"), "scoring.budget_execution.rate", optional=True),
            score=field_ref(b.get("score"), "scoring.budget_execution.score", optional=True),
            rule=rule,
            floor=r.get(b, "floor", "scoring.budget_execution", float, 0.0),
            explain_below=r.get(b, "explain_below", "scoring.budget_execution", float, 0.9),
        )
    indicators = None
    if "indicators" in scoring:
        path = "scoring.indicators"
        i = r.mapping(scoring["indicators"], path)
        table = r.get(i, "table", path, str)
        if table not in table_keys:
            raise r.fail(f"{path}.table", f"{table!r} 不是本表定义的表格; 可用: {', '.join(sorted(table_keys))}")
        sections = tuple(
            Section(r.get(s, "name", f"{path}.sections[{n}]", str), r.get(s, "weight", f"{path}.sections[{n}]", float))
            for n, s in enumerate(r.get(i, "sections", path, list))
        )
        tiers = tuple(
            Tier(
                r.get(t, "name", f"{path}.tiers[{n}]", str),
                r.get(t, "low", f"{path}.tiers[{n}]", float),
                r.get(t, "high", f"{path}.tiers[{n}]", float),
            )
            for n, t in enumerate(r.get(i, "tiers", path, list))
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
        )
    sums = tuple(
        SumRule(
            total=field_ref(s.get("total"), f"scoring.sums[{n}].total"),
            parts=tuple(field_ref(p, f"scoring.sums[{n}].parts") for p in s.get("parts", [])),
        )
        for n, s in enumerate(r.get(scoring, "sums", "scoring", list, []))
    )
    grades_raw = r.get(data, "grades", "", list)
    grades = tuple(
        (r.get(g, "grade", f"grades[{n}]", str), r.get(g, "min", f"grades[{n}]", float))
        for n, g in enumerate(grades_raw)
    )
    if [m for _, m in grades] != sorted((m for _, m in grades), reverse=True):
        raise r.fail("grades", "等次须按最低分从高到低排列")
    checks = {
        code: CheckConfig(
            enabled=r.get(r.mapping(cfg, f"checks.{code}"), "enabled", f"checks.{code}", bool, True),
            severity=r.get(cfg, "severity", f"checks.{code}", str, None),
        )
        for code, cfg in r.mapping(data.get("checks", {}), "checks").items()
    }
    for code, cfg in checks.items():
        if cfg.severity is not None and cfg.severity not in SEVERITIES:
            raise r.fail(f"checks.{code}.severity", f"{cfg.severity!r} 应为 error 或 warning")
    sheet = r.mapping(r.get(data, "sheet", "", dict), "sheet")
    rounding = r.mapping(data.get("rounding", {}), "rounding")
    definition = FormDefinition(
        id=r.get(data, "id", "", str),
        name=r.get(data, "name", "", str),
        region=r.get(data, "region", "", str),
        version=str(r.get(data, "version", "", (str, int, float))),
        source=r.get(data, "source", "", str, ""),
        detect=r.labels(r.get(data, "detect", "", list), "detect"),
        year_pattern=r.get(data, "year_pattern", "", str, None),
        sheet_name=r.get(sheet, "name", "sheet", str),
        title=r.get(sheet, "title", "sheet", str),
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
    )
    if indicators is not None and abs(definition.total_weight - 100) > 1e-9:
        raise r.fail("scoring", f"预算执行与各部分分值之和应为 100, 实为 {definition.total_weight:g}")
    return definition


def load_definition_file(path: str | Path) -> FormDefinition:
    """Load and validate a definition from a YAML file."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise DefinitionError(f"{path.name}: YAML 语法错误: {exc}") from exc
    return parse_definition(data, path.name)


def _bundled() -> dict[str, Path]:
    folder = resources.files("perfeval_xl") / "forms"
    return {Path(str(p)).stem: Path(str(p)) for p in folder.iterdir() if str(p).endswith(".yaml")}


@cache
def load_form(form_id: str) -> FormDefinition:
    """A bundled form by id (``hubei``…)."""
    forms = _bundled()
    if form_id not in forms:
        raise DefinitionError(f"未知表式 {form_id!r}; 可用: {', '.join(sorted(forms))}")
    return load_definition_file(forms[form_id])


def all_forms() -> list[FormDefinition]:
    """Every bundled form, sorted by id."""
    return [load_form(form_id) for form_id in sorted(_bundled())]
