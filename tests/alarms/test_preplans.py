"""An alarm's pre-plan in the alert detail: the kind's steps with the object's added or instead, the
object's duty phones (not its named people), and its earlier alarms with how they ended, translated."""

import pytest
from django.utils import translation
from rest_framework.test import APIClient

from alarms.services import frame_receive
from opscenter.models import Alert, AuditEntry, PrePlan
from opscenter.services.alerts import alert_resolve
from opscenter.services.preplans import alert_plan
from tests.alarms.frames import build_frame

pytestmark = pytest.mark.django_db

_sequence = iter(range(1, 9999))


def press(data: str = "1120 01 015") -> Alert:
    frame_receive(
        raw=build_frame(data=data, sequence=f"{next(_sequence):04d}"), transport="tcp", peer="192.0.2.10:40000"
    )
    return Alert.objects.filter(source="alarms").order_by("-pk").first()


@pytest.fixture
def panic_plan(db):
    plan = PrePlan.objects.create(
        source="alarms", kind="panic",
        instructions_ru="Отправьте ближайший наряд.\nПерезвоните на объект.",
        instructions_kk="Жақын жасақты жіберіңіз.\nНысанға қайта қоңырау шалыңыз.",
    )  # fmt: skip
    plan.contacts.create(name="ДЧ УП г. Уральск", phone="+77112930202")
    return plan


@pytest.fixture
def school(panel):
    protected = panel.protected_object
    protected.contacts.create(kind="duty", name="Вахта", role="watch", phone="+77112500500", position=1)
    protected.instructions.create(alert_kind="panic", text_ru="Въезд с ул. Абая.", text_kk="Кіру Абай көшесінен.")
    protected.instructions.create(alert_kind="fire", text_ru="Вызовите 101.", replaces_kind_plan=True)
    return protected


def test_the_kinds_steps_come_first_then_the_objects_and_its_duty_phones_with_the_kinds(
    panic_plan, school, operator_uralsk
):
    plan = alert_plan(user=operator_uralsk, alert=press())

    assert plan == {
        "steps": [
            {"text": "Отправьте ближайший наряд.", "origin": "kind"},
            {"text": "Перезвоните на объект.", "origin": "kind"},
            {"text": "Въезд с ул. Абая.", "origin": "object"},
        ],
        "contacts": [
            {"name": "Вахта", "role": "watch", "phone": "+77112500500"},
            {"name": "ДЧ УП г. Уральск", "role": "", "phone": "+77112930202"},
        ],
        "object": "School No. 5",
        "history": [],
    }
    assert not AuditEntry.objects.filter(action="personal_data.read").exists()


def test_a_named_persons_phone_is_never_in_the_plan(panic_plan, school, operator_uralsk):
    plan = alert_plan(user=operator_uralsk, alert=press())

    assert "Serikova" not in str(plan) and "+77112000000" not in str(plan)


def test_the_plan_speaks_kazakh_to_a_kazakh_screen(panic_plan, school, operator_uralsk):
    alert = press()

    with translation.override("kk"):
        plan = alert_plan(user=operator_uralsk, alert=alert)
        assert plan is not None
        steps = [step["text"] for step in plan["steps"]]

    assert steps == ["Жақын жасақты жіберіңіз.", "Нысанға қайта қоңырау шалыңыз.", "Кіру Абай көшесінен."]


def test_an_objects_instructions_may_replace_the_kinds(panic_plan, school, operator_uralsk):
    PrePlan.objects.create(source="alarms", kind="fire", instructions_ru="Эвакуация.")

    plan = alert_plan(user=operator_uralsk, alert=press("1110 01 004"))

    assert plan is not None
    assert plan["steps"] == [{"text": "Вызовите 101.", "origin": "object"}]


def test_a_source_wide_plan_covers_kinds_without_their_own(school, operator_uralsk):
    PrePlan.objects.create(source="alarms", kind="", instructions_ru="Свяжитесь с объектом.")

    plan = alert_plan(user=operator_uralsk, alert=press("1121 01 002"))

    assert plan is not None
    assert [step["text"] for step in plan["steps"]] == ["Свяжитесь с объектом."]


def test_the_objects_earlier_alarms_show_how_they_ended_newest_first(panic_plan, school, operator_uralsk):
    first = press()
    alert_resolve(alert=first, actor=operator_uralsk, disposition="false_alarm")
    second = press("1121 01 002")
    alert_resolve(alert=second, actor=operator_uralsk, disposition="real")
    now = press()

    with translation.override("ru"):
        plan = alert_plan(user=operator_uralsk, alert=now)

    assert plan is not None
    assert [(item["id"], item["disposition"], item["disposition_label"]) for item in plan["history"]] == [
        (second.pk, "real", "Реальное происшествие"),
        (first.pk, "false_alarm", "Ложная тревога"),
    ]


def test_earlier_alarms_beyond_the_readers_scope_are_not_shown(panic_plan, school, operator_uralsk, officer_terekti):
    alert_resolve(alert=press(), actor=operator_uralsk, disposition="test")
    now = press()

    assert len(alert_plan(user=operator_uralsk, alert=now)["history"]) == 1  # type: ignore[index]
    assert alert_plan(user=officer_terekti, alert=now)["history"] == []  # type: ignore[index]


def test_an_alert_without_a_plan_of_its_kind_or_object_has_none(operator_uralsk, panel):
    assert alert_plan(user=operator_uralsk, alert=press()) is None


# The session, its user, the scope, the alert, its events with their actors (6, as for any alert); the
# kind's plan and its contacts (2); the panel with its object, the object's duty phones, its instructions,
# the scope again (2) and the earlier alarms (6): the same for one earlier alarm as for five; the cameras
# beside it (4: the scope, those watching the object, those near its place; the content type of cameras is
# read once per process).
ALARM_DETAIL_QUERIES = 18


def test_an_alarms_detail_with_its_plan_costs_a_fixed_number_of_queries(
    panic_plan, school, operator_uralsk, django_assert_num_queries
):
    client = APIClient()
    client.force_login(operator_uralsk)
    alert_resolve(alert=press(), actor=operator_uralsk, disposition="false_alarm")
    alert = press()
    client.get(f"/api/v1/alerts/{alert.pk}/")  # the process's first read of content types
    with django_assert_num_queries(ALARM_DETAIL_QUERIES):
        plan = client.get(f"/api/v1/alerts/{alert.pk}/").json()["preplan"]
    assert len(plan["history"]) == 1
    for _ in range(6):
        alert_resolve(alert=alert, actor=operator_uralsk, disposition="test")
        alert = press()
    with django_assert_num_queries(ALARM_DETAIL_QUERIES):
        response = client.get(f"/api/v1/alerts/{alert.pk}/", HTTP_ACCEPT_LANGUAGE="ru")
    plan = response.json()["preplan"]
    assert len(plan["history"]) == 5
    assert plan["history"][0]["disposition_label"] == "Проверка"
    assert plan["contacts"][0] == {"name": "Вахта", "role": "watch", "phone": "+77112500500"}
