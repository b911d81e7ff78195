"""Record keys: UUIDv7, made by whoever creates the record (a point offline too)."""

from __future__ import annotations

import uuid

import uuid6


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (v7): generated on the client, sorts by creation."""
    return uuid.UUID(int=uuid6.uuid7().int)
