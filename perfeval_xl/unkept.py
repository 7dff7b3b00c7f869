"""What of a workbook an annotated copy cannot carry (openpyxl drops it without a word), counted and said."""

from __future__ import annotations

import re
import zipfile
from dataclasses import astuple, dataclass, fields
from pathlib import Path

# A drawing's objects, each in its anchor: the first object element of an anchor is the anchored one (pictures,
# shapes, text boxes, connectors, groups, charts and SmartArt frames); those nested in a group come after it.
_ANCHOR = re.compile(rb"<((?:\w+:)?)(twoCellAnchor|oneCellAnchor|absoluteAnchor)\b.*?</\1\2>", re.S)
_OBJECT = re.compile(rb"<(?:\w+:)?(pic|sp|grpSp|cxnSp|graphicFrame|contentPart)[\s>/]")
# Pictures placed in cells: WPS keeps them in xl/cellimages.xml (<etc:cellImage>, a cell shows one by =DISPIMG),
# Excel as rich values (<rv>) of xl/richData.
_CELL_PICTURE_PARTS = frozenset({"xl/cellimages.xml", "xl/richData/rdrichvalue.xml"})
_CELL_PICTURE = re.compile(rb"<(?:\w+:)?(?:cellImage|rv)[\s>]")
# What a sheet holds only in Excel 2010's extensions (x14, the prefix Excel and LibreOffice write): drop-down lists
# drawing on another sheet, the conditional formats Excel 2007 has no words for, sparklines. A conditional format
# written in both forms (a data bar with its x14 details, linked by <x14:id>) keeps its first form in the copy, and
# is not counted.
_EXT_VALIDATION = re.compile(rb"<x14:dataValidation[\s>]")
_EXT_RULE = re.compile(rb"<x14:cfRule\b([^>]*)>")
_RULE_ID = re.compile(rb'\bid="([^"]*)"')
_LINKED_RULE = re.compile(rb"<x14:id>([^<]*)</x14:id>")
_SPARKLINES = re.compile(rb"<x14:sparklineGroup[\s>]")
# Excel 365's comments that take replies (批注, where the older ones are now 注释): a thread starts with a comment
# that answers none (no parentId). openpyxl keeps only the note Excel writes beside each thread for older versions.
_THREAD = re.compile(rb"<(?:\w+:)?threadedComment\s(?![^>]*\bparentId=)")

_SAID = {  # field: (Chinese, English)
    "shapes": ("个形状或文本框", "shapes or text boxes"),
    "objects": ("个嵌入的对象", "embedded objects"),
    "cell_pictures": ("张单元格内图片", "pictures in cells"),
    "validations": ("个数据验证（下拉列表）", "data validations (drop-down lists)"),
    "formats": ("条条件格式", "conditional formats"),
    "sparklines": ("组迷你图", "sparkline groups"),
    "threads": ("组新版批注（可回复的批注）", "threaded comments"),
}


@dataclass(frozen=True)
class Unkept:
    """What of a workbook an annotated copy cannot carry. openpyxl keeps a sheet's pictures (with Pillow), charts,
    data validations and conditional formats, and drops: drawn shapes (text boxes, connectors, groups, SmartArt),
    embedded objects (a Word or PDF file inserted as an object), pictures placed in cells (WPS's 嵌入单元格图片,
    Excel's “放置在单元格中”), and what a sheet holds only in Excel 2010's extensions (drop-down lists drawing on
    another sheet, newer conditional formats, sparklines), and Excel 365's threaded comments, of which it keeps the
    note Excel writes beside each for older versions."""

    shapes: int = 0
    objects: int = 0
    cell_pictures: int = 0
    validations: int = 0
    formats: int = 0
    sparklines: int = 0
    threads: int = 0

    def __bool__(self) -> bool:
        return any(astuple(self))

    def said(self, lang: str = "zh") -> str:
        zh = lang == "zh"
        counts = {f.name: getattr(self, f.name) for f in fields(self)}
        parts = [f"{count} {_SAID[name][0 if zh else 1]}" for name, count in counts.items() if count]
        if zh or len(parts) < 2:
            return "、".join(parts)
        return f"{', '.join(parts[:-1])} and {parts[-1]}"


def annotatable(path: str | Path) -> bool:
    """Whether an annotated copy can be written at all: a zip package (.xlsx, .xlsm), not a legacy .xls, which
    nothing we have writes."""
    return zipfile.is_zipfile(path)


def count_unkept(archive: zipfile.ZipFile) -> Unkept:
    """Count what of an open workbook an annotated copy cannot carry (see ``Unkept``)."""
    names = archive.namelist()
    shapes = 0
    for name in names:
        if name.startswith("xl/drawings/") and name.endswith(".xml"):
            for anchor in _ANCHOR.finditer(archive.read(name)):
                found = _OBJECT.search(anchor[0])
                kind = found[1] if found else b""
                chart = kind == b"graphicFrame" and b"drawingml/2006/chart" in anchor[0]
                shapes += not (kind == b"pic" or chart)
    validations = formats = sparklines = 0
    for name in names:
        if name.startswith("xl/worksheets/") and name.endswith(".xml"):
            xml = archive.read(name)
            if b"<x14:" not in xml:
                continue
            linked = set(_LINKED_RULE.findall(xml))
            validations += len(_EXT_VALIDATION.findall(xml))
            sparklines += len(_SPARKLINES.findall(xml))
            for rule in _EXT_RULE.finditer(xml):
                found = _RULE_ID.search(rule[1])
                formats += found is None or found[1] not in linked
    pictures = sum(len(_CELL_PICTURE.findall(archive.read(n))) for n in names if n in _CELL_PICTURE_PARTS)
    embedded = sum(n.startswith("xl/embeddings/") for n in names)
    threads = sum(len(_THREAD.findall(archive.read(n))) for n in names if n.startswith("xl/threadedComments/"))
    return Unkept(shapes, embedded, pictures, validations, formats, sparklines, threads)


def copy_lacks(lost: Unkept, lang: str = "zh") -> str:
    """What an annotated copy says when it lacks part of its original."""
    if lang == "zh":
        return f"原文件中的 {lost.said(lang)}未保留在批注副本中（原文件未改动）"
    return f"{lost.said(lang)} of the original are not in the annotated copy (the original is unchanged)"
