"""Writes to the shift log: the outgoing shift leaves a handover note, the incoming one acknowledges it.
Both are appended, never changed (the tables refuse UPDATE and DELETE), and both are audited."""

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from opscenter.errors import DomainError, NotAllowed
from opscenter.models import OperationsCenter, ShiftNote, ShiftNoteAcknowledgement, User
from opscenter.permissions import Capability, require
from opscenter.selectors import centers_visible
from opscenter.services.audit import audit_record

NOTE_MAX_CHARS = 10_000
SHIFT_MAX_HOURS = 24


class ShiftNoteInvalid(DomainError):
    code = "shift_note_invalid"


def shift_note_write(
    *, actor: User, center: OperationsCenter, shift_started_at: datetime, shift_ended_at: datetime, text: str
) -> ShiftNote:
    """Append a handover note for a shift of `center` (one of the actor's centers)."""
    require(actor, Capability.SHIFT_LOG_KEEP)
    if not centers_visible(user=actor).filter(pk=center.pk).exists():
        raise NotAllowed(_("This center is not in your scope."))
    text = text.strip()
    now = timezone.now()
    if not text:
        raise ShiftNoteInvalid(_("Write the handover note."), code="shift_note_empty")
    if len(text) > NOTE_MAX_CHARS:
        raise ShiftNoteInvalid(_("The note is too long."), code="shift_note_too_long")
    if shift_ended_at <= shift_started_at:
        raise ShiftNoteInvalid(_("The shift must end after it starts."), code="shift_note_period")
    if (shift_ended_at - shift_started_at).total_seconds() > SHIFT_MAX_HOURS * 3600:
        raise ShiftNoteInvalid(_("A shift lasts at most 24 hours."), code="shift_note_period")
    if shift_started_at > now:
        raise ShiftNoteInvalid(_("The shift has not started yet."), code="shift_note_period")
    with transaction.atomic():
        note = ShiftNote.objects.create(
            center=center,
            shift_started_at=shift_started_at,
            shift_ended_at=shift_ended_at,
            author=actor,
            text=text,
            written_at=now,
        )
        audit_record(
            actor=actor,
            action="shift_note.write",
            obj=note,
            data={"center": center.code, "chars": len(text)},
        )
    return note


def shift_note_acknowledge(*, actor: User, note: ShiftNote) -> ShiftNoteAcknowledgement:
    """The actor read the note: recorded once (a second time is refused), never by its author."""
    require(actor, Capability.SHIFT_LOG_KEEP)
    if not centers_visible(user=actor).filter(pk=note.center_id).exists():
        raise NotAllowed(_("This center is not in your scope."))
    if note.author_id == actor.pk:
        raise ShiftNoteInvalid(_("You wrote this note: the incoming shift acknowledges it."), code="own_note")
    try:
        with transaction.atomic():
            acknowledgement = ShiftNoteAcknowledgement.objects.create(note=note, user=actor, at=timezone.now())
            audit_record(actor=actor, action="shift_note.acknowledge", obj=note, data={"center": note.center.code})
    except IntegrityError as error:
        raise ShiftNoteInvalid(_("You have acknowledged this note already."), code="already_acknowledged") from error
    return acknowledgement
