"""Fast bulk inserts for imports of tens of thousands of rows (no model instances)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models


def _converter(field: models.Field[Any, Any]) -> Callable[[Any], Any]:
    ops = connection.ops
    if isinstance(field, models.UUIDField) or (
        isinstance(field, models.ForeignKey) and isinstance(field.target_field, models.UUIDField)
    ):
        if connection.vendor == "postgresql":
            return lambda v: v
        return lambda v: v.hex if isinstance(v, uuid.UUID) else v
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value  # type: ignore[no-any-return]
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value  # type: ignore[no-any-return]
    if isinstance(field, models.JSONField):
        return lambda v: field.get_db_prep_save(v, connection)
    return lambda v: v


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
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(tuple(c(v) for c, v in zip(convert, row, strict=True)))
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
            for row in rows:
                copy.write_row([c(v) for c, v in zip(convert, row, strict=True)])
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
