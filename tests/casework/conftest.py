"""Casework fixtures: a few notes on the cast's people."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.casework.factories import CaseNoteFactory


@pytest.fixture
def notes(cast):
    """Notes on Dan Moss (worked with by outreach) and Priya Shah (refuge, protected)."""
    now = timezone.now()
    return {
        "shared": CaseNoteFactory(
            person=cast.person,
            service=cast.outreach,
            author=cast.outreach_worker,
            body="SHARED-NOTE-TEXT slept at the bus station",
            contact_at=now - datetime.timedelta(hours=3),
        ),
        "private": CaseNoteFactory(
            person=cast.person,
            service=cast.outreach,
            author=cast.outreach_worker,
            body="PRIVATE-NOTE-TEXT disclosed something",
            private_to_service=True,
            contact_at=now - datetime.timedelta(hours=2),
        ),
        "refuge": CaseNoteFactory(
            person=cast.protected_person,
            service=cast.refuge,
            author=cast.refuge_worker,
            body="REFUGE-NOTE-TEXT room 4",
            contact_at=now - datetime.timedelta(hours=1),
        ),
    }
