"""Overdue and due-this-week lists for a province with 200,000 dossiers (first page, with the
count) against a bare indexed query for the same rows, in the same run.

BENCH_N sets the number of dossiers (default 200,000).
"""

from __future__ import annotations

import datetime as dt
import os

from bench._common import median_time, setup_django, write_result

N = int(os.environ.get("BENCH_N", "200000"))


def main() -> None:
    database = setup_django("dossiers")
    from django.utils import timezone

    from buudien.core import reference
    from buudien.core.models import User
    from buudien.dossiers import demo as dossiers_demo
    from buudien.dossiers.models import Dossier
    from buudien.dossiers.selectors import DueFilter, due_list, late_days
    from buudien.dossiers.services import OPEN_STATES
    from buudien.network import demo as network_demo

    reference.load()  # the demo builders assume the reference data is there
    network_demo.build()
    if Dossier.objects.count() < N:
        Dossier.objects.all().delete()
        dossiers_demo.build(N)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cur:  # what autovacuum does after a bulk load
            cur.execute("ANALYZE")
    user = User.objects.get(username="tinh")
    today = timezone.localdate()
    week_end = today + dt.timedelta(days=6 - today.weekday())

    def page(which: str) -> None:
        qs = due_list(user, DueFilter(which=which), today)
        rows = [(d, late_days(d, today)) for d in qs[:50]]
        assert qs.count() >= len(rows)

    def bare(which: str) -> None:
        qs = Dossier.objects.filter(status__in=OPEN_STATES)
        qs = (
            qs.filter(step_due__lt=today)
            if which == "overdue"
            else qs.filter(step_due__gte=today, step_due__lte=week_end)
        )
        rows = list(
            qs.select_related("procedure", "point", "agency").order_by("step_due", "code")[:50]
        )
        assert qs.count() >= len(rows)

    n = Dossier.objects.count()
    for which, name in (("overdue", "dossiers_overdue"), ("week", "dossiers_due_this_week")):
        base = median_time(lambda w=which: bare(w), repeat=21)
        ours = median_time(lambda w=which: page(w), repeat=21)
        write_result(
            name=name,
            database=database,
            n=n,
            median_s=ours,
            baseline="bare indexed ORM query for the same first page and count",
            baseline_median_s=base,
        )


if __name__ == "__main__":
    main()
