"""Alerts speak their reader's language (opscenter.services.texts): composers registered per source word
the title and texts when shown; the socket sends each reader's language, in its snapshot and its
messages, and tells an escalation in it; system texts of the timeline are phrases; dates follow the
locale; people are named in full in the detail."""

import json
import random
from datetime import UTC, datetime

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.layers import channel_layers
from django.db import connections
from django.test import Client
from django.utils import formats, timezone, translation

from opscenter import demo
from opscenter.models import Alert
from opscenter.services.alerts import alert_acknowledge, alert_raise, alert_resolve, alert_update_open
from opscenter.services.texts import (
    alert_composer,
    alert_texts,
    phrase,
    phrase_text,
    phrased_alert_texts,
    register_alert_composer,
)
from tests.factories import UserFactory, district
from tests.language import assert_in_language, shown_to

DEMO_RUSSIAN = ["Обнаружен разыскиваемый автомобиль", "г. Уральск", "ЦОУ ДП ЗКО"]
DEMO_KAZAKH = ["Іздеудегі көлік анықталды", "Орал қаласы", "БЖО ОП БҚО"]


def wanted_vehicle(**fields) -> Alert:
    return alert_raise(
        source="demo",
        kind="wanted_vehicle",
        severity=2,
        title=phrase("Wanted vehicle seen: %(plate)s", plate="123 ABC 07"),
        district=district("uralsk"),
        address="пр. Достык, 5",
        payload={
            "title": phrase("Wanted vehicle seen: %(plate)s", plate="123 ABC 07"),
            "address_kk": "Достық даңғылы, 5",
        },
        **fields,
    )


@pytest.mark.django_db
def test_the_spine_registers_composers_for_its_own_alerts():
    assert alert_composer(Alert(source="demo", kind="crowd")) is phrased_alert_texts
    assert alert_composer(Alert(source="opscenter", kind="test")) is phrased_alert_texts
    assert alert_composer(Alert(source="opscenter", kind="other")) is None


@pytest.mark.django_db
def test_a_kinds_composer_wins_over_its_sources_and_a_failing_one_falls_back_to_the_stored_title():
    def failing(alert):
        raise KeyError("a payload of an older shape")

    register_alert_composer("texts-test", lambda alert: {"title": "source's"})
    register_alert_composer("texts-test", failing, kind="broken")
    register_alert_composer("texts-test", lambda alert: {"title": "kind's"}, kind="special")

    assert alert_texts(Alert(source="texts-test", kind="any", title="stored")) == {"title": "source's"}
    assert alert_texts(Alert(source="texts-test", kind="special", title="stored")) == {"title": "kind's"}
    assert alert_texts(Alert(source="texts-test", kind="broken", title="stored")) == {"title": "stored"}


@pytest.mark.django_db
def test_a_phrase_renders_in_the_active_language_with_its_parameters_too():
    said = phrase("%(what)s: %(object)s", what=phrase("Panic"), object={"ru": "Школа № 5", "kk": "№ 5 мектеп"})
    with translation.override("ru"):
        assert phrase_text(said) == "Тревожная кнопка: Школа № 5"
    with translation.override("kk"):
        assert phrase_text(said) == "Дабыл батырмасы: № 5 мектеп"


@pytest.mark.django_db
def test_a_kazakh_operator_sees_the_demos_alerts_in_kazakh_and_a_russian_one_in_russian(operator_uralsk):
    alert = wanted_vehicle()
    assert alert.title == "Обнаружен разыскиваемый автомобиль: 123 ABC 07"

    kazakh = shown_to(operator_uralsk, alert, "kk")
    russian = shown_to(operator_uralsk, alert, "ru")

    assert_in_language(kazakh, present=[*DEMO_KAZAKH, "Достық даңғылы, 5"], absent=[*DEMO_RUSSIAN, "пр. Достык"])
    assert_in_language(russian, present=[*DEMO_RUSSIAN, "пр. Достык, 5"], absent=DEMO_KAZAKH)


@pytest.mark.django_db
def test_every_simulated_kind_of_the_demo_is_worded_in_kazakh(operator_uralsk, settings):
    settings.LANGUAGE_CODE = "ru"
    rng = random.Random(7)
    raised = [demo.simulate_alert(rng) for _index in range(30)]

    assert {alert.kind for alert in raised} == {kind for kind, *_rest in demo._KINDS}
    with translation.override("kk"):
        for alert in Alert.objects.select_related("center", "district").filter(pk__in=[a.pk for a in raised]):
            texts = alert_texts(alert)
            assert texts["title"] != alert.title  # the stored one is Russian
            assert texts["address"] != alert.address and "ул." not in texts["address"] and "пр." not in texts["address"]


@pytest.mark.django_db
def test_system_texts_of_the_timeline_read_in_the_readers_language_and_comments_as_written(operator_uralsk):
    alert = wanted_vehicle(dedup_key="demo:plate")
    alert_update_open(dedup_key="demo:plate", text=phrase("The panel was heard again."))
    alert_resolve(alert=alert, actor=None, disposition="test", note=phrase("Closed by the demo simulator."))

    kazakh = json.loads(shown_to(operator_uralsk, alert, "kk")["detail"])["events"]
    russian = json.loads(shown_to(operator_uralsk, alert, "ru")["detail"])["events"]

    assert [event["text"] for event in kazakh] == ["", "Панель қайта байланысқа шықты.", "Демо-симулятор жапты."]
    assert [event["text"] for event in russian][1:] == ["Панель снова вышла на связь.", "Закрыто демо-симулятором."]
    assert all("text_phrase" not in event["data"] for event in kazakh)
    stored = list(alert.events.values_list("text", flat=True))
    assert stored[1:] == ["Панель снова вышла на связь.", "Закрыто демо-симулятором."]  # for search


@pytest.mark.django_db
def test_the_list_names_people_short_and_the_detail_in_full(operator_uralsk):
    operator_uralsk.first_name, operator_uralsk.last_name = "Айгерим", "Сапарова"
    operator_uralsk.save()
    alert = alert_acknowledge(alert=wanted_vehicle(), actor=operator_uralsk)

    shown = shown_to(operator_uralsk, alert, "kk")

    assert json.loads(shown["list"])["acknowledged_by_name"] == "Сапарова А."
    assert json.loads(shown["message"])["acknowledged_by_name"] == "Сапарова А."
    events = json.loads(shown["detail"])["events"]
    assert [event["actor_name"] for event in events] == [None, "Айгерим Сапарова"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("kk", "03.12.2026 14:05"), ("ru", "3 декабря 2026 г. 14:05"), ("en", "Dec. 3, 2026, 2:05 p.m.")],
)
def test_dates_are_formatted_by_locale_in_the_oblasts_time(language, expected):
    moment = datetime(2026, 12, 3, 9, 5, tzinfo=UTC)  # 14:05 in Uralsk (UTC+5)
    with translation.override(language):
        assert formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT") == expected


def test_kazakh_short_dates_and_numbers_follow_kazakhstans_usage():
    with translation.override("kk"):
        assert formats.date_format(datetime(2026, 3, 2, tzinfo=UTC), "SHORT_DATE_FORMAT") == "02.03.2026"
        assert formats.number_format(1234.5, 1, use_l10n=True, force_grouping=True) == "1\xa0234,5"


# ---- through the socket


@pytest.fixture
def memory_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
async def _close_the_sync_threads_connection():
    yield
    await sync_to_async(connections.close_all)()


async def socket_of(user):
    from channels.testing import WebsocketCommunicator

    from opscenter.asgi import application

    def cookie():
        client = Client()
        client.force_login(user)
        return f"sessionid={client.cookies['sessionid'].value}".encode()

    headers = [(b"origin", b"http://localhost"), (b"cookie", await sync_to_async(cookie)())]
    return WebsocketCommunicator(application, "/ws/alerts/", headers=headers)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("memory_layer", "_close_the_sync_threads_connection")
async def test_each_socket_gets_its_readers_language_in_the_snapshot_and_the_messages(settings):
    settings.ALERT_ESCALATION_SECONDS = {1: 0, 2: 0.001, 3: 0, 4: 0}
    kazakh = await sync_to_async(UserFactory)(username="kk_sup", role="supervisor", centers=["uralsk"], language="kk")
    russian = await sync_to_async(UserFactory)(username="ru_sup", role="supervisor", centers=["uralsk"], language="ru")
    first = await sync_to_async(wanted_vehicle)()
    sockets = {"kk": await socket_of(kazakh), "ru": await socket_of(russian)}
    snapshots = {}
    for language, socket in sockets.items():
        assert (await socket.connect())[0]
        snapshots[language] = await socket.receive_json_from(timeout=5)

    def later():
        with translation.override("ru"):  # published by a process speaking Russian
            alert = wanted_vehicle()
            Alert.objects.filter(pk=alert.pk).update(raised_at=timezone.now() - timezone.timedelta(minutes=5))
            from opscenter.services.alerts import alerts_escalate_overdue

            alerts_escalate_overdue()
            return alert

    second = await sync_to_async(later)()
    received = {
        language: [await socket.receive_json_from(timeout=5) for _index in range(4)]
        for language, socket in sockets.items()
    }

    kk_text = json.dumps([snapshots["kk"], received["kk"]], ensure_ascii=False)
    ru_text = json.dumps([snapshots["ru"], received["ru"]], ensure_ascii=False)
    for words in DEMO_KAZAKH:
        assert words in kk_text and words not in ru_text
    for words in DEMO_RUSSIAN:
        assert words in ru_text and words not in kk_text
    escalated = [message for message in received["kk"] if message["type"] == "alert.escalated"]
    assert {message["alert_id"] for message in escalated} <= {first.pk, second.pk}
    assert all(message["title"] == "Іздеудегі көлік анықталды: 123 ABC 07" for message in escalated)
    for socket in sockets.values():
        await socket.disconnect()
