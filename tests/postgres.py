"""A throwaway PostgreSQL server for tests: Debian's postgresql binaries, a cluster in a temporary folder, loopback only.

Locally the PostgreSQL tests skip when the server binaries are missing; .ci/run installs Debian's postgresql package
and sets PERFEVAL_REQUIRE_POSTGRES=1, so there they run (and fail loudly if the server cannot start).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


def _bin(name: str) -> str | None:
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    return candidates[0] if candidates else shutil.which(name)


INITDB, PG_CTL = _bin("initdb"), _bin("pg_ctl")
needs_postgres = pytest.mark.skipif(
    (INITDB is None or PG_CTL is None) and not os.environ.get("PERFEVAL_REQUIRE_POSTGRES"),
    reason="PostgreSQL server binaries (Debian package postgresql) are not installed",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root; under root the commands run as the package's postgres user."""
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    assert INITDB and PG_CTL, "PostgreSQL is required here: apt-get install postgresql"
    base = Path(tempfile.mkdtemp(prefix="perfeval-pg-"))  # outside pytest's root-only folders
    data = base / "data"
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(base, user.pw_uid, user.pw_gid)
    port = _free_port()
    subprocess.run(
        _as_server_user([INITDB, "-D", str(data), "-A", "trust", "-U", "perfeval", "-E", "UTF8"]),
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {base}"
    subprocess.run(
        _as_server_user([PG_CTL, "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"]),
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://perfeval@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(_as_server_user([PG_CTL, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
