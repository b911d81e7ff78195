"""Charts as inline SVG, so the page and the PDF show the very same drawing.

Every chart has a title, a legend, a value axis with its unit (đồng read in tỷ or triệu) and
margins computed from its longest label, so nothing is cut off in the page or the PDF; the
<title> and <desc> are its text alternative.
"""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from buudien.core.money import format_number, format_short

COLORS = {"delivery": "#d4221e", "finance": "#0b5cad", "media": "#1b7f3b", "plan": "#a86400"}
FONT = 11
CHAR = 6.4  # average advance of a character at 11 px, to size margins from label lengths
TY, TRIEU = 1_000_000_000, 1_000_000


def _svg(width: int, height: int, body: str, title: str, desc: str) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" class="chart" '
        f'font-family="DejaVu Sans, sans-serif" font-size="{FONT}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>{body}</svg>"
    )


def _text(x: float, y: float, text: str, extra: str = "") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}"{extra}>{escape(text)}</text>'


def money_scale(top: int) -> tuple[int, str]:
    """The divisor and the unit of a money axis: tỷ đồng, triệu đồng or đồng."""
    if top >= TY:
        return TY, _("tỷ đồng")
    if top >= TRIEU:
        return TRIEU, _("triệu đồng")
    return 1, _("đồng")


def _nice_step(top: float, ticks: int = 4) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about `ticks` gridlines."""
    raw = max(top / ticks, 1e-9)
    power = 10 ** len(str(int(raw))) / 10 if raw >= 1 else 1.0
    while power > raw:
        power /= 10
    for factor in (1, 2, 5, 10):
        if factor * power >= raw:
            return factor * power
    return 10 * power


def _tick_label(value: float) -> str:
    """A tick value with the Vietnamese decimal comma: 1,5 · 20 · 1.200."""
    if value == int(value):
        return format_number(int(value))
    return f"{value:.1f}".replace(".", ",")


def _legend(x: float, y: float, items: list[tuple[str, str, bool]]) -> tuple[str, float]:
    """Legend swatches (a bar or a line) side by side from x; returns the drawing and its end."""
    out = []
    for label, color, line in items:
        if line:
            out.append(
                f'<line x1="{x:.1f}" y1="{y - 4:.1f}" x2="{x + 16:.1f}" y2="{y - 4:.1f}" '
                f'stroke="{color}" stroke-width="2"/>'
            )
        else:
            out.append(f'<rect x="{x:.1f}" y="{y - 9:.1f}" width="12" height="10" fill="{color}"/>')
        out.append(_text(x + 20, y, label))
        x += 20 + len(label) * CHAR + 14
    return "".join(out), x


def monthly_vs_plan(monthly: list[tuple[int, int, int | None]], title: str) -> SafeString:
    """Bars of monthly revenue with the plan as a line, on a value axis in tỷ or triệu đồng."""
    width, height, bottom, top_pad = 640, 260, 28, 48
    peak = max([a for _, a, _ in monthly] + [p or 0 for _, _, p in monthly] + [1])
    divisor, unit = money_scale(peak)
    step = _nice_step(peak / divisor)
    ticks = [step * i for i in range(int(peak / divisor / step) + 2)]
    axis_top = ticks[-1] * divisor
    left = 10 + max(len(_tick_label(t)) for t in ticks) * CHAR
    plot_h = height - bottom - top_pad
    band = (width - left - 10) / max(len(monthly), 1)

    def y_of(value: float) -> float:
        return height - bottom - plot_h * value / axis_top

    body = [_text(0, 14, title, ' font-weight="bold"'), _text(0, 32, f"({unit})", ' fill="#555"')]
    legend, _end = _legend(
        width * 0.45,
        32,
        [(_("Thực hiện"), COLORS["finance"], False), (_("Kế hoạch"), COLORS["plan"], True)],
    )
    body.append(legend)
    for t in ticks:
        y = y_of(t * divisor)
        body.append(
            f'<line x1="{left:.1f}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#e3e7ec"/>'
        )
        body.append(_text(left - 4, y + 4, _tick_label(t), ' text-anchor="end" fill="#444"'))
    points = []
    desc = []
    for i, (month, actual, plan) in enumerate(monthly):
        x = left + i * band
        y = y_of(actual)
        body.append(
            f'<rect x="{x + band * 0.18:.1f}" y="{y:.1f}" width="{band * 0.64:.1f}" '
            f'height="{height - bottom - y:.1f}" fill="{COLORS["finance"]}">'
            f"<title>T{month}: {escape(format_short(actual))}</title></rect>"
        )
        body.append(_text(x + band / 2, height - bottom + 15, f"T{month}", ' text-anchor="middle"'))
        desc.append(f"T{month}: {format_short(actual)}")
        if plan is not None:
            points.append(f"{x + band / 2:.1f},{y_of(plan):.1f}")
            desc[-1] += f" / {_('KH')} {format_short(plan)}"
    body.append(
        f'<line x1="{left:.1f}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" '
        'stroke="#888"/>'
    )
    if points:
        body.append(
            f'<polyline points="{" ".join(points)}" fill="none" '
            f'stroke="{COLORS["plan"]}" stroke-width="2"/>'
        )
    return _svg(width, height, "".join(body), title, "; ".join(desc))


def line_mix(parts: list[tuple[str, str, int]], title: str) -> SafeString:
    """One stacked bar: the share of each business line, with a legend giving each share."""
    width = 640
    total = sum(v for _, _, v in parts) or 1
    shares = [(key, label, (200 * value + total) // (2 * total)) for key, label, value in parts]
    body = [_text(0, 14, title, ' font-weight="bold"')]
    x = 0.0
    for key, label, value in parts:
        w = width * value / total
        body.append(
            f'<rect x="{x:.1f}" y="24" width="{w:.1f}" height="28" '
            f'fill="{COLORS.get(key, "#777")}"><title>{escape(label)}</title></rect>'
        )
        x += w
    # One legend line per business line: never overlapping, however thin its slice.
    for i, (key, label, share) in enumerate(shares):
        y = 72 + i * 17
        body.append(
            f'<rect x="0" y="{y - 9}" width="12" height="10" fill="{COLORS.get(key, "#777")}"/>'
        )
        body.append(_text(20, y, f"{label}: {share}%"))
    height = 72 + 17 * len(shares)
    desc = "; ".join(f"{label}: {share}%" for _, label, share in shares)
    return _svg(width, height, "".join(body), title, desc)


def _shorten(name: str, limit: int) -> str:
    return name if len(name) <= limit else name[: limit - 1].rstrip() + "…"


def ranking(rows: list[tuple[str, int]], title: str) -> SafeString:
    """Horizontal bars, one per point, each with its name and its figure (triệu đồng/tháng)."""
    width, bar, head = 640, 20, 40
    names = [_shorten(name, 34) for name, _ in rows]
    left = 8 + max([len(n) for n in names] + [4]) * CHAR
    peak = max([v for _, v in rows] + [1])
    value_room = 8 + max([len(format_short(v)) for _, v in rows] + [4]) * CHAR
    span = width - left - value_room
    height = head + bar * len(rows) + 6
    body = [
        _text(0, 14, title, ' font-weight="bold"'),
        _text(0, 30, _("(đồng/điểm/tháng)"), ' fill="#555"'),
    ]
    for i, (name, (_full, value)) in enumerate(zip(names, rows, strict=True)):
        y = head + i * bar
        w = span * value / peak
        body.append(_text(left - 6, y + 14, name, ' text-anchor="end"'))
        body.append(
            f'<rect x="{left:.1f}" y="{y + 3}" width="{w:.1f}" height="{bar - 6}" '
            f'fill="{COLORS["delivery"]}"/>'
        )
        body.append(_text(left + w + 4, y + 14, format_short(value)))
    desc = "; ".join(f"{n}: {format_short(v)}" for n, (_f, v) in zip(names, rows, strict=True))
    return _svg(width, height, "".join(body), title, desc)
