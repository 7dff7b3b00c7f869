"""Rendering evaluations for people and programs: the JSON contract and the text report."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .engine import UNGRADED, Evaluation
from .findings import SEVERITY_LABEL, percent, severity_counts
from .plan import STATUS_LABEL
from .prior_year import Earlier, compared_with
from .scoring import round_half_up


def _num(value: float | None, decimals: int) -> float | None:
    return None if value is None else round(value, decimals)


def readable_name(name: str) -> str:
    """A file's path as the bureau reads it. A name not in the file system's encoding (a Windows zip unpacked on
    Linux without saying its encoding, a USB stick mounted without one) comes from the file system with its bytes
    escaped as surrogates, which no output can write: those bytes are GBK, decoded as ``member_name`` decodes a zip's
    names, else shown with a replacement character where they fail."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        raw = os.fsencode(name)
        try:
            return raw.decode("gb18030")
        except UnicodeDecodeError:
            return raw.decode("utf-8", "replace")
    return name


def result_dict(
    evaluation: Evaluation, path: str | Path, lang: str = "zh", last_year: Earlier | None = None
) -> dict[str, Any]:
    """One file's object of the JSON contract (see README); with ``last_year`` (the unit's form of the year before,
    named with --prior), its total and grade when the two are set beside each other (see ``beside``)."""
    d = evaluation.definition
    scores = evaluation.scores
    sections: dict[str, dict[str, Any]] = {}
    if d.budget is not None:
        reported = evaluation.number(d.budget.score) if d.budget.score else None
        sections["预算执行"] = {
            "weight": d.budget.weight,
            "score": _num(scores.budget_score, d.score_decimals),
            "reported": _num(reported if reported is not None else scores.budget_score, d.score_decimals),
        }
    for section in scores.sections:
        sections[section.name] = {
            "weight": section.weight,
            "score": _num(section.computed, d.score_decimals),
            "reported": _num(section.reported, d.score_decimals),
        }
    result: dict[str, Any] = {
        "file": readable_name(str(path)),
        "form": d.id,
        "unit": evaluation.unit,
        "year": evaluation.extraction.year,
        "status": evaluation.status,
        "scores": {
            "total": _num(scores.total, d.score_decimals),
            "reported_total": _num(scores.reported_total, d.score_decimals),
            "grade": scores.grade,
            "execution_rate": _num(scores.headline_rate, 6),
            "budget": _num(scores.budget, 2),
            "executed": _num(scores.executed, 2),
            "sections": sections,
        },
        "issues": [finding.as_dict(lang) for finding in evaluation.findings],
    }
    if evaluation.earlier is not None:  # what the 跨期 check compared with: no PE401 then means the figures agree
        result["prior_year"] = {"file": evaluation.earlier.source, "year": evaluation.earlier.year}
    if evaluation.parts is not None:  # likewise for the 汇总 check (PE402)
        result["parts"] = {"files": list(evaluation.parts.files)}
    if evaluation.extraction.issued_to:  # the unit of the bureau's list the template was issued to
        result["issued_to"] = evaluation.extraction.issued_to
    if last_year is not None and last_year.total is not None and beside(last_year, evaluation):
        total = _num(last_year.total, d.score_decimals)
        result["last_year"] = {
            "file": last_year.source,
            "year": last_year.year,
            "total": total,
            "grade": last_year.grade,
        }
    return result


def issue_counts(result: dict[str, Any]) -> tuple[int, int]:
    """(errors, warnings) of one result object of the JSON contract."""
    return severity_counts(i["severity"] for i in result.get("issues", []))


def internal_error(exc: Exception, lang: str = "zh") -> str:
    """What a file that met a bug of ours says in its row or line, instead of a traceback that ends the command."""
    said = f"{type(exc).__name__}: {exc}"
    return f"内部错误，请联系技术支持：{said}" if lang == "zh" else f"internal error: {said}"


def unreadable_dict(path: str | Path, message: str, form: str | None = None) -> dict[str, Any]:
    """The result of a file we could not check: why, and its form when that was recognised."""
    return {
        "file": readable_name(str(path)),
        "form": form,
        "unit": None,
        "year": None,
        "status": "unreadable",
        "message": message,
        "scores": None,
        "issues": [],
    }


def points(value: float | None, decimals: int) -> str:
    """A score rounded half-up to the form's decimals, without trailing zeros (93, 93.89); “—” when missing."""
    if value is None:
        return "—"
    text = f"{round_half_up(value, decimals):.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def beside(last: Earlier | None, evaluation: Evaluation) -> bool:
    """Whether the evaluation's total is set beside ``last``'s: the unit's form of the year before (see
    ``Earlier.differs``), both graded."""
    if last is None or last.total is None or not last.grade or last.differs(evaluation):
        return False
    return evaluation.scores.total is not None and bool(evaluation.scores.grade)


def moved_since(last: Earlier | None, evaluation: Evaluation, lang: str = "zh") -> str:
    """How the total moved since the unit's form of the year before, both graded, as 自评报告 say it: 较上年度
    （2020年度自评总分91.94分，评价等次“优”）提高1.06分, or 持平; "" when there is nothing to set it beside."""
    if last is None or last.total is None or not beside(last, evaluation):
        return ""
    s, decimals = evaluation.scores, evaluation.definition.score_decimals
    change = round_half_up(s.total or 0.0, decimals) - round_half_up(last.total, decimals)
    same = abs(change) < evaluation.definition.score_tolerance
    then, by = points(last.total, decimals), points(abs(change), decimals)
    if lang == "zh":
        before = f"（{f'{last.year}年度' if last.year else ''}自评总分{then}分，评价等次“{last.grade}”）"
        return f"与上年度{before}持平" if same else f"较上年度{before}{'提高' if change > 0 else '降低'}{by}分"
    year = f"{last.year}'s" if last.year else "last year's"
    return (
        f"total as {year} {then} ({last.grade})"
        if same
        else (f"total {'up' if change > 0 else 'down'} {by} on {year} {then} ({last.grade})")
    )


def render_text(evaluation: Evaluation, path: str | Path, lang: str = "zh", last_year: Earlier | None = None) -> str:
    """A short human report: the totals, then one line per finding; with ``last_year`` (the unit's form of the year
    before), how the total moved since."""
    d = evaluation.definition
    s = evaluation.scores
    zh = lang == "zh"
    rate = percent(s.headline_rate) if s.headline_rate is not None else "—"
    path = readable_name(str(path))
    if s.total is None or s.reported_total is None:
        points = "本表式不计分" if zh else "not scored"
    elif zh:
        points = f"计算总分 {s.total:.2f}，填报总分 {s.reported_total:.2f}，等次 {s.grade or UNGRADED['zh']}"
    else:
        points = f"computed total {s.total:.2f}, reported {s.reported_total:.2f}, grade {s.grade or UNGRADED['en']}"
    head = (
        f"{path}: {evaluation.unit or '（未填单位）'} {evaluation.extraction.year or ''} {d.region}{d.name} — "
        f"执行率 {rate}，{points}，{STATUS_LABEL['zh'][evaluation.status]}"
        if zh
        else f"{path}: {evaluation.unit} {evaluation.extraction.year or ''} {d.id} — execution {rate}, {points}, "
        f"{STATUS_LABEL['en'][evaluation.status]}"
    )
    lines = [head]
    for f in evaluation.findings:
        lines.append(f"  {f.sheet}!{f.cell} {f.code} [{SEVERITY_LABEL[lang][f.severity]}] {f.message(lang)}")
    errors, warnings = evaluation.severity_counts()
    lines.append(
        f"  {errors} 个错误，{warnings} 个提示"
        if zh
        else f"  {counted(errors, 'error')}, {counted(warnings, 'warning')}"
    )
    if evaluation.earlier is not None:
        lines.append(f"  {compared_with(evaluation.earlier.source, lang)}")
    if evaluation.parts is not None:
        lines.append(f"  {summed_from(len(evaluation.parts.files), lang)}")
    if moved := moved_since(last_year, evaluation, lang):
        lines.append(f"  {moved}")
    return "\n".join(lines)


def summed_from(count: int, lang: str) -> str:
    """What the 汇总 check (PE402) compared a department's form with: the sum of ``count`` institutions' forms."""
    return (
        f"已与 {count} 个机构的表之和核对"
        if lang == "zh"
        else f"checked against the sum of {counted(count, 'institution form')}"
    )


def counted(count: int, noun: str) -> str:
    """``count`` and an English noun, in the singular for one: 1 warning, 6 submissions."""
    return f"{count} {noun}{'s' * (count != 1)}"
