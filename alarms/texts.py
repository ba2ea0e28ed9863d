"""The words of the alarms' alerts, composed in the reader's language when shown (opscenter.services.texts):
the event's meaning, the object's name and address in that language, the object's kind, the duress
caution. Alerts raised before their payload carried these keep their stored words."""

from typing import Any

from django.utils.translation import gettext as _

from alarms.models import ObjectKind
from opscenter.models import Alert
from opscenter.services.texts import AlertTexts, in_language


def alert_texts(alert: Alert) -> AlertTexts | None:
    payload = alert.payload
    card = payload.get("object") or {}
    if "name_kk" not in card:
        return None  # raised before alerts carried the object's names
    name = in_language(card, "name")
    if alert.kind == "panel_silent":
        title = _("Panel silent: %(object)s") % {"object": name}
    elif payload.get("description"):
        title = _("%(what)s: %(object)s") % {"what": _(payload["description"]), "object": name}
    else:
        return None
    address = in_language(card, "address") or alert.address
    shown: dict[str, Any] = {"object": {**card, "name": name, "address": address}}
    if card.get("kind") in ObjectKind.values:
        shown["object"]["kind_label"] = str(ObjectKind(card["kind"]).label)
    if payload.get("duress"):
        shown["caution"] = _(
            "Duress: the person who pressed may be under threat. Do not call the object back; send a unit quietly."
        )
    return {"title": title, "address": address, "payload": shown}
