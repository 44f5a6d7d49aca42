"""factory_boy factories for the models tests need most."""

from __future__ import annotations

import time

import factory
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from factory.django import DjangoModelFactory

from observatory.accounts.models import Membership, Network, NetworkMember, Organisation, Role, User
from observatory.reference.models import Area

PASSWORD = "correct-horse-battery-staple"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DP"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.LazyAttribute(
        lambda o: f"{o.area.code}-{o.kind.upper()}" if o.area else "OFFICE"
    )
    name = factory.LazyAttribute(lambda o: f"{o.code} agency")
    kind = Organisation.Kind.POLICE
    area = factory.LazyFunction(lambda: Area.objects.get(code="COL"))


def member(
    role: str, organisation: Organisation, *, mfa: bool = True, email: str | None = None
) -> User:
    """A user holding `role` in `organisation` (with TOTP set up unless mfa=False)."""
    user = UserFactory(email=email) if email else UserFactory()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    if mfa:
        give_totp(user)
    return user


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The current TOTP code, never one about to expire: a browser test types it
    a moment later, and the server takes the current 30-second window only."""
    left = 30 - time.time() % 30
    if left < 5:
        time.sleep(left + 0.5)
    return str(format_hotp_value(hotp_value(secret, int(time.time()) // 30)))


def give_totp(user: User) -> None:
    TOTP.activate(user, TOTP_SECRET)


def office() -> Organisation:
    return OrganisationFactory(code="OFFICE", kind=Organisation.Kind.OFFICE, area=None)


def agency(area_code: str, kind: str = Organisation.Kind.POLICE) -> Organisation:
    return OrganisationFactory(area=Area.objects.get(code=area_code), kind=kind)


def network(code: str = "NET", members: tuple[str, ...] = (), status: str = "active") -> Network:
    net = Network.objects.create(code=code, name=f"{code} network")
    for area_code in members:
        NetworkMember.objects.create(network=net, area_id=area_code, status=status)
    return net


ROLES = [Role.CONTRIBUTOR, Role.FOCAL_POINT, Role.ANALYST, Role.ADMIN]
