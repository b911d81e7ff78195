"""The point's clerk at work on the laptop, for the fault tests: run with the laptop's
BUUDIEN_DATA_DIR, it reads one JSON command a line on stdin and answers one JSON line.

  {"do": "work", "n": 20, "seed": 3}  n operations as the clerk, through the services
  {"do": "sync"}                       one `sync_now`, as the button does
  {"do": "sync_until_done", "tries": 80}   again and again until nothing waits

Operations the clerk's own laptop refuses (a cash drawer too short, no line left to pay) are
not operations: nothing of them is written, and the driver says how many there were."""

from __future__ import annotations

import json
import os
import random
import sys
import traceback
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buudien.settings")

import django

django.setup()

from buudien.core import users  # noqa: E402
from buudien.core.errors import DomainError  # noqa: E402
from buudien.counter import services as counter  # noqa: E402
from buudien.counter.models import CounterSession, LedgerEntry  # noqa: E402
from buudien.dossiers import selectors as dossier_selectors  # noqa: E402
from buudien.dossiers import services as dossiers  # noqa: E402
from buudien.payouts import services as payouts  # noqa: E402
from buudien.payouts.models import Payout  # noqa: E402
from buudien.sync import client  # noqa: E402

CLERK = "diemvhx"
OPENING_CASH = 500_000_000
PASS_THROUGH = ["TC-DIEN", "TC-NUOC"]
PRICED = ["BC-THU", "BC-EMS", "PP-TEM", "BC-HCC"]
PROCEDURES = ["1.001193", "1.004873", "1.003583"]
# A laptop numbers a day's shifts from its one block of shift series (20 a day): the tests'
# clerk closes her shift a few times in all, and keeps the rest for the day.
MAX_CLOSES = 8


class Clerk:
    """Does what a clerk does at the counter, at random but reproducibly (a seed)."""

    def __init__(self) -> None:
        found = users.find_user(CLERK)
        assert found is not None and found.home_unit is not None
        self.user = found
        self.point = found.home_unit
        self.made: dict[str, int] = {}
        self.refused: dict[str, str] = {}
        self.dossiers: list[str] = []
        self.closed = 0

    def session(self) -> CounterSession:
        open_ = CounterSession.objects.filter(
            clerk=self.user, unit=self.point, status="open"
        ).first()
        if open_ is not None:
            return open_
        opened = counter.open_session(clerk=self.user, unit=self.point, opening_cash=OPENING_CASH)
        self.made["open_session"] = self.made.get("open_session", 0) + 1
        return opened

    def entries(self, rng: random.Random, key: str) -> None:
        requests = []
        for i in range(rng.randint(1, 3)):
            if rng.random() < 0.5:
                code, amount, quantity = rng.choice(PASS_THROUGH), rng.randint(50, 900) * 1000, 1
            else:
                code, amount, quantity = rng.choice(PRICED), None, rng.randint(1, 3)
            requests.append(
                counter.EntryRequest(
                    idempotency_key=f"{key}-{i}",
                    service_code=code,
                    amount=amount,
                    quantity=quantity,
                    reference=f"HD{rng.randint(1000, 9999)}" if amount else "",
                )
            )
        counter.post_entries(session=self.session(), clerk=self.user, requests=requests)

    def pending_line(self, rng: random.Random) -> Payout | None:
        lines = list(Payout.objects.filter(point=self.point, status="pending").order_by("pk"))
        return rng.choice(lines) if lines else None

    def pay(self, rng: random.Random, key: str) -> None:
        line = self.pending_line(rng)
        if line is None:
            raise DomainError("no line left to pay")
        payouts.pay(payout=line, clerk=self.user, session=self.session())

    def checkout(self, rng: random.Random, key: str) -> None:
        lines = [
            counter.BasketLine(
                service_code=rng.choice(PASS_THROUGH),
                amount=rng.randint(100, 700) * 1000,
                reference=f"KH{rng.randint(100, 999)}",
            )
        ]
        line = self.pending_line(rng)
        if line is not None and rng.random() < 0.6:
            lines.append(counter.BasketLine(kind="payout", ref=str(line.pk)))
        counter.checkout(
            session=self.session(),
            clerk=self.user,
            order=counter.Checkout(idempotency_key=key, lines=lines),
        )

    def intake(self, rng: random.Random, key: str) -> None:
        procedure = dossier_selectors.procedure(code=rng.choice(PROCEDURES))
        documents = [
            dossiers.DocumentIn(
                required_id=r.pk,
                name=r.name,
                form="copy" if r.form == "copy" else "original",
                count=r.copies,
            )
            for r in procedure.documents.all()
        ]
        n = rng.randint(1, 9999)
        dossier = dossiers.intake(
            clerk=self.user,
            session=self.session(),
            procedure=procedure,
            citizen_name=f"Hoàng Thị Mến {n}",
            citizen_id=f"004190{n:06d}",
            phone=f"0912{n:06d}",
            address="Bản Pác Bó",
            documents=documents,
        )
        self.dossiers.append(dossier.code)

    def reverse(self, rng: random.Random, key: str) -> None:
        session = self.session()
        mine = list(
            LedgerEntry.objects.filter(
                session=session, reverses=None, source_type="", direction="in"
            ).exclude(
                pk__in=LedgerEntry.objects.filter(session=session, reverses__isnull=False).values(
                    "reverses"
                )
            )
        )
        if not mine:
            raise DomainError("nothing to reverse")
        counter.reverse_entry(
            entry=rng.choice(mine), clerk=self.user, session=session, reason="khách đổi ý"
        )

    def close(self, rng: random.Random, key: str) -> None:
        if self.closed >= MAX_CLOSES:
            raise DomainError("the laptop's shift series of the day are kept for the clerk")
        self.closed += 1
        session = self.session()
        session.refresh_from_db()
        counter.close_session(session=session, clerk=self.user, counted_cash=session.book_cash)

    ACTIONS = (
        ("entries", 40),
        ("pay", 20),
        ("checkout", 15),
        ("intake", 10),
        ("reverse", 7),
        ("close", 8),
    )

    def work(self, n: int, seed: int) -> dict[str, Any]:
        rng = random.Random(seed)
        self.made, self.refused, self.dossiers = {}, {}, []
        names = [a for a, _w in self.ACTIONS]
        weights = [w for _a, w in self.ACTIONS]
        for i in range(n):
            action = rng.choices(names, weights)[0]
            try:
                getattr(self, action)(rng, f"s{seed}-{i}")
                self.made[action] = self.made.get(action, 0) + 1
            except DomainError as exc:
                self.refused[f"{action} {i}"] = exc.message
        return {"made": self.made, "refused": self.refused, "dossiers": self.dossiers}


def sync_once() -> dict[str, Any]:
    try:
        summary = client.sync_now()
    except DomainError as exc:
        return {"ok": False, "error": exc.message}
    return {"ok": True, **summary.__dict__}


def sync_until_done(tries: int) -> dict[str, Any]:
    errors: list[str] = []
    for attempt in range(1, tries + 1):
        answer = sync_once()
        if answer["ok"] and answer["waiting"] == 0:
            return {"ok": True, "attempts": attempt, "errors": errors}
        errors.append(answer.get("error", "waiting"))
    return {"ok": False, "attempts": tries, "errors": errors}


def main() -> None:
    clerk = Clerk()
    for line in sys.stdin:
        command = json.loads(line)
        try:
            if command["do"] == "work":
                answer = clerk.work(int(command["n"]), int(command["seed"]))
            elif command["do"] == "sync":
                answer = sync_once()
            elif command["do"] == "sync_until_done":
                answer = sync_until_done(int(command.get("tries", 80)))
            else:
                answer = {"error": f"unknown command {command}"}
        except Exception:  # the test reads the failure; the driver goes on
            answer = {"crash": traceback.format_exc()}
        sys.stdout.write(json.dumps(answer, ensure_ascii=False, default=str) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
