"""The REST alert list's filters (the console's too, filters.js: the browser test holds them equal):
text in any case and alphabet, severity, source and district, together with the scope."""

import pytest
from rest_framework.test import APIClient

from opscenter.services.alerts import alert_raise
from tests.factories import district

pytestmark = pytest.mark.django_db


def titles(user, query: str) -> list[str]:
    client = APIClient()
    client.force_login(user)
    response = client.get("/api/v1/alerts/?" + query)
    assert response.status_code == 200, response.json()
    return sorted(alert["title"] for alert in response.json()["results"])


@pytest.fixture
def alerts():
    for title, address, source, severity, code in [
        ("Тревожная кнопка: Школа № 12", "г. Уральск, ул. Абая 3", "alarms", 1, "uralsk"),
        ("Дабыл түймесі: МЕКТЕП № 5", "Орал қ.", "alarms", 2, "terekti"),
        ("Выход из зоны", "с. Чапаево, школьная 4", "bracelets", 2, "akzhaik"),
        ("Срок истекает", "50%_off", "appeals", 3, "syrym"),
    ]:
        alert_raise(
            source=source, kind="test", severity=severity, title=title, address=address, district=district(code)
        )


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=школ", ["Выход из зоны", "Тревожная кнопка: Школа № 12"]),  # the title or the address
        ("q=ШКОЛА", ["Тревожная кнопка: Школа № 12"]),
        ("q=мектеп", ["Дабыл түймесі: МЕКТЕП № 5"]),  # Kazakh, any case
        ("q=ТҮЙМЕ", ["Дабыл түймесі: МЕКТЕП № 5"]),
        ("q=кнопка абая", ["Тревожная кнопка: Школа № 12"]),  # every word, anywhere
        ("q=кнопка чапаево", []),
        ("q=%25_", []),  # % and _ are letters, not wildcards
        ("q=test", sorted(["Тревожная кнопка: Школа № 12", "Дабыл түймесі: МЕКТЕП № 5", "Выход из зоны"])),  # the kind
        ("source=bracelets", ["Выход из зоны"]),
        ("source=alarms&severity=2", ["Дабыл түймесі: МЕКТЕП № 5"]),
        ("district=uralsk&district=akzhaik", ["Выход из зоны", "Тревожная кнопка: Школа № 12"]),
        ("district=syrym", []),  # not in the Uralsk operator's scope, whatever the filter says
    ],
)
def test_the_list_filters_by_text_source_and_district(operator_uralsk, alerts, query, expected):
    assert titles(operator_uralsk, query) == expected


def test_a_bad_filter_is_refused_with_its_field(operator_uralsk):
    client = APIClient()
    client.force_login(operator_uralsk)
    response = client.get("/api/v1/alerts/?district=not%20a%20code")
    assert response.status_code == 400
    assert "district" in response.json()["errors"]


def test_the_dashboard_offers_the_sources_by_name_in_the_readers_language(client, operator_uralsk):
    operator_uralsk.language = "kk"
    operator_uralsk.save()
    client.force_login(operator_uralsk)
    page = client.get("/")
    assert [source for source, _label in page.context["alert_sources"]][:3] == ["alarms", "bracelets", "appeals"]
    html = page.content.decode()
    for source, label in (("speedcontrol", "Жылдамдықты бақылау"), ("korgau", "Қорғау"), ("cameras", "Камералар")):
        assert f'value="{source}"> {label}</label>' in html
