"""What travels between a point's laptop and the province: small zstandard frames.

Operations go as JSON arrays with their number, kind and time as differences from the one
before, and each kind's call in short keys (see each app's `operations.py`). The frames are
compressed with a dictionary trained on our own operations (`ops.dict`, shipped with the
package), so even a batch of ten costs a few hundred bytes on a 2G link."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import zstandard
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import clock
from buudien.core.errors import DomainError

CONTENT_TYPE = "application/x-buudien+zstd"
DICTIONARY = Path(__file__).with_name("ops.dict")
LEVEL = 19
MAX_FRAME = 8 * 1024 * 1024  # what one frame may grow to once decompressed


@cache
def _dictionary() -> zstandard.ZstdCompressionDict | None:
    if not DICTIONARY.exists():
        return None
    return zstandard.ZstdCompressionDict(DICTIONARY.read_bytes())


def pack(data: Any) -> bytes:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    found = _dictionary()
    if found is None:
        return zstandard.ZstdCompressor(level=LEVEL).compress(text)
    return zstandard.ZstdCompressor(level=LEVEL, dict_data=found).compress(text)


def unpack(body: bytes) -> Any:
    """The frame's JSON, or a message saying it is not one of ours."""
    try:
        found = _dictionary()
        reader = (
            zstandard.ZstdDecompressor(dict_data=found)
            if found is not None
            else zstandard.ZstdDecompressor()
        )
        text = reader.decompress(body, max_output_size=MAX_FRAME)
        return json.loads(text)
    except (zstandard.ZstdError, ValueError, UnicodeDecodeError) as exc:
        raise DomainError(_("Gói dữ liệu đồng bộ không đọc được."), field="body") from exc


@dataclass(frozen=True)
class WireOp:
    seq: int
    code: str
    at: dt.datetime
    actor: str
    payload: dict[str, Any]


def encode_ops(ops: list[WireOp], *, backlog: int) -> bytes:
    """A batch: [seq step, kind, ms step, actor or 0 when the same, payload] per operation."""
    rows: list[list[Any]] = []
    seq, ms, actor = 0, 0, ""
    for op in ops:
        now_ms = clock.milliseconds(op.at)
        rows.append(
            [op.seq - seq, op.code, now_ms - ms, 0 if op.actor == actor else op.actor, op.payload]
        )
        seq, ms, actor = op.seq, now_ms, op.actor
    return pack({"b": backlog, "o": rows})


def decode_ops(body: bytes) -> tuple[list[WireOp], int]:
    data = unpack(body)
    try:
        ops = []
        seq, ms, actor = 0, 0, ""
        for step, code, ms_step, who, payload in data["o"]:
            seq, ms = seq + int(step), ms + int(ms_step)
            actor = actor if who == 0 else str(who)
            at = (
                dt.datetime.fromtimestamp(ms // 1000, tz=dt.UTC)
                .replace(microsecond=ms % 1000 * 1000)
                .astimezone(timezone.get_current_timezone())
            )
            if not isinstance(payload, dict) or seq <= 0:
                raise ValueError(seq)
            ops.append(WireOp(seq=seq, code=str(code), at=at, actor=actor, payload=payload))
        return ops, int(data.get("b", 0))
    except (KeyError, TypeError, ValueError) as exc:
        raise DomainError(_("Gói thao tác không đúng định dạng."), field="body") from exc
