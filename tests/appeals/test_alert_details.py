"""An appeal's alert names the appeal, never the applicant: who filed it and how to reach them are the
alert's details, read through the spine's audited read."""

import json

import pytest

from opscenter.errors import ReasonRequired
from opscenter.models import AuditEntry
from opscenter.serializers import alert_as_dict
from opscenter.services.details import alert_details_read
from tests.appeals.conftest import IIN

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
