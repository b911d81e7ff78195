"""`buudien serve`: the production WSGI server (gunicorn) with static files by whitenoise."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext_lazy as _
from gunicorn.app.base import BaseApplication

from buudien.core import journal


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from buudien.wsgi import application

        return application


class Command(BaseCommand):
    help = cast(str, _("Chạy máy chủ web (gunicorn + whitenoise)."))

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "2")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))
        parser.add_argument(
            "--no-sync",
            dest="sync",
            action="store_false",
            help=str(_("trên máy của điểm: không tự đồng bộ nền")),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            call_command("collectstatic", interactive=False, verbosity=0)
        syncing = _start_sync_loop() if options["sync"] else None
        bind = f"{options['host']}:{options['port']}"
        message = _("buudien đang phục vụ tại http://%(bind)s/ (Ctrl+C để dừng)")
        self.stdout.write(message % {"bind": bind})
        try:
            _Server(
                {
                    "bind": bind,
                    "workers": options["workers"],
                    "threads": options["threads"],
                    "worker_class": "gthread",
                    "accesslog": "-",
                    "timeout": 120,
                }
            ).run()
        finally:
            if syncing is not None:
                syncing.terminate()


def _start_sync_loop() -> subprocess.Popen[bytes] | None:
    """On a point's laptop, sync runs beside the web server in its own process, so it
    starts by itself whenever the link comes back."""
    if journal.point_device() is None:
        return None
    interval = os.environ.get("BUUDIEN_SYNC_INTERVAL", "30")
    command = [sys.executable, "-c", "from buudien.cli import main; main()"]
    return subprocess.Popen([*command, "point", "sync", "--loop", "--interval", interval])  # noqa: S603
