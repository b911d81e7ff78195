"""`buudien point_demo`: a province server and an enrolled commune point's laptop side by side.

The province (a small one: `sync.demo`) and the laptop each have their own SQLite database in
their own directory; the laptop reaches the province through a relay on a third port, which
stops passing anything while a flag file exists: `touch` it to cut the link, remove it to
bring the link back. `buudien point_demo build` builds the small province in this
installation's database and prints an enrolment code (what the first step runs)."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buudien.core import bulk, reference
from buudien.network.demo import DEMO_PASSWORD
from buudien.sync import demo

BUUDIEN = [sys.executable, "-c", "from buudien.cli import main; main()"]
LOOPBACK = "127.0.0.1"


class Command(BaseCommand):
    help = cast(
        str,
        gettext_lazy(
            "Chạy thử chế độ điểm: máy chủ tỉnh và máy của một điểm BĐ-VHX trên hai cổng, "
            "nối qua một cổng trung gian có thể cắt."
        ),
    )

    def add_arguments(self, parser: CommandParser) -> None:
        base = Path(settings.REPO_DIR) / "var" / "point-demo"
        parser.add_argument("action", nargs="?", choices=["run", "build"], default="run")
        parser.add_argument("--province-dir", type=Path, default=base / "province")
        parser.add_argument("--point-dir", type=Path, default=base / "point")
        parser.add_argument("--province-port", type=int, default=8000)
        parser.add_argument("--point-port", type=int, default=8001)
        parser.add_argument("--link-port", type=int, default=0, help=_("0: một cổng trống"))
        parser.add_argument("--cut-file", type=Path, default=base / "cut")
        parser.add_argument("--lines", type=int, default=10, help=_("số dòng chi lương hưu"))
        parser.add_argument("--dossiers", type=int, default=3, help=_("số hồ sơ đang mở"))
        parser.add_argument("--sync-interval", type=int, default=5)

    def handle(self, *args: Any, **options: Any) -> None:
        if not 1 <= options["lines"] <= 500 or not 0 <= options["dossiers"] <= 50:
            raise CommandError(_("Từ 1 đến 500 dòng chi, từ 0 đến 50 hồ sơ."))
        if options["action"] == "build":
            self._build(options)
        else:
            _Demo(self, options).run()

    def _build(self, options: dict[str, Any]) -> None:
        """The small province in this installation's database; its facts as one JSON line."""
        call_command("migrate", verbosity=0, interactive=False)
        with bulk.loading():
            reference.load()
            small = demo.build_small(lines=options["lines"], dossiers=options["dossiers"])
        code = demo.enrolment_code(point_id=small.point_id)
        self.stdout.write(json.dumps({**small.__dict__, "code": code}, ensure_ascii=False))


class _Link:
    """A relay on loopback from the laptop to the province; while `cut_file` exists it
    drops every connection, as a commune without coverage would."""

    def __init__(self, port: int, upstream: int, cut_file: Path) -> None:
        self.upstream = upstream
        self.cut_file = cut_file
        self.listener = socket.create_server((LOOPBACK, port))
        self.port = int(self.listener.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _address = self.listener.accept()
            if self.cut_file.exists():
                client.close()
                continue
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client: socket.socket) -> None:
        try:
            server = socket.create_connection((LOOPBACK, self.upstream), timeout=30)
        except OSError:
            client.close()
            return
        threading.Thread(target=_pipe, args=(server, client), daemon=True).start()
        _pipe(client, server)


def _pipe(source: socket.socket, target: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            target.sendall(chunk)
    for sock in (source, target):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()


class _Demo:
    """Build, enrol and serve; stop everything on Ctrl+C."""

    def __init__(self, command: BaseCommand, options: dict[str, Any]) -> None:
        self.command = command
        self.options = options
        self.children: list[subprocess.Popen[bytes]] = []

    def say(self, text: str) -> None:
        self.command.stdout.write(text)
        self.command.stdout.flush()

    def env(self, data_dir: Path, **extra: str) -> dict[str, str]:
        env = {**os.environ, "BUUDIEN_DATA_DIR": str(data_dir), **extra}
        env.pop("DATABASE_URL", None)  # each side keeps its own SQLite file in its directory
        # Pages and static files straight from the sources: collecting and compressing them
        # for each side would take a minute.
        env["BUUDIEN_STATIC_FINGERPRINTS"] = "0"
        return env

    def fresh(self, data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        for old in data_dir.glob("buudien.sqlite3*"):
            old.unlink()

    def run(self) -> None:
        o = self.options
        province_dir, point_dir = o["province_dir"].resolve(), o["point_dir"].resolve()
        cut_file: Path = o["cut_file"].resolve()
        for port in (o["province_port"], o["point_port"]):
            if not _free(port):
                raise CommandError(_("Cổng %(p)s đang được dùng.") % {"p": port})
        self.fresh(province_dir)
        self.fresh(point_dir)
        cut_file.parent.mkdir(parents=True, exist_ok=True)
        cut_file.unlink(missing_ok=True)
        signal.signal(signal.SIGTERM, lambda *_args: sys.exit(0))
        try:
            self._start(province_dir, point_dir, cut_file)
            while all(child.poll() is None for child in self.children):
                time.sleep(1)
            self.say(_("Một tiến trình đã dừng; dừng chạy thử."))
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def _start(self, province_dir: Path, point_dir: Path, cut_file: Path) -> None:
        o = self.options
        started = time.monotonic()
        self.say(_("… dựng tỉnh mẫu nhỏ trong %(d)s") % {"d": province_dir})
        built = subprocess.run(  # noqa: S603
            [
                *BUUDIEN,
                "point_demo",
                "build",
                "--lines",
                str(o["lines"]),
                "--dossiers",
                str(o["dossiers"]),
            ],
            env=self.env(province_dir),
            check=True,
            capture_output=True,
        )
        facts = json.loads(built.stdout.decode().strip().splitlines()[-1])
        province = self.serve(province_dir, o["province_port"], "--no-sync")
        link = _Link(o["link_port"], o["province_port"], cut_file)
        self.say(
            _("… đăng ký máy của điểm %(p)s qua cổng %(l)s")
            % {"p": facts["point_code"], "l": link.port}
        )
        subprocess.run(  # noqa: S603
            [
                *BUUDIEN,
                "point",
                "enroll",
                "--server",
                f"http://{LOOPBACK}:{link.port}",
                "--code",
                facts["code"],
                "--label",
                "Máy chạy thử",
            ],
            env=self.env(point_dir),
            check=True,
        )
        laptop = self.serve(
            point_dir, o["point_port"], env={"BUUDIEN_SYNC_INTERVAL": str(o["sync_interval"])}
        )
        _wait_for(province)
        _wait_for(laptop)
        took = time.monotonic() - started
        self.tell(facts, province=province, laptop=laptop, link=link.port, cut=cut_file, took=took)

    def serve(
        self, data_dir: Path, port: int, *flags: str, env: dict[str, str] | None = None
    ) -> int:
        command = [*BUUDIEN, "serve", "--port", str(port), "--workers", "1", *flags]
        log = (data_dir / "serve.log").open("ab")
        self.children.append(
            subprocess.Popen(command, env=self.env(data_dir, **(env or {})), stdout=log, stderr=log)  # noqa: S603
        )
        return port

    def tell(
        self,
        facts: dict[str, Any],
        *,
        province: int,
        laptop: int,
        link: int,
        cut: Path,
        took: float,
    ) -> None:
        lines = [
            "",
            _("Sẵn sàng sau %(s).0f s.") % {"s": took},
            _("Máy chủ tỉnh:   http://%(h)s:%(p)s/  — đăng nhập %(u)s (quản lý khu vực)")
            % {"h": LOOPBACK, "p": province, "u": demo.MANAGER},
            _("Máy của điểm:   http://%(h)s:%(p)s/  — đăng nhập %(u)s (nhân viên %(n)s)")
            % {"h": LOOPBACK, "p": laptop, "u": demo.CLERK, "n": facts["point_name"]},
            _("Mật khẩu chung: %(pw)s") % {"pw": DEMO_PASSWORD},
            _("Điểm có %(l)s dòng chi lương hưu chi được hôm nay và %(d)s hồ sơ đang mở.")
            % {"l": facts["lines"], "d": len(facts["dossiers"])},
            "",
            _("Máy của điểm gửi về tỉnh qua cổng trung gian %(l)s.") % {"l": link},
            _("Cắt đường truyền:   touch %(f)s") % {"f": cut},
            _("Nối lại:            rm %(f)s") % {"f": cut},
            _("Máy của điểm tự đồng bộ khi có đường truyền; trang /sync/ có nút «Đồng bộ ngay»."),
            _("Nhật ký: %(a)s, %(b)s. Ctrl+C để dừng.")
            % {
                "a": self.options["province_dir"] / "serve.log",
                "b": self.options["point_dir"] / "serve.log",
            },
        ]
        self.say("\n".join(lines))

    def stop(self) -> None:
        for child in self.children:
            if child.poll() is None:
                child.terminate()
        for child in self.children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex((LOOPBACK, port)) != 0


def _wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while _free(port):
        if time.monotonic() > deadline:
            raise CommandError(_("Máy chủ trên cổng %(p)s không khởi động được.") % {"p": port})
        time.sleep(0.3)
