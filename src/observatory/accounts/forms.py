from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from observatory.accounts import access
from observatory.accounts.access import ActorLike
from observatory.accounts.models import Organisation, Role, User


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What the token is for, e.g. 'nightly upload script'"),
    )
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.none()
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            memberships__user=user, is_active=True
        )


class MembershipGrantForm(forms.Form):
    organisation: Organisation
    actor: ActorLike
    email = forms.EmailField(label=_("Email of an existing user"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(
        self, *args: Any, organisation: Organisation, actor: ActorLike = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.actor = actor
        allowed = (
            [Role.ANALYST, Role.ADMIN]
            if organisation.is_office
            else [Role.CONTRIBUTOR, Role.FOCAL_POINT]
        )
        self.fields["role"].choices = [(r.value, r.label) for r in allowed]  # type: ignore[attr-defined]

    def clean_email(self) -> User:
        email = self.cleaned_data["email"].strip().lower()
        user = User.objects.filter(email__iexact=email, is_active=True).first()
        # One message for "no such user" and "a user you may not manage", so the form
        # does not tell who has an account.
        if user is None or not access.can_manage_user(
            self.actor, person=user, organisation=self.organisation
        ):
            raise forms.ValidationError(
                _(
                    "No user with this email address can be given a role here. Ask the "
                    "office to create the account."
                )
            )
        return user
