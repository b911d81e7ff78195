"""The procedure catalogue from the agencies' Excel file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from buudien.core import permissions
from buudien.core.excel import ImportReport, run_import
from buudien.core.uploads import check_upload
from buudien.dossiers.importers import ProcedureImport

if TYPE_CHECKING:
    from buudien.core.models import User


def import_procedures(*, actor: User, upload: Any) -> ImportReport:
    """The procedure catalogue from Excel: the role first, then the file, then the rows."""
    permissions.require(actor, "dossiers.import_procedures")
    check_upload(upload, kinds=("xlsx",), field="file")
    return run_import(ProcedureImport(), upload, actor=actor)
