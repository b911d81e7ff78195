"""The insurance API: agency (to be written)."""

from ninja import Router

router = Router(tags=["insurance"])
