"""The words of the appeals' alerts, composed in the reader's language when shown
(opscenter.services.texts): the category from the alert's kind and the place it is routed to now (a
rerouted appeal's alert names its new district)."""

from django.utils.translation import gettext as _

from appeals.models import AppealCategory
from opscenter.models import Alert
from opscenter.services.texts import AlertTexts

KIND_PREFIX = "appeal_"


def alert_texts(alert: Alert) -> AlertTexts | None:
    category = alert.kind.removeprefix(KIND_PREFIX)
    if category not in AppealCategory.values:
        return None
    place = alert.district.name if alert.district is not None else alert.center.name
    title = _("Appeal: %(category)s (%(place)s)") % {"category": AppealCategory(category).label, "place": place}
    return {"title": title}
