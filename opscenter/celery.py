"""The Celery application: outbox delivery, escalation, supervision and other background work."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "opscenter.settings")

app = Celery("opscenter")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
