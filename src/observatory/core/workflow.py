"""The statuses of country data, as the submission workflow sets them: the one
list that the access policy (accounts/access.py) and the workflow
(submissions/) share."""

from __future__ import annotations


class Status:
    """Statuses of country data, as the submission workflow sets them."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    ACCEPTED = "accepted"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"  # a published version replaced by a newer one

    ALL = frozenset({DRAFT, SUBMITTED, RETURNED, ACCEPTED, PUBLISHED, SUPERSEDED})
    EDITABLE = frozenset({DRAFT, RETURNED})
    SEEN_BY_OFFICE = frozenset({SUBMITTED, RETURNED, ACCEPTED, PUBLISHED, SUPERSEDED})
    PUBLIC = frozenset({PUBLISHED})
    # Shared with a network's members: data a focal point submitted (and the
    # office has not returned).
    SHARED = frozenset({SUBMITTED, ACCEPTED})
    # The questionnaire grid takes values for a draft, a returned version, or a
    # published one (saving starts its correction).
    OPEN_FOR_ENTRY = frozenset({DRAFT, RETURNED, PUBLISHED})


# The workflow's steps and the statuses each moves a version from.
MOVES_FROM: dict[str, frozenset[str]] = {
    "submit": frozenset({Status.DRAFT, Status.RETURNED}),
    "return": frozenset({Status.SUBMITTED, Status.ACCEPTED}),
    "accept": frozenset({Status.SUBMITTED}),
    "publish": frozenset({Status.ACCEPTED}),
    "schedule": frozenset({Status.ACCEPTED}),
}
