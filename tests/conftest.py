"""The fixed cast every access test uses (as healthchecks does), built with factories.

Two organisations share (current agreements): Northway (outreach) and Harbour
(hostel). A refuge organisation shares too; its service is restricted.
"Solo Trust" has no current agreement (its agreement expired). Everyone is in
one area; `elsewhere` is a user of another area entirely.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.test import Client

from tests.factories import (
    AgreementFactory,
    AreaFactory,
    DistrictFactory,
    EpisodeFactory,
    OrganisationFactory,
    PersonFactory,
    ServiceFactory,
    member,
)
from waymark.access.constants import Restriction, Role, ServiceKind


@dataclass
class Cast:
    area: object
    district: object
    outreach: object  # service
    hostel: object
    refuge: object
    solo: object  # service of an organisation without a current agreement
    outreach_worker: object
    hostel_worker: object
    refuge_worker: object
    viewer: object
    manager: object  # manager of the hostel
    coordinator: object
    area_admin: object
    analyst: object
    solo_worker: object
    outsider: object  # a user of another area
    person: object  # ordinary, working with outreach
    protected_person: object  # refuge resident
    hidden_person: object  # hidden, working with refuge
    solo_person: object  # known only to Solo Trust


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache, so rate limits (sign-in: 30 a minute
    from one address, and every test comes from 127.0.0.1) never carry over."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def cast(db) -> Cast:
    area = AreaFactory(name="Greater Testshire")
    district = DistrictFactory(area=area, name="Testford")
    northway = OrganisationFactory(area=area, name="Northway Outreach")
    harbour = OrganisationFactory(area=area, name="Harbour Housing")
    shelter = OrganisationFactory(area=area, name="Safe Haven Refuges")
    solo_org = OrganisationFactory(area=area, name="Solo Trust")
    partners = OrganisationFactory(area=area, name="City Partners")
    for org in (northway, harbour, shelter, partners):
        AgreementFactory(organisation=org)
    AgreementFactory(
        organisation=solo_org,
        signed_on=datetime.date.today() - datetime.timedelta(days=400),
        expires_on=datetime.date.today() - datetime.timedelta(days=1),
    )
    outreach = ServiceFactory(
        organisation=northway, name="Northway Street Team", kind=ServiceKind.OUTREACH, district=district
    )
    hostel = ServiceFactory(organisation=harbour, name="Harbour House", kind=ServiceKind.HOSTEL, district=district)
    refuge = ServiceFactory(organisation=shelter, name="Safe Haven", kind=ServiceKind.REFUGE, restricted=True)
    solo = ServiceFactory(organisation=solo_org, name="Solo Drop-in", kind=ServiceKind.DROP_IN)
    lookup = ServiceFactory(organisation=partners, name="City Partners Desk", kind=ServiceKind.OTHER)
    other_area = AreaFactory(name="Elsewhere")

    person = PersonFactory(registered_by_service=outreach, first_name="Dan", last_name="Moss")
    EpisodeFactory(person=person, service=outreach)
    protected = PersonFactory(
        registered_by_service=refuge, restriction=Restriction.PROTECTED, first_name="Priya", last_name="Shah"
    )
    EpisodeFactory(person=protected, service=refuge)
    hidden = PersonFactory(
        registered_by_service=refuge, restriction=Restriction.HIDDEN, first_name="Hana", last_name="Kaur"
    )
    EpisodeFactory(person=hidden, service=refuge)
    solo_person = PersonFactory(registered_by_service=solo, first_name="Sol", last_name="Only")
    EpisodeFactory(person=solo_person, service=solo)

    return Cast(
        area=area,
        district=district,
        outreach=outreach,
        hostel=hostel,
        refuge=refuge,
        solo=solo,
        outreach_worker=member(Role.CONTRIBUTOR, outreach, username="olive.outreach", area=area, organisation=northway),
        hostel_worker=member(Role.CONTRIBUTOR, hostel, username="harry.hostel", area=area, organisation=harbour),
        refuge_worker=member(Role.CONTRIBUTOR, refuge, username="rita.refuge", area=area, organisation=shelter),
        viewer=member(Role.VIEWER, lookup, username="vic.viewer", area=area, organisation=partners),
        manager=member(Role.MANAGER, hostel, username="mo.manager", area=area, organisation=harbour),
        coordinator=member(Role.COORDINATOR, username="cora.coordinator", area=area, organisation=partners),
        area_admin=member(Role.AREA_ADMIN, username="ada.admin", area=area, organisation=partners),
        analyst=member(Role.ANALYST, username="ana.analyst", area=area, organisation=partners),
        solo_worker=member(Role.CONTRIBUTOR, solo, username="sam.solo", area=area, organisation=solo_org),
        outsider=member(Role.AREA_ADMIN, username="otto.outsider", area=other_area),
        person=person,
        protected_person=protected,
        hidden_person=hidden,
        solo_person=solo_person,
    )


def signed_in(user) -> Client:
    """A test client with the user signed in and their second factor passed."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    verify_second_factor(client, user)
    return client


def verify_second_factor(client: Client, user) -> None:
    """Mark the client's session as having passed MFA, as django-otp's login does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(user=user, name="Test phone", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def client_for():
    return signed_in
