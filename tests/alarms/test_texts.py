"""An alarm's alert speaks its reader's language: the meaning of the event, the object's name and address
and kind, the duress caution and the restore on its timeline are composed when shown (alarms.texts), so a
Kazakh operator sees none of the Russian words the receiver stored."""

import json

import pytest

from alarms.services import frame_receive, panel_create, panels_supervise
from alarms.texts import alert_texts
from opscenter.models import Alert
from opscenter.services.texts import alert_composer
from tests.alarms.frames import build_frame
from tests.factories import district
from tests.language import assert_in_language, shown_to

pytestmark = pytest.mark.django_db

RUSSIAN = ["Тревожная кнопка", "Школа-лицей № 5", "Уральск, пр. Достык, 12", "Школа"]
KAZAKH = ["Дабыл батырмасы", "№ 5 мектеп-лицей", "Орал, Достық даңғылы, 12", "Мектеп"]


@pytest.fixture
def bilingual_panel(db):
    return panel_create(
        account="7001",
        object_name="Школа-лицей № 5",
        object_name_kk="№ 5 мектеп-лицей",
        object_kind="school",
        district=district("uralsk"),
        latitude=51.2290,
        longitude=51.3860,
        address="Уральск, пр. Достык, 12",
        address_kk="Орал, Достық даңғылы, 12",
    )


def test_the_alarms_register_their_composer():
    assert alert_composer(Alert(source="alarms", kind="panic")) is alert_texts
    assert alert_composer(Alert(source="alarms", kind="panel_silent")) is alert_texts


def test_a_kazakh_operator_sees_a_panic_in_kazakh_everywhere(bilingual_panel, operator_uralsk):
    frame_receive(raw=build_frame(account="7001", data="1120 01 015"), transport="tcp", peer="192.0.2.10:40000")
    alert = Alert.objects.get()
    assert alert.title == "Тревожная кнопка: Школа-лицей № 5"  # stored for search and the admin

    shown = shown_to(operator_uralsk, alert, "kk")

    assert_in_language(shown, present=[*KAZAKH, "Орал"], absent=[*RUSSIAN, "Уральск"])
    assert json.loads(shown["list"])["title"] == "Дабыл батырмасы: № 5 мектеп-лицей"
    assert json.loads(shown["detail"])["payload"]["object"]["kind_label"] == "Мектеп"


def test_a_russian_operator_sees_the_same_alert_in_russian(bilingual_panel, operator_uralsk):
    frame_receive(raw=build_frame(account="7001", data="1120 01 015"), transport="tcp", peer="192.0.2.10:40000")

    shown = shown_to(operator_uralsk, Alert.objects.get(), "ru")

    assert_in_language(shown, present=RUSSIAN, absent=["Дабыл батырмасы", "Мектеп"])
    listed = json.loads(shown["list"])
    assert (listed["title"], listed["address"]) == ("Тревожная кнопка: Школа-лицей № 5", "Уральск, пр. Достык, 12")


def test_a_duress_cautions_in_kazakh_and_its_restore_reads_in_kazakh(bilingual_panel, operator_uralsk):
    frame_receive(raw=build_frame(account="7001", data="1121 01 002"), transport="tcp", peer="192.0.2.10:40000")
    frame_receive(
        raw=build_frame(account="7001", sequence="0002", data="3121 01 002"), transport="tcp", peer="192.0.2.10:40000"
    )
    alert = Alert.objects.get()

    shown = shown_to(operator_uralsk, alert, "kk")

    assert_in_language(shown, present=["Мәжбүрлеу: батырманы басқан адам"], absent=["Принуждение"])
    events = json.loads(shown["detail"])["events"]
    assert [event["text"] for event in events if event["action"] == "updated"] == [
        "Панельден қалпына келу сигналы: Мәжбүрлеу"
    ]


def test_a_silent_panel_is_named_in_kazakh(bilingual_panel, operator_uralsk):
    from datetime import timedelta

    from django.utils import timezone

    frame_receive(raw=build_frame(account="7001", data="1602 00 000"), transport="tcp", peer="192.0.2.10:40000")
    panels_supervise(now=timezone.now() + timedelta(hours=1))
    alert = Alert.objects.get(kind="panel_silent")

    shown = shown_to(operator_uralsk, alert, "kk")

    assert json.loads(shown["list"])["title"] == "Панельмен байланыс жоқ: № 5 мектеп-лицей"
    assert_in_language(shown, present=KAZAKH[1:3], absent=RUSSIAN[1:3])


def test_an_alert_raised_before_its_payload_carried_names_keeps_its_stored_words(operator_uralsk):
    from opscenter.services.alerts import alert_raise

    alert = alert_raise(
        source="alarms",
        kind="panic",
        severity=1,
        title="Паника: Школа № 1",
        district=district("uralsk"),
        payload={"object": {"name": "Школа № 1", "kind": "school"}},
    )

    assert json.loads(shown_to(operator_uralsk, alert, "kk")["list"])["title"] == "Паника: Школа № 1"
