"""Every write to appeals: registration on receipt, and the officers' workflow (assign, take into work,
comment, answer, extend, redirect, reject, close, route by hand). Each change the applicant should see
is queued for the partner's webhook in the same transaction."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from appeals.iin import iin_problem
from appeals.models import (
    ALERT_CATEGORIES,
    ANONYMOUS_CATEGORIES,
    OPEN_STATUSES,
    Appeal,
    AppealCategory,
    AppealEvent,
    AppealStatus,
    AppealType,
    Attachment,
    Channel,
    Partner,
    RegistrationCounter,
    RoutedBy,
)
from appeals.routing import route
from appeals.selectors import appeals_visible
from appeals.services.webhooks import webhook_enqueue
from appeals.workdays import add_months, registration_time, working_calendar_load
from opscenter.errors import DomainError, InvalidTransition, NotAllowed
from opscenter.models import Alert, District, User
from opscenter.permissions import Capability, has
from opscenter.services.alerts import alert_raise, alert_relocate
from opscenter.services.audit import audit_record
from opscenter.services.texts import phrase

DESCRIPTION_MAX = 4000
OCCURRED_AT_TOLERANCE = timedelta(minutes=5)  # a phone's clock may run a little ahead


class AppealInputError(DomainError):
    """A submitted appeal breaks a rule; `field` names the input at fault."""

    code = "invalid"

    def __init__(self, field: str, detail: str, *, code: str = "invalid") -> None:
        self.field = field
        super().__init__(detail, code=code)


class AppealTransitionError(InvalidTransition):
    default_detail = gettext_lazy("The appeal is not in a state that allows this.")


@dataclass(frozen=True)
class ApplicantInput:
    iin: str
    full_name: str
    phone: str = ""


@dataclass(frozen=True)
class AppealInput:
    category: str
    appeal_type: str
    description: str
    occurred_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    address: str = ""
    applicant: ApplicantInput | None = None
    anonymous: bool = False
    attachment_ids: Sequence[int] = field(default_factory=tuple)
    partner_reference: str = ""


def appeal_input_check(data: AppealInput) -> None:
    """The rules of a submission, each failure naming its field (AppealInputError)."""
    if data.category not in AppealCategory.values:
        raise AppealInputError("category", _("Unknown category."))
    if data.appeal_type not in AppealType.values:
        raise AppealInputError("appeal_type", _("Unknown appeal type."))
    if not data.description.strip():
        raise AppealInputError("description", _("A description is required."))
    if len(data.description) > DESCRIPTION_MAX:
        raise AppealInputError(
            "description", _("At most %(limit)d characters.") % {"limit": DESCRIPTION_MAX}, code="max_length"
        )
    if data.occurred_at is not None and data.occurred_at > timezone.now() + OCCURRED_AT_TOLERANCE:
        raise AppealInputError("occurred_at", _("This is in the future."))
    if (data.latitude is None) != (data.longitude is None):
        raise AppealInputError("location", _("Give both lat and lon, or neither."))
    if data.latitude is None and not data.address.strip():
        raise AppealInputError("location", _("Give lat and lon, or an address, or both."))
    if data.anonymous:
        if data.category not in ANONYMOUS_CATEGORIES:
            raise AppealInputError(
                "anonymous",
                _("Anonymous appeals are accepted only in categories that report an offence or a threat."),
                code="anonymous_not_allowed",
            )
        if data.applicant is not None:
            raise AppealInputError("applicant", _("An anonymous appeal carries no applicant."))
        return
    if data.applicant is None:
        raise AppealInputError("applicant", _("The applicant is required unless the appeal is anonymous."))
    problem = iin_problem(data.applicant.iin)
    if problem is not None:
        raise AppealInputError("applicant.iin", _("Not a valid IIN: %(problem)s.") % {"problem": problem})
    if not data.applicant.full_name.strip():
        raise AppealInputError("applicant.full_name", _("The applicant's full name is required."))


@dataclass(frozen=True)
class Terms:
    registered_at: datetime
    deadline: date
    redirect_until: date


def appeal_terms(*, received_at: datetime) -> Terms:
    """Registration (on the next working day when received on a day off), the deadline (15 working days
    after registration) and the last day to redirect (3 working days)."""
    zone = timezone.get_default_timezone()
    local_year = received_at.astimezone(zone).year
    calendar = working_calendar_load(first_year=local_year, last_year=local_year + 1)
    start = time.fromisoformat(settings.APPEALS_WORKDAY_START)
    registered_at = registration_time(received_at, calendar, zone=zone, start=start)
    registered_on = registered_at.astimezone(zone).date()
    return Terms(
        registered_at=registered_at,
        deadline=calendar.add_working_days(registered_on, settings.APPEALS_DEADLINE_WORKING_DAYS),
        redirect_until=calendar.add_working_days(registered_on, settings.APPEALS_REDIRECT_WORKING_DAYS),
    )


def _registration_number_assign(appeal: Appeal) -> str:
    """The next number of the registration year, under the year's counter row lock (held to commit, so
    numbers have no gaps: a rolled-back appeal rolls its number back too)."""
    year = timezone.localtime(appeal.registered_at).year
    counter, _created = RegistrationCounter.objects.select_for_update().get_or_create(year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    number = f"ZKO-{year}-{counter.last_number:06d}"
    Appeal.objects.filter(pk=appeal.pk).update(registration_number=number)
    appeal.registration_number = number
    return number


def appeal_submit(
    *,
    partner: Partner,
    data: AppealInput,
    channel: str = Channel.PARTNER_API,
    now: datetime | None = None,
    on_registered: Callable[[Appeal], None] | None = None,
) -> Appeal:
    """Register an appeal from `partner`, routed, with its terms, its attachments linked and, for domestic
    violence or a child, a P2 alert. `on_registered` runs last inside the transaction (the partner API
    stores its idempotent response there). Raises AppealInputError, storing nothing."""
    appeal_input_check(data)
    now = now or timezone.now()
    routing = route(latitude=data.latitude, longitude=data.longitude, address=data.address.strip())
    terms = appeal_terms(received_at=now)
    applicant = data.applicant
    with transaction.atomic():
        appeal = Appeal.objects.create(
            registration_number=f"pending-{uuid.uuid4().hex[:22]}",
            partner=partner,
            partner_reference=data.partner_reference,
            channel=channel,
            category=data.category,
            appeal_type=data.appeal_type,
            description=data.description,
            occurred_at=data.occurred_at,
            latitude=data.latitude,
            longitude=data.longitude,
            address=data.address.strip()[:300],
            anonymous=data.anonymous,
            applicant_iin=applicant.iin if applicant else "",
            applicant_full_name=applicant.full_name.strip()[:200] if applicant else "",
            applicant_phone=applicant.phone.strip()[:32] if applicant else "",
            center=routing.center,
            district=routing.district,
            routed_by=routing.routed_by,
            received_at=now,
            registered_at=terms.registered_at,
            deadline=terms.deadline,
            original_deadline=terms.deadline,
            redirect_until=terms.redirect_until,
            updated_at=now,
        )
        _attachments_link(appeal, partner, data.attachment_ids)
        label = f"partner:{partner.code}"
        AppealEvent.objects.create(
            appeal=appeal, action=AppealEvent.Action.REGISTERED, status=AppealStatus.REGISTERED, actor_label=label,
            at=now, is_public=True, data={"channel": channel},
        )  # fmt: skip
        AppealEvent.objects.create(
            appeal=appeal, action=AppealEvent.Action.ROUTED, status=AppealStatus.REGISTERED, actor_label="routing",
            at=now, data={"routed_by": routing.routed_by, "district": routing.district.code if routing.district else None},
        )  # fmt: skip
        if data.category in ALERT_CATEGORIES:
            appeal.alert = _alert_raise(appeal)
            appeal.save(update_fields=["alert"])
        # Last, so that the year's counter stays locked as briefly as possible.
        _registration_number_assign(appeal)
        audit_record(actor=None, actor_label=label, action="appeals.appeal.register", obj=appeal,
                     data={"channel": channel, "routed_by": routing.routed_by})  # fmt: skip
        if on_registered is not None:
            on_registered(appeal)
    return appeal


def _attachments_link(appeal: Appeal, partner: Partner, attachment_ids: Sequence[int]) -> None:
    ids = sorted(set(attachment_ids))
    if not ids:
        return
    linked = Attachment.objects.filter(pk__in=ids, partner=partner, appeal__isnull=True).update(appeal=appeal)
    if linked != len(ids):
        raise AppealInputError(
            "attachments", _("Unknown attachment, or one already used by another appeal."), code="invalid_attachment"
        )


def _alert_raise(appeal: Appeal):
    category = AppealCategory(appeal.category).label
    # Stored in the default language; screens word it in their reader's (appeals.texts).
    with translation.override(settings.LANGUAGE_CODE):
        place = appeal.district.name if appeal.district else appeal.center.name
        title = _("Appeal: %(category)s (%(place)s)") % {"category": category, "place": place}
    return alert_raise(
        source="appeals",
        kind=f"appeal_{appeal.category}",
        severity=2,
        title=title,
        center=appeal.center,
        district=appeal.district,
        latitude=appeal.latitude,
        longitude=appeal.longitude,
        address=appeal.address,
        payload={"appeal": appeal.pk, "url": f"/appeals/{appeal.pk}/"},
        dedup_key=f"appeals:{appeal.pk}",
    )


# --- The officers' workflow -------------------------------------------------------------------------


def can_work(user: User) -> bool:
    return has(user, Capability.APPEAL_WORK)


def can_supervise(user: User) -> bool:
    return has(user, Capability.APPEAL_SUPERVISE)


def _locked(*, appeal: Appeal, actor: User, supervise: bool = False) -> Appeal:
    """The appeal, row-locked, if the actor's scope covers it (else Appeal.DoesNotExist) and their role
    allows the action (else NotAllowed)."""
    if not (can_supervise(actor) if supervise else can_work(actor)):
        raise NotAllowed()
    return (
        appeals_visible(user=actor)
        .select_for_update(of=("self",))
        .select_related("partner", "district", "center")
        .get(pk=appeal.pk)
    )


def _step(
    appeal: Appeal,
    *,
    actor: User,
    action: str,
    status: str | None = None,
    text: str = "",
    public: bool,
    data: dict | None = None,
    fields: Sequence[str] = (),
) -> AppealEvent:
    now = timezone.now()
    if status is not None:
        appeal.status = status
    appeal.updated_at = now
    appeal.save(update_fields=["status", "updated_at", *fields])
    event = AppealEvent.objects.create(
        appeal=appeal, action=action, status=appeal.status, actor=actor, at=now, text=text, is_public=public,
        data=data or {},
    )  # fmt: skip
    audit_record(actor=actor, action=f"appeals.appeal.{action}", obj=appeal, data=data)
    if public:
        webhook_enqueue(appeal=appeal, event=event)
    return event


def _require_status(appeal: Appeal, allowed: Sequence[str]) -> None:
    if appeal.status not in allowed:
        raise AppealTransitionError()


def _require_text(value: str, name: str) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(_("%(name)s is required.") % {"name": name}, code="text_required")
    return value


@transaction.atomic
def appeal_assign(*, appeal: Appeal, officer: User, actor: User) -> Appeal:
    """Give the appeal to an officer whose scope covers it; a registered appeal becomes assigned."""
    appeal = _locked(appeal=appeal, actor=actor)
    _require_status(appeal, OPEN_STATUSES)
    if not can_work(officer) or not appeals_visible(user=officer).filter(pk=appeal.pk).exists():
        raise DomainError(_("This officer does not work this district."), code="officer_out_of_scope")
    appeal.assigned_to = officer
    status = AppealStatus.ASSIGNED if appeal.status == AppealStatus.REGISTERED else None
    _step(appeal, actor=actor, action=AppealEvent.Action.ASSIGNED, status=status, public=status is not None,
          data={"officer": officer.get_username()}, fields=["assigned_to"])  # fmt: skip
    return appeal


@transaction.atomic
def appeal_start(*, appeal: Appeal, actor: User) -> Appeal:
    """Take into work; an unassigned appeal is assigned to the actor."""
    appeal = _locked(appeal=appeal, actor=actor)
    _require_status(appeal, (AppealStatus.REGISTERED, AppealStatus.ASSIGNED))
    if appeal.assigned_to_id is None:
        appeal.assigned_to = actor
    _step(appeal, actor=actor, action=AppealEvent.Action.STARTED, status=AppealStatus.IN_PROGRESS, public=True,
          fields=["assigned_to"])  # fmt: skip
    return appeal


@transaction.atomic
def appeal_comment(*, appeal: Appeal, actor: User, text: str) -> AppealEvent:
    """An internal note: never shown to the applicant."""
    appeal = _locked(appeal=appeal, actor=actor)
    return _step(appeal, actor=actor, action=AppealEvent.Action.COMMENTED, text=_require_text(text, _("A comment")),
                 public=False)  # fmt: skip


@transaction.atomic
def appeal_answer(*, appeal: Appeal, actor: User, text: str) -> Appeal:
    """The public answer to the applicant, sent to the partner."""
    appeal = _locked(appeal=appeal, actor=actor)
    _require_status(appeal, OPEN_STATUSES)
    appeal.public_answer = _require_text(text, _("The answer"))
    appeal.answered_at = timezone.now()
    if appeal.assigned_to_id is None:
        appeal.assigned_to = actor
    _step(appeal, actor=actor, action=AppealEvent.Action.ANSWERED, status=AppealStatus.ANSWERED,
          text=appeal.public_answer, public=True, fields=["public_answer", "answered_at", "assigned_to"])  # fmt: skip
    return appeal


def extension_limit(appeal: Appeal) -> date:
    return add_months(appeal.original_deadline, settings.APPEALS_EXTENSION_MAX_MONTHS)


@transaction.atomic
def appeal_extend(*, appeal: Appeal, actor: User, deadline: date, reason: str) -> Appeal:
    """A supervisor's reasoned extension, at most APPEALS_EXTENSION_MAX_MONTHS past the original deadline
    in total; the applicant is told (through the partner) with the reason and the new deadline."""
    appeal = _locked(appeal=appeal, actor=actor, supervise=True)
    _require_status(appeal, OPEN_STATUSES)
    reason = _require_text(reason, _("The reason"))
    if deadline <= appeal.deadline:
        raise DomainError(_("The new deadline must be later than the current one."), code="deadline_not_later")
    limit = extension_limit(appeal)
    if deadline > limit:
        raise DomainError(
            _("An appeal may be extended by at most %(months)d months in total, to %(limit)s.")
            % {"months": settings.APPEALS_EXTENSION_MAX_MONTHS, "limit": limit.isoformat()},
            code="extension_too_long",
        )
    previous = appeal.deadline
    appeal.deadline, appeal.extension_reason = deadline, reason
    _step(appeal, actor=actor, action=AppealEvent.Action.EXTENDED, text=reason, public=True,
          data={"from": previous.isoformat(), "to": deadline.isoformat()},
          fields=["deadline", "extension_reason"])  # fmt: skip
    return appeal


@transaction.atomic
def appeal_redirect(*, appeal: Appeal, actor: User, body: str, reason: str, today: date | None = None) -> Appeal:
    """Send the appeal to the competent body, within 3 working days of registration; the applicant is told."""
    appeal = _locked(appeal=appeal, actor=actor)
    _require_status(appeal, OPEN_STATUSES)
    today = today or timezone.localdate()
    if today > appeal.redirect_until:
        raise DomainError(
            _("An appeal may be redirected only within 3 working days of registration (until %(date)s).")
            % {"date": appeal.redirect_until.isoformat()},
            code="redirect_too_late",
        )
    appeal.redirected_to = _require_text(body, _("The body it goes to"))[:300]
    appeal.resolution_reason = _require_text(reason, _("The reason"))
    _step(appeal, actor=actor, action=AppealEvent.Action.REDIRECTED, status=AppealStatus.REDIRECTED,
          text=appeal.resolution_reason, public=True, data={"to": appeal.redirected_to},
          fields=["redirected_to", "resolution_reason"])  # fmt: skip
    return appeal


@transaction.atomic
def appeal_reject(*, appeal: Appeal, actor: User, reason: str) -> Appeal:
    appeal = _locked(appeal=appeal, actor=actor)
    _require_status(appeal, OPEN_STATUSES)
    appeal.resolution_reason = _require_text(reason, _("The reason"))
    _step(appeal, actor=actor, action=AppealEvent.Action.REJECTED, status=AppealStatus.REJECTED,
          text=appeal.resolution_reason, public=True, fields=["resolution_reason"])  # fmt: skip
    return appeal


@transaction.atomic
def appeal_close(*, appeal: Appeal, actor: User) -> Appeal:
    appeal = _locked(appeal=appeal, actor=actor)
    _require_status(appeal, (AppealStatus.ANSWERED, AppealStatus.REDIRECTED, AppealStatus.REJECTED))
    appeal.closed_at = timezone.now()
    _step(appeal, actor=actor, action=AppealEvent.Action.CLOSED, status=AppealStatus.CLOSED, public=True,
          fields=["closed_at"])  # fmt: skip
    return appeal


@transaction.atomic
def appeal_route(*, appeal: Appeal, district: District, actor: User) -> Appeal:
    """Route by hand (a supervisor of the center it waits in): to any district."""
    appeal = _locked(appeal=appeal, actor=actor, supervise=True)
    _require_status(appeal, OPEN_STATUSES)
    previous = appeal.district.code if appeal.district else None
    appeal.district, appeal.center, appeal.routed_by = district, district.center, RoutedBy.MANUAL
    if previous != district.code:
        appeal.assigned_to = None
    _step(appeal, actor=actor, action=AppealEvent.Action.ROUTED, public=False,
          data={"from": previous, "to": district.code, "routed_by": RoutedBy.MANUAL},
          fields=["district", "center", "routed_by", "assigned_to"])  # fmt: skip
    if appeal.alert_id:  # its alert goes where the appeal went: off the old center's screens, onto the new's
        alert_relocate(
            alert=Alert(pk=appeal.alert_id),
            center=district.center,
            district=district,
            actor=actor,
            reason=phrase(gettext_noop("The appeal was rerouted.")),
        )
    return appeal
