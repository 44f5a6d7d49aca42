"""The authorization walk: every URL pattern and every API operation, requested by
every kind of user, with the exact outcome written down by hand.

How it works:
- Coverage guards walk the URL resolver and the OpenAPI document. A pattern or an
  operation that is not declared in one of the tables below fails the guard: when
  you add a page, add a row here saying who may open it.
- The walk requests every declared page as each actor and compares the status code
  (and, for redirects, where the redirect goes).
- Writes (revoke a token, remove a member, give a role), the API with and without
  tokens, the MFA requirement and the security headers have their own tests.

An outcome is (status code, prefix of the Location header); "" for pages that do not
redirect. Expectations are literal data; the tests only look them up.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any, cast

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.http.response import HttpResponseBase
from django.test import Client
from django.test.client import ClientHandler
from django.urls import URLResolver, get_resolver
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from pytest_django.fixtures import Settings as SettingsWrapper

from observatory.accounts import services
from observatory.accounts.models import (
    ApiToken,
    Membership,
    Network,
    NetworkAgency,
    NetworkMember,
    Organisation,
    Role,
    User,
)
from observatory.api.api import api
from observatory.core.models import AuditEvent
from observatory.intake import services as intake_services
from observatory.intake.models import ImportJob
from observatory.reference.models import (
    Area,
    Drug,
    DrugGroup,
    IccsCategory,
    Population,
    Region,
    Unit,
)
from observatory.seizures.models import Seizure
from observatory.smuggling.models import Incident
from observatory.statistics import crosswalks
from observatory.statistics import selectors as statistics_selectors
from observatory.statistics import services as statistics_services
from observatory.statistics.cube import loader
from observatory.statistics.models import Crosswalk, Observation, ReportingCycle
from observatory.statistics.services import Entry
from observatory.submissions import services as workflow
from observatory.submissions.models import Version
from tests import factories

pytestmark = pytest.mark.django_db

Outcome = tuple[int, str]

ACTORS = (
    "anonymous",
    "contributor",  # COL-POLICE
    "focal_point",  # COL-POLICE
    "analyst",  # OFFICE
    "admin",  # OFFICE, staff and superuser
    "other_focal_point",  # ESP-CUSTOMS
    "other_contributor",  # ESP-CUSTOMS
    "no_role",
)

OK: Outcome = (200, "")
FORBIDDEN: Outcome = (403, "")
NOT_FOUND: Outcome = (404, "")
NOT_ALLOWED: Outcome = (405, "")
TO_LOGIN: Outcome = (302, "/accounts/login/?next=")
TO_ADMIN_LOGIN: Outcome = (302, "/admin/login/?next=")
TO_HOME: Outcome = (302, "/")
TO_REAUTHENTICATE: Outcome = (302, "/accounts/reauthenticate/")
TO_MFA_ACTIVATE: Outcome = (302, "/accounts/2fa/totp/activate/")

# --------------------------------------------------------------------------
# Expectation profiles: one outcome per actor.

PUBLIC = {
    "anonymous": OK,
    "contributor": OK,
    "focal_point": OK,
    "analyst": OK,
    "admin": OK,
    "other_focal_point": OK,
    "other_contributor": OK,
    "no_role": OK,
}
NOWHERE = {
    "anonymous": NOT_FOUND,
    "contributor": NOT_FOUND,
    "focal_point": NOT_FOUND,
    "analyst": NOT_FOUND,
    "admin": NOT_FOUND,
    "other_focal_point": NOT_FOUND,
    "other_contributor": NOT_FOUND,
    "no_role": NOT_FOUND,
}
LOGIN_REQUIRED = {
    "anonymous": TO_LOGIN,
    "contributor": OK,
    "focal_point": OK,
    "analyst": OK,
    "admin": OK,
    "other_focal_point": OK,
    "other_contributor": OK,
    "no_role": OK,
}
POST_ONLY = {
    "anonymous": TO_LOGIN,
    "contributor": NOT_ALLOWED,
    "focal_point": NOT_ALLOWED,
    "analyst": NOT_ALLOWED,
    "admin": NOT_ALLOWED,
    "other_focal_point": NOT_ALLOWED,
    "other_contributor": NOT_ALLOWED,
    "no_role": NOT_ALLOWED,
}
LOGGED_OUT_ONLY = {
    "anonymous": OK,
    "contributor": TO_HOME,
    "focal_point": TO_HOME,
    "analyst": TO_HOME,
    "admin": TO_HOME,
    "other_focal_point": TO_HOME,
    "other_contributor": TO_HOME,
    "no_role": TO_HOME,
}
DURING_LOGIN_ONLY = {  # steps of a login in progress: nothing to do before or after
    "anonymous": (302, "/accounts/login/"),
    "contributor": TO_HOME,
    "focal_point": TO_HOME,
    "analyst": TO_HOME,
    "admin": TO_HOME,
    "other_focal_point": TO_HOME,
    "other_contributor": TO_HOME,
    "no_role": TO_HOME,
}
AUDIT_LOG = {
    "anonymous": TO_LOGIN,
    "contributor": FORBIDDEN,
    "focal_point": FORBIDDEN,
    "analyst": FORBIDDEN,
    "admin": OK,
    "other_focal_point": FORBIDDEN,
    "other_contributor": FORBIDDEN,
    "no_role": FORBIDDEN,
}
COL_WORKSPACE = {  # a COL agency's uploads and drafts: COL only, not even the office
    "anonymous": TO_LOGIN,
    "contributor": OK,
    "focal_point": OK,
    "analyst": NOT_FOUND,
    "admin": NOT_FOUND,
    "other_focal_point": NOT_FOUND,
    "other_contributor": NOT_FOUND,
    "no_role": NOT_FOUND,
}
COL_WORKSPACE_REDIRECT = {  # a committed import's mapping page sends its owners to the report
    **COL_WORKSPACE,
    "contributor": (302, "/imports/"),
    "focal_point": (302, "/imports/"),
}
COL_DRAFT_PUBLIC_PAGE = {  # a public page showing a COL draft: only COL finds it
    **COL_WORKSPACE,
    "anonymous": NOT_FOUND,
}
UPLOADERS = {  # national users upload; the office and people without a role do not
    "anonymous": TO_LOGIN,
    "contributor": OK,
    "focal_point": OK,
    "analyst": FORBIDDEN,
    "admin": FORBIDDEN,
    "other_focal_point": OK,
    "other_contributor": OK,
    "no_role": FORBIDDEN,
}
COL_ORGANISATION = {  # its country and the office see it; nobody else knows it exists
    "anonymous": TO_LOGIN,
    "contributor": OK,
    "focal_point": OK,
    "analyst": OK,
    "admin": OK,
    "other_focal_point": NOT_FOUND,
    "other_contributor": NOT_FOUND,
    "no_role": NOT_FOUND,
}
ESP_ORGANISATION = {
    "anonymous": TO_LOGIN,
    "contributor": NOT_FOUND,
    "focal_point": NOT_FOUND,
    "analyst": OK,
    "admin": OK,
    "other_focal_point": OK,
    "other_contributor": OK,
    "no_role": NOT_FOUND,
}
OFFICE_ORGANISATION = {
    "anonymous": TO_LOGIN,
    "contributor": NOT_FOUND,
    "focal_point": NOT_FOUND,
    "analyst": OK,
    "admin": OK,
    "other_focal_point": NOT_FOUND,
    "other_contributor": NOT_FOUND,
    "no_role": NOT_FOUND,
}
ADMIN_SITE = {  # the Django admin: staff only; everyone else is sent to its login
    "anonymous": TO_ADMIN_LOGIN,
    "contributor": TO_ADMIN_LOGIN,
    "focal_point": TO_ADMIN_LOGIN,
    "analyst": TO_ADMIN_LOGIN,
    "admin": OK,
    "other_focal_point": TO_ADMIN_LOGIN,
    "other_contributor": TO_ADMIN_LOGIN,
    "no_role": TO_ADMIN_LOGIN,
}
ADMIN_SITE_NO_ADD = {  # has_add_permission is False
    "anonymous": TO_ADMIN_LOGIN,
    "contributor": TO_ADMIN_LOGIN,
    "focal_point": TO_ADMIN_LOGIN,
    "analyst": TO_ADMIN_LOGIN,
    "admin": FORBIDDEN,
    "other_focal_point": TO_ADMIN_LOGIN,
    "other_contributor": TO_ADMIN_LOGIN,
    "no_role": TO_ADMIN_LOGIN,
}
ADMIN_SITE_NOT_FOUND = {
    "anonymous": TO_ADMIN_LOGIN,
    "contributor": TO_ADMIN_LOGIN,
    "focal_point": TO_ADMIN_LOGIN,
    "analyst": TO_ADMIN_LOGIN,
    "admin": NOT_FOUND,
    "other_focal_point": TO_ADMIN_LOGIN,
    "other_contributor": TO_ADMIN_LOGIN,
    "no_role": TO_ADMIN_LOGIN,
}
ADMIN_LOGOUT = {  # logging out of the admin is a POST; others are sent to the admin index
    "anonymous": (302, "/admin/"),
    "contributor": (302, "/admin/"),
    "focal_point": (302, "/admin/"),
    "analyst": (302, "/admin/"),
    "admin": NOT_ALLOWED,
    "other_focal_point": (302, "/admin/"),
    "other_contributor": (302, "/admin/"),
    "no_role": (302, "/admin/"),
}
EVERYONE_TO_ALLAUTH_LOGIN = {
    "anonymous": (302, "/accounts/login/"),
    "contributor": (302, "/accounts/login/"),
    "focal_point": (302, "/accounts/login/"),
    "analyst": (302, "/accounts/login/"),
    "admin": (302, "/accounts/login/"),
    "other_focal_point": (302, "/accounts/login/"),
    "other_contributor": (302, "/accounts/login/"),
    "no_role": (302, "/accounts/login/"),
}
EVERYONE_TO_HOME = {
    "anonymous": TO_HOME,
    "contributor": TO_HOME,
    "focal_point": TO_HOME,
    "analyst": TO_HOME,
    "admin": TO_HOME,
    "other_focal_point": TO_HOME,
    "other_contributor": TO_HOME,
    "no_role": TO_HOME,
}
FAVICON = {
    "anonymous": (301, "/static/observatory/favicon.svg"),
    "contributor": (301, "/static/observatory/favicon.svg"),
    "focal_point": (301, "/static/observatory/favicon.svg"),
    "analyst": (301, "/static/observatory/favicon.svg"),
    "admin": (301, "/static/observatory/favicon.svg"),
    "other_focal_point": (301, "/static/observatory/favicon.svg"),
    "other_contributor": (301, "/static/observatory/favicon.svg"),
    "no_role": (301, "/static/observatory/favicon.svg"),
}
LOGOUT = {
    "anonymous": TO_HOME,
    "contributor": OK,
    "focal_point": OK,
    "analyst": OK,
    "admin": OK,
    "other_focal_point": OK,
    "other_contributor": OK,
    "no_role": OK,
}
REAUTHENTICATE_BY_CODE = {  # no login codes are configured: back to the password form
    "anonymous": TO_LOGIN,
    "contributor": TO_REAUTHENTICATE,
    "focal_point": TO_REAUTHENTICATE,
    "analyst": TO_REAUTHENTICATE,
    "admin": TO_REAUTHENTICATE,
    "other_focal_point": TO_REAUTHENTICATE,
    "other_contributor": TO_REAUTHENTICATE,
    "no_role": TO_REAUTHENTICATE,
}
CONFIRM_REAUTHENTICATION_CODE = {
    "anonymous": TO_LOGIN,
    "contributor": (302, "/accounts/reauthenticate/code/"),
    "focal_point": (302, "/accounts/reauthenticate/code/"),
    "analyst": (302, "/accounts/reauthenticate/code/"),
    "admin": (302, "/accounts/reauthenticate/code/"),
    "other_focal_point": (302, "/accounts/reauthenticate/code/"),
    "other_contributor": (302, "/accounts/reauthenticate/code/"),
    "no_role": (302, "/accounts/reauthenticate/code/"),
}
SET_PASSWORD = {  # everyone has a password already: change it instead
    "anonymous": TO_LOGIN,
    "contributor": (302, "/accounts/password/change/"),
    "focal_point": (302, "/accounts/password/change/"),
    "analyst": (302, "/accounts/password/change/"),
    "admin": (302, "/accounts/password/change/"),
    "other_focal_point": (302, "/accounts/password/change/"),
    "other_contributor": (302, "/accounts/password/change/"),
    "no_role": (302, "/accounts/password/change/"),
}
MFA_REAUTHENTICATE = {  # only users with an authenticator can reauthenticate with it
    "anonymous": TO_LOGIN,
    "contributor": OK,
    "focal_point": OK,
    "analyst": OK,
    "admin": OK,
    "other_focal_point": OK,
    "other_contributor": OK,
    "no_role": TO_REAUTHENTICATE,
}
MFA_SENSITIVE = {  # allauth asks for the password again before MFA changes
    "anonymous": TO_LOGIN,
    "contributor": TO_REAUTHENTICATE,
    "focal_point": TO_REAUTHENTICATE,
    "analyst": TO_REAUTHENTICATE,
    "admin": TO_REAUTHENTICATE,
    "other_focal_point": TO_REAUTHENTICATE,
    "other_contributor": TO_REAUTHENTICATE,
    "no_role": TO_REAUTHENTICATE,
}
MFA_DEACTIVATE = {
    "anonymous": TO_LOGIN,
    "contributor": TO_REAUTHENTICATE,
    "focal_point": TO_REAUTHENTICATE,
    "analyst": TO_REAUTHENTICATE,
    "admin": TO_REAUTHENTICATE,
    "other_focal_point": TO_REAUTHENTICATE,
    "other_contributor": TO_REAUTHENTICATE,
    "no_role": NOT_FOUND,  # has no TOTP to deactivate
}
RECOVERY_CODES = {  # nobody in the fixture has generated recovery codes
    "anonymous": TO_LOGIN,
    "contributor": NOT_FOUND,
    "focal_point": NOT_FOUND,
    "analyst": NOT_FOUND,
    "admin": NOT_FOUND,
    "other_focal_point": NOT_FOUND,
    "other_contributor": NOT_FOUND,
    "no_role": NOT_FOUND,
}

# Migrant smuggling networks. The walk's network NET has one member, COL, whose
# focal point named COL-POLICE a contributing agency; ESP is not a member. Nothing
# of a network is public, and a state that is not a member does not learn that it
# exists (404, as for a network that does not exist).
NETWORK_PAGE = {  # members (any role of a member state) and the office
    "anonymous": TO_LOGIN,
    "contributor": OK,
    "focal_point": OK,
    "analyst": OK,
    "admin": OK,
    "other_focal_point": NOT_FOUND,
    "other_contributor": NOT_FOUND,
    "no_role": NOT_FOUND,
}
NETWORK_REPORTERS = {  # the focal point and named agencies of an active member enter data
    **NETWORK_PAGE,
    "analyst": FORBIDDEN,
    "admin": FORBIDDEN,
}
NETWORK_COL_INCIDENT = {  # a shared COL incident: COL and the office analyst, nobody else
    **NETWORK_PAGE,
    "admin": NOT_FOUND,  # an administrator sees no country data by role
}

# Statistics. COL-POLICE reports the questionnaire UN-CTS: 2022 published, 2023 a
# draft, 2024 submitted (in an open reporting cycle); COL has a crosswalk its focal
# point keeps. A questionnaire is for the organisation's reporters (its contributors,
# its country's focal points) and, once a version reached the office, the office
# analyst; everyone else gets 404, the administrator too (no country data by role,
# and not a reviewer). The office's dashboards are the analyst's (403 for others).
# The explorer and the statistics API are public: published data only.
COL_STATISTICS = {  # a COL questionnaire the office has, COL's crosswalk, its reconciliation
    "anonymous": TO_LOGIN,
    "contributor": OK,
    "focal_point": OK,
    "analyst": OK,
    "admin": NOT_FOUND,
    "other_focal_point": NOT_FOUND,
    "other_contributor": NOT_FOUND,
    "no_role": NOT_FOUND,
}
COL_REPORTERS = {  # a COL questionnaire not with the office, any Excel template: COL's reporters
    **COL_STATISTICS,
    "analyst": NOT_FOUND,
}
COL_FOCAL_POINT_REPORTS = {  # COL-LAB's questionnaire: the contributor reports for COL-POLICE
    **COL_REPORTERS,
    "contributor": NOT_FOUND,
}
ESP_REPORTERS = {
    "anonymous": TO_LOGIN,
    "contributor": NOT_FOUND,
    "focal_point": NOT_FOUND,
    "analyst": NOT_FOUND,
    "admin": NOT_FOUND,
    "other_focal_point": OK,
    "other_contributor": OK,
    "no_role": NOT_FOUND,
}
LOGGED_IN_NOT_FOUND = {  # no such questionnaire, or an organisation without a country
    "anonymous": TO_LOGIN,
    "contributor": NOT_FOUND,
    "focal_point": NOT_FOUND,
    "analyst": NOT_FOUND,
    "admin": NOT_FOUND,
    "other_focal_point": NOT_FOUND,
    "other_contributor": NOT_FOUND,
    "no_role": NOT_FOUND,
}
OFFICE_DEFINES = {  # defining a dataflow from a file: the office's analysts and administrators
    "anonymous": TO_LOGIN,
    "contributor": FORBIDDEN,
    "focal_point": FORBIDDEN,
    "analyst": OK,
    "admin": OK,
    "other_focal_point": FORBIDDEN,
    "other_contributor": FORBIDDEN,
    "no_role": FORBIDDEN,
}
OFFICE_REVIEW = {  # a reporting cycle's completeness dashboard: office analysts only
    "anonymous": TO_LOGIN,
    "contributor": FORBIDDEN,
    "focal_point": FORBIDDEN,
    "analyst": OK,
    "admin": FORBIDDEN,
    "other_focal_point": FORBIDDEN,
    "other_contributor": FORBIDDEN,
    "no_role": FORBIDDEN,
}

# --------------------------------------------------------------------------
# Every page, by pattern name (namespace:name; unnamed patterns by their route):
# the URL to request (placeholders come from the `url_values` fixture) and the
# outcome for each actor.

WEB_PAGES: dict[str, tuple[str, dict[str, Outcome]]] = {
    # Observatory
    "home": ("/", PUBLIC),
    "accounts:account": ("/me/", LOGIN_REQUIRED),
    "accounts:token-list": ("/me/tokens/", LOGIN_REQUIRED),
    "accounts:token-revoke": ("/me/tokens/{token}/revoke/", POST_ONLY),
    "accounts:organisation-list": ("/organisations/", LOGIN_REQUIRED),
    "accounts:organisation-detail": ("/organisations/COL-POLICE/", COL_ORGANISATION),
    "accounts:membership-revoke": (
        "/organisations/COL-POLICE/members/{membership}/remove/",
        POST_ONLY,
    ),
    "accounts:audit-log": ("/audit/", AUDIT_LOG),
    "intake:list": ("/imports/", LOGIN_REQUIRED),
    # The office loads multi-country seizure exports as its own compilation.
    "intake:new": ("/imports/new/seizures/", UPLOADERS | {"analyst": OK, "admin": OK}),
    "intake:detail": ("/imports/{job}/", COL_WORKSPACE),
    "intake:mapping": ("/imports/{job}/mapping/", COL_WORKSPACE_REDIRECT),
    "intake:commit": ("/imports/{job}/commit/", POST_ONLY),
    "intake:values": ("/imports/{job}/values/", POST_ONLY),
    "intake:report": ("/imports/{job}/report.csv", COL_WORKSPACE),
    "intake:original": ("/imports/{job}/original/", COL_WORKSPACE),
    "submissions:list": ("/submissions/", LOGIN_REQUIRED),
    "submissions:version": ("/submissions/versions/{col_version}/", COL_WORKSPACE),
    "submissions:action": ("/submissions/versions/{col_version}/submit/", POST_ONLY),
    "smuggling:networks": ("/smuggling/", LOGIN_REQUIRED),
    "smuggling:overview": ("/smuggling/NET/", NETWORK_PAGE),
    "smuggling:incidents": ("/smuggling/NET/incidents/", NETWORK_PAGE),
    "smuggling:incident-new": ("/smuggling/NET/incidents/new/", NETWORK_REPORTERS),
    "smuggling:incident": ("/smuggling/NET/incidents/{col_incident}/", NETWORK_COL_INCIDENT),
    "smuggling:aggregates-new": ("/smuggling/NET/aggregates/new/", NETWORK_REPORTERS),
    "smuggling:upload": ("/smuggling/NET/upload/", NETWORK_REPORTERS),
    "smuggling:export": ("/smuggling/NET/export.csv", NETWORK_PAGE),
    "smuggling:members": ("/smuggling/NET/members/", NETWORK_PAGE),
    "smuggling:member-invite": ("/smuggling/NET/members/invite/", POST_ONLY),
    "smuggling:member-join": ("/smuggling/NET/members/{col_member}/join/", POST_ONLY),
    "smuggling:member-leave": ("/smuggling/NET/members/{col_member}/leave/", POST_ONLY),
    "smuggling:agency-add": ("/smuggling/NET/agencies/add/", POST_ONLY),
    "smuggling:agency-remove": ("/smuggling/NET/agencies/{col_agency}/remove/", POST_ONLY),
    "statistics:index": ("/statistics/", LOGIN_REQUIRED),
    "statistics:explorer": ("/statistics/explorer/", PUBLIC),
    # Open data: published data for everyone; users who see more get their own file.
    "statistics:data": ("/statistics/data/", PUBLIC),
    "statistics:data-file": ("/statistics/data/DF_UN_CTS/csv/", PUBLIC),
    "statistics:data-structure": ("/statistics/data/DF_UN_CTS/structure/sdmx-ml/", PUBLIC),
    "statistics:define": ("/statistics/dataflows/define/", OFFICE_DEFINES),
    "statistics:cycles": ("/statistics/cycles/", LOGIN_REQUIRED),
    "statistics:cycle": ("/statistics/cycles/{cycle}/", OFFICE_REVIEW),
    "statistics:crosswalks": ("/statistics/crosswalks/", LOGIN_REQUIRED),
    "statistics:crosswalk": ("/statistics/crosswalks/{col_crosswalk}/", COL_STATISTICS),
    "reconciliation": ("/statistics/reconciliation/COL-POLICE/2024/", COL_STATISTICS),
    "statistics:questionnaire": (
        "/statistics/questionnaires/UN-CTS/COL-POLICE/2024/",  # submitted
        COL_STATISTICS,
    ),
    "statistics:questionnaire-template": (
        "/statistics/questionnaires/UN-CTS/COL-POLICE/2024/template.xlsx",
        COL_REPORTERS,
    ),
    "seizures:list": ("/seizures/", PUBLIC),
    "analytics:trends": ("/analytics/trends/", PUBLIC),
    "analytics:flows": ("/analytics/flows/", PUBLIC),
    "seizures:detail": ("/seizures/{col_seizure}/", COL_DRAFT_PUBLIC_PAGE),
    "reference:index": ("/reference/", PUBLIC),
    "reference:search": ("/reference/search/?q=heroin", PUBLIC),
    "reference:area-list": ("/reference/areas/", PUBLIC),
    "reference:area-detail": ("/reference/areas/NLD/", PUBLIC),
    "reference:drug-list": ("/reference/drugs/", PUBLIC),
    "reference:drug-detail": ("/reference/drugs/heroin/", PUBLIC),
    "reference:unit-list": ("/reference/units/", PUBLIC),
    "reference:iccs-list": ("/reference/iccs/", PUBLIC),
    "set_language": ("/i18n/setlang/", EVERYONE_TO_HOME),
    "favicon": ("/favicon.ico", FAVICON),
    "api-1:openapi-json": ("/api/v1/openapi.json", PUBLIC),
    "api-1:openapi-view": ("/api/v1/docs", PUBLIC),
    "api-1:api-root": ("/api/v1/", NOWHERE),
    # allauth (no sign-up: organisations vouch for users)
    "account_login": ("/accounts/login/", LOGGED_OUT_ONLY),
    "account_logout": ("/accounts/logout/", LOGOUT),
    "account_inactive": ("/accounts/inactive/", PUBLIC),
    "account_signup": ("/accounts/signup/", LOGGED_OUT_ONLY),
    "account_reauthenticate": ("/accounts/reauthenticate/", LOGIN_REQUIRED),
    "account_request_reauthentication_code": (
        "/accounts/reauthenticate/code/",
        REAUTHENTICATE_BY_CODE,
    ),
    "account_confirm_reauthentication_code": (
        "/accounts/reauthenticate/code/confirm/",
        CONFIRM_REAUTHENTICATION_CODE,
    ),
    "account_email": ("/accounts/email/", LOGIN_REQUIRED),
    "account_email_verification_sent": ("/accounts/confirm-email/", PUBLIC),
    "account_confirm_email": ("/accounts/confirm-email/not-a-real-key/", PUBLIC),
    "account_change_password": ("/accounts/password/change/", LOGIN_REQUIRED),
    "account_set_password": ("/accounts/password/set/", SET_PASSWORD),
    "account_reset_password": ("/accounts/password/reset/", PUBLIC),
    "account_reset_password_done": ("/accounts/password/reset/done/", PUBLIC),
    "account_reset_password_from_key": ("/accounts/password/reset/key/1-not-a-key/", PUBLIC),
    "account_reset_password_from_key_done": ("/accounts/password/reset/key/done/", PUBLIC),
    "account_confirm_login_code": ("/accounts/login/code/confirm/", DURING_LOGIN_ONLY),
    "mfa_index": ("/accounts/2fa/", LOGIN_REQUIRED),
    "mfa_authenticate": ("/accounts/2fa/authenticate/", DURING_LOGIN_ONLY),
    "mfa_reauthenticate": ("/accounts/2fa/reauthenticate/", MFA_REAUTHENTICATE),
    "mfa_activate_totp": ("/accounts/2fa/totp/activate/", MFA_SENSITIVE),
    "mfa_deactivate_totp": ("/accounts/2fa/totp/deactivate/", MFA_DEACTIVATE),
    "mfa_view_recovery_codes": ("/accounts/2fa/recovery-codes/", RECOVERY_CODES),
    "mfa_generate_recovery_codes": ("/accounts/2fa/recovery-codes/generate/", MFA_SENSITIVE),
    "mfa_download_recovery_codes": ("/accounts/2fa/recovery-codes/download/", RECOVERY_CODES),
    # The Django admin: its own login sends everyone to allauth (MFA and lockout apply).
    "admin-login": ("/admin/login/", EVERYONE_TO_ALLAUTH_LOGIN),
    "admin:index": ("/admin/", ADMIN_SITE),
    "admin:logout": ("/admin/logout/", ADMIN_LOGOUT),
    "admin:password_change": ("/admin/password_change/", ADMIN_SITE),
    "admin:password_change_done": ("/admin/password_change/done/", ADMIN_SITE),
    "admin:autocomplete": (
        "/admin/autocomplete/?app_label=accounts&model_name=membership&field_name=organisation",
        ADMIN_SITE,
    ),
    "admin:jsi18n": ("/admin/jsi18n/", ADMIN_SITE),
    "admin:view_on_site": ("/admin/r/{organisation_type}/{col_police}/", ADMIN_SITE_NOT_FOUND),
    "admin:app_list": ("/admin/reference/", ADMIN_SITE),
    "admin/(?P<url>.*)$": ("/admin/no-such-page/", ADMIN_SITE_NOT_FOUND),
    "admin:account_emailaddress_changelist": ("/admin/account/emailaddress/", ADMIN_SITE),
    "admin:account_emailaddress_add": ("/admin/account/emailaddress/add/", ADMIN_SITE),
    "admin:mfa_authenticator_changelist": ("/admin/mfa/authenticator/", ADMIN_SITE),
    "admin:mfa_authenticator_add": ("/admin/mfa/authenticator/add/", ADMIN_SITE_NO_ADD),
    "admin:django_tasks_database_dbtaskresult_changelist": (
        "/admin/django_tasks_database/dbtaskresult/",
        ADMIN_SITE,
    ),
    "admin:django_tasks_database_dbtaskresult_add": (
        "/admin/django_tasks_database/dbtaskresult/add/",
        ADMIN_SITE_NO_ADD,
    ),
    "admin:core_auditevent_changelist": ("/admin/core/auditevent/", ADMIN_SITE),
    "admin:core_auditevent_add": ("/admin/core/auditevent/add/", ADMIN_SITE_NO_ADD),
    "admin:reference_area_changelist": ("/admin/reference/area/", ADMIN_SITE),
    "admin:reference_area_add": ("/admin/reference/area/add/", ADMIN_SITE),
    "admin:reference_region_changelist": ("/admin/reference/region/", ADMIN_SITE),
    "admin:reference_region_add": ("/admin/reference/region/add/", ADMIN_SITE),
    "admin:reference_drug_changelist": ("/admin/reference/drug/", ADMIN_SITE),
    "admin:reference_drug_add": ("/admin/reference/drug/add/", ADMIN_SITE),
    "admin:reference_druggroup_changelist": ("/admin/reference/druggroup/", ADMIN_SITE),
    "admin:reference_druggroup_add": ("/admin/reference/druggroup/add/", ADMIN_SITE),
    "admin:reference_unit_changelist": ("/admin/reference/unit/", ADMIN_SITE),
    "admin:reference_unit_add": ("/admin/reference/unit/add/", ADMIN_SITE),
    "admin:reference_iccscategory_changelist": ("/admin/reference/iccscategory/", ADMIN_SITE),
    "admin:reference_iccscategory_add": ("/admin/reference/iccscategory/add/", ADMIN_SITE),
    "admin:reference_population_changelist": ("/admin/reference/population/", ADMIN_SITE),
    "admin:reference_population_add": ("/admin/reference/population/add/", ADMIN_SITE),
    "admin:accounts_user_changelist": ("/admin/accounts/user/", ADMIN_SITE),
    "admin:accounts_user_add": ("/admin/accounts/user/add/", ADMIN_SITE),
    "admin:accounts_organisation_changelist": ("/admin/accounts/organisation/", ADMIN_SITE),
    "admin:accounts_organisation_add": ("/admin/accounts/organisation/add/", ADMIN_SITE),
    "admin:accounts_network_changelist": ("/admin/accounts/network/", ADMIN_SITE),
    "admin:accounts_network_add": ("/admin/accounts/network/add/", ADMIN_SITE),
    "admin:accounts_networkcontribution_changelist": (
        "/admin/accounts/networkcontribution/",
        ADMIN_SITE,
    ),
    "admin:accounts_networkcontribution_add": (
        "/admin/accounts/networkcontribution/add/",
        ADMIN_SITE,
    ),
    "admin:accounts_apitoken_changelist": ("/admin/accounts/apitoken/", ADMIN_SITE),
    "admin:accounts_apitoken_add": ("/admin/accounts/apitoken/add/", ADMIN_SITE_NO_ADD),
}

# Admin pages of one object: (URL, outcome for the administrator). Everyone without
# staff status is sent to the admin login (NON_STAFF_ON_OBJECT_PAGES).
ADMIN_OBJECT_PAGES: dict[str, tuple[str, Outcome]] = {
    "admin:account_emailaddress_change": ("/admin/account/emailaddress/{email}/change/", OK),
    "admin:account_emailaddress_delete": ("/admin/account/emailaddress/{email}/delete/", OK),
    "admin:account_emailaddress_history": ("/admin/account/emailaddress/{email}/history/", OK),
    "admin/account/emailaddress/<path:object_id>/": (
        "/admin/account/emailaddress/{email}/",
        (302, "/admin/account/emailaddress/{email}/change/"),
    ),
    "admin:mfa_authenticator_change": ("/admin/mfa/authenticator/{authenticator}/change/", OK),
    "admin:mfa_authenticator_delete": ("/admin/mfa/authenticator/{authenticator}/delete/", OK),
    "admin:mfa_authenticator_history": ("/admin/mfa/authenticator/{authenticator}/history/", OK),
    "admin/mfa/authenticator/<path:object_id>/": (
        "/admin/mfa/authenticator/{authenticator}/",
        (302, "/admin/mfa/authenticator/{authenticator}/change/"),
    ),
    # Task results and the audit log are read-only: the change page only shows them.
    "admin:django_tasks_database_dbtaskresult_change": (
        "/admin/django_tasks_database/dbtaskresult/{task_result}/change/",
        OK,
    ),
    "admin:django_tasks_database_dbtaskresult_delete": (
        "/admin/django_tasks_database/dbtaskresult/{task_result}/delete/",
        FORBIDDEN,
    ),
    "admin:django_tasks_database_dbtaskresult_history": (
        "/admin/django_tasks_database/dbtaskresult/{task_result}/history/",
        OK,
    ),
    "admin/django_tasks_database/dbtaskresult/<path:object_id>/": (
        "/admin/django_tasks_database/dbtaskresult/{task_result}/",
        (302, "/admin/django_tasks_database/dbtaskresult/{task_result}/change/"),
    ),
    "admin:core_auditevent_change": ("/admin/core/auditevent/{audit_event}/change/", OK),
    "admin:core_auditevent_delete": ("/admin/core/auditevent/{audit_event}/delete/", FORBIDDEN),
    "admin:core_auditevent_history": ("/admin/core/auditevent/{audit_event}/history/", OK),
    "admin/core/auditevent/<path:object_id>/": (
        "/admin/core/auditevent/{audit_event}/",
        (302, "/admin/core/auditevent/{audit_event}/change/"),
    ),
    "admin:reference_area_change": ("/admin/reference/area/NLD/change/", OK),
    "admin:reference_area_delete": ("/admin/reference/area/NLD/delete/", OK),
    "admin:reference_area_history": ("/admin/reference/area/NLD/history/", OK),
    "admin/reference/area/<path:object_id>/": (
        "/admin/reference/area/NLD/",
        (302, "/admin/reference/area/NLD/change/"),
    ),
    "admin:reference_region_change": ("/admin/reference/region/{region}/change/", OK),
    "admin:reference_region_delete": ("/admin/reference/region/{region}/delete/", OK),
    "admin:reference_region_history": ("/admin/reference/region/{region}/history/", OK),
    "admin/reference/region/<path:object_id>/": (
        "/admin/reference/region/{region}/",
        (302, "/admin/reference/region/{region}/change/"),
    ),
    "admin:reference_drug_change": ("/admin/reference/drug/{drug}/change/", OK),
    "admin:reference_drug_delete": ("/admin/reference/drug/{drug}/delete/", OK),
    "admin:reference_drug_history": ("/admin/reference/drug/{drug}/history/", OK),
    "admin/reference/drug/<path:object_id>/": (
        "/admin/reference/drug/{drug}/",
        (302, "/admin/reference/drug/{drug}/change/"),
    ),
    "admin:reference_druggroup_change": ("/admin/reference/druggroup/{drug_group}/change/", OK),
    "admin:reference_druggroup_delete": ("/admin/reference/druggroup/{drug_group}/delete/", OK),
    "admin:reference_druggroup_history": (
        "/admin/reference/druggroup/{drug_group}/history/",
        OK,
    ),
    "admin/reference/druggroup/<path:object_id>/": (
        "/admin/reference/druggroup/{drug_group}/",
        (302, "/admin/reference/druggroup/{drug_group}/change/"),
    ),
    "admin:reference_unit_change": ("/admin/reference/unit/{unit}/change/", OK),
    "admin:reference_unit_delete": ("/admin/reference/unit/{unit}/delete/", OK),
    "admin:reference_unit_history": ("/admin/reference/unit/{unit}/history/", OK),
    "admin/reference/unit/<path:object_id>/": (
        "/admin/reference/unit/{unit}/",
        (302, "/admin/reference/unit/{unit}/change/"),
    ),
    "admin:reference_iccscategory_change": ("/admin/reference/iccscategory/{iccs}/change/", OK),
    "admin:reference_iccscategory_delete": ("/admin/reference/iccscategory/{iccs}/delete/", OK),
    "admin:reference_iccscategory_history": (
        "/admin/reference/iccscategory/{iccs}/history/",
        OK,
    ),
    "admin/reference/iccscategory/<path:object_id>/": (
        "/admin/reference/iccscategory/{iccs}/",
        (302, "/admin/reference/iccscategory/{iccs}/change/"),
    ),
    "admin:reference_population_change": (
        "/admin/reference/population/{population}/change/",
        OK,
    ),
    "admin:reference_population_delete": (
        "/admin/reference/population/{population}/delete/",
        OK,
    ),
    "admin:reference_population_history": (
        "/admin/reference/population/{population}/history/",
        OK,
    ),
    "admin/reference/population/<path:object_id>/": (
        "/admin/reference/population/{population}/",
        (302, "/admin/reference/population/{population}/change/"),
    ),
    "admin:accounts_user_change": ("/admin/accounts/user/{user}/change/", OK),
    "admin:accounts_user_delete": ("/admin/accounts/user/{user}/delete/", OK),
    "admin:accounts_user_history": ("/admin/accounts/user/{user}/history/", OK),
    "admin:auth_user_password_change": ("/admin/accounts/user/{user}/password/", OK),
    "admin/accounts/user/<path:object_id>/": (
        "/admin/accounts/user/{user}/",
        (302, "/admin/accounts/user/{user}/change/"),
    ),
    "admin:accounts_organisation_change": (
        "/admin/accounts/organisation/{col_police}/change/",
        OK,
    ),
    "admin:accounts_organisation_delete": (
        "/admin/accounts/organisation/{col_police}/delete/",
        OK,
    ),
    "admin:accounts_organisation_history": (
        "/admin/accounts/organisation/{col_police}/history/",
        OK,
    ),
    "admin/accounts/organisation/<path:object_id>/": (
        "/admin/accounts/organisation/{col_police}/",
        (302, "/admin/accounts/organisation/{col_police}/change/"),
    ),
    "admin:accounts_network_change": ("/admin/accounts/network/{network}/change/", OK),
    "admin:accounts_network_delete": ("/admin/accounts/network/{network}/delete/", OK),
    "admin:accounts_network_history": ("/admin/accounts/network/{network}/history/", OK),
    "admin/accounts/network/<path:object_id>/": (
        "/admin/accounts/network/{network}/",
        (302, "/admin/accounts/network/{network}/change/"),
    ),
    "admin:accounts_networkcontribution_change": (
        "/admin/accounts/networkcontribution/{contribution}/change/",
        OK,
    ),
    "admin:accounts_networkcontribution_delete": (
        "/admin/accounts/networkcontribution/{contribution}/delete/",
        OK,
    ),
    "admin:accounts_networkcontribution_history": (
        "/admin/accounts/networkcontribution/{contribution}/history/",
        OK,
    ),
    "admin/accounts/networkcontribution/<path:object_id>/": (
        "/admin/accounts/networkcontribution/{contribution}/",
        (302, "/admin/accounts/networkcontribution/{contribution}/change/"),
    ),
    "admin:accounts_apitoken_change": ("/admin/accounts/apitoken/{token}/change/", OK),
    "admin:accounts_apitoken_delete": ("/admin/accounts/apitoken/{token}/delete/", OK),
    "admin:accounts_apitoken_history": ("/admin/accounts/apitoken/{token}/history/", OK),
    "admin/accounts/apitoken/<path:object_id>/": (
        "/admin/accounts/apitoken/{token}/",
        (302, "/admin/accounts/apitoken/{token}/change/"),
    ),
}
NON_STAFF_ON_OBJECT_PAGES: Outcome = TO_ADMIN_LOGIN

# Patterns that are not requested by the walk, and why.
NOT_WALKED: dict[str, str] = {
    "admin:login": "shadowed: admin-login has the same route and comes first in the URLconf",
}

# The API's Django URL patterns: each is one operation of API_OPERATIONS.
API_URL_PATTERNS: dict[str, tuple[str, str]] = {
    "api-1:me": ("get", "/api/v1/me"),
    "api-1:areas": ("get", "/api/v1/reference/areas"),
    "api-1:area": ("get", "/api/v1/reference/areas/{code}"),
    "api-1:population": ("get", "/api/v1/reference/areas/{code}/population"),
    "api-1:drugs": ("get", "/api/v1/reference/drugs"),
    "api-1:drug": ("get", "/api/v1/reference/drugs/{code}"),
    "api-1:units": ("get", "/api/v1/reference/units"),
    "api-1:iccs": ("get", "/api/v1/reference/iccs"),
    "api-1:iccs_category": ("get", "/api/v1/reference/iccs/{code}"),
    "api-1:normalise_text": ("get", "/api/v1/reference/normalise"),
    "api-1:seizure_list": ("get", "/api/v1/seizures"),
    "api-1:seizure_detail": ("get", "/api/v1/seizures/{seizure_id}"),
    "api-1:import_create": ("post", "/api/v1/imports"),
    "api-1:import_detail": ("get", "/api/v1/imports/{job_id}"),
    "api-1:import_commit": ("post", "/api/v1/imports/{job_id}/commit"),
    "api-1:import_values": ("post", "/api/v1/imports/{job_id}/values"),
    "api-1:version_list": ("get", "/api/v1/submissions/versions"),
    "api-1:version_detail": ("get", "/api/v1/submissions/versions/{version_id}"),
    "api-1:version_action": ("post", "/api/v1/submissions/versions/{version_id}/{action}"),
    "api-1:network_list": ("get", "/api/v1/smuggling/networks"),
    "api-1:incident_list": ("get", "/api/v1/smuggling/networks/{code}/incidents"),
    "api-1:incident_create": ("post", "/api/v1/smuggling/networks/{code}/incidents"),
    "api-1:incident_detail": ("get", "/api/v1/smuggling/networks/{code}/incidents/{incident_id}"),
    "api-1:summary": ("get", "/api/v1/smuggling/networks/{code}/summary"),
    "api-1:dataflow_list": ("get", "/api/v1/statistics/dataflows"),
    "api-1:dataflow_draft": ("post", "/api/v1/statistics/dataflows/draft"),
    "api-1:definitions_save": ("post", "/api/v1/statistics/definitions"),
    "api-1:observation_list": ("get", "/api/v1/statistics/dataflows/{dataflow}/observations"),
    "api-1:answers_save": ("put", "/api/v1/statistics/questionnaires/{code}/{organisation}/{year}"),
}

# --------------------------------------------------------------------------
# The API: callers are (actor, how they authenticate). "none" sends no credentials,
# "session" a logged-in browser session, "token" `Authorization: Bearer <token>` for
# a token of the actor's organisation (users without a role cannot get one).

Caller = tuple[str, str]

API_PUBLIC: dict[Caller, int] = {
    ("anonymous", "none"): 200,
    ("contributor", "session"): 200,
    ("focal_point", "session"): 200,
    ("analyst", "session"): 200,
    ("admin", "session"): 200,
    ("other_focal_point", "session"): 200,
    ("other_contributor", "session"): 200,
    ("no_role", "session"): 200,
    ("contributor", "token"): 200,
    ("focal_point", "token"): 200,
    ("analyst", "token"): 200,
    ("admin", "token"): 200,
    ("other_focal_point", "token"): 200,
    ("other_contributor", "token"): 200,
}
API_AUTHENTICATED: dict[Caller, int] = {
    ("anonymous", "none"): 401,
    ("contributor", "session"): 200,
    ("focal_point", "session"): 200,
    ("analyst", "session"): 200,
    ("admin", "session"): 200,
    ("other_focal_point", "session"): 200,
    ("other_contributor", "session"): 200,
    ("no_role", "session"): 200,
    ("contributor", "token"): 200,
    ("focal_point", "token"): 200,
    ("analyst", "token"): 200,
    ("admin", "token"): 200,
    ("other_focal_point", "token"): 200,
    ("other_contributor", "token"): 200,
}


def _by_caller(
    anonymous: int,
    col: int,
    office: int,
    others: int,
    no_role: int,
    *,
    focal: int | None = None,
    admin: int | None = None,
) -> dict[Caller, int]:
    """An API expectation for a COL-owned object: COL users (by session or token; the
    focal point may differ), the office (the administrator may differ from the
    analyst), ESP users, a user without a role, nobody.
    (The walk's clients do not enforce CSRF; test_token_revoke_needs_the_csrf_token
    covers that.)"""
    return {
        ("anonymous", "none"): anonymous,
        ("contributor", "session"): col,
        ("focal_point", "session"): focal or col,
        ("analyst", "session"): office,
        ("admin", "session"): admin or office,
        ("other_focal_point", "session"): others,
        ("other_contributor", "session"): others,
        ("no_role", "session"): no_role,
        ("contributor", "token"): col,
        ("focal_point", "token"): focal or col,
        ("analyst", "token"): office,
        ("admin", "token"): admin or office,
        ("other_focal_point", "token"): others,
        ("other_contributor", "token"): others,
    }


# A COL draft: COL users see it, the office does not (not submitted), nor ESP.
API_COL_DRAFT = _by_caller(401, 200, 404, 404, 404)
API_COL_DRAFT_PUBLIC = _by_caller(404, 200, 404, 404, 404)

API_OPERATIONS: dict[tuple[str, str], tuple[str, dict[Caller, int]]] = {
    ("get", "/api/v1/seizures"): ("/api/v1/seizures?area=COL", API_PUBLIC),
    ("get", "/api/v1/seizures/{seizure_id}"): (
        "/api/v1/seizures/{col_seizure}",
        API_COL_DRAFT_PUBLIC,
    ),
    # No file sent: credentials are checked first (401), then the body (422).
    ("post", "/api/v1/imports"): ("/api/v1/imports", _by_caller(401, 422, 422, 422, 422)),
    ("get", "/api/v1/imports/{job_id}"): ("/api/v1/imports/{job}", API_COL_DRAFT),
    # Already committed: committing again changes nothing and says so (200).
    ("post", "/api/v1/imports/{job_id}/commit"): (
        "/api/v1/imports/{job}/commit",
        _by_caller(401, 200, 404, 404, 404),
    ),
    # Committed already: its readings cannot change (422); nobody else finds it.
    ("post", "/api/v1/imports/{job_id}/values"): (
        "/api/v1/imports/{job}/values",
        _by_caller(401, 422, 404, 404, 404),
    ),
    ("get", "/api/v1/submissions/versions"): ("/api/v1/submissions/versions", API_AUTHENTICATED),
    ("get", "/api/v1/submissions/versions/{version_id}"): (
        "/api/v1/submissions/versions/{col_version}",
        API_COL_DRAFT,
    ),
    # Only the focal point submits; a contributor sees the draft but may not.
    ("post", "/api/v1/submissions/versions/{version_id}/{action}"): (
        "/api/v1/submissions/versions/{col_version}/submit",
        _by_caller(401, 403, 404, 404, 404, focal=200),
    ),
    ("get", "/api/v1/me"): ("/api/v1/me", API_AUTHENTICATED),
    # Migrant smuggling (network NET: COL is its only member, ESP is not one). Every
    # caller lists the networks it takes part in (none for ESP); a network's data is
    # for its members and the office, and a state outside it gets 404 as if it did
    # not exist. The administrator reaches the network (to manage it) but sees no
    # country data: not the COL incident.
    ("get", "/api/v1/smuggling/networks"): ("/api/v1/smuggling/networks", API_AUTHENTICATED),
    ("get", "/api/v1/smuggling/networks/{code}/incidents"): (
        "/api/v1/smuggling/networks/NET/incidents",
        _by_caller(401, 200, 200, 404, 404),
    ),
    # An empty body: credentials first (401), then the body (422), before the
    # network is looked up; test_api_incident_create sends a valid one.
    ("post", "/api/v1/smuggling/networks/{code}/incidents"): (
        "/api/v1/smuggling/networks/NET/incidents",
        _by_caller(401, 422, 422, 422, 422),
    ),
    ("get", "/api/v1/smuggling/networks/{code}/incidents/{incident_id}"): (
        "/api/v1/smuggling/networks/NET/incidents/{col_incident}",
        _by_caller(401, 200, 200, 404, 404, admin=404),
    ),
    ("get", "/api/v1/smuggling/networks/{code}/summary"): (
        "/api/v1/smuggling/networks/NET/summary",
        _by_caller(401, 200, 200, 404, 404),
    ),
    # Statistics: structures and observations are public (published observations
    # without credentials, more by role: test_api_observations_by_caller). Saving
    # answers needs credentials (401); an empty body is refused (422) before the
    # organisation is looked up; test_api_answers_save sends a valid one.
    ("get", "/api/v1/statistics/dataflows"): ("/api/v1/statistics/dataflows", API_PUBLIC),
    # No file or document sent: credentials first (401), then the body (422); who
    # may define (the office) is tested with bodies in test_define_dataflow.py.
    ("post", "/api/v1/statistics/dataflows/draft"): (
        "/api/v1/statistics/dataflows/draft",
        _by_caller(401, 422, 422, 422, 422),
    ),
    ("post", "/api/v1/statistics/definitions"): (
        "/api/v1/statistics/definitions",
        _by_caller(401, 422, 422, 422, 422),
    ),
    ("get", "/api/v1/statistics/dataflows/{dataflow}/observations"): (
        "/api/v1/statistics/dataflows/DF_UN_CTS/observations?area=COL",
        API_PUBLIC,
    ),
    ("put", "/api/v1/statistics/questionnaires/{code}/{organisation}/{year}"): (
        "/api/v1/statistics/questionnaires/UN-CTS/COL-POLICE/2023",
        _by_caller(401, 422, 422, 422, 422),
    ),
    ("get", "/api/v1/reference/areas"): ("/api/v1/reference/areas?q=neth", API_PUBLIC),
    ("get", "/api/v1/reference/areas/{code}"): ("/api/v1/reference/areas/NLD", API_PUBLIC),
    ("get", "/api/v1/reference/areas/{code}/population"): (
        "/api/v1/reference/areas/NLD/population?year_from=2000",
        API_PUBLIC,
    ),
    ("get", "/api/v1/reference/drugs"): ("/api/v1/reference/drugs", API_PUBLIC),
    ("get", "/api/v1/reference/drugs/{code}"): ("/api/v1/reference/drugs/heroin", API_PUBLIC),
    ("get", "/api/v1/reference/units"): ("/api/v1/reference/units", API_PUBLIC),
    ("get", "/api/v1/reference/iccs"): ("/api/v1/reference/iccs", API_PUBLIC),
    ("get", "/api/v1/reference/iccs/{code}"): ("/api/v1/reference/iccs/0101", API_PUBLIC),
    ("get", "/api/v1/reference/normalise"): (
        "/api/v1/reference/normalise?kind=area&q=Holland",
        API_PUBLIC,
    ),
}

TOKEN_ORGANISATION: dict[str, str] = {
    "contributor": "COL-POLICE",
    "focal_point": "COL-POLICE",
    "analyst": "OFFICE",
    "admin": "OFFICE",
    "other_focal_point": "ESP-CUSTOMS",
    "other_contributor": "ESP-CUSTOMS",
}

# --------------------------------------------------------------------------
# The world every test of this module starts from. It is built once, inside a
# transaction that is rolled back after the last test of the module; each test
# runs in a savepoint of its own (pytest-django), so writes never leak.


@dataclass(frozen=True)
class World:
    actors: dict[str, User | None]  # ACTORS; the administrator is staff and superuser
    organisations: dict[str, Organisation]  # by code
    tokens: dict[str, str]  # plain API token of each actor, for TOKEN_ORGANISATION
    without_totp: dict[str, User]  # users who have not set up TOTP yet
    values: dict[str, str]  # placeholders of WEB_PAGES and ADMIN_OBJECT_PAGES


def plain_user(**fields: Any) -> User:
    """A user without any role."""
    return cast(User, factories.UserFactory(**fields))


def build_world() -> World:
    office = factories.office()
    organisations = {
        "OFFICE": office,
        "COL-POLICE": factories.agency("COL", Organisation.Kind.POLICE),
        "COL-LAB": factories.agency("COL", Organisation.Kind.LABORATORY),
        "ESP-CUSTOMS": factories.agency("ESP", Organisation.Kind.CUSTOMS),
    }
    col_police, esp_customs = organisations["COL-POLICE"], organisations["ESP-CUSTOMS"]
    admin = factories.member(Role.ADMIN, office, email="admin@office.test")
    admin.is_staff = True
    admin.is_superuser = True
    admin.save(update_fields=["is_staff", "is_superuser"])
    actors: dict[str, User | None] = {
        "anonymous": None,
        "contributor": factories.member(Role.CONTRIBUTOR, col_police, email="contributor@col.test"),
        "focal_point": factories.member(Role.FOCAL_POINT, col_police, email="focal@col.test"),
        "analyst": factories.member(Role.ANALYST, office, email="analyst@office.test"),
        "admin": admin,
        "other_focal_point": factories.member(
            Role.FOCAL_POINT, esp_customs, email="focal@esp.test"
        ),
        "other_contributor": factories.member(
            Role.CONTRIBUTOR, esp_customs, email="contributor@esp.test"
        ),
        "no_role": plain_user(email="nobody@example.test"),
    }
    tokens = {
        actor: services.token_create(
            user=actors[actor],  # type: ignore[arg-type]
            organisation=organisations[code],
        )[1]
        for actor, code in TOKEN_ORGANISATION.items()
    }
    without_totp = {
        "contributor": factories.member(Role.CONTRIBUTOR, col_police, mfa=False),
        "focal_point": factories.member(Role.FOCAL_POINT, col_police, mfa=False),
        "analyst": factories.member(Role.ANALYST, office, mfa=False),
        "admin": factories.member(Role.ADMIN, office, mfa=False),
        "superuser": plain_user(is_staff=True, is_superuser=True),  # no role
        "no_role": plain_user(),
    }
    contributor = actors["contributor"]
    assert contributor is not None
    token = ApiToken.objects.get(user=contributor)
    col = Area.objects.get(code="COL")
    network = services.network_create(code="NET", name="A network")
    col_member = services.network_member_set(network=network, area=col, status="active")
    contribution = services.network_contribution_record(network=network, area=col, period="2024")
    # COL-POLICE reports to NET; one COL incident of 2024, shared (submitted).
    col_agency = services.network_agency_name(
        member=col_member, organisation=col_police, actor=actors["focal_point"]
    )
    smuggling_version = smuggling_import(col_police, contributor)
    workflow.version_submit(version=smuggling_version, actor=actors["focal_point"])
    mailbox = plain_user(email="mailbox@example.test")
    email = EmailAddress.objects.create(user=mailbox, email=mailbox.email, verified=True)
    task_result = DBTaskResult.objects.create(
        task_path="observatory.nothing",
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now(),
    )
    job = seizure_import(col_police, contributor)
    version = job.version
    assert version is not None
    statistics = statistics_world(organisations, actors)
    values = {
        "job": job.pk,
        "col_version": version.pk,
        "col_seizure": Seizure.objects.filter(version=version).earliest("pk").pk,
        "token": token.pk,
        "membership": Membership.objects.get(user=contributor).pk,
        "organisation_type": ContentType.objects.get_for_model(Organisation).pk,
        "col_police": col_police.pk,
        "email": email.pk,
        "authenticator": Authenticator.objects.get(user=contributor).pk,
        "task_result": task_result.pk,
        "audit_event": AuditEvent.objects.earliest("pk").pk,
        "region": Region.objects.earliest("pk").pk,
        "drug": Drug.objects.get(code="heroin").pk,
        "drug_group": DrugGroup.objects.get(code="opioids").pk,
        "unit": Unit.objects.get(code="kg").pk,
        "iccs": IccsCategory.objects.get(code="0101").pk,
        "population": Population.objects.filter(area_id="NLD").earliest("pk").pk,
        "user": contributor.pk,
        "network": network.pk,
        "contribution": contribution.pk,
        "col_incident": Incident.objects.get(version=smuggling_version).pk,
        "col_member": col_member.pk,
        "col_agency": col_agency.pk,
        **statistics,
    }
    return World(
        actors=actors,
        organisations=organisations,
        tokens=tokens,
        without_totp=without_totp,
        values={key: str(value) for key, value in values.items()},
    )


SEIZURE_CSV = (
    "Fecha,Droga,Cantidad,Unidad,País de destino,Referencia\n"
    "31/01/2024,cocaína,12,kg,España,W-1\n"
    "01/02/2024,heroine,500,g,Países Bajos,W-2\n"
)


def seizure_import(organisation: Organisation, actor: User) -> ImportJob:
    """A committed import: one draft version of two seizures."""
    upload, _created = intake_services.upload_store(
        stream=io.BytesIO(SEIZURE_CSV.encode()),
        filename="walk.csv",
        organisation=organisation,
        dataset="seizures",
        actor=actor,
    )
    job = intake_services.job_create(upload=upload, label="2024", actor=actor)
    job = intake_services.job_validate(job=job)
    job = intake_services.job_commit(job=job, actor=actor)
    assert job.status == ImportJob.Status.COMMITTED, job.message
    return job


SMUGGLING_CSV = (
    "Reference,Date,Detection,Departure,Destination,Men,Citizenship\n"
    "WALK-S-1,2024-03-05,at sea,LBY,ITA,4,AFG 4\n"
)


def smuggling_import(organisation: Organisation, actor: User) -> Version:
    """A committed import of one incident into the draft “NET 2024”."""
    upload, _created = intake_services.upload_store(
        stream=io.BytesIO(SMUGGLING_CSV.encode()),
        filename="walk-smuggling.csv",
        organisation=organisation,
        dataset="smuggling-incidents",
        actor=actor,
    )
    job = intake_services.job_create(upload=upload, label="NET 2024", actor=actor)
    job = intake_services.job_validate(job=job)
    job = intake_services.job_commit(job=job, actor=actor)
    assert job.status == ImportJob.Status.COMMITTED, job.message
    assert job.version is not None
    return job.version


# UN-CTS cells (series keys, as in the grid) and values no other cell holds.
HOMICIDE = "OFFENCES.ICCS0101._T._T._T._T._T.COUNT"
THEFT = "OFFENCES.ICCS0502._T._T._T._T._T.COUNT"
HOMICIDES_BY_YEAR = {"2022": "9122", "2023": "9123", "2024": "9124"}
CONFIDENTIAL_THEFTS = "9022"  # 2022, published, marked confidential by COL


def statistics_world(
    organisations: dict[str, Organisation], actors: dict[str, User | None]
) -> dict[str, int]:
    """COL-POLICE's UN-CTS: 2022 published (its thefts confidential), 2023 a draft,
    2024 submitted in an open reporting cycle; COL's crosswalk."""
    loader.load_definitions()
    cts = statistics_selectors.questionnaire_get("UN-CTS")
    col_police = organisations["COL-POLICE"]
    contributor, focal_point, analyst = (
        actors["contributor"],
        actors["focal_point"],
        actors["analyst"],
    )
    versions = {}
    for year, homicides in HOMICIDES_BY_YEAR.items():
        entries = {HOMICIDE: Entry(value=Decimal(homicides))}
        if year == "2022":
            entries[THEFT] = Entry(value=Decimal(CONFIDENTIAL_THEFTS), confidential=True)
        versions[year] = statistics_services.questionnaire_save(
            questionnaire=cts,
            organisation=col_police,
            year=int(year),
            entries=entries,
            actor=contributor,
        )
    for year in ("2022", "2024"):
        workflow.version_submit(version=versions[year], actor=focal_point)
    workflow.version_accept(version=versions["2022"], actor=analyst)
    workflow.version_publish(version=versions["2022"], actor=analyst)
    today = timezone.localdate()
    cycle = statistics_services.cycle_create(
        questionnaire=cts,
        year=2024,
        opens_on=today - timedelta(days=30),
        deadline=today + timedelta(days=30),
        actor=analyst,
    )
    crosswalk = crosswalks.crosswalk_save(
        area=Area.objects.get(code="COL"),
        name="Código Penal",
        mappings=crosswalks.parse_mappings("103; Homicidio; 0101"),
        actor=focal_point,
    )
    return {"cycle": cycle.pk, "col_crosswalk": crosswalk.pk}


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock(), transaction.atomic():
        try:
            yield build_world()
        finally:
            transaction.set_rollback(True)


class WalkClient(Client):
    """The test client, sharing one request handler: each new handler loads the
    middleware again, and WhiteNoise's scan of the static files takes ~0.1 s."""

    shared_handler = ClientHandler(enforce_csrf_checks=False)

    def __init__(self, **defaults: Any) -> None:
        super().__init__(raise_request_exception=False, **defaults)
        self.handler = self.shared_handler


def web_client(user: User | None) -> Client:
    client = WalkClient()
    if user is not None:
        client.force_login(user)
    return client


def token_client(raw: str) -> Client:
    return WalkClient(HTTP_AUTHORIZATION=f"Bearer {raw}")


def outcome(response: HttpResponseBase, expected: Outcome) -> Outcome:
    """The response as an Outcome, its Location cut to the length of the expected prefix."""
    return response.status_code, response.get("Location", "")[: len(expected[1])]


def all_patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[str]:
    """Every URL pattern: `namespace:name`, or the full route when it has no name."""
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from all_patterns(entry, prefix + str(entry.pattern), inner)
        else:
            yield f"{namespace}{entry.name}" if entry.name else prefix + str(entry.pattern)


API_CLIENTS: dict[str, Callable[[World, str], Client]] = {
    "none": lambda world, actor: WalkClient(),
    "session": lambda world, actor: web_client(world.actors[actor]),
    "token": lambda world, actor: token_client(world.tokens[actor]),
}


# --------------------------------------------------------------------------
# Coverage guards.

DECLARED_PATTERNS = [*WEB_PAGES, *ADMIN_OBJECT_PAGES, *NOT_WALKED, *API_URL_PATTERNS]


def test_every_url_pattern_is_declared() -> None:
    found = set(all_patterns(get_resolver()))
    uncovered = sorted(found - set(DECLARED_PATTERNS))
    assert not uncovered, (
        f"URL patterns without an authorization expectation: {uncovered}. Add each to "
        "WEB_PAGES (with the outcome for every actor), ADMIN_OBJECT_PAGES, API_URL_PATTERNS "
        "or NOT_WALKED in tests/test_authorization_walk.py."
    )
    stale = sorted(set(DECLARED_PATTERNS) - found)
    assert not stale, f"declared in tests/test_authorization_walk.py but gone: {stale}"


def test_no_pattern_is_declared_twice() -> None:
    assert len(DECLARED_PATTERNS) == len(set(DECLARED_PATTERNS))


def test_every_api_operation_is_declared() -> None:
    paths = api.get_openapi_schema()["paths"]
    found = {(method, path) for path, operations in paths.items() for method in operations}
    uncovered = sorted(found - set(API_OPERATIONS))
    assert not uncovered, (
        f"API operations without an authorization expectation: {uncovered}. Add each to "
        "API_OPERATIONS (and its URL name to API_URL_PATTERNS) in "
        "tests/test_authorization_walk.py."
    )
    assert sorted(set(API_OPERATIONS) - found) == []
    assert sorted(set(API_URL_PATTERNS.values()) ^ set(API_OPERATIONS)) == []


def test_every_page_expectation_names_every_actor() -> None:
    incomplete = [name for name, (_url, expected) in WEB_PAGES.items() if tuple(expected) != ACTORS]
    assert incomplete == []


# --------------------------------------------------------------------------
# The walk.


@pytest.mark.parametrize(("pattern", "actor"), [(p, a) for p in WEB_PAGES for a in ACTORS])
def test_page(pattern: str, actor: str, world: World) -> None:
    url, expected_by_actor = WEB_PAGES[pattern]
    expected = expected_by_actor[actor]
    response = web_client(world.actors[actor]).get(url.format(**world.values))
    assert outcome(response, expected) == expected, (
        f"GET {url} as {actor}: {response.status_code} {response.get('Location', '')}"
    )


@pytest.mark.parametrize(
    ("pattern", "actor", "expected"),
    [(p, "admin", admin_outcome) for p, (_url, admin_outcome) in ADMIN_OBJECT_PAGES.items()]
    + [(p, "analyst", NON_STAFF_ON_OBJECT_PAGES) for p in ADMIN_OBJECT_PAGES],
)
def test_admin_object_page(pattern: str, actor: str, expected: Outcome, world: World) -> None:
    url = ADMIN_OBJECT_PAGES[pattern][0].format(**world.values)
    wanted = (expected[0], expected[1].format(**world.values))
    response = web_client(world.actors[actor]).get(url)
    assert outcome(response, wanted) == wanted, (
        f"GET {url} as {actor}: {response.status_code} {response.get('Location', '')}"
    )


def test_admin_does_not_show_totp_secrets(world: World) -> None:
    """Whoever reads an authenticator's secret can produce that user's second factor."""
    url = "/admin/mfa/authenticator/{authenticator}/change/".format(**world.values)
    response = web_client(world.actors["admin"]).get(url)
    assert response.status_code == 200
    assert "JBSWY3DPEHPK3PXP" not in response.content.decode(), (
        "the admin shows the TOTP secret of an authenticator"
    )


def test_admin_removing_a_second_factor_is_audited(world: World) -> None:
    """Every write is in the audit log, the admin's too: including the admins that
    django-allauth registers (authenticators, email addresses)."""
    authenticator = Authenticator.objects.get(user=world.actors["focal_point"])
    admin = web_client(world.actors["admin"])
    before = AuditEvent.objects.count()
    response = admin.post(f"/admin/mfa/authenticator/{authenticator.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Authenticator.objects.filter(pk=authenticator.pk).exists()
    assert AuditEvent.objects.count() == before + 1, "removing a user's TOTP left no audit row"


def test_admin_changing_an_email_address_is_audited(world: World) -> None:
    address = EmailAddress.objects.get(email="mailbox@example.test")
    admin = web_client(world.actors["admin"])
    before = AuditEvent.objects.count()
    response = admin.post(
        f"/admin/account/emailaddress/{address.pk}/change/",
        {"user": address.user_id, "email": "elsewhere@example.test", "verified": "on"},
    )
    assert response.status_code == 302
    assert EmailAddress.objects.get(pk=address.pk).email == "elsewhere@example.test"
    assert AuditEvent.objects.count() == before + 1, "changing an email address left no audit row"


ORGANISATION_DETAIL: dict[str, dict[str, Outcome]] = {
    "COL-LAB": COL_ORGANISATION,
    "ESP-CUSTOMS": ESP_ORGANISATION,
    "OFFICE": OFFICE_ORGANISATION,
}


@pytest.mark.parametrize(("code", "actor"), [(c, a) for c in ORGANISATION_DETAIL for a in ACTORS])
def test_organisation_detail(code: str, actor: str, world: World) -> None:
    expected = ORGANISATION_DETAIL[code][actor]
    response = web_client(world.actors[actor]).get(f"/organisations/{code}/")
    assert outcome(response, expected) == expected


ORGANISATION_LIST: dict[str, list[str]] = {  # actor -> organisations listed
    "contributor": ["COL-LAB", "COL-POLICE"],
    "focal_point": ["COL-LAB", "COL-POLICE"],
    "analyst": ["COL-LAB", "COL-POLICE", "ESP-CUSTOMS", "OFFICE"],
    "admin": ["COL-LAB", "COL-POLICE", "ESP-CUSTOMS", "OFFICE"],
    "other_focal_point": ["ESP-CUSTOMS"],
    "other_contributor": ["ESP-CUSTOMS"],
    "no_role": [],
}


@pytest.mark.parametrize("actor", ORGANISATION_LIST)
def test_organisation_list_shows_only_visible_organisations(actor: str, world: World) -> None:
    page = web_client(world.actors[actor]).get("/organisations/").content.decode()
    listed = [code for code in world.organisations if f'href="/organisations/{code}/"' in page]
    assert sorted(listed) == ORGANISATION_LIST[actor]


@pytest.mark.parametrize("actor", TOKEN_ORGANISATION)
def test_token_list_shows_only_own_tokens(actor: str, world: World) -> None:
    page = web_client(world.actors[actor]).get("/me/tokens/").content.decode()
    prefixes = {name: raw.split("_")[1] for name, raw in world.tokens.items()}
    shown = sorted(name for name, prefix in prefixes.items() if prefix in page)
    assert shown == [actor]


# --------------------------------------------------------------------------
# Writes.

TOKEN_REVOKE: dict[str, tuple[Outcome, bool, int]] = {
    # actor -> outcome, whether the token is revoked, what the API then says to it
    "contributor": ((302, "/me/tokens/"), True, 401),  # the token's owner
    "focal_point": (NOT_FOUND, False, 200),
    "other_contributor": (NOT_FOUND, False, 200),
    "admin": (NOT_FOUND, False, 200),  # administrators revoke in the admin, not here
    "anonymous": (TO_LOGIN, False, 200),
}


@pytest.mark.parametrize("actor", TOKEN_REVOKE)
def test_token_revoke(actor: str, world: World) -> None:
    token = ApiToken.objects.get(user=world.actors["contributor"])
    expected, revoked, api_status = TOKEN_REVOKE[actor]
    response = web_client(world.actors[actor]).post(f"/me/tokens/{token.pk}/revoke/")
    assert outcome(response, expected) == expected
    token.refresh_from_db()
    assert (token.revoked_at is not None) == revoked
    assert token_client(world.tokens["contributor"]).get("/api/v1/me").status_code == api_status


def test_token_revoke_needs_the_csrf_token(world: World) -> None:
    token = ApiToken.objects.get(user=world.actors["contributor"])
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.actors["contributor"])  # type: ignore[arg-type]
    assert client.post(f"/me/tokens/{token.pk}/revoke/").status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


MEMBERSHIP_REMOVE: dict[str, tuple[Outcome, bool]] = {  # actor -> outcome, whether removed
    "focal_point": ((302, "/organisations/COL-POLICE/"), True),
    "admin": ((302, "/organisations/COL-POLICE/"), True),
    "other_focal_point": (NOT_FOUND, False),  # COL organisations are not visible to ESP
    "analyst": (FORBIDDEN, False),
    "contributor": (FORBIDDEN, False),
    "other_contributor": (NOT_FOUND, False),
    "no_role": (NOT_FOUND, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", MEMBERSHIP_REMOVE)
def test_membership_remove(actor: str, world: World) -> None:
    victim = factories.member(
        Role.CONTRIBUTOR, world.organisations["COL-POLICE"], email="victim@col.test"
    )
    membership = Membership.objects.get(user=victim)
    expected, removed = MEMBERSHIP_REMOVE[actor]
    response = web_client(world.actors[actor]).post(
        f"/organisations/COL-POLICE/members/{membership.pk}/remove/"
    )
    assert outcome(response, expected) == expected
    assert Membership.objects.filter(pk=membership.pk).exists() != removed


def test_a_token_dies_with_its_role(world: World) -> None:
    membership = Membership.objects.get(user=world.actors["contributor"])
    response = web_client(world.actors["focal_point"]).post(
        f"/organisations/COL-POLICE/members/{membership.pk}/remove/"
    )
    assert response.status_code == 302
    assert token_client(world.tokens["contributor"]).get("/api/v1/me").status_code == 401


def test_membership_remove_under_another_organisation_is_404(world: World) -> None:
    """The ESP focal point cannot reach a COL membership through an ESP address."""
    membership = Membership.objects.get(user=world.actors["contributor"])
    response = web_client(world.actors["other_focal_point"]).post(
        f"/organisations/ESP-CUSTOMS/members/{membership.pk}/remove/"
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_focal_point_cannot_remove_office_roles(world: World) -> None:
    membership = Membership.objects.get(user=world.actors["analyst"])
    response = web_client(world.actors["focal_point"]).post(
        f"/organisations/OFFICE/members/{membership.pk}/remove/"
    )
    assert response.status_code == 404  # the office's members are not visible to a country
    response = web_client(world.actors["focal_point"]).post(
        f"/organisations/COL-POLICE/members/{membership.pk}/remove/"
    )
    assert response.status_code == 404  # nor reachable through an organisation they manage
    assert Membership.objects.filter(pk=membership.pk).exists()


ROLE_GIVE: dict[str, tuple[Outcome, bool]] = {  # actor -> outcome, whether given
    "focal_point": ((302, "/organisations/COL-LAB/"), True),
    "admin": ((302, "/organisations/COL-LAB/"), True),
    "contributor": (FORBIDDEN, False),  # sees COL-LAB, may not manage it
    "analyst": (FORBIDDEN, False),
    "other_focal_point": (NOT_FOUND, False),  # COL organisations are not visible to ESP
    "other_contributor": (NOT_FOUND, False),
    "no_role": (NOT_FOUND, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", ROLE_GIVE)
def test_give_role(actor: str, world: World) -> None:
    newcomer = plain_user(email="newcomer@col.test")
    expected, given = ROLE_GIVE[actor]
    response = web_client(world.actors[actor]).post(
        "/organisations/COL-LAB/", {"email": "newcomer@col.test", "role": Role.CONTRIBUTOR}
    )
    assert outcome(response, expected) == expected
    lab = world.organisations["COL-LAB"]
    assert Membership.objects.filter(user=newcomer, organisation=lab).exists() == given


def test_focal_point_cannot_give_office_roles(world: World) -> None:
    newcomer = plain_user(email="newcomer@col.test")
    client = web_client(world.actors["focal_point"])
    on_lab = client.post("/organisations/COL-LAB/", {"email": newcomer.email, "role": "analyst"})
    on_office = client.post("/organisations/OFFICE/", {"email": newcomer.email, "role": "analyst"})
    assert (on_lab.status_code, on_office.status_code) == (200, 404)  # form error; not visible
    assert not Membership.objects.filter(user=newcomer).exists()


# Network membership and contributing agencies. The office invites states and may
# end a membership; a member state's focal point accepts, leaves and names the
# agencies that report. A state outside the network gets 404 (it does not learn
# that the network exists); a member or the office without the power gets 403.

MEMBERS_PAGE: Outcome = (302, "/smuggling/NET/members/")

NETWORK_CREATE: dict[str, tuple[Outcome, bool]] = {  # actor -> outcome, whether created
    "analyst": ((302, "/smuggling/NEW-NET/members/"), True),
    "admin": ((302, "/smuggling/NEW-NET/members/"), True),
    "focal_point": (FORBIDDEN, False),
    "contributor": (FORBIDDEN, False),
    "other_focal_point": (FORBIDDEN, False),
    "other_contributor": (FORBIDDEN, False),
    "no_role": (FORBIDDEN, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", NETWORK_CREATE)
def test_network_create(actor: str, world: World) -> None:
    expected, created = NETWORK_CREATE[actor]
    response = web_client(world.actors[actor]).post(
        "/smuggling/",
        {
            "code": "new-net",
            "name": "A new network",
            "period_kind": "quarter",
            "suppression_threshold": 5,
        },
    )
    assert outcome(response, expected) == expected
    assert Network.objects.filter(code="NEW-NET").exists() == created


NETWORK_INVITE: dict[str, tuple[Outcome, bool]] = {  # actor -> outcome, whether ESP is invited
    "analyst": (MEMBERS_PAGE, True),
    "admin": (MEMBERS_PAGE, True),
    "focal_point": (FORBIDDEN, False),
    "contributor": (FORBIDDEN, False),
    "other_focal_point": (NOT_FOUND, False),
    "other_contributor": (NOT_FOUND, False),
    "no_role": (NOT_FOUND, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", NETWORK_INVITE)
def test_network_invite(actor: str, world: World) -> None:
    expected, invited = NETWORK_INVITE[actor]
    response = web_client(world.actors[actor]).post(
        "/smuggling/NET/members/invite/", {"area": "ESP"}
    )
    assert outcome(response, expected) == expected
    esp = NetworkMember.objects.filter(network__code="NET", area_id="ESP")
    assert esp.filter(status=NetworkMember.Status.INVITED).exists() == invited


NETWORK_JOIN: dict[str, tuple[Outcome, bool]] = {  # ESP invited: actor -> outcome, joined
    "other_focal_point": (MEMBERS_PAGE, True),  # the invited state's focal point
    "other_contributor": (FORBIDDEN, False),  # ESP sees the network now, may not answer
    "focal_point": (FORBIDDEN, False),  # another member's focal point
    "contributor": (FORBIDDEN, False),
    "analyst": (FORBIDDEN, False),  # the office invites; the state answers
    "admin": (FORBIDDEN, False),
    "no_role": (NOT_FOUND, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", NETWORK_JOIN)
def test_network_join(actor: str, world: World) -> None:
    esp = services.network_invite(
        network=NetworkMember.objects.get(pk=world.values["col_member"]).network,
        area=Area.objects.get(code="ESP"),
        actor=world.actors["analyst"],
    )
    expected, joined = NETWORK_JOIN[actor]
    response = web_client(world.actors[actor]).post(f"/smuggling/NET/members/{esp.pk}/join/")
    assert outcome(response, expected) == expected
    esp.refresh_from_db()
    assert (esp.status == NetworkMember.Status.ACTIVE) == joined


NETWORK_LEAVE: dict[str, tuple[Outcome, bool]] = {  # COL's membership: actor -> outcome, ended
    "focal_point": (MEMBERS_PAGE, True),
    "analyst": (MEMBERS_PAGE, True),  # the office may end a membership
    "admin": (MEMBERS_PAGE, True),
    "contributor": (FORBIDDEN, False),
    "other_focal_point": (NOT_FOUND, False),
    "other_contributor": (NOT_FOUND, False),
    "no_role": (NOT_FOUND, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", NETWORK_LEAVE)
def test_network_leave(actor: str, world: World) -> None:
    expected, ended = NETWORK_LEAVE[actor]
    response = web_client(world.actors[actor]).post(
        "/smuggling/NET/members/{col_member}/leave/".format(**world.values)
    )
    assert outcome(response, expected) == expected
    member = NetworkMember.objects.get(pk=world.values["col_member"])
    assert (member.status == NetworkMember.Status.LEFT) == ended


def test_another_member_cannot_end_a_membership_or_remove_an_agency(world: World) -> None:
    """ESP, once a member itself, still cannot touch COL's membership or agencies."""
    esp = services.network_invite(
        network=NetworkMember.objects.get(pk=world.values["col_member"]).network,
        area=Area.objects.get(code="ESP"),
        actor=world.actors["analyst"],
    )
    services.network_join(member=esp, actor=world.actors["other_focal_point"])
    client = web_client(world.actors["other_focal_point"])
    leave = client.post("/smuggling/NET/members/{col_member}/leave/".format(**world.values))
    remove = client.post("/smuggling/NET/agencies/{col_agency}/remove/".format(**world.values))
    add = client.post(
        "/smuggling/NET/agencies/add/", {"organisation": world.organisations["COL-LAB"].pk}
    )
    assert (leave.status_code, remove.status_code) == (403, 403)
    assert outcome(add, MEMBERS_PAGE) == MEMBERS_PAGE  # ESP's own form: COL-LAB is not a choice
    assert NetworkMember.objects.get(pk=world.values["col_member"]).status == "active"
    assert NetworkAgency.objects.filter(pk=world.values["col_agency"]).exists()
    assert not NetworkAgency.objects.filter(organisation__code="COL-LAB").exists()


AGENCY_ADD: dict[str, tuple[Outcome, bool]] = {  # name COL-LAB: actor -> outcome, named
    "focal_point": (MEMBERS_PAGE, True),
    "contributor": (FORBIDDEN, False),
    "analyst": (FORBIDDEN, False),  # the state names its agencies, not the office
    "admin": (FORBIDDEN, False),
    "other_focal_point": (NOT_FOUND, False),
    "other_contributor": (NOT_FOUND, False),
    "no_role": (NOT_FOUND, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", AGENCY_ADD)
def test_agency_add(actor: str, world: World) -> None:
    expected, named = AGENCY_ADD[actor]
    response = web_client(world.actors[actor]).post(
        "/smuggling/NET/agencies/add/", {"organisation": world.organisations["COL-LAB"].pk}
    )
    assert outcome(response, expected) == expected
    assert NetworkAgency.objects.filter(organisation__code="COL-LAB").exists() == named


AGENCY_REMOVE: dict[str, tuple[Outcome, bool]] = {  # COL-POLICE: actor -> outcome, removed
    "focal_point": (MEMBERS_PAGE, True),
    "contributor": (FORBIDDEN, False),  # the agency itself may not
    "analyst": (FORBIDDEN, False),
    "admin": (FORBIDDEN, False),
    "other_focal_point": (NOT_FOUND, False),
    "other_contributor": (NOT_FOUND, False),
    "no_role": (NOT_FOUND, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", AGENCY_REMOVE)
def test_agency_remove(actor: str, world: World) -> None:
    expected, removed = AGENCY_REMOVE[actor]
    response = web_client(world.actors[actor]).post(
        "/smuggling/NET/agencies/{col_agency}/remove/".format(**world.values)
    )
    assert outcome(response, expected) == expected
    assert NetworkAgency.objects.filter(pk=world.values["col_agency"]).exists() != removed


def test_network_actions_need_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.actors["focal_point"])  # type: ignore[arg-type]
    leave = client.post("/smuggling/NET/members/{col_member}/leave/".format(**world.values))
    remove = client.post("/smuggling/NET/agencies/{col_agency}/remove/".format(**world.values))
    assert (leave.status_code, remove.status_code) == (403, 403)
    assert NetworkMember.objects.get(pk=world.values["col_member"]).status == "active"
    assert NetworkAgency.objects.filter(pk=world.values["col_agency"]).exists()


def test_signup_is_closed(world: World) -> None:
    response = WalkClient().post(
        "/accounts/signup/",
        {
            "email": "intruder@example.test",
            "password1": "Xk4-a-long-one",
            "password2": "Xk4-a-long-one",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="intruder@example.test").exists()


# --------------------------------------------------------------------------
# Statistics: the walk's questionnaire page is COL-POLICE's submitted 2024; here the
# other states of a questionnaire, other organisations, and the writes.

QUESTIONNAIRE = "/statistics/questionnaires/UN-CTS/{org}/{year}/"

STATISTICS_PAGES: dict[str, dict[str, Outcome]] = {
    QUESTIONNAIRE.format(org="COL-POLICE", year=2022): COL_STATISTICS,  # published
    QUESTIONNAIRE.format(org="COL-POLICE", year=2023): COL_REPORTERS,  # a draft
    QUESTIONNAIRE.format(org="COL-POLICE", year=2021): COL_REPORTERS,  # nothing entered yet
    QUESTIONNAIRE.format(org="col-police", year=2024): COL_STATISTICS,  # codes in any case
    QUESTIONNAIRE.format(org="COL-LAB", year=2024): COL_FOCAL_POINT_REPORTS,
    QUESTIONNAIRE.format(org="ESP-CUSTOMS", year=2024): ESP_REPORTERS,
    QUESTIONNAIRE.format(org="OFFICE", year=2024): LOGGED_IN_NOT_FOUND,
    QUESTIONNAIRE.format(org="NO-SUCH-ORG", year=2024): LOGGED_IN_NOT_FOUND,
    "/statistics/questionnaires/NO-SUCH-FORM/COL-POLICE/2024/": LOGGED_IN_NOT_FOUND,
    QUESTIONNAIRE.format(org="COL-POLICE", year=2022) + "template.xlsx": COL_REPORTERS,
    QUESTIONNAIRE.format(org="COL-POLICE", year=2023) + "template.xlsx": COL_REPORTERS,
    QUESTIONNAIRE.format(org="COL-LAB", year=2024) + "template.xlsx": COL_FOCAL_POINT_REPORTS,
    QUESTIONNAIRE.format(org="ESP-CUSTOMS", year=2024) + "template.xlsx": ESP_REPORTERS,
    QUESTIONNAIRE.format(org="OFFICE", year=2024) + "template.xlsx": LOGGED_IN_NOT_FOUND,
    # Any organisation of the country: its users compare; the office too.
    "/statistics/reconciliation/COL-LAB/2024/": COL_STATISTICS,
    "/statistics/reconciliation/ESP-CUSTOMS/2024/": {
        **ESP_REPORTERS,
        "analyst": OK,
    },
    "/statistics/reconciliation/OFFICE/2024/": LOGGED_IN_NOT_FOUND,
    "/statistics/cycles/999999/": OFFICE_REVIEW | {"analyst": NOT_FOUND},
    "/statistics/crosswalks/999999/": LOGGED_IN_NOT_FOUND,
    # Files the office compiles from many countries: the office uploads them too.
    "/imports/new/observations-unodc-portal/": UPLOADERS | {"analyst": OK, "admin": OK},
    "/imports/new/observations-sdmx-csv/": UPLOADERS | {"analyst": OK, "admin": OK},
    "/imports/new/observations-sdmx-ml/": UPLOADERS | {"analyst": OK, "admin": OK},
    "/imports/new/observations-dhis2/": UPLOADERS,
    "/imports/new/observations-national/": UPLOADERS,
}


@pytest.mark.parametrize(("url", "actor"), [(u, a) for u in STATISTICS_PAGES for a in ACTORS])
def test_statistics_page(url: str, actor: str, world: World) -> None:
    expected = STATISTICS_PAGES[url][actor]
    response = web_client(world.actors[actor]).get(url)
    assert outcome(response, expected) == expected, (
        f"GET {url} as {actor}: {response.status_code} {response.get('Location', '')}"
    )


def test_statistics_expectations_name_every_actor() -> None:
    assert [url for url, expected in STATISTICS_PAGES.items() if tuple(expected) != ACTORS] == []


# What each actor reads of COL-POLICE's UN-CTS on pages that show values: the years
# whose homicides are printed.
GRID_YEARS: dict[str, list[str]] = {  # the 2024 grid shows last year's values beside it
    "contributor": ["2023", "2024"],
    "focal_point": ["2023", "2024"],
    "analyst": ["2024"],  # not COL's 2023 draft
}


@pytest.mark.parametrize("actor", GRID_YEARS)
def test_questionnaire_grid_shows_only_visible_values(actor: str, world: World) -> None:
    page = web_client(world.actors[actor]).get(QUESTIONNAIRE.format(org="COL-POLICE", year=2024))
    shown = [year for year, value in HOMICIDES_BY_YEAR.items() if value in page.content.decode()]
    assert shown == GRID_YEARS[actor]


def test_questionnaire_template_is_a_workbook(world: World) -> None:
    response = web_client(world.actors["contributor"]).get(
        QUESTIONNAIRE.format(org="COL-POLICE", year=2024) + "template.xlsx"
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].startswith("attachment;")


# Saving the grid: the organisation's reporters. A version with the office never
# changes (the page again, nothing saved); a published one is carried into a new
# draft. A POST of the form by the analyst saves nothing (the analyst reviews).
COL_SAVES = {
    "contributor": ((302, "/statistics/questionnaires/UN-CTS/COL-POLICE/"), True),
    "focal_point": ((302, "/statistics/questionnaires/UN-CTS/COL-POLICE/"), True),
    "analyst": (OK, False),
    "admin": (NOT_FOUND, False),
    "other_focal_point": (NOT_FOUND, False),
    "other_contributor": (NOT_FOUND, False),
    "no_role": (NOT_FOUND, False),
    "anonymous": (TO_LOGIN, False),
}
QUESTIONNAIRE_SAVE: dict[tuple[int, str], tuple[Outcome, bool]] = {
    # (year, actor) -> outcome, whether 7 homicides were saved into a draft
    **{(2022, actor): expected for actor, expected in COL_SAVES.items()},  # published
    **{(2023, actor): expected for actor, expected in COL_SAVES.items()},  # a draft
    (2023, "analyst"): (NOT_FOUND, False),  # not the office's
    **{(2024, actor): expected for actor, expected in COL_SAVES.items()},  # submitted
    (2024, "contributor"): (OK, False),
    (2024, "focal_point"): (OK, False),
}


@pytest.mark.parametrize(("year", "actor"), QUESTIONNAIRE_SAVE)
def test_questionnaire_save(year: int, actor: str, world: World) -> None:
    expected, saved = QUESTIONNAIRE_SAVE[(year, actor)]
    versions = Version.objects.filter(submission__label=f"UN-CTS {year}")
    before = versions.latest("number")
    response = web_client(world.actors[actor]).post(
        QUESTIONNAIRE.format(org="COL-POLICE", year=year),
        {"action": "save", f"v.{HOMICIDE}": "7"},
    )
    assert outcome(response, expected) == expected
    latest = versions.latest("number")
    homicides = Observation.objects.get(version=latest, key=HOMICIDE).value
    assert (homicides == 7) == saved
    assert latest.status == ("draft" if saved else before.status)
    assert latest.number - before.number == (1 if saved and year == 2022 else 0)


QUESTIONNAIRE_RETURN: dict[str, tuple[Outcome, bool]] = {  # 2024: outcome, returned
    "analyst": ((302, QUESTIONNAIRE.format(org="COL-POLICE", year=2024)), True),
    "contributor": (OK, False),  # the page again: returning is not theirs
    "focal_point": (OK, False),
    "admin": (NOT_FOUND, False),
    "other_focal_point": (NOT_FOUND, False),
    "other_contributor": (NOT_FOUND, False),
    "no_role": (NOT_FOUND, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", QUESTIONNAIRE_RETURN)
def test_questionnaire_return(actor: str, world: World) -> None:
    expected, returned = QUESTIONNAIRE_RETURN[actor]
    response = web_client(world.actors[actor]).post(
        QUESTIONNAIRE.format(org="COL-POLICE", year=2024),
        {"action": "return", "general": "check the homicides", f"r.{HOMICIDE}": "too many?"},
    )
    assert outcome(response, expected) == expected
    latest = Version.objects.filter(submission__label="UN-CTS 2024").latest("number")
    assert latest.status == ("returned" if returned else "submitted")


CYCLE_CREATE: dict[str, tuple[Outcome, bool]] = {  # actor -> outcome, whether opened
    "analyst": ((302, "/statistics/cycles/"), True),
    "admin": (FORBIDDEN, False),
    "focal_point": (FORBIDDEN, False),
    "contributor": (FORBIDDEN, False),
    "other_focal_point": (FORBIDDEN, False),
    "other_contributor": (FORBIDDEN, False),
    "no_role": (FORBIDDEN, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", CYCLE_CREATE)
def test_cycle_create(actor: str, world: World) -> None:
    expected, opened = CYCLE_CREATE[actor]
    response = web_client(world.actors[actor]).post(
        "/statistics/cycles/",
        {
            "questionnaire": statistics_selectors.questionnaire_get("UN-CTS").pk,
            "year": 2025,
            "opens_on": "2026-01-01",
            "deadline": "2026-06-30",
        },
    )
    assert outcome(response, expected) == expected
    assert ReportingCycle.objects.filter(year=2025).exists() == opened


CROSSWALK_CREATE: dict[str, tuple[Outcome, bool]] = {  # a COL crosswalk: outcome, created
    "focal_point": ((302, "/statistics/crosswalks/"), True),
    "other_focal_point": (OK, False),  # the form again: COL is not a country to choose
    "contributor": (FORBIDDEN, False),
    "analyst": (FORBIDDEN, False),
    "admin": (FORBIDDEN, False),
    "other_contributor": (FORBIDDEN, False),
    "no_role": (FORBIDDEN, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", CROSSWALK_CREATE)
def test_crosswalk_create(actor: str, world: World) -> None:
    expected, created = CROSSWALK_CREATE[actor]
    response = web_client(world.actors[actor]).post(
        "/statistics/crosswalks/",
        {"name": "Ley 1098", "area": "COL", "mappings": "7; Hurto; 0502"},
    )
    assert outcome(response, expected) == expected
    assert Crosswalk.objects.filter(name="Ley 1098").exists() == created


CROSSWALK_EDIT: dict[str, tuple[Outcome, bool]] = {  # COL's crosswalk: outcome, changed
    "focal_point": ((302, "/statistics/crosswalks/"), True),
    "contributor": (FORBIDDEN, False),  # reads it, may not change it
    "analyst": (FORBIDDEN, False),
    "admin": (NOT_FOUND, False),
    "other_focal_point": (NOT_FOUND, False),
    "other_contributor": (NOT_FOUND, False),
    "no_role": (NOT_FOUND, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", CROSSWALK_EDIT)
def test_crosswalk_edit(actor: str, world: World) -> None:
    expected, changed = CROSSWALK_EDIT[actor]
    response = web_client(world.actors[actor]).post(
        "/statistics/crosswalks/{col_crosswalk}/".format(**world.values),
        {"mappings": "7; Hurto; 0502"},
    )
    assert outcome(response, expected) == expected
    codes = Crosswalk.objects.get(pk=world.values["col_crosswalk"]).entries.values_list(
        "national_code", flat=True
    )
    assert list(codes) == (["7"] if changed else ["103"])


RECONCILIATION_PREFILL: dict[str, tuple[Outcome, bool]] = {  # outcome, ARQ draft written
    "contributor": ((302, "/statistics/reconciliation/COL-POLICE/2024/"), True),
    "focal_point": ((302, "/statistics/reconciliation/COL-POLICE/2024/"), True),
    "analyst": (FORBIDDEN, False),  # compares, does not fill in a country's questionnaire
    "admin": (NOT_FOUND, False),
    "other_focal_point": (NOT_FOUND, False),
    "other_contributor": (NOT_FOUND, False),
    "no_role": (NOT_FOUND, False),
    "anonymous": (TO_LOGIN, False),
}


@pytest.mark.parametrize("actor", RECONCILIATION_PREFILL)
def test_reconciliation_prefill(actor: str, world: World) -> None:
    expected, written = RECONCILIATION_PREFILL[actor]
    response = web_client(world.actors[actor]).post("/statistics/reconciliation/COL-POLICE/2024/")
    assert outcome(response, expected) == expected
    arq = Version.objects.filter(submission__label="ARQ-SUPPLY 2024")
    assert arq.exists() == written


CROSSWALK_LISTED = {  # actor -> whether /statistics/crosswalks/ lists COL's crosswalk
    "contributor": True,
    "focal_point": True,
    "analyst": True,
    "admin": False,
    "other_focal_point": False,
    "other_contributor": False,
    "no_role": False,
}


@pytest.mark.parametrize("actor", CROSSWALK_LISTED)
def test_crosswalk_list_shows_only_visible_crosswalks(actor: str, world: World) -> None:
    page = web_client(world.actors[actor]).get("/statistics/crosswalks/").content.decode()
    href = 'href="/statistics/crosswalks/{col_crosswalk}/"'.format(**world.values)
    assert (href in page) == CROSSWALK_LISTED[actor]


# Whether COL-POLICE's draft seizures are summed for the actor: never, the
# reconciliation uses published individual seizures only.
RECONCILIATION_DRAFT_SEIZURES = {
    "contributor": False,
    "focal_point": False,
    "analyst": False,
}


@pytest.mark.parametrize("actor", RECONCILIATION_DRAFT_SEIZURES)
def test_reconciliation_sums_only_visible_seizures(actor: str, world: World) -> None:
    response = web_client(world.actors[actor]).get("/statistics/reconciliation/COL-POLICE/2024/")
    lines = response.context["lines"]
    assert bool(lines) == RECONCILIATION_DRAFT_SEIZURES[actor]


LAB_SEIZURE_CSV = (
    "Fecha,Droga,Cantidad,Unidad,País de destino,Referencia\n"
    "15/03/2024,metanfetamina,37,kg,España,LAB-1\n"
)


def test_prefill_does_not_copy_another_agencys_drafts(world: World) -> None:
    """COL-LAB's draft seizures are not COL-POLICE's contributor's to read; the
    focal point's prefill of COL-POLICE's ARQ must not put them where they are."""
    lab, focal_point = world.organisations["COL-LAB"], world.actors["focal_point"]
    upload, _created = intake_services.upload_store(
        stream=io.BytesIO(LAB_SEIZURE_CSV.encode()),
        filename="lab.csv",
        organisation=lab,
        dataset="seizures",
        actor=focal_point,
    )
    job = intake_services.job_create(upload=upload, label="2024", actor=focal_point)
    job = intake_services.job_commit(job=intake_services.job_validate(job=job), actor=focal_point)
    assert job.status == ImportJob.Status.COMMITTED, job.message
    contributor = web_client(world.actors["contributor"])
    lab_seizure = Seizure.objects.get(version=job.version)
    assert contributor.get(f"/seizures/{lab_seizure.pk}/").status_code == 404
    prefill = web_client(focal_point).post("/statistics/reconciliation/COL-POLICE/2024/")
    assert prefill.status_code == 302
    grid = contributor.get("/statistics/questionnaires/ARQ-SUPPLY/COL-POLICE/2024/")
    assert grid.status_code == 200
    arq = grid.context["version"]
    assert not Observation.objects.filter(version=arq, key__contains="METHAMPHETAMINE").exists()


# --------------------------------------------------------------------------
# The API.


@pytest.mark.parametrize(
    ("operation", "caller"),
    [(op, caller) for op, (_url, expected) in API_OPERATIONS.items() for caller in expected],
)
def test_api_operation(operation: tuple[str, str], caller: Caller, world: World) -> None:
    url, expected = API_OPERATIONS[operation]
    actor, mode = caller
    response = API_CLIENTS[mode](world, actor).generic(
        operation[0].upper(),
        url.format(**world.values),
        "{}" if operation[0] in {"post", "put"} else "",
        content_type="application/json",
    )
    assert response.status_code == expected[caller], response.content[:300]


# A valid incident for COL-POLICE (2023: COL's 2024 submission is with the office).
# COL reports it (a new draft), the office may not (it reports for no organisation),
# ESP and a user without a role do not reach the network.
API_INCIDENT_CREATE = _by_caller(401, 201, 403, 404, 404)


@pytest.mark.parametrize("caller", API_INCIDENT_CREATE)
def test_api_incident_create(caller: Caller, world: World) -> None:
    actor, mode = caller
    response = API_CLIENTS[mode](world, actor).post(
        "/api/v1/smuggling/networks/NET/incidents",
        {
            "organisation": "COL-POLICE",
            "reference": "WALK-API-1",
            "incident_date": "2023-06-01",
            "detection": "at_sea",
            "migrants_men": 2,
        },
        content_type="application/json",
    )
    assert response.status_code == API_INCIDENT_CREATE[caller], response.content[:300]
    created = Incident.objects.filter(reference="WALK-API-1")
    assert created.exists() == (response.status_code == 201)
    if response.status_code == 201:
        assert created.get().version.status == Version.Status.DRAFT


# Answers to COL-POLICE's 2023 UN-CTS (a draft): its reporters, by session or by a
# token of COL-POLICE; nobody else reports for it (404), the office included.
API_ANSWERS_SAVE = _by_caller(401, 200, 404, 404, 404)


@pytest.mark.parametrize("caller", API_ANSWERS_SAVE)
def test_api_answers_save(caller: Caller, world: World) -> None:
    actor, mode = caller
    response = API_CLIENTS[mode](world, actor).put(
        "/api/v1/statistics/questionnaires/UN-CTS/COL-POLICE/2023",
        {"cells": [{"key": HOMICIDE, "value": 7}]},
        content_type="application/json",
    )
    assert response.status_code == API_ANSWERS_SAVE[caller], response.content[:300]
    draft = Version.objects.filter(submission__label="UN-CTS 2023").latest("number")
    homicides = Observation.objects.get(version=draft, key=HOMICIDE).value
    assert (homicides == 7) == (response.status_code == 200)


def _years(published: bool, draft: bool, submitted: bool) -> list[str]:
    return [
        year
        for year, shown in zip(HOMICIDES_BY_YEAR, (published, draft, submitted), strict=True)
        if shown
    ]


# COL's homicides through the observations API: published data for everyone; COL's
# reporters all of COL-POLICE's, the office what was submitted.
API_OBSERVATION_YEARS: dict[Caller, list[str]] = {
    caller: _years(True, col, col or office)
    for caller, (col, office) in {
        ("anonymous", "none"): (False, False),
        ("contributor", "session"): (True, False),
        ("focal_point", "session"): (True, False),
        ("analyst", "session"): (False, True),
        ("admin", "session"): (False, False),
        ("other_focal_point", "session"): (False, False),
        ("other_contributor", "session"): (False, False),
        ("no_role", "session"): (False, False),
        ("contributor", "token"): (True, False),
        ("focal_point", "token"): (True, False),
        ("analyst", "token"): (False, True),
        ("admin", "token"): (False, False),
        ("other_focal_point", "token"): (False, False),
        ("other_contributor", "token"): (False, False),
    }.items()
}


@pytest.mark.parametrize("caller", API_OBSERVATION_YEARS)
def test_api_observations_by_caller(caller: Caller, world: World) -> None:
    actor, mode = caller
    response = API_CLIENTS[mode](world, actor).get(
        "/api/v1/statistics/dataflows/DF_UN_CTS/observations",
        {"area": "COL", "CATEGORY": "ICCS0101", "limit": "100"},
    )
    items = response.json()["items"]
    assert sorted((i["time_period"], i["value"]) for i in items) == [
        (year, HOMICIDES_BY_YEAR[year]) for year in API_OBSERVATION_YEARS[caller]
    ]


def test_api_withholds_confidential_values_from_the_public(world: World) -> None:
    response = WalkClient().get(
        "/api/v1/statistics/dataflows/DF_UN_CTS/observations",
        {"area": "COL", "period": "2022", "CATEGORY": "ICCS0502"},
    )
    [theft] = response.json()["items"]
    assert theft["conf_status"] == "C"
    assert theft["value"] is None


EXPLORER_HOMICIDES = {  # the explorer's COL homicides (CSV): actor -> years shown
    "anonymous": _years(True, False, False),
    "contributor": _years(True, True, True),
    "focal_point": _years(True, True, True),
    "analyst": _years(True, False, True),
    "admin": _years(True, False, False),
    "other_focal_point": _years(True, False, False),
    "other_contributor": _years(True, False, False),
    "no_role": _years(True, False, False),
}
EXPLORER_QUERY = {
    "dataflow": "DF_UN_CTS",
    "dim_INDICATOR": "OFFENCES",
    "dim_CATEGORY": "ICCS0101",
    "dim_SEX": "_T",
    "dim_AGE": "_T",
    "dim_CITIZENSHIP": "_T",
    "dim_MECHANISM": "_T",
    "dim_RELATIONSHIP": "_T",
    "areas": "COL",
    "format": "csv",
}


@pytest.mark.parametrize("actor", EXPLORER_HOMICIDES)
def test_explorer_shows_only_visible_values(actor: str, world: World) -> None:
    response = web_client(world.actors[actor]).get("/statistics/explorer/", EXPLORER_QUERY)
    assert response.status_code == 200, response.content[:300]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert sorted((r["period"], r["count"]) for r in rows) == [
        (year, HOMICIDES_BY_YEAR[year]) for year in EXPLORER_HOMICIDES[actor]
    ]


def test_explorer_withholds_confidential_values_from_the_public(world: World) -> None:
    query = {**EXPLORER_QUERY, "dim_CATEGORY": "ICCS0502"}
    public = WalkClient().get("/statistics/explorer/", query).content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(public)))
    assert [(r["period"], r["count"], r["censored"]) for r in rows] == [
        ("2022", "", "confidential")
    ]
    assert CONFIDENTIAL_THEFTS not in public


ME_VIA_TOKEN: dict[str, list[dict[str, str | None]]] = {
    "contributor": [{"organisation": "COL-POLICE", "area": "COL", "role": "contributor"}],
    "focal_point": [{"organisation": "COL-POLICE", "area": "COL", "role": "focal_point"}],
    "analyst": [{"organisation": "OFFICE", "area": None, "role": "analyst"}],
    "admin": [{"organisation": "OFFICE", "area": None, "role": "admin"}],
    "other_focal_point": [{"organisation": "ESP-CUSTOMS", "area": "ESP", "role": "focal_point"}],
    "other_contributor": [{"organisation": "ESP-CUSTOMS", "area": "ESP", "role": "contributor"}],
}


@pytest.mark.parametrize("actor", ME_VIA_TOKEN)
def test_api_me_with_token(actor: str, world: World) -> None:
    body = token_client(world.tokens[actor]).get("/api/v1/me").json()
    assert (body["via_token"], body["token_organisation"], body["roles"]) == (
        True,
        TOKEN_ORGANISATION[actor],
        ME_VIA_TOKEN[actor],
    )


def test_api_token_narrows_to_its_organisation(world: World) -> None:
    """A user with roles in two organisations: the token speaks for one of them."""
    contributor = world.actors["contributor"]
    services.membership_grant(
        user=contributor,  # type: ignore[arg-type]
        organisation=world.organisations["COL-LAB"],
        role=Role.FOCAL_POINT,
        actor=None,
    )
    via_token = token_client(world.tokens["contributor"]).get("/api/v1/me").json()
    via_session = web_client(contributor).get("/api/v1/me").json()
    assert [grant["organisation"] for grant in via_token["roles"]] == ["COL-POLICE"]
    assert sorted(grant["organisation"] for grant in via_session["roles"]) == [
        "COL-LAB",
        "COL-POLICE",
    ]


def test_api_rejects_a_revoked_token(world: World) -> None:
    token = ApiToken.objects.get(user=world.actors["contributor"])
    services.token_revoke(token=token, actor=None)
    assert token_client(world.tokens["contributor"]).get("/api/v1/me").status_code == 401


def test_api_rejects_an_expired_token(world: World) -> None:
    ApiToken.objects.filter(user=world.actors["contributor"]).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert token_client(world.tokens["contributor"]).get("/api/v1/me").status_code == 401


def test_api_rejects_the_token_of_an_inactive_user(world: World) -> None:
    User.objects.filter(email="contributor@col.test").update(is_active=False)
    assert token_client(world.tokens["contributor"]).get("/api/v1/me").status_code == 401


def test_api_rejects_the_token_of_an_inactive_organisation(world: World) -> None:
    Organisation.objects.filter(code="COL-POLICE").update(is_active=False)
    assert token_client(world.tokens["contributor"]).get("/api/v1/me").status_code == 401


BAD_AUTHORIZATION = [
    "Bearer garbage",
    "Bearer obs_00000000_notthesecret",
    "Bearer ",
    "Token obs_00000000_notthesecret",
    "Basic Y29udHJpYnV0b3JAY29sLnRlc3Q6Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5LXN0YXBsZQ==",
]


@pytest.mark.parametrize("header", BAD_AUTHORIZATION)
def test_api_rejects_bad_credentials(header: str, world: World) -> None:
    assert WalkClient(HTTP_AUTHORIZATION=header).get("/api/v1/me").status_code == 401


def test_api_rejects_a_token_with_the_wrong_secret(world: World) -> None:
    prefix = world.tokens["contributor"].split("_")[1]
    assert token_client(f"obs_{prefix}_{'A' * 43}").get("/api/v1/me").status_code == 401


def test_api_accepts_the_x_api_key_header(world: World) -> None:
    client = WalkClient(HTTP_X_API_KEY=world.tokens["contributor"])
    assert client.get("/api/v1/me").status_code == 200


# --------------------------------------------------------------------------
# MFA: focal points, analysts and administrators must set up TOTP first.

MFA_REQUIRED: dict[tuple[str, str], Outcome] = {
    ("focal_point", "/"): TO_MFA_ACTIVATE,
    ("focal_point", "/organisations/"): TO_MFA_ACTIVATE,
    ("focal_point", "/accounts/logout/"): OK,
    ("analyst", "/"): TO_MFA_ACTIVATE,
    ("analyst", "/organisations/"): TO_MFA_ACTIVATE,
    ("admin", "/"): TO_MFA_ACTIVATE,
    ("admin", "/organisations/"): TO_MFA_ACTIVATE,
    ("admin", "/audit/"): TO_MFA_ACTIVATE,
    ("superuser", "/"): TO_MFA_ACTIVATE,
    ("superuser", "/admin/"): TO_MFA_ACTIVATE,
    ("contributor", "/"): OK,
    ("contributor", "/organisations/"): OK,
    ("no_role", "/"): OK,
    ("no_role", "/organisations/"): OK,
}
MFA_SWITCHED_OFF: dict[tuple[str, str], Outcome] = {
    ("focal_point", "/"): OK,
    ("focal_point", "/organisations/"): OK,
    ("analyst", "/"): OK,
    ("analyst", "/organisations/"): OK,
    ("admin", "/"): OK,
    ("admin", "/organisations/"): OK,
    ("superuser", "/admin/"): OK,
    ("contributor", "/"): OK,
}


@pytest.mark.parametrize(("who", "path"), MFA_REQUIRED)
def test_mfa_required(who: str, path: str, world: World, settings: SettingsWrapper) -> None:
    settings.OBSERVATORY_REQUIRE_MFA = True
    expected = MFA_REQUIRED[(who, path)]
    response = web_client(world.without_totp[who]).get(path)
    assert outcome(response, expected) == expected


@pytest.mark.parametrize(("who", "path"), MFA_SWITCHED_OFF)
def test_mfa_switched_off(who: str, path: str, world: World, settings: SettingsWrapper) -> None:
    settings.OBSERVATORY_REQUIRE_MFA = False
    expected = MFA_SWITCHED_OFF[(who, path)]
    response = web_client(world.without_totp[who]).get(path)
    assert outcome(response, expected) == expected


@pytest.mark.parametrize(
    ("who", "organisation"),
    [("focal_point", "COL-POLICE"), ("analyst", "OFFICE"), ("admin", "OFFICE")],
)
def test_mfa_does_not_apply_to_api_tokens(
    who: str, organisation: str, world: World, settings: SettingsWrapper
) -> None:
    settings.OBSERVATORY_REQUIRE_MFA = True
    _token, raw = services.token_create(
        user=world.without_totp[who], organisation=world.organisations[organisation]
    )
    assert token_client(raw).get("/api/v1/me").status_code == 200


@pytest.mark.parametrize("who", ["focal_point", "analyst", "admin"])
@pytest.mark.parametrize(
    "header",
    [
        {"HTTP_AUTHORIZATION": "Bearer x"},
        {"HTTP_AUTHORIZATION": "Basic eDp5"},
        {"HTTP_X_API_KEY": "obs_nothing"},
    ],
)
def test_a_session_without_mfa_gets_no_data_from_the_api_by_adding_a_header(
    who: str, header: dict[str, str], world: World, settings: SettingsWrapper
) -> None:
    # Issue 12 §1: a bad or unknown token is 401 and never falls back to the
    # session (which has no second factor); without a header the session is refused.
    settings.OBSERVATORY_REQUIRE_MFA = True
    client = web_client(world.without_totp[who])
    url = "/api/v1/submissions/versions?status=draft"
    assert client.get(url).status_code == 403
    assert client.get(url, **header).status_code == 401
    assert client.get("/api/v1/me", **header).status_code == 401
    assert client.post("/api/v1/imports", {}, **header).status_code == 401


def test_mfa_redirect_leads_to_the_activation_form(world: World, settings: SettingsWrapper) -> None:
    """Signed in with a password, a focal point is sent to set up TOTP, and can."""
    settings.OBSERVATORY_REQUIRE_MFA = True
    email = world.without_totp["focal_point"].email
    client = WalkClient()
    login = client.post("/accounts/login/", {"login": email, "password": factories.PASSWORD})
    home = client.get("/")
    activate = client.get(home["Location"])
    reauthenticate = client.post(activate["Location"], {"password": factories.PASSWORD})
    form = client.get(reauthenticate["Location"])
    assert (login.status_code, home.status_code, form.status_code) == (302, 302, 200)
    assert (home["Location"], reauthenticate["Location"]) == (
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/totp/activate/",
    )
    assert 'name="code"' in form.content.decode()


def test_password_alone_does_not_sign_in_a_user_with_totp(world: World) -> None:
    client = WalkClient()
    login = client.post(
        "/accounts/login/", {"login": "focal@col.test", "password": factories.PASSWORD}
    )
    after = client.get("/organisations/")
    assert (login.status_code, login["Location"]) == (302, "/accounts/2fa/authenticate/")
    assert outcome(after, TO_LOGIN) == TO_LOGIN


# --------------------------------------------------------------------------
# Security headers.


def test_security_headers(world: World) -> None:
    response = web_client(world.actors["focal_point"]).get("/organisations/")
    policy = {
        directive.split()[0]: directive.split()[1:]
        for directive in response["Content-Security-Policy"].split(";")
    }
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


EVIL = "https://evil.example/"


def test_login_does_not_redirect_off_site(world: World) -> None:
    response = WalkClient().post(
        f"/accounts/login/?next={EVIL}",
        {"login": "nobody@example.test", "password": factories.PASSWORD, "next": EVIL},
    )
    assert (response.status_code, response["Location"]) == (302, "/")


def test_language_switch_does_not_redirect_off_site(world: World) -> None:
    response = WalkClient().post("/i18n/setlang/", {"language": "zh-hans", "next": EVIL})
    assert (response.status_code, response["Location"]) == (302, "/")


# The value step of an import: only the import's own workspace may set readings.
IMPORT_VALUES = {
    "anonymous": (TO_LOGIN, False),
    "contributor": ((302, "/imports/"), True),
    "focal_point": ((302, "/imports/"), True),
    "analyst": (NOT_FOUND, False),
    "admin": (NOT_FOUND, False),
    "other_focal_point": (NOT_FOUND, False),
    "other_contributor": (NOT_FOUND, False),
    "no_role": (NOT_FOUND, False),
}


@pytest.mark.parametrize("actor", IMPORT_VALUES)
def test_import_value_step(actor: str, world: World) -> None:
    from observatory.intake.models import ImportJob

    expected, written = IMPORT_VALUES[actor]
    job = ImportJob.objects.get(pk=world.values["job"])
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.BLOCKED)
    response = web_client(world.actors[actor]).post(
        f"/imports/{job.pk}/values/", {"value:drug:Herion": "heroin"}
    )
    assert outcome(response, expected) == expected
    job.refresh_from_db()
    assert ("values" in job.options) == written
