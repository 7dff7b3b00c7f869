"""Why an output could not be written, in one line for the user (a locked file, no permission, a full disk)."""

from __future__ import annotations

import errno
from typing import Any

# The operating system's reasons users meet, in their words; a locked file is the common one on Windows, where a
# workbook open in Excel or WPS cannot be replaced.
_REASONS: tuple[tuple[tuple[type[OSError], ...], str, str], ...] = (
    (
        (PermissionError,),
        "没有写入权限，或文件正在 Excel/WPS 中打开（请关闭后重试）",
        "permission denied, or the file is open in Excel/WPS (close it and retry)",
    ),
    (
        (NotADirectoryError, FileExistsError),
        "路径中有一个同名文件，不是文件夹",
        "a file stands where a folder is needed",
    ),
    ((IsADirectoryError,), "已有同名文件夹", "a folder of that name exists"),
)


def close_xlsx(book: Any) -> None:
    """Close (and so write) an XlsxWriter workbook; a file that cannot be created raises the OSError beneath
    XlsxWriter's own FileCreateError, as every other writer does."""
    from xlsxwriter.exceptions import FileCreateError

    try:
        book.close()
    except FileCreateError as exc:
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, OSError):
            raise cause from exc
        raise


def reason(exc: BaseException, lang: str = "zh") -> str:
    """Why writing failed, in a few words: the operating system's reason in plain language, else the error as
    raised (openpyxl refusing a workbook, say)."""
    said = getattr(exc, "text", None)
    if callable(said):  # an error that says itself (writeback.CannotAnnotate)
        return str(said(lang))
    if not isinstance(exc, OSError):
        return f"{type(exc).__name__}: {exc}"
    for kind, zh, en in _REASONS:
        if isinstance(exc, kind):
            return zh if lang == "zh" else en
    if exc.errno == errno.ENOSPC:
        return "磁盘空间不足" if lang == "zh" else "no space left on the device"
    return exc.strerror or str(exc)


def cannot_write(path: Any, exc: BaseException, lang: str = "zh") -> str:
    """One line: which output could not be written, and why."""
    if lang == "zh":
        return f"无法写入 {path}：{reason(exc, lang)}"
    return f"cannot write {path}: {reason(exc, lang)}"
