"""What a commune point's laptop needs of the insurance agency (to be written)."""

from __future__ import annotations


def register() -> None:
    """Register the insurance sections of a point's data."""
