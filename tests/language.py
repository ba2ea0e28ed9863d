"""What a reader of one language is shown of an alert, through each way it reaches them: the REST list
and detail, the socket's snapshot and the socket's live message. Tests of each app's composer check
that a Kazakh reader sees its alerts in Kazakh and none of the Russian words; their details likewise."""

import json

from django.test import Client
from django.utils import translation

from opscenter.consumers import AlertFeedConsumer
from opscenter.models import Alert, User
from opscenter.serializers import alert_as_dict, alert_worded, alert_words_by_language


def shown_to(user: User, alert: Alert, language: str) -> dict[str, str]:
    """The alert as `user` reading `language` gets it, each way as JSON text."""
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    listed = client.get("/api/v1/alerts/")
    assert listed.status_code == 200, listed.content
    [row] = [row for row in listed.json()["results"] if row["id"] == alert.pk]
    detail = client.get(f"/api/v1/alerts/{alert.pk}/")
    assert detail.status_code == 200, detail.content
    parts = AlertFeedConsumer._open_alerts(user, language)
    snapshot = [json.loads(encoded) for part in parts for encoded in part if json.loads(encoded)["id"] == alert.pk]
    alert = Alert.objects.select_related("center", "district", "acknowledged_by", "dispatched_by", "resolved_by").get(
        pk=alert.pk
    )
    with translation.override("ru"):  # a message published by a process speaking Russian
        published = alert_as_dict(alert)
    message = alert_worded(published, alert_words_by_language(alert)[language])
    shown = {
        "list": json.dumps(row, ensure_ascii=False),
        "detail": json.dumps(detail.json(), ensure_ascii=False),
        "message": json.dumps(message, ensure_ascii=False),
    }
    if alert.is_open:  # the snapshot holds open alerts only
        [shown["snapshot"]] = [json.dumps(data, ensure_ascii=False) for data in snapshot]
    return shown


def assert_in_language(shown: dict[str, str], *, present: list[str], absent: list[str]) -> None:
    for way, text in shown.items():
        for words in present:
            assert words in text, f"{words!r} missing from the {way}: {text}"
        for words in absent:
            assert words not in text, f"{words!r} in the {way}: {text}"


def details_shown_to(user: User, alert: Alert, language: str) -> str:
    """The alert's details (the audited read) as `user` reading `language` gets them over REST, as JSON text."""
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    response = client.post(
        f"/api/v1/alerts/{alert.pk}/details/", {"reason": "Checking the language"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["details"] is not None
    return json.dumps(response.json()["details"], ensure_ascii=False)


def assert_words(text: str, *, present: list[str], absent: list[str]) -> None:
    for words in present:
        assert words in text, f"{words!r} missing: {text}"
    for words in absent:
        assert words not in text, f"{words!r} shown: {text}"
