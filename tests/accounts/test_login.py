"""Login: email + password, lockout after repeated failures, audit of every attempt."""

from __future__ import annotations

import pytest
from django.test import Client

from observatory.accounts.models import Role, User
from observatory.core.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def contributor(col_police: object) -> User:
    return factories.member(Role.CONTRIBUTOR, col_police, email="someone@col.test")  # type: ignore[arg-type]


def attempt(client: Client, email: str, password: str) -> int:
    response = client.post("/accounts/login/", {"login": email, "password": password})
    return response.status_code


def test_login_with_email_and_password(client: Client, contributor: User) -> None:
    response = client.post(
        "/accounts/login/", {"login": "Someone@COL.test", "password": factories.PASSWORD}
    )
    # Contributors are not asked for MFA but this one has it set up: allauth asks for the code.
    assert response.status_code == 302
    assert response["Location"] in {"/", "/accounts/2fa/authenticate/"}


def test_login_without_mfa_lands_on_home_and_is_audited(client: Client, col_police: object) -> None:
    user = factories.member(Role.CONTRIBUTOR, col_police, mfa=False)  # type: ignore[arg-type]
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": factories.PASSWORD}
    )
    assert (response.status_code, response["Location"]) == (302, "/")
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN).latest("at")
    assert event.actor_email == user.email


def test_failed_login_is_audited_without_the_password(client: Client, contributor: User) -> None:
    attempt(client, contributor.email, "wrong-password-123")
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).latest("at")
    assert event.object_repr == contributor.email
    assert "wrong-password-123" not in str(event.changes)


def test_account_is_locked_after_five_failures(client: Client, col_police: object) -> None:
    user = factories.member(Role.CONTRIBUTOR, col_police, mfa=False)  # type: ignore[arg-type]
    for _ in range(5):
        assert attempt(client, user.email, "wrong-password-123") == 200
    # Even the right password is refused now, with a message saying so.
    response = client.post(
        "/accounts/login/", {"login": user.email, "password": factories.PASSWORD}
    )
    assert response.status_code in {200, 429}
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_open_sign_up_is_closed(client: Client) -> None:
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )
    assert not User.objects.filter(email="new@example.org").exists()
    assert response.status_code == 200


def test_admin_login_goes_through_allauth(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_password_hashes_are_argon2_in_the_real_settings() -> None:
    from observatory.config import settings as real

    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_wrong_second_factor_is_refused_and_audited(client: Client, contributor: User) -> None:
    response = client.post(
        "/accounts/login/", {"login": contributor.email, "password": factories.PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/authenticate/"
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED).latest("at")
    assert (event.object_repr, event.changes["second_factor"]) == (contributor.email, "totp")
