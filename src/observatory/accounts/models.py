"""Users, organisations and their roles, networks of states, API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from observatory.reference.models import Area


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("an email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an email address and a password."""

    email = models.EmailField(_("email address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("may use the Django admin"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["email"]
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Organisation(models.Model):
    """A national agency in one area (police, customs, a laboratory, ...), or the
    international office itself (kind OFFICE, no area)."""

    class Kind(models.TextChoices):
        OFFICE = "office", _("international office")
        POLICE = "police", _("police")
        CUSTOMS = "customs", _("customs")
        LABORATORY = "lab", _("forensic laboratory")
        STATISTICS = "statistics", _("statistics office")
        IMMIGRATION = "immigration", _("immigration / border agency")
        COAST_GUARD = "coastguard", _("coast guard")
        PROSECUTION = "prosecution", _("prosecution")
        DRUG_CONTROL = "drugcontrol", _("drug control agency")
        HEALTH = "health", _("health ministry")
        OTHER = "other", _("other")

    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=_("Short code such as COL-POLICE")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    area = models.ForeignKey(
        Area,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        verbose_name=_("area"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="office", area__isnull=True)
                    | (~models.Q(kind="office") & models.Q(area__isnull=False))
                ),
                name="organisation_office_has_no_area",
            )
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_office(self) -> bool:
        return self.kind == self.Kind.OFFICE


class Role(models.TextChoices):
    CONTRIBUTOR = "contributor", _("contributor")
    FOCAL_POINT = "focal_point", _("focal point")
    ANALYST = "analyst", _("office analyst")
    ADMIN = "admin", _("administrator")


NATIONAL_ROLES = frozenset({Role.CONTRIBUTOR, Role.FOCAL_POINT})
OFFICE_ROLES = frozenset({Role.ANALYST, Role.ADMIN})
MFA_ROLES = frozenset({Role.FOCAL_POINT, Role.ANALYST, Role.ADMIN})


class Membership(models.Model):
    """A user's role in one organisation. National organisations take contributor
    and focal point roles; the office takes analyst and administrator roles."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation__code", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_one_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.role} @ {self.organisation}"


class Network(models.Model):
    """A named group of member areas that share data among themselves under a rule.

    Reciprocity: a member sees what other members shared for a period only if it
    contributed data for that period itself."""

    class SharingRule(models.TextChoices):
        RECIPROCITY = "reciprocity", _("reciprocity: contributors see each other")

    class PeriodKind(models.TextChoices):
        YEAR = "year", _("year")
        QUARTER = "quarter", _("quarter")
        MONTH = "month", _("month")

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    sharing_rule = models.CharField(
        max_length=20, choices=SharingRule.choices, default=SharingRule.RECIPROCITY
    )
    period_kind = models.CharField(
        max_length=10, choices=PeriodKind.choices, default=PeriodKind.YEAR
    )
    suppression_threshold = models.PositiveSmallIntegerField(
        default=5, help_text=_("Aggregate cells below this count are suppressed for members")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class NetworkMember(models.Model):
    """An area's membership of a network, from invitation to leaving."""

    class Status(models.TextChoices):
        INVITED = "invited", _("invited")
        ACTIVE = "active", _("active")
        LEFT = "left", _("left")

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="members")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="network_memberships")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    joined_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["network", "area"]
        constraints = [
            models.UniqueConstraint(fields=["network", "area"], name="network_member_area")
        ]

    def __str__(self) -> str:
        return f"{self.area_id} in {self.network.code} ({self.status})"


class NetworkAgency(models.Model):
    """An organisation a member state's focal point named as contributing to a
    network (immigration, police, coast guard, prosecutors...): together with the
    focal point, the national platform that enters and sees the state's data."""

    member = models.ForeignKey(NetworkMember, on_delete=models.CASCADE, related_name="agencies")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="network_agencies"
    )
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    named_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member", "organisation"]
        constraints = [
            models.UniqueConstraint(fields=["member", "organisation"], name="network_agency_once")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} for {self.member}"


class NetworkContribution(models.Model):
    """That an area contributed data to a network for a period ("2024", "2024-Q1",
    "2024-03"). Written by the reporting system when data is shared."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="contributions")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=10)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["network", "period", "area"]
        constraints = [
            models.UniqueConstraint(fields=["network", "area", "period"], name="contribution_once")
        ]

    def __str__(self) -> str:
        return f"{self.area_id} {self.period} -> {self.network.code}"


class ApiToken(models.Model):
    """A token for machine access, acting as its user within one organisation.

    Only a SHA-256 hash of the secret is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"obs_{self.prefix}_… ({self.user} @ {self.organisation})"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
