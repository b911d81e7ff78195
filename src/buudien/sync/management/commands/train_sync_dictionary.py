"""`buudien train_sync_dictionary`: the zstandard dictionary shipped for the sync wire.

Trained on the frames of busy points' days (`sync.sample`): pushes, their replies, pull
requests. The same seed and version give the same file, so it can be committed and checked.
Both sides must hold the same dictionary: a new one goes out with a new version of buudien,
and its id (from `--dict-version`) lets a side with another one answer "unreadable" cleanly."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, cast

import zstandard
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.sync import sample, wire

DICT_ID_BASE = 0x42440000  # "BD" then the version: above zstd's reserved ids
SIZE = 6 * 1024
DAYS = 100
SEED = 14
HELD_OUT_SEED = 1234  # other days, to measure the dictionary on what it did not see


class Command(BaseCommand):
    help = cast(
        str,
        gettext_lazy(
            "Huấn luyện từ điển nén zstandard cho gói đồng bộ điểm BĐ-VHX từ các ngày làm việc "
            "mẫu, ghi vào src/buudien/sync/ops.dict."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--size", type=int, default=SIZE, help=_("cỡ từ điển (byte)"))
        parser.add_argument("--days", type=int, default=DAYS, help=_("số ngày mẫu"))
        parser.add_argument("--seed", type=int, default=SEED)
        parser.add_argument("--dict-version", type=int, default=1, help=_("phiên bản từ điển"))
        parser.add_argument("--output", type=Path, default=wire.DICTIONARY)

    def handle(self, *args: Any, **options: Any) -> None:
        size, days, version = options["size"], options["days"], options["dict_version"]
        if not 1024 <= size <= 64 * 1024 or not 5 <= days <= 5000 or not 1 <= version < 1 << 16:
            raise CommandError(
                _("Cỡ từ 1024 đến 65536 byte, từ 5 đến 5000 ngày, phiên bản từ 1 đến 65535.")
            )
        texts: list[bytes | bytearray | memoryview[int]] = [
            sample.text(f) for f in sample.frames(seed=options["seed"], count=days)
        ]
        trained = zstandard.train_dictionary(
            size, texts, dict_id=DICT_ID_BASE + version, level=wire.LEVEL, threads=0
        ).as_bytes()
        output: Path = options["output"]
        output.write_bytes(trained)
        self.stdout.write(
            _("Đã ghi %(path)s: %(n)s byte, sha256 %(digest)s (từ %(f)s gói, %(b)s byte).")
            % {
                "path": output,
                "n": len(trained),
                "digest": hashlib.sha256(trained).hexdigest()[:16],
                "f": len(texts),
                "b": sum(map(len, texts)),
            }
        )
        for batch in (10, sample.CLIENT_BATCH, 50):
            with_dict, without = _per_op(trained, batch)
            self.stdout.write(
                _("Lô %(n)s thao tác: %(d).1f byte/thao tác (không từ điển: %(p).1f).")
                % {"n": batch, "d": with_dict, "p": without}
            )


def _per_op(dictionary: bytes, batch: int) -> tuple[float, float]:
    """Bytes per operation on days the dictionary did not see, with it and without."""
    ops = total = plain = 0
    for day in sample.days(seed=HELD_OUT_SEED, count=10):
        for part, backlog in sample.batches(day, batch):
            data = wire.unpack(wire.encode_ops(part, backlog=backlog))
            total += sample.frame_size(data, dictionary=dictionary)
            plain += sample.frame_size(data, dictionary=None)
            ops += len(part)
    return total / ops, plain / ops
