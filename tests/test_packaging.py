"""The package's declared requirements: every lower bound in setup.cfg is the version .ci/run tests it with."""

from __future__ import annotations

import configparser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
MINIMUM = ROOT / ".ci" / "minimum-versions.txt"


def _lower_bounds() -> dict[str, str]:
    """Each requirement of setup.cfg (install_requires and every extra but build's) with its lower bound."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg", encoding="utf-8")
    lines = config["options"]["install_requires"].splitlines()
    extras = config["options.extras_require"]
    lines += [line for extra in extras if extra != "build" for line in extras[extra].splitlines()]
    bounds: dict[str, str] = {}
    for line in filter(None, (line.strip() for line in lines)):
        requirement = Requirement(line)
        (lower,) = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        bounds[canonicalize_name(requirement.name)] = lower
    return bounds


def _pinned() -> dict[str, str]:
    pins: dict[str, str] = {}
    for line in MINIMUM.read_text(encoding="utf-8").splitlines():
        if text := line.split("#", 1)[0].strip():
            name, version = text.split("==")
            pins[canonicalize_name(name)] = version
    return pins


def test_every_lower_bound_is_the_version_the_minimum_run_installs():
    """A lower bound raised in setup.cfg and not in .ci/minimum-versions.txt (or the other way) would be untested:
    with pandas>=2.0 and openpyxl>=3.1 declared, a unit's pandas 2.0 made every file an internal error and openpyxl
    3.1.0 printed sheet titles into --format json."""
    bounds, pins = _lower_bounds(), _pinned()
    assert {name: pins.get(name) for name in bounds} == bounds
    assert set(pins) - set(bounds) == {"numpy", "psycopg-binary"}  # not ours: pinned so the others install together
