"""The words of the bracelets' alerts, composed in the reader's language when shown
(opscenter.services.texts): the title the evaluation phrased, the link to the file and the violation's
kind. They name the file number only, as the stored ones do."""

from typing import Any

from django.utils.translation import gettext as _

from bracelets.models import ViolationKind
from opscenter.models import Alert
from opscenter.services.texts import AlertTexts, is_phrase, phrase_text


def alert_texts(alert: Alert) -> AlertTexts | None:
    payload = alert.payload
    if not is_phrase(payload.get("title")):
        return None  # raised before alerts carried their phrase
    shown: dict[str, Any] = {}
    link = payload.get("link")
    if isinstance(link, dict) and payload.get("file"):
        shown["link"] = {**link, "label": _("Open the file %(file)s") % {"file": payload["file"]}}
    violation = payload.get("violation")
    if isinstance(violation, dict) and violation.get("kind") in ViolationKind.values:
        shown["violation"] = {**violation, "label": str(ViolationKind(violation["kind"]).label)}
    return {"title": phrase_text(payload["title"]), "payload": shown}
