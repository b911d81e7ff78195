"""Indicators computed by the apps that own them; `plans` and `reports` ask here, not the apps.

An app whose activity an indicator counts ships an `indicators` module beside its models:

    # dossiers/indicators.py
    INDICATORS = (  # code, measure, how it adds up the tree
        ("HS_NHAN", "dossiers", "sum"),
        ("HS_TRA", "dossiers", "sum"),
    )

    def compute(*, user, codes, unit_paths, start, end) -> dict[str, dict[str, int | None]]:
        '''Each subtree's figures over the days start..end, from the app's own rollups.'''

The registry finds these modules in INSTALLED_APPS when first asked, so a new module (mail,
insurance, market) adds its indicators to the plans, the reports and the narrative without
`plans` or `reports` importing it. The indicator's name, order and plan rules are reference
data (`plans/reference/indicators.json`); `mismatches` says where the two disagree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import import_module
from typing import Protocol

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from buudien.core.scoping import Actor
from buudien.plans.models import Indicator

MODULE = "indicators"
Figures = Mapping[str, Mapping[str, int | None]]


class Compute(Protocol):
    """An app's one function: its figures for each unit subtree over a span of days."""

    def __call__(
        self,
        *,
        user: Actor,
        codes: frozenset[str],
        unit_paths: Sequence[str],
        start: dt.date,
        end: dt.date,
    ) -> Figures: ...


class ComputeMonths(Protocol):
    """Optional: the same figures for several spans at once (a trend line), one per span."""

    def __call__(
        self,
        *,
        user: Actor,
        codes: frozenset[str],
        unit_paths: Sequence[str],
        spans: Sequence[tuple[dt.date, dt.date]],
    ) -> Sequence[Figures]: ...


@dataclass(frozen=True)
class Registered:
    """One indicator as its owning app declares it."""

    code: str
    measure: str
    aggregation: str
    app: str
    compute: Compute
    compute_months: ComputeMonths | None = None


def _declared(app: str, module: object) -> list[Registered]:
    """An app's declarations, checked: known measures and aggregations, and a compute."""
    compute = getattr(module, "compute", None)
    rows = getattr(module, "INDICATORS", None)
    if not callable(compute) or not isinstance(rows, Sequence):
        raise ImproperlyConfigured(f"{app}.{MODULE} needs INDICATORS and compute()")
    found = []
    for code, measure, aggregation in rows:
        if measure not in Indicator.Measure.values:
            raise ImproperlyConfigured(f"{app}.{MODULE}: {code} has unknown measure {measure!r}")
        if aggregation not in Indicator.Aggregation.values:
            raise ImproperlyConfigured(
                f"{app}.{MODULE}: {code} has unknown aggregation {aggregation!r}"
            )
        found.append(
            Registered(
                code, measure, aggregation, app, compute, getattr(module, "compute_months", None)
            )
        )
    return found


def installed() -> list[tuple[str, str]]:
    """(module name, label) of the project's installed apps."""
    return [(c.name, c.label) for c in apps.get_app_configs() if c.name.startswith("buudien.")]


@lru_cache(maxsize=1)
def registered() -> dict[str, Registered]:
    """Every indicator an installed app computes, by code; two owners of one code is an error."""
    found: dict[str, Registered] = {}
    for name, label in installed():
        try:
            module = import_module(f"{name}.{MODULE}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{name}.{MODULE}":
                raise
            continue
        for item in _declared(label, module):
            if item.code in found:
                raise ImproperlyConfigured(
                    f"{item.code} is computed by both {found[item.code].app} and {item.app}"
                )
            found[item.code] = item
    return found


def compute(
    *,
    user: Actor,
    codes: Iterable[str],
    unit_paths: Sequence[str],
    start: dt.date,
    end: dt.date,
) -> dict[str, dict[str, int | None]]:
    """The figures of the asked indicators for each subtree, each app asked once."""
    owners = registered()
    wanted = {c for c in codes if c in owners}
    out: dict[str, dict[str, int | None]] = {p: dict.fromkeys(wanted) for p in unit_paths}
    by_app: dict[str, set[str]] = {}
    for code in wanted:
        by_app.setdefault(owners[code].app, set()).add(code)
    for app_codes in by_app.values():
        fn = owners[next(iter(app_codes))].compute
        figures = fn(
            user=user, codes=frozenset(app_codes), unit_paths=unit_paths, start=start, end=end
        )
        for path in unit_paths:
            got = figures.get(path, {})
            for code in app_codes:
                out[path][code] = got.get(code)
    return out


def series(
    *,
    user: Actor,
    code: str,
    unit_path: str,
    spans: Sequence[tuple[dt.date, dt.date]],
) -> list[int | None]:
    """One indicator's figure of one subtree for each span: in one call when its app can."""
    owner = registered()[code]
    if owner.compute_months is not None:
        found = owner.compute_months(
            user=user, codes=frozenset({code}), unit_paths=[unit_path], spans=spans
        )
        return [f.get(unit_path, {}).get(code) for f in found]
    return [
        compute(user=user, codes=[code], unit_paths=[unit_path], start=a, end=b)[unit_path][code]
        for a, b in spans
    ]


def mismatches(indicators: Iterable[Indicator]) -> list[str]:
    """Where the indicators table and the apps' declarations disagree (empty when they agree)."""
    owners = registered()
    problems = []
    seen = set()
    for ind in indicators:
        seen.add(ind.code)
        owner = owners.get(ind.code)
        if owner is None:
            if ind.source == Indicator.Source.COMPUTED and not ind.derived:
                problems.append(f"{ind.code}: computed, but no app computes it")
            continue
        if ind.source != Indicator.Source.COMPUTED:
            problems.append(f"{ind.code}: {owner.app} computes it, the table says {ind.source}")
        if ind.measure != owner.measure:
            problems.append(f"{ind.code}: measure {ind.measure}, {owner.app} says {owner.measure}")
        if ind.aggregation != owner.aggregation:
            problems.append(
                f"{ind.code}: aggregation {ind.aggregation}, {owner.app} says {owner.aggregation}"
            )
    missing = [code for code in owners if code not in seen]
    return problems + [
        f"{code}: {owners[code].app} computes it, the table lacks it" for code in missing
    ]
