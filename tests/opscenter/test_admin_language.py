"""The admin speaks correct Russian and Kazakh: its headings, buttons and messages put the model's name
where the nominative is right ("Добавление: охранная панель", never "Добавить охранная панель"), for
every registered model, and a Kazakh admin shows none of Django's Russian fallbacks. Its plumbing
(received frames, idempotency keys, the outbox) is shown only to those with Capability.INTERNALS_VIEW."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory, district

pytestmark = pytest.mark.django_db

MODELS = sorted(admin.site._registry, key=lambda model: model._meta.label)
HEADINGS = {
    "ru": {"add": "Добавление: {}", "change": "Выбор для изменения: {}", "view": "Выбор для просмотра: {}"},
    "kk": {"add": "Қосу: {}", "change": "Өзгерту үшін таңдаңыз: {}", "view": "Қарау үшін таңдаңыз: {}"},
}
# Django's Russian admin, with the model's name after the verb where Russian needs another case
WRONG_CASE = ["Добавить {}", "Выберите {}", "Изменить {}", "Просмотреть {}", "Добавить еще один {}"]
# Django's Russian admin as a Kazakh one falls back to it
RUSSIAN_CHROME = ["Сохранить", "Удалить", "Фильтр", "Выберите", "Добавить", "Просмотреть", "Модели в приложении",
                  "Сбросить все фильтры", "Краткая статистика", "Начать", "Действие", "История"]  # fmt: skip


def headings(html: str) -> str:
    """The page's <title>, <h1> and breadcrumbs, as text."""
    parts = re.findall(
        r"<title>(.*?)</title>|<h1[^>]*>(.*?)</h1>|<(?:div|nav) class=\"breadcrumbs\"[^>]*>(.*?)</(?:div|nav)>",
        html,
        re.S,
    )
    return re.sub(r"<[^>]+>|\s+", " ", " ".join(" ".join(part) for part in parts))


def in_language(user, language: str) -> Client:
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("language", ["ru", "kk"])
@pytest.mark.parametrize("model", MODELS, ids=lambda model: model._meta.label)
def test_every_models_list_and_add_page_names_it_in_the_nominative(admin_user, language, model):
    client = in_language(admin_user, language)
    model_admin = admin.site._registry[model]
    with translation.override(language):
        name = str(model._meta.verbose_name)
    prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"

    listed = client.get(reverse(f"{prefix}_changelist"))
    assert listed.status_code == 200
    request = listed.wsgi_request
    kind = "change" if model_admin.has_change_permission(request) else "view"
    pages = {kind: listed}
    if model_admin.has_add_permission(request):
        pages["add"] = client.get(reverse(f"{prefix}_add"))
        assert pages["add"].status_code == 200

    for kind, page in pages.items():
        html = page.content.decode()
        assert HEADINGS[language][kind].format(name) in headings(html), headings(html)
        for wrong in WRONG_CASE:
            assert wrong.format(name) not in html
        if language == "kk":
            shown = re.sub(r"<script.*?</script>", "", html, flags=re.S)
            assert [words for words in RUSSIAN_CHROME if words in shown] == []


@pytest.mark.parametrize(("language", "heading"), [("ru", "Изменение: район"), ("kk", "Өзгерту: аудан")])
def test_a_change_page_names_the_model_in_the_nominative(admin_user, language, heading):
    client = in_language(admin_user, language)

    page = client.get(reverse("admin:opscenter_district_change", args=[district("uralsk").pk]))

    assert heading in headings(page.content.decode())
    assert {"ru": "Администрирование ЦОУ", "kk": "БЖО әкімшілігі"}[language] in headings(page.content.decode())


def test_a_saved_change_is_told_in_the_nominative(admin_user):
    client = in_language(admin_user, "ru")
    uralsk = district("uralsk")
    url = reverse("admin:opscenter_district_change", args=[uralsk.pk])
    form = {
        "code": uralsk.code, "name_ru": uralsk.name_ru, "name_kk": uralsk.name_kk, "seat_latitude": uralsk.seat_latitude,
        "seat_longitude": uralsk.seat_longitude, "center": uralsk.center_id,
    }  # fmt: skip

    page = client.post(url, form, follow=True)

    assert "Изменено: район «г. Уральск»." in re.sub(r"<[^>]+>", "", page.content.decode())


INTERNALS = ["alarms/receivedframe", "alarms/refusedinput", "appeals/idempotencykey", "opscenter/outboxmessage"]


@pytest.fixture
def staff_supervisor(db):
    """A supervisor made staff and given every model permission: what capabilities hide, permissions don't."""
    user = UserFactory(username="staff_sup", role="supervisor", centers=["uralsk"], is_staff=True)
    user.user_permissions.set(Permission.objects.all())
    return user


def test_the_admins_plumbing_is_hidden_from_staff_without_the_capability(staff_supervisor):
    client = Client()
    client.force_login(staff_supervisor)

    index = client.get("/admin/").content.decode()

    for path in INTERNALS:
        assert f"/admin/{path}/" not in index
        assert client.get(f"/admin/{path}/").status_code == 403
    assert "/admin/alarms/alarmevent/" in index and client.get("/admin/alarms/alarmevent/").status_code == 200


def test_administrators_see_the_plumbing(admin_client):
    index = admin_client.get("/admin/").content.decode()

    for path in INTERNALS:
        assert f"/admin/{path}/" in index
        assert admin_client.get(f"/admin/{path}/").status_code == 200


def test_an_alarm_events_raw_frame_is_shown_only_with_the_capability(staff_supervisor, admin_client):
    from alarms.dc09 import panel_frame
    from alarms.models import AlarmEvent
    from alarms.services import frame_receive, panel_create

    panel_create(account="7002", object_name="Пост 1", object_kind="police_post", district=district("syrym"))
    frame_receive(raw=panel_frame(account="7002", data="1120 01 001"), transport="tcp", peer="192.0.2.1:1")
    url = reverse("admin:alarms_alarmevent_change", args=[AlarmEvent.objects.get().pk])
    client = Client()
    client.force_login(staff_supervisor)

    assert "field-frame" not in client.get(url).content.decode()
    assert "field-frame" in admin_client.get(url).content.decode()
