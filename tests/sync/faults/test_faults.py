"""A point works offline, then syncs over a link that fails in every way a mountain link
does: two real processes on loopback (the province's `buudien serve`, the laptop's own
database and `buudien point sync`), a proxy between them. After recovery the province holds
every operation exactly once and its rollups equal the sums of its entries."""

from __future__ import annotations

import os
import signal
import socket
from collections import Counter

import pytest

from buudien.sync import wire
from tests.sync.faults.checks import exactly_once, nothing_beyond
from tests.sync.faults.conftest import Pair
from tests.sync.faults.processes import query
from tests.sync.faults.proxy import (
    DELAY,
    DROP_REPLY,
    DROP_REQUEST,
    HOLD,
    LATE,
    PASS,
    TRUNCATE_REPLY,
    Exchange,
    Faults,
    body_of,
)

pytestmark = pytest.mark.faults

PUSH, PULL = "/device/push", "/device/pull"


def applied(pair: Pair) -> int:
    return int(query(pair.province_db, "SELECT COUNT(*) FROM sync_appliedoperation")[0][0])


def states(pair: Pair) -> Counter[str]:
    return Counter(r[0] for r in query(pair.laptop.db, "SELECT state FROM core_operation"))


def offline_day(pair: Pair, n: int, seed: int) -> int:
    """The clerk works with the link cut; returns how many operations wait to be sent."""
    pair.proxy.cut = True
    day = pair.laptop.work(n=n, seed=seed)
    assert sum(day["made"].values()) >= n // 2, day
    waiting = states(pair)["pending"]
    offline = pair.laptop.sync()
    assert not offline["ok"]
    assert "Không kết nối được máy chủ tỉnh" in offline["error"]
    assert states(pair)["pending"] == waiting
    pair.proxy.cut = False
    return waiting


def test_a_day_offline_then_a_link_failing_at_random_points_loses_and_doubles_nothing(
    link: Pair,
) -> None:
    before = applied(link)
    waiting = offline_day(link, n=60, seed=1)
    assert waiting >= 40
    assert applied(link) == before  # nothing reached the province while the link was cut
    link.proxy.script = {
        PUSH: [DROP_REPLY, DROP_REQUEST, TRUNCATE_REPLY, LATE, DELAY],
        PULL: [DROP_REQUEST, TRUNCATE_REPLY, DROP_REPLY],
    }
    link.proxy.faults = Faults(
        drop_request=0.15, drop_reply=0.15, truncate_reply=0.1, delay=0.2, late=0.05, seed=11
    )
    mark = len(link.proxy.exchanges)
    synced = link.laptop.sync_until_done()
    link.proxy.settle()  # the requests that arrived late have arrived
    assert synced["attempts"] > 3
    seen = link.proxy.exchanges[mark:]
    for path in (PUSH, PULL):
        fates = {e.fate for e in seen if e.path == path}
        assert {DROP_REPLY, DROP_REQUEST, TRUNCATE_REPLY} <= fates, (path, fates)
    assert any(e.fate == LATE and e.reply for e in seen)  # a push arrived after its retry
    made = exactly_once(link.laptop.db, link.province_db, link.baseline)
    assert made["operations"] == applied(link) == before + waiting
    assert made["paid_lines"] > 0
    assert made["dossiers"] > 0


@pytest.mark.parametrize("door", [PUSH, PULL])
def test_the_sync_killed_in_the_middle_of_a_batch_then_run_again_applies_each_once(
    link: Pair, door: str
) -> None:
    waiting = offline_day(link, n=80, seed=2 if door == PUSH else 3)
    assert waiting > 2 * 25 if door == PUSH else waiting > 0
    before = applied(link)
    # The second push (or the first pull page) reaches the province, which applies and
    # answers it; the answer is held back and the sync process is killed meanwhile.
    link.proxy.script = {door: [PASS, HOLD] if door == PUSH else [HOLD]}
    mark = len(link.proxy.exchanges)
    sync = link.laptop.sync_command()
    link.proxy.wait_for(
        lambda seen: (
            any(e.fate == HOLD and e.reply for e in seen[mark:]) or sync.poll() is not None
        ),
        timeout=120,
    )
    assert sync.poll() is None, sync.communicate()
    os.kill(sync.pid, signal.SIGKILL)
    sync.communicate(timeout=30)
    assert sync.returncode == -signal.SIGKILL
    if door == PUSH:
        assert applied(link) == before + 50  # two batches at the province …
        assert states(link)["pending"] == waiting - 25  # … the laptop heard of one
    else:
        assert applied(link) == before + waiting
    link.proxy.reset()
    again = link.laptop.sync_command()
    out, err = again.communicate(timeout=120)
    assert again.returncode == 0, err.decode()[-2000:]
    assert "còn chờ 0" in out.decode()
    exactly_once(link.laptop.db, link.province_db, link.baseline)
    assert applied(link) == before + waiting


def send_raw(port: int, request: bytes) -> bytes:
    """One HTTP request, byte for byte as captured, straight to the province."""
    with socket.create_connection(("127.0.0.1", port), timeout=60) as sock:
        sock.sendall(request)
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    return reply


def province_totals(pair: Pair) -> list[tuple[object, ...]]:
    db = pair.province_db
    return [
        *query(db, "SELECT COUNT(*), SUM(amount), SUM(revenue) FROM counter_ledgerentry"),
        *query(db, "SELECT COUNT(*), SUM(revenue) FROM counter_dailyrollup"),
        *query(db, "SELECT outcome, COUNT(*) FROM sync_appliedoperation GROUP BY outcome"),
        *query(db, "SELECT status, COUNT(*) FROM payouts_payout GROUP BY status"),
        *query(db, "SELECT COUNT(*) FROM dossiers_dossier"),
        *query(db, "SELECT COUNT(*), SUM(entries_count) FROM counter_countersession"),
    ]


def answers(exchange: Exchange | bytes) -> list[object]:
    reply = exchange.reply if isinstance(exchange, Exchange) else exchange
    assert reply.startswith(b"HTTP/1.1 200"), reply[:200]
    return list(wire.unpack(body_of(reply))["r"])


def test_a_batch_replayed_raw_doubles_nothing_and_gets_the_same_answers(link: Pair) -> None:
    assert offline_day(link, n=40, seed=4) > 0
    mark = len(link.proxy.exchanges)
    link.laptop.sync_until_done()
    pushes = [e for e in link.proxy.exchanges[mark:] if e.path == PUSH and e.fate == PASS]
    assert pushes, [
        (e.path, e.fate, len(e.request), e.reply[:40]) for e in link.proxy.exchanges[mark:]
    ]
    totals = province_totals(link)
    for push in pushes:
        assert answers(send_raw(link.province.port, push.request)) == answers(push)
    assert province_totals(link) == totals
    nothing_beyond(link.laptop.db, link.province_db, link.baseline)
    exactly_once(link.laptop.db, link.province_db, link.baseline)


def test_two_syncs_at_once_the_background_loop_and_the_button_push_each_operation_once(
    link: Pair,
) -> None:
    offline_day(link, n=60, seed=5)
    link.proxy.faults = Faults(delay=0.5, max_delay=0.3, seed=5)
    syncs = [link.laptop.sync_command() for _ in range(2)]
    for sync in syncs:
        out, err = sync.communicate(timeout=180)
        assert sync.returncode == 0, err.decode()[-2000:]
        assert "còn chờ 0" in out.decode()
    link.proxy.reset()
    link.proxy.settle()
    exactly_once(link.laptop.db, link.province_db, link.baseline)
