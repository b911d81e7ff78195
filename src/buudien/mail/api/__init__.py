"""The mail API: items and customers, delivery and COD, bags, routes and exceptions under
/api/mail/; public tracking under /api/public/."""

from __future__ import annotations

from ninja import Router

from buudien.mail.api import counter, delivery, network
from buudien.mail.api.public import router as public_router

router = Router(tags=["mail"])
router.add_router("", counter.router)
router.add_router("", delivery.router)
router.add_router("", network.router)

__all__ = ["public_router", "router"]
