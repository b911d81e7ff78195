from __future__ import annotations

from buudien.dossiers.models import Procedure
from buudien.dossiers.services import DocumentIn

CITIZEN = {
    "citizen_name": "Nông Thị Hoa",
    "citizen_id": "004185001234",
    "phone": "0912345678",
    "address": "Thôn Nà Lẹng, xã Đức Long",
}


def full_documents(procedure: Procedure) -> list[DocumentIn]:
    return [
        DocumentIn(
            required_id=r.pk,
            name=r.name,
            form="original" if r.form != "copy" else "copy",
            count=r.copies,
        )
        for r in procedure.documents.all()
    ]
