"""Episodes and notes through the service functions: rules, validation, audit."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from tests.factories import EpisodeFactory, PersonFactory, member
from waymark.access.constants import Restriction, Role
from waymark.audit.models import AuditEvent, AuditKind
from waymark.casework import services
from waymark.casework.models import CaseNote, EndReason, Episode, NoteKind
from waymark.people.services import open_person

TODAY = datetime.date.today


def note(cast, user=None, service=None, person=None, **kw):
    return services.write_note(
        user or cast.outreach_worker,
        person or cast.person,
        service or cast.outreach,
        contact_at=kw.pop("contact_at", timezone.now() - datetime.timedelta(hours=1)),
        kind=kw.pop("kind", NoteKind.FACE_TO_FACE),
        body=kw.pop("body", "Met at the day centre."),
        **kw,
    )


# --- episodes -------------------------------------------------------------------------------


def test_a_worker_starts_an_episode_and_it_is_audited(cast):
    episode = services.start_episode(
        cast.hostel_worker, cast.person, cast.hostel, started_on=TODAY(), key_worker=cast.hostel_worker, reason="Bed"
    )
    assert episode.is_open and episode.key_worker == cast.hostel_worker
    event = AuditEvent.objects.get(kind=AuditKind.CREATE, object_id=str(episode.public_id))
    assert event.person_reference == cast.person.reference


def test_one_open_episode_per_service(cast):
    with pytest.raises(ValidationError) as exc:
        services.start_episode(cast.outreach_worker, cast.person, cast.outreach, started_on=TODAY())
    assert "already working" in str(exc.value.message_dict["service"])


def test_start_date_cannot_be_in_the_future(cast):
    with pytest.raises(ValidationError) as exc:
        services.start_episode(
            cast.hostel_worker, cast.person, cast.hostel, started_on=TODAY() + datetime.timedelta(days=1)
        )
    assert "started_on" in exc.value.message_dict


def test_viewers_and_other_services_cannot_start_episodes(cast):
    with pytest.raises(PermissionDenied):
        services.start_episode(cast.viewer, cast.person, cast.hostel, started_on=TODAY())
    with pytest.raises(PermissionDenied):
        services.start_episode(cast.outreach_worker, cast.person, cast.hostel, started_on=TODAY())


def test_a_protected_person_seen_only_as_existing_cannot_be_taken_on(cast):
    with pytest.raises(Http404):
        services.start_episode(cast.hostel_worker, cast.protected_person, cast.hostel, started_on=TODAY())
    with pytest.raises(Http404):
        services.start_episode(cast.hostel_worker, cast.hidden_person, cast.hostel, started_on=TODAY())


def test_the_registering_service_may_start_work_with_a_hidden_person_it_cannot_yet_see(cast):
    hidden = PersonFactory(registered_by_service=cast.refuge, restriction=Restriction.HIDDEN)
    episode = services.start_episode(cast.refuge_worker, hidden, cast.refuge, started_on=TODAY())
    assert episode.is_open


def test_an_area_admin_may_start_for_any_service(cast):
    episode = services.start_episode(cast.area_admin, cast.person, cast.hostel, started_on=TODAY())
    assert episode.service == cast.hostel


def test_the_key_worker_must_be_a_current_worker_of_the_service(cast):
    episode = cast.person.episodes.get()
    with pytest.raises(ValidationError):
        services.change_key_worker(cast.outreach_worker, episode, cast.hostel_worker)
    services.change_key_worker(cast.outreach_worker, episode, cast.outreach_worker, version=episode.version)
    event = AuditEvent.objects.filter(kind=AuditKind.CHANGE).latest("id")
    assert event.detail["key_worker"] == [None, "olive.outreach"]


def test_a_stale_key_worker_change_is_refused(cast):
    episode = cast.person.episodes.get()
    services.change_key_worker(cast.outreach_worker, episode, cast.outreach_worker, version=1)
    stale = Episode.objects.get(pk=episode.pk)
    with pytest.raises(services.StaleRecord):
        services.change_key_worker(cast.outreach_worker, stale, None, version=1)
    assert Episode.objects.get(pk=episode.pk).key_worker == cast.outreach_worker


def test_ending_an_episode_checks_dates_and_reason_and_keeps_history(cast):
    episode = EpisodeFactory(person=cast.person, service=cast.hostel, started_on=TODAY() - datetime.timedelta(days=5))
    with pytest.raises(ValidationError) as exc:
        services.end_episode(
            cast.hostel_worker, episode, ended_on=TODAY() - datetime.timedelta(days=6), reason=EndReason.EVICTED
        )
    assert "ended_on" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.end_episode(cast.hostel_worker, episode, ended_on=TODAY() + datetime.timedelta(days=1), reason="x")
    with pytest.raises(ValidationError) as exc:
        services.end_episode(cast.hostel_worker, episode, ended_on=TODAY(), reason=EndReason.OTHER)
    assert "detail" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        services.end_episode(cast.outreach_worker, episode, ended_on=TODAY(), reason=EndReason.EVICTED)
    services.end_episode(cast.hostel_worker, episode, ended_on=TODAY(), reason=EndReason.EVICTED, detail="Arrears")
    episode.refresh_from_db()
    assert episode.ended_on == TODAY() and episode.end_reason == "Evicted" and episode.end_detail == "Arrears"
    # A person returning gets a new episode; the old one stays.
    again = services.start_episode(cast.hostel_worker, cast.person, cast.hostel, started_on=TODAY())
    assert again.pk != episode.pk
    assert cast.person.episodes.filter(service=cast.hostel).count() == 2


# --- notes ----------------------------------------------------------------------------------------


def test_a_worker_writes_a_signed_off_audited_note(cast):
    written = note(cast, private_to_service=True)
    assert written.signed_off_at is not None and written.author == cast.outreach_worker
    event = AuditEvent.objects.get(kind=AuditKind.CREATE, object_id=str(written.public_id))
    assert event.detail["private_to_service"] is True
    assert "Met at the day centre" not in str(event.detail)


def test_only_a_service_working_with_the_person_writes_notes(cast):
    with pytest.raises(PermissionDenied):
        note(cast, user=cast.hostel_worker, service=cast.hostel)
    with pytest.raises(PermissionDenied):
        note(cast, user=cast.viewer, service=cast.outreach)
    with pytest.raises(PermissionDenied):  # acting for a service that is not theirs
        note(cast, user=cast.hostel_worker, service=cast.outreach)


def test_a_note_needs_a_body_a_known_kind_and_a_past_time(cast):
    with pytest.raises(ValidationError) as exc:
        note(cast, body="   ", kind="gossip", contact_at=timezone.now() + datetime.timedelta(days=1))
    assert set(exc.value.message_dict) == {"body", "kind", "contact_at"}


def test_mentions_are_people_the_writer_may_see_stored_by_reference(cast):
    other = PersonFactory(registered_by_service=cast.outreach, first_name="Mentioned", last_name="Person")
    written = note(cast, mentions=[other.reference.lower()])
    assert list(written.mentions.all()) == [other]
    for hidden in (cast.hidden_person.reference, "WM-ZZZZZ"):
        with pytest.raises(ValidationError) as exc:
            note(cast, mentions=[hidden])
        assert "mentions" in exc.value.message_dict
    # A protected person the writer knows exists may be mentioned by reference.
    assert note(cast, mentions=[cast.protected_person.reference]).mentions.count() == 1


def test_an_amendment_keeps_the_original(cast):
    original = note(cast, body="Wrong bus station.")
    amendment = services.amend_note(cast.outreach_worker, original, body="The coach station, not the bus station.")
    original.refresh_from_db()
    assert original.body == "Wrong bus station." and amendment.amends == original
    assert amendment.kind == original.kind and amendment.contact_at == original.contact_at
    kinds = set(AuditEvent.objects.filter(person_id=cast.person.public_id).values_list("kind", flat=True))
    assert {AuditKind.CREATE, AuditKind.CHANGE} <= kinds
    with pytest.raises(PermissionDenied):
        services.amend_note(cast.hostel_worker, original, body="Not mine to amend")
    other_worker = member(Role.CONTRIBUTOR, cast.outreach, username="oscar.outreach", area=cast.area)
    assert services.amend_note(other_worker, original, body="A colleague's correction").amends == original


def test_notes_for_flags_reads_by_those_not_working_with_the_person(cast):
    note(cast)
    view = open_person(cast.hostel_worker, cast.person.public_id)
    read = services.notes_for(cast.hostel_worker, view)
    assert read.not_working_with
    assert [n.text_readable for n in read.notes] == [False]
    event = AuditEvent.objects.filter(username="harry.hostel").latest("id")
    assert event.kind == AuditKind.READ and event.detail == {"flag": "not_working_with"}
    view = open_person(cast.outreach_worker, cast.person.public_id)
    assert not services.notes_for(cast.outreach_worker, view).not_working_with
    assert AuditEvent.objects.filter(username="olive.outreach").latest("id").detail == {}


def test_notes_visible_to_follows_the_person(cast):
    note(cast)
    assert CaseNote.objects.visible_to(cast.solo_worker).count() == 0
    assert CaseNote.objects.visible_to(cast.analyst).count() == 0
    assert CaseNote.objects.visible_to(cast.outsider).count() == 0
    assert CaseNote.objects.visible_to(cast.viewer).count() == 1
