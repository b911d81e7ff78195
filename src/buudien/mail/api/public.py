"""The mail API: public tracking by S10 id, without logging in (under /api/public/)."""

import datetime as dt
from typing import Annotated

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from ninja import Path, Router, Schema

from buudien.core import s10 as s10_ids
from buudien.core.errors import NotFound
from buudien.core.permissions import guard
from buudien.core.throttle import client_address
from buudien.mail.selectors import public as selectors

router = Router(tags=["public"], auth=None)

S10Path = Annotated[str, Path(max_length=40)]


class TrackStepOut(Schema):
    at: dt.datetime
    status: str
    label: str
    reason: str
    place: str


class TrackOut(Schema):
    s10: str
    service: str
    status: str
    status_label: str
    destination: str
    delivered_to: str
    events: list[TrackStepOut]


@router.get("/track/{s10}", response=TrackOut)
@guard(read="public.track")
def track(request: HttpRequest, response: HttpResponse, s10: S10Path) -> selectors.TrackView:
    """An item's status and events, newest first: 404 for an id no item has, 422 with what
    is wrong for a mistyped one, 429 after too many ids that match nothing."""
    code = s10_ids.parse(s10)
    answer = selectors.look_up(code, address=client_address(request))[0]
    if answer.view is None:
        raise NotFound(answer.unknown)
    patch_cache_control(response, public=True, max_age=60)
    return answer.view
