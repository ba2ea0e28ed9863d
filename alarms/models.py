"""Protected objects, their alarm panels, and every frame and event the panels send."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from opscenter.networks import networks_validator, parse_networks  # noqa: F401  (migrations name alarms.models.networks_validator)

account_validator = RegexValidator(r"^[0-9A-F]{3,16}$", _("3 to 16 hexadecimal characters (upper case)."))
key_validator = RegexValidator(
    r"^([0-9A-Fa-f]{16}|[0-9A-Fa-f]{24}|[0-9A-Fa-f]{32})$", _("16, 24 or 32 hexadecimal characters.")
)


class ObjectKind(models.TextChoices):
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")
    COLLEGE = "college", _("College")
    UNIVERSITY = "university", _("University")
    POLICE_POST = "police_post", _("Police post")
    OTHER = "other", _("Other")


class ProtectedObject(models.Model):
    """A place whose panic buttons report to an operations center: a school, a kindergarten, a post.

    Its name and address are in Russian (`name`, `address`: what lists and searches use) and in Kazakh
    (`name_kk`, `address_kk`), as the oblast names its places; a Kazakh screen shows the Kazakh ones
    when given. Whom to call back there are its `contacts` (ObjectContact rows); what to do there, its
    `instructions`."""

    kind = models.CharField(_("kind"), max_length=16, choices=ObjectKind.choices)
    name = models.CharField(_("name"), max_length=200)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    address_kk = models.CharField(_("address (Kazakh)"), max_length=300, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    district = models.ForeignKey("opscenter.District", verbose_name=_("district"), on_delete=models.PROTECT)
    operator_notes = models.TextField(_("notes for the operator"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("protected object")
        verbose_name_plural = _("protected objects")

    def __str__(self) -> str:
        return self.name

    @property
    def names(self) -> dict[str, str]:
        """The name per language, for phrases (opscenter.services.texts.localized)."""
        return {"ru": self.name, "kk": self.name_kk or self.name}


class ContactKind(models.TextChoices):
    DUTY = "duty", _("The object's duty phone (not personal)")
    PERSON = "person", _("A named person (personal data)")


class ObjectContact(models.Model):
    """Someone to call back at a protected object. A duty phone (the school's reception, the watchman's
    desk) belongs to the organisation: it is no personal data and the console shows it with the pre-plan.
    A named person (the director and her mobile) is personal data: shown only through the alert's audited
    details read (`alarms.selectors.alert_details`)."""

    protected_object = models.ForeignKey(
        ProtectedObject, verbose_name=_("protected object"), on_delete=models.CASCADE, related_name="contacts"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=ContactKind.choices, default=ContactKind.PERSON)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")

    def __str__(self) -> str:
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.kind == ContactKind.PERSON


class ObjectInstruction(models.Model):
    """What to do at this object on an alarm of one kind (or of every kind): added to the kind's pre-plan
    (opscenter.PrePlan), or replacing it when `replaces_kind_plan`. One step a line."""

    protected_object = models.ForeignKey(
        ProtectedObject, verbose_name=_("protected object"), on_delete=models.CASCADE, related_name="instructions"
    )
    alert_kind = models.CharField(
        _("alert kind"),
        max_length=32,
        blank=True,
        help_text=_("panic, duress, holdup, fire, panel_silent…; blank: every alarm of the object."),
    )
    text_ru = models.TextField(_("instructions (Russian)"), help_text=_("One step a line."))
    text_kk = models.TextField(_("instructions (Kazakh)"), blank=True, help_text=_("One step a line."))
    replaces_kind_plan = models.BooleanField(
        _("replaces the kind's plan"), default=False, help_text=_("Otherwise the steps are added after the kind's.")
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("instruction for the object")
        verbose_name_plural = _("instructions for the object")

    def __str__(self) -> str:
        return f"{self.protected_object} / {self.alert_kind or '*'}"


class AlarmPanel(models.Model):
    """An alarm panel speaking SIA DC-09, identified by its account. Its AES key (when it encrypts) is kept
    as the panel is configured with it: the receiver needs the key itself to decrypt and to answer."""

    account = models.CharField(_("SIA account"), max_length=16, unique=True, validators=[account_validator])
    aes_key = models.CharField(_("AES key"), max_length=32, blank=True, validators=[key_validator])
    protected_object = models.ForeignKey(
        ProtectedObject, verbose_name=_("protected object"), on_delete=models.PROTECT, related_name="panels"
    )
    supervision_seconds = models.PositiveIntegerField(_("expected supervision interval (s)"), default=300)
    last_contact_at = models.DateTimeField(_("last contact"), null=True, blank=True)
    is_online = models.BooleanField(_("online"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    source_networks = models.TextField(
        _("source networks"),
        blank=True,
        validators=[networks_validator],
        help_text=_(
            "Addresses or networks (CIDR) the panel sends from, one per line: frames from anywhere else are "
            "refused. Empty: any address."
        ),
    )

    class Meta:
        ordering = ["account"]
        verbose_name = _("alarm panel")
        verbose_name_plural = _("alarm panels")

    def __str__(self) -> str:
        return f"{self.account} ({self.protected_object})"

    @property
    def is_authenticated(self) -> bool:
        """Only a panel with a key proves who is speaking: anyone can send a plaintext frame."""
        return bool(self.aes_key)

    def clean(self) -> None:
        if settings.SIA_REQUIRE_ENCRYPTION and not self.aes_key:
            raise ValidationError({"aes_key": _("This receiver requires encryption: give the panel's AES key.")})


class ReceivedFrame(models.Model):
    """Every frame the receiver read, as it came, and what we answered. Kept for the record and for
    recognising a repeat (same account, sequence and content) that must be ACKed again but stored once."""

    class Response(models.TextChoices):
        ACK = "ack", "ACK"
        NAK = "nak", "NAK"
        DUH = "duh", "DUH"
        NONE = "none", _("none (bad CRC or length)")

    received_at = models.DateTimeField(_("received at"), db_index=True)
    transport = models.CharField(_("transport"), max_length=3)
    peer = models.CharField(_("peer"), max_length=64)
    raw = models.TextField(_("raw text"))
    account = models.CharField(_("account"), max_length=16, blank=True)
    sequence = models.CharField(_("sequence"), max_length=4, blank=True)
    content_digest = models.CharField(max_length=64, blank=True)
    panel = models.ForeignKey(AlarmPanel, on_delete=models.SET_NULL, null=True, blank=True, related_name="frames")
    response = models.CharField(_("response"), max_length=4, choices=Response.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    is_repeat = models.BooleanField(_("repeat"), default=False)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("received frame")
        verbose_name_plural = _("received frames")
        indexes = [models.Index(fields=["account", "sequence", "content_digest"], name="frame_repeat")]

    def __str__(self) -> str:
        return self.raw[:80]


class AlarmEvent(models.Model):
    """One event a panel reported (stored once, even when the frame was repeated). An alarm's alert (or a
    restore's update of it) follows the event's commit, outside the ACK's path: `alert_pending` marks the
    events still waiting for it."""

    panel = models.ForeignKey(AlarmPanel, on_delete=models.PROTECT, related_name="events")
    frame = models.OneToOneField(ReceivedFrame, on_delete=models.PROTECT, related_name="event")
    received_at = models.DateTimeField(_("received at"), db_index=True)
    panel_time = models.DateTimeField(_("panel time"), null=True, blank=True)
    protocol = models.CharField(_("protocol"), max_length=8)
    code = models.CharField(_("code"), max_length=8)
    qualifier = models.CharField(_("qualifier"), max_length=1, blank=True)
    partition = models.CharField(_("partition"), max_length=8, blank=True)
    zone = models.CharField(_("zone or user"), max_length=16, blank=True)
    text = models.CharField(_("text"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=32)
    event_class = models.CharField(_("class"), max_length=8)
    description = models.CharField(_("description"), max_length=100)
    extended = models.JSONField(_("extended data"), default=dict, blank=True)
    alert = models.ForeignKey("opscenter.Alert", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    # An alarm or restore is committed (and ACKed) with this set; raising or updating its alert clears it in
    # the same transaction. A receiver that dies in between leaves it set, and the sweep finishes the job.
    alert_pending = models.BooleanField(_("alert pending"), default=False)

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("alarm event")
        verbose_name_plural = _("alarm events")
        indexes = [
            models.Index(fields=["panel", "id"], condition=models.Q(alert_pending=True), name="event_alert_pending")
        ]

    def __str__(self) -> str:
        return f"{self.panel.account} {self.code} {self.description}"


class RefusedInput(models.Model):
    """Input the receiver refused, tallied per source address instead of stored frame by frame: bytes that
    are no frame, frames for unknown accounts, frames that fail authentication, stale timestamps. A flood
    costs one row per address; the last sample and the reasons counted show what is arriving."""

    address = models.CharField(_("source address"), max_length=64, unique=True)
    transport = models.CharField(_("transport"), max_length=3)
    count = models.PositiveBigIntegerField(_("refused"), default=0)
    reasons = models.JSONField(_("reasons"), default=dict, help_text=_("How often each reason was given."))
    first_at = models.DateTimeField(_("first refused"))
    last_at = models.DateTimeField(_("last refused"), db_index=True)
    last_reason = models.CharField(_("last reason"), max_length=200)
    last_account = models.CharField(_("last account"), max_length=16, blank=True)
    sample = models.TextField(_("last sample"), blank=True, help_text=_("The start of the last input refused."))

    class Meta:
        ordering = ["-last_at"]
        verbose_name = _("refused input")
        verbose_name_plural = _("refused input")

    def __str__(self) -> str:
        return f"{self.address}: {self.count}"
