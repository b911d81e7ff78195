from typing import Any

from django.core.management.base import BaseCommand

from buudien.network.admin_units import load_admin_units


class Command(BaseCommand):
    help = "Nạp 34 tỉnh, thành phố và 3.321 xã, phường từ gói vietnam-provinces (chạy lại an toàn)."

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_admin_units()
        self.stdout.write(
            f"Đơn vị hành chính: {result.provinces} tỉnh, thành phố; {result.communes} xã, phường "
            f"({result.created} thêm mới, {result.updated} cập nhật)."
        )
