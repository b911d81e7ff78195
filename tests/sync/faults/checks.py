"""What must hold once a laptop has synced: the province holds each of its operations exactly
once, with the laptop's own keys and receipt numbers, and its rollups equal the sums of its
entries. Both sides are read straight from their SQLite files."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.sync.faults.processes import query

ENTRY = (
    "SELECT id, receipt_no, amount, direction, revenue, session_id, settles, reverses_id "
    "FROM counter_ledgerentry"
)
SESSION = (
    "SELECT id, status, entries_count, revenue, cash_in, cash_out, business_date "
    "FROM counter_countersession"
)
SUMS = (
    "SELECT unit_id, service_id, business_date, "
    "SUM(CASE WHEN reverses_id IS NULL THEN 1 ELSE -1 END), "
    "SUM(CASE WHEN reverses_id IS NULL THEN quantity ELSE -quantity END), "
    "SUM(CASE WHEN direction = 'in' THEN amount ELSE 0 END), "
    "SUM(CASE WHEN direction = 'out' THEN amount ELSE 0 END), SUM(revenue) "
    "FROM counter_ledgerentry GROUP BY unit_id, service_id, business_date"
)
ROLLUPS = (
    "SELECT unit_id, service_id, business_date, count, quantity, cash_in, cash_out, revenue "
    "FROM counter_dailyrollup"
)


def _by_id(rows: list[tuple[Any, ...]]) -> dict[Any, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in rows}


@dataclass(frozen=True)
class Baseline:
    """What the province held before any laptop worked: its own entries and shifts."""

    entries: frozenset[Any]
    sessions: frozenset[Any]
    dossiers: frozenset[Any]

    @classmethod
    def of(cls, db: Path) -> Baseline:
        return cls(
            entries=frozenset(r[0] for r in query(db, "SELECT id FROM counter_ledgerentry")),
            sessions=frozenset(r[0] for r in query(db, "SELECT id FROM counter_countersession")),
            dossiers=frozenset(r[0] for r in query(db, "SELECT id FROM dossiers_dossier")),
        )


def device_id(laptop_db: Path) -> str:
    return str(query(laptop_db, "SELECT id FROM core_pointdevice")[0][0])


def exactly_once(laptop_db: Path, province_db: Path, baseline: Baseline) -> dict[str, int]:
    """Every operation of the laptop is applied at the province once, with what it made on
    the laptop: entries (keys, receipts, amounts), shifts, paid lines, dossiers."""
    device = device_id(laptop_db)
    ops = {
        r[0]: r[1:] for r in query(laptop_db, "SELECT seq, id, state, message FROM core_operation")
    }
    not_applied = {seq: op for seq, op in ops.items() if op[1] != "applied"}
    assert not not_applied, f"operations the province did not apply: {not_applied}"
    applied = query(
        province_db,
        "SELECT seq, id, outcome FROM sync_appliedoperation WHERE device_id = ?",
        (device,),
    )
    assert len(applied) == len(ops), (len(applied), len(ops))
    assert {r[0]: (r[1], r[2]) for r in applied} == {s: (o[0], "applied") for s, o in ops.items()}

    here = _by_id(query(laptop_db, ENTRY))
    there = {
        k: v for k, v in _by_id(query(province_db, ENTRY)).items() if k not in baseline.entries
    }
    assert set(there) == set(here), (
        f"{len(set(there) - set(here))} entries only at the province, "
        f"{len(set(here) - set(there))} only on the laptop"
    )
    assert there == here
    receipts = Counter(
        v[0] for v in query(province_db, "SELECT receipt_no FROM counter_ledgerentry")
    )
    assert max(receipts.values()) == 1, [r for r, n in receipts.items() if n > 1]

    settled = Counter(
        r[0]
        for r in query(province_db, "SELECT settles FROM counter_ledgerentry WHERE settles != ''")
    )
    assert max(settled.values(), default=1) == 1, [s for s, n in settled.items() if n > 1]
    paid_here = {v[5]: k for k, v in here.items() if str(v[5]).startswith("payout:")}
    for settles, entry in paid_here.items():
        line = int(settles.split(":")[1])
        status = query(
            province_db, "SELECT status, entry_id FROM payouts_payout WHERE id = ?", (line,)
        )
        assert status == [("paid", entry)], (settles, status)

    shifts_here = _by_id(query(laptop_db, SESSION))
    shifts_there = {
        k: v for k, v in _by_id(query(province_db, SESSION)).items() if k not in baseline.sessions
    }
    assert shifts_there == shifts_here

    dossiers_here = dict(query(laptop_db, "SELECT id, code FROM dossiers_dossier"))
    dossiers_there = dict(query(province_db, "SELECT id, code FROM dossiers_dossier"))
    made_here = {k: v for k, v in dossiers_here.items() if k not in baseline.dossiers}
    assert all(dossiers_there.get(k) == code for k, code in made_here.items())
    assert len(dossiers_there) == len(baseline.dossiers) + len(made_here)
    rollups_equal_sums(province_db)
    return {
        "operations": len(ops),
        "entries": len(here),
        "paid_lines": len(paid_here),
        "dossiers": len(made_here),
    }


def rollups_equal_sums(db: Path) -> None:
    """The daily rollups the reports read are the sums of the raw entries, row for row."""
    sums = {r[:3]: r[3:] for r in query(db, SUMS)}
    rollups = {r[:3]: r[3:] for r in query(db, ROLLUPS)}
    assert rollups == sums, {
        k: (rollups.get(k), sums.get(k))
        for k in set(sums) | set(rollups)
        if rollups.get(k) != sums.get(k)
    }
    monthly = query(
        db, "SELECT SUM(revenue), SUM(cash_in), SUM(cash_out) FROM counter_monthlyrollup"
    )
    daily = query(db, "SELECT SUM(revenue), SUM(cash_in), SUM(cash_out) FROM counter_dailyrollup")
    assert monthly == daily


def nothing_beyond(laptop_db: Path, province_db: Path, baseline: Baseline) -> None:
    """At any moment, even mid-sync: the province holds nothing the laptop did not make, and
    nothing twice; what the laptop knows as applied is at the province; rollups add up."""
    device = device_id(laptop_db)
    ops = dict(query(laptop_db, "SELECT seq, state FROM core_operation"))
    applied = dict(
        query(
            province_db,
            "SELECT seq, outcome FROM sync_appliedoperation WHERE device_id = ?",
            (device,),
        )
    )
    assert set(applied) <= set(ops), sorted(set(applied) - set(ops))
    known = {seq for seq, state in ops.items() if state != "pending"}
    assert known <= set(applied), sorted(known - set(applied))
    assert set(applied.values()) <= {"applied"}, Counter(applied.values())
    here = {r[0] for r in query(laptop_db, "SELECT id FROM counter_ledgerentry")}
    there = {r[0] for r in query(province_db, "SELECT id FROM counter_ledgerentry")}
    assert there - baseline.entries <= here
    rollups_equal_sums(province_db)
