"""What `make demo` does before it serves, timed step by step on an empty database: migrate,
the administrative units and the reference data, then each demo builder (environment
creation excluded). The baseline is the database's own bulk insert of the very rows the
demo loaded (plain INSERT on SQLite, COPY on PostgreSQL, no Python in between), table by
table, in the same run: what loading that data costs at the least.

Runs on a database of its own, made anew (var/bench-demo.sqlite3, or `<db>_bench_demo` next
to DATABASE_URL's PostgreSQL database). The budget is 120 s on the 2-core machine of the
issue; the summary says whether it was kept.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import Any

from bench._common import fresh_database, write_result

BUDGET_S = 120.0
LEDGER = "counter_ledgerentry"


def _tables() -> list[str]:
    from django.apps import apps

    return sorted(
        {
            m._meta.db_table
            for m in apps.get_models(include_auto_created=True)
            if m._meta.managed and not m._meta.proxy
        }
    )


def _counts() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        out = {}
        for table in _tables():
            cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
            out[table] = cursor.fetchone()[0]
    return out


def _steps() -> list[tuple[str, Callable[[], Any]]]:
    from django.conf import settings
    from django.core.management import call_command
    from django.utils.module_loading import import_string

    from buudien.core import reference
    from buudien.network.admin_units import load_admin_units

    steps: list[tuple[str, Callable[[], Any]]] = [
        ("migrate", lambda: call_command("migrate", verbosity=0, interactive=False)),
        ("load_admin_units", load_admin_units),
        ("load_reference", reference.load),
    ]
    return steps + [(dotted, import_string(dotted)) for dotted in settings.BUUDIEN_DEMO_STEPS]


def _run() -> tuple[dict[str, float], dict[str, int]]:
    """Each step's time, and the rows each table holds at the end."""
    from buudien.core.bulk import loading

    times: dict[str, float] = {}
    before = dict.fromkeys(_tables(), 0)
    with loading():
        return _timed(times, before)


def _timed(
    times: dict[str, float], before: dict[str, int]
) -> tuple[dict[str, float], dict[str, int]]:
    for name, step in _steps():
        start = time.perf_counter()
        step()
        times[name] = time.perf_counter() - start
        after = _counts()
        loaded = {t: after[t] - before.get(t, 0) for t in after if after[t] != before.get(t, 0)}
        biggest = sorted(loaded.items(), key=lambda kv: -kv[1])[:3]
        print(
            f"  {name:<30} {times[name]:6.1f} s  {sum(loaded.values()):>10,} rows"
            + ("  (" + ", ".join(f"{t} {n:,}" for t, n in biggest) + ")" if biggest else ""),
            flush=True,
        )
        before = after
    return times, before


def _as_stored(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row back as SQLite stores it: a time of day is read as `datetime.time` (the column's
    declared type) but written as its text."""
    return tuple(v.isoformat() if isinstance(v, dt.time) else v for v in row)


def _reinsert(table: str) -> float:
    """Read a table's rows as the database gives them, empty it, insert them back raw; the
    time of the insert alone."""
    from django.db import connection, transaction

    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {quote(table)}")
        names = [c[0] for c in cursor.description]
        columns = ", ".join(quote(n) for n in names)
        rows = cursor.fetchall()
        cursor.execute(f"DELETE FROM {quote(table)}")
        start = time.perf_counter()
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {quote(table)} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(names))
            rows = [_as_stored(row) for row in rows]
            cursor.executemany(f"INSERT INTO {quote(table)} ({columns}) VALUES ({marks})", rows)
        return time.perf_counter() - start


def main() -> None:
    database = fresh_database("demo")
    print(f"demo [{database}]: migrate, reference data and the demo builders, step by step")
    times, rows = _run()
    total = sum(times.values())
    loaded = {t: n for t, n in rows.items() if n}
    from buudien.core.bulk import loading

    with loading():  # the same loading settings as the demo's
        raw = sum(_reinsert(t) for t in sorted(loaded, key=lambda t: -loaded[t]))
    write_result(
        name="demo",
        database=database,
        n=sum(loaded.values()),
        median_s=total,
        baseline="the same rows inserted raw by the database (INSERT or COPY), table by table",
        baseline_median_s=raw,
        extra={
            "rows_ledger": loaded.get(LEDGER, 0),
            "rows_by_table": loaded,
            "steps_s": {name: round(s, 2) for name, s in times.items()},
            "rows_per_s": round(sum(loaded.values()) / total),
            "budget_s": BUDGET_S,
            "within_budget": total <= BUDGET_S,
        },
    )
    verdict = "within" if total <= BUDGET_S else "OVER"
    print(f"  {total:.1f} s in all, {verdict} the {BUDGET_S:.0f} s budget")


if __name__ == "__main__":
    main()
