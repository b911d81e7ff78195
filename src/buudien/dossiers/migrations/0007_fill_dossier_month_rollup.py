"""The monthly rollup of the dossiers a database already holds, counted once when it is
created: the dossier report and the indicators read whole months from it. Self-contained
(the models as they are at this migration), so later changes of the code do not change it."""

from collections.abc import Iterable
from typing import Any

from django.db import migrations
from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

KEYS = ("point_id", "agency_id", "procedure_id", "channel")


def _counted(rows: Iterable[dict[str, Any]], into: dict[tuple[Any, ...], list[int]], at: int):
    for row in rows:
        counts = into.setdefault((row["month"].date(), *(row[k] for k in KEYS)), [0, 0, 0])
        counts[at] += row["n"]
        if at == 1:
            counts[2] += row["ok"]


def fill(apps: Any, schema_editor: Any) -> None:
    dossier = apps.get_model("dossiers", "Dossier")
    rollup = apps.get_model("dossiers", "DossierMonthRollup")
    if rollup.objects.exists() or not dossier.objects.exists():
        return
    sums: dict[tuple[Any, ...], list[int]] = {}
    received = (
        dossier.objects.annotate(month=TruncMonth("received_at"))
        .values("month", *KEYS)
        .annotate(n=Count("pk"))
        .order_by()
    )
    _counted(received, sums, 0)
    returned = (
        dossier.objects.filter(returned_at__isnull=False)
        .annotate(month=TruncMonth("returned_at"))
        .values("month", *KEYS)
        .annotate(n=Count("pk"), ok=Count("pk", filter=Q(returned_at__date__lte=F("due_date"))))
        .order_by()
    )
    _counted(returned, sums, 1)
    rollup.objects.bulk_create(
        [
            rollup(
                month=key[0],
                point_id=key[1],
                agency_id=key[2],
                procedure_id=key[3],
                channel=key[4],
                received=c[0],
                returned=c[1],
                returned_on_time=c[2],
            )
            for key, c in sums.items()
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0006_dossier_month_rollup")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
