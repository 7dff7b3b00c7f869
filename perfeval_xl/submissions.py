"""Finding the submitted workbooks of a batch: a folder searched recursively, or a .zip extracted safely, and the
zips inside either opened in turn."""

from __future__ import annotations

import io
import os
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .report import readable_name
from .summary import RESULTS_JSON, SUMMARY_BOOK
from .unwritable import reason

# What a unit may send as its workbook: the formats we read (.xlsx, .xlsm, legacy .xls, and WPS's .et when it holds
# BIFF8 as an .xls does) and the other spreadsheet formats it may save in (Excel's binary .xlsb, OpenDocument's .ods),
# so that such a submission gets its row saying to save it as .xlsx instead of being passed over.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".xlsb", ".ods")
# Limits for a submitted archive: a bureau's zip of a few hundred workbooks is far below them; a zip bomb is not.
MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member
MAX_DEPTH = 3  # a city's zip of district zips of units' zips; deeper is a trap, not an inbox
# Archives a unit or a district may send that we cannot open (no reader in the standard library): each gets its row
# asking the bureau to extract it, instead of its workbooks going missing from the summary.
UNOPENABLE_ARCHIVES = {".rar": "RAR", ".7z": "7z"}
# What Windows and macOS leave in folders they show (thumbnails, folder settings): no unit sent them.
_SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini"})
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Submission:
    """One submitted file: its name as the bureau sees it (relative to the folder or the zip, through the zips it was
    in: ``区县B.zip/单位1.xlsx``), where it is on disk now, and why it cannot be read when that is known before
    reading (an unsafe, oversized or damaged zip member, an archive we cannot open)."""

    name: str
    path: Path | None
    refused: str | None = None
    refused_en: str | None = None


@dataclass
class Inbox:
    """What a folder or a zip holds: its submissions, and by name the files in it that are none (a scanned PDF of
    the form, a report in .docx), which the bureau is told of rather than left to miss."""

    submissions: list[Submission]
    others: list[str]


def _kind(name: str) -> str | None:
    """What a file in an inbox is by its name: a workbook (``"workbook"``), a zip to open (``"zip"``), an archive we
    cannot open (its format's name), a file a unit sent that is none of these (``"other"``), or nothing at all
    (None). Excel's lock files (~$…) and macOS's resource data (._…, and all of __MACOSX/ in a zip made on a Mac)
    carry a workbook's own name and suffix, and are nothing, as are hidden files and what Windows leaves in folders."""
    base = posixpath.basename(name)
    if base.startswith(("~$", "._", ".")) or base.lower() in _SYSTEM_FILES or "__MACOSX" in name.split("/"):
        return None
    suffix = posixpath.splitext(base)[1].lower()
    if suffix in WORKBOOK_SUFFIXES:
        return "workbook"
    if suffix == ".zip":
        return "zip"
    return UNOPENABLE_ARCHIVES.get(suffix, "other")


def workbooks_in(folder: Path) -> list[Path]:
    """The workbooks below a folder, sorted, without lock files, hidden files or zips: the institutions' forms a
    department's form is checked against (``perfeval check --part 机构/``)."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and _kind(p.relative_to(folder).as_posix()) == "workbook")


def _unopenable(name: str, kind: str) -> Submission:
    return Submission(
        name,
        None,
        f"{kind} 压缩包无法直接读取，请解压后把其中的工作簿放入待校验的文件夹",
        f"a {kind} archive cannot be opened here: extract it and check the workbooks inside",
    )


@dataclass
class _Budget:
    """What the archives of one batch may unpack together, whatever their nesting: members listed, bytes written."""

    members: int = 0
    total: int = 0


class _Refused(Exception):
    """An archive not opened, with the reason in Chinese and in English."""

    def __init__(self, message: str, message_en: str) -> None:
        super().__init__(message)
        self.message, self.message_en = message, message_en


def _is_output(folder: Path, current: Path | None) -> bool:
    """The output folder of this batch, or of an earlier one (it holds our summary and results.json): a bureau that
    wrote one run's results inside its inbox must not see them come back as submissions in the next run."""
    if current is not None and folder.resolve() == current:
        return True
    return (folder / SUMMARY_BOOK).is_file() and (folder / RESULTS_JSON).is_file()


def from_folder(folder: Path, workdir: Path, exclude: Path | None = None, leave: Path | None = None) -> Inbox:
    """Every workbook below ``folder``, those in its zips (extracted below ``workdir``) included, and a row for each
    archive we cannot open (lock files, macOS's ._ files, ``exclude``, the output folder, and earlier batches' output
    folders left out, and the file ``leave``: the bureau's unit list kept beside the submissions), sorted by relative
    path so that every run lists them in the same order; and the other files."""
    found = []
    others: list[str] = []
    budget = _Budget()
    skip = exclude.resolve() if exclude is not None else None
    left = leave.resolve() if leave is not None else None
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not _is_output(Path(root) / d, skip))
        here = Path(root).resolve() if left is not None and left.name in files else None
        for name in sorted(files):  # in order: which zip meets a limit first must not depend on the disk
            path = Path(root) / name
            if here is not None and here / name == left:
                continue
            rel = readable_name(path.relative_to(folder).as_posix())
            kind = _kind(name)
            if kind == "workbook":
                found.append(Submission(rel, path))
            elif kind == "zip":
                found.extend(_open_archive(path, rel, workdir, budget, others, depth=1))
            elif kind == "other":
                others.append(rel)
            elif kind is not None:
                found.append(_unopenable(rel, kind))
    return Inbox(sorted(found, key=lambda s: s.name), sorted(others))


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name as its author wrote it. Without the UTF-8 flag, zipfile decodes names as cp437, which is what
    Windows' own zip tool and WinRAR do not write on a Chinese system: those bytes are GBK (or, from newer tools,
    UTF-8 without the flag)."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def safe_name(name: str) -> str | None:
    """The member's relative path, or None when it would land outside the extraction folder."""
    name = name.replace("\\", "/")
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        return None
    return "/".join(parts)


def from_zip(archive_path: Path, dest: Path) -> Inbox:
    """Extract the workbooks of a zip, and of the zips inside it, into ``dest`` and list them. Members with an unsafe
    path, encrypted, or over the size limits are not extracted: they are listed with the reason, so the bureau sees
    them in the summary."""
    shown = readable_name(str(archive_path))
    if not zipfile.is_zipfile(archive_path):
        raise ValueError(f"{shown} 不是有效的 .zip 压缩包（文件损坏或不完整）")
    others: list[str] = []
    with zipfile.ZipFile(archive_path) as archive:
        try:
            found = _unpack(archive, "", dest, _Budget(), others, depth=1)
        except _Refused as refused:
            raise ValueError(f"{shown}：{refused.message}") from None
    return Inbox(sorted(found, key=lambda s: s.name), sorted(others))


def _open_archive(
    source: Path | BinaryIO, name: str, dest: Path, budget: _Budget, others: list[str], depth: int
) -> list[Submission]:
    """The submissions of a zip found in the inbox (a district's zip in a folder, or inside another zip), named
    below its own name, its other files added to ``others``; the zip gets a row instead when it cannot be opened, is
    nested too deep, or holds none."""
    try:
        if depth > MAX_DEPTH:
            raise _Refused(f"压缩包嵌套超过 {MAX_DEPTH} 层，未解压", f"zips nested over {MAX_DEPTH} deep")
        try:
            with zipfile.ZipFile(source) as archive:
                found = _unpack(archive, name + "/", dest, budget, others, depth)
        except (zipfile.BadZipFile, EOFError) as exc:
            raise _Refused("压缩包已损坏或不完整，无法解压", f"corrupt or truncated zip ({exc})") from exc
        except OSError as exc:
            raise _Refused(f"无法打开压缩包（{exc.strerror or exc}）", f"cannot open the zip: {exc}") from exc
        if not found:
            raise _Refused("压缩包内没有 Excel 工作簿", "no workbook in the zip")
    except _Refused as refused:
        return [Submission(name, None, refused.message, refused.message_en)]
    return found


def _unpack(
    archive: zipfile.ZipFile, prefix: str, dest: Path, budget: _Budget, others: list[str], depth: int
) -> list[Submission]:
    """The submissions of one zip's members, each named ``prefix`` + its path in the zip and extracted to ``dest``
    under that name; a zip among them is opened in turn (``depth`` is this zip's nesting, 1 for the outermost). Its
    other files are added to ``others`` by name, not extracted."""
    names = [(info, member_name(info)) for info in archive.infolist() if not info.is_dir()]
    named = [(info, name, _kind(name)) for info, name in names]
    others.extend(prefix + name for _, name, kind in named if kind == "other")
    members = [(info, name, kind) for info, name, kind in named if kind not in (None, "other")]
    budget.members += len(members)  # what could be a submission: a unit's scanned attachments do not count
    if budget.members > MAX_MEMBERS:
        raise _Refused(f"压缩包内文件超过 {MAX_MEMBERS} 个，请分批提交", f"over {MAX_MEMBERS} files in the zips")
    submissions: list[Submission] = []
    for info, written_as, kind in members:
        rel = safe_name(written_as)
        name = prefix + (rel or written_as)
        if rel is None:
            submissions.append(
                Submission(name, None, "压缩包内路径不安全（绝对路径或含 ..），未解压", "unsafe path in zip")
            )
        elif info.flag_bits & 0x1:
            submissions.append(Submission(name, None, "压缩包内文件已加密，无法解压", "encrypted zip member"))
        elif kind not in ("workbook", "zip"):
            submissions.append(_unopenable(name, kind))
        elif too_big := _too_big(info, budget.total):
            submissions.append(Submission(name, None, too_big, "zip member over the size limits"))
        else:
            try:
                submissions.extend(_extract(archive, info, name, kind, dest, budget, others, depth))
            except (zipfile.BadZipFile, zlib.error, EOFError) as exc:  # its bytes fail their checksum or inflate
                (dest / name).unlink(missing_ok=True)
                submissions.append(
                    Submission(name, None, "压缩包内该文件已损坏，无法解压", f"damaged zip member ({exc})")
                )
            except OSError as exc:  # a name this system cannot hold (a: on Windows, too long), or one a file took
                submissions.append(
                    Submission(
                        name,
                        None,
                        f"无法解压（{reason(exc)}）：文件名在本机无效或与压缩包内其他文件冲突，请改名后重新打包",
                        f"cannot extract ({reason(exc, 'en')}): rename it and zip again",
                    )
                )
    return submissions


def _extract(
    archive: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    name: str,
    kind: str,
    dest: Path,
    budget: _Budget,
    others: list[str],
    depth: int,
) -> list[Submission]:
    """A workbook member written to ``dest`` under its name, or a zip member opened in memory: its submissions."""
    if kind == "zip":
        data = io.BytesIO()
        if _copy_limited(archive, info, data) is None:
            return [_over_limit(name)]
        budget.total += data.tell()
        return _open_archive(data, name, dest, budget, others, depth + 1)
    target = dest / name
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("wb") as out:
        written = _copy_limited(archive, info, out)
    if written is None:
        target.unlink()
        return [_over_limit(name)]
    budget.total += written
    return [Submission(name, target)]


def _over_limit(name: str) -> Submission:
    return Submission(name, None, "解压后超过大小限制，未处理", "zip member over the size limits")


def _too_big(info: zipfile.ZipInfo, total: int) -> str | None:
    if info.file_size > MAX_MEMBER_BYTES:
        return f"文件超过 {MAX_MEMBER_BYTES // (1024 * 1024)} MB，未解压"
    if total + info.file_size > MAX_TOTAL_BYTES:
        return "压缩包解压后总大小超过限制，未解压"
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        return "压缩比异常（疑似压缩炸弹），未解压"
    return None


def _copy_limited(archive: zipfile.ZipFile, info: zipfile.ZipInfo, out: BinaryIO) -> int | None:
    """Copy a member, counting the bytes really written (a member's declared size can lie); None past the limit."""
    written = 0
    with archive.open(info) as source:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > MAX_MEMBER_BYTES:
                return None
            out.write(chunk)
    return written


def collect(source: Path, workdir: Path, exclude: Path | None = None, leave: Path | None = None) -> Inbox:
    """The submissions of a folder, of a .zip (extracted below ``workdir``) or of a single workbook, and the other
    files beside them (``exclude`` and ``leave``: see ``from_folder``). A folder or zip with no submission is refused:
    a bureau that names the wrong folder must not read "0 submissions, all accepted"."""
    if source.is_dir() or source.suffix.lower() == ".zip":
        inbox = from_folder(source, workdir, exclude, leave) if source.is_dir() else from_zip(source, workdir)
        if not inbox.submissions:
            shown = "、".join(inbox.others[:3]) + ("等" if len(inbox.others) > 3 else "")
            raise ValueError(
                f"{readable_name(str(source))} 中没有找到工作簿（.xlsx、.xlsm，旧版 .xls、WPS .et、.xlsb、.ods，"
                "或装有它们的 .zip）" + (f"，只有 {len(inbox.others)} 个其他文件：{shown}" if inbox.others else "")
            )
        return inbox
    kind = _kind(source.name) if source.is_file() else None
    if kind == "workbook":
        return Inbox([Submission(readable_name(source.name), source)], [])
    if kind is not None and kind != "other":  # a .rar or .7z named alone
        raise ValueError(f"{readable_name(str(source))}：{_unopenable(source.name, kind).refused}")
    raise ValueError(f"{readable_name(str(source))} 不是文件夹、.zip 压缩包或工作簿")
