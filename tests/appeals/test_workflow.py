"""The officers' workflow: statuses, transitions and who may make them."""

from datetime import date, timedelta

import pytest

from appeals.models import AppealEvent, AppealStatus
from appeals.services import appeals as workflow
from appeals.services.webhooks import WEBHOOK_CHANNEL
from opscenter.errors import DomainError, InvalidTransition, NotAllowed
from opscenter.models import Alert, AuditEntry, OutboxMessage
from tests.appeals.conftest import NOWHERE, TEREKTI_POINT
from tests.factories import district

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_webhook(kaspi):
    partner = kaspi[0]
    partner.webhook_url = "https://kaspi.example/webhooks/appeals"
    partner.save()
    return partner


def webhook_events() -> list[str]:
    return [
        m.payload["data"]["event"] for m in OutboxMessage.objects.filter(channel=WEBHOOK_CHANNEL).order_by("created_at")
    ]


def test_the_whole_way_from_registered_to_closed(file_appeal, officer_uralsk, with_webhook):
    appeal = file_appeal()
    assert appeal.status == AppealStatus.REGISTERED
    appeal = workflow.appeal_assign(appeal=appeal, officer=officer_uralsk, actor=officer_uralsk)
    assert (appeal.status, appeal.assigned_to) == (AppealStatus.ASSIGNED, officer_uralsk)
    appeal = workflow.appeal_start(appeal=appeal, actor=officer_uralsk)
    assert appeal.status == AppealStatus.IN_PROGRESS
    workflow.appeal_comment(appeal=appeal, actor=officer_uralsk, text="Called the school.")
    appeal = workflow.appeal_answer(appeal=appeal, actor=officer_uralsk, text="The driver was fined.")
    assert appeal.status == AppealStatus.ANSWERED and appeal.answered_at is not None
    appeal = workflow.appeal_close(appeal=appeal, actor=officer_uralsk)
    assert appeal.status == AppealStatus.CLOSED

    actions = list(appeal.events.values_list("action", "is_public"))
    assert actions == [
        ("registered", True), ("routed", False), ("assigned", True), ("started", True), ("commented", False),
        ("answered", True), ("closed", True),
    ]  # fmt: skip
    # the partner is told every public step, never the comment
    assert webhook_events() == ["assigned", "started", "answered", "closed"]
    assert AuditEntry.objects.filter(action="appeals.appeal.answered", actor=officer_uralsk).exists()


def test_no_step_after_closing(file_appeal, officer_uralsk):
    appeal = workflow.appeal_answer(appeal=file_appeal(), actor=officer_uralsk, text="Done.")
    workflow.appeal_close(appeal=appeal, actor=officer_uralsk)
    for step in (
        lambda: workflow.appeal_start(appeal=appeal, actor=officer_uralsk),
        lambda: workflow.appeal_answer(appeal=appeal, actor=officer_uralsk, text="Again"),
        lambda: workflow.appeal_reject(appeal=appeal, actor=officer_uralsk, reason="No"),
        lambda: workflow.appeal_close(appeal=appeal, actor=officer_uralsk),
    ):
        with pytest.raises(InvalidTransition):
            step()


def test_an_open_appeal_cannot_be_closed_without_an_outcome(file_appeal, officer_uralsk):
    with pytest.raises(InvalidTransition):
        workflow.appeal_close(appeal=file_appeal(), actor=officer_uralsk)


def test_rejection_and_answers_need_their_text(file_appeal, officer_uralsk):
    appeal = file_appeal()
    with pytest.raises(DomainError, match="required"):
        workflow.appeal_reject(appeal=appeal, actor=officer_uralsk, reason="  ")
    with pytest.raises(DomainError, match="required"):
        workflow.appeal_answer(appeal=appeal, actor=officer_uralsk, text="")
    appeal = workflow.appeal_reject(appeal=appeal, actor=officer_uralsk, reason="Not a police matter.")
    assert (appeal.status, appeal.resolution_reason) == (AppealStatus.REJECTED, "Not a police matter.")


def test_an_officer_of_another_district_cannot_be_assigned(file_appeal, officer_uralsk, officer_terekti):
    with pytest.raises(DomainError) as refused:
        workflow.appeal_assign(appeal=file_appeal(), officer=officer_terekti, actor=officer_uralsk)
    assert refused.value.code == "officer_out_of_scope"


def test_operators_and_analysts_read_but_do_not_work_appeals(file_appeal, operator_uralsk):
    with pytest.raises(NotAllowed):
        workflow.appeal_start(appeal=file_appeal(), actor=operator_uralsk)


class TestExtension:
    def test_only_a_supervisor_extends(self, file_appeal, officer_uralsk):
        appeal = file_appeal()
        with pytest.raises(NotAllowed):
            workflow.appeal_extend(appeal=appeal, actor=officer_uralsk, deadline=appeal.deadline + timedelta(days=10),
                                   reason="Expert opinion awaited.")  # fmt: skip

    def test_a_supervisor_extends_with_a_reason_and_the_applicant_is_told(
        self, file_appeal, supervisor_uralsk, with_webhook
    ):
        appeal = file_appeal()
        new = appeal.deadline + timedelta(days=20)
        appeal = workflow.appeal_extend(
            appeal=appeal, actor=supervisor_uralsk, deadline=new, reason="Expert opinion awaited."
        )
        assert (appeal.deadline, appeal.extension_reason) == (new, "Expert opinion awaited.")
        assert appeal.original_deadline < new
        message = OutboxMessage.objects.get(channel=WEBHOOK_CHANNEL)
        assert message.payload["data"]["event"] == "extended"
        assert message.payload["data"]["deadline"] == new.isoformat()
        assert message.payload["data"]["text"] == "Expert opinion awaited."

    def test_at_most_two_months_in_total(self, file_appeal, supervisor_uralsk):
        appeal = file_appeal()
        limit = workflow.extension_limit(appeal)
        assert limit == workflow.add_months(appeal.original_deadline, 2)
        appeal = workflow.appeal_extend(
            appeal=appeal, actor=supervisor_uralsk, deadline=limit - timedelta(days=30), reason="a"
        )
        appeal = workflow.appeal_extend(appeal=appeal, actor=supervisor_uralsk, deadline=limit, reason="b")
        with pytest.raises(DomainError) as refused:
            workflow.appeal_extend(
                appeal=appeal, actor=supervisor_uralsk, deadline=limit + timedelta(days=1), reason="c"
            )
        assert refused.value.code == "extension_too_long"

    def test_the_new_deadline_must_be_later_and_reasoned(self, file_appeal, supervisor_uralsk):
        appeal = file_appeal()
        with pytest.raises(DomainError) as refused:
            workflow.appeal_extend(appeal=appeal, actor=supervisor_uralsk, deadline=appeal.deadline, reason="a")
        assert refused.value.code == "deadline_not_later"
        with pytest.raises(DomainError) as refused:
            workflow.appeal_extend(appeal=appeal, actor=supervisor_uralsk, deadline=appeal.deadline + timedelta(days=1),
                                   reason="")  # fmt: skip
        assert refused.value.code == "text_required"


class TestRedirect:
    def test_within_three_working_days_with_notice(self, file_appeal, officer_uralsk, with_webhook):
        appeal = file_appeal()
        appeal = workflow.appeal_redirect(appeal=appeal, actor=officer_uralsk, body="Akimat of Uralsk",
                                          reason="Road repairs are the akimat's.", today=appeal.redirect_until)  # fmt: skip
        assert (appeal.status, appeal.redirected_to) == (AppealStatus.REDIRECTED, "Akimat of Uralsk")
        data = OutboxMessage.objects.get(channel=WEBHOOK_CHANNEL).payload["data"]
        assert (data["event"], data["redirected_to"]) == ("redirected", "Akimat of Uralsk")

    def test_not_after_three_working_days(self, file_appeal, officer_uralsk):
        appeal = file_appeal()
        with pytest.raises(DomainError) as refused:
            workflow.appeal_redirect(appeal=appeal, actor=officer_uralsk, body="Akimat", reason="r",
                                     today=appeal.redirect_until + timedelta(days=1))  # fmt: skip
        assert refused.value.code == "redirect_too_late"

    def test_three_working_days_after_registration(self, file_appeal):
        from django.utils import timezone

        from appeals.workdays import working_calendar_load

        appeal = file_appeal()
        registered_on = timezone.localtime(appeal.registered_at).date()
        calendar = working_calendar_load(first_year=registered_on.year, last_year=registered_on.year + 1)
        assert calendar.working_days_between(registered_on, appeal.redirect_until) == 3
        assert calendar.working_days_between(registered_on, appeal.deadline) == 15


class TestManualRouting:
    def test_an_appeal_nobody_can_place_waits_in_uralsk_and_a_supervisor_routes_it(
        self, file_appeal, supervisor_uralsk, officer_terekti
    ):
        appeal = file_appeal(**NOWHERE)
        assert appeal.district is None and appeal.center.code == "uralsk"
        appeal = workflow.appeal_route(appeal=appeal, district=district("terekti"), actor=supervisor_uralsk)
        assert appeal.district.code == "terekti"
        # now the Terekti officer works it
        workflow.appeal_start(appeal=appeal, actor=officer_terekti)
        event = AppealEvent.objects.filter(appeal=appeal, action="routed").last()
        assert event.data == {"from": None, "to": "terekti", "routed_by": "manual"} and not event.is_public

    def test_an_officer_cannot_route(self, file_appeal, officer_terekti):
        appeal = file_appeal(**TEREKTI_POINT)
        with pytest.raises(NotAllowed):
            workflow.appeal_route(appeal=appeal, district=district("uralsk"), actor=officer_terekti)


def test_a_step_on_an_appeal_out_of_scope_is_as_if_it_did_not_exist(file_appeal, officer_terekti):
    from appeals.models import Appeal

    with pytest.raises(Appeal.DoesNotExist):
        workflow.appeal_start(appeal=file_appeal(), actor=officer_terekti)


def test_a_child_incident_raises_a_p2_alert_even_when_routed_by_hand(file_appeal):
    appeal = file_appeal(category="child_incident", **NOWHERE)
    assert appeal.alert.severity == 2
    assert appeal.alert.center.code == "uralsk" and appeal.alert.district is None


def test_no_webhook_without_an_endpoint(file_appeal, officer_uralsk):
    workflow.appeal_answer(appeal=file_appeal(), actor=officer_uralsk, text="Done.")
    assert not OutboxMessage.objects.exists()


def test_registration_numbers_run_per_year_without_gaps(file_appeal):
    numbers = [file_appeal(partner_reference=str(index)).registration_number for index in range(3)]
    year = numbers[0].split("-")[1]
    assert numbers == [f"ZKO-{year}-000001", f"ZKO-{year}-000002", f"ZKO-{year}-000003"]


def test_a_refused_registration_burns_no_number(file_appeal, kaspi):
    from appeals.services.appeals import AppealInputError

    first = file_appeal()
    with pytest.raises(AppealInputError):
        file_appeal(attachment_ids=(12345,))
    second = file_appeal()
    assert int(second.registration_number[-6:]) == int(first.registration_number[-6:]) + 1


def test_a_deadline_is_a_date_after_registration(file_appeal):
    appeal = file_appeal()
    assert isinstance(appeal.deadline, date)
    assert appeal.deadline > appeal.registered_at.date()


def test_rerouting_an_appeal_moves_its_alert_to_the_new_center(file_appeal, supervisor_uralsk_center):
    appeal = file_appeal(category="domestic_violence", **NOWHERE)
    assert appeal.alert.center.code == "uralsk"

    workflow.appeal_route(appeal=appeal, district=district("syrym"), actor=supervisor_uralsk_center)

    alert = Alert.objects.get(pk=appeal.alert_id)
    assert (alert.center.code, alert.district.code) == ("syrym", "syrym")
    assert alert.events.filter(action="updated", data__moved__to__center="syrym").exists()
