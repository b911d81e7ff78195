"""Charts as inline SVG, so the page and the PDF show the very same drawing."""

from __future__ import annotations

from html import escape

from django.utils.safestring import SafeString, mark_safe

from buudien.core.money import format_short

COLORS = {"delivery": "#d4221e", "finance": "#0b5cad", "media": "#1b7f3b", "plan": "#a86400"}


def _svg(width: int, height: int, body: str, title: str) -> SafeString:
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" '
        f'font-family="DejaVu Sans, sans-serif" font-size="11">'
        f"<title>{escape(title)}</title>{body}</svg>"
    )


def monthly_vs_plan(monthly: list[tuple[int, int, int | None]], title: str) -> SafeString:
    """Bars of monthly revenue with the plan as a line."""
    width, height, pad = 640, 240, 40
    top = max([a for _, a, _ in monthly] + [p or 0 for _, _, p in monthly] + [1])
    step = (width - 2 * pad) / max(len(monthly), 1)
    body = [
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" '
        'stroke="#888"/>'
    ]
    points = []
    for i, (month, actual, plan) in enumerate(monthly):
        x = pad + i * step
        h = (height - 2 * pad) * actual / top
        body.append(
            f'<rect x="{x + step * 0.15:.1f}" y="{height - pad - h:.1f}" '
            f'width="{step * 0.7:.1f}" height="{h:.1f}" fill="{COLORS["finance"]}">'
            f"<title>T{month}: {escape(format_short(actual))}</title></rect>"
        )
        body.append(
            f'<text x="{x + step / 2:.1f}" y="{height - pad + 14}" '
            f'text-anchor="middle">T{month}</text>'
        )
        if plan is not None:
            y = height - pad - (height - 2 * pad) * plan / top
            points.append(f"{x + step / 2:.1f},{y:.1f}")
    if points:
        body.append(
            f'<polyline points="{" ".join(points)}" fill="none" '
            f'stroke="{COLORS["plan"]}" stroke-width="2"/>'
        )
    body.append(f'<text x="{pad}" y="16">{escape(title)}</text>')
    body.append(
        f'<text x="{width - pad}" y="16" text-anchor="end" fill="{COLORS["plan"]}">— KH</text>'
    )
    return _svg(width, height, "".join(body), title)


def line_mix(parts: list[tuple[str, str, int]], title: str) -> SafeString:
    """One stacked bar: the share of each business line."""
    width, height = 640, 90
    total = sum(v for _, _, v in parts) or 1
    x = 10.0
    body = [f'<text x="10" y="16">{escape(title)}</text>']
    for key, label, value in parts:
        w = (width - 20) * value / total
        share = (200 * value + total) // (2 * total)
        body.append(
            f'<rect x="{x:.1f}" y="26" width="{w:.1f}" height="28" '
            f'fill="{COLORS.get(key, "#777")}"><title>{escape(label)}</title></rect>'
        )
        if w > 60:
            body.append(f'<text x="{x + 4:.1f}" y="45" fill="#fff">{share}%</text>')
        body.append(f'<text x="{x + 2:.1f}" y="72">{escape(label)}</text>')
        x += w
    return _svg(width, height, "".join(body), title)


def ranking(rows: list[tuple[str, int]], title: str) -> SafeString:
    """Horizontal bars, one per point."""
    width, bar = 640, 18
    height = 30 + bar * len(rows)
    top = max([v for _, v in rows] + [1])
    body = [f'<text x="10" y="16">{escape(title)}</text>']
    for i, (name, value) in enumerate(rows):
        y = 24 + i * bar
        w = 300 * value / top
        body.append(f'<text x="10" y="{y + 12}">{escape(name[:38])}</text>')
        body.append(
            f'<rect x="250" y="{y + 2}" width="{w:.1f}" height="{bar - 4}" '
            f'fill="{COLORS["delivery"]}"/>'
        )
        body.append(f'<text x="{256 + w:.1f}" y="{y + 12}">{escape(format_short(value))}</text>')
    return _svg(width, height, "".join(body), title)
