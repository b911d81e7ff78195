"""The laptop's side of point mode: enrol once, then push the outbox and pull what changed.

`sync_now` pushes every waiting operation in small batches (each answered one by one, so a
lost reply only means the batch goes again and gets the same answers), then pulls. A link
that fails is tried again with a growing pause; `run` keeps doing this in the background
(`buudien point sync --loop`, started by `buudien serve` on a laptop), so sync starts by
itself when the link comes back."""

from __future__ import annotations

import datetime as dt
import http.client
import json
import logging
import threading
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import close_old_connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buudien.core import journal, numbers, outbox
from buudien.core.errors import DomainError
from buudien.sync import pull, wire

if TYPE_CHECKING:
    from buudien.core.models import Operation, PointDevice

log = logging.getLogger(__name__)
BATCH = 25
TIMEOUT = 20.0
MAX_PAUSE = 60  # seconds between tries when the link is down
PULL_EVERY = dt.timedelta(minutes=10)


class LinkDown(Exception):
    """The province could not be reached, or did not answer in time: try again later."""


@dataclass
class Summary:
    pushed: int = 0
    refused: int = 0
    conflicts: int = 0
    pulled_pages: int = 0
    waiting: int = 0


def _post(url: str, body: bytes, *, headers: dict[str, str]) -> bytes:
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as reply:  # noqa: S310
            return bytes(reply.read())
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise LinkDown(f"HTTP {exc.code}") from exc
        raise _refusal(exc) from exc
    except (urllib.error.URLError, OSError, TimeoutError, http.client.HTTPException) as exc:
        raise LinkDown(str(exc)) from exc


def _refusal(exc: urllib.error.HTTPError) -> DomainError:
    try:
        body = json.loads(exc.read() or b"{}")
        return DomainError(str(body.get("message")), code=body.get("code"))
    except ValueError:
        return DomainError(_("Máy chủ tỉnh từ chối (HTTP %(s)s).") % {"s": exc.code})


def _call(device: PointDevice, door: str, data: bytes) -> bytes:
    headers = {
        "Authorization": f"Device {device.pk} {device.secret}",
        "Content-Type": wire.CONTENT_TYPE,
    }
    return _post(f"{device.server_url.rstrip('/')}/device/{door}", data, headers=headers)


@transaction.atomic
def enroll(*, server: str, code: str, label: str = "") -> PointDevice:
    """Enrol this laptop with a one-time code from the province."""
    if journal.point_device() is not None:
        raise DomainError(_("Máy này đã đăng ký cho một điểm."), field="code")
    body = json.dumps({"code": code.strip(), "label": label}).encode()
    try:
        answer = json.loads(
            _post(
                f"{server.rstrip('/')}/device/enroll",
                body,
                headers={"Content-Type": "application/json"},
            )
        )
    except LinkDown as exc:
        raise DomainError(
            _("Không kết nối được máy chủ tỉnh %(s)s: %(e)s") % {"s": server, "e": exc}
        ) from exc
    device = outbox.enrol(
        device_id=uuid.UUID(answer["device"]),
        point_id=uuid.UUID(answer["point"]["id"]),
        point_code=answer["point"]["code"],
        server=server.rstrip("/"),
        secret=answer["secret"],
    )
    numbers.keep_all(holder=device.pk, blocks=answer["numbers"])
    journal.forget_device()
    return device


def _ops(batch: list[Operation]) -> list[wire.WireOp]:
    return [
        wire.WireOp(
            seq=op.seq,
            code=journal.kind(op.kind).code,
            at=op.at,
            actor=op.actor,
            payload=op.payload,
        )
        for op in batch
    ]


def push_once(device: PointDevice, summary: Summary) -> bool:
    """Push one batch; False when nothing is left to push now."""
    batch = journal.pending(BATCH)
    if not batch:
        return False
    outbox.mark_sent(batch)
    body = wire.encode_ops(_ops(batch), backlog=outbox.waiting())
    reply = wire.unpack(_call(device, "push", body))
    states = outbox.record_answers(reply["r"])
    numbers.keep_all(holder=device.pk, blocks=reply.get("n") or {})
    summary.pushed += len(states)
    summary.refused += states.count("refused")
    summary.conflicts += states.count("conflict")
    return len(states) == len(batch) == BATCH


def pull_all(device: PointDevice, summary: Summary) -> None:
    """Pull page after page; a cut resumes from the stored cursor next time."""
    while True:
        state = outbox.pull_state()
        asked = pull.request(state, skip_mutable=outbox.waiting() > 0)
        page = wire.unpack(_call(device, "pull", wire.pack(asked)))
        with transaction.atomic():
            new_state = pull.apply_page(page, state)
            outbox.save_pull_state(new_state)
            numbers.keep_all(holder=device.pk, blocks=page.get("n") or {})
        summary.pulled_pages += 1
        if new_state.get("done"):
            return


def pause(failures: int) -> int:
    """Seconds to wait after `failures` failed tries in a row: 2, 4, 8 … up to a minute."""
    return int(min(MAX_PAUSE, 2 ** min(failures, 6)))


def _pull_due(summary: Summary, force: bool) -> bool:
    """Pull after a push, when asked, or when the last pull is older than PULL_EVERY: a
    quiet laptop does not make the province compute its data every half minute."""
    last = outbox.last_pull_at()
    return force or bool(summary.pushed) or last is None or timezone.now() - last > PULL_EVERY


def sync_now(*, force_pull: bool = True) -> Summary:
    """Push everything waiting, then pull; a failed link is a message, and nothing is lost."""
    device = journal.point_device()
    if device is None:
        raise DomainError(_("Máy này chưa đăng ký làm máy của điểm."))
    summary = Summary()
    try:
        while push_once(device, summary):
            pass
        if _pull_due(summary, force_pull):
            pull_all(device, summary)
    except LinkDown as exc:
        outbox.link_failed(str(exc), pause)
        raise DomainError(
            _("Không kết nối được máy chủ tỉnh; các thao tác vẫn được giữ và sẽ gửi lại sau.")
        ) from exc
    outbox.link_worked()
    summary.waiting = outbox.waiting()
    return summary


def run(*, interval: float = 30.0, stop: threading.Event | None = None) -> None:
    """Sync in the background: every `interval` seconds, sooner after a failure (with a
    growing pause), so a link that comes back is used within a minute at most."""
    stop = stop or threading.Event()
    while not stop.is_set():
        close_old_connections()
        wait = interval
        try:
            summary = sync_now(force_pull=False)
            if summary.pushed or summary.waiting:
                log.info("sync: %s", summary)
        except DomainError as exc:
            log.warning("sync: %s", exc)
            failures = outbox.failures_in_a_row()
            wait = min(interval, pause(failures)) if failures else interval
        except Exception:  # the loop must outlive any one failure
            log.exception("sync failed")
        close_old_connections()
        stop.wait(wait)
