"""How insurance operations travel from a point's laptop (point mode) (to be written)."""

from __future__ import annotations


def register() -> None:
    """Register the insurance kinds with the journal."""
