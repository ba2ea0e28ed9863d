"""A bracelet alert's details (the spine's audited read) speak their reader's language: the facts'
labels, the district, the measure, the officer's role and the home zone's name."""

from datetime import timedelta

import pytest

from opscenter.models import Alert
from tests.bracelets.conftest import NOON
from tests.language import assert_words, details_shown_to

pytestmark = pytest.mark.django_db

GRACE = 180
WORDS = {
    "ru": [
        '["Дело", ',
        '["Район", "г. Уральск"]',
        '["Решение суда", ',
        "Домашний арест",
        '"ответственный сотрудник"',
        '"name": "Дом"',
    ],
    "kk": [
        '["Іс", ',
        '["Аудан", "Орал қаласы"]',
        '["Сот шешімі", ',
        "Үй қамағы",
        '"жауапты қызметкер"',
        '"name": "Үй"',
    ],
}


@pytest.mark.parametrize("language, other", [("kk", "ru"), ("ru", "kk")])
def test_the_details_speak_the_readers_language(person, send, operator_uralsk, language, other):
    send(NOON, north_m=0)
    send(NOON + timedelta(seconds=60), north_m=300)
    send(NOON + timedelta(seconds=60 + GRACE), north_m=340)

    shown = details_shown_to(operator_uralsk, Alert.objects.get(), language)

    assert_words(shown, present=WORDS[language], absent=[*WORDS[other], '"Home"'])
