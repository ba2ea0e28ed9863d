"""An open socket follows its user's scope at every moment: a change of scope or role through the users
services rejoins its groups and sends the new scope's snapshot; a deactivation, a logout, a password
change or the session's expiry closes it with 4401, a scope taken away entirely with 4403. Through the
in-memory layer and the real Redis channel layer."""

import pytest
from channels.db import database_sync_to_async as sync_to_async
from channels.testing import WebsocketCommunicator
from django.test import Client

from opscenter.asgi import application
from opscenter.models import AuditEntry, Role, User
from opscenter.services.users import (
    user_deactivate,
    user_password_set,
    user_role_set,
    user_scope_set,
)
from tests.factories import UserFactory, center, district
from tests.opscenter.test_alert_feed import (  # noqa: F401  (fixtures)
    _close_the_sync_threads_connection,
    channel_layer,
    connect,
    raise_in,
    refused_with,
)

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("channel_layer"),
]


async def opened(user) -> WebsocketCommunicator:
    socket = await connect(user)
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from(timeout=5))["type"] == "snapshot"
    return socket


async def closed_with(socket: WebsocketCommunicator) -> int:
    output = await socket.receive_output(timeout=5)
    assert output["type"] == "websocket.close", output
    return output["code"]


def scope_to(user: User, *, centers=(), districts=()) -> None:
    user_scope_set(
        user=user,
        actor=None,
        centers=[center(code) for code in centers],
        districts=[district(code) for code in districts],
    )


async def test_a_socket_moved_to_another_center_gets_its_snapshot_and_only_its_alerts(operator_uralsk):
    syrym_alert = await sync_to_async(raise_in)("syrym")
    socket = await opened(operator_uralsk)

    await sync_to_async(scope_to)(operator_uralsk, centers=["syrym"])
    snapshot = await socket.receive_json_from(timeout=5)
    await sync_to_async(raise_in)("uralsk")
    syrym_next = await sync_to_async(raise_in)("syrym")
    message = await socket.receive_json_from(timeout=5)

    assert (snapshot["type"], [alert["id"] for alert in snapshot["alerts"]]) == ("snapshot", [syrym_alert.pk])
    assert message["alert"]["id"] == syrym_next.pk
    assert await socket.receive_nothing(timeout=0.5)
    await socket.disconnect()


async def test_a_role_change_rejoins_the_groups_of_the_new_role(operator_uralsk):
    syrym_alert = await sync_to_async(raise_in)("syrym")
    socket = await opened(operator_uralsk)

    await sync_to_async(user_role_set)(user=operator_uralsk, actor=None, role=Role.ADMINISTRATOR)
    snapshot = await socket.receive_json_from(timeout=5)

    assert syrym_alert.pk in [alert["id"] for alert in snapshot["alerts"]]
    await socket.disconnect()


async def test_a_scope_taken_away_entirely_closes_the_socket_with_4403(operator_uralsk):
    socket = await opened(operator_uralsk)

    await sync_to_async(scope_to)(operator_uralsk)
    await sync_to_async(raise_in)("uralsk")

    assert await closed_with(socket) == 4403


async def test_a_deactivated_users_socket_closes_with_4401(operator_uralsk):
    socket = await opened(operator_uralsk)

    await sync_to_async(user_deactivate)(user=operator_uralsk, actor=None)

    assert await closed_with(socket) == 4401


async def test_a_password_change_closes_the_sockets_of_the_old_sessions_with_4401(operator_uralsk):
    socket = await opened(operator_uralsk)

    await sync_to_async(user_password_set)(user=operator_uralsk, actor=None, password="another-horse-battery")

    assert await closed_with(socket) == 4401


def logged_in_client(user) -> tuple[Client, bytes]:
    client = Client()
    client.force_login(user)
    return client, f"sessionid={client.cookies['sessionid'].value}".encode()


async def socket_with(cookie: bytes) -> WebsocketCommunicator:
    socket = WebsocketCommunicator(
        application, "/ws/alerts/", headers=[(b"origin", b"http://localhost"), (b"cookie", cookie)]
    )
    assert (await socket.connect())[0]
    assert (await socket.receive_json_from(timeout=5))["type"] == "snapshot"
    return socket


async def test_a_logout_closes_that_sessions_socket_and_not_the_users_other_sessions(operator_uralsk):
    desk, desk_cookie = await sync_to_async(logged_in_client)(operator_uralsk)
    _phone, phone_cookie = await sync_to_async(logged_in_client)(operator_uralsk)
    desk_socket, phone_socket = await socket_with(desk_cookie), await socket_with(phone_cookie)

    await sync_to_async(desk.logout)()
    alert = await sync_to_async(raise_in)("uralsk")

    assert await closed_with(desk_socket) == 4401
    assert (await phone_socket.receive_json_from(timeout=5))["alert"]["id"] == alert.pk
    await phone_socket.disconnect()


async def test_an_expired_session_closes_its_socket_with_4401_without_being_told(operator_uralsk):
    def short_session() -> bytes:
        client, cookie = logged_in_client(operator_uralsk)
        session = client.session
        session.set_expiry(2)
        session.save()
        return cookie

    socket = await socket_with(await sync_to_async(short_session)())

    assert await closed_with(socket) == 4401


async def test_a_change_made_around_the_services_is_caught_by_the_periodic_recheck(operator_uralsk, settings):
    settings.LIVE_RECHECK_SECONDS = 0.5
    socket = await opened(operator_uralsk)

    await sync_to_async(User.objects.filter(pk=operator_uralsk.pk).update)(is_active=False)

    assert await closed_with(socket) == 4401


async def test_a_socket_of_a_user_without_scope_is_refused_with_4403():
    user = await sync_to_async(UserFactory)(role=Role.OPERATOR)
    socket = await connect(user)

    assert await refused_with(socket) == 4403


def test_scope_changes_are_audited_with_the_changed_fields(operator_uralsk, administrator):
    scope_before = AuditEntry.objects.count()
    user_scope_set(user=operator_uralsk, actor=administrator, centers=[center("uralsk")])  # no change
    user_scope_set(user=operator_uralsk, actor=administrator, districts=[district("terekti")])

    entry = AuditEntry.objects.get(action="user.scope_set")
    assert AuditEntry.objects.count() == scope_before + 1
    assert (entry.actor, entry.object_id) == (administrator, str(operator_uralsk.pk))
    assert entry.data == {"fields": ["districts"], "before": {"districts": []}, "after": {"districts": ["terekti"]}}


def test_role_deactivation_and_password_changes_are_audited_and_the_password_is_not(operator_uralsk, administrator):
    user_role_set(user=operator_uralsk, actor=administrator, role=Role.SUPERVISOR)
    user_deactivate(user=operator_uralsk, actor=administrator)
    user_password_set(user=operator_uralsk, actor=administrator, password="another-horse-battery")

    entries = {entry.action: entry.data for entry in AuditEntry.objects.filter(object_id=str(operator_uralsk.pk))}
    assert entries == {
        "user.role_set": {"fields": ["role"], "before": {"role": "operator"}, "after": {"role": "supervisor"}},
        "user.deactivate": {"fields": ["is_active"], "before": {"is_active": True}, "after": {"is_active": False}},
        "user.password_set": {"fields": ["password"]},
    }


def change_form_data(user: User, **changes) -> dict:
    joined = user.date_joined
    data = {
        "username": user.username, "first_name": user.first_name, "last_name": user.last_name,
        "email": user.email, "is_active": "on" if user.is_active else "", "role": user.role,
        "centers": [c.pk for c in user.centers.all()], "districts": [d.pk for d in user.districts.all()],
        "language": user.language, "phone": user.phone,
        "date_joined_0": joined.strftime("%Y-%m-%d"), "date_joined_1": joined.strftime("%H:%M:%S"),
    }  # fmt: skip
    data.update(changes)
    return {name: value for name, value in data.items() if value != ""}


def test_the_admin_changes_role_scope_and_access_through_the_audited_services(admin_client, operator_uralsk):
    url = f"/admin/opscenter/user/{operator_uralsk.pk}/change/"
    data = change_form_data(
        operator_uralsk, role=Role.SUPERVISOR, centers=[center("syrym").pk], is_active="", last_name="Ivanov"
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    operator_uralsk.refresh_from_db()
    assert (operator_uralsk.role, operator_uralsk.is_active, operator_uralsk.last_name) == (
        Role.SUPERVISOR,
        False,
        "Ivanov",
    )
    assert list(operator_uralsk.centers.values_list("code", flat=True)) == ["syrym"]
    entries = {e.action: e.data for e in AuditEntry.objects.filter(object_id=str(operator_uralsk.pk))}
    assert entries["user.role_set"]["after"] == {"role": "supervisor"}
    assert entries["user.deactivate"]["after"] == {"is_active": False}
    assert entries["user.scope_set"]["after"] == {"centers": ["syrym"]}
    # the form's date_joined drops the microseconds, so it counts as changed too
    assert [name for name in entries["admin.change"]["fields"] if name != "date_joined"] == ["last_name"]


def test_the_admins_password_form_goes_through_the_audited_service(admin_client, operator_uralsk):
    url = f"/admin/opscenter/user/{operator_uralsk.pk}/password/"
    password = "another-horse-battery-7"

    response = admin_client.post(url, {"password1": password, "password2": password, "usable_password": "true"})

    assert response.status_code == 302
    operator_uralsk.refresh_from_db()
    assert operator_uralsk.check_password(password)
    entry = AuditEntry.objects.get(action="user.password_set")
    assert (entry.actor.username, entry.data) == ("admin", {"fields": ["password"]})
