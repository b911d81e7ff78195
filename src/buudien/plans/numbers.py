"""How figures are held: percentages in hundredths, exact values rounded as accountants do.

Plain helpers, not models: other apps (reports) use them as they are."""

from __future__ import annotations

from fractions import Fraction

# A percent indicator's value is in hundredths of a percent: 7112 is 71,12%.
PERCENT_SCALE = 100


def round_half_away(value: Fraction) -> int:
    """The whole number nearest to an exact value, halves away from zero (as accountants do)."""
    whole = (abs(value.numerator) * 2 + value.denominator) // (2 * value.denominator)
    return whole if value >= 0 else -whole
