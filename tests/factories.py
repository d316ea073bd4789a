"""factory_boy factories for the access model and people."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth.hashers import make_password
from factory.django import DjangoModelFactory

from waymark.access.constants import Role, ServiceKind
from waymark.access.models import Area, District, Membership, Organisation, Service, SharingAgreement, User
from waymark.casework.models import Episode
from waymark.people.models import Person

PASSWORD = "correct-horse-battery-staple"
# Hashing once keeps factories fast; Argon2 is deliberately slow.
_HASH = make_password(PASSWORD)


class AreaFactory(DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("name",)

    name = "Test Area"


class DistrictFactory(DjangoModelFactory):
    class Meta:
        model = District

    area = factory.SubFactory(AreaFactory)
    name = factory.Sequence(lambda n: f"District {n}")


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    area = factory.SubFactory(AreaFactory)
    name = factory.Sequence(lambda n: f"Organisation {n}")


class ServiceFactory(DjangoModelFactory):
    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    kind = ServiceKind.HOSTEL
    contact_phone = "0161 496 0000"


class AgreementFactory(DjangoModelFactory):
    class Meta:
        model = SharingAgreement

    organisation = factory.SubFactory(OrganisationFactory)
    version = "2026.1"
    signed_on = factory.LazyFunction(lambda: datetime.date.today() - datetime.timedelta(days=30))
    expires_on = None


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = _HASH
    area = factory.SubFactory(AreaFactory)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    area = factory.SelfAttribute("user.area")
    service = factory.SubFactory(ServiceFactory)
    role = Role.CONTRIBUTOR


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    registered_by_service = factory.SubFactory(ServiceFactory)


class EpisodeFactory(DjangoModelFactory):
    class Meta:
        model = Episode

    person = factory.SubFactory(PersonFactory)
    service = factory.SelfAttribute("person.registered_by_service")
    started_on = factory.LazyFunction(datetime.date.today)


def member(role: str = Role.CONTRIBUTOR, service: Service | None = None, **user_fields) -> User:
    """A user with one role: in `service` for service roles, area-wide otherwise."""
    user = UserFactory(**user_fields)
    if role in (Role.COORDINATOR, Role.AREA_ADMIN, Role.ANALYST):
        Membership.objects.create(user=user, area=user.area, service=None, role=role)
    else:
        Membership.objects.create(user=user, area=user.area, service=service, role=role)
    return user
