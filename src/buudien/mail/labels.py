"""The printed label of an item: its S10 id as a Code 128 barcode, inline SVG for the page."""

from __future__ import annotations

import re

import barcode  # type: ignore[import-untyped]
from barcode.writer import SVGWriter  # type: ignore[import-untyped]

from buudien.core import s10

# Code 128 carries printable ASCII; what we draw is an S10 id, checked before it is drawn.
_PRINTABLE = re.compile(r"^[\x20-\x7e]{1,40}$")
# The site's CSP refuses inline style attributes: the writer's fills become plain attributes.
_STYLE_FILL = re.compile(r'style="fill:(black|white);?"')
LABEL_SIZES = {"a6": ("105mm", "148mm"), "100x150": ("100mm", "150mm")}


def code128_svg(text: str) -> str:
    """The barcode of an S10 id as an `<svg>` element (no XML prologue), text left out: the
    page prints the id itself in large type."""
    value = s10.parse(text)
    if not _PRINTABLE.match(value):  # s10.parse gives letters and digits; kept as a guard
        raise ValueError(value)
    drawn = barcode.get("code128", value, writer=SVGWriter())
    options = {"write_text": False, "module_width": 0.3, "module_height": 14.0, "quiet_zone": 3.0}
    svg = drawn.render(options)
    markup = svg.decode("utf-8")
    start = markup.index("<svg")
    markup = _STYLE_FILL.sub(r'fill="\1"', markup[start:])
    return markup.replace("<svg ", f'<svg role="img" aria-label="{value}" class="barcode" ', 1)
