"""The demo world: every role, ten countries, idempotent."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from observatory.accounts.models import Membership, Organisation, Role, User
from observatory.demo.world import DEMO_PASSWORD, build_demo_world

pytestmark = pytest.mark.django_db


def test_demo_covers_every_role_and_the_required_countries() -> None:
    build_demo_world()
    roles = set(Membership.objects.values_list("role", flat=True))
    assert roles == set(Role.values)
    areas = set(Organisation.objects.exclude(area=None).values_list("area_id", flat=True))
    assert {"COL", "ECU", "ESP", "NLD", "AFG", "IRN", "THA", "MMR", "AUS", "NGA"} <= areas
    assert Organisation.objects.filter(kind=Organisation.Kind.OFFICE).count() == 1


def test_demo_users_log_in_with_the_published_password() -> None:
    build_demo_world()
    user = authenticate(email="focal.col@observatory.demo", password=DEMO_PASSWORD)
    assert user is not None
    assert user.memberships.get().role == Role.FOCAL_POINT


def test_running_the_demo_twice_changes_nothing_and_keeps_passwords() -> None:
    call_command("demo", seizures=0, stdout=StringIO())
    user = User.objects.get(email="police.col@observatory.demo")
    user.set_password("a-changed-password-42")
    user.save()
    counts = (User.objects.count(), Membership.objects.count(), Organisation.objects.count())
    out = StringIO()
    call_command("demo", seizures=0, stdout=out)
    assert (
        User.objects.count(),
        Membership.objects.count(),
        Organisation.objects.count(),
    ) == counts
    assert "created: 0 organisations, 0 users, 0 roles)" in out.getvalue()
    assert "0 demo incidents created this time" in out.getvalue()
    assert User.objects.get(pk=user.pk).check_password("a-changed-password-42")


def test_demo_seizures_are_imported_and_published_through_the_workflow() -> None:
    from observatory.analytics import engine
    from observatory.demo.seizures import LABEL, load_demo_seizures
    from observatory.seizures.models import Seizure
    from observatory.submissions.models import Version

    build_demo_world()
    published = load_demo_seizures(rows=600, say=lambda line: None)
    assert published == 600
    assert Seizure.objects.count() == 600
    versions = Version.objects.filter(submission__label=LABEL)
    assert set(versions.values_list("status", flat=True)) == {"published"}
    assert set(versions.values_list("history__to_status", flat=True)) == {
        "draft",
        "submitted",
        "accepted",
        "published",
    }
    assert engine.has_data("seizures")
    # Running it again adds nothing.
    assert load_demo_seizures(rows=600, say=lambda line: None) == 0
