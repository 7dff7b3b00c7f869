"""Finding records: code, severity, location, value found and expected, and a message rendered in zh or en."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

SEVERITY_ORDER = {"error": 0, "warning": 1}
SEVERITY_LABEL = {"zh": {"error": "强制", "warning": "提示"}, "en": {"error": "error", "warning": "warning"}}


def severity_counts(severities: Iterable[str]) -> tuple[int, int]:
    """(errors, warnings) among some findings' severities: of Finding objects, or of the JSON contract's issues."""
    listed = list(severities)
    errors = listed.count("error")
    return errors, len(listed) - errors


@dataclass(frozen=True)
class Finding:
    """One problem at one cell. ``templates`` maps a language to the check's message template; ``args`` fill it."""

    code: str
    severity: str
    sheet: str
    cell: str
    templates: dict[str, str]
    args: dict[str, Any] = field(default_factory=dict)
    value: Any = None
    expected: Any = None
    key: str = ""

    def message(self, lang: str = "zh") -> str:
        template = self.templates.get(lang) or self.templates["zh"]
        return template.format(**{k: _show(v) for k, v in self.args.items()})

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (self.sheet, _row_of(self.cell), _col_of(self.cell), SEVERITY_ORDER[self.severity], self.code)

    def as_dict(self, lang: str = "zh") -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "sheet": self.sheet,
            "cell": self.cell,
            "message": self.message(lang),
            "value": _plain(self.value),
            "expected": _plain(self.expected),
            "key": self.key or None,
            "difference": self.difference,
        }

    @property
    def difference(self) -> float | None:
        """The value found minus the value expected, when both are numbers (a bool is none), without the float's
        tail (3014.42 − 2634.17 is 380.25, not 380.25000000000045); None otherwise."""
        numbers = [v for v in (self.value, self.expected) if isinstance(v, int | float) and not isinstance(v, bool)]
        if len(numbers) < 2 or not all(math.isfinite(v) for v in numbers):
            return None
        return round(numbers[0] - numbers[1], 9)


def _plain(value: Any) -> Any:
    """A value as JSON holds it: infinity and NaN (a cell holding them) as text, not as the non-standard literals."""
    return str(value) if isinstance(value, float) and not math.isfinite(value) else value


def _show(value: Any) -> str:
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return text or "0"
    return str(value)


def _row_of(cell: str) -> int:
    digits = "".join(ch for ch in cell if ch.isdigit())
    return int(digits) if digits else 0


def _col_of(cell: str) -> str:
    letters = "".join(ch for ch in cell if ch.isalpha())
    return letters.rjust(3)


def percent(value: float) -> str:
    """114.44% for 1.1444, as the forms print rates."""
    return f"{value * 100:.2f}%"
