"""An appeal's alert speaks its reader's language: the category and the district it is routed to are
worded when shown (appeals.texts), and follow the appeal when it is rerouted."""

import json

import pytest

from appeals.texts import alert_texts
from opscenter.models import Alert
from opscenter.services.texts import alert_composer
from tests.language import assert_in_language, shown_to

pytestmark = pytest.mark.django_db

RUSSIAN = ["Обращение", "Бытовое насилие", "г. Уральск"]
KAZAKH = ["Өтініш", "Тұрмыстық зорлық-зомбылық", "Орал қаласы"]


@pytest.fixture(autouse=True)
def _russian_platform(settings):
    settings.LANGUAGE_CODE = "ru"


def test_the_appeals_register_their_composer():
    assert alert_composer(Alert(source="appeals", kind="appeal_domestic_violence")) is alert_texts


def test_a_kazakh_operator_sees_an_appeal_in_kazakh_everywhere(file_appeal, operator_uralsk):
    alert = file_appeal(category="domestic_violence").alert
    assert alert.title == "Обращение: Бытовое насилие (г. Уральск)"

    shown = shown_to(operator_uralsk, alert, "kk")

    assert_in_language(shown, present=KAZAKH, absent=RUSSIAN)
    assert json.loads(shown["list"])["title"] == "Өтініш: Тұрмыстық зорлық-зомбылық (Орал қаласы)"
    assert json.loads(shown["detail"])["district_name"] == json.loads(shown["list"])["district_name"] == "Орал қаласы"
