"""A real PostgreSQL server for tests: Debian's binaries, a temporary data dir, a free port.

The server runs as an unprivileged user (PostgreSQL refuses root): the current user when it is
not root, else the `postgres` account that Debian's package creates.
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
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg2

SUPERUSER = "postgres"


def bin_dir() -> Path | None:
    """Where initdb and pg_ctl are: PATH first, then Debian's versioned folder."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                        key=lambda p: int(Path(p).parts[-3]))
    return Path(candidates[-1]).parent if candidates else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class Postgres:
    port: int
    data_dir: Path

    def url(self, db: str) -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{db}"

    def create_database(self, db: str) -> str:
        con = psycopg2.connect(self.url("postgres"))
        con.autocommit = True
        try:
            with con.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{db}"')
        finally:
            con.close()
        return self.url(db)

    def query(self, db: str, sql: str, params: tuple = ()) -> list[tuple]:
        con = psycopg2.connect(self.url(db))
        try:
            with con.cursor() as cur:
                cur.execute(sql, params)
                return cur.fetchall()
        finally:
            con.close()


@contextmanager
def postgres_server(bindir: Path) -> Iterator[Postgres]:
    """initdb + pg_ctl start on 127.0.0.1:<free port>; stopped and deleted on exit."""
    root = Path(tempfile.mkdtemp(prefix="pg-test-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        account = pwd.getpwnam(SUPERUSER)
        os.chown(root, account.pw_uid, account.pw_gid)
        as_user = ["runuser", "-u", SUPERUSER, "--"]
    data, port = root / "data", free_port()
    try:
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", SUPERUSER,
                        "--auth=trust", "--no-sync", "-E", "UTF8"],
                       check=True, capture_output=True)
        options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
                   " -c synchronous_commit=off -c full_page_writes=off")
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", options,
                        "-l", str(root / "server.log"), "-w", "-t", "60", "start"],
                       check=True, capture_output=True)
        try:
            yield Postgres(port, data)
        finally:
            subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast",
                            "-w", "stop"], capture_output=True)
    finally:
        shutil.rmtree(root, ignore_errors=True)
