"""Saved views of the console: save one under a name (again: replaced), delete one. Only the owner's."""

from typing import Any

from django.db import transaction

from opscenter.errors import DomainError
from opscenter.models import SavedView, Severity, User

MAX_VIEWS_PER_USER = 50
FILTER_LISTS = ("severity", "source", "district")


class SavedViewInvalid(DomainError):
    code = "invalid_view"


def saved_view_filters_clean(filters: dict[str, Any]) -> dict[str, Any]:
    """The filters in their one shape: q (text), severity (ints), source and district (codes), sorted,
    with nothing else kept."""
    clean: dict[str, Any] = {"q": str(filters.get("q") or "").strip()[:200]}
    severities = {int(value) for value in filters.get("severity") or []}
    if not severities <= set(Severity.values):
        raise SavedViewInvalid("severity is 1 to 4")
    clean["severity"] = sorted(severities)
    for name in ("source", "district"):
        clean[name] = sorted({str(value)[:32] for value in filters.get(name) or []})
    return clean


@transaction.atomic
def saved_view_save(*, user: User, name: str, filters: dict[str, Any]) -> tuple[SavedView, bool]:
    """Save the filters under `name` for `user`, replacing a view of that name. (view, created)."""
    clean = saved_view_filters_clean(filters)
    view, created = SavedView.objects.select_for_update().get_or_create(
        user=user, name=name.strip(), defaults={"filters": clean}
    )
    if created:
        if SavedView.objects.filter(user=user).count() > MAX_VIEWS_PER_USER:
            raise SavedViewInvalid(f"at most {MAX_VIEWS_PER_USER} saved views")
    else:
        view.filters = clean
        view.save(update_fields=["filters", "updated_at"])
    return view, created


def saved_view_delete(*, view: SavedView) -> None:
    view.delete()
