"""Two figures of the insurance agency at the published scale (16,000 voluntary participants
and 5,000 households of health insurance, 40,000 covers over the demo province's points):

- `insurance_renewals`: the province manager's renewals-due page (the first 50 covers ending
  within 30 days, by point and hamlet, and how many there are), through the scoped selector,
  against the same rows and count read by hand-written SQL on the same indexes.
- `insurance_enrol`: a household of five enrolled for 12 months at the counter (their covers
  locked, the premium computed month by month, the payment and its lines, the ledger entry,
  the rollup and the audit), against posting one collection of the same amount through the
  ledger alone; both rolled back, so each repeat does the same work.

BENCH_N sets the number of covers (default 40,000).
"""

from __future__ import annotations

import datetime as dt
import os
import random

from bench._common import median_time, setup_django, write_result

N = int(os.environ.get("BENCH_N", "40000"))
DUE_SQL = """
SELECT c.id, p.name, p.hamlet, c.paid_until, u.name
FROM insurance_cover c
JOIN insurance_participant p ON p.id = c.participant_id
JOIN network_postunit u ON u.id = c.point_id
WHERE c.paid_until >= %s AND c.paid_until <= %s
ORDER BY u.name, p.hamlet, p.name
LIMIT 50
"""
COUNT_SQL = "SELECT COUNT(*) FROM insurance_cover WHERE paid_until >= %s AND paid_until <= %s"


class _Rollback(Exception):
    pass


def _people(n: int, points: list[object], clerk: object, today: dt.date) -> None:
    """n covers: half voluntary, half household health, paid until a day of the coming year
    or of the last one (so some are due and some lapsed)."""
    from django.utils import timezone

    from buudien.insurance.models import Cover, Participant
    from buudien.insurance.services.participants import name_key

    rng = random.Random(16)
    people, covers = [], []
    now = timezone.now()
    for i in range(n):
        birth = dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28)
        name = f"Nông Văn {i}"
        point = points[i % len(points)]
        person = Participant(
            citizen_id=f"004{(birth.year // 100 - 19) * 2}{birth.year % 100:02d}{i:06d}",
            name=name,
            name_key=name_key(name, birth),
            birth_date=birth,
            hamlet=f"Bản {i % 30}",
            phone=f"09{i:08d}",
            point=point,  # type: ignore[misc]
            consent_at=now,
            consent_by=clerk,  # type: ignore[misc]
            search_text=name.lower(),
        )
        people.append(person)
        until = today + dt.timedelta(days=rng.randint(-200, 400))
        scheme = "voluntary_social" if i % 2 else "household_health"
        covers.append(
            Cover(
                participant=person,
                scheme_id=scheme,
                point=point,  # type: ignore[misc]
                income=2_200_000 if i % 2 else None,
                mode="12m",
                first_from=until - dt.timedelta(days=364),
                paid_until=until,
            )
        )
    Participant.objects.bulk_create(people, batch_size=2000)
    Cover.objects.bulk_create(covers, batch_size=2000)


def _household(clerk: object, point: object) -> list[str]:
    from buudien.insurance import services

    home = services.create_household(
        actor=clerk,  # type: ignore[arg-type]
        point=point,  # type: ignore[arg-type]
        data=services.HouseholdIn(head_name="Hoàng Văn Páo", hamlet="Nà Lẹng"),
    )
    ids = []
    for i in range(5):
        birth = dt.date(1970 + 5 * i, 1 + i, 10)
        person = services.register_participant(
            actor=clerk,  # type: ignore[arg-type]
            point=point,  # type: ignore[arg-type]
            data=services.PersonIn(
                citizen_id=f"004{(birth.year // 100 - 19) * 2}{birth.year % 100:02d}9{i:05d}",
                name=f"Hoàng Văn Bench {i}",
                birth_date=birth,
                household_id=str(home.pk),
                consent=True,
            ),
        )
        ids.append(str(person.pk))
    return ids


def main() -> None:
    database = setup_django("insurance")
    from django.db import connection
    from django.utils import timezone

    from buudien.core import reference
    from buudien.core.models import Role, User
    from buudien.insurance.models import Cover, Participant
    from buudien.insurance.selectors import renewals
    from buudien.network import demo as network_demo
    from buudien.network.models import PostUnit

    reference.load()
    network_demo.build()
    today = timezone.localdate()
    manager = User.objects.get(username="tinh")
    points = list(PostUnit.objects.filter(kind="commune_point").order_by("code"))
    clerk = User.objects.filter(role=Role.CLERK, home_unit=points[0]).first()
    if Cover.objects.count() < N:
        Cover.objects.all().delete()
        Participant.objects.filter(household__isnull=True).delete()
        _people(N, points, clerk, today)
    last = today + dt.timedelta(days=30)

    def ours() -> None:
        due = renewals.due(user=manager)
        page = list(due[:50])
        assert len(page) == 50
        assert due.count() > 50

    def bare() -> None:
        with connection.cursor() as cur:
            cur.execute(DUE_SQL, [today, last])
            assert len(cur.fetchall()) == 50
            cur.execute(COUNT_SQL, [today, last])
            assert cur.fetchone()[0] > 50

    write_result(
        name="insurance_renewals",
        database=database,
        n=Cover.objects.count(),
        median_s=median_time(ours),
        baseline="the same page and count by hand-written SQL",
        baseline_median_s=median_time(bare),
    )
    _enrol(clerk, points[0], database)


def _enrol(clerk: object, point: object, database: str) -> None:
    from django.db import transaction

    from buudien.counter import selectors as counter_selectors
    from buudien.counter import services as counter_services
    from buudien.insurance import services
    from buudien.insurance.models import Participant

    shift = counter_selectors.open_session_of(clerk) or counter_services.open_session(  # type: ignore[arg-type]
        clerk=clerk,  # type: ignore[arg-type]
        unit=point,  # type: ignore[arg-type]
        opening_cash=0,
    )
    existing = list(
        Participant.objects.filter(name__startswith="Hoàng Văn Bench").values_list("pk", flat=True)
    )
    ids = [str(i) for i in existing] or _household(clerk, point)
    data = services.EnrolmentIn(
        scheme="household_health",
        mode="12m",
        months=12,
        members=tuple(services.MemberIn(participant_id=i) for i in ids),
    )
    amount = services.preview(user=clerk, point=point, data=data).quote.total  # type: ignore[arg-type]
    keys = iter(range(10**9))

    def ours() -> None:
        try:
            with transaction.atomic():
                services.enrol(session=shift, clerk=clerk, data=data)  # type: ignore[arg-type]
                raise _Rollback
        except _Rollback:
            pass

    def bare() -> None:
        try:
            with transaction.atomic():
                counter_services.post_entries(
                    session=shift,
                    clerk=clerk,  # type: ignore[arg-type]
                    requests=[
                        counter_services.EntryRequest(
                            idempotency_key=f"bench:{next(keys)}",
                            service_code="TC-BHYT",
                            amount=amount,
                        )
                    ],
                )
                raise _Rollback
        except _Rollback:
            pass

    write_result(
        name="insurance_enrol",
        database=database,
        n=len(ids),
        median_s=median_time(ours, repeat=30),
        baseline="posting one collection of the same amount through the ledger",
        baseline_median_s=median_time(bare, repeat=30),
    )


if __name__ == "__main__":
    main()
