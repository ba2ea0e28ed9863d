"""An alarm's alert names the object, never the people to call: their names and phones are the alert's
details, read through the spine's audited read, in the reader's language."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from alarms.services import frame_receive, panels_supervise
from opscenter.errors import ReasonRequired
from opscenter.models import Alert, AuditEntry
from opscenter.serializers import alert_as_dict
from opscenter.services.details import alert_details_read
from tests.alarms.frames import build_frame
from tests.language import assert_words, details_shown_to

pytestmark = pytest.mark.django_db


def assert_no_contacts(alert: Alert) -> None:
    shown = json.dumps(alert_as_dict(alert), ensure_ascii=False)
    assert "Serikova" not in shown and "+77112000000" not in shown


def test_a_panic_alert_carries_no_contacts_and_its_details_do_after_a_reason(panel, operator_uralsk):
    frame_receive(raw=build_frame(data="1120 01 015"), transport="tcp", peer="192.0.2.10:40000")
    alert = Alert.objects.get()
    assert_no_contacts(alert)

    with pytest.raises(ReasonRequired):
        alert_details_read(user=operator_uralsk, alert=alert)
    details = alert_details_read(user=operator_uralsk, alert=alert, reason="Calling the school")

    assert details["card"]["contacts"] == [{"name": "A. Serikova", "role": "director", "phone": "+77112000000"}]
    assert details["card"]["name"] == "School No. 5"
    entry = AuditEntry.objects.get(action="personal_data.read")
    assert (entry.reason, entry.data["what"]) == ("Calling the school", "alert.details:alarms")


def test_a_panel_silent_alert_carries_no_contacts_and_has_the_same_details(panel, operator_uralsk):
    panel.last_contact_at, panel.is_online = timezone.now() - timedelta(hours=2), True
    panel.save()
    panels_supervise()
    alert = Alert.objects.get(kind="panel_silent")
    assert_no_contacts(alert)

    details = alert_details_read(user=operator_uralsk, alert=alert, reason="Checking the line")

    assert details["card"]["contacts"][0]["phone"] == "+77112000000"


OBJECT_WORDS = {
    "ru": ['"Школа № 5"', '"Школа"', '"ул. Достык, 12"'],
    "kk": ['"№ 5 мектеп"', '"Мектеп"', '"Достық көшесі, 12"'],
}


@pytest.mark.parametrize("language, other", [("kk", "ru"), ("ru", "kk")])
def test_the_details_speak_the_readers_language(panel, operator_uralsk, language, other):
    protected = panel.protected_object
    protected.name, protected.name_kk = "Школа № 5", "№ 5 мектеп"
    protected.address, protected.address_kk = "ул. Достык, 12", "Достық көшесі, 12"
    protected.save()
    frame_receive(raw=build_frame(data="1120 01 015"), transport="tcp", peer="192.0.2.10:40000")

    shown = details_shown_to(operator_uralsk, Alert.objects.get(), language)

    assert_words(shown, present=[*OBJECT_WORDS[language], '["Панель", "1234"]'], absent=OBJECT_WORDS[other])
    assert '"director"' in shown  # a contact's role is what the object's people typed
