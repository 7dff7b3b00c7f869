"""LibreOffice headless helpers for tests: recalculate a workbook (forcing formulas to be recomputed)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
# Locally these tests skip without LibreOffice; .ci/run sets PERFEVAL_REQUIRE_LIBREOFFICE=1 so that there they run
# (and fail loudly if the install did not work).
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
            "--calc",
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
