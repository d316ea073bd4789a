"""Hostile input on the administration pages: stored exactly, shown escaped, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import signed_in
from waymark.access.models import District, Organisation, Service, SharingAgreement, User
from waymark.audit.models import AuditEvent, AuditKind

SCRIPT = "<script>alert(1)</script>"
HOSTILE_NAMES = [
    pytest.param(SCRIPT, id="script"),
    pytest.param("Robert'); DROP TABLE access_organisation;--", id="sql"),
    pytest.param("Café 🏠 Shelter 🌈", id="emoji"),
    pytest.param("ملجأ الأمل", id="rtl"),
    pytest.param("\u202eevil\u202c Trust", id="rtl-override"),
    pytest.param('"><img src=x onerror=alert(1)>', id="attribute-break"),
]
TOO_LONG = "x" * 10_000


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_organisation_names_are_stored_exactly_and_escaped(cast, name):
    client = signed_in(cast.area_admin)
    response = client.post(reverse("manage:organisation-create"), {"name": name, "is_active": "on"})
    assert response.status_code == 302
    organisation = Organisation.objects.get(area=cast.area, name=name)
    listing = client.get(reverse("manage:organisation-list"), {"q": name})
    assert listing.status_code == 200
    content = listing.content.decode()
    assert "<script>alert" not in content
    assert "<img src=x" not in content
    edit = client.get(reverse("manage:organisation-edit", args=[organisation.public_id]))
    assert edit.status_code == 200
    assert "<script>alert" not in edit.content.decode()


def test_a_script_name_is_shown_as_text(cast):
    client = signed_in(cast.area_admin)
    client.post(reverse("manage:organisation-create"), {"name": SCRIPT, "is_active": "on"})
    content = client.get(reverse("manage:organisation-list")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_service_and_district_names_survive(cast, name):
    client = signed_in(cast.area_admin)
    assert client.post(reverse("manage:district-create"), {"name": name}).status_code == 302
    district = District.objects.get(area=cast.area, name=name)
    response = client.post(
        reverse("manage:service-create"),
        {
            "organisation": str(cast.hostel.organisation.public_id),
            "district": str(district.public_id),
            "name": name,
            "kind": "hostel",
            "contact_phone": name[:40],
            "caseload_limit": "5",
        },
    )
    assert response.status_code == 302
    service = Service.objects.get(name=name)
    for url in (
        reverse("manage:service-detail", args=[service.public_id]),
        reverse("manage:service-list"),
        reverse("manage:district-list"),
        reverse("manage:index"),
    ):
        page = client.get(url)
        assert page.status_code == 200
        assert "<script>alert" not in page.content.decode()


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_user_names_survive_and_bad_usernames_are_refused(cast, name):
    client = signed_in(cast.area_admin)
    response = client.post(
        reverse("manage:user-create"),
        {"username": "hostile.user", "first_name": name, "last_name": name, "job_title": name, "phone": name[:40]},
    )
    assert response.status_code == 302
    user = User.objects.get(username="hostile.user")
    assert user.first_name == name and user.job_title == name
    for url in (reverse("manage:user-detail", args=[user.public_id]), reverse("manage:user-list")):
        page = client.get(url, {"q": name} if url.endswith("/users/") else {})
        assert page.status_code == 200
        assert "<script>alert" not in page.content.decode()
    # A username is restricted to letters, digits and @.+-_: hostile ones are a form error.
    response = client.post(reverse("manage:user-create"), {"username": name})
    assert response.status_code == 200
    assert 'id="id_username-error"' in response.content.decode()


@pytest.mark.parametrize(
    ("url_name", "field", "data"),
    [
        ("organisation-create", "name", {}),
        ("district-create", "name", {}),
        ("district-create", "code", {"name": "Long code"}),
        ("service-create", "name", {"kind": "hostel", "caseload_limit": "1"}),
        ("service-create", "contact_phone", {"name": "Long phone", "kind": "hostel", "caseload_limit": "1"}),
        ("service-create", "contact_email", {"name": "Long email", "kind": "hostel", "caseload_limit": "1"}),
        ("user-create", "username", {}),
        ("user-create", "first_name", {"username": "long.name"}),
        ("user-create", "email", {"username": "long.email"}),
        ("user-create", "password", {"username": "long.password"}),
        ("agreement-create", "version", {"signed_on": "2026-01-01"}),
        ("agreement-create", "signed_by", {"version": "1", "signed_on": "2026-01-01"}),
    ],
)
def test_ten_thousand_characters_is_a_form_error_not_a_500(cast, url_name, field, data):
    data = dict(data)
    if url_name == "service-create" or url_name == "agreement-create":
        data["organisation"] = str(cast.hostel.organisation.public_id)
    value = TOO_LONG if field != "contact_email" else "a" * 9_990 + "@example.org"
    data[field] = value
    if field == "password":
        data["password_again"] = value
    response = signed_in(cast.area_admin).post(reverse(f"manage:{url_name}"), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert f'id="id_{field}-error"' in content
    assert "govuk-error-summary" in content


def test_a_ten_thousand_character_search_is_harmless(cast):
    client = signed_in(cast.area_admin)
    for name in ("organisation-list", "district-list", "service-list", "user-list", "agreement-list"):
        assert client.get(reverse(f"manage:{name}"), {"q": TOO_LONG, "page": TOO_LONG}).status_code == 200
    url = reverse("manage:service-member-add", args=[cast.hostel.public_id])
    assert signed_in(cast.manager).get(url, {"q": TOO_LONG, "username": TOO_LONG}).status_code == 200


def test_a_long_deactivation_reason_is_refused_and_a_hostile_one_is_kept(cast):
    client = signed_in(cast.area_admin)
    url = reverse("manage:user-deactivate", args=[cast.hostel_worker.public_id])
    response = client.post(url, {"reason": TOO_LONG})
    assert response.status_code == 200
    assert 'id="id_reason-error"' in response.content.decode()
    reason = f"{SCRIPT} ملجأ 🏠"
    assert client.post(url, {"reason": reason}).status_code == 302
    event = AuditEvent.objects.get(kind=AuditKind.ADMIN, action="Deactivated user harry.hostel")
    assert event.detail["reason"] == reason


def test_null_characters_are_a_form_error(cast):
    response = signed_in(cast.area_admin).post(reverse("manage:organisation-create"), {"name": "Null\x00Trust"})
    assert response.status_code == 200
    assert 'id="id_name-error"' in response.content.decode()


@pytest.mark.parametrize("signed_on", ["31/02/2026", "not a date", "99999-01-01", "2026-13-01", SCRIPT])
def test_impossible_dates_are_a_form_error(cast, signed_on):
    response = signed_in(cast.area_admin).post(
        reverse("manage:agreement-create"),
        {"organisation": str(cast.hostel.organisation.public_id), "version": "2026.9", "signed_on": signed_on},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_signed_on-error"' in content
    assert "<script>alert" not in content
    assert not SharingAgreement.objects.filter(version="2026.9").exists()


def test_a_hostile_agreement_is_stored_exactly(cast):
    client = signed_in(cast.area_admin)
    response = client.post(
        reverse("manage:agreement-create"),
        {
            "organisation": str(cast.hostel.organisation.public_id),
            "version": "🏠 v2",
            "signed_on": "2026-01-01",
            "signed_by": SCRIPT,
        },
    )
    assert response.status_code == 302
    assert SharingAgreement.objects.get(version="🏠 v2").signed_by == SCRIPT
    content = client.get(reverse("manage:agreement-list")).content.decode()
    assert "🏠 v2" in content
    assert "<script>alert" not in content


def test_unknown_ids_are_404(cast):
    import uuid

    client = signed_in(cast.area_admin)
    assert client.get(reverse("manage:user-detail", args=[uuid.uuid4()])).status_code == 404
    assert client.get("/manage/users/not-a-uuid/").status_code == 404
