"""Pre-plans: what an operator does for an alert of one kind, and whom to call back. Apps add what is
particular to the object concerned (a school's own instructions and duty phones) through
`opscenter.services.preplans`."""

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _


class PrePlan(models.Model):
    """The instructions for the alerts of one source and kind (alarms "panic", bracelets
    "bracelet_exclusion", appeals "appeal_domestic_violence"), in Russian and Kazakh, one step a line;
    a blank kind covers every kind of the source that has no plan of its own."""

    source = models.CharField(
        _("source"), max_length=32, help_text=_("The app that raises the alerts: alarms, bracelets, appeals…")
    )
    kind = models.CharField(
        _("kind"),
        max_length=64,
        blank=True,
        help_text=_("The alert's kind (panic, duress…); blank: every kind of the source."),
    )
    instructions_ru = models.TextField(_("instructions (Russian)"), help_text=_("One step a line."))
    instructions_kk = models.TextField(_("instructions (Kazakh)"), blank=True, help_text=_("One step a line."))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["source", "kind"]
        verbose_name = _("pre-plan")
        verbose_name_plural = _("pre-plans")
        constraints = [models.UniqueConstraint(fields=["source", "kind"], name="preplan_one_per_source_kind")]

    def __str__(self) -> str:
        return f"{self.source}/{self.kind or '*'}"

    @property
    def steps(self) -> list[str]:
        """The steps in the current language (Russian when the Kazakh text is missing)."""
        return lines(
            self.instructions_kk
            if translation.get_language() == "kk" and self.instructions_kk
            else self.instructions_ru
        )


class PrePlanContact(models.Model):
    """A service to call back for every alert of the plan's kind (the district police's duty desk, the
    probation service): an organisation's duty number, never a person's own phone, so it is shown with
    the plan without an audited read."""

    preplan = models.ForeignKey(PrePlan, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("service"), max_length=200)
    phone = models.CharField(_("phone"), max_length=32)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("duty contact")
        verbose_name_plural = _("duty contacts")

    def __str__(self) -> str:
        return self.name


def lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]
