"""Attachments: typed from their content (not their name), within size limits; refusals store nothing;
unlinked files are purged."""

import struct
import zlib
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from appeals.models import Attachment
from appeals.services.attachments import attachments_purge_orphans

pytestmark = pytest.mark.django_db


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 64 + b"\xff\xd9"
MP4 = struct.pack(">I", 24) + b"ftypisom" + b"\x00\x00\x02\x00isomiso2" + struct.pack(">I", 8) + b"free"
OGG = b"OggS\x00\x02" + b"\x00" * 20 + b"\x01\x13OpusHead" + b"\x00" * 40
WAV = (
    b"RIFF"
    + struct.pack("<I", 36)
    + b"WAVEfmt "
    + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    + b"data\x00\x00\x00\x00"
)
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0a" + b"\x00" * 10 + b"\xff\xfb\x90\x00" + b"\x00" * 100
AMR = b"#!AMR\n" + b"\x00" * 32


@pytest.mark.parametrize(
    "content, name, kind, content_type",
    [
        (JPEG, "IMG_0001.JPG", "photo", "image/jpeg"),
        (png(), "screenshot.jpg", "photo", "image/png"),  # the name lies; the content decides
        (MP4, "video.mp4", "video", "video/mp4"),
        (OGG, "voice.ogg", "voice", "audio/ogg"),
        (WAV, "voice.wav", "voice", "audio/x-wav"),
        (MP3, "voice", "voice", "audio/mpeg"),
        (AMR, "voice.amr", "voice", "audio/amr"),
    ],
)
def test_a_photo_video_or_voice_message_is_typed_from_its_content(kaspi_client, content, name, kind, content_type):
    response = kaspi_client.upload(content, name=name)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["kind"], data["content_type"], data["size"]) == (kind, content_type, len(content))
    attachment = Attachment.objects.get(pk=data["id"])
    assert attachment.file.read() == content
    assert attachment.file.name.endswith(
        "." + {"image/jpeg": "jpg"}.get(content_type, attachment.file.name.rsplit(".", 1)[1])
    )


@pytest.mark.parametrize(
    "content, name",
    [
        (b"<html><script>alert(1)</script></html>", "photo.jpg"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "scan.jpg"),
        (b"PK\x03\x04" + b"\x00" * 40, "photo.png"),
        (b"MZ" + b"\x00" * 100, "video.mp4"),
        (b"GIF89a" + b"\x00" * 20, "anim.gif"),
    ],
)
def test_anything_else_is_415_and_stores_nothing(kaspi_client, settings, content, name):
    response = kaspi_client.upload(content, name=name)
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert Attachment.objects.count() == 0
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_a_file_over_its_kinds_limit_is_413_and_stores_nothing(kaspi_client, settings):
    settings.APPEALS_ATTACHMENT_MAX_BYTES = {"photo": 50, "video": 10_000, "voice": 10_000}
    response = kaspi_client.upload(JPEG, name="big.jpg")
    assert response.status_code == 413
    assert response.json()["code"] == "attachment_too_large"
    assert Attachment.objects.count() == 0
    assert not any(Path(settings.MEDIA_ROOT).rglob("*.*"))


def test_a_body_over_every_limit_is_413_before_it_is_read(kaspi_client, settings):
    settings.APPEALS_ATTACHMENT_MAX_BYTES = {"photo": 10, "video": 10, "voice": 10}
    response = kaspi_client.upload(JPEG + b"\x00" * 70_000, name="huge.jpg")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"


def test_a_multipart_body_is_signed_like_any_other(kaspi_client):
    response = kaspi_client.upload(JPEG, secret="wrong")
    assert response.status_code == 401
    assert Attachment.objects.count() == 0


def test_an_upload_without_a_file_names_the_field(kaspi_client):
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    raw = encode_multipart(BOUNDARY, {"note": "no file"})
    response = kaspi_client.send("POST", "/api/v1/partner/attachments", raw, content_type=MULTIPART_CONTENT)
    assert response.status_code == 400
    assert "file" in response.json()["errors"]


def test_unlinked_attachments_are_purged_with_their_files(kaspi_client, settings, django_capture_on_commit_callbacks):
    orphan = Attachment.objects.get(pk=kaspi_client.upload(JPEG).json()["id"])
    kept = Attachment.objects.get(pk=kaspi_client.upload(png()).json()["id"])
    path = Path(orphan.file.path)
    Attachment.objects.filter(pk=orphan.pk).update(
        uploaded_at=timezone.now() - timedelta(hours=settings.APPEALS_ATTACHMENT_ORPHAN_HOURS + 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert attachments_purge_orphans() == 1
    assert not Attachment.objects.filter(pk=orphan.pk).exists()
    assert Attachment.objects.filter(pk=kept.pk).exists()
    assert not path.exists()
