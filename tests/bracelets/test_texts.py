"""A bracelet's alert speaks its reader's language: its title, the link to the file, the violation's
kind and what the system wrote on its timeline are phrased by the evaluation and worded when shown
(bracelets.texts). They still name the file number only."""

import json
from datetime import timedelta

import pytest

from bracelets.texts import alert_texts
from opscenter.models import Alert
from opscenter.services.texts import alert_composer
from tests.bracelets.conftest import NOON
from tests.language import assert_in_language, shown_to

pytestmark = pytest.mark.django_db

GRACE = 180
RUSSIAN = ["вне своей зоны", "Открыть дело", "Выход из зоны нахождения", "г. Уральск"]
KAZAKH = ["өз аймағынан тыс", "ісін ашу", "Болу аймағынан шығу", "Орал қаласы"]


@pytest.fixture(autouse=True)
def _russian_platform(settings):
    settings.LANGUAGE_CODE = "ru"


def breach(send):
    send(NOON, north_m=0)
    send(NOON + timedelta(seconds=60), north_m=300)
    send(NOON + timedelta(seconds=60 + GRACE), north_m=340)
    return Alert.objects.get()


def test_the_bracelets_register_their_composer():
    assert alert_composer(Alert(source="bracelets", kind="bracelet_inclusion")) is alert_texts


def test_a_kazakh_operator_sees_a_breach_in_kazakh_everywhere(person, send, operator_uralsk):
    alert = breach(send)
    assert alert.title == f"{person.file_number} вне своей зоны 3 мин"  # stored in the platform's language

    shown = shown_to(operator_uralsk, alert, "kk")

    assert_in_language(shown, present=KAZAKH, absent=RUSSIAN)
    assert json.loads(shown["list"])["title"] == f"{person.file_number} өз аймағынан тыс 3 мин"
    assert person.full_name not in shown["detail"]


def test_the_system_texts_of_its_timeline_read_in_the_readers_language(person, send, operator_uralsk):
    alert = breach(send)
    send(NOON + timedelta(seconds=400), north_m=0)  # back home: the system closes it

    kazakh = json.loads(shown_to(operator_uralsk, alert, "kk")["detail"])["events"]
    russian = json.loads(shown_to(operator_uralsk, alert, "ru")["detail"])["events"]

    [closed_kk] = [event["text"] for event in kazakh if event["action"] == "resolved"]
    [closed_ru] = [event["text"] for event in russian if event["action"] == "resolved"]
    assert closed_kk.startswith("Аймаққа қайта оралды") and closed_ru.startswith("Возврат в зону в")
