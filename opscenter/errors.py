"""Domain errors raised by services. One DRF exception handler turns them into {"detail", "code"}."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A request the domain refuses; `code` is stable for clients, `detail` is for people."""

    code = "invalid"
    status_code = 400
    default_detail = _("The request cannot be carried out.")

    def __init__(self, detail: str | None = None, *, code: str | None = None) -> None:
        self.detail = detail or str(self.default_detail)
        if code:
            self.code = code
        super().__init__(self.detail)


class NotAllowed(DomainError):
    code = "not_allowed"
    status_code = 403
    default_detail = _("Your role does not allow this.")


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status_code = 409
    default_detail = _("The alert is not in a state that allows this.")


class ReasonRequired(DomainError):
    code = "reason_required"
    status_code = 400
    default_detail = _("A reason (for example a case number) is required to see this personal data.")


class AlertMovedOn(InvalidTransition):
    """An action on an alert that has moved on since the actor saw it (acknowledged by someone else,
    resolved): refused with what it is now and who holds it, so the console can say so."""

    code = "alert_moved_on"
    default_detail = _("The alert has moved on.")

    def __init__(self, alert, detail: str | None = None) -> None:
        super().__init__(detail)
        self.alert = alert
        if alert.status == "resolved":
            by, at = alert.resolved_by, alert.resolved_at
        elif alert.status == "dispatched":
            by, at = alert.dispatched_by, alert.dispatched_at
        else:
            by, at = alert.acknowledged_by, alert.acknowledged_at
        self.current = {
            "status": alert.status,
            "by": by.get_username() if by is not None else None,
            "by_name": by.display_name if by is not None else None,
            "at": at.isoformat() if at is not None else None,
        }


class UnitUnavailable(InvalidTransition):
    """A unit that cannot take this step now (not available for a dispatch, not on duty, off its
    assignment): refused with its status as it is, so the console shows it."""

    code = "unit_unavailable"
    default_detail = _("The unit is not in a state that allows this.")

    def __init__(self, unit, detail: str | None = None) -> None:
        super().__init__(detail)
        self.unit = unit
        self.current = {"unit": unit.pk, "call_sign": unit.call_sign, "status": unit.status}


class AssignmentMovedOn(InvalidTransition):
    """A step on an assignment that has moved past it (cleared, or already further along)."""

    code = "assignment_moved_on"
    default_detail = _("The assignment has moved on.")

    def __init__(self, assignment, detail: str | None = None) -> None:
        super().__init__(detail)
        self.assignment = assignment
        self.current = {"status": assignment.status}
