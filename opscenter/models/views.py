"""Saved views of the operator's console: a person's named filters, kept on the server so that they
follow the operator from one console to the next (a shift changes desks; localStorage would not)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SavedView(models.Model):
    """One person's named set of the console's filters: `filters` is {q, severity, source, district}, the
    same words as the alert list's REST parameters (opscenter.services.views checks it). Only its owner
    sees, changes or deletes it."""

    user = models.ForeignKey(
        "opscenter.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=80)
    filters = models.JSONField(_("filters"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["user", "name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="saved_view_name_per_user")]
        verbose_name = _("saved view")
        verbose_name_plural = _("saved views")

    def __str__(self) -> str:
        return self.name
