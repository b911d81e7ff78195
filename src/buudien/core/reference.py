"""Reference data shipped with the package: versioned files loaded by `buudien load_reference`.

Each app that owns reference data (the service catalogue and its tariffs, indicators,
procedures, the working calendar, payout programmes, the province's agencies) declares its
sets in `<app>/reference.py` as `SETS = [ModelSet(...), ...]`, each read from a JSON file in
`<app>/reference/`:

    {"set": "counter.services", "version": 2, "items": [{"code": "BC-THU", ...}, ...]}

Loading is idempotent. For each record the values last loaded from the file are kept
(`ReferenceRecord`); a newer file changes a field only where the database still holds what the
previous file set, so what an administrator edited in the back office stays. Sets load in the
order of INSTALLED_APPS, then of each app's SETS, so a set may refer to the sets before it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db import models, transaction

from buudien.core.models import ReferenceRecord

Resolver = Callable[[dict[str, Any]], dict[str, Any]]


def _identity(values: dict[str, Any]) -> dict[str, Any]:
    return dict(values)


@dataclass(frozen=True)
class ModelSet:
    """One file of records of one model, matched on a natural key.

    `resolve` turns a file item into model field values (codes into related records, text into
    dates); `key` names the model fields that identify a record."""

    name: str
    file: Path
    model: type[models.Model]
    key: tuple[str, ...]
    resolve: Resolver = _identity

    def read(self) -> tuple[int, list[dict[str, Any]]]:
        data = json.loads(self.file.read_text(encoding="utf-8"))
        if data.get("set") != self.name:
            raise ValueError(f"{self.file}: expected set {self.name!r}, found {data.get('set')!r}")
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
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.name} v{self.version}: {self.created} mới, {self.updated} cập nhật, "
            f"{self.unchanged} không đổi, {self.kept} trường giữ bản sửa của quản trị"
        )


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


def _current(obj: models.Model, name: str) -> Any:
    return comparable(getattr(obj, _attname(type(obj), name)))


def _key_text(values: dict[str, Any], key: tuple[str, ...]) -> str:
    return "|".join(str(comparable(values[k])) for k in key)


def _merge(obj: models.Model, new: dict[str, Any], last: dict[str, Any], outcome: Outcome) -> bool:
    """Apply the file's values where the record still holds what the last file set."""
    changed = False
    for name, value in new.items():
        now = _current(obj, name)
        wanted = comparable(value)
        if now == wanted:
            continue
        if name in last and now != last[name]:
            outcome.kept += 1
            continue
        setattr(obj, name, value)
        changed = True
    return changed


def load_set(model_set: ModelSet) -> Outcome:
    """Load one file: create what is missing, update what the administrator did not edit."""
    version, items = model_set.read()
    outcome = Outcome(model_set.name, version)
    records = {r.key: r for r in ReferenceRecord.objects.filter(set_name=model_set.name)}
    manager = model_set.model._default_manager
    for item in items:
        values = model_set.resolve(item)
        key = _key_text(values, model_set.key)
        lookup = {k: values[k] for k in model_set.key}
        obj = manager.filter(**lookup).first()
        record = records.get(key)
        if obj is None:
            obj = model_set.model(**values)
            _save(obj)
            outcome.created += 1
        elif _merge(obj, values, record.values if record else {}, outcome):
            _save(obj)
            outcome.updated += 1
        else:
            outcome.unchanged += 1
        snapshot = {name: comparable(v) for name, v in values.items()}
        if record is None:
            ReferenceRecord.objects.create(
                set_name=model_set.name, key=key, version=version, values=snapshot
            )
        elif record.values != snapshot or record.version != version:
            record.values, record.version = snapshot, version
            record.save(update_fields=["values", "version"])
    return outcome


def _save(obj: models.Model) -> None:
    refresh = getattr(obj, "refresh_search_text", None)
    if callable(refresh):
        refresh()
    obj.save()


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
    wanted = set(only)
    return [load_set(s) for s in sets() if not wanted or s.name in wanted]


def data_dir(app_file: str) -> Path:
    """The `reference/` folder beside an app's `reference.py`."""
    return Path(app_file).resolve().parent / "reference"
