"""`buudien load_reference`: load (or update) the reference data shipped with the package."""

from __future__ import annotations

from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from buudien.core import reference


class Command(BaseCommand):
    help = cast(
        str,
        _(
            "Nạp dữ liệu danh mục (dịch vụ, biểu giá, chỉ tiêu, thủ tục, lịch làm việc, "
            "chương trình chi trả, cơ quan đối tác); chạy lại an toàn, giữ nguyên các sửa đổi "
            "của quản trị viên."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--only", nargs="*", default=[], help=gettext("chỉ các tập này (tên tập)")
        )
        parser.add_argument(
            "--list", action="store_true", help=gettext("liệt kê các tập và tệp của chúng")
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for model_set in reference.sets():
                self.stdout.write(f"{model_set.name:<22} {model_set.file}")
            return
        try:
            outcomes = reference.load(options["only"])
        except reference.ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        for outcome in outcomes:
            self.stdout.write(str(outcome))
