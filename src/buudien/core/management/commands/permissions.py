"""`buudien permissions`: the permission matrix as a table (Markdown for docs/security.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import translation

from buudien.core.permissions import markdown, table


class Command(BaseCommand):
    help = "Print the permission matrix: action, roles, scope, personal data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--markdown", action="store_true", help="as the Markdown table")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("vi"):
            if options["markdown"]:
                self.stdout.write(markdown(), ending="")
                return
            for row in table():
                self.stdout.write(" | ".join(row))
