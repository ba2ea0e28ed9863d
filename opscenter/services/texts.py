"""An alert's words in the reader's language, composed when it is shown rather than when it is raised.

An alert is raised by a process speaking one language (the receiver, a worker, a partner's request) and
read by operators speaking another. So what the screens show is composed at display time, in the
language active then, from the alert's kind and parameters: the app that raised it registers, in its
`ready()`, a composer for its source (or for one kind of it) that returns the alert's texts (`AlertTexts`).
The stored `Alert.title` stays as the raiser wrote it: the fallback for an alert no composer answers for
(raised before its app had one), and what the admin lists and searches.

A composer reads only the alert, its payload and what is selected with it (center, district): it runs
for each of the ten thousand alerts of a snapshot, so it must not query.

Texts written into a timeline by the system (a panel's restore, a bracelet back home) and parameters of
a title are `Phrase`s: the message id and its parameters, kept as data and rendered in the reader's
language (`phrase_text`). A parameter may itself be a phrase, or a name given per language
({"ru": ..., "kk": ...}, see `localized`).
"""

from collections.abc import Callable, Mapping
from typing import Any, NotRequired, TypedDict, TypeGuard

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from opscenter.models import Alert


class Phrase(TypedDict):
    """A message id and its parameters, JSON-able, rendered with gettext when it is read."""

    msgid: str
    params: dict[str, Any]


class AlertTexts(TypedDict):
    """What a composer returns, in the active language: the title, and optionally the address and the
    payload's keys the console reads as text (caution, object, link, ...), which replace the stored ones."""

    title: str
    address: NotRequired[str]
    payload: NotRequired[dict[str, Any]]


Composer = Callable[[Alert], AlertTexts | None]

_composers: dict[tuple[str, str], Composer] = {}


def register_alert_composer(source: str, composer: Composer, *, kind: str = "") -> None:
    """Let `composer` word the alerts of `source` (of one `kind` of it, when given; a kind's own composer
    wins over its source's). Registering again replaces it (apps' `ready()` may run twice in tests)."""
    _composers[(source, kind)] = composer


def alert_composer(alert: Alert) -> Composer | None:
    return _composers.get((alert.source, alert.kind)) or _composers.get((alert.source, ""))


def alert_composer_sources() -> list[str]:
    return sorted({source for source, _kind in _composers})


def alert_texts(alert: Alert) -> AlertTexts:
    """The alert's texts in the active language: its composer's, else what was stored. A composer that
    fails (a payload of an older shape) falls back to the stored texts rather than hide the alert."""
    composer = alert_composer(alert)
    texts: AlertTexts | None = None
    if composer is not None and alert.redacted_at is None:
        try:
            texts = composer(alert)
        except (KeyError, TypeError, ValueError):
            texts = None
    if texts is None:
        return {"title": alert.title}
    return texts


def phrase(msgid: str, **params: Any) -> Phrase:
    """A text to render later in the reader's language. Mark the message id with gettext_noop so that
    it is in the catalogs."""
    return {"msgid": msgid, "params": params}


def is_phrase(value: Any) -> TypeGuard[Phrase]:
    return isinstance(value, Mapping) and isinstance(value.get("msgid"), str)


def localized(value: Any) -> str:
    """A name given per language ({"ru": ..., "kk": ...}) in the active language, else Russian, else any;
    a phrase rendered; anything else as text."""
    if is_phrase(value):
        return phrase_text(value)
    if isinstance(value, Mapping):
        language = translation.get_language() or settings.LANGUAGE_CODE
        for code in (language, language.split("-")[0], settings.LANGUAGE_CODE):
            if value.get(code):
                return str(value[code])
        return next((str(text) for text in value.values() if text), "")
    return "" if value is None else str(value)


def in_language(data: Mapping[str, Any], key: str) -> str:
    """`data[key]` in the active language: `data[key_<language>]` when given (name_kk), else `data[key]`
    (the default language's). How payloads carry a name in both languages."""
    language = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return str(data.get(f"{key}_{language}") or data.get(key) or "")


def phrase_text(value: "Phrase | str") -> str:
    """A phrase rendered in the active language (its parameters too); a plain string as it is."""
    if not is_phrase(value):
        return str(value)
    params = value.get("params") or {}
    text = gettext(value["msgid"])
    if not params:
        return text
    rendered = {name: param if isinstance(param, int | float) else localized(param) for name, param in params.items()}
    try:
        return text % rendered
    except (KeyError, TypeError, ValueError):  # a translation that lost a parameter: the source text
        return value["msgid"] % rendered


def in_default_language(value: "Phrase | str") -> str:
    """What is stored for search and the admin: the text in the platform's default language."""
    with translation.override(settings.LANGUAGE_CODE):
        return phrase_text(value)


def phrased_alert_texts(alert: Alert) -> AlertTexts | None:
    """A composer for alerts whose raiser kept their words as data: the title as a phrase in
    `payload["title"]`, and the address in other languages as `payload["address_<language>"]` (the
    demo's alerts, the test alert). An app may register it for its own source when that is all its
    alerts need."""
    title = alert.payload.get("title")
    if not is_phrase(title):
        return None
    return {"title": phrase_text(title), "address": in_language({**alert.payload, "address": alert.address}, "address")}
