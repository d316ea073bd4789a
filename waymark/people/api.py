"""People over the API, read-only, through the access model.

A list shows each person as the caller may see them; opening one is audited
(`people.services.open_person`). A protected record the caller may only know
exists comes back as its reference, its restriction and whom to contact:
never a name, a date of birth or a description.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.access.constants import Restriction
from waymark.casework.models import Episode
from waymark.core.api import VisibleModelViewSet
from waymark.people.models import Person
from waymark.people.services import open_person, people_for

QUERY_MAX = 200


@extend_schema_field({"type": "string", "enum": ["full"], "description": "You may see the shared record."})
class FullVisibilityField(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return "full"


@extend_schema_field(
    {
        "type": "string",
        "enum": ["exists"],
        "description": "The record is protected: you may know it exists and whom to contact, nothing more.",
    }
)
class ExistsVisibilityField(FullVisibilityField):
    def to_representation(self, value: Any) -> str:
        return "exists"


class ContactSerializer(serializers.Serializer):
    """A service to contact about a person: one working with them, else the one that registered them."""

    service = serializers.UUIDField(source="public_id")
    service_name = serializers.CharField(source="name")
    organisation_name = serializers.CharField(source="organisation.name")
    phone = serializers.CharField(source="contact_phone")
    email = serializers.CharField(source="contact_email")


class _Contacts(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, person: Person) -> Any:
        contacts = self.context.get("contacts", {}).get(person.pk) or [person.registered_by_service]
        return ContactSerializer(contacts, many=True).data


ContactsField = extend_schema_field(ContactSerializer(many=True))(_Contacts)


class PersonLimitedSerializer(serializers.Serializer):
    """A protected person the caller may know exists: reference, restriction, whom to contact."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    reference = serializers.CharField(read_only=True)
    visibility = ExistsVisibilityField()
    restriction = serializers.ChoiceField(choices=Restriction.choices, read_only=True)
    contacts = ContactsField(help_text="Services to contact if you need to work with this person.")


class PersonSerializer(serializers.ModelSerializer):
    """A person's shared record, for callers who may see it in full."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    visibility = FullVisibilityField()
    display_name = serializers.CharField(read_only=True)
    registered_by_service = serializers.UUIDField(source="registered_by_service.public_id", read_only=True)
    registered_by_service_name = serializers.CharField(source="registered_by_service.name", read_only=True)
    contacts = ContactsField(help_text="Services working with this person now (else the one that registered them).")

    class Meta:
        model = Person
        fields = [
            "id",
            "reference",
            "visibility",
            "restriction",
            "first_name",
            "last_name",
            "known_as",
            "display_name",
            "description",
            "date_of_birth",
            "registered_by_service",
            "registered_by_service_name",
            "contacts",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


PERSON_RESPONSE = PolymorphicProxySerializer(
    component_name="PersonAsSeen",
    serializers=[PersonSerializer, PersonLimitedSerializer],
    resource_type_field_name=None,
)


def _serialize(people: list[tuple[Person, bool]], context: dict[str, Any]) -> list[dict[str, Any]]:
    """Each person in full or limited form. One serializer of each kind serves every row:
    building a ModelSerializer's fields costs far more than using them."""
    full, limited = PersonSerializer(context=context), PersonLimitedSerializer(context=context)
    return [(full if is_full else limited).to_representation(person) for person, is_full in people]


def contacts_for(people: list[Person]) -> dict[int, list[Any]]:
    """Services working with each person, in one query. `people` come from `visible_to`."""
    contacts: dict[int, list[Any]] = defaultdict(list)
    episodes = (
        Episode.objects.of_opened_people(people)
        .open()
        .select_related("service__organisation")
        .order_by("started_on", "id")
    )
    for episode in episodes:
        contacts[episode.person_id].append(episode.service)
    return contacts


@extend_schema(tags=["people"])
class PersonViewSet(VisibleModelViewSet):
    """People the caller may know of. Read-only in the API for now."""

    visible = people_for
    ordering = ("-created_at", "-id")

    def get_queryset(self) -> QuerySet[Person]:
        return people_for(self.request.user, self._query()).select_related("registered_by_service__organisation")

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return PersonSerializer

    def _query(self) -> str:
        query = self.request.query_params.get("q", "")
        if "\x00" in query:
            raise ValidationError({"q": ["Search text cannot contain null characters."]})
        if len(query) > QUERY_MAX:
            raise ValidationError({"q": [f"Search for at most {QUERY_MAX} characters."]})
        return query

    @extend_schema(
        summary="People you may know of, newest first",
        parameters=[
            OpenApiParameter(
                "q",
                {"type": "string", "maxLength": QUERY_MAX},
                description="Part of a name, or a whole reference such as WM-7K3Q9. "
                "Protected records are found by their reference only.",
            )
        ],
        responses=PolymorphicProxySerializer(
            component_name="PersonAsSeen",
            serializers=[PersonSerializer, PersonLimitedSerializer],
            resource_type_field_name=None,
            many=True,
        ),
    )
    def list(self, request: Request) -> Response:
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        assert page is not None
        context = {**self.get_serializer_context(), "contacts": contacts_for(page)}
        # `full_access` is annotated by people_for: whether the caller may see who this is.
        rows = _serialize([(p, p.full_access) for p in page], context)  # type: ignore[attr-defined]
        return self.get_paginated_response(rows)

    @extend_schema(
        summary="One person as you may see them (the read is audited)",
        parameters=[OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses=PERSON_RESPONSE,
    )
    def retrieve(self, request: Request, id: str) -> Response:
        view = open_person(request.user, id)
        context = {**self.get_serializer_context(), "contacts": contacts_for([view.person])}
        return Response(_serialize([(view.person, view.is_full)], context)[0])


def register(router: Any) -> None:
    """Add this app's viewsets to the API router."""
    router.register("people", PersonViewSet, basename="person")
