"""A user in several services picks which one they act for; audit events name it."""

from __future__ import annotations

from django.urls import reverse

from tests.conftest import signed_in
from waymark.access.constants import Role
from waymark.access.models import Membership
from waymark.audit.models import AuditEvent, AuditKind


def test_the_switcher_appears_only_for_users_in_several_services(cast):
    assert b'id="switch-service"' not in signed_in(cast.hostel_worker).get("/").content
    Membership.objects.create(user=cast.hostel_worker, area=cast.area, service=cast.outreach, role=Role.CONTRIBUTOR)
    assert b'id="switch-service"' in signed_in(cast.hostel_worker).get("/").content


def test_switching_changes_the_service_named_in_the_audit_log(cast):
    Membership.objects.create(user=cast.hostel_worker, area=cast.area, service=cast.outreach, role=Role.CONTRIBUTOR)
    client = signed_in(cast.hostel_worker)
    response = client.post(reverse("switch-service"), {"service": str(cast.outreach.public_id), "next": "/people/"})
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    assert b"acting for <strong>Northway Street Team</strong>" in client.get("/").content
    client.get(reverse("people:detail", args=[cast.person.public_id]))
    event = AuditEvent.objects.filter(kind=AuditKind.READ).latest("id")
    assert event.service_name == "Northway Street Team"


def test_a_user_cannot_switch_to_a_service_they_are_not_in(cast):
    client = signed_in(cast.hostel_worker)
    response = client.post(reverse("switch-service"), {"service": str(cast.refuge.public_id)}, follow=True)
    assert b"Choose one of your own services." in response.content
    assert b"acting for <strong>Harbour House</strong>" in response.content


def test_switching_never_redirects_off_site(cast):
    Membership.objects.create(user=cast.hostel_worker, area=cast.area, service=cast.outreach, role=Role.CONTRIBUTOR)
    response = signed_in(cast.hostel_worker).post(
        reverse("switch-service"), {"service": str(cast.outreach.public_id), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_an_ended_membership_stops_the_service_being_current(cast):
    from django.utils import timezone

    Membership.objects.filter(user=cast.hostel_worker).update(ended_at=timezone.now())
    response = signed_in(cast.hostel_worker).get("/")
    assert b"You are not a member of any service yet" in response.content
