"""How a route is tried: the URL and the data for a record inside and outside the scope."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.access.world import World

Builder = Callable[[World, str], Any]


@dataclass(frozen=True)
class Case:
    """One route, tried by every role on the "in" record and the "out" record.

    url:      the path (with its query string) for a side ("in" or "out").
    data:     the POST body for a side: form fields (files as SimpleUploadedFile), or for the
              API the JSON body (multipart when it holds a file).
    marker:   text that shows the side's record on the page; an out-of-scope record's marker
              must never be shown to a role whose scope does not cover it.
    listing:  the route lists records (the "out" record is left out, the page still opens).
    scoped:   False when the route is about no record (a catalogue, a form to fill).
    doer:     the role whose in-scope write must take effect (other roles may then find the
              record already settled, which is a business refusal, not an access one).
    """

    url: Builder
    data: Builder | None = None
    marker: Builder | None = None
    listing: bool = False
    scoped: bool = True
    doer: str | None = None
