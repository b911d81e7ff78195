"""The mail API: items and customers, delivery and COD, bags, routes and exceptions, each
mounted under /api/mail/; public tracking under /api/public/."""

from __future__ import annotations

from buudien.mail.api import counter, delivery, network, ordinary
from buudien.mail.api.public import router as public_router

routers = (counter.router, delivery.router, network.router, ordinary.router)

__all__ = ["public_router", "routers"]
