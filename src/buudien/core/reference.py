"""Reference data shipped with the package: versioned files loaded by `buudien load_reference`.

Each app that owns reference data (the service catalogue and its tariffs, indicators,
procedures, the working calendar, payout programmes, the province's agencies) declares its
sets in `<app>/reference.py` as `SETS = [ModelSet(...), ...]`, each read from a JSON file in
`<app>/reference/`:

    {"set": "counter.services", "version": 2, "items": [{"code": "BC-THU", ...}, ...]}

An item names other records by their codes (`"partner": "BHXH04"`): the set's `refs` say which
model and field a code is looked up in, so a file never holds a database key and an app never
imports another app's models. Text values are read by the model's own fields (an ISO date
becomes a date), and a field the model does not have is refused.

Loading is idempotent. For each record the values last loaded from the file are kept
(`ReferenceRecord`); a newer file changes a field only where the database still holds what the
previous file set, so what an administrator edited in the back office stays, and a record he
deleted is not brought back. Sets load in the order of INSTALLED_APPS, then of each app's SETS,
so a set may refer to the sets before it (and to its own earlier items).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils.translation import gettext as _

from buudien.core.models import ReferenceRecord

Resolver = Callable[[dict[str, Any]], dict[str, Any]]


def _identity(values: dict[str, Any]) -> dict[str, Any]:
    return dict(values)


class ReferenceDataError(ValueError):
    """A reference file that cannot be loaded as it is: nothing of the load is kept."""


@dataclass(frozen=True)
class ModelSet:
    """One file of records of one model, matched on a natural key.

    `key` names the item fields that identify a record; `refs` maps an item field holding a
    code to the model and field the code is found in (`{"partner": ("network.Partner",
    "code")}`); `resolve` adds or reshapes values first (a search text, say); `after` runs once
    the set is loaded (to drop a cache built from it)."""

    name: str
    file: Path
    model: type[models.Model]
    key: tuple[str, ...]
    resolve: Resolver = _identity
    refs: Mapping[str, tuple[str, str]] = field(default_factory=dict, hash=False)
    after: Callable[[], object] | None = None

    def read(self) -> tuple[int, list[dict[str, Any]]]:
        data = json.loads(self.file.read_text(encoding="utf-8"))
        if data.get("set") != self.name:
            raise ReferenceDataError(
                f"{self.file}: expected set {self.name!r}, found {data.get('set')!r}"
            )
        return int(data["version"]), list(data["items"])


@dataclass
class Outcome:
    """What loading one set did."""

    name: str
    version: int
    created: int = 0
    updated: int = 0
    kept: int = 0  # fields an administrator had edited, left as they are
    unchanged: int = 0
    deleted: int = 0  # records an administrator had deleted, not brought back

    @property
    def records(self) -> int:
        return self.created + self.updated + self.unchanged + self.deleted

    def __str__(self) -> str:
        text = _(
            "%(name)s v%(version)s: %(records)s bản ghi — %(created)s mới, %(updated)s cập nhật, "
            "%(unchanged)s không đổi, %(kept)s trường giữ bản sửa của quản trị"
        ) % {
            "name": self.name,
            "version": self.version,
            "records": self.records,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "kept": self.kept,
        }
        if self.deleted:
            text += _(", %(n)s bản ghi quản trị đã xóa không nạp lại") % {"n": self.deleted}
        return text


def comparable(value: Any) -> Any:
    """A field value as JSON data, to compare what is stored with what a file said."""
    if isinstance(value, models.Model):
        return str(value.pk)
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (uuid.UUID, decimal.Decimal)):
        return str(value)
    return value


def _attname(model: type[models.Model], name: str) -> str:
    found = model._meta.get_field(name)
    return str(getattr(found, "attname", name))


class _Codes:
    """Codes of other records to their primary keys, read once per set and on a miss."""

    def __init__(self, model_set: ModelSet) -> None:
        self.model_set = model_set
        self.found: dict[str, dict[Any, Any]] = {}
        for name, (label, lookup) in model_set.refs.items():
            model = apps.get_model(label)
            self.found[name] = dict(model._default_manager.values_list(lookup, "pk"))

    def pk(self, name: str, code: Any) -> Any:
        if code is None:
            return None
        known = self.found[name]
        if code not in known:
            label, lookup = self.model_set.refs[name]
            model = apps.get_model(label)
            pk = model._default_manager.filter(**{lookup: code}).values_list("pk", flat=True)
            if not pk:
                raise ReferenceDataError(
                    f"{self.model_set.name}: {name}={code!r} — no {label} with {lookup}={code!r}"
                    " (is its set loaded before this one?)"
                )
            known[code] = pk[0]
        return known[code]


def _typed(model_set: ModelSet, values: dict[str, Any]) -> dict[str, Any]:
    """The file's values as the model's fields read them (text dates become dates)."""
    out: dict[str, Any] = {}
    for name, value in values.items():
        try:
            found = model_set.model._meta.get_field(name)
        except FieldDoesNotExist:
            found = None
        if not isinstance(found, models.Field):
            raise ReferenceDataError(
                f"{model_set.name}: {model_set.model.__name__} has no field {name!r}"
            )
        out[name] = value if value is None else found.to_python(value)
    return out


def _resolved(model_set: ModelSet, item: dict[str, Any], codes: _Codes) -> dict[str, Any]:
    values = model_set.resolve(item)
    for name in model_set.refs:
        code = values.pop(name, None)
        values[_attname(model_set.model, name)] = codes.pk(name, code)
    return _typed(model_set, values)


def _natural_key(model_set: ModelSet, item: dict[str, Any]) -> str:
    try:
        return "|".join(str(comparable(item[k])) for k in model_set.key)
    except KeyError as exc:
        raise ReferenceDataError(
            f"{model_set.name}: an item has no {exc.args[0]!r}: {item}"
        ) from exc


def _merge(obj: models.Model, new: dict[str, Any], last: dict[str, Any], outcome: Outcome) -> bool:
    """Apply the file's values where the record still holds what the last file set."""
    changed = False
    for name, value in new.items():
        now = comparable(getattr(obj, name))
        wanted = comparable(value)
        if now == wanted:
            continue
        if name in last and now != last[name]:
            outcome.kept += 1
            continue
        setattr(obj, name, value)
        changed = True
    return changed


def _existing(model_set: ModelSet) -> dict[tuple[Any, ...], models.Model]:
    """The model's records by natural key (reference tables are small: read them at once)."""
    names = [_attname(model_set.model, k) for k in model_set.key]
    return {
        tuple(comparable(getattr(obj, n)) for n in names): obj
        for obj in model_set.model._default_manager.all()
    }


def load_set(model_set: ModelSet) -> Outcome:
    """Load one file: create what is missing, update what the administrator did not edit."""
    version, items = model_set.read()
    outcome = Outcome(model_set.name, version)
    records = {r.key: r for r in ReferenceRecord.objects.filter(set_name=model_set.name)}
    existing = _existing(model_set)
    codes = _Codes(model_set)
    names = [_attname(model_set.model, k) for k in model_set.key]
    new_records: list[ReferenceRecord] = []
    seen: set[str] = set()
    for item in items:
        key = _natural_key(model_set, item)
        if key in seen:
            raise ReferenceDataError(f"{model_set.name}: {key!r} appears twice in {model_set.file}")
        seen.add(key)
        values = _resolved(model_set, item, codes)
        record = records.get(key)
        found = tuple(comparable(values[n]) for n in names)
        obj = existing.get(found)
        if obj is None and record is not None:
            outcome.deleted += 1
            continue
        if obj is None:
            obj = existing[found] = model_set.model(**values)
            obj.save(force_insert=True)
            outcome.created += 1
        elif _merge(obj, values, record.values if record else {}, outcome):
            obj.save()
            outcome.updated += 1
        else:
            outcome.unchanged += 1
        snapshot = {name: comparable(v) for name, v in values.items()}
        if record is None:
            new_records.append(
                ReferenceRecord(set_name=model_set.name, key=key, version=version, values=snapshot)
            )
        elif record.values != snapshot or record.version != version:
            record.values, record.version = snapshot, version
            record.save(update_fields=["values", "version", "loaded_at"])
    ReferenceRecord.objects.bulk_create(new_records)
    if model_set.after is not None:
        model_set.after()
    return outcome


def sets() -> list[ModelSet]:
    """Every app's reference sets, in dependency order (INSTALLED_APPS, then SETS)."""
    found: list[ModelSet] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("buudien."):
            continue
        try:
            module = import_module(f"{config.name}.reference")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.reference":
                raise
            continue
        found.extend(getattr(module, "SETS", []))
    return found


@transaction.atomic
def load(only: Iterable[str] = ()) -> list[Outcome]:
    """Load every set (or the named ones) in one transaction: all of it, or nothing."""
    every = sets()
    wanted = set(only)
    unknown = wanted - {s.name for s in every}
    if unknown:
        raise ReferenceDataError(
            _("Không có tập danh mục %(names)s; các tập: %(known)s.")
            % {"names": ", ".join(sorted(unknown)), "known": ", ".join(s.name for s in every)}
        )
    return [load_set(s) for s in every if not wanted or s.name in wanted]


def data_dir(app_file: str) -> Path:
    """The `reference/` folder beside an app's `reference.py`."""
    return Path(app_file).resolve().parent / "reference"
