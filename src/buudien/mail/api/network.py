"""The mail API: network."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["mail"])
