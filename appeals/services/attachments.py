"""Attachments: a photo, video or voice message typed from its content (`filetype`), within its size
limit, stored with its hash; unlinked ones are purged with their files."""

import hashlib
import logging
import uuid
from datetime import timedelta
from functools import partial

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appeals.models import Attachment, AttachmentKind, Partner
from opscenter.errors import DomainError

logger = logging.getLogger(__name__)

# What a browser can show in the officer's page, by the type sniffed from the content.
KIND_BY_CONTENT_TYPE = {
    "image/jpeg": AttachmentKind.PHOTO,
    "image/png": AttachmentKind.PHOTO,
    "image/webp": AttachmentKind.PHOTO,
    "image/heic": AttachmentKind.PHOTO,
    "video/mp4": AttachmentKind.VIDEO,
    "video/quicktime": AttachmentKind.VIDEO,
    "video/3gpp": AttachmentKind.VIDEO,
    "video/webm": AttachmentKind.VIDEO,
    "audio/ogg": AttachmentKind.VOICE,
    "audio/mpeg": AttachmentKind.VOICE,
    "audio/mp4": AttachmentKind.VOICE,
    "audio/aac": AttachmentKind.VOICE,
    "audio/amr": AttachmentKind.VOICE,
    "audio/x-wav": AttachmentKind.VOICE,
}
SNIFF_BYTES = 8192


class UnsupportedAttachment(DomainError):
    code = "unsupported_media_type"
    status_code = 415
    default_detail = _("The file is not a photo (JPEG, PNG, WebP, HEIC), video (MP4, MOV, 3GP, WebM) or voice message "
                       "(OGG, MP3, M4A, AAC, AMR, WAV), judged by its content.")  # fmt: skip


class AttachmentTooLarge(DomainError):
    code = "attachment_too_large"
    status_code = 413


def attachment_store(*, partner: Partner, upload: UploadedFile) -> Attachment:
    """Store one uploaded file for `partner`; not linked to an appeal until one names it."""
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    guessed = filetype.guess(head) if head else None
    kind = KIND_BY_CONTENT_TYPE.get(guessed.mime) if guessed else None
    if guessed is None or kind is None:
        raise UnsupportedAttachment()
    limit = settings.APPEALS_ATTACHMENT_MAX_BYTES[kind]
    size = upload.size
    if size is None:  # an upload Django parsed knows its size; another is measured
        size = upload.seek(0, 2)
        upload.seek(0)
    if size > limit:
        raise AttachmentTooLarge(
            _("A %(kind)s may be at most %(limit)d bytes; this one has %(size)d.")
            % {"kind": kind, "limit": limit, "size": size}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        partner=partner,
        kind=kind,
        content_type=guessed.mime,
        size=size,
        sha256=digest.hexdigest(),
        uploaded_at=timezone.now(),
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{guessed.extension}", upload, save=False)
    try:
        with transaction.atomic():
            attachment.save()
    except Exception:
        attachment.file.delete(save=False)  # no orphan file
        raise
    return attachment


def attachments_purge_orphans(*, now=None) -> int:
    """Delete attachments no appeal named within APPEALS_ATTACHMENT_ORPHAN_HOURS, with their files."""
    cutoff = (now or timezone.now()) - timedelta(hours=settings.APPEALS_ATTACHMENT_ORPHAN_HOURS)
    count = 0
    for attachment in Attachment.objects.filter(appeal__isnull=True, uploaded_at__lt=cutoff):
        with transaction.atomic():
            deleted, _rows = Attachment.objects.filter(pk=attachment.pk, appeal__isnull=True).delete()
            if deleted:
                transaction.on_commit(partial(_delete_file, attachment.file))
                count += 1
    return count


def _delete_file(file: FieldFile) -> None:
    if not file.name:
        return
    try:
        file.storage.delete(file.name)
    except OSError:
        logger.warning("Could not delete the orphan attachment file %s", file.name, exc_info=True)
