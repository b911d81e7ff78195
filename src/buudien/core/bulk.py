"""Fast bulk inserts for imports of tens of thousands of rows (no model instances)."""

from __future__ import annotations

import datetime as dt
import gc
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models


@contextmanager
def loading() -> Iterator[None]:
    """A whole database loaded at once (the demo): on SQLite, a large page cache and, outside
    a transaction, no wait for the disk at each commit, as a bulk loader does; the
    connection's usual settings come back after. A loading cut short is loaded again."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size=-262144")
        unsafe = not connection.in_atomic_block  # SQLite refuses it inside a transaction
        if unsafe:
            cursor.execute("PRAGMA synchronous=OFF")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={cache}")
            if unsafe:
                cursor.execute("PRAGMA synchronous=NORMAL")


@contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection while an import builds its hundreds of thousands of small
    objects (they hold no cycles); the collector would otherwise walk them all, again and
    again. Reference counting still frees everything."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _as_is(value: Any) -> Any:
    return value


def _uuid_hex(value: Any) -> Any:
    return value.hex if isinstance(value, uuid.UUID) else value


def _sqlite_datetime(value: Any) -> Any:
    """What Django's SQLite backend stores for a datetime (naive UTC, as text), without its
    per-value settings lookups: a tenth of the time on a million rows."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is dt.UTC:
            value = value.replace(tzinfo=None)
        elif value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return str(value)
    return value


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.UUIDField) or (
        isinstance(field, models.ForeignKey) and isinstance(field.target_field, models.UUIDField)
    ):
        return _as_is if connection.vendor == "postgresql" else _uuid_hex
    if isinstance(field, models.DateTimeField):
        if connection.vendor == "sqlite":
            return _sqlite_datetime
        return ops.adapt_datetimefield_value  # type: ignore[no-any-return]
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value  # type: ignore[no-any-return]
    if isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_save(v, connection)
    return _as_is


def _converted(
    rows: Iterable[Sequence[Any]], convert: list[Callable[[Any], Any]]
) -> Iterator[Sequence[Any]]:
    """The rows with only the columns that need it converted (most go to the driver as is)."""
    needed = [(i, c) for i, c in enumerate(convert) if c is not _as_is]
    width = len(convert)
    for row in rows:
        if len(row) != width:
            raise ValueError(f"Row has {len(row)} values for {width} columns.")
        if not needed:
            yield row
            continue
        out = list(row)
        for i, c in needed:
            out[i] = c(out[i])
        yield out


def _field(meta: Any, column: str) -> Any:
    try:
        return meta.get_field(column)
    except FieldDoesNotExist:
        return meta.get_field(column.removesuffix("_id"))


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    chunk: int = 5000,
) -> int:
    """INSERT the rows (values in `columns` order, attnames); COPY on PostgreSQL, executemany
    elsewhere; returns the count."""
    meta = model._meta
    fields = [_field(meta, c) for c in columns]
    convert = [_converter(f) for f in fields]  # type: ignore[arg-type]
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    if connection.vendor == "postgresql":
        return _copy(meta.db_table, names, convert, rows)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    done = 0
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in _converted(rows, convert):
            batch.append(row)
            if len(batch) >= chunk:
                cursor.executemany(sql, batch)
                done += len(batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
            done += len(batch)
    return done


def _copy(
    table: str, names: str, convert: list[Callable[[Any], Any]], rows: Iterable[Sequence[Any]]
) -> int:
    done = 0
    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor under Django's wrapper
        sql = f"COPY {connection.ops.quote_name(table)} ({names}) FROM STDIN"
        with raw.copy(sql) as copy:
            for row in _converted(rows, convert):
                copy.write_row(row)
                done += 1
    return done


def id_map(model: type[models.Model], key: str) -> dict[Any, Any]:
    """{key: primary key} for a whole table, read without per-row model conversions; the
    keys come back as the database stores them, which `insert_rows` accepts as they are."""
    meta = model._meta
    pk = meta.pk.column if meta.pk is not None else "id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {connection.ops.quote_name(key)}, {connection.ops.quote_name(pk)} "  # noqa: S608
            f"FROM {connection.ops.quote_name(meta.db_table)}"
        )
        return dict(cursor.fetchall())


def analyze() -> None:
    """Refresh the query planner's statistics after a bulk load, so that it picks the indexes
    the lists need (SQLite, without statistics, reads a large table in the wrong order).
    SQLite samples a thousand rows per index, which takes a second on millions of rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit=1000")
        cursor.execute("ANALYZE")
