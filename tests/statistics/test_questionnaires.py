"""Questionnaires on the cube: definitions checked cell by cell, the entry grid
(draft saving, reasoned absences, flags, footnotes, last year's values), the
rules explained in plain words, and the review with comments on cells."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from observatory.accounts.models import Organisation, Role
from observatory.core.errors import PermissionDenied, ValidationFailed
from observatory.core.models import AuditEvent
from observatory.statistics import selectors, services
from observatory.statistics.cube import loader
from observatory.statistics.models import Observation, Questionnaire
from observatory.statistics.questionnaires import checks
from observatory.statistics.services import Entry
from observatory.submissions import services as workflow
from observatory.submissions.models import ReviewComment, Version
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/statistics/questionnaires/UN-CTS/{org}/{year}/"
HOMICIDE = "OFFENCES.ICCS0101._T._T._T._T._T.COUNT"
SEXUAL = "OFFENCES.ICCS0301._T._T._T._T._T.COUNT"
RAPE = "OFFENCES.ICCS03011._T._T._T._T._T.COUNT"
THEFT = "OFFENCES.ICCS0502._T._T._T._T._T.COUNT"
BURGLARY = "OFFENCES.ICCS0501._T._T._T._T._T.COUNT"
CONTACT_T = "PERSONS_CONTACT._T._T._T._T._T._T.COUNT"
CONTACT_M = "PERSONS_CONTACT._T.M._T._T._T._T.COUNT"
CONTACT_F = "PERSONS_CONTACT._T.F._T._T._T._T.COUNT"


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    loader.load_definitions()
    office = factories.office()
    col = factories.agency("COL", Organisation.Kind.STATISTICS)
    return {
        "cts": selectors.questionnaire_get("UN-CTS"),
        "col": col,
        "focal": factories.member(Role.FOCAL_POINT, col, email="fp@col.test"),
        "analyst": factories.member(Role.ANALYST, office, email="analyst@o.test"),
        "other": factories.member(Role.FOCAL_POINT, factories.agency("ESP"), email="fp@esp.test"),
    }


def save(world: dict[str, Any], entries: dict[str, Entry], year: int = 2025) -> Version:
    return services.questionnaire_save(
        questionnaire=world["cts"],
        organisation=world["col"],
        year=year,
        entries=entries,
        actor=world["focal"],
    )


def client(user: Any) -> Client:
    browser = Client()
    browser.force_login(user)
    return browser


def test_the_un_cts_definition_builds_every_cell_on_the_structure(world: dict[str, Any]) -> None:
    cts: Questionnaire = world["cts"]
    sections = {
        s.id: s
        for s in __import__(
            "observatory.statistics.questionnaires.sections", fromlist=["x"]
        ).sections_of(cts.definition, cts.dataflow)
    }
    assert list(sections)[:2] == ["offences", "contact"]
    assert sum(len(s.cells) for s in sections.values()) == 325
    assert sections["contact"].cells[(0, 1)].key == CONTACT_M


def test_a_definition_with_an_unknown_code_is_refused_with_its_cell(
    world: dict[str, Any], tmp_path: Path
) -> None:
    folder = tmp_path / "defs"
    folder.mkdir()
    for name in ("common.yaml", "un-cts.yaml"):
        text = (loader.DEFINITIONS / name).read_text(encoding="utf-8")
        if name == "un-cts.yaml":
            text = text.replace('version: "2024.1"', 'version: "2024.2"').replace(
                "[ICCS0101, ICCS0102,", "[ICCS0101, ICCS9999, ICCS0102,"
            )
        (folder / name).write_text(text, encoding="utf-8")
    with pytest.raises(
        loader.DefinitionError,
        match=r"questionnaire UN-CTS: section 'offences'.*'ICCS9999' is not a code",
    ):
        loader.load_definitions(folder=folder)
    assert not Questionnaire.objects.filter(version="2024.2").exists()


def test_entries_keep_zero_not_available_and_not_applicable_apart(world: dict[str, Any]) -> None:
    version = save(
        world,
        {
            HOMICIDE: Entry(value=Decimal("0")),
            THEFT: Entry(status="L"),
            BURGLARY: Entry(status="M", comment="burglary is not a separate offence here"),
            SEXUAL: Entry(value=Decimal("120"), status="E", confidential=True),
        },
    )
    cells = {o.key: o for o in Observation.objects.filter(version=version)}
    assert (cells[HOMICIDE].value, cells[HOMICIDE].obs_status) == (Decimal("0"), "A")
    assert (cells[THEFT].value, cells[THEFT].obs_status) == (None, "L")
    assert cells[BURGLARY].obs_status == "M"
    assert cells[BURGLARY].comment.startswith("burglary")
    assert (cells[SEXUAL].obs_status, cells[SEXUAL].conf_status) == ("E", "C")
    # Saving again with a cell emptied removes it; the draft stays the same version.
    again = save(world, {THEFT: Entry()})
    assert again.pk == version.pk
    assert not Observation.objects.filter(version=version, key=THEFT).exists()
    assert (
        AuditEvent.objects.filter(
            object_type="submissions.version", action="update", changes__questionnaire="UN-CTS"
        ).count()
        == 2
    )


def test_impossible_entries_are_refused_and_nothing_is_saved(world: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed, match="cannot be negative"):
        save(world, {HOMICIDE: Entry(value=Decimal("-1"))})
    with pytest.raises(ValidationFailed, match="at once"):
        save(world, {HOMICIDE: Entry(value=Decimal("3"), status="L")})
    with pytest.raises(ValidationFailed, match="not cells of UN-CTS"):
        save(world, {"NOT.A.CELL": Entry(value=Decimal("3"))})
    with pytest.raises(PermissionDenied):
        services.questionnaire_save(
            questionnaire=world["cts"],
            organisation=world["col"],
            year=2025,
            entries={},
            actor=world["other"],
        )
    assert not Observation.objects.exists()


def test_rules_are_explained_in_plain_words(world: dict[str, Any]) -> None:
    version = save(
        world,
        {
            SEXUAL: Entry(value=Decimal("100")),
            RAPE: Entry(value=Decimal("130")),
            CONTACT_T: Entry(value=Decimal("50")),
            CONTACT_M: Entry(value=Decimal("40")),
            CONTACT_F: Entry(value=Decimal("9")),
        },
    )
    found = checks.check_version(version, world["cts"], actor=world["focal"])
    assert found["rule"].to_list() == ["CTS-RAPE"]
    message = found["message"][0]
    assert "Rape (130)" in message
    assert "Sexual violence (100)" in message
    assert "by 30" in message


def test_the_grid_page_saves_and_shows_last_years_value(world: dict[str, Any]) -> None:
    published = save(world, {HOMICIDE: Entry(value=Decimal("11000"))}, year=2024)
    workflow.version_submit(version=published, actor=world["focal"])
    workflow.version_accept(version=published, actor=world["analyst"])
    workflow.version_publish(version=published, actor=world["analyst"])
    browser = client(world["focal"])
    url = URL.format(org=world["col"].code, year=2025)
    page = browser.get(url)
    assert page.status_code == 200
    assert "last year: 11000" in page.content.decode()
    refused = browser.post(url, {"action": "save", f"v.{HOMICIDE}": "12 5x0"})
    assert "not a number" in refused.content.decode()
    assert not Version.objects.filter(submission__label="UN-CTS 2025").exists()
    response = browser.post(
        url,
        {
            "action": "save",
            f"v.{HOMICIDE}": "12 500",
            f"s.{THEFT}": "L",
            f"v.{SEXUAL}": "100",
            f"v.{RAPE}": "130",
        },
    )
    assert response.status_code == 302
    page = browser.get(url).content.decode()
    assert "CTS-RAPE" in page
    observation = Observation.objects.get(key=HOMICIDE, time_period="2025")
    assert observation.value == Decimal("12500")


def test_the_office_returns_with_comments_on_cells_and_a_fix_is_a_new_version(
    world: dict[str, Any],
) -> None:
    version = save(world, {HOMICIDE: Entry(value=Decimal("12500"))})
    workflow.version_submit(version=version, actor=world["focal"])
    url = URL.format(org=world["col"].code, year=2025)
    assert client(world["other"]).get(url).status_code == 404
    focal_page = client(world["focal"]).get(url).content.decode()
    assert 'name="v.' not in focal_page  # with the office: read only
    office = client(world["analyst"])
    assert 'name="r.' in office.get(url).content.decode()
    office.post(
        url,
        {
            "action": "return",
            f"r.{HOMICIDE}": "12,500 homicides is ten times the previous year: please check",
            "general": "",
        },
    )
    version.refresh_from_db()
    assert version.status == Version.Status.RETURNED
    assert ReviewComment.objects.get(version=version, field=HOMICIDE).text.startswith("12,500")
    assert "ten times" in client(world["focal"]).get(url).content.decode()
    fixed = save(world, {HOMICIDE: Entry(value=Decimal("1250"))})
    assert fixed.number == 2
    workflow.version_submit(version=fixed, actor=world["focal"])
    workflow.version_accept(version=fixed, actor=world["analyst"])
    workflow.version_publish(version=fixed, actor=world["analyst"])
    public = selectors.current_observations(actor=None, dataflow=world["cts"].dataflow)
    assert [(o.key, o.value) for o in public] == [(HOMICIDE, Decimal("1250"))]


def test_rules_run_again_at_submission_and_are_noted_for_the_office(world: dict[str, Any]) -> None:
    version = save(world, {SEXUAL: Entry(value=Decimal("100")), RAPE: Entry(value=Decimal("130"))})
    workflow.version_submit(version=version, actor=world["focal"])
    note = ReviewComment.objects.get(version=version, text__startswith="Rules at submission")
    assert "1 error(s)" in note.text
    assert "CTS-RAPE" in note.text
