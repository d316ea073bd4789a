"""The administration pages: who may open them, and that they work for area admins and managers."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from tests.conftest import signed_in
from tests.factories import OrganisationFactory, ServiceFactory, UserFactory
from waymark.access import services
from waymark.access.constants import Role, ServiceKind
from waymark.access.models import District, Membership, Organisation, Service, SharingAgreement, User
from waymark.audit.models import AuditEvent, AuditKind

STRONG_PASSWORD = "violet-harbour-lantern-42"


def _objects(cast):
    harbour = cast.hostel.organisation
    return {
        "organisation": harbour,
        "district": cast.district,
        "service": cast.hostel,
        "user": cast.hostel_worker,
        "membership": Membership.objects.get(user=cast.hostel_worker, service=cast.hostel),
        "agreement": SharingAgreement.objects.get(organisation=harbour),
    }


# Every page, with the object it is about (None for area-wide pages).
PAGES = [
    ("index", None),
    ("organisation-list", None),
    ("organisation-create", None),
    ("organisation-edit", "organisation"),
    ("district-list", None),
    ("district-create", None),
    ("district-edit", "district"),
    ("service-list", None),
    ("service-create", None),
    ("service-detail", "service"),
    ("service-edit", "service"),
    ("service-member-add", "service"),
    ("user-list", None),
    ("user-create", None),
    ("user-detail", "user"),
    ("user-edit", "user"),
    ("user-password", "user"),
    ("user-deactivate", "user"),
    ("membership-add", "user"),
    ("membership-end", "membership"),
    ("agreement-list", None),
    ("agreement-create", None),
    ("agreement-edit", "agreement"),
]
OBJECT_PAGES = [p for p in PAGES if p[1]]
# Pages a service manager may open, for their own service.
MANAGER_PAGES = {"index", "service-detail", "service-member-add", "membership-end"}
POST_ONLY = ["user-reactivate", "user-unlock"]


def url_of(cast, name, kind):
    if kind is None:
        return reverse(f"manage:{name}")
    return reverse(f"manage:{name}", args=[_objects(cast)[kind].public_id])


# --- who may open what ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "kind"), PAGES + [(n, "user") for n in POST_ONLY])
def test_anonymous_is_sent_to_sign_in(cast, client, name, kind):
    url = url_of(cast, name, kind)
    response = client.post(url) if name in POST_ONLY else client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize(("name", "kind"), PAGES)
@pytest.mark.parametrize("who", ["analyst", "viewer", "outreach_worker", "hostel_worker", "coordinator"])
def test_it_refuses_users_who_administer_nothing(cast, name, kind, who):
    response = signed_in(getattr(cast, who)).get(url_of(cast, name, kind))
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["viewer", "hostel_worker"])
@pytest.mark.parametrize("name", POST_ONLY)
def test_it_refuses_posts_from_non_admins(cast, who, name):
    response = signed_in(getattr(cast, who)).post(url_of(cast, name, "user"))
    assert response.status_code == 403


@pytest.mark.parametrize(("name", "kind"), PAGES)
def test_area_admin_opens_every_page(cast, name, kind):
    response = signed_in(cast.area_admin).get(url_of(cast, name, kind))
    assert response.status_code == 200
    assert b"<h1" in response.content
    assert b"<title>" in response.content


@pytest.mark.parametrize(("name", "kind"), OBJECT_PAGES + [(n, "user") for n in POST_ONLY])
def test_an_admin_of_another_area_gets_404_for_this_areas_objects(cast, name, kind):
    client = signed_in(cast.outsider)
    response = client.post(url_of(cast, name, kind)) if name in POST_ONLY else client.get(url_of(cast, name, kind))
    assert response.status_code == 404
    assert b"Harbour" not in response.content
    assert b"harry.hostel" not in response.content


@pytest.mark.parametrize("name", ["organisation-list", "service-list", "user-list", "agreement-list", "district-list"])
def test_an_admin_of_another_area_sees_none_of_this_area_in_lists(cast, name):
    response = signed_in(cast.outsider).get(reverse(f"manage:{name}"))
    assert response.status_code == 200
    for text in (b"Harbour", b"Northway", b"harry.hostel", b"Testford"):
        assert text not in response.content


def test_an_admin_of_another_area_cannot_change_this_areas_objects(cast):
    client = signed_in(cast.outsider)
    organisation = cast.hostel.organisation
    url = reverse("manage:organisation-edit", args=[organisation.public_id])
    assert client.post(url, {"name": "Taken over"}).status_code == 404
    url = reverse("manage:user-deactivate", args=[cast.hostel_worker.public_id])
    assert client.post(url, {"reason": "Because"}).status_code == 404
    organisation.refresh_from_db()
    cast.hostel_worker.refresh_from_db()
    assert organisation.name == "Harbour Housing"
    assert cast.hostel_worker.is_active


@pytest.mark.parametrize(("name", "kind"), PAGES)
def test_a_manager_reaches_only_their_own_service(cast, name, kind):
    response = signed_in(cast.manager).get(url_of(cast, name, kind))
    if name in MANAGER_PAGES:
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", ["service-detail", "service-member-add"])
def test_a_manager_cannot_open_another_service(cast, name):
    client = signed_in(cast.manager)
    response = client.get(reverse(f"manage:{name}", args=[cast.outreach.public_id]))
    assert response.status_code in (403, 404)
    assert b"olive.outreach" not in response.content


def test_post_only_actions_refuse_get(cast):
    client = signed_in(cast.area_admin)
    for name in POST_ONLY:
        assert client.get(url_of(cast, name, "user")).status_code == 405


def test_forms_need_the_csrf_token(cast):
    from django.test import Client

    from tests.conftest import verify_second_factor

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.area_admin, backend="django.contrib.auth.backends.ModelBackend")
    verify_second_factor(client, cast.area_admin)
    response = client.post(reverse("manage:organisation-create"), {"name": "No token"})
    assert response.status_code == 403
    assert not Organisation.objects.filter(name="No token").exists()


# --- index ---------------------------------------------------------------------------------------


def test_the_index_gives_an_admin_each_section_with_counts(cast):
    response = signed_in(cast.area_admin).get(reverse("manage:index"))
    content = response.content.decode()
    for name in ("organisation-list", "district-list", "service-list", "user-list", "agreement-list"):
        assert reverse(f"manage:{name}") in content
    assert "5 organisations in the area" in content
    assert "4 in force, of 5 recorded" in content


def test_the_index_shows_a_manager_their_service_and_its_members(cast):
    response = signed_in(cast.manager).get(reverse("manage:index"))
    content = response.content.decode()
    assert "Harbour House" in content
    assert "harry.hostel" in content
    assert "olive.outreach" not in content
    assert reverse("manage:user-list") not in content


# --- organisations -------------------------------------------------------------------------------


def admin_events(action_start):
    return AuditEvent.objects.filter(kind=AuditKind.ADMIN, action__startswith=action_start)


def test_an_admin_adds_and_changes_an_organisation(cast):
    client = signed_in(cast.area_admin)
    response = client.post(reverse("manage:organisation-create"), {"name": "Riverside Trust", "is_active": "on"})
    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Riverside Trust")
    assert organisation.area == cast.area and organisation.is_active
    event = admin_events("Created organisation").get()
    assert event.user_id == cast.area_admin.pk
    assert event.object_id == str(organisation.public_id)

    url = reverse("manage:organisation-edit", args=[organisation.public_id])
    response = client.post(url, {"name": "Riverside Trust CIC"}, follow=True)
    assert "Organisation Riverside Trust CIC saved." in response.content.decode()
    organisation.refresh_from_db()
    assert organisation.name == "Riverside Trust CIC"
    assert not organisation.is_active
    event = admin_events("Changed organisation").get()
    assert event.detail["changes"] == {"name": ["Riverside Trust", "Riverside Trust CIC"], "is_active": [True, False]}


def test_a_duplicate_organisation_name_is_refused_and_kept_on_the_form(cast):
    client = signed_in(cast.area_admin)
    response = client.post(reverse("manage:organisation-create"), {"name": "harbour housing"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "An organisation with this name already exists in your area." in content
    assert 'value="harbour housing"' in content
    assert "govuk-error-summary" in content
    assert Organisation.objects.filter(name__iexact="harbour housing").count() == 1


def test_another_area_may_use_the_same_organisation_name(cast):
    response = signed_in(cast.outsider).post(reverse("manage:organisation-create"), {"name": "Harbour Housing"})
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Harbour Housing").count() == 2


def test_the_organisation_list_searches_and_paginates(cast):
    for n in range(55):
        OrganisationFactory(area=cast.area, name=f"Bulk Org {n:02d}")
    client = signed_in(cast.area_admin)
    page_one = client.get(reverse("manage:organisation-list")).content.decode()
    assert "Page 1 of 2" in page_one
    page_two = client.get(reverse("manage:organisation-list"), {"page": 2}).content.decode()
    assert "Page 2 of 2" in page_two
    found = client.get(reverse("manage:organisation-list"), {"q": "northway"}).content.decode()
    assert "Northway Outreach" in found
    assert "Harbour Housing" not in found
    assert client.get(reverse("manage:organisation-list"), {"page": "nonsense"}).status_code == 200


# --- districts -------------------------------------------------------------------------------------


def test_an_admin_adds_and_changes_a_district(cast):
    client = signed_in(cast.area_admin)
    response = client.post(reverse("manage:district-create"), {"name": "Northbridge", "code": "E08000099"})
    assert response.status_code == 302
    district = District.objects.get(name="Northbridge")
    assert district.area == cast.area
    response = client.post(
        reverse("manage:district-edit", args=[district.public_id]), {"name": "North Bridge", "code": ""}
    )
    assert response.status_code == 302
    district.refresh_from_db()
    assert (district.name, district.code) == ("North Bridge", "")
    assert admin_events("Created district").exists()
    assert admin_events("Changed district").exists()


def test_a_duplicate_district_is_refused(cast):
    response = signed_in(cast.area_admin).post(reverse("manage:district-create"), {"name": "Testford"})
    assert response.status_code == 200
    assert "A district with this name already exists in your area." in response.content.decode()


# --- services ---------------------------------------------------------------------------------------


def service_data(cast, **overrides):
    data = {
        "organisation": str(cast.hostel.organisation.public_id),
        "district": str(cast.district.public_id),
        "name": "Harbour Annexe",
        "kind": ServiceKind.HOSTEL,
        "contact_phone": "0161 496 0123",
        "contact_email": "annexe@example.org",
        "caseload_limit": "12",
        "is_active": "on",
    }
    data.update(overrides)
    return data


def test_an_admin_adds_and_changes_a_service(cast):
    client = signed_in(cast.area_admin)
    response = client.post(reverse("manage:service-create"), service_data(cast, restricted="on"))
    service = Service.objects.get(name="Harbour Annexe")
    assert response["Location"] == reverse("manage:service-detail", args=[service.public_id])
    assert service.organisation == cast.hostel.organisation
    assert service.district == cast.district
    assert service.restricted and not service.hidden_work
    assert service.caseload_limit == 12
    assert admin_events("Created service").exists()

    url = reverse("manage:service-edit", args=[service.public_id])
    response = client.post(url, service_data(cast, district="", hidden_work="on", caseload_limit="30"))
    assert response.status_code == 302
    service.refresh_from_db()
    assert service.district is None and service.hidden_work and not service.restricted
    assert service.caseload_limit == 30
    event = admin_events("Changed service").get()
    assert event.detail["changes"]["caseload_limit"] == [12, 30]


def test_a_service_cannot_be_given_another_areas_organisation(cast):
    elsewhere = OrganisationFactory(area=cast.outsider.area, name="Far Away Trust")
    response = signed_in(cast.area_admin).post(
        reverse("manage:service-create"), service_data(cast, organisation=str(elsewhere.public_id))
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Service.objects.filter(name="Harbour Annexe").exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("caseload_limit", "-1", "greater than or equal to 0"),
        ("caseload_limit", "99999999999999999999", "less than or equal to 10000"),
        ("caseload_limit", "lots", "Enter a whole number"),
        ("contact_email", "not an email", "Enter a valid email address"),
        ("kind", "castle", "Select a valid choice"),
        ("organisation", "not-a-uuid", "valid"),
        ("name", "Harbour House", "already has a service with this name"),
        ("name", "", "Enter a name."),
    ],
)
def test_bad_service_input_is_shown_next_to_the_field(cast, field, value, message):
    response = signed_in(cast.area_admin).post(reverse("manage:service-create"), service_data(cast, **{field: value}))
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert f'id="id_{field}-error"' in content
    assert 'value="0161 496 0123"' in content


def test_the_service_list_filters_by_kind_organisation_and_name(cast):
    client = signed_in(cast.area_admin)
    url = reverse("manage:service-list")
    by_kind = client.get(url, {"kind": ServiceKind.REFUGE}).content.decode()
    assert "Safe Haven" in by_kind and "Harbour House" not in by_kind
    by_org = client.get(url, {"organisation": str(cast.hostel.organisation.public_id)}).content.decode()
    assert "Harbour House" in by_org and "Northway Street Team" not in by_org
    by_name = client.get(url, {"q": "street"}).content.decode()
    assert "Northway Street Team" in by_name and "Harbour House" not in by_name
    # Nonsense filters are ignored, not errors.
    assert client.get(url, {"organisation": "nope", "kind": "castle", "page": "-3"}).status_code == 200


def test_the_service_list_keeps_filters_across_pages(cast):
    for n in range(55):
        ServiceFactory(organisation=cast.hostel.organisation, name=f"Bulk Hostel {n:02d}", kind=ServiceKind.HOSTEL)
    response = signed_in(cast.area_admin).get(reverse("manage:service-list"), {"kind": "hostel"})
    assert "kind=hostel&amp;page=2" in response.content.decode()


def test_the_service_page_lists_its_members(cast):
    response = signed_in(cast.area_admin).get(reverse("manage:service-detail", args=[cast.hostel.public_id]))
    content = response.content.decode()
    assert "harry.hostel" in content and "mo.manager" in content
    assert "olive.outreach" not in content


# --- users ---------------------------------------------------------------------------------------------


def user_data(cast, **overrides):
    data = {
        "username": "new.starter",
        "first_name": "Nadia",
        "last_name": "Starter",
        "email": "nadia@example.org",
        "job_title": "Support worker",
        "phone": "07700 900123",
        "organisation": str(cast.hostel.organisation.public_id),
        "password": STRONG_PASSWORD,
        "password_again": STRONG_PASSWORD,
    }
    data.update(overrides)
    return data


def test_an_admin_adds_a_user_with_a_password(cast):
    response = signed_in(cast.area_admin).post(reverse("manage:user-create"), user_data(cast))
    user = User.objects.get(username="new.starter")
    assert response["Location"] == reverse("manage:user-detail", args=[user.public_id])
    assert user.area == cast.area and user.organisation == cast.hostel.organisation
    assert user.check_password(STRONG_PASSWORD)
    assert admin_events("Created user new.starter").exists()


def test_an_admin_adds_a_user_without_a_password(cast):
    response = signed_in(cast.area_admin).post(
        reverse("manage:user-create"), user_data(cast, password="", password_again="")
    )
    assert response.status_code == 302
    assert not User.objects.get(username="new.starter").has_usable_password()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "too short"),
        ("password1234", "too common"),
        ("nadiastarter1", "too similar"),
    ],
)
def test_a_weak_password_is_refused_and_the_form_is_kept(cast, password, message):
    response = signed_in(cast.area_admin).post(
        reverse("manage:user-create"), user_data(cast, password=password, password_again=password)
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert 'id="id_password-error"' in content
    assert 'value="new.starter"' in content
    assert 'value="nadia@example.org"' in content
    # A password is never sent back to the browser.
    assert f'value="{password}"' not in content
    assert not User.objects.filter(username="new.starter").exists()


def test_passwords_must_match(cast):
    response = signed_in(cast.area_admin).post(
        reverse("manage:user-create"), user_data(cast, password_again="something-else-entirely")
    )
    assert "The passwords do not match." in response.content.decode()


def test_a_taken_username_is_refused(cast):
    response = signed_in(cast.area_admin).post(reverse("manage:user-create"), user_data(cast, username="harry.hostel"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="id_username-error"' in content
    assert "already exists" in content


def test_the_user_list_searches_and_filters(cast):
    client = signed_in(cast.area_admin)
    url = reverse("manage:user-list")
    cast.solo_worker.first_name, cast.solo_worker.last_name = "Sam", "Solo"
    cast.solo_worker.save()
    services.deactivate_user(cast.area_admin, cast.solo_worker, "Left")
    assert "harry.hostel" in client.get(url, {"q": "HARRY"}).content.decode()
    assert "sam.solo" in client.get(url, {"q": "Sam Solo"}).content.decode()
    by_email = client.get(url, {"q": "olive.outreach@example"}).content.decode()
    assert "olive.outreach" in by_email and "harry.hostel" not in by_email
    inactive = client.get(url, {"status": "inactive"}).content.decode()
    assert "sam.solo" in inactive and "harry.hostel" not in inactive
    active = client.get(url, {"status": "active"}).content.decode()
    assert "sam.solo" not in active and "harry.hostel" in active
    assert "otto.outsider" not in client.get(url).content.decode()


def test_an_admin_changes_a_users_details(cast):
    user = cast.hostel_worker
    response = signed_in(cast.area_admin).post(
        reverse("manage:user-edit", args=[user.public_id]),
        {"username": "harry.hostel", "first_name": "Harriet", "last_name": "Hill", "email": "h@example.org"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.organisation) == ("Harriet", None)
    assert admin_events("Changed user").get().detail["changes"]["first_name"][1] == "Harriet"


def test_the_user_page_shows_roles_lock_out_and_tokens(cast):
    from axes.models import AccessAttempt

    services.create_api_token(cast.hostel_worker, "Laptop")
    AccessAttempt.objects.create(
        username="harry.hostel",
        ip_address="192.0.2.1",
        user_agent="test",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    response = signed_in(cast.area_admin).get(reverse("manage:user-detail", args=[cast.hostel_worker.public_id]))
    content = response.content.decode()
    assert "Harbour House" in content
    assert "Locked out" in content
    assert "1 usable, of 1 created" in content


def test_an_admin_unlocks_a_locked_out_user(cast):
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(
        username="harry.hostel",
        ip_address="192.0.2.1",
        user_agent="test",
        failures_since_start=5,
        get_data="",
        post_data="",
        http_accept="",
        path_info="/accounts/login/",
    )
    assert services.is_locked_out(cast.hostel_worker)
    response = signed_in(cast.area_admin).post(
        reverse("manage:user-unlock", args=[cast.hostel_worker.public_id]), follow=True
    )
    assert "harry.hostel can try to sign in again." in response.content.decode()
    assert not services.is_locked_out(cast.hostel_worker)
    assert admin_events("Unlocked sign-in for harry.hostel").exists()


def test_an_admin_sets_a_password(cast):
    client = signed_in(cast.area_admin)
    url = reverse("manage:user-password", args=[cast.hostel_worker.public_id])
    weak = client.post(url, {"password": "harbour", "password_again": "harbour"})
    assert weak.status_code == 200
    assert 'id="id_password-error"' in weak.content.decode()
    response = client.post(url, {"password": STRONG_PASSWORD, "password_again": STRONG_PASSWORD})
    assert response.status_code == 302
    cast.hostel_worker.refresh_from_db()
    assert cast.hostel_worker.check_password(STRONG_PASSWORD)
    assert admin_events("Set the password of harry.hostel").exists()


def test_deactivation_ends_sessions_and_tokens_at_once(cast):
    victim = cast.hostel_worker
    victim_client = signed_in(victim)
    assert victim_client.get(reverse("home")).status_code == 200
    session_key = victim_client.session.session_key
    services.remember_session(victim, session_key, "127.0.0.1")
    token, key = services.create_api_token(victim, "Script")

    admin = signed_in(cast.area_admin)
    url = reverse("manage:user-deactivate", args=[victim.public_id])
    confirm = admin.get(url).content.decode()
    assert "Deactivate Harry" in confirm or "Deactivate" in confirm
    assert "1 API token will stop working" in confirm
    response = admin.post(url, {"reason": "Left Harbour Housing"}, follow=True)
    assert "is deactivated" in response.content.decode()

    victim.refresh_from_db()
    token.refresh_from_db()
    assert not victim.is_active
    assert token.revoked_at is not None
    assert not Session.objects.filter(session_key=session_key).exists()
    next_request = victim_client.get(reverse("home"))
    assert next_request.status_code == 302
    assert next_request["Location"].startswith("/accounts/login/")
    assert services.authenticate_token(key) is None
    event = admin_events("Deactivated user harry.hostel").get()
    assert event.detail == {"reason": "Left Harbour Housing", "tokens_revoked": 1}


def test_deactivation_needs_a_reason(cast):
    response = signed_in(cast.area_admin).post(
        reverse("manage:user-deactivate", args=[cast.hostel_worker.public_id]), {"reason": ""}
    )
    assert response.status_code == 200
    assert 'id="id_reason-error"' in response.content.decode()
    cast.hostel_worker.refresh_from_db()
    assert cast.hostel_worker.is_active


def test_an_admin_cannot_deactivate_themself(cast):
    admin = cast.area_admin
    response = signed_in(admin).post(reverse("manage:user-deactivate", args=[admin.public_id]), {"reason": "Oops"})
    assert response.status_code == 200
    assert "You cannot deactivate your own account." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_an_admin_reactivates_a_user(cast):
    services.deactivate_user(cast.area_admin, cast.hostel_worker, "Parental leave")
    client = signed_in(cast.area_admin)
    detail = client.get(reverse("manage:user-detail", args=[cast.hostel_worker.public_id])).content.decode()
    assert "Reactivate" in detail
    response = client.post(reverse("manage:user-reactivate", args=[cast.hostel_worker.public_id]))
    assert response.status_code == 302
    cast.hostel_worker.refresh_from_db()
    assert cast.hostel_worker.is_active
    assert admin_events("Reactivated user harry.hostel").exists()


# --- memberships -------------------------------------------------------------------------------------------


def test_an_admin_gives_a_service_role_and_an_area_role(cast):
    client = signed_in(cast.area_admin)
    user = UserFactory(area=cast.area, username="new.colleague")
    url = reverse("manage:membership-add", args=[user.public_id])
    response = client.post(url, {"role": Role.VIEWER, "service": str(cast.refuge.public_id)})
    assert response.status_code == 302
    response = client.post(url, {"role": Role.COORDINATOR, "service": ""})
    assert response.status_code == 302
    roles = set(Membership.objects.filter(user=user).values_list("role", "service_id"))
    assert roles == {(Role.VIEWER, cast.refuge.pk), (Role.COORDINATOR, None)}
    assert admin_events("Gave new.colleague the role").count() == 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"role": Role.CONTRIBUTOR, "service": ""}, "Choose the service this worker (contributor) works in."),
        ({"role": Role.ANALYST, "service": "SERVICE"}, "Analyst is an area-wide role: leave the service empty."),
        ({"role": "emperor", "service": ""}, "Select a valid choice"),
        ({"role": Role.CONTRIBUTOR, "service": "SERVICE"}, "This user already has that role there."),
    ],
)
def test_a_role_that_does_not_fit_is_refused(cast, data, message):
    if data["service"] == "SERVICE":
        data = {**data, "service": str(cast.hostel.public_id)}
    url = reverse("manage:membership-add", args=[cast.hostel_worker.public_id])
    response = signed_in(cast.area_admin).post(url, data)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_an_admin_ends_a_role_after_confirming(cast):
    membership = Membership.objects.get(user=cast.hostel_worker, service=cast.hostel)
    client = signed_in(cast.area_admin)
    url = reverse("manage:membership-end", args=[membership.public_id])
    confirm = client.get(url).content.decode()
    assert "End Harry" in confirm or "End role" in confirm
    membership.refresh_from_db()
    assert membership.ended_at is None
    response = client.post(url)
    assert response["Location"] == reverse("manage:user-detail", args=[cast.hostel_worker.public_id])
    membership.refresh_from_db()
    assert membership.ended_at is not None
    assert admin_events("Ended").exists()
    # Ended roles cannot be ended again.
    assert client.get(url).status_code == 404


def test_an_admin_cannot_end_their_own_area_admin_role(cast):
    membership = Membership.objects.get(user=cast.area_admin, role=Role.AREA_ADMIN)
    response = signed_in(cast.area_admin).post(
        reverse("manage:membership-end", args=[membership.public_id]), follow=True
    )
    assert "You cannot remove your own area admin role." in response.content.decode()
    membership.refresh_from_db()
    assert membership.ended_at is None


# --- service managers -----------------------------------------------------------------------------------------


def test_a_manager_finds_an_area_user_by_username_and_adds_them(cast):
    client = signed_in(cast.manager)
    url = reverse("manage:service-member-add", args=[cast.hostel.public_id])
    found = client.get(url, {"q": "olive"}).content.decode()
    assert "olive.outreach" in found
    assert "otto.outsider" not in client.get(url, {"q": "o"}).content.decode()
    chosen = client.get(url, {"q": "olive", "username": "olive.outreach"}).content.decode()
    assert 'value="olive.outreach"' in chosen
    response = client.post(url, {"username": "Olive.Outreach", "role": Role.CONTRIBUTOR})
    assert response["Location"] == reverse("manage:service-detail", args=[cast.hostel.public_id])
    assert Membership.objects.active().filter(user=cast.outreach_worker, service=cast.hostel).exists()
    assert admin_events("Gave olive.outreach the role").get().user_id == cast.manager.pk


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "otto.outsider", "role": Role.CONTRIBUTOR}, "No active user in your area has this username."),
        ({"username": "nobody.at.all", "role": Role.CONTRIBUTOR}, "No active user in your area has this username."),
        ({"username": "harry.hostel", "role": Role.CONTRIBUTOR}, "This user already has that role there."),
        ({"username": "olive.outreach", "role": Role.AREA_ADMIN}, "Select a valid choice"),
    ],
)
def test_a_manager_cannot_add_what_they_may_not(cast, data, message):
    url = reverse("manage:service-member-add", args=[cast.hostel.public_id])
    response = signed_in(cast.manager).post(url, data)
    assert response.status_code == 200
    content = response.content.decode()
    assert message in content
    assert f'value="{data["username"]}"' in content


def test_a_manager_cannot_add_members_to_another_service(cast):
    url = reverse("manage:service-member-add", args=[cast.outreach.public_id])
    response = signed_in(cast.manager).post(url, {"username": "harry.hostel", "role": Role.MANAGER})
    assert response.status_code in (403, 404)
    assert not Membership.objects.filter(user=cast.hostel_worker, service=cast.outreach).exists()


def test_a_manager_ends_a_members_role_in_their_service(cast):
    membership = Membership.objects.get(user=cast.hostel_worker, service=cast.hostel)
    client = signed_in(cast.manager)
    url = reverse("manage:membership-end", args=[membership.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response["Location"] == reverse("manage:service-detail", args=[cast.hostel.public_id])
    membership.refresh_from_db()
    assert membership.ended_at is not None


def test_a_manager_cannot_end_roles_outside_their_service(cast):
    client = signed_in(cast.manager)
    # A member of the hostel who also has a role elsewhere, and an area-wide role.
    other = Membership.objects.create(user=cast.hostel_worker, area=cast.area, service=cast.outreach, role=Role.VIEWER)
    area_role = Membership.objects.create(user=cast.hostel_worker, area=cast.area, role=Role.COORDINATOR)
    for membership in (other, area_role):
        url = reverse("manage:membership-end", args=[membership.public_id])
        assert client.get(url).status_code == 403
        assert client.post(url).status_code == 403
        membership.refresh_from_db()
        assert membership.ended_at is None
    # Someone who is not their member at all does not exist for them.
    stranger = Membership.objects.get(user=cast.outreach_worker)
    assert client.post(reverse("manage:membership-end", args=[stranger.public_id])).status_code == 404


# --- sharing agreements --------------------------------------------------------------------------------------


def agreement_data(cast, **overrides):
    data = {
        "organisation": str(cast.solo.organisation.public_id),
        "version": "2026.2",
        "signed_on": "2026-01-05",
        "expires_on": "2027-01-04",
        "signed_by": "Jo Bloggs, Director",
    }
    data.update(overrides)
    return data


def test_the_agreement_list_shows_current_expired_and_future(cast):
    today = datetime.date.today()
    SharingAgreement.objects.create(
        organisation=cast.hostel.organisation, version="2027.1", signed_on=today + datetime.timedelta(days=10)
    )
    client = signed_in(cast.area_admin)
    content = client.get(reverse("manage:agreement-list")).content.decode()
    assert content.count("In force</strong>") == 4
    assert content.count("Expired</strong>") == 1
    assert content.count("Not yet in force</strong>") == 1
    expired = client.get(reverse("manage:agreement-list"), {"status": "expired"}).content.decode()
    assert "Solo Trust" in expired and "Harbour Housing" not in expired
    future = client.get(reverse("manage:agreement-list"), {"status": "future"}).content.decode()
    assert "2027.1" in future and "Solo Trust" not in future


def test_an_admin_records_and_corrects_an_agreement(cast):
    client = signed_in(cast.area_admin)
    response = client.post(reverse("manage:agreement-create"), agreement_data(cast))
    assert response.status_code == 302
    agreement = SharingAgreement.objects.get(version="2026.2")
    assert agreement.organisation == cast.solo.organisation
    assert agreement.expires_on == datetime.date(2027, 1, 4)
    url = reverse("manage:agreement-edit", args=[agreement.public_id])
    response = client.post(url, agreement_data(cast, expires_on=""))
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.expires_on is None
    assert admin_events("Created sharing agreement").exists()
    assert admin_events("Changed sharing agreement").exists()


def test_an_expiry_before_signing_is_refused_and_kept(cast):
    response = signed_in(cast.area_admin).post(
        reverse("manage:agreement-create"), agreement_data(cast, expires_on="2025-12-31")
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "The expiry date must be on or after the date it was signed." in content
    assert 'id="id_expires_on-error"' in content
    assert 'value="2025-12-31"' in content
    assert 'value="2026.2"' in content


def test_the_organisation_list_links_to_recording_a_missing_agreement(cast):
    client = signed_in(cast.area_admin)
    content = client.get(reverse("manage:organisation-list")).content.decode()
    link = f"{reverse('manage:agreement-create')}?organisation={cast.solo.organisation.public_id}"
    assert link in content
    form = client.get(link).content.decode()
    assert f'value="{cast.solo.organisation.public_id}" selected' in form
