"""The permission matrix says what each role may do; these are the promises it must keep."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from buudien.core.models import Role
from buudien.core.permissions import MATRIX, markdown

SRC = Path(__file__).resolve().parents[2] / "src" / "buudien"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "security.md"
INTERNAL_FINANCES = {"plans.view", "plans.view_manual", "reports.view", "counter.view"}


def test_the_auditor_writes_nothing() -> None:
    writes = [r.action for r in MATRIX.values() if r.writes and Role.AUDITOR in r.roles]
    assert writes == []


def test_an_agency_officer_sees_no_internal_finances_of_the_post() -> None:
    seen = [a for a in INTERNAL_FINANCES if Role.PARTNER_OFFICER in MATRIX[a].roles]
    assert seen == []


def test_an_agency_officer_writes_only_for_his_agency() -> None:
    writes = [r for r in MATRIX.values() if r.writes and Role.PARTNER_OFFICER in r.roles]
    assert writes
    assert {r.reach for r in writes} == {"agency"}


def test_every_action_that_shows_personal_data_is_marked_and_refused_to_nobody_by_mistake() -> None:
    personal = {a for a, r in MATRIX.items() if r.personal}
    assert {"dossiers.view", "payouts.view", "payouts.settlement", "counter.view"} <= personal


def test_docs_security_carries_the_matrix_as_it_is_declared() -> None:
    assert markdown() in DOCS.read_text(encoding="utf-8"), (
        "docs/security.md is out of date: run `buudien permissions --markdown` and paste it"
    )


def test_no_view_or_api_handler_calls_a_model_manager() -> None:
    offenders = []
    pages = [*SRC.glob("*/views.py"), *SRC.glob("*/views/*.py")]
    handlers = [*SRC.glob("*/api.py"), *SRC.glob("*/api/*.py")]
    for path in sorted(pages) + sorted(handlers):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"\.objects\b|_default_manager|\.raw\(", line):
                offenders.append(f"{path.relative_to(SRC)}:{number}: {line.strip()}")
    assert offenders == [], "views and handlers read through selectors:\n" + "\n".join(offenders)


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("dossier.batch_already_settled", 409),
        ("dossier.complaint_already_settled", 409),
        ("payout.settlement_conflict", 409),
        ("counter.idempotency_conflict", 409),
        ("dossier.not_found", 404),
        ("payout.amount_invalid", 422),
        ("core.throttled", 429),
    ],
)
def test_a_second_settlement_or_a_clash_is_a_conflict_for_the_api(code: str, status: int) -> None:
    from buudien.core.errors import http_status

    assert http_status(code) == status
