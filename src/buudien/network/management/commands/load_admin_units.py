from typing import Any, cast

from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from buudien.network.admin_units import load_admin_units


class Command(BaseCommand):
    help = cast(
        str,
        _(
            "Nạp 34 tỉnh, thành phố và 3.321 xã, phường từ gói vietnam-provinces "
            "(chạy lại an toàn)."
        ),
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_admin_units()
        self.stdout.write(
            _(
                "Đơn vị hành chính: %(provinces)s tỉnh, thành phố; %(communes)s xã, phường "
                "(%(created)s thêm mới, %(updated)s cập nhật)."
            )
            % {
                "provinces": result.provinces,
                "communes": result.communes,
                "created": result.created,
                "updated": result.updated,
            }
        )
