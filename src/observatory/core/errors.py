"""Domain errors: every error a user can act on is an ObservatoryError."""


class ObservatoryError(Exception):
    """Base of all domain errors; its message is shown to the user as is."""


class PermissionDenied(ObservatoryError):
    """The acting user may not do this."""


class NotFound(ObservatoryError):
    """The object does not exist, or the acting user may not know it exists."""


class ValidationFailed(ObservatoryError):
    """Input did not pass validation; the message says what was expected."""


class AuditLogIsAppendOnly(ObservatoryError):
    """Raised by any attempt to change or remove an audit row."""
