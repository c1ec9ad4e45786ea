"""A real PostgreSQL server for the tests: a temporary cluster on a free loopback port.

initdb refuses to run as root, so as root the cluster belongs to `nobody` and the server runs
as that user (runuser). The superuser has a password and TCP connections must give it, so the
tests exercise real credentials.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PASSWORD = "pg-test-Secret-4815"


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    user: str
    password: str
    database: str = "postgres"

    def connect(self):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=self.database,
            autocommit=True,
        )


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (folder / name).exists():
            return str(folder / name)
    raise RuntimeError(f"PostgreSQL's {name} is not installed; .ci/run installs Debian's postgresql package")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server() -> Iterator[Server]:
    as_root = os.geteuid() == 0
    prefix = ["runuser", "-u", "nobody", "--"] if as_root else []
    folder = Path(tempfile.mkdtemp(prefix="contractgen-pg-"))
    data, pwfile, log = folder / "data", folder / "pw", folder / "log"
    pwfile.write_text(PASSWORD + "\n")
    if as_root:
        shutil.chown(folder, "nobody")
        shutil.chown(pwfile, "nobody")
    port = free_port()
    try:
        subprocess.run(
            [*prefix, _binary("initdb"), "-D", str(data), "-U", "postgres", "--pwfile", str(pwfile),
             "--auth-host=scram-sha-256", "--auth-local=trust", "-E", "UTF8", "--no-locale"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [*prefix, _binary("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        yield Server("127.0.0.1", port, "postgres", PASSWORD)
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                [*prefix, _binary("pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True, timeout=120, check=False,
            )  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
