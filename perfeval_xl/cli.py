"""The ``perfeval`` command line: forms, template, rules, check, batch, report, consolidate."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .checks import BY_CODE, Check, active_checks, configured, described
from .console import json_text, never_failing
from .consolidate import ConsolidationError, Parts
from .consolidate import consolidate as build_department
from .definition import DefinitionError, FormDefinition, Rules, all_forms, load_form, rules_in_force, use_rules
from .engine import Evaluation, LastYear
from .explain import scoring_rules
from .findings import SEVERITY_LABEL
from .issuing import forms_by_unit, issue
from .plan import build_plan
from .prior_year import Earlier, next_year, not_compared
from .reader import UnreadableInput, read_workbook
from .report import counted, internal_error, readable_name, render_text, result_dict, unreadable_dict
from .roster import Roster, RosterError
from .service import check_carrying_rules, check_path, check_paths
from .submissions import WORKBOOK_SUFFIXES, collect, workbooks_in
from .template import build_template
from .unkept import copy_lacks
from .unwritable import cannot_write

if TYPE_CHECKING:
    from .batch import BatchResult

EXIT_OK, EXIT_ERRORS, EXIT_UNREADABLE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a command ended by Ctrl-C
LANG = click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="消息语言")


def _use_rules(ctx: click.Context, param: click.Parameter, path: Path | None) -> None:
    """Put the bureau's rules file in force before the command runs; a bad one is a usage error (exit 2)."""
    try:
        use_rules(Rules.read(path) if path else None)
    except DefinitionError as exc:
        raise click.BadParameter(str(exc), ctx, param) from exc


RULES = click.option(
    "--rules",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    callback=_use_rules,
    expose_value=False,
    help="本地的校验设置（YAML：checks: {PE106: {enabled: false}, PE303: {severity: error, message: …}}，"
    "forms: {hubei: {checks: …}} 只用于一种表式），覆盖表式定义中的设置",
)


def _units(said: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """The --units option (the bureau's unit list, see ``roster.Roster``), said as the command uses it."""
    return click.option(
        "--units", "units_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help=said
    )


@contextmanager
def _writing(path: Path, lang: str = "zh") -> Iterator[None]:
    """An output that cannot be written (no permission, a file open in Excel, a file where a folder should be, a
    full disk) is one line and exit code 2, never a traceback. It names the file the error names, if any (a
    batch's summary in its output folder, a folder that could not be made), else ``path``."""
    try:
        yield
    except OSError as exc:
        click.echo(cannot_write(exc.filename or path, exc, lang), err=True)
        sys.exit(EXIT_UNREADABLE)


def _form_ids() -> list[str]:
    return [f.id for f in all_forms()]


def _refuse(lang: str, zh: str, en: str) -> NoReturn:
    """A usage error, in the language asked for: click prints the usage line and this sentence, exit code 2."""
    raise click.UsageError(zh if lang == "zh" else en)


def _known_form(form_id: str | None, lang: str) -> None:
    """A --form (or template's FORM) that names no bundled form is a usage error listing those there are."""
    if form_id and form_id not in (ids := _form_ids()):
        _refuse(
            lang,
            f"未知表式 {form_id!r}; 可用: {', '.join(ids)}",
            f"unknown form {form_id!r}; available: {', '.join(ids)}",
        )


def _command_for(given: str) -> str | None:
    """The command a file or folder given where a command goes was meant for (``perfeval 文件.xlsx``, or a file
    dropped on perfeval.exe): check for a workbook, batch for a folder or a .zip, None for anything else."""
    path = Path(given)
    if path.is_dir() or path.suffix.lower() == ".zip":
        return "batch"
    return "check" if path.suffix.lower() in WORKBOOK_SUFFIXES else None


class _Guarded(click.Group):
    """The commands, each of which says a bug of ours in one line with exit code 2, as it says unreadable input,
    never with a traceback (``check`` says it per file and goes on with the others); a file given where a command
    goes is told the command it was meant for."""

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        given = args[0] if args else ""
        if given and self.get_command(ctx, given) is None and (command := _command_for(given)):
            shown = f'"{given}"' if " " in given else given
            what, what_en = ("文件夹", "a folder") if Path(given).is_dir() else ("文件", "a file")
            out, out_en = (" -o 审核结果", " -o results") if command == "batch" else ("", "")  # batch needs its -o
            ctx.fail(
                f"“{given}”是{what}，不是命令：请运行 perfeval {command} {shown}{out}"
                f" ({what_en}, not a command: run perfeval {command} {shown}{out_en})"
            )
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:  # the command's --lang is not known here: both languages
            click.echo(f"{internal_error(exc)} (internal error)", err=True)
            sys.exit(EXIT_UNREADABLE)


@click.group(cls=_Guarded, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="perfeval_xl")
def main() -> None:
    """部门整体支出绩效自评：模板、校验、计分与回写。"""
    never_failing(sys.stdout, sys.stderr)


@main.command()
@click.argument("form", required=False)
@LANG
def forms(form: str | None, lang: str) -> None:
    """列出支持的表式；给了 FORM 时列出该表式的计分规则 (list the forms; with FORM, how it scores)."""
    if form is not None:
        _known_form(form, lang)
        click.echo("\n".join(scoring_rules(load_form(form), lang)))
        return
    for f in all_forms():
        click.echo(f"{f.id}\t{f.region}\t{f.name}\t{f.version}")


@main.command()
@click.argument("form")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path),
    required=True,
    help="输出 .xlsx/.xlsm 路径（给了 --units 时是存放各单位模板的文件夹）",
)
@click.option("--macro", is_flag=True, help="带“重新计算得分”按钮的启用宏模板（输出须为 .xlsm）")
@click.option("--year", type=click.IntRange(1990, 2100), help="预填评价年度")
@_units(
    "单位名单（同 batch --units）：为名单中每个单位各生成一份模板，预填单位名称（表式有“主管部门”的，预填上级单位）"
)
@click.option(
    "--prior",
    "prior_path",
    type=click.Path(path_type=Path),
    help="该单位上一年度报送的同一张表（给了 --units 时是上一年度各单位的表所在的文件夹或 .zip，按单位名称对应）："
    "预填单位名称、下一年度和表中的上年数（湖南的上年决算数、岳阳各机构的上年结转）",
)
@RULES
@LANG
def template(
    form: str,
    output: Path,
    macro: bool,
    year: int | None,
    units_path: Path | None,
    prior_path: Path | None,
    lang: str,
) -> None:
    """生成表式模板 (write the Excel template of FORM)；给了 --units 时为名单中每个单位各生成一份 (one per listed unit)."""
    _known_form(form, lang)
    definition = load_form(form)
    if units_path is not None:
        _issue(definition, output, macro, year, units_path, prior_path, lang)
        return
    if output.is_dir():
        _refuse(
            lang,
            f"{output} 是一个文件夹：请给出 .xlsx/.xlsm 文件路径（为名单中每个单位各生成一份请加 --units）",
            f"{output} is a folder: give an .xlsx or .xlsm file (add --units for one template per listed unit)",
        )
    if macro != (output.suffix.lower() == ".xlsm"):
        _refuse(
            lang,
            "带按钮的模板请用 --macro 并输出为 .xlsm；不带按钮的模板请输出为 .xlsx",
            "a template with buttons takes --macro and an .xlsm output; one without them, an .xlsx output",
        )
    data = _next_year(prior_path, definition.id, lang) if prior_path is not None else {"fields": {}}
    if year is not None:
        data["fields"]["year"] = year
    with _writing(output, lang):
        click.echo(build_template(definition, output, data, macro=macro))


def _issue(
    definition: FormDefinition,
    folder: Path,
    macro: bool,
    year: int | None,
    units_path: Path,
    prior_path: Path | None,
    lang: str,
) -> None:
    """perfeval template --units: a template for each unit of the list in ``folder`` (see ``issuing.issue``), filled
    from its form of last year in ``prior_path`` when given; each path, then what was written, a line each."""
    if folder.exists() and not folder.is_dir():
        _refuse(
            lang,
            f"给了 --units 时 -o 是存放各单位模板的文件夹，而 {folder} 是一个文件",
            f"with --units, -o is the folder for the units' templates, and {folder} is a file",
        )
    if prior_path is not None and not (prior_path.is_dir() or prior_path.suffix.lower() == ".zip"):
        _refuse(
            lang,
            f"给了 --units 时 --prior 是上一年度各单位的表所在的文件夹或 .zip，而 {prior_path} 两者都不是",
            f"with --units, --prior is the folder or .zip of the units' forms of last year, and {prior_path} is neither",
        )
    try:
        roster = Roster.read(units_path)
    except RosterError as exc:
        click.echo(exc.text(lang), err=True)
        sys.exit(EXIT_UNREADABLE)
    prior = _last_years_forms(roster, definition.id, prior_path, year, lang) if prior_path is not None else {}
    count = 0
    with _writing(folder, lang):
        for path in issue(definition, roster, folder, year, macro, prior):
            click.echo(path)
            count += 1
    if lang == "zh":
        filled = f"，其中 {len(prior)} 个按上年的表预填" if prior_path is not None else ""
        click.echo(f"已为单位名单中的 {count} 个单位生成模板：{folder}{filled}")
    else:
        filled = f", {len(prior)} filled in from last year's forms" if prior_path is not None else ""
        click.echo(f"templates for {counted(count, 'unit')} of the list written to {folder}{filled}")


def _last_years_forms(
    roster: Roster, form_id: str, source: Path, year: int | None, lang: str
) -> dict[str, dict[str, Any]]:
    """What each listed unit's template is filled with from its form of last year in ``source``, a folder or .zip of
    last year's submissions read as the batch reads an inbox (see ``issuing.forms_by_unit``), by its key; a line for
    each unit whose form is not there, or is there twice. One with no workbook ends the command with why (exit 2)."""
    with tempfile.TemporaryDirectory() as unpacked:
        try:
            subs = [sub for sub in collect(source, Path(unpacked)).submissions if sub.path is not None]
        except ValueError as exc:
            click.echo(str(exc), err=True)
            sys.exit(EXIT_UNREADABLE)
        checked = check_paths([sub.path for sub in subs], form_id)
        found = forms_by_unit([(sub.name, e) for sub, e in zip(subs, checked, strict=True)], year)
        prior: dict[str, dict[str, Any]] = {}
        where = readable_name(source.name)
        for key, name in roster.expected().items():
            forms = found.get(key, [])
            if len(forms) == 1:
                prior[key] = next_year(forms[0][1])
                continue
            click.echo(_not_filled(name, where, forms, year - 1 if year is not None else None, lang))
    return prior


def _not_filled(name: str, where: str, forms: list[tuple[str, Evaluation]], wanted: int | None, lang: str) -> str:
    """The line for a listed unit whose template is not filled from last year's forms in ``where``: none of its forms
    there (of the ``wanted`` year, when --year says which), or several of one year."""
    names = "、".join(n for n, _ in forms)
    stated = forms[0][1].extraction.year if forms else wanted
    if lang == "zh":
        of_year = f" {stated} 年度" if stated else ""
        held = f"有它{of_year}的表 {len(forms)} 份（{names}）" if forms else f"没有它{of_year}的表"
        return f"  {name}：{where} 中{held}，未预填上年数"
    of_year = f" for {stated}" if stated else ""
    held = f"holds {len(forms)} of its forms{of_year} ({names})" if forms else f"holds none of its forms{of_year}"
    return f"  {name}: {where} {held}: last year's figures not filled in"


def _next_year(path: Path, form_id: str, lang: str) -> dict[str, Any]:
    """What next year's template is filled with from the unit's form of last year named with --prior (see
    ``prior_year.next_year``); a file that is no readable form of this form ends the command with why (exit 2)."""
    try:
        return next_year(check_path(path, form_id))
    except UnreadableInput as exc:
        _cannot_compare(("上年的表", "last year's form"), exc, lang)


@main.command()
@click.argument("codes", nargs=-1, metavar="[CODE]...")
@click.option("--form", "form_id", help="只列出该表式启用的校验")
@RULES
@LANG
def rules(codes: tuple[str, ...], form_id: str | None, lang: str) -> None:
    """列出校验规则目录；给了代码（如 PE205）时详细说明这些规则 (list the check catalogue; with CODEs, describe those
    checks in full)."""
    _known_form(form_id, lang)
    # the catalogue, with the settings the bureau's rules give every form
    every = configured(rules.every_form() if (rules := rules_in_force()) is not None else {})
    if codes:
        _describe([code.strip().upper() for code in codes], every, form_id, lang)
        return
    for check in active_checks(load_form(form_id)) if form_id else every:
        click.echo(_catalogue_line(check, lang))


def _catalogue_line(check: Check, lang: str) -> str:
    severity = SEVERITY_LABEL[lang][check.active_severity]
    return f"{check.code}\t{severity}\t{check.scope}\t{check.summary() if lang == 'zh' else check.name_en}"


def _describe(codes: list[str], every: list[Check], form_id: str | None, lang: str) -> None:
    """Each check named, in full (see ``checks.described``); a code of no check is a usage error."""
    if unknown := [code for code in codes if code not in BY_CODE]:
        _refuse(
            lang,
            f"没有校验规则 {unknown[0]}（perfeval rules 列出全部）",
            f"there is no check {unknown[0]} (perfeval rules lists them all)",
        )
    forms = [load_form(form_id)] if form_id else all_forms()
    settings = active_checks(forms[0]) + every if form_id else every  # a form's own settings first
    for n, code in enumerate(codes):
        check = next((c for c in settings if c.code == code), None) or BY_CODE[code]()
        click.echo(("\n" if n else "") + _catalogue_line(check, lang))
        for line in described(check, forms, lang):
            click.echo(f"  {line}")


def _destinations(files: tuple[Path, ...], annotate_dir: Path | None, in_place: bool, lang: str) -> dict[Path, Path]:
    """Where each annotated file goes, checked before anything is written: never over an original unless
    --in-place, and never two inputs onto one copy."""
    if in_place:
        return {path: path for path in files}
    if annotate_dir is None:
        return {}
    destinations: dict[Path, Path] = {}
    for path in files:
        dest = annotate_dir / path.name
        if dest.resolve() == path.resolve():
            _refuse(
                lang,
                f"批注目录与原文件相同，会覆盖 {path}；如需修改原文件请用 --in-place",
                f"the annotation folder holds the original: {path} would be overwritten; use --in-place to mark the "
                "original",
            )
        if dest in destinations.values():
            _refuse(
                lang,
                f"多个文件同名 {path.name}，批注副本会互相覆盖；请分别运行或改名",
                f"several files are named {path.name}: their annotated copies would overwrite each other; run them "
                "apart or rename them",
            )
        destinations[path] = dest
    return destinations


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--form", "form_id", help="指定表式（默认自动识别）")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path), help="批注副本输出目录")
@click.option("--in-place", is_flag=True, help="直接在原文件上标注（会修改原文件）")
@click.option(
    "--prior",
    "prior_path",
    type=click.Path(path_type=Path),
    help="上一年度报送的同一张表：核对本表填的上年数（跨期，PE401）",
)
@click.option(
    "--part",
    "part_paths",
    multiple=True,
    type=click.Path(path_type=Path),
    help="本部门一个机构（机关、二级机构）的同一张表，或放着各机构的表的文件夹，可重复：核对本表的金额和人数等于各机构之和（汇总，PE402）",
)
@RULES
@LANG
def check(
    files: tuple[Path, ...],
    form_id: str | None,
    fmt: str,
    annotate_dir: Path | None,
    in_place: bool,
    prior_path: Path | None,
    part_paths: tuple[Path, ...],
    lang: str,
) -> None:
    """校验并计分 (validate and score FILES); 退出码 0 通过, 1 有错误, 2 无法读取。"""
    if annotate_dir and in_place:
        _refuse(lang, "--annotate 与 --in-place 只能选一个", "--annotate and --in-place: choose one")
    _known_form(form_id, lang)
    destinations = _destinations(files, annotate_dir, in_place, lang)
    earlier = _earlier(prior_path, form_id, lang) if prior_path else None
    parts = _parts(part_paths, files, form_id, lang) if part_paths else None
    results, worst = [], EXIT_OK
    for path in files:
        try:
            evaluation = _checked(path, form_id, earlier.before if earlier else None, parts)
        except Exception as exc:  # unreadable, or a bug of ours: this file's line, and the other files go on
            worst = EXIT_UNREADABLE
            reason = exc.text(lang) if isinstance(exc, UnreadableInput) else internal_error(exc, lang)
            results.append(unreadable_dict(path, reason, exc.form if isinstance(exc, UnreadableInput) else None))
            if fmt == "text":
                click.echo(f"{readable_name(str(path))}: {reason}", err=True)
            continue
        if evaluation.status == "error" and worst == EXIT_OK:
            worst = EXIT_ERRORS
        result = result_dict(evaluation, path, lang, earlier)
        if path in destinations:
            from . import writeback  # here: openpyxl is imported only when annotating

            dest = destinations[path]
            try:
                lacking = writeback.annotate_file(path, build_plan(evaluation, lang), dest).lacks
                result["annotated"] = readable_name(str(dest))
                if lacking:
                    result["annotation_warning"] = copy_lacks(lacking, lang)
            except Exception as exc:  # a locked or unwritable copy, or a workbook openpyxl refuses: the file's own
                result["annotation_error"] = cannot_write(dest, exc, lang)  # line; the other files go on
                worst = EXIT_UNREADABLE
        results.append(result)
        if earlier is not None and not earlier.precedes(evaluation):
            click.echo(not_compared(earlier, evaluation, lang), err=True)
        if parts is not None and parts.mismatch(evaluation):
            click.echo(parts.not_compared(evaluation, lang), err=True)
        if fmt == "text":
            click.echo(render_text(evaluation, path, lang, earlier))
            for said in ("annotation_error", "annotation_warning"):
                if said in result:
                    click.echo(result[said], err=True)
    if fmt == "json":
        click.echo(json_text(results, sys.stdout))
    elif found := next((issue["code"] for result in results for issue in result.get("issues", ())), None):
        click.echo(
            f"看不懂某条结果时，可运行 perfeval rules {found} 查看该条规则的详细说明"
            if lang == "zh"
            else f"To read a rule in full, run perfeval rules {found}",
            err=True,
        )
    sys.exit(worst)


def _checked(path: Path, form_id: str | None, earlier: LastYear | None, parts: Parts | None) -> Evaluation:
    """A file checked under the rules given with --rules, else under the bureau's rules its template carries, as the
    Excel button checks it (the same marks either way)."""
    if rules_in_force() is not None:
        return check_path(path, form_id, earlier, parts)
    return check_carrying_rules(read_workbook(path), form_id, earlier, parts)[0]


def _parts(paths: tuple[Path, ...], checked: tuple[Path, ...], form_id: str | None, lang: str) -> Parts:
    """The institutions' forms named with --part, a folder naming every workbook below it, the checked files left
    out (a department's form kept in the folder of its institutions' is none of them); forms that do not belong
    together (another form, another year), or a folder with none, end the command with the reason (exit 2)."""
    try:
        return Parts.read(_institutions(paths, checked, lang), form_id=form_id)
    except UnreadableInput as exc:
        _cannot_compare(("机构的表", "an institution's form"), exc, lang)
    except ConsolidationError as exc:
        click.echo(exc.message_en if lang == "en" else exc.message, err=True)
        sys.exit(EXIT_UNREADABLE)


def _institutions(paths: tuple[Path, ...], leave: tuple[Path, ...], lang: str) -> list[Path]:
    """The institutions' workbooks named: a folder names every workbook below it, ``leave`` (the form checked, the
    department's form written) is none of them; a path that names none ends the command with why (exit 2)."""
    left = {path.resolve() for path in leave}
    named: list[Path] = []
    for path in paths:
        found = [p for p in (workbooks_in(path) if path.is_dir() else [path]) if p.resolve() not in left]
        if not found:
            name, folder = readable_name(str(path)), path.is_dir()
            zh = f"{name} 中没有机构的表（工作簿）" if folder else f"{name} 就是本部门的表，不是机构的表"
            en = f"{name} holds no institution's form (no workbook)" if folder else f"{name} is the department's form"
            click.echo(zh if lang == "zh" else en, err=True)
            sys.exit(EXIT_UNREADABLE)
        named += found
    return named


def _earlier(path: Path, form_id: str | None, lang: str) -> Earlier:
    """Last year's submission named with --prior, checked as any file is."""
    try:
        return Earlier.of(check_path(path, form_id), path.name)
    except UnreadableInput as exc:
        _cannot_compare(("上年的表", "last year's form"), exc, lang)


def _cannot_compare(said: tuple[str, str], exc: UnreadableInput, lang: str) -> NoReturn:
    """A form named to compare the checked files with (--prior, --part), or to fill next year's template from
    (template --prior), that cannot be read ends the command with its reason (exit 2), as nothing could be done
    with it."""
    click.echo(f"{said[lang != 'zh']} {readable_name(exc.path)}: {exc.text(lang)}", err=True)
    sys.exit(EXIT_UNREADABLE)


@main.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option(
    "-o", "--output", "outdir", type=click.Path(file_okay=False, path_type=Path), required=True, help="输出目录"
)
@click.option("--jobs", type=click.IntRange(min=1), help="并行进程数（默认：全部 CPU 核）")
@click.option("--form", "form_id", help="指定表式（默认自动识别）")
@click.option("--db", "db_url", help="结果数据库 SQLAlchemy 地址（默认 输出目录/results.sqlite）")
@click.option("--annotate/--no-annotate", default=True, show_default=True, help="为有问题的提交写批注副本")
@_units("单位名单（.xlsx/.xls/.csv，含“单位名称”列，可有“上级单位”列）：列出未报送的单位，部门的表与其机构的表之和核对")
@click.option(
    "--prior",
    "prior_path",
    type=click.Path(exists=True, path_type=Path),
    help="上一年度各单位报送的表（文件夹或 .zip）：不必先存入结果数据库，据以作跨期核对（PE401）和与上年对比",
)
@RULES
@LANG
def batch(
    source: Path,
    outdir: Path,
    jobs: int | None,
    form_id: str | None,
    db_url: str | None,
    annotate: bool,
    units_path: Path | None,
    prior_path: Path | None,
    lang: str,
) -> None:
    """批量校验文件夹或 .zip 中的全部提交 (check every submission in SOURCE)，其中的 .zip 逐层解开；原文件只读不改。

    输出：汇总结果.xlsx、results.json、results.csv、findings.csv（每条问题一行）、annotated/（有问题的提交的批注副本）和结果数据库；
    给了 --units 时另有 units.csv（名单有上级单位的另有 departments.csv）。
    退出码 0 全部通过，1 有提交须退回，2 有文件无法读取或没有找到工作簿，130 被 Ctrl-C 中断。"""
    from .batch import run_batch
    from .history import HistoryError

    _known_form(form_id, lang)
    if outdir.resolve() == source.resolve():
        _refuse(
            lang,
            "输出目录不能就是输入目录；请另指定一个目录",
            "the output folder cannot be the input folder; give another",
        )
    try:
        roster = Roster.read(units_path) if units_path else None
    except RosterError as exc:
        click.echo(exc.text(lang), err=True)
        sys.exit(EXIT_UNREADABLE)
    try:
        with _writing(outdir, lang):
            result = run_batch(
                source,
                outdir,
                jobs=jobs,
                form_id=form_id,
                annotate=annotate,
                lang=lang,
                db_url=db_url,
                roster=roster,
                prior=prior_path,
            )
    except (HistoryError, ValueError) as exc:
        click.echo(str(exc), err=True)
        sys.exit(EXIT_UNREADABLE)
    except KeyboardInterrupt:  # Ctrl-C: not exit 1, which says "some submissions returned"
        click.echo(
            "已中断：输出目录中的结果不完整" if lang == "zh" else "interrupted: the outputs are incomplete", err=True
        )
        sys.exit(EXIT_INTERRUPTED)
    for line in _batch_lines(result, outdir, lang):
        click.echo(line)
    sys.exit(result.exit_code)


def _batch_lines(result: BatchResult, outdir: Path, lang: str) -> list[str]:
    """What a batch came to, a line each: the counts, then each sheet of the summary that has something to look at."""
    from .summary import LAST_YEAR_SHEET, PROGRESS_SHEET, ROSTER_SHEET, SHEETS, SUMMARY_BOOK

    total, returned, reused, same = result.total, result.returned, result.reused, result.same_unit
    other, others, unsent, unlisted = result.other_year, result.others, result.unsent, result.unlisted
    compared, not_compared = result.compared, result.not_compared
    zh, en = SHEETS["zh"], SHEETS["en"]
    lines = [  # (shown, in Chinese, in English)
        (
            True,
            f"{total} 份提交：通过 {total - returned}，退回 {returned}（其中未变更沿用上次结果 {reused}）",
            f"{counted(total, 'submission')}: {total - returned} accepted, {returned} returned ({reused} unchanged)",
        ),
        (
            same,
            f"{same} 个单位提交了不止一份，见{SUMMARY_BOOK} 的“{zh[3]}”表",
            f"{counted(same, 'unit')} sent more than one file: see the '{en[3]}' sheet of {SUMMARY_BOOK}",
        ),
        (
            other,
            f"{other} 份提交的年度与同一表式多数提交的年度不同，见{SUMMARY_BOOK} 的“{zh[4]}”表",
            f"{counted(other, 'submission')} {'states' if other == 1 else 'state'} another year than most of their "
            f"form's: see the '{en[4]}' sheet of {SUMMARY_BOOK}",
        ),
        (
            others,
            f"另有 {others} 个文件不是工作簿，未校验，见{SUMMARY_BOOK} 的“{zh[5]}”表",
            f"{counted(others, 'other file')} {'is not a workbook and was' if others == 1 else 'are not workbooks and were'}"
            f" not checked: see the '{en[5]}' sheet of {SUMMARY_BOOK}",
        ),
        (
            unsent or unlisted,
            f"名单中 {unsent} 个单位未收到可读取的表，{unlisted} 份提交的单位不在名单中，见{SUMMARY_BOOK} 的“{ROSTER_SHEET['zh']}”表",
            f"{counted(unsent, 'listed unit')} sent no readable form, {counted(unlisted, 'submission')} of no listed "
            f"unit: see the '{ROSTER_SHEET['en']}' sheet of {SUMMARY_BOOK}",
        ),
        (
            result.departments,
            f"{result.departments} 个部门中 {result.complete} 个的单位都已交来可读取的表，各部门的报送进度见"
            f"{SUMMARY_BOOK} 的“{PROGRESS_SHEET['zh']}”表",
            f"{result.complete} of {counted(result.departments, 'department')} have every unit's form: see the "
            f"'{PROGRESS_SHEET['en']}' sheet of {SUMMARY_BOOK}",
        ),
        (
            result.prior,
            f"上一年度的表：{result.prior_files} 份（{result.prior}），据以作跨期核对和与上年对比",
            f"last year's forms: {result.prior_files} in {result.prior}, checked against and set beside",
        ),
        (
            result.last_year,
            f"{result.last_year} 份提交有该单位上一年度的结果，见{SUMMARY_BOOK} 的“{LAST_YEAR_SHEET['zh']}”表",
            f"{counted(result.last_year, 'submission')} set beside the unit's of the year before: see the "
            f"'{LAST_YEAR_SHEET['en']}' sheet of {SUMMARY_BOOK}",
        ),
        (
            compared or not_compared,
            f"汇总核对：{compared} 个部门的表已与其机构的表之和核对"
            + (f"，{not_compared} 个未核对（原因见汇总表“汇总核对”列）" if not_compared else ""),
            f"{counted(compared, 'department')} checked against the sum of their institutions' forms"
            + (f", {not_compared} not (why: the 'institutions' column)" if not_compared else ""),
        ),
        (True, f"汇总：{outdir / SUMMARY_BOOK}", f"summary: {outdir / SUMMARY_BOOK}"),
    ]
    return [line_zh if lang == "zh" else line_en for shown, line_zh, line_en in lines if shown]


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="输出 .docx 路径")
@click.option(
    "--template",
    "template_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="本地财政部门的 Word 模板（.docx）：沿用其样式、页面设置、页眉页脚，正文替换为报告",
)
@click.option("--form", "form_id", help="指定表式（默认自动识别）")
@click.option(
    "--prior",
    "prior_path",
    type=click.Path(path_type=Path),
    help="该单位上一年度报送的同一张表：报告写明总分较上年度的变化，附件2 含跨期核对（PE401）的问题",
)
@RULES
def report(file: Path, output: Path, template_path: Path | None, form_id: str | None, prior_path: Path | None) -> None:
    """由填好的自评表生成《部门（单位）整体绩效自评报告》(write the 自评报告 .docx of FILE)。

    数字、得分和等次取自工作簿与复核计算，未解决的校验问题列入附件2。退出码 0 已生成，2 无法读取或模板无效。"""
    from .wordreport import TemplateError, findings_phrase, write_report

    if output.suffix.lower() != ".docx":
        raise click.UsageError("报告请输出为 .docx")
    _known_form(form_id, "zh")
    earlier = _earlier(prior_path, form_id, "zh") if prior_path is not None else None
    try:
        # Its 附件2 lists what check lists, PE401 against the form of last year included.
        evaluation = _checked(file, form_id, earlier.before if earlier is not None else None, None)
        if earlier is not None and (why := earlier.differs(evaluation)):
            click.echo(not_compared(earlier, evaluation, "zh", why))
            earlier = None
        with _writing(output):
            written = write_report(evaluation, output, template_path, earlier)
    except (UnreadableInput, TemplateError) as exc:
        click.echo(f"{file}: {exc.text('zh') if isinstance(exc, UnreadableInput) else exc}", err=True)
        sys.exit(EXIT_UNREADABLE)
    click.echo(str(written))
    if evaluation.findings:
        click.echo(f"自评表尚有{findings_phrase(evaluation)}，已列入附件2")
    sys.exit(EXIT_OK)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))  # workbooks or folders of them
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="汇总表输出路径")
@click.option("--unit", help="汇总后的部门名称（默认：第一个工作簿的单位）")
@click.option("--form", "form_id", help="指定表式（默认自动识别）")
@LANG
def consolidate(files: tuple[Path, ...], output: Path, unit: str | None, form_id: str | None, lang: str) -> None:
    """把各机构（机关、二级机构）的同一表式汇总为部门汇总表 (consolidate institutions into the department)。

    金额相加，比率由相加后的金额重新计算（不取平均），定量指标的相对值和自评得分按资金额加权平均；汇总行由各机构重建。
    输出注明来源（“汇总来源”表）。表式或年度不同、机构重复的输入拒绝汇总。退出码 0 已生成（汇总表无强制性问题），
    1 汇总表仍有强制性问题，2 无法读取或不能汇总。"""
    if output.suffix.lower() not in (".xlsx", ".xlsm"):
        _refuse(lang, "汇总表请输出为 .xlsx", "write the consolidated form as .xlsx")
    if any(output.resolve() == path.resolve() for path in files):
        _refuse(
            lang,
            f"输出文件 {output} 是输入之一；汇总不会覆盖提交的工作簿，请另指定输出路径",
            f"the output {output} is one of the inputs: consolidating never overwrites a submission; give another path",
        )
    _known_form(form_id, lang)
    files = tuple(_institutions(files, (output,), lang))
    outcomes = check_paths(list(files), form_id)
    for path, outcome in zip(files, outcomes, strict=True):
        if isinstance(outcome, UnreadableInput):
            click.echo(f"{readable_name(str(path))}: {outcome.text(lang)}", err=True)
            sys.exit(EXIT_UNREADABLE)
    evaluations = [o for o in outcomes if not isinstance(o, UnreadableInput)]
    try:
        data = build_department(evaluations, list(files), unit)
    except ConsolidationError as exc:
        click.echo(exc.message_en if lang == "en" else exc.message, err=True)
        sys.exit(EXIT_UNREADABLE)
    definition = evaluations[0].definition
    with _writing(output, lang):
        build_template(definition, output, data)
    result = check_path(output, definition.id)
    errors, warnings = result.severity_counts()
    click.echo(f"{output}: {len(files)} 个工作簿汇总为 {data['fields']['unit']}；{errors} 个错误，{warnings} 个提示")
    sys.exit(EXIT_ERRORS if errors else EXIT_OK)
