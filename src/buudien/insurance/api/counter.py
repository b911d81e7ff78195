"""The insurance API: counter (to be written)."""

from ninja import Router

router = Router(tags=["insurance"])
