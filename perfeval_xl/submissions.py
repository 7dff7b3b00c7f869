"""Finding the submitted workbooks of a batch: a folder searched recursively, or a .zip extracted safely."""

from __future__ import annotations

import os
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

# What a unit may send as its workbook: the formats we read (.xlsx, .xlsm) and the other spreadsheet formats it may
# save in (legacy .xls, WPS's .et, Excel's binary .xlsb, OpenDocument's .ods), so that such a submission gets its row
# saying to save it as .xlsx instead of being passed over.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".et", ".xlsb", ".ods")
# Limits for a submitted archive: a bureau's zip of a few hundred workbooks is far below them; a zip bomb is not.
MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 100 * 1024 * 1024
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed, per member
_CHUNK = 1 << 20


@dataclass(frozen=True)
class Submission:
    """One submitted file: its name as the bureau sees it (relative to the folder or inside the zip), where it is
    on disk now, and why it cannot be read when that is known before reading (unsafe or oversized zip member)."""

    name: str
    path: Path | None
    refused: str | None = None
    refused_en: str | None = None


def _is_workbook(name: str) -> bool:
    """A workbook's name, not Excel's lock file (~$…) nor macOS's resource data (._…, and all of __MACOSX/ in a zip
    made on a Mac), which carry the workbook's own name and suffix."""
    base = posixpath.basename(name)
    if base.startswith(("~$", "._")) or "__MACOSX" in name.split("/"):
        return False
    return base.lower().endswith(WORKBOOK_SUFFIXES)


def from_folder(folder: Path, exclude: Path | None = None) -> list[Submission]:
    """Every workbook below ``folder`` (lock files, macOS's ._ files and ``exclude``, the output folder, left out),
    sorted by relative path so that every run lists them in the same order."""
    found = []
    skip = exclude.resolve() if exclude is not None else None
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if skip is None or (Path(root) / d).resolve() != skip)
        for name in files:
            if _is_workbook(name):
                path = Path(root) / name
                found.append(Submission(path.relative_to(folder).as_posix(), path))
    return sorted(found, key=lambda s: s.name)


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


def from_zip(archive_path: Path, dest: Path) -> list[Submission]:
    """Extract the workbooks of a zip into ``dest`` and list them. Members with an unsafe path, encrypted, or over
    the size limits are not extracted: they are listed with the reason, so the bureau sees them in the summary."""
    submissions: list[Submission] = []
    total = 0
    with zipfile.ZipFile(archive_path) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if len(members) > MAX_MEMBERS:
            raise ValueError(f"压缩包内文件超过 {MAX_MEMBERS} 个，请分批提交")
        for info in members:
            name = member_name(info)
            if not _is_workbook(name):
                continue
            rel = safe_name(name)
            if rel is None:
                submissions.append(
                    Submission(name, None, "压缩包内路径不安全（绝对路径或含 ..），未解压", "unsafe path in zip")
                )
                continue
            if info.flag_bits & 0x1:
                submissions.append(Submission(rel, None, "压缩包内文件已加密，无法解压", "encrypted zip member"))
                continue
            reason = _too_big(info, total)
            if reason:
                submissions.append(Submission(rel, None, reason, "zip member over the size limits"))
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            written = _copy_limited(archive, info, target)
            if written is None:
                target.unlink(missing_ok=True)
                submissions.append(
                    Submission(rel, None, "解压后超过大小限制，未处理", "zip member over the size limits")
                )
                continue
            total += written
            submissions.append(Submission(rel, target))
    return sorted(submissions, key=lambda s: s.name)


def _too_big(info: zipfile.ZipInfo, total: int) -> str | None:
    if info.file_size > MAX_MEMBER_BYTES:
        return f"文件超过 {MAX_MEMBER_BYTES // (1024 * 1024)} MB，未解压"
    if total + info.file_size > MAX_TOTAL_BYTES:
        return "压缩包解压后总大小超过限制，未解压"
    if info.compress_size and info.file_size / info.compress_size > MAX_RATIO:
        return "压缩比异常（疑似压缩炸弹），未解压"
    return None


def _copy_limited(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> int | None:
    """Copy a member, counting the bytes really written (a member's declared size can lie); None past the limit."""
    written = 0
    with archive.open(info) as source, target.open("wb") as out:
        while chunk := source.read(_CHUNK):
            written += len(chunk)
            if written > MAX_MEMBER_BYTES:
                return None
            out.write(chunk)
    return written


def collect(source: Path, workdir: Path, exclude: Path | None = None) -> list[Submission]:
    """The submissions of a folder, of a .zip (extracted below ``workdir``) or of a single workbook."""
    if source.is_dir():
        return from_folder(source, exclude)
    if source.suffix.lower() == ".zip":
        if not zipfile.is_zipfile(source):
            raise ValueError(f"{source} 不是有效的 .zip 压缩包（文件损坏或不完整）")
        return from_zip(source, workdir)
    if source.is_file() and source.suffix.lower() in WORKBOOK_SUFFIXES:
        return [Submission(source.name, source)]
    raise ValueError(f"{source} 不是文件夹、.zip 压缩包或工作簿")
