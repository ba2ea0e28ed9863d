"""People who use the platform, their role and their scope."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    SUPERVISOR = "supervisor", _("Supervisor")
    DISTRICT_OFFICER = "district_officer", _("District officer")
    ANALYST = "analyst", _("Analyst")
    ADMINISTRATOR = "administrator", _("Administrator")
    PATROL = "patrol", _("Patrol officer")


class User(AbstractUser):
    """A person with a role and a scope: the centers (operators, supervisors) or districts (officers)
    whose data they may see. A user with no scope sees nothing; a superuser is an administrator. A patrol
    officer has no scope of their own: their tablet shows their units' assignments (opscenter.selectors)."""

    role = models.CharField(_("role"), max_length=32, choices=Role.choices, default=Role.OPERATOR)
    centers = models.ManyToManyField(
        "opscenter.OperationsCenter", verbose_name=_("centers"), blank=True, related_name="members"
    )
    districts = models.ManyToManyField(
        "opscenter.District", verbose_name=_("districts"), blank=True, related_name="officers"
    )
    language = models.CharField(_("interface language"), max_length=8, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def display_name(self) -> str:
        """How the console names a person: "Иванов А." (family name and initial), else the username."""
        if self.last_name:
            initial = f" {self.first_name.strip()[:1]}." if self.first_name.strip() else ""
            return f"{self.last_name.strip()}{initial}"
        return self.get_username()

    @property
    def is_administrator(self) -> bool:
        """Sees every center and district (scope); what they may do is in opscenter.permissions."""
        return self.is_superuser or self.role == Role.ADMINISTRATOR
