"""Issue 12 §4: the disclosure audit (statistics/audit.py) works out, from every
published number and the exact sums, the interval each withheld small count
can still take; publication is refused while one is narrower than "<5"."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

import pytest

from observatory.accounts.models import Role
from observatory.core.errors import ValidationFailed
from observatory.demo.statistics import _tip_answers
from observatory.statistics import disclosure, selectors, services
from observatory.statistics.audit import audit
from observatory.statistics.cube import loader
from observatory.statistics.services import Entry
from observatory.submissions import services as workflow
from observatory.submissions.models import Version
from tests import factories

pytestmark = pytest.mark.django_db
FORMS = [
    "SEXUAL",
    "FORCED_LABOUR",
    "CRIMINAL_ACTIVITY",
    "BEGGING",
    "FORCED_MARRIAGE",
    "ORGAN_REMOVAL",
    "ILLEGAL_ADOPTION",
    "MIXED",
    "OTHER",
    "_U",
]


@pytest.fixture
def people(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    return {"analyst": factories.member(Role.ANALYST, factories.office(), email="a@o.test")}


def _publish(people: dict[str, Any], area: str, entries: dict[str, Entry]) -> Version:
    organisation = factories.agency(area)
    focal = factories.member(Role.FOCAL_POINT, organisation, email=f"f@{area.lower()}.test")
    version = services.questionnaire_save(
        questionnaire=selectors.questionnaire_get("TIP"),
        organisation=organisation,
        year=2024,
        entries=entries,
        actor=focal,
    )
    version = workflow.version_submit(version=version, actor=focal)
    version = workflow.version_accept(version=version, actor=people["analyst"])
    return workflow.version_publish(version=version, actor=people["analyst"])


def _forms(counts: dict[str, int]) -> dict[str, Entry]:
    total = sum(counts.values())
    entries = {"VICTIMS._T._T._T._T.COUNT": Entry(value=Decimal(total))}
    for form in FORMS:
        entries[f"VICTIMS._T._T.{form}._T.COUNT"] = Entry(value=Decimal(counts.get(form, 0)))
    return entries


def test_the_demos_trafficking_tables_expose_nothing(people: dict[str, Any]) -> None:
    _publish(people, "ESP", _tip_answers(1.0))
    _publish(people, "NLD", _tip_answers(0.4))
    assert audit(selectors.dataflow_get("DF_TIP")) == []


def test_generated_tables_expose_nothing(people: dict[str, Any]) -> None:
    rng = random.Random(12)
    areas = ["COL", "PER", "ECU", "BOL", "CHL", "ARG"]
    for area in areas:
        counts = {form: rng.choice([0, 0, 1, 2, 3, 4, 7, 12, 40]) for form in FORMS}
        _publish(people, area, _forms(counts))
    flow = selectors.dataflow_get("DF_TIP")
    shown_small = [
        o
        for o in selectors.current_observations(actor=None, dataflow=flow)
        if o.value is not None and 0 < o.value < 5
    ]
    assert shown_small  # the tables do hold small counts to protect
    assert audit(flow) == []


def test_a_weak_control_is_found_and_its_publication_refused(
    people: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without complementary suppression, begging's 2 is 100 - 98.
    table = {"SEXUAL": 50, "FORCED_LABOUR": 30, "CRIMINAL_ACTIVITY": 10, "BEGGING": 2, "OTHER": 8}
    monkeypatch.setattr(
        disclosure.Disclosure, "_complementary", lambda self, small, relations, counts: frozenset()
    )
    with pytest.raises(ValidationFailed) as refused:
        _publish(people, "ESP", _forms(table))

    message = str(refused.value)
    assert "publishing would let the public work out 1 withheld count(s)" in message
    assert "ESP 2024 VICTIMS._T._T.BEGGING._T: published as <5, but is 2" in message
    # nothing was published
    assert not Version.objects.filter(status="published").exists()
