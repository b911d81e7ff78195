"""The intake form's key leaves the free-text note for its own column, unique per point."""

import re
from typing import Any

from django.db import migrations, models

# What intake wrote in the note: "[key]", alone.
KEY_NOTE = re.compile(r"\[([^\[\]\x00-\x1f\x7f]{1,64})\](.*)", re.DOTALL)


def move_keys_out_of_notes(apps: Any, schema_editor: Any) -> None:
    """Each key to its column, the note left with what else it said; when two dossiers of a
    point share a key (two clerks once could), the first received keeps it."""
    dossier = apps.get_model("dossiers", "Dossier")
    taken: set[tuple[Any, str]] = set()
    moved = []
    rows = (
        dossier.objects.filter(note__startswith="[", request_key="")
        .order_by("received_at", "pk")
        .only("pk", "point_id", "note")
    )
    for row in rows.iterator(chunk_size=2000):
        found = KEY_NOTE.fullmatch(row.note)
        if found is None or (row.point_id, found[1]) in taken:
            continue
        taken.add((row.point_id, found[1]))
        row.request_key, row.note = found[1], found[2].strip()
        moved.append(row)
    dossier.objects.bulk_update(moved, ["request_key", "note"], batch_size=1000)


def put_keys_back_in_notes(apps: Any, schema_editor: Any) -> None:
    dossier = apps.get_model("dossiers", "Dossier")
    back = []
    for row in dossier.objects.exclude(request_key="").only("pk", "request_key", "note"):
        row.note = f"[{row.request_key}] {row.note}".strip()
        back.append(row)
    dossier.objects.bulk_update(back, ["note"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("dossiers", "0003_drop_lookupattempt"),
        ("network", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="request_key",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="dossier",
            name="request_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.RunPython(move_keys_out_of_notes, put_keys_back_in_notes, elidable=True),
        migrations.AddConstraint(
            model_name="dossier",
            constraint=models.UniqueConstraint(
                condition=models.Q(("request_key", ""), _negated=True),
                fields=("point", "request_key"),
                name="dossier_request_once_per_point",
            ),
        ),
    ]
