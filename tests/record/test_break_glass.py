"""Break-glass: who may, on whom (never a hidden person), what is recorded, and what it unlocks."""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.api.conftest import assert_error, token_client
from tests.conftest import signed_in
from tests.record.conftest import note, same_page
from waymark.access.models import BreakGlass
from waymark.access.services_record import break_glass
from waymark.audit.models import AuditEvent, AuditKind
from waymark.core.context import acting_as

WHY = "She has not returned to the hostel for three nights and we are worried."


def _glass(user, person, scope="identity", reason="missing", explanation=WHY, service=None):
    with acting_as(user=user, service=service):
        return break_glass(user, person, scope, reason, explanation)


def _url(person, scope="identity"):
    return reverse("record:break_glass", args=[person.public_id]) + f"?scope={scope}"


def _post(person, scope="identity", reason="missing", explanation=WHY, confirm="on"):
    data = {"scope": scope, "reason": reason, "explanation": explanation}
    if confirm:
        data["confirm"] = confirm
    return data


# --- the service function ------------------------------------------------------------------------------


def test_a_contributor_may_break_the_glass_on_a_protected_person(cast):
    before = timezone.now()
    glass = _glass(cast.hostel_worker, cast.protected_person)
    assert glass.user == cast.hostel_worker and glass.service == cast.hostel
    assert glass.person == cast.protected_person and glass.area == cast.area
    assert glass.scope == "identity" and glass.reason == "missing" and glass.explanation == WHY
    assert before + datetime.timedelta(hours=4) <= glass.expires_at <= timezone.now() + datetime.timedelta(hours=4)
    event = AuditEvent.objects.get(kind=AuditKind.BREAK_GLASS)
    assert event.person_reference == cast.protected_person.reference
    assert event.username == "harry.hostel" and event.service_name == "Harbour House"
    assert event.detail["event"] == "granted" and event.detail["explanation"] == WHY


def test_a_manager_may_too(cast):
    assert _glass(cast.manager, cast.protected_person).service == cast.hostel


@pytest.mark.parametrize("who", ["viewer", "analyst", "area_admin", "coordinator", "outsider"])
def test_viewers_analysts_and_area_roles_may_not(cast, who):
    with pytest.raises((PermissionDenied, Http404)):
        _glass(getattr(cast, who), cast.protected_person)
    assert not BreakGlass.objects.exists()


def test_never_for_a_hidden_person_whoever_asks(cast):
    for user in (cast.hostel_worker, cast.outreach_worker, cast.solo_worker):
        with pytest.raises(Http404):
            _glass(user, cast.hidden_person)
    # Even the refuge, which works with her: a hidden record is never opened by glass.
    with pytest.raises(Http404):
        _glass(cast.refuge_worker, cast.hidden_person)
    assert not BreakGlass.objects.exists()
    assert not AuditEvent.objects.filter(kind=AuditKind.BREAK_GLASS).exists()


def test_a_person_out_of_sight_is_not_found(cast):
    with pytest.raises(Http404):
        _glass(cast.solo_worker, cast.protected_person)  # Solo Trust shares nothing


def test_a_pointless_request_is_refused_with_a_clear_message(cast):
    with pytest.raises(ValidationError, match="already see who this person is"):
        _glass(cast.outreach_worker, cast.person)
    with pytest.raises(ValidationError, match="already see who this person is"):
        _glass(cast.refuge_worker, cast.protected_person)
    with pytest.raises(ValidationError, match="no case notes"):
        _glass(cast.hostel_worker, cast.person, scope="notes")
    assert not BreakGlass.objects.exists()


def test_notes_glass_when_some_note_text_is_withheld(cast):
    note(cast.person, cast.outreach, cast.outreach_worker, body="Shared with partners")
    glass = _glass(cast.hostel_worker, cast.person, scope="notes")
    assert glass.scope == "notes"
    # The outreach team writes with an open episode: it reads every shared note already.
    with pytest.raises(ValidationError, match="no case notes"):
        _glass(cast.outreach_worker, cast.person, scope="notes")


def test_private_notes_are_not_a_reason_for_notes_glass(cast):
    note(cast.person, cast.outreach, cast.outreach_worker, body="Only ours", private=True)
    with pytest.raises(ValidationError, match="no case notes"):
        _glass(cast.hostel_worker, cast.person, scope="notes")


def test_an_explanation_is_required_and_other_needs_more(cast):
    with pytest.raises(ValidationError) as error:
        _glass(cast.hostel_worker, cast.protected_person, explanation="   ")
    assert "explanation" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        _glass(cast.hostel_worker, cast.protected_person, reason="other", explanation="Need to know.")
    assert "Other" in error.value.message_dict["explanation"][0]
    with pytest.raises(ValidationError) as error:
        _glass(cast.hostel_worker, cast.protected_person, reason="curiosity")
    assert "reason" in error.value.message_dict
    _glass(cast.hostel_worker, cast.protected_person, reason="other", explanation=WHY)


def test_asking_twice_while_the_glass_lasts_is_refused(cast):
    _glass(cast.hostel_worker, cast.protected_person)
    with pytest.raises(ValidationError, match="already broke the glass"):
        _glass(cast.hostel_worker, cast.protected_person)
    BreakGlass.objects.update(expires_at=timezone.now() - datetime.timedelta(minutes=1))
    _glass(cast.hostel_worker, cast.protected_person)
    assert BreakGlass.objects.count() == 2


# --- the page ---------------------------------------------------------------------------------------------


def test_the_page_warns_and_asks_for_a_reason(cast):
    response = signed_in(cast.hostel_worker).get(_url(cast.protected_person))
    assert response.status_code == 200
    content = response.content.decode()
    assert "recorded, and shown to the services working with this person and to area admins" in content
    assert 'type="radio" value="missing"' in content
    assert 'value="identity" checked' in content
    assert "Priya" not in content and "Shah" not in content


def test_the_page_breaks_the_glass_and_goes_to_the_record(cast):
    client = signed_in(cast.hostel_worker)
    response = client.post(_url(cast.protected_person), _post(cast.protected_person))
    assert response.status_code == 302
    assert response["Location"] == reverse("people:detail", args=[cast.protected_person.public_id])
    assert BreakGlass.objects.filter(user=cast.hostel_worker, scope="identity").count() == 1


def test_notes_glass_goes_to_the_notes(cast):
    note(cast.person, cast.outreach, cast.outreach_worker)
    response = signed_in(cast.hostel_worker).post(_url(cast.person, "notes"), _post(cast.person, scope="notes"))
    assert response.status_code == 302
    assert response["Location"] == reverse("casework:notes", args=[cast.person.public_id])


def test_errors_are_next_to_the_fields_and_the_input_is_kept(cast):
    client = signed_in(cast.hostel_worker)
    response = client.post(_url(cast.protected_person), _post(cast.protected_person, reason="", confirm=""))
    assert response.status_code == 400
    content = response.content.decode()
    assert 'id="id_reason-error"' in content
    assert 'id="id_confirm-error"' in content
    assert WHY in content
    assert '<a href="#id_reason_0">' in content
    short = client.post(_url(cast.protected_person), _post(cast.protected_person, reason="other", explanation="Why"))
    assert short.status_code == 400
    assert 'id="id_explanation-error"' in short.content.decode()
    assert 'value="other" checked' in short.content.decode()
    assert not BreakGlass.objects.exists()


def test_a_pointless_request_shows_why_instead_of_the_form(cast):
    response = signed_in(cast.outreach_worker).get(_url(cast.person))
    assert response.status_code == 200
    assert b"already see who this person is" in response.content
    assert b"Break the glass and see it" not in response.content


@pytest.mark.parametrize("who", ["viewer", "analyst", "area_admin", "coordinator", "outsider"])
def test_the_page_refuses_those_who_may_not(cast, who):
    assert signed_in(getattr(cast, who)).get(_url(cast.protected_person)).status_code == 403


def test_the_page_for_a_hidden_person_is_exactly_a_missing_one(cast):
    client = signed_in(cast.hostel_worker)
    hidden = client.get(_url(cast.hidden_person))
    missing = client.get(reverse("record:break_glass", args=[uuid.uuid4()]) + "?scope=identity")
    assert hidden.status_code == missing.status_code == 404
    assert same_page(hidden, missing)
    posted = client.post(_url(cast.hidden_person), _post(cast.hidden_person))
    assert posted.status_code == 404
    assert not BreakGlass.objects.exists()


def test_anonymous_is_sent_to_sign_in(cast):
    response = Client().get(_url(cast.protected_person))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- the API -------------------------------------------------------------------------------------------------


def _body(person, **changes):
    return {"person": str(person.public_id), "scope": "identity", "reason": "missing", "explanation": WHY, **changes}


def test_the_api_breaks_the_glass(cast):
    response = token_client(cast.hostel_worker).post("/api/v1/break-glass/", _body(cast.protected_person))
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["person"] == str(cast.protected_person.public_id)
    assert body["person_reference"] == cast.protected_person.reference
    assert body["service_name"] == "Harbour House" and body["username"] == "harry.hostel"
    assert "Priya" not in response.content.decode()
    assert AuditEvent.objects.filter(kind=AuditKind.BREAK_GLASS).count() == 1


def test_the_api_answers_a_hidden_person_exactly_as_a_missing_one(cast):
    client = token_client(cast.hostel_worker)
    hidden = client.post("/api/v1/break-glass/", _body(cast.hidden_person))
    missing = client.post("/api/v1/break-glass/", {**_body(cast.hidden_person), "person": str(uuid.uuid4())})
    assert_error(hidden, 404, "not_found")
    assert hidden.json() == missing.json()
    assert not BreakGlass.objects.exists()


def test_the_api_refuses_viewers_analysts_and_outsiders(cast):
    for user in (cast.viewer, cast.analyst, cast.area_admin, cast.outsider):
        assert_error(token_client(user).post("/api/v1/break-glass/", _body(cast.protected_person)), 403)
    assert_error(APIClient().post("/api/v1/break-glass/", _body(cast.protected_person), format="json"), 401)
    assert_error(token_client(cast.solo_worker).post("/api/v1/break-glass/", _body(cast.protected_person)), 404)
    assert not BreakGlass.objects.exists()


def test_the_api_says_which_field_is_wrong(cast):
    client = token_client(cast.hostel_worker)
    error = assert_error(client.post("/api/v1/break-glass/", _body(cast.protected_person, explanation="")), 400)
    assert "explanation" in error["fields"]
    error = assert_error(client.post("/api/v1/break-glass/", _body(cast.person)), 400)
    assert "already see who this person is" in error["fields"]["scope"][0]


# --- what the glass unlocks (A's person page and B's notes, through our lookups) ----------------------------


def test_identity_glass_turns_the_protected_page_into_the_full_record_with_a_flag(cast):
    client = signed_in(cast.hostel_worker)
    url = reverse("people:detail", args=[cast.protected_person.public_id])
    assert b"Priya" not in client.get(url).content
    client.post(_url(cast.protected_person), _post(cast.protected_person))
    page = client.get(url)
    assert page.status_code == 200
    assert b"Priya" in page.content
    assert b"because you broke the glass" in page.content
    reads = AuditEvent.objects.filter(kind=AuditKind.BREAK_GLASS, person_id=cast.protected_person.public_id)
    assert reads.count() == 2  # the grant and the read


def test_identity_glass_shows_the_full_record_in_the_api(cast):
    client = token_client(cast.hostel_worker)
    url = f"/api/v1/people/{cast.protected_person.public_id}/"
    assert client.get(url).json()["visibility"] == "exists"
    client.post("/api/v1/break-glass/", _body(cast.protected_person))
    body = client.get(url).json()
    assert body["visibility"] == "full"
    assert body["first_name"] == "Priya"


def test_glass_is_personal_and_other_users_still_see_only_that_a_record_exists(cast):
    _glass(cast.hostel_worker, cast.protected_person)
    content = (
        signed_in(cast.outreach_worker).get(reverse("people:detail", args=[cast.protected_person.public_id])).content
    )
    assert b"Priya" not in content


def test_notes_glass_shows_the_note_text(cast):
    note(cast.person, cast.outreach, cast.outreach_worker, body="Wants to reconnect with his sister")
    client = signed_in(cast.hostel_worker)
    notes_url = reverse("casework:notes", args=[cast.person.public_id])
    assert b"reconnect with his sister" not in client.get(notes_url).content
    client.post(_url(cast.person, "notes"), _post(cast.person, scope="notes"))
    assert b"reconnect with his sister" in client.get(notes_url).content


def test_a_glass_stops_working_when_the_person_is_hidden(cast):
    from waymark.access.breakglass import active_glass, glass_people_q
    from waymark.access.services_record import change_restriction
    from waymark.people.models import Person

    _glass(cast.hostel_worker, cast.protected_person)
    assert active_glass(cast.hostel_worker, cast.protected_person, "identity") is not None
    with acting_as(user=cast.refuge_worker, service=cast.refuge):
        change_restriction(cast.refuge_worker, cast.protected_person, "hidden")
    stale = Person.objects.get(pk=cast.protected_person.pk)
    stale.restriction = "protected"  # an object read before the change: the database still decides
    assert active_glass(cast.hostel_worker, stale, "identity") is None
    assert not Person.objects.filter(glass_people_q(cast.hostel_worker, "identity")).exists()
    page = signed_in(cast.hostel_worker).get(reverse("people:detail", args=[cast.protected_person.public_id]))
    assert page.status_code == 404


def test_glass_ends_when_the_worker_no_longer_writes_for_the_service(cast):
    from waymark.access.breakglass import active_glass
    from waymark.access.models import Membership

    _glass(cast.hostel_worker, cast.protected_person)
    assert active_glass(cast.hostel_worker, cast.protected_person, "identity") is not None
    Membership.objects.filter(user=cast.hostel_worker).update(role="viewer")
    demoted = type(cast.hostel_worker).objects.get(pk=cast.hostel_worker.pk)  # a new request
    assert active_glass(demoted, cast.protected_person, "identity") is None
    assert (
        b"Priya" not in signed_in(demoted).get(reverse("people:detail", args=[cast.protected_person.public_id])).content
    )
