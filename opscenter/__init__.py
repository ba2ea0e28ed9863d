"""Opscenter: the project package and the spine every subsystem app calls (see DESIGN.md)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
