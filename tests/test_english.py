"""The English interface is English: the report's prose, and a dossier's history that shows
what happened, never its codes, in either language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from buudien.core.models import Role, User
from buudien.counter.models import CounterSession
from buudien.dossiers import services
from buudien.dossiers.models import Batch, Procedure
from buudien.plans.periods import Period
from buudien.reports.builders import network_report, plan_vs_actual
from buudien.reports.narrative import network_text, plan_vs_actual_text
from tests.conftest import Tree
from tests.dossiers.test_intake_and_lifecycle import take_in
from tests.reports import test_published_report
from tests.test_translations import VIETNAMESE

# The province of the published report, with its plans and actuals.
cao_bang = test_published_report.cao_bang_2023
UNIT_NAME = "Bưu điện tỉnh Cao Bằng"


def _narrative(world: dict[str, Any], language: str) -> str:
    period = Period(2023, "year", 12)
    with translation.override(language):
        report = plan_vs_actual(world["manager"], world["province"], period)
        network = network_report(world["manager"], world["province"], period)
        return plan_vs_actual_text(report) + " " + network_text(network)


def test_the_report_narrative_is_written_in_english(cao_bang: dict[str, Any]) -> None:
    text = _narrative(cao_bang, "en")
    assert VIETNAMESE.findall(text.replace(UNIT_NAME, "")) == []
    assert text.startswith(f"In the year 2023, {UNIT_NAME} achieved the following results.")
    assert "Total revenue 113.3 billion dong, 95% of plan, 121% of the same period" in text
    assert "postal finance revenue 80.6 billion dong, 125% of plan" in text
    assert "labour productivity 216.9 million dong/person, 108% of plan" in text
    assert "15,959/19,668" in text
    assert "6.8 million dong per point per month" in text


def test_the_vietnamese_narrative_keeps_its_published_wording(
    cao_bang: dict[str, Any],
) -> None:
    text = _narrative(cao_bang, "vi")
    assert "Tổng doanh thu 113 tỷ 298 triệu đồng, đạt 95% kế hoạch (KH)" in text
    assert "doanh thu đạt 6,8 triệu đồng/điểm/tháng" in text


CODES = ("intake", "send", "hand_over")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("vi", ["Đã tiếp nhận tại điểm", "Đang chuyển đến cơ quan", "Cơ quan đã nhận"]),
        ("en", ["Received at point", "In transit to agency", "Received by agency"]),
    ],
)
def test_a_dossiers_history_shows_labels_not_codes(
    tree: Tree,
    clerk_session: CounterSession,
    users: dict[str, User],
    procedures: dict[str, Procedure],
    officer: User,
    language: str,
    labels: list[str],
) -> None:
    clerk = users[Role.CLERK]
    dossier = take_in(clerk_session, clerk, procedures["1.001193"])
    batch = services.open_batch(
        actor=clerk,
        unit=tree.point_a1,
        agency=dossier.agency,
        direction=Batch.Direction.TO_AGENCY,
        dossiers=[dossier],
    )
    services.send_batch(actor=clerk, batch=batch)
    services.confirm_handover(actor=officer, batch=batch)
    client = Client()
    client.force_login(clerk)
    client.cookies["buudien_lang"] = language
    page = client.get(reverse("dossiers:detail", args=[dossier.code])).content.decode()
    history = re.search(r'data-testid="events">(.*?)</table>', page, re.S)
    assert history is not None
    shown = re.sub(r"<[^>]+>", " ", history.group(1))
    for label in labels:
        assert label in shown
    for code in CODES:
        assert code not in shown
