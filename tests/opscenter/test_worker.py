"""The outbox delivered by a real Celery worker through the real Redis broker."""

import os
import threading
import uuid

import pytest
from celery.contrib.testing.worker import start_worker
from django.db import transaction

from opscenter.celery import app
from opscenter.models import OutboxMessage, OutboxStatus
from opscenter.services import outbox
from opscenter.services.outbox import outbox_enqueue, outbox_register_sender

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


@pytest.fixture
def redis_worker(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", REDIS_URL)
    monkeypatch.setitem(app.conf, "result_backend", None)
    queue = f"test-{uuid.uuid4().hex}"  # alone on the broker: every task goes to a queue of this test's
    monkeypatch.setitem(app.conf, "task_default_queue", queue)
    monkeypatch.setitem(app.conf, "task_routes", {"*": {"queue": queue}})
    _reconnect(app)  # an earlier test may have connected the producers to the in-memory broker
    app.loader.import_default_modules()  # the project's tasks, as `celery worker` imports them at its start
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
        yield
    monkeypatch.undo()
    _reconnect(app)


def _reconnect(app) -> None:
    app.close()  # closes the connection pool; the next send connects to the broker configured now
    app.amqp._producer_pool = None
    app.amqp.flush_routes()  # and routes and consumes by the task_routes and task_default_queue configured now
    for cached in ("router", "queues", "default_queue"):
        app.amqp.__dict__.pop(cached, None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_delivers_the_message_after_its_cause_commits(redis_worker, monkeypatch):
    delivered = threading.Event()
    seen = []
    monkeypatch.setattr(outbox, "_senders", {})

    def send(message):
        seen.append(message.payload)
        delivered.set()

    outbox_register_sender("test", send)

    with transaction.atomic():
        message = outbox_enqueue(channel="test", payload={"case": "ZKO-2026-000001"})

    assert delivered.wait(timeout=20), "the worker never delivered the message"
    assert seen == [{"case": "ZKO-2026-000001"}]
    message = OutboxMessage.objects.get(pk=message.pk)
    for _ in range(100):
        if message.status != OutboxStatus.PENDING:
            break
        delivered.wait(0.05)
        message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED
