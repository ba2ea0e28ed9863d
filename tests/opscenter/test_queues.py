"""Celery queues per kind of work, so that escalation never waits behind deliveries, and time limits that
cut a hanging delivery off (a real prefork worker, a real partner that hangs)."""

import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.db import connection
from django.utils import timezone

from opscenter.celery import app
from opscenter.models import OutboxAttempt, OutboxMessage, OutboxStatus

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(
    ("task_name", "queue"),
    [
        ("opscenter.tasks.deliver_outbox_message", "deliveries"),
        ("opscenter.tasks.deliver_due_outbox", "deliveries"),
        ("opscenter.tasks.escalate_alerts", "escalation"),
        ("alarms.tasks.supervise_panels", "escalation"),
        ("alarms.tasks.alert_due_events", "escalation"),
        ("bracelets.tasks.supervise_bracelets", "escalation"),
        ("cameras.tasks.read_plates", "recognition"),
        ("appeals.tasks.purge_leftovers", "default"),
        ("bracelets.tasks.purge_positions", "default"),
        ("some.future.task", "default"),
    ],
)
def test_each_kind_of_work_goes_to_its_own_queue(task_name, queue):
    assert queue_of(task_name) == queue


def compose_workers() -> dict[str, set[str]]:
    """The queues each Celery worker service of docker-compose.yml consumes."""
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    workers = {}
    for name, service in services.items():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "opscenter", "worker"]:
            workers[name] = set(command[command.index("-Q") + 1].split(","))
    return workers


def test_compose_runs_a_worker_per_queue_group_and_escalation_never_shares_with_deliveries():
    workers = compose_workers()
    consumed = [queue for queues in workers.values() for queue in queues]
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()} | {settings.CELERY_TASK_DEFAULT_QUEUE}
    assert routed <= set(consumed), "a queue that tasks go to but no worker consumes"
    assert len(consumed) == len(set(consumed)), "a queue consumed by two worker services"
    for queues in workers.values():
        assert not {"deliveries", "escalation"} <= queues
    for task in settings.CELERY_BEAT_SCHEDULE.values():
        assert queue_of(task["task"]) in consumed


def test_deliveries_and_escalation_have_time_limits_and_a_killed_delivery_frees_its_lease_after():
    annotations = app.conf.task_annotations
    delivery = annotations["opscenter.tasks.deliver_outbox_message"]
    assert (delivery["soft_time_limit"], delivery["time_limit"]) == (30, 45)
    assert annotations["opscenter.tasks.deliver_due_outbox"] == delivery
    for name in (
        "opscenter.tasks.escalate_alerts",
        "alarms.tasks.supervise_panels",
        "bracelets.tasks.supervise_bracelets",
    ):
        assert (annotations[name]["soft_time_limit"], annotations[name]["time_limit"]) == (20, 30)
    assert delivery["time_limit"] < settings.OUTBOX_LEASE_SECONDS
    assert (app.conf.task_soft_time_limit, app.conf.task_time_limit) == (300, 360)


@pytest.fixture
def broker(monkeypatch):
    """This process sends tasks to the real broker (Redis) instead of running them in-process."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", REDIS_URL)
    app.close()
    app.amqp._producer_pool = None
    yield
    monkeypatch.undo()
    app.close()
    app.amqp._producer_pool = None


def worker_environment(**extra) -> dict[str, str]:
    """The worker process uses this test's database and broker."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "SQLITE_"))}
    database = connection.settings_dict["NAME"]
    if connection.vendor == "postgresql":
        base["DATABASE_URL"] = re.sub(r"/[^/]*$", f"/{database}", os.environ["DATABASE_URL"])
    else:
        base["SQLITE_PATH"] = str(database)
    return {**base, "REDIS_URL": REDIS_URL, "DJANGO_SETTINGS_MODULE": "opscenter.settings", **extra}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_delivery_hanging_past_its_soft_time_limit_is_cut_off_recorded_and_retried(broker, monkeypatch, settings):
    from appeals.services.partners import partner_create
    from appeals.services.webhooks import WEBHOOK_CHANNEL
    from tests.appeals.receiver import WebhookReceiver, receiver_pki, trust_the_receiver

    trust_the_receiver(monkeypatch, settings)
    receiver = WebhookReceiver(hang_seconds=60).start()  # the partner takes the request and never answers
    partner, _credentials = partner_create(code="slow", name="Slow partner", webhook_url=receiver.ip_url)
    message = OutboxMessage.objects.create(
        channel=WEBHOOK_CHANNEL,
        destination=receiver.ip_url,
        payload={
            "partner": partner.pk,
            "type": "appeal.status_changed",
            "timestamp": timezone.now().isoformat(),
            "data": {},
        },
        created_at=timezone.now(),
        next_attempt_at=timezone.now(),
    )
    queue = f"test-deliveries-{uuid.uuid4().hex}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "opscenter",
            "worker",
            "-P",
            "prefork",
            "-c",
            "1",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=ROOT,
        env=worker_environment(OUTBOUND_ALLOW_PRIVATE_TARGETS="True", OUTBOUND_CA_BUNDLE=str(receiver_pki().ca_path)),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        # The limits of this one message, shorter than the configured ones (30 s, 45 s) and than the
        # webhook's read timeout (10 s): the soft limit is what ends the send.
        app.send_task(
            "opscenter.tasks.deliver_outbox_message",
            args=[str(message.pk)],
            queue=queue,
            soft_time_limit=1,
            time_limit=20,
        )
        deadline = time.monotonic() + 90
        attempt = None
        while time.monotonic() < deadline and worker.poll() is None:
            attempt = OutboxAttempt.objects.filter(message=message, finished_at__isnull=False).first()
            if attempt is not None:
                break
            time.sleep(0.2)
    finally:
        worker.terminate()
        output, _ = worker.communicate(timeout=30)
        receiver.stop()
    assert attempt is not None, f"no attempt was recorded; the worker said:\n{output}"
    assert receiver.received, "the request never reached the partner"
    assert attempt.error.startswith("SoftTimeLimitExceeded"), attempt.error
    message.refresh_from_db()
    assert (message.status, message.attempts, message.claim_token) == (OutboxStatus.PENDING, 1, None)
    assert message.next_attempt_at > attempt.finished_at  # retried later, with backoff


def test_a_lease_shorter_than_the_deliveries_hard_limit_fails_the_system_check(settings):
    from django.core.checks import run_checks

    assert [error.id for error in run_checks() if error.id.startswith("opscenter.E")] == []
    settings.OUTBOX_LEASE_SECONDS = 45
    assert "opscenter.E001" in [error.id for error in run_checks()]


def test_private_outbound_targets_are_flagged_by_the_deploy_check(settings):
    from django.core.checks import run_checks

    settings.OUTBOUND_ALLOW_PRIVATE_TARGETS = True
    assert "opscenter.W001" in [error.id for error in run_checks(include_deployment_checks=True)]
