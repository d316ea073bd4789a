"""Factories for case notes (episodes come from tests.factories)."""

from __future__ import annotations

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.factories import PersonFactory, UserFactory
from waymark.casework.models import CaseNote, NoteKind


class CaseNoteFactory(DjangoModelFactory):
    class Meta:
        model = CaseNote

    person = factory.SubFactory(PersonFactory)
    service = factory.SelfAttribute("person.registered_by_service")
    author = factory.SubFactory(UserFactory)
    contact_at = factory.LazyFunction(timezone.now)
    kind = NoteKind.FACE_TO_FACE
    body = factory.Sequence(lambda n: f"Secret note text number {n}")
    signed_off_at = factory.LazyFunction(timezone.now)
