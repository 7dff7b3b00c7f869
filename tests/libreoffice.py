"""LibreOffice headless helpers for tests: recalculate a workbook (forcing formulas to be recomputed), convert a
document, and render a PDF's pages to images (pdftoppm)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Locally these tests skip without LibreOffice; .ci/run sets PERFEVAL_REQUIRE_LIBREOFFICE=1 so that there they run
# (and fail loudly if the install did not work).
WRITER = SOFFICE is not None and any(
    (Path(SOFFICE).resolve().parent / name).exists() for name in ("swriter", "swriter.bin")
)
PDFTOPPM = shutil.which("pdftoppm")
needs_libreoffice = pytest.mark.skipif(
    SOFFICE is None and not os.environ.get("PERFEVAL_REQUIRE_LIBREOFFICE"),
    reason="LibreOffice headless (soffice) is not installed",
)

# Calc → Formula → "Recalculation on file load" = always, so stale or missing cached values are recomputed.
_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def recalculate(source: Path, workdir: Path) -> Path:
    """Open ``source`` in LibreOffice, recalculate every formula and save an .xlsx copy with cached values."""
    return convert(source, workdir, "xlsx")


def convert(source: Path, workdir: Path, target: str) -> Path:
    """Open ``source`` in LibreOffice (formulas recalculated on load) and save it as ``target``, a file extension
    optionally followed by ``:filter name``; returns the saved file."""
    assert SOFFICE is not None, "LibreOffice (soffice) is required here: apt-get install libreoffice-calc"
    assert source.suffix.lower() != ".docx" or WRITER, "apt-get install libreoffice-writer"
    profile = workdir / "lo-profile"
    (profile / "user").mkdir(parents=True, exist_ok=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE, encoding="utf-8")
    outdir = workdir / "recalculated"
    outdir.mkdir(exist_ok=True)
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--writer" if source.suffix.lower() == ".docx" else "--calc",
            "--convert-to",
            target,
            "--outdir",
            str(outdir),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    return outdir / f"{source.stem}.{target.split(':', 1)[0]}"


needs_writer = pytest.mark.skipif(
    not (WRITER and PDFTOPPM) and not os.environ.get("PERFEVAL_REQUIRE_LIBREOFFICE"),
    reason="LibreOffice Writer and pdftoppm (libreoffice-writer, poppler-utils) are not installed",
)


def page_images(pdf: Path, workdir: Path, dpi: int = 40) -> list[bytes]:
    """Each page of ``pdf`` as an 8-bit grey image (PGM) by pdftoppm: the pixel bytes only."""
    assert PDFTOPPM is not None, "pdftoppm is required here: apt-get install poppler-utils"
    prefix = workdir / "page"
    subprocess.run([PDFTOPPM, "-gray", "-r", str(dpi), str(pdf), str(prefix)], check=True, timeout=120)
    pages = []
    for image in sorted(workdir.glob("page-*.pgm")):
        data = image.read_bytes()
        # P5 header: magic, width, height, maxval, each followed by whitespace; the pixels follow.
        magic, width, height, maxval, pixels = data.split(maxsplit=4)
        assert magic == b"P5" and maxval == b"255"
        pages.append(pixels[-int(width) * int(height) :])
    return pages
