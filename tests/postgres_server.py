"""A throwaway PostgreSQL server for tests: its own cluster in a temp dir, on a free loopback port.

Production runs on PostgreSQL, so the directory's triggers, migrations and staff edits are
tested there too, without touching any server the machine may already run. Debian keeps the
server programs in /usr/lib/postgresql/<version>/bin (`make test` installs them when missing).
PostgreSQL refuses to run as root; as root the cluster runs as the `postgres` system user.
"""
from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

import psycopg

DEBIAN_BINARIES = Path("/usr/lib/postgresql")
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"


class PostgresUnavailable(RuntimeError):
    """The PostgreSQL server programs (initdb, pg_ctl) are not installed here."""


def find_binaries() -> Path:
    """The directory holding initdb and pg_ctl: on PATH, else Debian's newest version."""
    on_path = shutil.which("pg_ctl")
    if on_path and shutil.which("initdb"):
        return Path(on_path).resolve().parent
    versions = sorted(
        (p for p in DEBIAN_BINARIES.glob("*/bin") if (p / "initdb").exists() and (p / "pg_ctl").exists()),
        key=lambda p: [int(n) for n in re.findall(r"\d+", p.parent.name)] or [0],
    )
    if not versions:
        raise PostgresUnavailable(
            "PostgreSQL server programs (initdb, pg_ctl) not found on PATH or in /usr/lib/postgresql/*/bin; "
            "install Debian's `postgresql` package (`make test` does)"
        )
    return versions[-1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _as_server_user(directory: Path) -> dict[str, Any]:
    """subprocess arguments that run PostgreSQL as `postgres` when we are root, owning `directory`."""
    if os.geteuid() != 0:
        return {}
    try:
        account = pwd.getpwnam(SYSTEM_USER)
    except KeyError as error:
        raise PostgresUnavailable(f"running as root, but there is no {SYSTEM_USER!r} system user to run PostgreSQL") from error
    for path in (directory, *directory.rglob("*")):
        os.chown(path, account.pw_uid, account.pw_gid)
    return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": [],
            "env": {**os.environ, "HOME": str(directory), "USER": SYSTEM_USER}}


def _run(args: list[str], work: Path, as_user: dict[str, Any]) -> None:
    result = subprocess.run(args, cwd=work, capture_output=True, text=True, timeout=120, **as_user)
    if result.returncode != 0:
        log = work / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{Path(args[0]).name} failed ({result.returncode}): {result.stderr.strip()}\n{tail}")


def create_database(server_url: str, name: str, template: Optional[str] = None) -> str:
    """Create database `name` on the server of `server_url`; returns its SQLAlchemy URL.

    With `template`, a copy of that database (fast: no migrating or seeding again); nobody
    may be connected to the template meanwhile.
    """
    for plain in (name, template or "x"):
        if not re.fullmatch(r"[a-z_][a-z0-9_]*", plain):
            raise ValueError(f"not a plain database name: {plain!r}")
    copy = f' TEMPLATE "{template}"' if template else ""
    with psycopg.connect(_libpq(server_url, "postgres"), autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"{copy}')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def drop_database(server_url: str, name: str) -> None:
    with psycopg.connect(_libpq(server_url, "postgres"), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _libpq(url: str, database: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + f"/{database}"


@contextmanager
def postgres_server(database: str = "hulpwijzer") -> Iterator[str]:
    """Start a private server, create `database`, yield its `postgresql+psycopg://` URL; then remove it all."""
    binaries = find_binaries()
    work = Path(tempfile.mkdtemp(prefix="hulpwijzer-postgres-"))
    data = work / "data"
    started = False
    as_user: dict[str, Any] = {}
    try:
        as_user = _as_server_user(work)
        _run([str(binaries / "initdb"), "-D", str(data), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
              "--no-locale", "--no-sync"], work, as_user)
        for attempt in range(3):
            port = _free_port()
            options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {work} "
                       "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
            try:
                _run([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(work / "server.log"), "-w", "-t", "60",
                      "-o", options, "start"], work, as_user)
                started = True
                break
            except RuntimeError:
                if attempt == 2:  # another process may have taken the port between choosing and binding
                    raise
        url = f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{port}/{database}"
        create_database(url, database)
        yield url
    finally:
        if started:
            subprocess.run([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                           cwd=work, capture_output=True, timeout=60, **as_user)
        shutil.rmtree(work, ignore_errors=True)

