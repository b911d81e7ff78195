"""What an uploaded file must be before anything reads or stores it: its kind and its size."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from buudien.core.errors import DomainError

# The first bytes of each kind of file we accept (an .xlsx is a zip archive).
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "xlsx": (b"PK\x03\x04",),
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def check_upload(
    upload: Any,
    *,
    kinds: Sequence[str] = ("xlsx",),
    max_bytes: int | None = None,
    field: str = "file",
) -> None:
    """Refuse a missing file, a file of another kind or one too large, naming the field."""
    if upload is None:
        raise DomainError(_("Hãy chọn tệp để tải lên."), field=field)
    limit = max_bytes or int(getattr(settings, "BUUDIEN_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))
    size = int(getattr(upload, "size", 0) or 0)
    if size > limit:
        raise DomainError(
            _("Tệp quá lớn (%(size)s MB); tối đa %(max)s MB.")
            % {"size": round(size / 1048576, 1), "max": round(limit / 1048576, 1)},
            field=field,
        )
    if size == 0:
        raise DomainError(_("Tệp rỗng."), field=field)
    name = str(getattr(upload, "name", "") or "").lower()
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    aliases = {"jpeg": "jpg"}
    extension = aliases.get(extension, extension)
    head = _head(upload)
    if extension not in kinds or not head.startswith(SIGNATURES.get(extension, (b"\0\0",))):
        raise DomainError(
            _("Chỉ nhận tệp %(kinds)s.") % {"kinds": ", ".join("." + k for k in kinds)},
            field=field,
        )


def _head(upload: Any) -> bytes:
    position = upload.tell() if hasattr(upload, "tell") else 0
    head = upload.read(8)
    upload.seek(position)
    return bytes(head or b"")
