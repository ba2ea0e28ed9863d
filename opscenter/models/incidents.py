"""Incidents: several alerts worked as one (three panic buttons pressed at one school, one event reported
by two sources), with a lifecycle of their own."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .alerts import Disposition


class IncidentStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("incident", "Open")
    ACKNOWLEDGED = "acknowledged", pgettext_lazy("incident", "Acknowledged")
    RESOLVED = "resolved", pgettext_lazy("incident", "Resolved")


class Incident(models.Model):
    """Alerts of one center linked to be worked as one: acknowledging or resolving the incident acts on
    each of its open alerts, with one disposition, and each alert keeps its own timeline ("linked to
    incident N", its own acknowledgement and resolution). Changed only through
    `opscenter.services.incidents`.

    Invariants: every alert linked is of the incident's center; a resolved incident has a disposition and
    no open alert (resolving it resolves them); an open alert belongs to one incident at most (the
    alert's `incident`)."""

    center = models.ForeignKey(
        "opscenter.OperationsCenter", verbose_name=_("center"), on_delete=models.PROTECT, related_name="incidents"
    )
    title = models.CharField(
        _("title"),
        max_length=300,
        blank=True,
        help_text=_(
            "As the operator named it; blank: the console names it by its first alert, in the reader's language."
        ),
    )
    status = models.CharField(_("status"), max_length=16, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    disposition = models.CharField(_("disposition"), max_length=16, choices=Disposition.choices, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"))
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="resolved", disposition__gt="") | (~Q(status="resolved") & Q(disposition="")),
                name="incident_disposition_iff_resolved",
            ),
        ]
        indexes = [models.Index(fields=["center", "status"], name="incident_center_status")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status != IncidentStatus.RESOLVED
