"""Alerts stored before bracelet alerts were pseudonymous (and alarm alerts lost their contacts) are
rewritten by data migrations as they are raised now."""

import importlib

import pytest
from django.apps import apps

from opscenter.models import Alert
from opscenter.services.alerts import alert_raise
from tests.factories import district

pytestmark = pytest.mark.django_db


def migration(app: str, name: str):
    return importlib.import_module(f"{app}.migrations.{name}")


def test_old_bracelet_alerts_name_the_file_number_only(person, victim_zone):
    alert = alert_raise(
        source="bracelets",
        kind="bracelet_exclusion",
        severity=1,
        district=district("uralsk"),
        title=f"{person.full_name} entered the exclusion zone {victim_zone.name}",
        address=person.home_address,
        dedup_key=f"bracelets:{person.pk}:exclusion:{victim_zone.pk}",
        payload={
            "person": {"id": person.pk, "name": person.full_name, "card_url": "/x/"},
            "zones": [{"id": 1}],
            "positions": [{"latitude": 51.2}],
            "bracelet": "861234567890123",
        },
    )

    migration("bracelets", "0002_alerts_without_personal_data").forwards(apps, None)

    alert.refresh_from_db()
    assert alert.title == f"{person.file_number} entered the exclusion zone"
    assert alert.address == ""
    assert alert.payload == {
        "bracelet": "861234567890123",
        "file": person.file_number,
        "link": {"url": f"/bracelets/people/{person.pk}/", "label": person.file_number},
    }


def test_old_alarm_alerts_lose_their_contacts():
    alert = alert_raise(
        source="alarms",
        kind="panic",
        severity=1,
        district=district("uralsk"),
        title="Panic: School No. 5",
        payload={
            "object": {"name": "School No. 5", "contacts": [{"name": "A. Serikova", "phone": "+7711"}]},
            "panel": "1234",
        },
    )

    migration("alarms", "0003_alerts_without_contacts").forwards(apps, None)

    alert.refresh_from_db()
    assert alert.payload == {"object": {"name": "School No. 5"}, "panel": "1234"}
    assert Alert.objects.count() == 1
