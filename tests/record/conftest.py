"""Helpers for the record-protection tests: a refuge manager, notes, and glass."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from tests.factories import member
from waymark.access.constants import Role
from waymark.casework.models import CaseNote, NoteKind


@pytest.fixture
def refuge_manager(cast):
    """A manager of the refuge: the service owning the protected and hidden people."""
    return member(
        Role.MANAGER, cast.refuge, username="rae.refugemanager", area=cast.area, organisation=cast.refuge.organisation
    )


def note(person, service, author, body="Talked about moving on.", private=False):
    """A signed-off case note, written straight to the table (casework's own services are B's)."""
    now = timezone.now()
    return CaseNote.objects.create(
        person=person,
        service=service,
        author=author,
        contact_at=now - datetime.timedelta(hours=1),
        kind=NoteKind.FACE_TO_FACE,
        body=body,
        private_to_service=private,
        signed_off_at=now,
    )


def same_page(first, second) -> bool:
    """Two responses are the same page, apart from the per-render CSRF tokens."""
    import re

    token = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"')
    return token.sub(b"", first.content) == token.sub(b"", second.content)
