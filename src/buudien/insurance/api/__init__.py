"""The insurance API, mounted under /api/insurance/: people and households, quotes and
payments, renewals, declarations and the rules."""

from __future__ import annotations

from buudien.insurance.api import agency, counter, people

routers = (people.router, counter.router, agency.router)

__all__ = ["routers"]
