"""Real processes for the fault tests: the province (`buudien serve`) on a copy of a small
province built once per test session, and a point's laptop enrolled through the proxy, with
the clerk's driver (`laptop.py`) running on its own SQLite database.

Every process is started here and stopped here. Both sides keep SQLite, also when the suite
runs on PostgreSQL (DATABASE_URL is removed from their environment): the province's state is
read straight from its file."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BUUDIEN = [sys.executable, "-c", "from buudien.cli import main; main()"]
DB = "buudien.sqlite3"
DRIVER = Path(__file__).with_name("laptop.py")
LINES = 150  # pension lines payable today at the point: enough for a day of random work


def environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {
        **os.environ,
        "BUUDIEN_DATA_DIR": str(data_dir),
        "BUUDIEN_STATIC_FINGERPRINTS": "0",  # no minute of collectstatic per directory
        "PYTHONDONTWRITEBYTECODE": "1",
        **extra,
    }
    env.pop("DATABASE_URL", None)
    return env


def buudien(data_dir: Path, *args: str, timeout: float = 180) -> str:
    """Run one `buudien` command on that directory's database; its output."""
    done = subprocess.run(  # noqa: S603
        [*BUUDIEN, *args],
        env=environment(data_dir),
        capture_output=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(
            f"buudien {' '.join(args)} failed ({done.returncode}):\n"
            f"{done.stdout.decode()[-3000:]}\n{done.stderr.decode()[-3000:]}"
        )
    return done.stdout.decode()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop(process: subprocess.Popen[Any], timeout: float = 10) -> None:
    """Terminate a process we started, and its process group (gunicorn's workers, the
    laptop server's sync loop)."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=timeout)


# --- the small province, built once ------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A built small province (stopped): its directory and what the build printed."""

    path: Path
    facts: dict[str, Any]


_TEMPLATE: dict[str, Template] = {}


def template(root: Path) -> Template:
    """The small province, built once per test session (about half a minute)."""
    if "built" not in _TEMPLATE:
        path = root / "province-template"
        path.mkdir(parents=True, exist_ok=True)
        out = buudien(path, "point_demo", "build", "--lines", str(LINES), "--dossiers", "3")
        _TEMPLATE["built"] = Template(path, json.loads(out.strip().splitlines()[-1]))
    return _TEMPLATE["built"]


def copy_province(built: Template, to: Path) -> Path:
    to.mkdir(parents=True, exist_ok=True)
    for name in (DB, f"{DB}-wal", "secret_key"):
        if (built.path / name).exists():
            shutil.copy2(built.path / name, to / name)
    return to


# --- servers --------------------------------------------------------------------------


@dataclass
class Server:
    """`buudien serve` on a directory, one worker, on a port of its own."""

    data_dir: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        stop(self.process)


def serve(data_dir: Path, *flags: str, env: dict[str, str] | None = None, port: int = 0) -> Server:
    port = port or free_port()
    log = (data_dir / "serve.log").open("ab")
    process = subprocess.Popen(  # noqa: S603
        [*BUUDIEN, "serve", "--port", str(port), "--workers", "1", *flags],
        env=environment(data_dir, **(env or {})),
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return Server(data_dir, port, process)
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise AssertionError(f"buudien serve did not start:\n{_tail(data_dir / 'serve.log')}")
        time.sleep(0.2)


def _tail(path: Path, size: int = 3000) -> str:
    return path.read_text(errors="replace")[-size:] if path.exists() else ""


# --- the laptop ---------------------------------------------------------------------------


@dataclass
class Laptop:
    """A point's laptop enrolled with the province, and its clerk's driver."""

    data_dir: Path
    driver: subprocess.Popen[str] | None = None
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.data_dir / "driver.log"

    @property
    def db(self) -> Path:
        return self.data_dir / DB

    def enroll(self, server: str, code: str) -> str:
        return buudien(self.data_dir, "point", "enroll", "--server", server, "--code", code)

    def start(self) -> None:
        self.driver = subprocess.Popen(  # noqa: S603
            [sys.executable, str(DRIVER)],
            env=environment(self.data_dir),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.log.open("ab"),
            text=True,
            start_new_session=True,
        )

    def call(self, **command: Any) -> dict[str, Any]:
        assert self.driver is not None and self.driver.stdin and self.driver.stdout
        self.driver.stdin.write(json.dumps(command) + "\n")
        self.driver.stdin.flush()
        line = self.driver.stdout.readline()
        if not line:
            raise AssertionError(f"the laptop's driver died:\n{_tail(self.log)}")
        answer: dict[str, Any] = json.loads(line)
        assert "crash" not in answer, answer["crash"]
        return answer

    def work(self, n: int, seed: int) -> dict[str, Any]:
        return self.call(do="work", n=n, seed=seed)

    def sync(self) -> dict[str, Any]:
        return self.call(do="sync")

    def sync_until_done(self, tries: int = 80) -> dict[str, Any]:
        answer = self.call(do="sync_until_done", tries=tries)
        assert answer["ok"], answer
        return answer

    def sync_command(self) -> subprocess.Popen[bytes]:
        """`buudien point sync` in its own process, as the clerk would run it."""
        return subprocess.Popen(  # noqa: S603
            [*BUUDIEN, "point", "sync"],
            env=environment(self.data_dir),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )

    def stop(self) -> None:
        if self.driver is not None:
            if self.driver.stdin:
                with contextlib.suppress(OSError):
                    self.driver.stdin.close()
            stop(self.driver)


def query(db: Path, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows read straight from a side's SQLite file (WAL: beside a live writer)."""
    with contextlib.closing(sqlite3.connect(db, timeout=30)) as connection:
        return list(connection.execute(sql, params))


@contextlib.contextmanager
def running(*stoppables: Any) -> Iterator[None]:
    try:
        yield
    finally:
        for item in reversed(stoppables):
            with contextlib.suppress(Exception):
                item.stop()
