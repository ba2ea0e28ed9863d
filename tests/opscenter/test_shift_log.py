"""The shift log: the outgoing shift writes a handover note, the incoming one reads and acknowledges it.
Notes and acknowledgements are appended, never changed, audited, and seen only in their center's scope."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone

from opscenter.errors import NotAllowed
from opscenter.models import AuditEntry, ShiftNote, ShiftNoteAcknowledgement
from opscenter.services.shifts import ShiftNoteInvalid, shift_note_acknowledge, shift_note_write
from opscenter.supervision import shift_notes, shift_notes_unacknowledged
from tests.factories import UserFactory, center

pytestmark = pytest.mark.django_db


def write(author, code: str = "uralsk", text: str = "Panel 1234 at School No. 5 is under repair.", **period):
    end = period.get("end", timezone.now())
    start = period.get("start", end - timedelta(hours=12))
    return shift_note_write(actor=author, center=center(code), shift_started_at=start, shift_ended_at=end, text=text)


def test_a_handover_is_written_read_and_acknowledged_and_both_are_audited(operator_uralsk, supervisor_uralsk):
    # Given the outgoing operator's note
    note = write(operator_uralsk, text="  Unit 12 still on scene at Dostyk 5.  ")
    assert note.text == "Unit 12 still on scene at Dostyk 5."

    # Then the incoming supervisor has it to read, the author does not
    assert list(shift_notes_unacknowledged(user=supervisor_uralsk)) == [note]
    assert list(shift_notes_unacknowledged(user=operator_uralsk)) == []

    # When the supervisor acknowledges it
    acknowledgement = shift_note_acknowledge(actor=supervisor_uralsk, note=note)

    # Then it is read, once, by them
    assert list(shift_notes_unacknowledged(user=supervisor_uralsk)) == []
    assert [(a.note_id, a.user_id) for a in note.acknowledgements.all()] == [(note.pk, supervisor_uralsk.pk)]
    assert acknowledgement.at is not None
    actions = list(
        AuditEntry.objects.filter(object_type="opscenter.shiftnote", object_id=str(note.pk))
        .order_by("at", "pk")
        .values_list("action", "actor__username")
    )
    assert actions == [("shift_note.write", "op_uralsk"), ("shift_note.acknowledge", "sup_uralsk")]


def test_a_note_is_acknowledged_once_and_never_by_its_author(operator_uralsk, supervisor_uralsk):
    note = write(operator_uralsk)
    shift_note_acknowledge(actor=supervisor_uralsk, note=note)

    with pytest.raises(ShiftNoteInvalid) as twice:
        shift_note_acknowledge(actor=supervisor_uralsk, note=note)
    with pytest.raises(ShiftNoteInvalid) as own:
        shift_note_acknowledge(actor=operator_uralsk, note=note)

    assert (twice.value.code, own.value.code) == ("already_acknowledged", "own_note")
    assert ShiftNoteAcknowledgement.objects.count() == 1


@pytest.mark.parametrize("model", [ShiftNote, ShiftNoteAcknowledgement])
def test_the_shift_log_is_append_only(operator_uralsk, supervisor_uralsk, model):
    note = write(operator_uralsk)
    shift_note_acknowledge(actor=supervisor_uralsk, note=note)

    change = {"text": "edited"} if model is ShiftNote else {"at": timezone.now()}
    with pytest.raises(DatabaseError), transaction.atomic():
        model.objects.update(**change)
    with pytest.raises(DatabaseError), transaction.atomic():
        model.objects.all().delete()

    assert ShiftNote.objects.get().text == "Panel 1234 at School No. 5 is under repair."
    assert ShiftNoteAcknowledgement.objects.count() == 1


@pytest.mark.parametrize(
    ("text", "start_hours_ago", "end_hours_ago", "code"),
    [
        ("   ", 12, 0, "shift_note_empty"),
        ("x" * 10_001, 12, 0, "shift_note_too_long"),
        ("ok", 0, 12, "shift_note_period"),  # ends before it starts
        ("ok", 30, 0, "shift_note_period"),  # longer than a day
        ("ok", -2, -14, "shift_note_period"),  # starts in two hours
    ],
)
def test_a_note_needs_text_and_a_real_shift(operator_uralsk, text, start_hours_ago, end_hours_ago, code):
    now = timezone.now()
    with pytest.raises(ShiftNoteInvalid) as refused:
        write(
            operator_uralsk,
            text=text,
            start=now - timedelta(hours=start_hours_ago),
            end=now - timedelta(hours=end_hours_ago),
        )
    assert refused.value.code == code
    assert ShiftNote.objects.count() == 0


def test_the_scope_holds_for_reading_writing_and_acknowledging(operator_uralsk, operator_syrym):
    uralsk_note = write(operator_uralsk)
    syrym_supervisor = UserFactory(role="supervisor", centers=["syrym"])
    syrym_note = write(operator_syrym, code="syrym")

    assert shift_notes(user=syrym_supervisor) == [syrym_note]
    assert shift_notes(user=UserFactory(role="administrator")) == [syrym_note, uralsk_note]
    with pytest.raises(NotAllowed):
        write(operator_syrym, code="uralsk")
    with pytest.raises(NotAllowed):
        shift_note_acknowledge(actor=syrym_supervisor, note=uralsk_note)
    with pytest.raises(NotAllowed):
        shift_notes(user=UserFactory(role="district_officer", districts=["terekti"]))


def test_the_page_writes_lists_and_acknowledges(operator_uralsk, supervisor_uralsk, operator_syrym):
    outgoing, incoming = Client(), Client()
    outgoing.force_login(operator_uralsk)
    incoming.force_login(supervisor_uralsk)
    end = timezone.localtime().replace(second=0, microsecond=0)
    form = {
        "center": "uralsk",
        "shift_started_at": (end - timedelta(hours=12)).strftime("%Y-%m-%dT%H:%M"),
        "shift_ended_at": end.strftime("%Y-%m-%dT%H:%M"),
        "text": "Two false alarms from School No. 5: the panel is being checked.",
    }

    written = outgoing.post("/shift-log/", form)
    note = ShiftNote.objects.get()
    page = incoming.get("/shift-log/").content.decode()
    acknowledged = incoming.post(f"/shift-log/{note.pk}/acknowledge/")
    after = incoming.get("/shift-log/").content.decode()

    assert (written.status_code, written["Location"]) == (302, "/shift-log/")
    assert "Two false alarms from School No. 5" in page
    assert f'action="/shift-log/{note.pk}/acknowledge/"' in page
    assert acknowledged.status_code == 302
    assert f'action="/shift-log/{note.pk}/acknowledge/"' not in after
    other = Client()
    other.force_login(operator_syrym)
    assert "Two false alarms" not in other.get("/shift-log/").content.decode()
    assert other.post(f"/shift-log/{note.pk}/acknowledge/").status_code == 404


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"text": ""}, "This field is required."),
        ({"center": "syrym"}, "Select a valid choice."),
        ({"shift_ended_at": "yesterday"}, "Enter a valid date/time."),
    ],
)
def test_the_page_says_what_is_wrong_with_the_form(operator_uralsk, change, message):
    client = Client(headers={"accept-language": "en"})
    client.force_login(operator_uralsk)
    form = {"center": "uralsk", "shift_started_at": "2026-12-01T08:00", "shift_ended_at": "2026-12-01T20:00"}
    form["text"] = "Handover"
    response = client.post("/shift-log/", {**form, **change})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ShiftNote.objects.count() == 0


def test_the_shift_log_page_takes_the_same_queries_however_many_notes(
    django_assert_num_queries, operator_uralsk, supervisor_uralsk
):
    client = Client()
    client.force_login(supervisor_uralsk)
    write(operator_uralsk)
    client.get("/shift-log/")
    for _number in range(4):
        note = write(operator_uralsk)
        shift_note_acknowledge(actor=supervisor_uralsk, note=note)
    with django_assert_num_queries(8):
        client.get("/shift-log/")
