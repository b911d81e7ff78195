"""Point mode's outbox: every operation a commune point makes, kept to reach the province.

A service that a point can do offline is marked `@journal.operation("counter.open_session")`.
On a point's laptop the outermost such call writes an `Operation` in the same transaction as
the work itself, with the device's next sequence number and an id derived from it; keys
made inside are derived from that id (`uuids.seeded`) and numbers given out (receipts,
dossier codes) are written down. At the province `sync` applies the operation through the
same service, with the same keys, numbers and time, exactly once.

Each app says how its operations travel (`Kind`: encode the call, apply it back) in its own
`operations.py` and registers them when it starts; `sync` knows this registry, not the apps.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction
from django.db.models import F

from buudien.core import clock, uuids
from buudien.core.errors import DomainError
from buudien.core.ids import mask_citizen_id, mask_phone
from buudien.core.models import Operation, PointDevice

if TYPE_CHECKING:
    from buudien.core.models import User

F_ = TypeVar("F_", bound=Callable[..., Any])
ACTOR_ARGS = ("clerk", "actor")


@dataclass(frozen=True)
class Flag:
    """Something the province found applying an operation that a manager must look at."""

    kind: str  # double_payment, double_collection, dossier_moved, price_difference, …
    message: str
    amount: int = 0
    details: dict[str, Any] = field(default_factory=dict)


class Conflicted(DomainError):
    """The operation clashes with what happened at the province meanwhile: not applied, and
    shown to a manager as a conflict rather than refused as a clerk's mistake."""

    code = "sync.conflict"  # type: ignore[assignment]

    def __init__(self, flag: Flag) -> None:
        super().__init__(flag.message)
        self.flag = flag


@dataclass
class Applying:
    """What the province knows while applying one operation of a device."""

    device_id: uuid.UUID
    point_id: uuid.UUID
    point_code: str
    user: User
    at: dt.datetime
    flags: list[Flag] = field(default_factory=list)

    def flag(self, flag: Flag) -> None:
        self.flags.append(flag)


@dataclass(frozen=True)
class Kind:
    """How one kind of operation travels: its call as small JSON, and back into the call."""

    name: str
    code: str  # its name on the wire: one or two letters
    encode: Callable[[dict[str, Any], Any], dict[str, Any]]
    apply: Callable[[dict[str, Any], Applying], Any]
    # The short keys that hold a citizen id or a phone, at any depth: masked in what the
    # province keeps of the operation once it is applied.
    ids: frozenset[str] = frozenset()
    phones: frozenset[str] = frozenset()

    def masked(self, data: Any) -> Any:
        if isinstance(data, list):
            return [self.masked(v) for v in data]
        if not isinstance(data, dict):
            return data
        out = {}
        for key, value in data.items():
            if key in self.ids and isinstance(value, str):
                out[key] = mask_citizen_id(value)
            elif key in self.phones and isinstance(value, str):
                out[key] = mask_phone(value)
            else:
                out[key] = self.masked(value)
        return out


Fields = tuple[tuple[str, str, Any], ...]  # (argument or attribute, short key, default)


def pack(source: Any, fields: Fields) -> dict[str, Any]:
    """The fields of `source` (an object, or a call's keyword arguments) that differ from
    their default, under their short keys: what travels is only what was said."""
    out = {}
    for attr, key, default in fields:
        value = source.get(attr, default) if isinstance(source, dict) else getattr(source, attr)
        if value != default:
            out[key] = value
    return out


def unpack(data: dict[str, Any], fields: Fields) -> dict[str, Any]:
    """The arguments back from their short keys, defaults where they were left out."""
    return {attr: data.get(key, default) for attr, key, default in fields}


_KINDS: dict[str, Kind] = {}
_BY_CODE: dict[str, Kind] = {}


def register(*kinds: Kind) -> None:
    for kind in kinds:
        _KINDS[kind.name] = kind
        _BY_CODE[kind.code] = kind


def kind(name: str) -> Kind:
    return _KINDS[name]


def kind_by_code(code: str) -> Kind | None:
    return _BY_CODE.get(code)


# --- the device -------------------------------------------------------------------------

_NO_DEVICE = object()
_device: Any = None


def point_device() -> PointDevice | None:
    """This laptop's enrolment, or None at the province (read once per process)."""
    global _device  # noqa: PLW0603 - one read per process, forgotten on enrolment
    if _device is None:
        _device = PointDevice.objects.first() or _NO_DEVICE
    return None if _device is _NO_DEVICE else _device


def forget_device() -> None:
    global _device  # noqa: PLW0603
    _device = None


def operation_id(device_id: uuid.UUID, seq: int, at: dt.datetime) -> uuid.UUID:
    """The operation's UUIDv7: its time, and bits that follow from the device and number;
    the province computes it again from what travels, so it does not travel."""
    base = hashlib.sha256(device_id.bytes + seq.to_bytes(8, "big")).digest()
    return uuids.derived(base, clock.milliseconds(at), 0)


# --- numbers given out inside an operation ----------------------------------------------


@dataclass
class _Numbers:
    replaying: bool
    values: dict[str, list[str]] = field(default_factory=dict)


_numbers: ContextVar[_Numbers | None] = ContextVar("journal_numbers", default=None)
_depth: ContextVar[int] = ContextVar("journal_depth", default=0)


def number(kind: str, make: Callable[[], str]) -> str:
    """A receipt number or code: the one the point gave, when the province applies its
    operation; else a new one (written down when a point gives it)."""
    state = _numbers.get()
    if state is None:
        return make()
    if state.replaying:
        given = state.values.get(kind)
        return given.pop(0) if given else make()
    value = make()
    state.values.setdefault(kind, []).append(value)
    return value


def skip_number(kind: str, position: int) -> None:
    """Leave out the number the point gave to a part the province does not apply."""
    state = _numbers.get()
    given = state.values.get(kind) if state is not None and state.replaying else None
    if given is not None and 0 <= position < len(given):
        given.pop(position)


@contextmanager
def _counting(state: _Numbers) -> Iterator[None]:
    token = _numbers.set(state)
    depth = _depth.set(_depth.get() + 1)
    try:
        yield
    finally:
        _depth.reset(depth)
        _numbers.reset(token)


@contextmanager
def replaying(op_id: uuid.UUID, at: dt.datetime, numbers: dict[str, list[str]]) -> Iterator[None]:
    """The province applies a point's operation: its keys, its numbers, its time."""
    state = _Numbers(replaying=True, values={k: list(v) for k, v in numbers.items()})
    with uuids.seeded(op_id), clock.at(at), _counting(state):
        yield


# --- recording on the point -------------------------------------------------------------


def _actor_name(kwargs: dict[str, Any]) -> str:
    for name in ACTOR_ARGS:
        user = kwargs.get(name)
        if user is not None:
            return str(user.username)
    return ""


def _record(name: str, fn: Callable[..., Any], kwargs: dict[str, Any], device: PointDevice) -> Any:
    with transaction.atomic():
        PointDevice.objects.filter(pk=device.pk).update(next_seq=F("next_seq") + 1)
        seq = PointDevice.objects.values_list("next_seq", flat=True).get(pk=device.pk) - 1
        now = clock.now()
        at = now.replace(microsecond=now.microsecond // 1000 * 1000)
        op_id = operation_id(device.pk, seq, at)
        state = _Numbers(replaying=False)
        with uuids.seeded(op_id), clock.at(at), _counting(state):
            result = fn(**kwargs)
        payload = _KINDS[name].encode(kwargs, result)
        if state.values:
            payload["#"] = state.values
        Operation.objects.create(
            id=op_id, seq=seq, kind=name, at=at, actor=_actor_name(kwargs), payload=payload
        )
    return result


def operation(name: str) -> Callable[[F_], F_]:
    """Mark a service as an operation a point makes and the province applies."""

    def wrap(fn: F_) -> F_:
        @functools.wraps(fn)
        def inner(**kwargs: Any) -> Any:
            device = point_device() if not _depth.get() else None
            if device is None:
                return fn(**kwargs)
            return _record(name, fn, kwargs, device)

        return inner  # type: ignore[return-value]

    return wrap


def pending(limit: int) -> list[Operation]:
    return list(Operation.objects.filter(state=Operation.State.PENDING).order_by("seq")[:limit])


def recording_device() -> str:
    """Which device made an operation: this laptop ("point:<id>") or the web ("web"); the
    province, applying a laptop's operation, gets the laptop's name back."""

    def make() -> str:
        device = point_device()
        return f"point:{device.pk}" if device is not None else "web"

    return number("device", make)
