"""`buudien report --unit CODE --year Y [--month M | --quarter Q] --format pdf|xlsx|html -o F`."""

from pathlib import Path
from typing import Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _

from buudien.core import users
from buudien.core.errors import DomainError
from buudien.network import selectors as network_selectors
from buudien.plans.periods import Period
from buudien.reports import exports


class Command(BaseCommand):
    help = cast(
        str,
        gettext_lazy(
            "Xuất báo cáo thực hiện so với kế hoạch của một đơn vị ra PDF, Excel hoặc HTML."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True)
        parser.add_argument("--year", type=int, required=True)
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--month", type=int)
        group.add_argument("--quarter", type=int)
        parser.add_argument("--ytd", action="store_true", help=gettext("lũy kế đến --month"))
        parser.add_argument("--format", choices=["pdf", "xlsx", "html"], default="pdf")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args: Any, **o: Any) -> None:
        # The command runs with the whole network in view, as a system administrator would.
        system = users.system_actor()
        try:
            unit = network_selectors.unit(user=system, code=o["unit"])
        except DomainError as exc:
            raise CommandError(_("Không có đơn vị mã %(code)s.") % {"code": o["unit"]}) from exc
        try:
            period = Period.parse(
                year=o["year"], month=o["month"], quarter=o["quarter"], ytd=o["ytd"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            ctx = exports.context(system, unit, period)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        out = Path(o["output"])
        if o["format"] == "pdf":
            out.write_bytes(exports.pdf(ctx))
        elif o["format"] == "xlsx":
            out.write_bytes(exports.xlsx(ctx))
        else:
            out.write_text(exports.html_document(ctx), encoding="utf-8")
        done = _("Đã ghi %(file)s (%(unit)s, %(period)s).")
        self.stdout.write(done % {"file": out, "unit": unit.name, "period": period.label})
