"""A backup restored into an empty database holds every row and every rollup of the source:
a point's SQLite file copied with SQLite's backup API (what `sqlite3 … ".backup …"` does), and
the province's PostgreSQL database through `pg_dump -Fc` and `pg_restore` (docs/operations.md)."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg.conninfo import make_conninfo

from buudien.core import reference
from buudien.core.models import Role, User
from buudien.counter import services as counter
from buudien.network import services as network
from buudien.network.admin_units import load_admin_units
from buudien.network.models import PostUnit
from tests.factories import UserFactory

ROLLUPS = ("counter_dailyrollup", "counter_monthlyrollup", "counter_unitmonthrollup")


def _fill() -> None:
    """A small real province: the reference data, a few units, two shifts and their rollups."""
    load_admin_units()
    reference.load()
    call_command(
        "setup_province",
        *("--code", "BDT04", "--name", "Bưu điện tỉnh Cao Bằng", "--province-code", "4"),
        *("--admin", "quantri", "--password", "Quan-tri-tinh-2026", "--no-input"),
        stdout=io.StringIO(),
    )
    admin = User.objects.get(username="quantri")
    parent = PostUnit.objects.get(code="BDT04")
    for code, kind in (("KV0401", "area"), ("BC04011", "office"), ("VHX04001", "commune_point")):
        parent = network.create_unit(
            actor=admin, code=code, name=f"Đơn vị {code}", kind=kind, parent=parent
        )
    clerk = UserFactory(username="diem", role=Role.CLERK, home_unit=parent)
    posts = [("BC-THU", None, 3), ("TC-DIEN", 420_000, 1), ("TC-LHUU", 3_150_000, 1)]
    for day in (dt.date(2026, 10, 30), dt.date(2026, 11, 2)):
        shift = counter.open_session(
            clerk=clerk, unit=parent, opening_cash=5_000_000, business_date=day
        )
        for i, (code, amount, quantity) in enumerate(posts):
            counter.post_entry(
                session=shift,
                clerk=clerk,
                request=counter.EntryRequest(
                    idempotency_key=f"{day}-{i}",
                    service_code=code,
                    amount=amount,
                    quantity=quantity,
                ),
            )
        shift.refresh_from_db()
        counter.close_session(session=shift, clerk=clerk, counted_cash=shift.book_cash)


def _sqlite_rows(db: sqlite3.Connection, table: str) -> list[tuple[Any, ...]]:
    """The rows as SQL literals (`quote`), so no connection's type converters change them."""
    columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
    quoted = ", ".join(f'quote("{c}")' for c in columns)
    return sorted(db.execute(f'SELECT {quoted} FROM "{table}"').fetchall())  # noqa: S608


def _sqlite_tables(db: sqlite3.Connection) -> dict[str, list[tuple[Any, ...]]]:
    found = db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    return {name: _sqlite_rows(db, name) for (name,) in found.fetchall()}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "sqlite", reason="a point's SQLite file")
def test_a_points_sqlite_backup_holds_every_row_and_rollup(tmp_path: Path) -> None:
    _fill()
    connection.ensure_connection()
    source = connection.connection
    backup = tmp_path / "VHX04001-backup.sqlite3"
    with sqlite3.connect(backup) as target:
        source.backup(target)
    target.close()

    restored = sqlite3.connect(backup)
    try:
        copied = _sqlite_tables(restored)
    finally:
        restored.close()
    original = _sqlite_tables(source)
    assert all(original[t] for t in ROLLUPS)
    assert original["counter_ledgerentry"]
    assert copied.keys() == original.keys()
    different = [t for t in original if copied[t] != original[t]]
    assert different == []


# PostgreSQL -------------------------------------------------------------------------------


def _pg_options() -> tuple[list[str], dict[str, str]]:
    """pg_dump / pg_restore connection options and environment for the test database."""
    db = connection.settings_dict
    args = ["-U", db["USER"] or "postgres"]
    if db["HOST"]:
        args += ["-h", db["HOST"]]
    if db["PORT"]:
        args += ["-p", str(db["PORT"])]
    env = dict(os.environ)
    if db["PASSWORD"]:
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _pg_conninfo(name: str) -> str:
    db = connection.settings_dict
    parts = {
        "dbname": name,
        "user": db["USER"],
        "password": db["PASSWORD"],
        "host": db["HOST"],
        "port": db["PORT"],
    }
    return make_conninfo(**{k: str(v) for k, v in parts.items() if v})


def _run(command: list[str], env: dict[str, str]) -> None:
    subprocess.run(command, check=True, env=env)  # noqa: S603 - PostgreSQL's own tools


# A table's row count, and an md5 of its rows as text in sorted order: equal whatever the order
# the rows were restored in.
CHECKSUM = (
    "SELECT count(*), md5(coalesce(string_agg(t::text, chr(10) ORDER BY t::text), '')) "
    'FROM "{table}" t'
)
TABLES = (
    "SELECT table_name FROM information_schema.tables "
    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
)


def _pg_tables(conninfo: str) -> dict[str, tuple[int, str]]:
    """Each table's row count and a checksum of its rows that does not depend on their order."""
    out: dict[str, tuple[int, str]] = {}
    with psycopg.connect(conninfo) as db:
        for (name,) in db.execute(TABLES).fetchall():
            query = CHECKSUM.replace("{table}", name)  # a name read from the catalogue
            count, digest = db.execute(query).fetchone() or (0, "")
            out[name] = (count, digest)
    return out


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_URL)")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="needs pg_dump and pg_restore")
def test_the_provinces_dump_restored_into_an_empty_database_is_equal(tmp_path: Path) -> None:
    _fill()
    name = connection.settings_dict["NAME"]
    restored = f"{name}_restored"
    args, env = _pg_options()
    dump = tmp_path / "buudien.dump"
    _run(["pg_dump", "-Fc", "-f", str(dump), *args, name], env)
    with psycopg.connect(_pg_conninfo(name), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        admin.execute(f'CREATE DATABASE "{restored}"')
    try:
        _run(["pg_restore", "--no-owner", "--exit-on-error", "-d", restored, *args, str(dump)], env)
        original = _pg_tables(_pg_conninfo(name))
        copied = _pg_tables(_pg_conninfo(restored))
    finally:
        with psycopg.connect(_pg_conninfo(name), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{restored}" WITH (FORCE)')
    assert all(original[t][0] for t in ROLLUPS)
    assert original["counter_ledgerentry"][0] == 6
    assert copied == original
