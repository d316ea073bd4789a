"""The page shell renders for every role and the person pages obey the access model."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import signed_in


@pytest.mark.parametrize(
    "who",
    ["outreach_worker", "hostel_worker", "refuge_worker", "viewer", "manager", "coordinator", "area_admin", "analyst"],
)
def test_home_renders_for_every_role(cast, who):
    response = signed_in(getattr(cast, who)).get(reverse("home"))
    assert response.status_code == 200
    assert b'href="#main-content"' in response.content


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_person_page_is_404_for_a_user_who_may_not_see_them(cast):
    url = reverse("people:detail", args=[cast.hidden_person.public_id])
    response = signed_in(cast.outreach_worker).get(url)
    assert response.status_code == 404
    assert b"Hana" not in response.content
    assert signed_in(cast.refuge_worker).get(url).status_code == 200


def test_protected_person_shows_only_whom_to_contact(cast):
    url = reverse("people:detail", args=[cast.protected_person.public_id])
    response = signed_in(cast.hostel_worker).get(url)
    assert response.status_code == 200
    assert b"Priya" not in response.content
    assert b"Safe Haven" in response.content


def test_reading_a_person_is_audited(cast):
    from waymark.audit.models import AuditEvent, AuditKind

    signed_in(cast.hostel_worker).get(reverse("people:detail", args=[cast.person.public_id]))
    event = AuditEvent.objects.get(kind=AuditKind.READ, person_id=cast.person.public_id)
    assert event.user_id == cast.hostel_worker.pk
    assert event.service_name == "Harbour House"
    assert event.ip_address == "127.0.0.1"
