"""`buudien demo`: the reference data a real install loads, then the fictional province on top."""

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from buudien.core import bulk, reference
from buudien.network.demo import DEMO_PASSWORD


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu danh mục (như `load_reference`), rồi tỉnh mẫu (Cao Bằng) với mạng lưới điểm, "
        "dữ liệu nghiệp vụ và tài khoản mỗi vai trò."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        start = time.perf_counter()
        self.stdout.write("… buudien.core.reference.load")
        for outcome in reference.load():
            self.stdout.write(f"  {outcome}")
        self._took(start)
        logins: list[tuple[str, str, str]] = []
        with bulk.loading():
            for dotted in settings.BUUDIEN_DEMO_STEPS:
                step = import_string(dotted)
                self.stdout.write(f"… {dotted}")
                self.stdout.flush()
                start = time.perf_counter()
                result = step()
                self._took(start)
                if isinstance(result, list):
                    logins.extend(result)
        self.stdout.write("")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, role, where in logins:
            self.stdout.write(f"  {username:<10} {role:<36} {where}")

    def _took(self, start: float) -> None:
        seconds = f"{time.perf_counter() - start:.1f}".replace(".", ",")
        self.stdout.write(f"  ⏱ {seconds} s")
