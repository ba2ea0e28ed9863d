"""The officers' pages: the list (overdue first, filters, search), one appeal with its actions, the
audited applicant data, attachments in the page, the supervisor's summary."""

from datetime import timedelta

import pytest
from django.utils import timezone

from appeals.models import Appeal, AppealStatus, Attachment
from appeals.services import appeals as workflow
from opscenter.models import AuditEntry
from tests.appeals.conftest import NOWHERE, TEREKTI_POINT
from tests.appeals.test_attachments import JPEG, OGG

pytestmark = pytest.mark.django_db


def rows(response) -> list[str]:
    import re

    return re.findall(r'data-number="([^"]+)"', response.content.decode())


def test_overdue_first_then_due_soon_then_by_deadline_then_finished(
    client, file_appeal, supervisor_uralsk, officer_uralsk
):
    late, soon, later, done = (file_appeal(partner_reference=str(index)) for index in range(4))
    today = timezone.localdate()
    Appeal.objects.filter(pk=late.pk).update(deadline=today - timedelta(days=2))
    Appeal.objects.filter(pk=soon.pk).update(deadline=today + timedelta(days=1))
    Appeal.objects.filter(pk=later.pk).update(deadline=today + timedelta(days=30))
    workflow.appeal_answer(appeal=done, actor=officer_uralsk, text="Done.")
    Appeal.objects.filter(pk=done.pk).update(deadline=today - timedelta(days=5))
    client.force_login(supervisor_uralsk)
    response = client.get("/appeals/")
    assert rows(response) == [a.registration_number for a in (late, soon, later, done)]
    html = response.content.decode()
    assert html.count("badge-overdue") == 1 and html.count("badge-soon") == 1


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"status": "answered"}, ["answered"]),
        ({"category": "road_accident"}, ["accident"]),
        ({"district": "terekti"}, ["terekti"]),
        ({"district": "-"}, ["manual"]),
        ({"q": "тополь"}, ["accident"]),
        ({"urgency": "overdue"}, ["overdue"]),
        ({"mine": "1"}, ["answered"]),
    ],
)
def test_filters_and_search(client, file_appeal, supervisor_uralsk, query, expected):
    appeals = {
        "answered": file_appeal(),
        "accident": file_appeal(category="road_accident", description="Упал тополь на машину."),
        "terekti": file_appeal(**TEREKTI_POINT),
        "manual": file_appeal(**NOWHERE),
        "overdue": file_appeal(partner_reference="late"),
    }
    workflow.appeal_answer(appeal=appeals["answered"], actor=supervisor_uralsk, text="Done.")
    Appeal.objects.filter(pk=appeals["overdue"].pk).update(deadline=timezone.localdate() - timedelta(days=1))
    client.force_login(supervisor_uralsk)
    assert rows(client.get("/appeals/", query)) == [appeals[name].registration_number for name in expected]


def test_the_list_takes_a_fixed_number_of_queries(
    client, file_appeal, supervisor_uralsk, django_assert_max_num_queries
):
    for index in range(3):
        file_appeal(partner_reference=str(index))
    client.force_login(supervisor_uralsk)
    with django_assert_max_num_queries(12) as few:
        client.get("/appeals/")
    for index in range(3, 15):
        file_appeal(partner_reference=str(index))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(rows(client.get("/appeals/"))) == 15


def test_the_appeal_page_hides_the_applicant_until_asked_with_a_reason(client, file_appeal, officer_uralsk):
    appeal = file_appeal()
    client.force_login(officer_uralsk)
    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    assert appeal.description in page
    assert appeal.applicant_iin not in page and appeal.applicant_full_name not in page
    assert not AuditEntry.objects.filter(action="personal_data.read").exists()

    refused = client.post(f"/appeals/{appeal.pk}/applicant/", {"reason": "  "})
    assert refused.status_code == 400
    assert appeal.applicant_iin not in refused.content.decode()
    assert not AuditEntry.objects.filter(action="personal_data.read").exists()

    shown = client.post(f"/appeals/{appeal.pk}/applicant/", {"reason": "Case 2026-117"}, follow=True)
    assert shown.status_code == 200
    html = shown.content.decode()
    assert appeal.applicant_iin in html and appeal.applicant_full_name in html
    entry = AuditEntry.objects.get(action="personal_data.read")
    assert (entry.actor, entry.reason, entry.object_id) == (officer_uralsk, "Case 2026-117", str(appeal.pk))


def test_the_reason_field_is_never_pre_filled(client, file_appeal, officer_uralsk):
    appeal = file_appeal()
    client.force_login(officer_uralsk)

    html = client.get(f"/appeals/{appeal.pk}/").content.decode()

    assert '<input id="applicant-reason" name="reason" value="" ' in html
    assert appeal.registration_number not in html.split('id="applicant-form"')[1].split("</form>")[0]


def test_attachments_are_shown_only_after_the_reason_and_audited_with_it(
    client, kaspi_client, officer_uralsk, settings
):
    from tests.appeals.conftest import appeal_body

    photo = kaspi_client.upload(JPEG).json()["id"]
    appeal_pk = kaspi_client.create(appeal_body(attachments=[photo])).json()["id"]
    client.force_login(officer_uralsk)
    file_url = f"/appeals/{appeal_pk}/attachments/{photo}/"

    before = client.get(f"/appeals/{appeal_pk}/").content.decode()
    assert file_url not in before and 'id="attachments-hidden"' in before
    assert client.get(file_url).status_code == 403
    assert not AuditEntry.objects.filter(action="personal_data.read").exists()

    client.post(f"/appeals/{appeal_pk}/applicant/", {"reason": "Case 2026-118"})
    assert file_url in client.get(f"/appeals/{appeal_pk}/").content.decode()
    assert client.get(file_url).status_code == 200
    read = AuditEntry.objects.get(action="personal_data.read", data__what="appeal attachment")
    assert (read.reason, read.data["attachment"], read.actor) == ("Case 2026-118", photo, officer_uralsk)

    # The reason lasts APPEALS_APPLICANT_READ_SECONDS (half an hour by default), then is asked again
    assert settings.APPEALS_APPLICANT_READ_SECONDS == 1800
    session = client.session
    reasons = session["appeals.applicant_reasons"]
    reasons[str(appeal_pk)][1] = "2000-01-01T00:00:00+00:00"
    session["appeals.applicant_reasons"] = reasons
    session.save()
    assert client.get(file_url).status_code == 403
    assert file_url not in client.get(f"/appeals/{appeal_pk}/").content.decode()


def test_officers_work_the_appeal_from_the_page(client, file_appeal, officer_uralsk):
    appeal = file_appeal()
    client.force_login(officer_uralsk)
    assert client.post(f"/appeals/{appeal.pk}/act/start/").status_code == 302
    client.post(f"/appeals/{appeal.pk}/act/comment/", {"text": "Spoke to the school."})
    response = client.post(f"/appeals/{appeal.pk}/act/answer/", {"text": "The driver was fined."}, follow=True)
    appeal.refresh_from_db()
    assert (appeal.status, appeal.public_answer) == (AppealStatus.ANSWERED, "The driver was fined.")
    html = response.content.decode()
    assert "The driver was fined." in html and "Spoke to the school." in html


def test_a_refused_step_is_shown_not_done(client, file_appeal, officer_uralsk):
    appeal = file_appeal()
    client.force_login(officer_uralsk)
    response = client.post(
        f"/appeals/{appeal.pk}/act/extend/", {"deadline": "2027-01-30", "reason": "Need time"}, follow=True
    )
    assert "Your role does not allow this." in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.deadline == appeal.original_deadline


def test_a_supervisor_extends_and_routes_from_the_page(client, file_appeal, supervisor_uralsk):
    appeal = file_appeal(**NOWHERE)
    client.force_login(supervisor_uralsk)
    new = appeal.deadline + timedelta(days=7)
    client.post(f"/appeals/{appeal.pk}/act/extend/", {"deadline": new.isoformat(), "reason": "Expertise."})
    client.post(f"/appeals/{appeal.pk}/act/route/", {"district": "terekti"})
    appeal.refresh_from_db()
    assert (appeal.deadline, appeal.district.code) == (new, "terekti")


def test_attachments_open_in_the_page_as_their_sniffed_type(client, kaspi_client, officer_uralsk, officer_terekti):
    from tests.appeals.conftest import appeal_body

    photo = kaspi_client.upload(JPEG, name="x.txt").json()["id"]
    voice = kaspi_client.upload(OGG, name="x.jpg").json()["id"]
    appeal_pk = kaspi_client.create(appeal_body(attachments=[photo, voice])).json()["id"]
    client.force_login(officer_uralsk)
    client.post(f"/appeals/{appeal_pk}/applicant/", {"reason": "Case 2026-119"})
    html = client.get(f"/appeals/{appeal_pk}/").content.decode()
    assert f'<img src="/appeals/{appeal_pk}/attachments/{photo}/"' in html
    assert f'<audio src="/appeals/{appeal_pk}/attachments/{voice}/"' in html

    response = client.get(f"/appeals/{appeal_pk}/attachments/{photo}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == JPEG
    assert AuditEntry.objects.filter(action="personal_data.read", data__what="appeal attachment").exists()

    client.force_login(officer_terekti)
    assert client.get(f"/appeals/{appeal_pk}/attachments/{photo}/").status_code == 404
    other = Attachment.objects.exclude(pk__in=[photo, voice]).first()
    assert other is None


def test_the_summary_per_district(client, file_appeal, supervisor_uralsk, officer_uralsk):
    answered = file_appeal()
    workflow.appeal_answer(appeal=answered, actor=officer_uralsk, text="Done.")
    late = file_appeal(partner_reference="late")
    Appeal.objects.filter(pk=late.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    file_appeal(**NOWHERE)
    client.force_login(supervisor_uralsk)
    response = client.get("/appeals/summary/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-district="uralsk"' in html and 'data-district="-"' in html
    assert 'data-overdue="1"' in html


def test_the_summary_is_for_supervisors(client, officer_uralsk):
    client.force_login(officer_uralsk)
    assert client.get("/appeals/summary/").status_code == 403


def test_pages_need_a_login(client):
    assert client.get("/appeals/").status_code == 302


@pytest.mark.parametrize(
    "language, registered, deadline",
    [("kk", "03.12.2026 14:05", "17.12.2026"), ("ru", "3 декабря 2026 г. 14:05", "17 декабря 2026 г.")],
)
def test_the_pages_write_dates_as_the_readers_locale_does_in_the_oblasts_time(
    client, file_appeal, officer_uralsk, language, registered, deadline
):
    from datetime import UTC, date, datetime

    appeal = file_appeal()
    Appeal.objects.filter(pk=appeal.pk).update(
        registered_at=datetime(2026, 12, 3, 9, 5, tzinfo=UTC), deadline=date(2026, 12, 17)
    )  # 14:05 in Uralsk (UTC+5)
    officer_uralsk.language = language
    officer_uralsk.save(update_fields=["language"])
    client.force_login(officer_uralsk)

    page = client.get(f"/appeals/{appeal.pk}/").content.decode()
    listed = client.get("/appeals/").content.decode()

    assert f"<dd>{registered}</dd>" in page
    assert f'<dd id="appeal-deadline">{deadline}' in page
    assert '<time datetime="2026-12-17">17.12.2026</time>' in listed  # the short format, in both
