"""Every model of the spine has a working admin list, search and detail page."""

import pytest
from django.contrib import admin

from opscenter.models import AuditEntry, PrePlan
from opscenter.services.alerts import alert_comment, alert_dispatch, alert_raise
from opscenter.services.credentials import credential_issue
from opscenter.services.incidents import incident_create
from opscenter.services.outbox import outbox_enqueue
from tests.factories import UserFactory, center, district, make_unit

pytestmark = pytest.mark.django_db

SPINE_MODELS = [model for model in admin.site._registry if model._meta.app_label == "opscenter"]


@pytest.fixture
def one_of_each(administrator):
    alert = alert_raise(source="test", kind="t", severity=1, title="Panic", district=district("uralsk"))
    alert_comment(alert=alert, actor=administrator, text="note")
    credential_issue(kind="bracelet", identifier="861234567890123")
    outbox_enqueue(channel="none", payload={})
    alert_dispatch(alert=alert, actor=administrator, units=[make_unit("Беркут-1")])
    incident_create(actor=administrator, alerts=[alert])
    PrePlan.objects.create(source="test", kind="t", instructions_ru="Перезвоните.").contacts.create(
        name="ДЧ", phone="102"
    )


def test_every_spine_model_is_in_the_admin():
    names = {model.__name__ for model in SPINE_MODELS}
    assert names >= {"Alert", "AuditEntry", "DeviceCredential", "District", "OperationsCenter", "OutboxMessage", "User"}


@pytest.mark.parametrize("model", SPINE_MODELS, ids=lambda model: model.__name__)
def test_list_search_and_detail_pages_render(admin_client, one_of_each, model):
    url = f"/admin/opscenter/{model._meta.model_name}/"
    assert admin_client.get(url).status_code == 200
    assert admin_client.get(url, {"q": "uralsk"}).status_code == 200
    first = model._default_manager.first()
    assert admin_client.get(f"{url}{first.pk}/change/").status_code == 200


def test_alerts_cannot_be_added_or_deleted_from_the_admin(admin_client, one_of_each):
    assert admin_client.get("/admin/opscenter/alert/add/").status_code == 403
    assert AuditEntry.objects.exists()


def test_a_unit_is_added_in_the_admin_with_its_crew_and_given_its_device_secret(admin_client, administrator):
    from opscenter.models import Unit

    crew = UserFactory(username="patrol_1", role="patrol")
    response = admin_client.post(
        "/admin/opscenter/unit/add/",
        {
            "call_sign": "Беркут-9", "kind": "car", "center": center("uralsk").pk, "crew": [crew.pk],
            "is_active": "on", "status_changes-TOTAL_FORMS": "0", "status_changes-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content
    unit = Unit.objects.get(call_sign="Беркут-9")
    assert (unit.status, list(unit.crew.all())) == ("off_duty", [crew])

    issued = admin_client.post(
        "/admin/opscenter/unit/", {"action": "issue_device", "_selected_action": [unit.pk]}, follow=True
    )

    unit.refresh_from_db()
    assert (unit.credential.kind, unit.credential.identifier) == ("unit", "Беркут-9")
    assert "показывается один раз" in issued.content.decode()  # the admin speaks Russian
    assert AuditEntry.objects.filter(action="unit.crew_set", object_id=str(unit.pk)).exists()
