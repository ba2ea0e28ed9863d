"""An appeal's alert names the appeal, never the applicant: who filed it and how to reach them are the
alert's details, read through the spine's audited read, in the reader's language."""

import json

import pytest

from opscenter.errors import ReasonRequired
from opscenter.models import AuditEntry
from opscenter.serializers import alert_as_dict
from opscenter.services.details import alert_details_read
from tests.appeals.conftest import IIN
from tests.language import assert_words, details_shown_to

pytestmark = pytest.mark.django_db


def test_the_alert_carries_no_applicant_data_and_its_details_do_after_a_reason(file_appeal, operator_uralsk):
    appeal = file_appeal(category="domestic_violence")
    alert = appeal.alert
    shown = json.dumps(alert_as_dict(alert), ensure_ascii=False)
    assert "Серикова" not in shown and IIN not in shown and "+77011234567" not in shown

    with pytest.raises(ReasonRequired):
        alert_details_read(user=operator_uralsk, alert=alert)
    details = alert_details_read(user=operator_uralsk, alert=alert, reason="Calling the applicant back")

    assert details["card"]["name"] == "Серикова Айгуль"
    assert details["card"]["contacts"][0]["phone"] == "+77011234567"
    assert ["Appeal", appeal.registration_number] in [list(fact) for fact in details["facts"]]
    assert ["IIN", IIN] in [list(fact) for fact in details["facts"]]
    entry = AuditEntry.objects.get(action="personal_data.read")
    assert (entry.reason, entry.data["what"]) == ("Calling the applicant back", "alert.details:appeals")


def test_an_anonymous_appeals_details_name_nobody(file_appeal, operator_uralsk):
    appeal = file_appeal(category="domestic_violence", anonymous=True, applicant=None)

    details = alert_details_read(user=operator_uralsk, alert=appeal.alert, reason="Case 5")

    assert details == {"card": {"name": "Anonymous applicant"}, "facts": [("Appeal", appeal.registration_number)]}


LABELS = {
    "ru": ['["Обращение", ', '["ИИН", ', '"Заявитель"', '"заявитель"'],
    "kk": ['["Өтініш", ', '["ЖСН", ', '"Өтініш беруші"', '"өтініш беруші"'],
}
ANONYMOUS = {"ru": "Анонимный заявитель", "kk": "Анонимді өтініш беруші"}


@pytest.mark.parametrize("language, other", [("kk", "ru"), ("ru", "kk")])
def test_the_details_speak_the_readers_language(file_appeal, operator_uralsk, language, other):
    named = file_appeal(category="domestic_violence")
    anonymous = file_appeal(category="domestic_violence", anonymous=True, applicant=None)

    shown = details_shown_to(operator_uralsk, named.alert, language)
    shown_anonymous = details_shown_to(operator_uralsk, anonymous.alert, language)

    assert_words(shown, present=LABELS[language], absent=LABELS[other])
    assert_words(shown_anonymous, present=[ANONYMOUS[language], LABELS[language][0]], absent=[ANONYMOUS[other]])
