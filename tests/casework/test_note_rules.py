"""The note-text rule: the pure statement, and that the queryset agrees with it."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.casework.factories import CaseNoteFactory
from tests.factories import EpisodeFactory
from waymark.access import rules
from waymark.access.constants import Role
from waymark.access.models import BreakGlass
from waymark.access.rules import AccessContext, NoteFacts, note_text_readable
from waymark.casework.models import CaseNote

WRITER = AccessContext(user_id=1, area_id=1, service_ids=frozenset({10}), writing_service_ids=frozenset({10}))
VIEWER = AccessContext(user_id=2, area_id=1, service_ids=frozenset({10}))


def test_the_authoring_service_reads_its_notes_even_private_ones():
    assert note_text_readable(WRITER, NoteFacts(service_id=10, private_to_service=True))


def test_a_service_working_with_the_person_reads_shared_notes_only():
    working = NoteFacts(service_id=20, open_service_ids=frozenset({10}))
    assert note_text_readable(WRITER, working)
    assert not note_text_readable(WRITER, NoteFacts(service_id=20, private_to_service=True, open_service_ids={10}))


def test_viewers_area_admins_and_others_see_no_text():
    assert not note_text_readable(VIEWER, NoteFacts(service_id=10, open_service_ids=frozenset({10})))
    admin = AccessContext(user_id=3, area_id=1, area_roles=frozenset({Role.AREA_ADMIN}))
    assert not note_text_readable(admin, NoteFacts(service_id=10))
    assert not note_text_readable(WRITER, NoteFacts(service_id=20))
    assert not note_text_readable(rules.ANONYMOUS, NoteFacts(service_id=10, notes_glass=True))


def test_notes_break_glass_reads_shared_notes_but_never_private_ones():
    assert note_text_readable(WRITER, NoteFacts(service_id=20, notes_glass=True))
    assert not note_text_readable(WRITER, NoteFacts(service_id=20, private_to_service=True, notes_glass=True))


# --- the queryset agrees with the pure function -------------------------------------------


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    author_service=st.sampled_from(["outreach", "hostel", "refuge"]),
    private=st.booleans(),
    open_services=st.sets(st.sampled_from(["outreach", "hostel", "refuge"])),
    user=st.sampled_from(["outreach_worker", "hostel_worker", "manager", "viewer", "area_admin", "coordinator"]),
    glass=st.booleans(),
)
def test_the_queryset_and_the_pure_rule_agree(cast, author_service, private, open_services, user, glass):
    person = cast.person
    person.episodes.all().delete()
    BreakGlass.objects.filter(person=person).delete()
    CaseNote.objects.filter(person=person).delete()
    for name in open_services:
        EpisodeFactory(person=person, service=getattr(cast, name))
    reader = getattr(cast, user)
    if glass:
        BreakGlass.objects.create(
            user=reader,
            service=cast.outreach,
            person=person,
            area=cast.area,
            scope="notes",
            reason="safeguarding",
            explanation="test",
            expires_at=timezone.now() + datetime.timedelta(hours=4),
        )
    note = CaseNoteFactory(person=person, service=getattr(cast, author_service), private_to_service=private)
    reader = type(reader).objects.get(pk=reader.pk)  # a fresh user: no cached access context
    ctx = rules.context_for(reader)
    expected = note_text_readable(ctx, rules.note_facts_for(note, reader))
    annotated = CaseNote.objects.visible_to(reader).with_text_access(reader).filter(pk=note.pk).first()
    if annotated is None:  # the person is out of sight altogether: no text either
        assert not expected or not ctx.is_authenticated
        return
    assert annotated.text_readable == expected
