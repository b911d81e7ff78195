from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from buudien.core.models import ApiToken, User


class Command(BaseCommand):
    help = "Tạo mã truy cập API (Bearer token) cho một người dùng; mã chỉ hiện một lần."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="máy khách")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"Không có người dùng {options['username']}.")
        _, raw = ApiToken.issue(user=user, name=options["name"])
        self.stdout.write(raw)
