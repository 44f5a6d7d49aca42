"""The submission workflow on the database: draft -> submitted -> returned or
accepted -> published -> superseded, who may move a version, what is refused,
the history, the audit trail, the notifications, who sees what, the version
page and the API."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from pytest_django.fixtures import Settings as SettingsWrapper

from observatory.accounts import services as account_services
from observatory.accounts.models import Organisation, User
from observatory.core.errors import NotFound, PermissionDenied, ValidationFailed
from observatory.core.models import AuditEvent
from observatory.seizures import selectors as seizure_selectors
from observatory.submissions import selectors, services
from observatory.submissions.models import ReviewComment, StatusChange, Version
from observatory.submissions.registry import datasets
from tests.submissions import import_csv, seizure_csv

pytestmark = pytest.mark.django_db

S = Version.Status
CSV_V1 = seizure_csv(
    "C-1,2024-01-15,cocaine,100,kg,COL,PAN,ESP,Cartagena",
    "C-2,2024-02-10,cocaine,50,kg,COL,,USA,Buenaventura",
    "C-3,2024-05-05,heroin,2,kg,,,,Bogotá",
)
# The correction: C-2 weighs 55 kg, C-3 was a mistake, C-4 was forgotten.
CSV_V2 = seizure_csv(
    "C-1,2024-01-15,cocaine,100,kg,COL,PAN,ESP,Cartagena",
    "C-2,2024-02-10,cocaine,55,kg,COL,,USA,Buenaventura",
    "C-4,2024-06-01,cannabis-herb,300,kg,COL,,,Cali",
)
CSV_V3 = CSV_V2 + "C-5,2024-07-01,cocaine,7,kg,COL,,ESP,Santa Marta\n"  # one more
OWNERS = ["contributor@col.test", "focal@col.test"]
RETURN_COMMENT = "C-2: the weight is wrong"


@pytest.fixture(autouse=True)
def _storage(settings: SettingsWrapper, tmp_path: Path) -> None:
    """Originals and the analytics store of each test in a directory of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"


ACTIONS: dict[str, Callable[[Version, dict[str, User]], Version]] = {
    "submit": lambda v, u: services.version_submit(version=v, actor=u["focal_point"]),
    "return": lambda v, u: services.version_return(
        version=v, actor=u["analyst"], comment=RETURN_COMMENT
    ),
    "accept": lambda v, u: services.version_accept(version=v, actor=u["analyst"]),
    "publish": lambda v, u: services.version_publish(version=v, actor=u["analyst"]),
}
STEPS_TO: dict[str, list[str]] = {
    S.DRAFT: [],
    S.SUBMITTED: ["submit"],
    S.RETURNED: ["submit", "return"],
    S.ACCEPTED: ["submit", "accept"],
    S.PUBLISHED: ["submit", "accept", "publish"],
}


def bring(version: Version, status: str, users: dict[str, User]) -> Version:
    """Move a draft along the workflow to `status`, each step by its proper actor."""
    for step in STEPS_TO[status]:
        version = ACTIONS[step](version, users)
    return version


def transitions(version: Version) -> list[tuple[str, str]]:
    return [(h.from_status, h.to_status) for h in version.history.all()]


def case_references(rows: Any) -> list[str]:
    return sorted(row.case_reference for row in rows)


@pytest.fixture
def v1(users: dict[str, User], col_police: Organisation) -> Version:
    return import_csv(col_police, users["contributor"], CSV_V1)


# --------------------------------------------------------------------------
# Transitions and who may make them.


def test_an_import_makes_a_draft_version_one(v1: Version) -> None:
    assert (v1.number, v1.status, v1.row_count) == (1, S.DRAFT, 3)
    assert (v1.submission.dataset, v1.submission.label) == ("seizures", "2024")
    assert (v1.organisation.code, v1.area_id) == ("COL-POLICE", "COL")
    assert transitions(v1) == [("", S.DRAFT)]


def test_the_focal_point_of_the_country_submits(v1: Version, users: dict[str, User]) -> None:
    services.version_submit(version=v1, actor=users["focal_point"])
    v1.refresh_from_db()
    assert v1.status == S.SUBMITTED
    assert v1.submitted_at is not None
    assert transitions(v1) == [("", S.DRAFT), (S.DRAFT, S.SUBMITTED)]


@pytest.mark.parametrize(
    "who", ["contributor", "other_focal_point", "other_contributor", "analyst", "admin", "no_role"]
)
def test_nobody_else_submits(v1: Version, users: dict[str, User], who: str) -> None:
    with pytest.raises(PermissionDenied, match="only a focal point of this country"):
        services.version_submit(version=v1, actor=users[who])
    v1.refresh_from_db()
    assert v1.status == S.DRAFT
    assert transitions(v1) == [("", S.DRAFT)]


@pytest.mark.parametrize("comment", ["", "   \n\t"])
def test_returning_needs_a_comment(v1: Version, users: dict[str, User], comment: str) -> None:
    bring(v1, S.SUBMITTED, users)
    with pytest.raises(ValidationFailed, match="a comment is required"):
        services.version_return(version=v1, actor=users["analyst"], comment=comment)
    v1.refresh_from_db()
    assert v1.status == S.SUBMITTED
    assert not ReviewComment.objects.filter(version=v1).exists()


def test_the_analyst_returns_with_a_comment(v1: Version, users: dict[str, User]) -> None:
    bring(v1, S.SUBMITTED, users)
    services.version_return(version=v1, actor=users["analyst"], comment=f"  {RETURN_COMMENT}\n")
    v1.refresh_from_db()
    assert v1.status == S.RETURNED
    assert v1.reviewed_at is not None
    comment = ReviewComment.objects.get(version=v1)
    assert (comment.text, comment.author) == (RETURN_COMMENT, users["analyst"])
    assert v1.history.last().comment == RETURN_COMMENT  # type: ignore[union-attr]


@pytest.mark.parametrize("who", ["focal_point", "contributor", "admin", "other_focal_point"])
def test_only_an_office_analyst_reviews_and_publishes(
    v1: Version, users: dict[str, User], who: str
) -> None:
    bring(v1, S.SUBMITTED, users)
    actor = users[who]
    with pytest.raises(PermissionDenied):
        services.version_accept(version=v1, actor=actor)
    with pytest.raises(PermissionDenied):
        services.version_return(version=v1, actor=actor, comment="no")
    with pytest.raises(PermissionDenied):
        services.version_publish(version=v1, actor=actor)
    v1.refresh_from_db()
    assert v1.status == S.SUBMITTED


def test_a_returned_version_is_corrected_by_a_new_import_and_published(
    v1: Version, users: dict[str, User], col_police: Organisation
) -> None:
    bring(v1, S.RETURNED, users)
    v2 = import_csv(col_police, users["contributor"], CSV_V2)

    assert v2.submission_id == v1.submission_id
    assert (v2.number, v2.status, v2.row_count) == (2, S.DRAFT, 3)
    v1.refresh_from_db()
    assert v1.status == S.RETURNED
    assert selectors.previous_version(v2) == v1

    diff = datasets["seizures"].diff(v1, v2)
    assert diff.added == ["C-4"]
    assert diff.removed == ["C-3"]
    assert diff.changed == [("C-2", "C-2", ["quantity"])]
    assert not diff.empty
    assert datasets["seizures"].diff(v2, v2).empty

    bring(v2, S.PUBLISHED, users)
    v2.refresh_from_db()
    assert v2.status == S.PUBLISHED
    assert v2.published_at is not None
    assert transitions(v2) == [
        ("", S.DRAFT),
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.ACCEPTED),
        (S.ACCEPTED, S.PUBLISHED),
    ]
    assert transitions(v1) == [("", S.DRAFT), (S.DRAFT, S.SUBMITTED), (S.SUBMITTED, S.RETURNED)]


def test_a_returned_version_may_be_submitted_again(v1: Version, users: dict[str, User]) -> None:
    bring(v1, S.RETURNED, users)
    services.version_submit(version=v1, actor=users["focal_point"])
    v1.refresh_from_db()
    assert v1.status == S.SUBMITTED


def test_an_accepted_version_may_still_be_returned(v1: Version, users: dict[str, User]) -> None:
    bring(v1, S.ACCEPTED, users)
    services.version_return(version=v1, actor=users["analyst"], comment="one more thing")
    v1.refresh_from_db()
    assert v1.status == S.RETURNED


def test_publishing_a_later_version_supersedes_the_published_one(
    v1: Version, users: dict[str, User], col_police: Organisation
) -> None:
    bring(v1, S.RETURNED, users)
    v2 = bring(import_csv(col_police, users["contributor"], CSV_V2), S.PUBLISHED, users)
    v3 = bring(import_csv(col_police, users["contributor"], CSV_V3), S.PUBLISHED, users)

    statuses = dict(
        Version.objects.filter(submission=v1.submission).values_list("number", "status")
    )
    assert statuses == {1: S.RETURNED, 2: S.SUPERSEDED, 3: S.PUBLISHED}
    assert v3.number == 3
    assert transitions(v2)[-1] == (S.PUBLISHED, S.SUPERSEDED)
    assert v2.history.last().actor == users["analyst"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (S.DRAFT, "publish"),
        (S.DRAFT, "accept"),
        (S.DRAFT, "return"),
        (S.SUBMITTED, "submit"),
        (S.SUBMITTED, "publish"),
        (S.RETURNED, "accept"),
        (S.RETURNED, "publish"),
        (S.RETURNED, "return"),
        (S.ACCEPTED, "submit"),
        (S.ACCEPTED, "accept"),
        (S.PUBLISHED, "submit"),
        (S.PUBLISHED, "accept"),
        (S.PUBLISHED, "return"),
        (S.PUBLISHED, "publish"),
    ],
)
def test_illegal_transitions_are_refused(
    v1: Version, users: dict[str, User], status: str, action: str
) -> None:
    bring(v1, status, users)
    before = (StatusChange.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationFailed, match="cannot become"):
        ACTIONS[action](v1, users)
    v1.refresh_from_db()
    assert v1.status == status
    assert (StatusChange.objects.count(), AuditEvent.objects.count()) == before


@pytest.mark.parametrize("action", ["submit", "accept", "return", "publish"])
def test_a_superseded_version_stays_superseded(
    v1: Version, users: dict[str, User], col_police: Organisation, action: str
) -> None:
    bring(v1, S.PUBLISHED, users)
    bring(import_csv(col_police, users["contributor"], CSV_V2), S.PUBLISHED, users)
    with pytest.raises(ValidationFailed, match="cannot become"):
        ACTIONS[action](v1, users)
    v1.refresh_from_db()
    assert v1.status == S.SUPERSEDED


def test_a_refused_publication_leaves_the_published_version_alone(
    v1: Version, users: dict[str, User], col_police: Organisation
) -> None:
    bring(v1, S.PUBLISHED, users)
    v2 = import_csv(col_police, users["contributor"], CSV_V2)
    with pytest.raises(ValidationFailed, match="cannot become"):
        services.version_publish(version=v2, actor=users["analyst"])
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (S.PUBLISHED, S.DRAFT)
    assert transitions(v1)[-1] == (S.ACCEPTED, S.PUBLISHED)


@pytest.mark.parametrize("status", [S.SUBMITTED, S.ACCEPTED])
def test_no_new_version_while_one_is_with_the_office(
    v1: Version, users: dict[str, User], col_police: Organisation, status: str
) -> None:
    bring(v1, status, users)
    with pytest.raises(ValidationFailed, match="is with the office"):
        services.version_create(
            organisation=col_police, dataset="seizures", label="2024", actor=users["contributor"]
        )
    assert list(Version.objects.filter(submission=v1.submission)) == [v1]


@pytest.mark.parametrize("status", [S.DRAFT, S.RETURNED, S.PUBLISHED])
def test_a_new_version_may_follow_a_draft_a_returned_or_a_published_one(
    v1: Version, users: dict[str, User], col_police: Organisation, status: str
) -> None:
    bring(v1, status, users)
    version = services.version_create(
        organisation=col_police, dataset="seizures", label="2024", actor=users["contributor"]
    )
    assert (version.submission_id, version.number, version.status) == (
        v1.submission_id,
        2,
        S.DRAFT,
    )


def test_the_office_does_not_submit_country_data_it_does_not_compile(
    office: Organisation, users: dict[str, User]
) -> None:
    with pytest.raises(ValidationFailed, match="the office does not submit"):
        services.version_create(
            organisation=office, dataset="smuggling-incidents", label="2024", actor=users["analyst"]
        )


def test_every_transition_writes_its_history_and_an_audit_event(
    v1: Version, users: dict[str, User]
) -> None:
    for step in ["submit", "return", "submit", "accept", "publish"]:
        ACTIONS[step](v1, users)

    contributor, focal_point, analyst = users["contributor"], users["focal_point"], users["analyst"]
    history = [(h.from_status, h.to_status, h.actor, h.comment) for h in v1.history.all()]
    assert history == [
        ("", S.DRAFT, contributor, ""),
        (S.DRAFT, S.SUBMITTED, focal_point, ""),
        (S.SUBMITTED, S.RETURNED, analyst, RETURN_COMMENT),
        (S.RETURNED, S.SUBMITTED, focal_point, ""),
        (S.SUBMITTED, S.ACCEPTED, analyst, ""),
        (S.ACCEPTED, S.PUBLISHED, analyst, ""),
    ]
    events = AuditEvent.objects.filter(
        object_type="submissions.version", object_id=str(v1.pk)
    ).order_by("pk")
    assert [(e.action, e.actor_email, e.organisation, e.changes) for e in events] == [
        (AuditEvent.Action.CREATE, "contributor@col.test", "COL-POLICE", {}),
        (
            AuditEvent.Action.UPDATE,
            "focal@col.test",
            "COL-POLICE",
            {"status": ["draft", "submitted"], "comment": ""},
        ),
        (
            AuditEvent.Action.UPDATE,
            "analyst@office.test",
            "COL-POLICE",
            {"status": ["submitted", "returned"], "comment": RETURN_COMMENT},
        ),
        (
            AuditEvent.Action.UPDATE,
            "focal@col.test",
            "COL-POLICE",
            {"status": ["returned", "submitted"], "comment": ""},
        ),
        (
            AuditEvent.Action.UPDATE,
            "analyst@office.test",
            "COL-POLICE",
            {"status": ["submitted", "accepted"], "comment": ""},
        ),
        (
            AuditEvent.Action.UPDATE,
            "analyst@office.test",
            "COL-POLICE",
            {"status": ["accepted", "published"], "comment": ""},
        ),
    ]


# --------------------------------------------------------------------------
# Notifications, sent after the transaction commits.


def test_submitting_tells_the_office_analysts_after_commit(
    v1: Version,
    users: dict[str, User],
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as pending:
        services.version_submit(version=v1, actor=users["focal_point"])
    assert len(pending) == 1
    assert mailoutbox == []

    pending[0]()
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["analyst@office.test"]
    assert message.subject.endswith("seizures 2024 v1 submitted")
    assert message.body == "COL-POLICE submitted seizures “2024”, version 1 (3 rows)."


def test_the_notification_subject_names_the_organisation_by_its_code(
    v1: Version,
    users: dict[str, User],
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Submission.__str__ feeds the subject: it must not be the organisation's row id."""
    with django_capture_on_commit_callbacks(execute=True):
        services.version_submit(version=v1, actor=users["focal_point"])
    assert [m.subject for m in mailoutbox] == [
        "[Observatory] COL-POLICE seizures 2024 v1 submitted"
    ]


@pytest.mark.parametrize(
    ("status", "action", "what", "comment"),
    [
        (S.SUBMITTED, "return", "returned", f"\n\nComment:\n{RETURN_COMMENT}"),
        (S.SUBMITTED, "accept", "accepted", ""),
        (S.ACCEPTED, "publish", "published", ""),
    ],
)
def test_the_country_hears_of_each_review_step(
    v1: Version,
    users: dict[str, User],
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: Any,
    status: str,
    action: str,
    what: str,
    comment: str,
) -> None:
    bring(v1, status, users)  # on_commit callbacks of the set-up never run
    assert mailoutbox == []
    with django_capture_on_commit_callbacks(execute=True):
        ACTIONS[action](v1, users)
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == OWNERS
    assert message.subject.endswith(f"seizures 2024 v1 {what}")
    assert message.body == (
        f"Version 1 of seizures “2024” (COL-POLICE) was {what} by the office.{comment}"
    )


def test_a_refused_step_sends_nothing(
    v1: Version,
    users: dict[str, User],
    mailoutbox: list[mail.EmailMessage],
    django_capture_on_commit_callbacks: Any,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(PermissionDenied),
    ):
        services.version_submit(version=v1, actor=users["contributor"])
    assert callbacks == []
    assert mailoutbox == []


# --------------------------------------------------------------------------
# Who sees what.


def test_the_office_sees_a_version_only_once_submitted(v1: Version, users: dict[str, User]) -> None:
    analyst = users["analyst"]
    assert list(selectors.version_list(actor=analyst)) == []
    with pytest.raises(NotFound):
        selectors.version_get(actor=analyst, pk=v1.pk)
    bring(v1, S.SUBMITTED, users)
    assert list(selectors.version_list(actor=analyst)) == [v1]
    assert selectors.version_get(actor=analyst, pk=v1.pk) == v1


@pytest.mark.parametrize(
    ("status", "anonymous", "analyst", "other_focal_point", "contributor", "focal_point"),
    [
        (S.DRAFT, 0, 0, 0, 3, 3),
        (S.SUBMITTED, 0, 3, 0, 3, 3),
        (S.RETURNED, 0, 3, 0, 3, 3),
        (S.ACCEPTED, 0, 3, 0, 3, 3),
        (S.PUBLISHED, 3, 3, 3, 3, 3),
    ],
)
def test_who_sees_the_seizures_of_a_version(
    v1: Version,
    users: dict[str, User],
    status: str,
    anonymous: int,
    analyst: int,
    other_focal_point: int,
    contributor: int,
    focal_point: int,
) -> None:
    bring(v1, status, users)
    seen = {
        who: seizure_selectors.seizure_list(actor=users.get(who)).count()
        for who in ["anonymous", "analyst", "other_focal_point", "contributor", "focal_point"]
    }
    assert seen == {
        "anonymous": anonymous,
        "analyst": analyst,
        "other_focal_point": other_focal_point,
        "contributor": contributor,
        "focal_point": focal_point,
    }


@pytest.mark.parametrize(
    ("who", "everything"),
    [
        ("contributor", ["C-1", "C-1", "C-2", "C-2", "C-3", "C-4"]),
        ("focal_point", ["C-1", "C-1", "C-2", "C-2", "C-3", "C-4"]),
        ("analyst", ["C-1", "C-1", "C-2", "C-2", "C-3", "C-4"]),
        ("other_focal_point", ["C-1", "C-2", "C-4"]),
        ("anonymous", ["C-1", "C-2", "C-4"]),
    ],
)
def test_superseded_rows_leave_the_current_data_but_not_the_record(
    v1: Version,
    users: dict[str, User],
    col_police: Organisation,
    who: str,
    everything: list[str],
) -> None:
    bring(v1, S.PUBLISHED, users)
    v2 = bring(import_csv(col_police, users["contributor"], CSV_V2), S.PUBLISHED, users)
    actor = users.get(who)

    current = seizure_selectors.current_seizures(actor=actor)
    assert case_references(current) == ["C-1", "C-2", "C-4"]
    assert {row.version_id for row in current} == {v2.pk}
    assert case_references(seizure_selectors.seizure_list(actor=actor)) == everything


def test_current_seizures_show_each_case_once_while_a_correction_is_drafted(
    v1: Version, users: dict[str, User], col_police: Organisation
) -> None:
    """current_seizures promises "the latest visible version of each submission only":
    a country's draft correction must not show its cases next to the published ones."""
    bring(v1, S.PUBLISHED, users)
    import_csv(col_police, users["contributor"], CSV_V2)
    references = case_references(seizure_selectors.current_seizures(actor=users["contributor"]))
    assert references == sorted(set(references))


# --------------------------------------------------------------------------
# The version page.

BUTTON = re.compile(r'<button type="submit"[^>]* id="(\w+-version)"')


def web(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def buttons(user: User, version: Version) -> list[str]:
    response = web(user).get(f"/submissions/versions/{version.pk}/")
    assert response.status_code == 200
    return BUTTON.findall(response.content.decode())


@pytest.mark.parametrize(
    ("status", "who", "expected"),
    [
        (S.DRAFT, "focal_point", ["submit-version"]),
        (S.DRAFT, "contributor", []),
        (S.SUBMITTED, "analyst", ["accept-version", "return-version"]),
        (S.SUBMITTED, "focal_point", []),
        (S.RETURNED, "focal_point", ["submit-version"]),
        (S.RETURNED, "analyst", []),
        (S.ACCEPTED, "analyst", ["publish-version", "schedule-version", "return-version"]),
        (S.ACCEPTED, "focal_point", []),
        (S.PUBLISHED, "analyst", []),
        (S.PUBLISHED, "focal_point", []),
        (S.PUBLISHED, "other_focal_point", []),
    ],
)
def test_the_version_page_shows_only_the_allowed_buttons(
    v1: Version, users: dict[str, User], status: str, who: str, expected: list[str]
) -> None:
    bring(v1, status, users)
    assert buttons(users[who], v1) == expected


@pytest.mark.parametrize(
    "who", ["analyst", "admin", "other_focal_point", "other_contributor", "no_role"]
)
def test_a_draft_page_is_not_found_for_others(
    v1: Version, users: dict[str, User], who: str
) -> None:
    assert web(users[who]).get(f"/submissions/versions/{v1.pk}/").status_code == 404


def test_the_version_page_shows_the_changes_since_the_previous_version(
    v1: Version, users: dict[str, User], col_police: Organisation
) -> None:
    bring(v1, S.RETURNED, users)
    v2 = import_csv(col_police, users["contributor"], CSV_V2)
    page = web(users["focal_point"]).get(f"/submissions/versions/{v2.pk}/").content.decode()
    assert "Changes since v1" in page
    assert "1 added, 1 removed, 1 changed" in page
    assert RETURN_COMMENT not in page  # v1's comment belongs to v1's page


def post_action(user: User, version: Version, action: str, comment: str = "") -> Any:
    return web(user).post(
        f"/submissions/versions/{version.pk}/{action}/", {"comment": comment}, follow=True
    )


def messages_of(response: Any) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in response.context["messages"]]


@pytest.mark.parametrize(
    ("status", "who", "action", "comment", "after"),
    [
        (S.DRAFT, "focal_point", "submit", "", S.SUBMITTED),
        (S.SUBMITTED, "analyst", "accept", "", S.ACCEPTED),
        (S.SUBMITTED, "analyst", "return", "Please check C-2", S.RETURNED),
        (S.ACCEPTED, "analyst", "publish", "", S.PUBLISHED),
    ],
)
def test_workflow_buttons_move_the_version_and_redirect(
    v1: Version,
    users: dict[str, User],
    status: str,
    who: str,
    action: str,
    comment: str,
    after: str,
) -> None:
    bring(v1, status, users)
    response = post_action(users[who], v1, action, comment)
    assert response.redirect_chain == [(f"/submissions/versions/{v1.pk}/", 302)]
    assert messages_of(response) == [("success", f"Done: the version is now {S(after).label}.")]
    v1.refresh_from_db()
    assert v1.status == after


@pytest.mark.parametrize(
    ("status", "who", "action", "comment", "error"),
    [
        (S.DRAFT, "contributor", "submit", "", "only a focal point of this country"),
        (S.SUBMITTED, "analyst", "return", "  ", "a comment is required"),
        (S.SUBMITTED, "analyst", "publish", "", "cannot become"),
        (S.SUBMITTED, "focal_point", "accept", "", "only an office analyst accepts"),
        (S.RETURNED, "analyst", "accept", "", "cannot become"),
        (S.PUBLISHED, "focal_point", "submit", "", "cannot become"),
    ],
)
def test_refused_actions_show_an_error_and_change_nothing(
    v1: Version,
    users: dict[str, User],
    status: str,
    who: str,
    action: str,
    comment: str,
    error: str,
) -> None:
    bring(v1, status, users)
    response = post_action(users[who], v1, action, comment)
    assert response.redirect_chain == [(f"/submissions/versions/{v1.pk}/", 302)]
    [(level, text)] = messages_of(response)
    assert level == "error"
    assert error in text
    v1.refresh_from_db()
    assert v1.status == status


def test_actions_on_an_invisible_version_or_of_an_unknown_kind_are_not_found(
    v1: Version, users: dict[str, User]
) -> None:
    assert web(users["analyst"]).post(f"/submissions/versions/{v1.pk}/accept/").status_code == 404
    assert (
        web(users["other_focal_point"]).post(f"/submissions/versions/{v1.pk}/submit/").status_code
        == 404
    )
    assert (
        web(users["focal_point"]).post(f"/submissions/versions/{v1.pk}/delete/").status_code == 404
    )
    assert (
        web(users["focal_point"]).get(f"/submissions/versions/{v1.pk}/submit/").status_code == 405
    )
    v1.refresh_from_db()
    assert v1.status == S.DRAFT


# --------------------------------------------------------------------------
# The API.


def api(user: User, organisation: Organisation) -> Client:
    _token, raw = account_services.token_create(user=user, organisation=organisation)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def api_action(client: Client, version: Version, action: str, comment: str = "") -> Any:
    return client.post(
        f"/api/v1/submissions/versions/{version.pk}/{action}",
        {"comment": comment},
        content_type="application/json",
    )


def test_api_focal_point_submits(
    v1: Version, users: dict[str, User], col_police: Organisation
) -> None:
    response = api_action(api(users["focal_point"], col_police), v1, "submit")
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"], body["number"]) == (v1.pk, "submitted", 1)
    assert (body["organisation"], body["area"], body["label"]) == ("COL-POLICE", "COL", "2024")
    assert body["submitted_at"] is not None
    v1.refresh_from_db()
    assert v1.status == S.SUBMITTED


def test_api_contributor_token_may_not_submit(
    v1: Version, users: dict[str, User], col_police: Organisation
) -> None:
    response = api_action(api(users["contributor"], col_police), v1, "submit")
    assert response.status_code == 403
    assert "focal point" in response.json()["detail"]
    v1.refresh_from_db()
    assert v1.status == S.DRAFT


def test_api_analyst_returns_accepts_and_publishes(
    v1: Version, users: dict[str, User], office: Organisation
) -> None:
    client = api(users["analyst"], office)
    bring(v1, S.SUBMITTED, users)
    assert api_action(client, v1, "return").status_code == 422
    returned = api_action(client, v1, "return", "fix it")
    assert (returned.status_code, returned.json()["status"]) == (200, "returned")
    services.version_submit(version=v1, actor=users["focal_point"])
    assert api_action(client, v1, "publish").status_code == 422
    accepted = api_action(client, v1, "accept")
    assert (accepted.status_code, accepted.json()["status"]) == (200, "accepted")
    published = api_action(client, v1, "publish")
    assert (published.status_code, published.json()["status"]) == (200, "published")
    assert published.json()["published_at"] is not None
    assert api_action(client, v1, "archive").status_code == 404


def test_api_version_list_filters_by_status(
    v1: Version, users: dict[str, User], col_police: Organisation, office: Organisation
) -> None:
    other = import_csv(col_police, users["contributor"], CSV_V3.replace("C-", "D-"), label="2023")
    bring(v1, S.SUBMITTED, users)
    country = api(users["focal_point"], col_police)
    analyst = api(users["analyst"], office)

    def ids(client: Client, status: str) -> tuple[int, list[int]]:
        body = client.get("/api/v1/submissions/versions", {"status": status}).json()
        return body["count"], [item["id"] for item in body["items"]]

    assert ids(country, "draft") == (1, [other.pk])
    assert ids(country, "submitted") == (1, [v1.pk])
    assert ids(country, "") == (2, [other.pk, v1.pk])
    assert ids(analyst, "submitted") == (1, [v1.pk])
    assert ids(analyst, "draft") == (0, [])
    assert ids(analyst, "published") == (0, [])


def test_an_embargo_publishes_by_itself_when_its_date_comes(
    users: dict[str, User], v1: Version
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    analyst = users["analyst"]
    version = services.version_submit(version=v1, actor=users["focal_point"])
    with pytest.raises(ValidationFailed, match="only an accepted version"):
        services.version_schedule(
            version=version, actor=analyst, at=timezone.now() + timedelta(days=1)
        )
    version = services.version_accept(version=version, actor=analyst)
    with pytest.raises(ValidationFailed, match="in the future"):
        services.version_schedule(
            version=version, actor=analyst, at=timezone.now() - timedelta(days=1)
        )
    with pytest.raises(PermissionDenied):
        services.version_schedule(
            version=version, actor=users["focal_point"], at=timezone.now() + timedelta(days=1)
        )
    at = timezone.now() + timedelta(days=2)
    services.version_schedule(version=version, actor=analyst, at=at)
    assert services.publish_due(now=at - timedelta(seconds=1)) == []
    assert [v.pk for v in services.publish_due(now=at)] == [version.pk]
    version.refresh_from_db()
    assert version.status == S.PUBLISHED
    change = version.history.last()
    assert change is not None
    assert change.actor is None
    assert change.comment.startswith("embargo ended")
    assert services.publish_due(now=at + timedelta(days=1)) == []
