"""Waymark: one shared record for every homelessness service in an area."""

from waymark.celery import app as celery_app

__all__ = ("celery_app",)
