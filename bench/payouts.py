"""Importing a 100,000-row monthly payout list (validation and split by point included) against
merely reading the same file with python-calamine, in the same run. As every month after the
first, the beneficiaries are already registered (a first list registers them, untimed).

BENCH_N sets the number of rows (default 100,000).
"""

from __future__ import annotations

import io
import os
import random
import statistics
import time

from bench._common import setup_django, write_result

N = int(os.environ.get("BENCH_N", "100000"))
REPEAT = int(os.environ.get("BENCH_REPEAT", "3"))


def workbook(n: int, points: list[str]) -> bytes:
    from openpyxl import Workbook

    rng = random.Random(3)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("DS")
    ws.append(
        [
            "Số CCCD",
            "Họ tên",
            "Ngày sinh",
            "Số tiền",
            "Mã điểm",
            "Hình thức nhận",
            "Số tài khoản",
            "Thôn, bản",
        ]
    )
    for i in range(n):
        method = rng.choice(["Tại quầy", "Tại quầy", "Tại nhà", "Qua tài khoản"])
        ws.append(
            [
                f"004{rng.choice('01')}{40 + i % 60:02d}{i:06d}",
                f"Nông Văn {i}",
                "01/01/1950",
                rng.randint(500, 9000) * 1000,
                rng.choice(points),
                method,
                f"1020{i:08d}" if method == "Qua tài khoản" else "",
                f"Bản {i % 30}",
            ]
        )
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def main() -> None:
    database = setup_django("payouts")
    from django.db import transaction
    from python_calamine import CalamineWorkbook

    from buudien.core import reference
    from buudien.core.models import User
    from buudien.network import demo as network_demo
    from buudien.network.models import PostUnit
    from buudien.payouts import services
    from buudien.payouts.models import Programme

    reference.load()  # the demo builders assume the reference data is there
    network_demo.build()
    points = list(PostUnit.objects.filter(kind="commune_point").values_list("code", flat=True))
    data = workbook(N, points)
    user = User.objects.get(username="tinh")
    programme = Programme.objects.get(code="LHUU")

    def bare() -> None:
        rows = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        assert len(rows) == N + 1

    class _Rollback(Exception):
        pass

    def ours() -> None:
        try:
            with transaction.atomic():
                result = services.import_list(
                    actor=user, programme=programme, month=dt.date(2030, 1, 1), source=data
                )
                assert result.ok, result.errors[:3]
                assert result.rows == N
                raise _Rollback
        except _Rollback:
            pass

    import datetime as dt

    from buudien.payouts.models import PayoutList

    if not PayoutList.objects.filter(programme=programme, month=dt.date(2029, 12, 1)).exists():
        first = services.import_list(
            actor=user, programme=programme, month=dt.date(2029, 12, 1), source=data
        )
        assert first.ok, first.errors[:3]
    base, mine = [], []
    for _ in range(REPEAT):
        start = time.perf_counter()
        bare()
        base.append(time.perf_counter() - start)
        start = time.perf_counter()
        ours()
        mine.append(time.perf_counter() - start)
    write_result(
        name="payouts_import",
        database=database,
        n=N,
        median_s=statistics.median(mine),
        baseline="reading the same workbook with python-calamine",
        baseline_median_s=statistics.median(base),
    )


if __name__ == "__main__":
    main()
