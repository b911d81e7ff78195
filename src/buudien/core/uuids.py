"""Record keys: UUIDv7, made by whoever creates the record (a point offline too).

Inside one operation of point mode the keys are drawn from the operation's own id
(`seeded`), so the province, applying the same operation through the same service, makes
the same keys: a shift opened offline is found by the entries pushed after it."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import uuid6


@dataclass
class _Seed:
    base: bytes
    ms: int
    drawn: int = 0


_seed: ContextVar[_Seed | None] = ContextVar("uuid_seed", default=None)


def derived(base: bytes, ms: int, n: int) -> uuid.UUID:
    """A UUIDv7 of the time `ms` whose other bits come from (`base`, `n`)."""
    digest = int.from_bytes(hashlib.sha256(base + n.to_bytes(8, "big")).digest()[:10], "big")
    rand_a = digest >> 68 & 0xFFF
    rand_b = digest & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rand_a << 64 | 0b10 << 62 | rand_b
    return uuid.UUID(int=value)


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (v7): generated on the client, sorts by creation."""
    seed = _seed.get()
    if seed is not None:
        seed.drawn += 1
        return derived(seed.base, seed.ms, seed.drawn)
    return uuid.UUID(int=uuid6.uuid7().int)


@contextmanager
def seeded(op_id: uuid.UUID) -> Iterator[None]:
    """Keys made inside follow from `op_id`: the same on the point and at the province."""
    ms = op_id.int >> 80
    token = _seed.set(_Seed(base=op_id.bytes, ms=ms))
    try:
        yield
    finally:
        _seed.reset(token)
