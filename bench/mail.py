"""Public tracking over a province-sized history: BENCH_MAIL_ITEMS postal items (5 million)
with 8 events each (40 million), and the look-up of one S10 id.

Ours: `mail.selectors.public.track(s10)` (the item with its service and destination commune,
then its events with their unit's name, as plain dataclasses), timed alone (`median_s`), and
the whole page as a visitor gets it, through Django's test client with every middleware
(`page_median_s`, `lookup_ms`). Baseline: the bare indexed queries on a raw connection to the
same database, `SELECT … FROM mail_postalitem WHERE s10 = ?` then
`SELECT … FROM mail_trackingevent WHERE item_id = ? ORDER BY at`, for the same ids in the
same run. All three are timed over the same BENCH_MAIL_LOOKUPS (300) random ids after one
warm-up pass over them, so each finds the same pages in the cache.

Goals: ratio at most 2, a look-up under 20 ms, the page under 30 KB on the wire (gzip, with
its stylesheet).

The data is made inside the database (a recursive CTE on SQLite, generate_series on
PostgreSQL), with indexes dropped during the load and made again after it, in a database of
the benchmark's own: var/bench/mail-<items>.sqlite3, kept and reused by the next run of the
same size (or `<DATABASE_URL's database>_bench_mail` on PostgreSQL, reused the same way).
At full size it takes several minutes and about 10 GB of disk.
"""

from __future__ import annotations

import gzip
import os
import random
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench._common import ROOT, _own_postgres_database, write_result

ITEMS = int(os.environ.get("BENCH_MAIL_ITEMS", "5000000"))
LOOKUPS = int(os.environ.get("BENCH_MAIL_LOOKUPS", "300"))
CHUNK = 500_000
PREFIX = "CP"
SERVICE = "BC-BK"
PROVINCE = 4  # Cao Bằng
POINTS = 40
URL = "/tra-cuu-buu-gui/"
CSS = ROOT / "src" / "buudien" / "static" / "buudien" / "track.css"
TABLES = ("mail_postalitem", "mail_trackingevent")
GOAL_RATIO, GOAL_MS, GOAL_BYTES = 2.0, 20.0, 30 * 1024

# An item's life in 8 events: (status, minutes after acceptance, where: origin, hub, dest).
STEPS = [
    ("accepted", 0, "o"),
    ("bagged", 45, "o"),
    ("dispatched", 240, "o"),
    ("arrived", 600, "h"),
    ("dispatched", 900, "h"),
    ("arrived", 1500, "d"),
    ("out_for_delivery", 1560, "d"),
    ("delivered", 1700, "d"),
]

# The S10 check digit of the serial n (weights 8 6 4 2 3 5 9 7, modulus 11), in SQL.
_SUM = " + ".join(
    f"((n / {10 ** (7 - k)}) % 10) * {w}" for k, w in enumerate((8, 6, 4, 2, 3, 5, 9, 7))
)
CHECK = f"(CASE 11 - ({_SUM}) % 11 WHEN 10 THEN 0 WHEN 11 THEN 5 ELSE 11 - ({_SUM}) % 11 END)"
EPOCH = 1735664400  # 2025-01-01 00:00 in Hà Nội
SPREAD_S = 90 * 24 * 3600  # the items are accepted over 90 days

# The columns of an item, each as an SQL expression of n (the serial), per database.
_COMMON = {
    "version": "1",
    "sender_name": "'Nông Thị Lan'",
    "sender_phone": "'0912345678'",
    "sender_address": "'Số 12 phố Hoàng Đình Giong'",
    "receiver_name": "'Hoàng Văn Pháo'",
    "receiver_phone": "'0987654321'",
    "receiver_address": "'Xóm Nà Lẹng'",
    "receiver_hamlet": "'Nà Lẹng'",
    "receiver_postal_code": "''",
    "receiver_digital_address": "''",
    "zone": "'province'",
    "weight_g": "500 + n % 3000",
    "contents": "''",
    "declared_value": "0",
    "cod_amount": "0",
    "extras": "''",
    "charge": "36000",
    "receipt_no": "''",
    "status": "'delivered'",
    "delivered_to": "'Hoàng Văn Pháo'",
    "search_text": "''",
    "request_key": "''",
    "service_id": f"'{SERVICE}'",
    "receiver_commune_id": "(SELECT code FROM bench_communes WHERE k = n % {communes})",
    "origin_id": "(SELECT id FROM bench_points WHERE k = n % {points})",
    "destination_id": "(SELECT id FROM bench_points WHERE k = (n * 7 + 3) % {points})",
    "current_unit_id": "(SELECT id FROM bench_points WHERE k = (n * 7 + 3) % {points})",
}
SQLITE_ITEM = _COMMON | {
    "id": "'01950000000070008000' || printf('%012x', n)",
    "s10": f"'{PREFIX}' || printf('%08d', n) || {CHECK} || 'VN'",
    "accepted_at": f"datetime({EPOCH} + n * {SPREAD_S} / {{items}}, 'unixepoch')",
    "created_at": f"datetime({EPOCH} + n * {SPREAD_S} / {{items}}, 'unixepoch')",
    "updated_at": f"datetime({EPOCH} + n * {SPREAD_S} / {{items}} + 102000, 'unixepoch')",
    "received_on": f"date({EPOCH} + n * {SPREAD_S} / {{items}} + 90000, 'unixepoch')",
    "due_on": f"date({EPOCH} + n * {SPREAD_S} / {{items}} + 172800, 'unixepoch')",
    "delivered_at": f"datetime({EPOCH} + n * {SPREAD_S} / {{items}} + 102000, 'unixepoch')",
}
POSTGRES_ITEM = _COMMON | {
    "id": "('01950000-0000-7000-8000-' || lpad(to_hex(n), 12, '0'))::uuid",
    "s10": f"'{PREFIX}' || lpad(n::text, 8, '0') || {CHECK}::text || 'VN'",
    "accepted_at": f"to_timestamp({EPOCH} + n * {SPREAD_S} / {{items}})",
    "created_at": f"to_timestamp({EPOCH} + n * {SPREAD_S} / {{items}})",
    "updated_at": f"to_timestamp({EPOCH} + n * {SPREAD_S} / {{items}} + 102000)",
    "received_on": f"to_timestamp({EPOCH} + n * {SPREAD_S} / {{items}} + 90000)::date",
    "due_on": f"to_timestamp({EPOCH} + n * {SPREAD_S} / {{items}} + 172800)::date",
    "delivered_at": f"to_timestamp({EPOCH} + n * {SPREAD_S} / {{items}} + 102000)",
}


def _say(message: str) -> None:
    print(message, flush=True)


# --- the database ---------------------------------------------------------------------------


def _setup() -> tuple[str, str, Path | None, bool]:
    """Point Django at the benchmark's database and migrate it: (vendor, url, sqlite path,
    whether it already holds the data of this size). A database left half-made is made anew."""
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or ""
    path: Path | None = None
    if url.startswith(("postgres://", "postgresql://")):
        own = _own_postgres_database(url, "mail")
        built = _built_postgres(own)
        url = own if built else _own_postgres_database(url, "mail", fresh=True)
    else:
        path = ROOT / "var" / "bench" / f"mail-{ITEMS}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        built = _built_sqlite(path)
        if not built:
            for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
                leftover.unlink(missing_ok=True)
        url = f"sqlite:///{path}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buudien.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    return str(connection.vendor), url, path, built


def _built_sqlite(path: Path) -> bool:
    import sqlite3

    if not path.exists():
        return False
    db = sqlite3.connect(path)
    try:
        row = db.execute("SELECT items, events FROM bench_mail_meta").fetchone()
    except sqlite3.OperationalError:
        row = None
    finally:
        db.close()
    return bool(row == (ITEMS, ITEMS * len(STEPS)))


def _built_postgres(url: str) -> bool:
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        try:
            row = db.execute("SELECT items, events FROM bench_mail_meta").fetchone()
        except psycopg.errors.UndefinedTable:
            row = None
    return bool(row == (ITEMS, ITEMS * len(STEPS)))


def _reference() -> tuple[list[int], list[str], str]:
    """The province's communes, a hub and its points, the parcel service: a few rows, made
    by the ORM."""
    from django.db import connection

    from buudien.mail.models import PostalService
    from buudien.network.admin_units import load_admin_units
    from buudien.network.models import Commune, PostUnit

    load_admin_units()
    communes = list(
        Commune.objects.filter(province_id=PROVINCE).order_by("code").values_list("code", flat=True)
    )
    hub = PostUnit(code="BENCH-HUB", name="Bưu điện tỉnh Cao Bằng", kind=PostUnit.Kind.PROVINCE)
    hub.refresh_path()
    hub.save()
    points = []
    for k in range(POINTS):
        unit = PostUnit(
            code=f"BENCH-P{k:02d}",
            name=f"Điểm BĐ-VHX {k + 1:02d}",
            kind=PostUnit.Kind.COMMUNE_POINT,
            parent=hub,
            commune_id=communes[k % len(communes)],
        )
        unit.refresh_path()
        unit.save()
        points.append(unit.pk.hex if connection.vendor == "sqlite" else str(unit.pk))
    PostalService.objects.update_or_create(
        code=SERVICE,
        defaults={
            "name": "Bưu kiện trong nước",
            "name_en": "Domestic parcel",
            "s10_prefix": PREFIX,
        },
    )
    hub_id = hub.pk.hex if connection.vendor == "sqlite" else str(hub.pk)
    return communes, points, hub_id


def _event_sql(vendor: str, hub: str, status: str, minutes: int, where: str) -> str:
    unit = {"o": "i.origin_id", "h": f"'{hub}'", "d": "i.destination_id"}[where]
    if vendor == "postgresql":
        unit = unit if where != "h" else f"'{hub}'::uuid"
        at = f"i.accepted_at + interval '{minutes} minutes'"
    else:
        at = f"datetime(i.accepted_at, '+{minutes} minutes')"
    return (
        "INSERT INTO mail_trackingevent "
        "(status, reason, at, place, device, note, actor_id, item_id, unit_id) "
        f"SELECT '{status}', '', {at}, 'Bưu điện', 'MAY-QUET', '', NULL, i.id, {unit} "
        "FROM mail_postalitem i"
    )


def _item_sql(vendor: str, first: int, last: int, communes: int) -> str:
    columns = SQLITE_ITEM if vendor == "sqlite" else POSTGRES_ITEM
    names = ", ".join(columns)
    values = ", ".join(
        v.format(items=ITEMS, communes=communes, points=POINTS) for v in columns.values()
    )
    if vendor == "sqlite":
        source = (
            f"WITH RECURSIVE seq(n) AS (SELECT {first} UNION ALL SELECT n + 1 FROM seq "
            f"WHERE n < {last}) SELECT {values} FROM seq"
        )
    else:
        source = f"SELECT {values} FROM generate_series({first}::bigint, {last}::bigint) AS n"
    return f"INSERT INTO mail_postalitem ({names}) {source}"


def _load_sqlite(path: Path, communes: list[int], points: list[str], hub: str) -> None:
    import sqlite3

    from django.db import connection

    connection.close()
    db = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "journal_mode=DELETE",
        "journal_mode=OFF",
        "synchronous=OFF",
        "locking_mode=EXCLUSIVE",
        "temp_store=MEMORY",
        "cache_size=-2000000",
        "foreign_keys=OFF",
    ):
        db.execute(f"PRAGMA {pragma}")
    indexes = db.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN (?, ?)",
        TABLES,
    ).fetchall()
    for name, _sql in indexes:
        db.execute(f'DROP INDEX "{name}"')
    db.execute("DROP TABLE IF EXISTS bench_communes")
    db.execute("DROP TABLE IF EXISTS bench_points")
    db.execute("CREATE TEMP TABLE bench_communes (k INTEGER PRIMARY KEY, code INTEGER)")
    db.execute("CREATE TEMP TABLE bench_points (k INTEGER PRIMARY KEY, id TEXT)")
    db.executemany("INSERT INTO bench_communes VALUES (?, ?)", enumerate(communes))
    db.executemany("INSERT INTO bench_points VALUES (?, ?)", enumerate(points))
    _fill(db, "sqlite", len(communes), hub)
    for name, sql in indexes:
        _timed(f"index {name}", db.execute, sql)
    _timed("analyze", db.executescript, "PRAGMA analysis_limit=2000; ANALYZE;")
    db.execute("CREATE TABLE bench_mail_meta (items bigint, events bigint)")
    db.execute("INSERT INTO bench_mail_meta VALUES (?, ?)", (ITEMS, ITEMS * len(STEPS)))
    db.execute("PRAGMA journal_mode=WAL")
    db.close()


def _load_postgres(url: str, communes: list[int], points: list[str], hub: str) -> None:
    import psycopg
    from django.db import connection

    connection.close()
    with psycopg.connect(url, autocommit=True) as db:
        # Keep the keys and the s10 uniqueness; drop the other indexes and the foreign keys of
        # the two tables, and make them again after the load.
        indexes = db.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname "
            "NOT IN (SELECT conname FROM pg_constraint)",
            [list(TABLES)],
        ).fetchall()
        keys = db.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)",
            [list(TABLES)],
        ).fetchall()
        for table, name, _definition in keys:
            db.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            db.execute(f'DROP INDEX "{name}"')
        db.execute("CREATE TEMP TABLE bench_communes (k int PRIMARY KEY, code int)")
        db.execute("CREATE TEMP TABLE bench_points (k int PRIMARY KEY, id uuid)")
        with db.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_communes VALUES (%s, %s)", list(enumerate(communes))
            )
            cursor.executemany("INSERT INTO bench_points VALUES (%s, %s)", list(enumerate(points)))
        db.execute("SET maintenance_work_mem = '1GB'")
        db.execute("SET synchronous_commit = off")
        _fill(db, "postgresql", len(communes), hub)
        for _name, definition in indexes:
            _timed(f"index {_name}", db.execute, definition)
        for table, name, definition in keys:
            _timed(
                f"key {name}",
                db.execute,
                f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}',
            )
        _timed("analyze", db.execute, "ANALYZE mail_postalitem, mail_trackingevent")
        db.execute("CREATE TABLE bench_mail_meta (items bigint, events bigint)")
        db.execute("INSERT INTO bench_mail_meta VALUES (%s, %s)", (ITEMS, ITEMS * len(STEPS)))


def _fill(db: Any, vendor: str, communes: int, hub: str) -> None:
    started = time.perf_counter()
    for first in range(1, ITEMS + 1, CHUNK):
        last = min(first + CHUNK - 1, ITEMS)
        db.execute(_item_sql(vendor, first, last, communes))
        _say(f"  items {last:>10,} ({time.perf_counter() - started:.0f} s)")
    # One step for every item at a time: an item's events lie far apart, as they do when
    # they are recorded over days among everybody else's.
    for status, minutes, where in STEPS:
        db.execute(_event_sql(vendor, hub, status, minutes, where))
        _say(f"  events: {status} ({time.perf_counter() - started:.0f} s)")


def _timed(what: str, fn: Callable[..., Any], *args: Any) -> None:
    started = time.perf_counter()
    fn(*args)
    _say(f"  {what} ({time.perf_counter() - started:.0f} s)")


# --- the measures ---------------------------------------------------------------------------


def _baseline(vendor: str, url: str, path: Path | None) -> Callable[[str], Any]:
    """The bare indexed queries on a raw connection of the same database."""
    if vendor == "sqlite":
        import sqlite3

        db: Any = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        mark = "?"
    else:
        import psycopg

        db = psycopg.connect(url, autocommit=True)
        mark = "%s"
    item_sql = (
        "SELECT id, s10, status, delivered_to, service_id, receiver_commune_id "
        f"FROM mail_postalitem WHERE s10 = {mark}"
    )
    events_sql = (
        f"SELECT at, status, reason, unit_id FROM mail_trackingevent WHERE item_id = {mark} "
        "ORDER BY at"
    )

    def look_up(code: str) -> Any:
        item = db.execute(item_sql, (code,)).fetchone()
        return item, db.execute(events_sql, (item[0],)).fetchall()

    return look_up


def _medians(fns: Sequence[Callable[[str], Any]], ids: list[str]) -> list[float]:
    """Each path's median over the ids, after a warm-up pass of every path over every id.
    Each path is timed over all the ids in a row: a page closes Django's connection at its
    end, which must not be counted against the next call of another path."""
    for code in ids:
        for fn in fns:
            fn(code)
    medians = []
    for fn in fns:
        samples = []
        for code in ids:
            started = time.perf_counter()
            fn(code)
            samples.append(time.perf_counter() - started)
        medians.append(statistics.median(samples))
    return medians


def main() -> None:
    vendor, url, path, built = _setup()
    if built:
        _say(f"mail: reusing {path or url} ({ITEMS:,} items, {ITEMS * len(STEPS):,} events)")
    else:
        _say(f"mail: making {ITEMS:,} items and {ITEMS * len(STEPS):,} events in {path or url}")
        communes, points, hub = _reference()
        started = time.perf_counter()
        if path is not None:
            _load_sqlite(path, communes, points, hub)
        else:
            _load_postgres(url, communes, points, hub)
        _say(f"mail: made in {time.perf_counter() - started:.0f} s")

    from django.test import Client

    from buudien.core import s10
    from buudien.mail.selectors.public import track

    serials = random.Random(7).sample(range(1, ITEMS + 1), min(LOOKUPS, ITEMS))
    ids = [s10.make(PREFIX, n) for n in serials]
    client = Client()

    def ours(code: str) -> Any:
        found = track(code)
        assert found is not None, code
        assert len(found.events) == len(STEPS), code
        return found

    def page(code: str) -> Any:
        response = client.get(URL, {"so": code}, HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200, response.status_code
        return response

    track_s, page_s, base_s = _medians([ours, page, _baseline(vendor, url, path)], ids)
    sample = page(ids[0])
    head = len(f"HTTP/1.1 {sample.status_code} {sample.reason_phrase}\r\n") + 2
    head += sum(len(f"{k}: {v}\r\n") for k, v in sample.headers.items())
    html_gzip = len(sample.content)
    css_gzip = len(gzip.compress(CSS.read_bytes()))
    wire = head + html_gzip + css_gzip
    result = write_result(
        name="mail",
        database=vendor,
        n=ITEMS,
        median_s=track_s,
        baseline="bare indexed item and events queries (raw connection)",
        baseline_median_s=base_s,
        extra={
            "events": ITEMS * len(STEPS),
            "lookups": len(ids),
            "lookup_ms": round(track_s * 1000, 3),
            "page_median_s": round(page_s, 6),
            "page_ms": round(page_s * 1000, 3),
            "page_bytes_gzip": wire,
            "html_bytes_gzip": html_gzip,
            "css_bytes_gzip": css_gzip,
            "goal_ratio": GOAL_RATIO,
            "goal_ms": GOAL_MS,
            "goal_bytes": GOAL_BYTES,
        },
    )
    over = [
        label
        for label, value, goal in (
            ("ratio", result["ratio"], GOAL_RATIO),
            ("lookup_ms", track_s * 1000, GOAL_MS),
            ("page_ms", page_s * 1000, GOAL_MS),
            ("page_bytes_gzip", wire, GOAL_BYTES),
        )
        if value > goal
    ]
    _say(
        f"mail: track {track_s * 1000:.2f} ms, page {page_s * 1000:.2f} ms, bare queries "
        f"{base_s * 1000:.2f} ms; page on the wire {wire / 1024:.1f} KB"
        + (f"; OVER: {', '.join(over)}" if over else "; within the goals")
    )


if __name__ == "__main__":
    main()
