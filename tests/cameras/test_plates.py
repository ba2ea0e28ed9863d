"""Plates: every format of the data read back; Cyrillic look-alikes and OCR confusions settled by the
format and by voting across frames; lettering that is no plate fits none; a smart camera's ANPR push
becomes one PlateRead with its pictures, announced after commit; an analyst's search needs a reason and
is audited; reads that hit nothing go after their retention."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.utils import timezone

from cameras.models import CameraEvent, PlateRead, UnreadPlate
from cameras.plates.formats import best_fit, formats, normalise
from cameras.plates.voting import Reading, vote
from cameras.services.plates import PatternRefused, plate_read_matched, plate_reads_search
from cameras.services.registry import camera_create, push_path
from cameras.services.retention import events_purge
from cameras.signals import plate_read
from opscenter.errors import NotAllowed, ReasonRequired
from opscenter.models import AuditEntry
from tests.cameras import isapi_fixtures as fx
from tests.factories import UserFactory, district


@pytest.mark.parametrize("plate_format", formats(), ids=lambda f: f"{f.country}-{f.kind}-{f.example}")
def test_every_format_reads_its_example_back(plate_format):
    fitted = best_fit(plate_format.example)
    assert fitted is not None and fitted.corrections == 0
    assert (fitted.format.country, fitted.format.kind) == (plate_format.country, plate_format.kind)
    assert fitted.text == plate_format.example


@pytest.mark.parametrize(
    ("read", "text", "written", "country", "region"),
    [
        ("123 АВС 07", "123ABC07", "123 ABC 07", "KZ", "07"),  # Cyrillic look-alikes
        ("123-ABC-07", "123ABC07", "123 ABC 07", "KZ", "07"),
        ("I23ABCO7", "123ABC07", "123 ABC 07", "KZ", "07"),  # I for 1, O for 0 where digits must be
        ("123AB07", "123AB07", "123 AB 07", "KZ", "07"),
        ("F1234 07", "F123407", "F1234 07", "KZ", "07"),
        ("А 123 ВС 64", "A123BC64", "A 123 BC 64", "RU", "64"),
        ("А123ВС164", "A123BC164", "A 123 BC 164", "RU", "164"),
        ("01 A 123 BC", "01A123BC", "01 A 123 BC", "UZ", "01"),
        ("01 123 ABC", "01123ABC", "01 123 ABC", "KG", "01"),
        ("8Z3A8C07", "823ABC07", "823 ABC 07", "KZ", "07"),  # Z for 2, 8 for B where a letter must be
    ],
)
def test_a_read_is_normalised_and_fitted_to_its_format(read, text, written, country, region):
    fitted = best_fit(normalise(read))
    assert fitted is not None
    assert (fitted.text, fitted.format.written(fitted.text), fitted.format.country, fitted.region) == (
        text,
        written,
        country,
        region,
    )


@pytest.mark.parametrize("lettering", ["ДОСТАВКА", "KAZGAZ", "TAXI", "SALE 50%", "8 800 555 35 35", "KZ", ""])
def test_lettering_and_badges_are_no_plates(lettering):
    assert best_fit(normalise(lettering)) is None


def test_voting_across_frames_reads_better_than_any_frame():
    # Five frames of one car, each wrong somewhere: a look-alike, a dropped confidence, a smudge.
    readings = [
        Reading.of("123A8C07", [0.9, 0.9, 0.9, 0.9, 0.4, 0.9, 0.9, 0.9], frame=1),
        Reading.of("I23ABC07", [0.5, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], frame=2),
        Reading.of("123ABCO7", [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.5, 0.9], frame=3),
        Reading.of("123ABC01", [0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.3], frame=4),
        Reading.of("1Z3ABC07", [0.9, 0.4, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9], frame=5),
    ]
    assert all(reading.text != "123ABC07" for reading in readings)
    voted = vote(readings)
    assert voted is not None
    assert (voted.text, voted.country, voted.region, voted.format.kind) == ("123ABC07", "KZ", "07", "private")
    assert len(voted.confidences) == 8 and 0 < voted.confidence <= 1
    assert voted.raw_texts == tuple(reading.text for reading in readings)
    assert voted.best_frame in (1, 2, 3, 4, 5)


def test_a_vans_lettering_read_in_a_few_frames_does_not_outvote_its_plate():
    readings = [Reading.of("777KZA07", 0.9, frame=i) for i in range(6)] + [
        Reading.of("DOSTAVKA", 0.95, frame=10),
        Reading.of("DOSTAVKA", 0.95, frame=11),
    ]
    voted = vote(readings)
    assert voted is not None and voted.text == "777KZA07"
    assert "DOSTAVKA" in voted.raw_texts


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_pushed_anpr_read_becomes_a_plate_read_with_its_pictures_announced_after_commit(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path)
    _camera, secret = camera_create(
        name="Dostyk ANPR",
        kind="anpr",
        district=district("uralsk"),
        latitude=51.23,
        longitude=51.37,
        push_protocol="isapi",
    )
    heard = []

    def listener(sender, read, **kwargs):
        heard.append((read.text, PlateRead.objects.filter(pk=read.pk).exists()))  # committed by then

    plate_read.connect(listener)
    try:
        response = Client().generic("POST", push_path(secret), fx.ANPR_MULTIPART, content_type=fx.MULTIPART)
    finally:
        plate_read.disconnect(listener)
    assert response.status_code == 200
    read = PlateRead.objects.get()
    assert (read.text, read.display, read.country, read.region, read.format_kind) == (
        "123ABC07",
        "123 ABC 07",
        "KZ",
        "07",
        "private",
    )
    assert read.source == "camera" and read.event == CameraEvent.objects.get(kind="anpr")
    assert read.confidences == [0.99, 0.99, 0.98, 0.97, 0.99, 0.99, 0.99, 0.96]  # its plateCharBelieve
    assert read.confidence == 0.96 and read.direction == "forward"
    assert read.crop.read() == fx.PLATE_JPEG and read.context.read() == fx.DETECTION_JPEG
    assert (read.latitude, read.longitude) == (51.23, 51.37)
    assert heard == [("123ABC07", True)]


def test_an_unknown_plate_goes_to_the_tuning_gallery_not_to_the_reads(pushing):
    camera, url = pushing
    body = fx.multipart(fx.xml_part(fx.ANPR_UNKNOWN_XML), fx.jpeg_part(fx.PLATE_JPEG, "licensePlatePicture.jpg"))
    assert Client().generic("POST", url, body, content_type=fx.MULTIPART).status_code == 200
    assert not PlateRead.objects.exists()
    sample = UnreadPlate.objects.get()
    assert sample.camera == camera and sample.reason == "no format fits"
    assert sample.crop.read() == fx.PLATE_JPEG


def _read(camera, text: str, *, days_ago: float = 0, **fields) -> PlateRead:
    fitted = best_fit(text)
    assert fitted is not None
    return PlateRead.objects.create(
        camera=camera,
        source="worker",
        read_at=timezone.now() - timedelta(days=days_ago),
        received_at=min(timezone.now(), timezone.now() - timedelta(days=days_ago)),
        text=fitted.text,
        display=fitted.format.written(fitted.text),
        country=fitted.format.country,
        region=fitted.region,
        format_kind=fitted.format.kind,
        confidence=0.9,
        **fields,
    )


@pytest.fixture
def analyst(db):
    return UserFactory(username="analyst1", role="analyst", centers=["uralsk"])


def test_a_plate_search_needs_a_reason_and_is_audited(analyst, pushing):
    camera, _url = pushing
    _read(camera, "123ABC07")
    _read(camera, "123ABD07")
    _read(camera, "777KZA07")
    with pytest.raises(ReasonRequired):
        plate_reads_search(actor=analyst, pattern="123*", reason="  ")
    assert not AuditEntry.objects.filter(action="plates.search").exists()

    found = plate_reads_search(actor=analyst, pattern="123 АВ? 07", reason="Case 2026-07-0042: stolen car")
    assert [read.text for read in found] == ["123ABD07", "123ABC07"]
    entry = AuditEntry.objects.get(action="plates.search")
    assert entry.reason == "Case 2026-07-0042: stolen car" and entry.data["pattern"] == "123AB?07"
    assert entry.actor == analyst
    assert [read.text for read in plate_reads_search(actor=analyst, pattern="*A*07", reason="x")] == [
        "777KZA07",
        "123ABD07",
        "123ABC07",
    ]
    with pytest.raises(PatternRefused):
        plate_reads_search(actor=analyst, pattern="*7*", reason="x")  # would list everything


def test_a_search_sees_only_the_scope_and_an_operator_may_not_search(analyst, operator_uralsk):
    syrym, _secret = camera_create(name="Syrym road", kind="anpr", district=district("syrym"))
    _read(syrym, "123ABC07")
    assert list(plate_reads_search(actor=analyst, pattern="123ABC07", reason="Case 1")) == []
    with pytest.raises(NotAllowed):
        plate_reads_search(actor=operator_uralsk, pattern="123ABC07", reason="Case 1")


def test_reads_that_hit_nothing_go_after_their_retention(pushing, settings, django_capture_on_commit_callbacks):
    camera, _url = pushing
    settings.PLATE_READ_RETENTION_DAYS = 30
    gone = _read(camera, "123ABC07", days_ago=31)
    gone.crop.save("old.jpg", ContentFile(b"jpeg"))
    name = gone.crop.name
    hit = _read(camera, "777KZA07", days_ago=31)
    plate_read_matched(read=hit)
    case = _read(camera, "123ABD07", days_ago=90, case_number="2026-07-0042")
    young = _read(camera, "555AAA07", days_ago=29)
    with django_capture_on_commit_callbacks(execute=True):
        events_purge()
    assert set(PlateRead.objects.values_list("pk", flat=True)) == {hit.pk, case.pk, young.pk}
    assert not default_storage.exists(name)
    assert AuditEntry.objects.get(action="cameras.events.purge").data["plate_reads"] == 1


def test_the_tuning_gallery_keeps_its_last_few_of_its_days(pushing, settings):
    camera, _url = pushing
    settings.PLATE_TUNING_DAYS, settings.PLATE_TUNING_KEEP = 7, 2
    now = timezone.now()
    ages = {"old": 8, "third": 3, "second": 2, "newest": 1}
    samples = {
        name: UnreadPlate.objects.create(camera=camera, seen_at=now - timedelta(days=days), reason="low confidence")
        for name, days in ages.items()
    }
    events_purge()
    assert set(UnreadPlate.objects.values_list("pk", flat=True)) == {samples["second"].pk, samples["newest"].pk}
