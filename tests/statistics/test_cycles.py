"""Reporting cycles: the office opens a round with a deadline and sees, country
by country, what was submitted, on time or late, and the rule errors left."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from observatory.accounts.models import Organisation, Role
from observatory.core.errors import PermissionDenied, ValidationFailed
from observatory.statistics import selectors, services
from observatory.statistics.cube import loader
from observatory.statistics.questionnaires import completeness
from observatory.statistics.services import Entry
from observatory.submissions import services as workflow
from observatory.submissions.models import StatusChange
from tests import factories

pytestmark = pytest.mark.django_db

SEXUAL = "OFFENCES.ICCS0301._T._T._T._T._T.COUNT"
RAPE = "OFFENCES.ICCS03011._T._T._T._T._T.COUNT"


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    office = factories.office()
    col = factories.agency("COL", Organisation.Kind.STATISTICS)
    esp = factories.agency("ESP", Organisation.Kind.STATISTICS)
    factories.agency("NLD", Organisation.Kind.STATISTICS)
    return {
        "cts": selectors.questionnaire_get("UN-CTS"),
        "col": col,
        "esp": esp,
        "col_focal": factories.member(Role.FOCAL_POINT, col, email="fp@col.test"),
        "esp_focal": factories.member(Role.FOCAL_POINT, esp, email="fp@esp.test"),
        "analyst": factories.member(Role.ANALYST, office, email="analyst@o.test"),
    }


def test_completeness_and_timeliness_by_country(world: dict[str, Any]) -> None:
    today = timezone.localdate()
    cycle = services.cycle_create(
        questionnaire=world["cts"],
        year=2025,
        opens_on=today - timedelta(days=60),
        deadline=today - timedelta(days=10),
        actor=world["analyst"],
    )
    # Colombia submitted before the deadline, with an inconsistency left.
    col = services.questionnaire_save(
        questionnaire=world["cts"],
        organisation=world["col"],
        year=2025,
        entries={SEXUAL: Entry(value=Decimal(10)), RAPE: Entry(value=Decimal(12))},
        actor=world["col_focal"],
    )
    workflow.version_submit(version=col, actor=world["col_focal"])
    StatusChange.objects.filter(version=col, to_status="submitted").update(
        at=timezone.now() - timedelta(days=20)
    )
    # Spain submitted after it; the Netherlands has only a draft (the office
    # does not see drafts).
    esp = services.questionnaire_save(
        questionnaire=world["cts"],
        organisation=world["esp"],
        year=2025,
        entries={SEXUAL: Entry(value=Decimal(10))},
        actor=world["esp_focal"],
    )
    workflow.version_submit(version=esp, actor=world["esp_focal"])
    rows = {r.area: r for r in completeness.cycle_rows(cycle, actor=world["analyst"])}
    assert set(rows) == {"COL", "ESP", "NLD"}
    assert (rows["COL"].status, rows["COL"].on_time, rows["COL"].errors) == ("submitted", True, 1)
    assert (rows["ESP"].status, rows["ESP"].on_time, rows["ESP"].errors) == ("submitted", False, 0)
    assert (rows["NLD"].status, rows["NLD"].on_time) == ("not_submitted", False)
    page = Client()
    page.force_login(world["analyst"])
    html = page.get(f"/statistics/cycles/{cycle.pk}/").content.decode()
    assert "late" in html
    focal = Client()
    focal.force_login(world["col_focal"])
    assert focal.get(f"/statistics/cycles/{cycle.pk}/").status_code == 403


def test_only_the_office_opens_a_cycle_and_deadlines_make_sense(world: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.cycle_create(
            questionnaire=world["cts"],
            year=2025,
            opens_on=date(2026, 1, 1),
            deadline=date(2026, 6, 30),
            actor=world["col_focal"],
        )
    with pytest.raises(ValidationFailed, match="before the opening"):
        services.cycle_create(
            questionnaire=world["cts"],
            year=2025,
            opens_on=date(2026, 6, 1),
            deadline=date(2026, 1, 1),
            actor=world["analyst"],
        )
    office = Client()
    office.force_login(world["analyst"])
    response = office.post(
        "/statistics/cycles/",
        {
            "questionnaire": world["cts"].pk,
            "year": 2025,
            "opens_on": "2026-01-01",
            "deadline": "2026-06-30",
        },
    )
    assert response.status_code == 302
    again = office.post(
        "/statistics/cycles/",
        {
            "questionnaire": world["cts"].pk,
            "year": 2025,
            "opens_on": "2026-01-01",
            "deadline": "2026-06-30",
        },
    )
    assert "already has a reporting cycle" in again.content.decode()
