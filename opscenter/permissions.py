"""Who may do what: one vocabulary of capabilities, granted per role, used by services, pages, templates
and DRF permission classes alike (Zulip's `can_*` helpers), never as role lists scattered over modules.

Scope (which centers and districts) is a separate question, answered by `opscenter.selectors.scoped`: a
capability says what kind of thing a person may do, their scope says to which rows.
"""

from enum import StrEnum

from rest_framework.permissions import BasePermission

from opscenter.errors import NotAllowed
from opscenter.models import Role, Unit, User


class Capability(StrEnum):
    ALERT_ACT = "alert.act"  # acknowledge, dispatch, resolve
    ALERT_COMMENT = "alert.comment"
    INCIDENT_MANAGE = "incident.manage"  # link alerts into an incident, unlink them (working it needs ALERT_ACT)
    ALERT_ESCALATION_RECEIVE = "alert.escalation.receive"  # told when an alert of their center escalates
    ALERT_DETAILS_READ = "alert.details.read"  # the personal data behind an alert, through an audited read
    REPORTS_VIEW = "reports.view"  # response reports and summaries
    APPEAL_WORK = "appeal.work"  # take, answer, redirect an appeal
    APPEAL_SUPERVISE = "appeal.supervise"  # extend, reassign, reroute
    APPEAL_SUMMARY_VIEW = "appeal.summary.view"
    PERSON_CARD_OPEN = "person.card.open"  # a supervised person's card, with a reason
    OWN_CASELOAD_DEFAULT = "caseload.own.default"  # lists start at "mine" (district officers)
    OUTBOX_REPLAY = "outbox.replay"
    COVERT_VIEW = "covert.view"  # covert deployments and hotlist entries
    # The platform's plumbing in the admin: received SIA frames and refused input, partners' idempotency
    # keys, the outbox and its attempts (opscenter.admin.InternalsAdmin). Administrators only.
    INTERNALS_VIEW = "internals.view"
    WALLBOARD_VIEW = "wallboard.view"  # the supervisor's wallboard: queue, times, operators, escalations
    SHIFT_LOG_KEEP = "shift_log.keep"  # read, write and acknowledge the handover notes of one's centers
    UNIT_DISPATCH = "unit.dispatch"  # send units of their scope to an alert, clear them, put them on/off duty
    CAMERA_VIEW = "camera.view"  # the video wall, cameras' frames and events, the cameras beside an alert
    UNIT_CREW = "unit.crew"  # work a unit's assignments from its tablet, when in its crew (is_crew)
    PLATE_SEARCH = "plate.search"  # search the plate reads of their scope, with a reason (audited)


_ALL = frozenset(Capability)

GRANTS: dict[str, frozenset[Capability]] = {
    Role.OPERATOR: frozenset(
        {
            Capability.ALERT_ACT,
            Capability.ALERT_COMMENT,
            Capability.INCIDENT_MANAGE,
            Capability.ALERT_DETAILS_READ,
            Capability.PERSON_CARD_OPEN,
            Capability.SHIFT_LOG_KEEP,
            Capability.UNIT_DISPATCH,
            Capability.CAMERA_VIEW,
        }
    ),
    Role.SUPERVISOR: frozenset(
        {
            Capability.ALERT_ACT,
            Capability.ALERT_COMMENT,
            Capability.INCIDENT_MANAGE,
            Capability.ALERT_ESCALATION_RECEIVE,
            Capability.ALERT_DETAILS_READ,
            Capability.REPORTS_VIEW,
            Capability.APPEAL_WORK,
            Capability.APPEAL_SUPERVISE,
            Capability.APPEAL_SUMMARY_VIEW,
            Capability.PERSON_CARD_OPEN,
            Capability.COVERT_VIEW,
            Capability.WALLBOARD_VIEW,
            Capability.SHIFT_LOG_KEEP,
            Capability.UNIT_DISPATCH,
            Capability.CAMERA_VIEW,
            Capability.PLATE_SEARCH,
        }
    ),
    Role.DISTRICT_OFFICER: frozenset(
        {
            Capability.ALERT_COMMENT,
            Capability.ALERT_DETAILS_READ,
            Capability.APPEAL_WORK,
            Capability.PERSON_CARD_OPEN,
            Capability.OWN_CASELOAD_DEFAULT,
            Capability.CAMERA_VIEW,
            Capability.UNIT_CREW,  # a district officer may be a unit of their own (kind district_officer)
        }
    ),
    Role.ANALYST: frozenset(
        {
            Capability.REPORTS_VIEW,
            Capability.APPEAL_SUMMARY_VIEW,
            Capability.PERSON_CARD_OPEN,
            Capability.COVERT_VIEW,
            Capability.CAMERA_VIEW,
            Capability.PLATE_SEARCH,
        }
    ),
    # A patrol officer has no scope: only their units' assignments, from the tablet (opscenter.selectors).
    Role.PATROL: frozenset({Capability.UNIT_CREW}),
    # Administrators see everything but are not on a center's shift: escalations go to its supervisors;
    # nor in a unit's crew.
    Role.ADMINISTRATOR: _ALL
    - {Capability.OWN_CASELOAD_DEFAULT, Capability.ALERT_ESCALATION_RECEIVE, Capability.UNIT_CREW},
}


def capabilities_of(user: User) -> frozenset[Capability]:
    """What `user` may do; nothing for an anonymous or inactive user, everything (but the officer's
    default view) for a superuser."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return GRANTS[Role.ADMINISTRATOR]
    return GRANTS.get(user.role, frozenset())


def has(user: User, capability: Capability) -> bool:
    return capability in capabilities_of(user)


def require(user: User, capability: Capability) -> None:
    """For services: raise NotAllowed (403 in the API) unless `user` has `capability`."""
    if not has(user, capability):
        raise NotAllowed()


def is_crew(user: User, unit: Unit) -> bool:
    """Whether `user` works `unit`'s assignments: in its crew, and of a role that may (UNIT_CREW)."""
    return has(user, Capability.UNIT_CREW) and unit.crew.filter(pk=user.pk).exists()


def can_set_unit_status(user: User, unit: Unit) -> bool:
    """Put a unit on or off duty: its crew, or whoever dispatches (the unit read through their scope)."""
    return has(user, Capability.UNIT_DISPATCH) or is_crew(user, unit)


def holders(capability: Capability) -> list[str]:
    """The working roles granted `capability`, for queries such as "whom can this appeal be assigned to":
    administrators are granted nearly everything but take no work and sit on no shift."""
    return [role for role, granted in GRANTS.items() if capability in granted and role != Role.ADMINISTRATOR]


def capability_permission(capability: Capability) -> type[BasePermission]:
    """A DRF permission class granting access to those with `capability`."""

    class HasCapability(BasePermission):
        message = NotAllowed.default_detail

        def has_permission(self, request, view) -> bool:
            return has(request.user, capability)

    HasCapability.__name__ = f"Has_{capability.name}"
    return HasCapability


def capabilities_context(request) -> dict:
    """Template context processor: `caps` holds the user's capabilities as strings, so a template asks
    `{% if "reports.view" in caps %}`; `tablet_only` is true for those who can only work a unit's tablet
    (a patrol: no scope, so the console's sections would show them nothing)."""
    user = getattr(request, "user", None)
    capabilities = capabilities_of(user) if user is not None else frozenset()
    return {
        "caps": {str(c) for c in capabilities},
        "tablet_only": bool(capabilities) and set(capabilities) == {Capability.UNIT_CREW},
    }
