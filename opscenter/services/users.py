"""Writes to people's own settings."""

from django.conf import settings

from opscenter.models import User


def user_set_language(*, user: User, language: str) -> bool:
    """Remember the interface language a person chose, so it follows them to every device.
    Returns False (and changes nothing) for a language the platform does not speak."""
    if language not in dict(settings.LANGUAGES):
        return False
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return True
