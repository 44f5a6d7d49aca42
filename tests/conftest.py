"""Shared fixtures. The test database gets the real reference data once per run
(per xdist worker), as `observatory load-reference` loads it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command

from observatory.accounts.models import Organisation, Role, User
from tests import factories


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        call_command("load_reference", verbosity=0)


@pytest.fixture(autouse=True)
def _clear_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def office(db: Any) -> Organisation:
    return factories.office()


@pytest.fixture
def col_police(db: Any) -> Organisation:
    return factories.agency("COL", Organisation.Kind.POLICE)


@pytest.fixture
def col_lab(db: Any) -> Organisation:
    return factories.agency("COL", Organisation.Kind.LABORATORY)


@pytest.fixture
def esp_customs(db: Any) -> Organisation:
    return factories.agency("ESP", Organisation.Kind.CUSTOMS)


@pytest.fixture
def users(
    office: Organisation, col_police: Organisation, col_lab: Organisation, esp_customs: Organisation
) -> dict[str, User]:
    """One user per role, plus users of another country, all with TOTP set up."""
    return {
        "contributor": factories.member(Role.CONTRIBUTOR, col_police, email="contributor@col.test"),
        "focal_point": factories.member(Role.FOCAL_POINT, col_police, email="focal@col.test"),
        "analyst": factories.member(Role.ANALYST, office, email="analyst@office.test"),
        "admin": factories.member(Role.ADMIN, office, email="admin@office.test"),
        "other_contributor": factories.member(
            Role.CONTRIBUTOR, esp_customs, email="contributor@esp.test"
        ),
        "other_focal_point": factories.member(
            Role.FOCAL_POINT, esp_customs, email="focal@esp.test"
        ),
        "no_role": factories.UserFactory(email="nobody@example.test"),
    }
