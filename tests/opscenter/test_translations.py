"""Every string the project translates has its Russian and Kazakh: no msgid in the project's .po files is
left empty or fuzzy, each compiled .mo says what its .po says, no msgid the code uses is missing from the
catalogues (makemessages, run on a copy, finds nothing new), and the admin's JavaScript speaks Kazakh
where Django's own kk catalogue is empty."""

import gettext
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import UserFactory

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    path
    for pattern in ("*/locale/*/LC_MESSAGES/*.po", "*/locale_libraries/*/LC_MESSAGES/*.po")
    for path in ROOT.glob(pattern)
    if ".venv" not in path.parts
)
SOURCES_SKIPPED = (".venv", ".git", "tests", "bench", "media", "static", "node_modules", "__pycache__")


@dataclass(frozen=True)
class Entry:
    context: str | None
    msgid: str
    plural: str | None
    translations: tuple[str, ...]
    fuzzy: bool

    @property
    def key(self) -> str:
        return f"{self.context}\x04{self.msgid}" if self.context is not None else self.msgid


def unquote(text: str) -> str:
    return json.loads(f'"{text}"')  # a .po string's escapes are C's, which JSON's cover for these files


def entries(path: Path) -> list[Entry]:
    """The live entries of a .po file (not its header, nor obsolete ones)."""
    found = []
    for block in re.split(r"\n[ \t]*\n", path.read_text(encoding="utf-8")):
        lines = block.strip().splitlines()
        if not lines or all(line.startswith("#~") or not line.startswith(("msg", '"')) for line in lines):
            continue
        fields: dict[str, str] = {}
        current = ""
        for line in lines:
            keyword = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$', line)
            if keyword:
                current = keyword.group(1)
                fields[current] = unquote(keyword.group(2))
            elif line.startswith('"') and current:
                fields[current] += unquote(line.strip()[1:-1])
        if not fields.get("msgid"):
            continue  # the header
        found.append(
            Entry(
                context=fields.get("msgctxt"),
                msgid=fields["msgid"],
                plural=fields.get("msgid_plural"),
                translations=tuple(text for name, text in sorted(fields.items()) if name.startswith("msgstr")),
                fuzzy=any(line.startswith("#,") and "fuzzy" in line for line in lines),
            )
        )
    return found


def untranslated(path: Path) -> list[str]:
    """The msgids of a .po file with an empty translation or a fuzzy one (a guess nobody checked)."""
    return [entry.msgid for entry in entries(path) if entry.fuzzy or not all(entry.translations)]


def test_the_project_has_russian_and_kazakh_catalogues():
    names = {str(path.relative_to(ROOT)) for path in CATALOGUES}
    assert {"opscenter/locale/ru/LC_MESSAGES/django.po", "opscenter/locale/kk/LC_MESSAGES/django.po"} <= names
    assert "opscenter/locale/kk/LC_MESSAGES/djangojs.po" in names


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_no_msgid_is_left_untranslated_or_fuzzy(path):
    assert untranslated(path) == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_the_committed_mo_says_what_its_po_says(path):
    with path.with_suffix(".mo").open("rb") as compiled:
        catalog = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
    stale = []
    for entry in entries(path):
        if entry.plural is None:
            shown = catalog.get(entry.key)
            expected: object = entry.translations[0]
        else:
            shown = [catalog.get((entry.key, n)) for n in range(len(entry.translations))]
            expected = list(entry.translations)
        if shown != expected:
            stale.append(entry.msgid)
    assert stale == [], "compilemessages was not run after editing the .po"


def test_makemessages_finds_no_msgid_the_catalogues_lack(tmp_path):
    # On a copy: makemessages rewrites the catalogues it fills, and the project's are laid out by hand.
    copy = tmp_path / "project"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*SOURCES_SKIPPED, "*.sqlite3", "*.mo"), symlinks=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ru", "-l", "kk", "--no-location", "--no-obsolete"],
        cwd=copy,
        env={**os.environ, "PYTHONPATH": str(copy)},
        check=True,
        capture_output=True,
    )
    missing = {
        str(path.relative_to(copy)): untranslated(path)
        for path in sorted(copy.glob("*/locale/*/LC_MESSAGES/django.po"))
    }
    assert missing == {
        "opscenter/locale/kk/LC_MESSAGES/django.po": [],
        "opscenter/locale/ru/LC_MESSAGES/django.po": [],
    }


@pytest.mark.django_db
def test_the_admins_javascript_catalogue_speaks_kazakh():
    staff = UserFactory(role="administrator", is_staff=True, is_superuser=True, language="kk")
    client = Client()
    client.force_login(staff)

    response = client.get("/admin/jsi18n/")

    assert response.status_code == 200
    script = response.content.decode()
    # Django's kk catalogue leaves these empty, and a Kazakh admin's calendar fell back to Russian.
    assert f'"December": {json.dumps("Желтоқсан")}' in script
    assert f'"Choose a Date": {json.dumps("Күнді таңдаңыз")}' in script
    assert json.dumps("Декабрь") not in script
    assert '"Today": ' + json.dumps("Бүгін") in script  # what Django's kk had stays


@pytest.mark.django_db
def test_the_admins_login_attempts_speak_kazakh(client):
    """django-axes ships no Kazakh: without opscenter/locale_libraries its admin fell back to Russian."""
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        ip_address="192.0.2.7", username="intruder", user_agent="curl", path_info="/login/", failures_since_start=3
    )
    staff = UserFactory(role="administrator", is_staff=True, is_superuser=True, language="kk")
    client.force_login(staff)
    index = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    attempts = client.get("/admin/axes/accessattempt/", HTTP_ACCEPT_LANGUAGE="kk").content.decode()
    assert "Кіру журналдары" in index and "Логи доступа" not in index
    assert "IP мекенжайы" in attempts and "Пайдаланушы аты" in attempts
