"""Pull: what a commune point's laptop receives from the province, page by page.

The province (`pull_page`) walks the sections that the apps declare (`core.point_data`), in
order, parents first. A section whose digest (SHA-256 of its rows as they would travel)
equals the one the laptop has is skipped; the others travel in pages of at most `limit`
rows, each model's rows in key order, and every page gives the cursor of the next: the same
request with it continues where the last one stopped, so a pull resumes after a cut. The
server keeps nothing between requests.

The laptop (`apply_page`) applies each page in one transaction: rows are written by key
(inserted or replaced). When a section is complete, its local rows that the province did not
send are retired and deleted, unless something local still holds them (a service the
laptop's own ledger names stays). Rows that name a row the laptop does not have are kept
without that link when it may be empty, else held back; a section with rows held back, or
whose first pages were missed, is not marked as had, so it comes again at the next pull.

Mutable sections (the point's payout lines and open dossiers) carry what the point changes
offline. The laptop asks for them only when none of its operations waits to be pushed (see
`request`): the province's state then already holds everything the point did, so a mutable
section is replaced and swept like any other (a line paid or a dossier returned at the
province leaves the laptop). One that arrives while operations wait is not applied at all:
the point's newer state stays, and the section comes again at the next pull.

A pull, on the laptop: from the stored state (`PointDevice.pull_state`, `{}` at first),
ask the province `pull_page(point_id=..., **request(state))`, keep
`state = apply_page(page, state, store=...)`, and ask again until `state["done"]`. A page
says: `section`, its `digest`, `models` (parents first), `first`, `objects` (Django's
"python" serialization, JSON values), `complete`, the `cursor` of the next request, `next`
(the cursor past this section) and `done`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from django.apps import apps
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializedObject
from django.db import connection, models, transaction
from django.db.models.deletion import ProtectedError, RestrictedError

from buudien.core import journal, point_data
from buudien.core.point_data import Rows, Section

MAX_LIMIT = 2000
_CHUNK = 500


# --- rows as they travel ----------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A value as JSON carries it, exactly: dates and times in ISO form, keys and decimals
    as text."""
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    return value


def _fields_of(model: type[models.Model]) -> list[str]:
    # Only columns travel: nothing the laptop receives needs a many-to-many.
    return [f.name for f in model._meta.local_fields if getattr(f, "serialize", False)]


def _serialize(source: Rows, rows: Iterable[models.Model]) -> list[dict[str, Any]]:
    serializer = serializers.get_serializer("python")()
    out: list[dict[str, Any]] = []
    for row in serializer.serialize(rows, fields=_fields_of(source.queryset.model)):
        row["pk"] = _plain(row["pk"])
        row["fields"] = {k: _plain(v) for k, v in row["fields"].items()}
        out.append(source.shape(row) if source.shape else row)
    return out


def _ordered(source: Rows) -> models.QuerySet[Any]:
    return source.queryset.order_by("pk")


def _label(source: Rows) -> str:
    return str(source.queryset.model._meta.label_lower)


def digest(section: Section, point_id: uuid.UUID) -> str:
    """The fingerprint of a section's rows for a point, as they would travel now."""
    sha = hashlib.sha256()
    for source in section.sources(point_id):
        sha.update(_label(source).encode())
        for chunk in _chunks(_ordered(source).iterator(chunk_size=_CHUNK), _CHUNK):
            for row in _serialize(source, chunk):
                sha.update(json.dumps(row, sort_keys=True, ensure_ascii=False).encode())
                sha.update(b"\n")
    return sha.hexdigest()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# --- the province -----------------------------------------------------------------------


def pull_page(
    *,
    point_id: uuid.UUID,
    have: dict[str, str],
    cursor: dict[str, Any] | None,
    limit: int = 500,
    skip_mutable: bool = False,
) -> dict[str, Any]:
    """The next page of a point's data: rows of one section that the laptop lacks."""
    limit = max(1, min(int(limit), MAX_LIMIT))
    have = have if isinstance(have, dict) else {}
    todo = [s for s in point_data.sections() if not (skip_mutable and s.mutable)]
    start, position = _resume(cursor, todo)
    for index in range(start, len(todo)):
        section = todo[index]
        following = {"s": todo[index + 1].name} if index + 1 < len(todo) else None
        if position is None:
            section_digest = digest(section, point_id)
            if have.get(section.name) == section_digest:
                continue
            position = {"s": section.name, "d": section_digest, "q": 0, "after": None}
        return _page(section, point_id, position, limit, following)
    return {"section": None, "objects": [], "complete": True, "cursor": None, "done": True}


def _resume(
    cursor: dict[str, Any] | None, todo: list[Section]
) -> tuple[int, dict[str, Any] | None]:
    """Where a cursor points: a section, and a place inside it if the section had begun.
    A cursor that makes no sense (another version, another question) starts over."""
    if not isinstance(cursor, dict):
        return 0, None
    names = [s.name for s in todo]
    name = cursor.get("s")
    if name not in names:
        return 0, None
    index = names.index(name)
    q, after, section_digest = cursor.get("q"), cursor.get("after"), cursor.get("d")
    if q is None and after is None and section_digest is None:
        return index, None
    if (
        not isinstance(q, int)
        or isinstance(q, bool)
        or q < 0
        or not isinstance(section_digest, str)
        or not (after is None or isinstance(after, str | int))
    ):
        return 0, None
    return index, {"s": name, "d": section_digest, "q": q, "after": after}


def _page(
    section: Section,
    point_id: uuid.UUID,
    position: dict[str, Any],
    limit: int,
    following: dict[str, Any] | None,
) -> dict[str, Any]:
    sources = section.sources(point_id)
    first = position["q"] == 0 and position["after"] is None
    q, after = position["q"], position["after"]
    objects: list[dict[str, Any]] = []
    while q < len(sources) and len(objects) < limit:
        rows = _ordered(sources[q])
        if after is not None:
            # A place that is no key of this model: its rows again, from the first.
            with contextlib.suppress(ValidationError, TypeError, ValueError):
                rows = rows.filter(pk__gt=rows.model._meta.pk.to_python(after))
        room = limit - len(objects)
        batch = _serialize(sources[q], rows[:room])
        objects.extend(batch)
        if len(batch) < room:
            q, after = q + 1, None
        else:
            after = batch[-1]["pk"]
    complete = q >= len(sources)
    return {
        "section": section.name,
        "digest": position["d"],
        "mutable": section.mutable,
        "models": [_label(s) for s in sources],
        "first": first,
        "objects": objects,
        "complete": complete,
        "cursor": following if complete else {**position, "q": q, "after": after},
        "next": following,
        "done": complete and following is None,
    }


# --- the laptop -------------------------------------------------------------------------


def request(state: dict[str, Any], *, skip_mutable: bool | None = None) -> dict[str, Any]:
    """What the laptop asks next, from its stored pull state: mutable sections only when
    none of its operations waits to be pushed."""
    if skip_mutable is None:
        skip_mutable = bool(journal.pending(1))
    return {
        "have": dict(state.get("have") or {}),
        "cursor": state.get("cursor"),
        "skip_mutable": skip_mutable,
    }


def apply_page(
    page: dict[str, Any],
    state: dict[str, Any],
    *,
    store: Callable[[dict[str, Any]], object] | None = None,
) -> dict[str, Any]:
    """Apply one page in one transaction and return the pull state to keep (`store`, when
    given, keeps it in the same transaction): the digests of the sections had, the cursor
    to go on from, and the keys received so far in the current section."""
    have = dict(state.get("have") or {})
    name = page.get("section")
    if not name:
        new = {"have": have, "cursor": None, "done": True}
        with transaction.atomic():
            if store is not None:
                store(new)
        return new
    with transaction.atomic():
        if page.get("mutable") and journal.pending(1):
            have.pop(name, None)
            following = page.get("next")
            new = {"have": have, "cursor": following, "done": following is None}
        else:
            new = _apply(page, state, have)
        if store is not None:
            store(new)
    return new


def _apply(page: dict[str, Any], state: dict[str, Any], have: dict[str, str]) -> dict[str, Any]:
    name = page["section"]
    if page.get("first") or state.get("section") != name:
        seen: dict[str, set[Any]] = {}
        whole, short = bool(page.get("first")), False
    else:
        seen = {label: set(keys) for label, keys in (state.get("seen") or {}).items()}
        whole, short = bool(state.get("whole")), bool(state.get("short"))
    held = _upsert(page.get("objects") or [], seen)
    short = short or held > 0
    if page.get("complete"):
        if whole:
            _sweep(name, page.get("models") or [], seen)
        if whole and not short:
            have[name] = page["digest"]
        else:
            have.pop(name, None)
        return {"have": have, "cursor": page.get("cursor"), "done": bool(page.get("done"))}
    return {
        "have": have,
        "cursor": page.get("cursor"),
        "done": False,
        "section": name,
        "whole": whole,
        "short": short,
        "seen": {label: sorted(keys, key=str) for label, keys in seen.items()},
    }


def _model(label: Any) -> type[models.Model] | None:
    try:
        return apps.get_model(str(label))
    except (LookupError, ValueError):
        return None


def _links(model: type[models.Model]) -> list[models.ForeignKey[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.ForeignKey) and f.related_model is not None
    ]


class _Known:
    """Which rows the laptop has, to tell a link it can keep from one that points nowhere."""

    def __init__(self, items: list[DeserializedObject]) -> None:
        wanted: dict[tuple[type[models.Model], str], set[Any]] = {}
        for item in items:
            for link in _links(type(item.object)):
                value = getattr(item.object, link.attname)
                if value is not None:
                    wanted.setdefault(self._key(link), set()).add(value)
        self.keys: dict[tuple[type[models.Model], str], set[Any]] = {}
        for (model, attname), values in wanted.items():
            found: set[Any] = set()
            for chunk in _chunks(sorted(values, key=str), _CHUNK):
                rows = model._default_manager.filter(**{f"{attname}__in": chunk})
                found.update(rows.values_list(attname, flat=True))
            self.keys[(model, attname)] = found

    @staticmethod
    def _key(link: models.ForeignKey[Any, Any]) -> tuple[type[models.Model], str]:
        return link.related_model, link.target_field.attname  # type: ignore[return-value]

    def missing(self, obj: models.Model) -> list[models.ForeignKey[Any, Any]]:
        return [
            link
            for link in _links(type(obj))
            if getattr(obj, link.attname) is not None
            and getattr(obj, link.attname) not in self.keys.get(self._key(link), ())
        ]

    def add(self, obj: models.Model) -> None:
        for (model, attname), found in self.keys.items():
            if model is type(obj):
                found.add(getattr(obj, attname))


def _upsert(objects: list[dict[str, Any]], seen: dict[str, set[Any]]) -> int:
    """Write the page's rows by key; return how many were held back (a required link to a
    row the laptop does not have)."""
    known = []
    for row in objects:
        seen.setdefault(row["model"], set()).add(row["pk"])
        if _model(row["model"]) is not None:
            known.append(row)
    items = list(serializers.deserialize("python", known, ignorenonexistent=True))
    rows = _Known(items)
    waiting = items
    blanked = False
    while waiting:
        rest = [item for item in waiting if not _save_if_linked(item, rows)]
        if len(rest) == len(waiting):
            if blanked:
                break
            # Links that may be empty and point nowhere (a partner's unit elsewhere in the
            # province) are dropped on the laptop; the rows are kept.
            for item in rest:
                for link in rows.missing(item.object):
                    if link.null:
                        setattr(item.object, link.attname, None)
            blanked = True
        waiting = rest
    _reset_sequences({type(item.object) for item in items})
    return len(waiting)


def _save_if_linked(item: DeserializedObject, rows: _Known) -> bool:
    if rows.missing(item.object):
        return False
    item.save()
    rows.add(item.object)
    return True


def _reset_sequences(written: set[type[models.Model]]) -> None:
    """Rows written with the province's keys move the laptop's counters past them (SQLite
    does so by itself)."""
    if connection.vendor == "sqlite" or not written:
        return
    statements = connection.ops.sequence_reset_sql(no_style(), list(written))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _sweep(name: str, labels: list[str], seen: dict[str, set[Any]]) -> None:
    """The section's local rows the province no longer sends: retired, and deleted unless
    something local holds them."""
    section = point_data.section(name)
    for label in reversed(labels):
        model = _model(label)
        if model is None:
            continue
        keep = seen.get(label, set())
        local = model._default_manager.values_list("pk", flat=True)
        gone = [pk for pk in local.iterator() if _plain(pk) not in keep]
        for chunk in _chunks(gone, _CHUNK):
            rows = model._default_manager.filter(pk__in=chunk)
            if section is not None and section.retire is not None:
                section.retire(rows)
            _delete(rows)


def _delete(rows: models.QuerySet[Any]) -> None:
    try:
        with transaction.atomic():
            rows.delete()
    except (ProtectedError, RestrictedError):
        for row in rows:
            try:
                with transaction.atomic():
                    row.delete()
            except (ProtectedError, RestrictedError):
                continue
