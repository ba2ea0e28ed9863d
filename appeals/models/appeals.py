"""Appeals (обращения) filed by citizens through a partner, their history and their files."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AppealCategory(models.TextChoices):
    """The categories of the "Закон и порядок" service."""

    ROAD_ACCIDENT = "road_accident", _("Road accident")
    TRAFFIC_VIOLATION = "traffic_violation", _("Traffic violation")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    CHILD_INCIDENT = "child_incident", _("Incident involving a child")
    OTHER_OFFENCE = "other_offence", _("Other offence")
    POLICE_COMPLAINT = "police_complaint", _("Complaint about a police officer")


# Categories that report an offence or a threat: the only ones an anonymous appeal may be filed in
# (АППК art. 89: anonymous appeals are not considered, except reports of offences).
ANONYMOUS_CATEGORIES = frozenset(
    {
        AppealCategory.ROAD_ACCIDENT,
        AppealCategory.TRAFFIC_VIOLATION,
        AppealCategory.DOMESTIC_VIOLENCE,
        AppealCategory.CHILD_INCIDENT,
        AppealCategory.OTHER_OFFENCE,
    }
)

# Categories that also raise a P2 alert in the district's operations center.
ALERT_CATEGORIES = frozenset({AppealCategory.DOMESTIC_VIOLENCE, AppealCategory.CHILD_INCIDENT})


class AppealType(models.TextChoices):
    """The types of appeal of the Administrative Procedure Code (АППК, art. 4)."""

    STATEMENT = "statement", _("Statement (заявление)")
    REPORT = "report", _("Report (сообщение)")
    RESPONSE = "response", _("Response (отклик)")
    PROPOSAL = "proposal", _("Proposal (предложение)")
    INQUIRY = "inquiry", _("Inquiry (запрос)")
    COMPLAINT = "complaint", _("Complaint (жалоба)")


class AppealStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    REDIRECTED = "redirected", _("Redirected")
    REJECTED = "rejected", _("Rejected")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = (AppealStatus.REGISTERED, AppealStatus.ASSIGNED, AppealStatus.IN_PROGRESS)
FINAL_STATUSES = (AppealStatus.ANSWERED, AppealStatus.REDIRECTED, AppealStatus.REJECTED, AppealStatus.CLOSED)


class RoutedBy(models.TextChoices):
    BOUNDARY = "boundary", _("Inside the district's boundary")
    NEAREST_SEAT = "nearest_seat", _("Nearest district seat")
    ADDRESS = "address", _("Address")
    MANUAL = "manual", _("Manual routing")


class Channel(models.TextChoices):
    PARTNER_API = "partner_api", _("Partner API")
    OPEN311 = "open311", _("Open311")


class RegistrationCounter(models.Model):
    """The last registration number given in a year. Locked (select_for_update) by the transaction that
    registers an appeal and committed with it, so numbers are unique and have no gaps."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("registration counter")
        verbose_name_plural = _("registration counters")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Appeal(models.Model):
    """A citizen's appeal: registered on receipt (on the next working day when received on a day off),
    routed to a district (or to the Uralsk center for manual routing), worked by officers, answered
    within 15 working days unless a supervisor extended it. Its applicant data is personal: every read
    of it is audited."""

    registration_number = models.CharField(_("registration number"), max_length=32, unique=True)
    partner = models.ForeignKey(
        "appeals.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="appeals"
    )
    partner_reference = models.CharField(_("partner's reference"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=16, choices=Channel.choices, default=Channel.PARTNER_API)
    category = models.CharField(_("category"), max_length=32, choices=AppealCategory.choices)
    appeal_type = models.CharField(_("appeal type"), max_length=16, choices=AppealType.choices)
    description = models.TextField(_("description"), max_length=4000)
    occurred_at = models.DateTimeField(_("occurred at"), null=True, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    applicant_iin = models.CharField(_("applicant's IIN"), max_length=12, blank=True)
    applicant_full_name = models.CharField(_("applicant's full name"), max_length=200, blank=True)
    applicant_phone = models.CharField(_("applicant's phone"), max_length=32, blank=True)

    center = models.ForeignKey(
        "opscenter.OperationsCenter", verbose_name=_("operations center"), on_delete=models.PROTECT, related_name="+"
    )
    district = models.ForeignKey(
        "opscenter.District",
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty while the appeal waits for manual routing in the Uralsk center."),
    )
    routed_by = models.CharField(_("routed by"), max_length=16, choices=RoutedBy.choices)

    status = models.CharField(_("status"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.REGISTERED)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"))
    registered_at = models.DateTimeField(_("registered at"), db_index=True)
    deadline = models.DateField(_("deadline"), db_index=True)
    original_deadline = models.DateField(_("original deadline"))
    redirect_until = models.DateField(_("redirect possible until"))
    extension_reason = models.TextField(_("reason for the extension"), blank=True)
    public_answer = models.TextField(_("public answer"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    redirected_to = models.CharField(_("redirected to"), max_length=300, blank=True)
    resolution_reason = models.TextField(
        _("reason"), blank=True, help_text=_("Why the appeal was rejected or redirected.")
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    alert = models.ForeignKey(
        "opscenter.Alert", verbose_name=_("alert"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        ordering = ["deadline", "pk"]
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        constraints = [
            models.CheckConstraint(condition=Q(anonymous=True) | ~Q(applicant_iin=""), name="appeal_named_has_iin"),
            models.CheckConstraint(
                condition=Q(anonymous=False) | (Q(applicant_iin="") & Q(applicant_full_name="")),
                name="appeal_anonymous_has_no_applicant",
            ),
        ]
        indexes = [
            models.Index(fields=["district", "status", "deadline"], name="appeal_district_status"),
            models.Index(fields=["center", "status", "deadline"], name="appeal_center_status"),
            models.Index(fields=["partner", "partner_reference"], name="appeal_partner_reference"),
        ]

    def __str__(self) -> str:
        return self.registration_number

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AppealEvent(models.Model):
    """One step of an appeal's history. Public steps (status changes, the answer, an extension) are what
    the partner shows the citizen; internal comments and assignments stay with the officers."""

    class Action(models.TextChoices):
        REGISTERED = "registered", _("Registered")
        ROUTED = "routed", _("Routed")
        ASSIGNED = "assigned", _("Assigned")
        STARTED = "started", _("Taken into work")
        COMMENTED = "commented", _("Internal comment")
        EXTENDED = "extended", _("Deadline extended")
        ANSWERED = "answered", _("Answered")
        REDIRECTED = "redirected", _("Redirected")
        REJECTED = "rejected", _("Rejected")
        CLOSED = "closed", _("Closed")

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    status = models.CharField(_("status after"), max_length=16, choices=AppealStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(_("actor"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))
    text = models.TextField(_("text"), blank=True)
    is_public = models.BooleanField(_("shown to the applicant"), default=False)
    data = models.JSONField(_("data"), default=dict, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("appeal event")
        verbose_name_plural = _("appeal events")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.appeal_id}"


class AttachmentKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    VIDEO = "video", _("Video")
    VOICE = "voice", _("Voice message")


class Attachment(models.Model):
    """A photo, video or voice message a partner uploaded, typed from its content. Linked to an appeal
    when the appeal names it; one left unlinked is deleted with its file after a few hours."""

    partner = models.ForeignKey("appeals.Partner", on_delete=models.CASCADE, related_name="attachments")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    file = models.FileField(_("file"), upload_to="appeals/%Y/%m/")
    kind = models.CharField(_("kind"), max_length=8, choices=AttachmentKind.choices)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), db_index=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return f"{self.kind} {self.pk}"
