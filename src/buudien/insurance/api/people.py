"""The insurance API: people (to be written)."""

from ninja import Router

router = Router(tags=["insurance"])
