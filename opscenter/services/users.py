"""Writes to people: their own settings, and what they may see and do (role, scope, access).

A change of what someone may see or do takes effect at once: it is audited with the changed fields, and
at commit their open sockets are told (`user.changed`), recheck the session and the user, and rejoin the
groups of the new scope or close (opscenter.consumers). The admin goes through these services too.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import transaction

from opscenter.errors import DomainError
from opscenter.models import District, OperationsCenter, Role, User
from opscenter.services.audit import audit_record
from opscenter.services.live import publish_user_changed_on_commit


def user_set_language(*, user: User, language: str) -> bool:
    """Remember the interface language a person chose, so it follows them to every device (their open
    consoles are told, and send the alerts again in it). Returns False (and changes nothing) for a
    language the platform does not speak."""
    if language not in dict(settings.LANGUAGES):
        return False
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
        publish_user_changed_on_commit(user.pk)
    return True


def _record(*, user: User, actor: User | None, action: str, before: dict, after: dict) -> bool:
    """Audit the fields that changed (before and after) and tell the user's sockets; False if none did."""
    fields = [name for name in after if before[name] != after[name]]
    if not fields:
        return False
    audit_record(
        actor=actor,
        action=action,
        obj=user,
        data={
            "fields": fields,
            "before": {name: before[name] for name in fields},
            "after": {name: after[name] for name in fields},
        },
    )
    publish_user_changed_on_commit(user.pk)
    return True


def _codes(related) -> list[str]:
    return sorted(related.values_list("code", flat=True))


@transaction.atomic
def user_scope_set(
    *,
    user: User,
    actor: User | None,
    centers: Iterable[OperationsCenter] | None = None,
    districts: Iterable[District] | None = None,
) -> User:
    """Set the centers and/or the districts whose data `user` sees (None leaves that part as it is)."""
    before = {"centers": _codes(user.centers), "districts": _codes(user.districts)}
    if centers is not None:
        user.centers.set(list(centers))
    if districts is not None:
        user.districts.set(list(districts))
    after = {"centers": _codes(user.centers), "districts": _codes(user.districts)}
    _record(user=user, actor=actor, action="user.scope_set", before=before, after=after)
    return user


def _field_set(*, user: User, actor: User | None, action: str, field: str, value: object) -> User:
    """Set one field of `user`, save it and record the change (with the sockets told after commit)."""
    before = {field: getattr(user, field)}
    setattr(user, field, value)
    user.save(update_fields=[field])
    _record(user=user, actor=actor, action=action, before=before, after={field: value})
    return user


@transaction.atomic
def user_role_set(*, user: User, actor: User | None, role: str) -> User:
    """Give `user` another role: what they may do (opscenter.permissions) changes with it."""
    if role not in Role.values:
        raise DomainError(code="invalid_role")
    return _field_set(user=user, actor=actor, action="user.role_set", field="role", value=role)


@transaction.atomic
def user_superuser_set(*, user: User, actor: User | None, is_superuser: bool) -> User:
    """Make `user` a superuser (an administrator's scope and capabilities) or no longer one."""
    return _field_set(user=user, actor=actor, action="user.superuser_set", field="is_superuser", value=is_superuser)


@transaction.atomic
def user_deactivate(*, user: User, actor: User | None) -> User:
    """Stop `user` from signing in; their open sessions and sockets stop working at once."""
    return _field_set(user=user, actor=actor, action="user.deactivate", field="is_active", value=False)


@transaction.atomic
def user_activate(*, user: User, actor: User | None) -> User:
    return _field_set(user=user, actor=actor, action="user.activate", field="is_active", value=True)


@transaction.atomic
def user_password_set(*, user: User, actor: User | None, password: str | None) -> User:
    """Set a new password (None: no password sign-in at all). Every session of `user` signed in with
    the old one ends (Django's session hash), and so do their sockets; the audit never holds the password."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    audit_record(actor=actor, action="user.password_set", obj=user, data={"fields": ["password"]})
    publish_user_changed_on_commit(user.pk)
    return user
