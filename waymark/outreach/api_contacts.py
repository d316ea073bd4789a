"""REST API: street contacts. `register(router)` adds the viewset; `urlpatterns` holds plain API views.

The same rules as the pages, because the same service functions run: lists start
from `outreach.services.contacts_for(user)` (a contact follows its person's
visibility), and recording and linking go through `record_contact` and
`link_contact`, which check the acting service (`X-Waymark-Service`) and audit.
"""

from __future__ import annotations

import datetime
from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.access import rules
from waymark.access.models import District, User
from waymark.casework.api import Writers, area_users
from waymark.core.api import (
    BooleanFilter,
    FilterSet,
    PublicIdField,
    StrictCharField,
    VisibleModelViewSet,
)
from waymark.outreach import services
from waymark.outreach.models import ActionTaken, ObservedNeed, SeenDoing, SiteType, StreetContact
from waymark.people.models import Person

COORDINATE = {"type": "number", "format": "double", "nullable": True}


def _contacts(user: Any) -> QuerySet[StreetContact]:
    return services.contacts_for(user).prefetch_related("workers")


def _districts(user: Any) -> QuerySet[District]:
    area_id = rules.context_for(user).area_id
    return District.objects.filter(area_id=area_id) if area_id is not None else District.objects.none()


# --- reading -----------------------------------------------------------------------------------


class ContactWorkerSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    name = serializers.CharField(source="display_name")


class StreetContactSerializer(serializers.ModelSerializer):
    """A street contact. `person` is null for someone not yet identified; `description` says who."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    service = serializers.UUIDField(source="service.public_id", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    person = serializers.SerializerMethodField()
    person_reference = serializers.SerializerMethodField()
    identified = serializers.BooleanField(source="is_identified", read_only=True)
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True)
    district = serializers.SerializerMethodField()
    district_name = serializers.SerializerMethodField()
    actions = serializers.ListField(child=serializers.ChoiceField(choices=ActionTaken.choices), read_only=True)
    needs = serializers.ListField(child=serializers.ChoiceField(choices=ObservedNeed.choices), read_only=True)
    rough_sleeping = serializers.BooleanField(
        read_only=True, help_text="Counts the person as seen rough sleeping on `seen_on`."
    )
    workers = ContactWorkerSerializer(many=True, read_only=True)

    class Meta:
        model = StreetContact
        fields = [
            "id",
            "service",
            "service_name",
            "person",
            "person_reference",
            "identified",
            "description",
            "seen_at",
            "seen_on",
            "latitude",
            "longitude",
            "place",
            "district",
            "district_name",
            "site_type",
            "seen_doing",
            "actions",
            "needs",
            "rough_sleeping",
            "workers",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uuid", "nullable": True})
    def get_person(self, contact: StreetContact) -> str | None:
        return str(contact.person.public_id) if contact.person_id and contact.person else None

    @extend_schema_field({"type": "string", "nullable": True, "description": "WM-XXXXX, or null."})
    def get_person_reference(self, contact: StreetContact) -> str | None:
        return contact.person.reference if contact.person_id and contact.person else None

    @extend_schema_field({"type": "string", "format": "uuid", "nullable": True})
    def get_district(self, contact: StreetContact) -> str | None:
        return str(contact.district.public_id) if contact.district_id and contact.district else None

    @extend_schema_field({"type": "string", "nullable": True})
    def get_district_name(self, contact: StreetContact) -> str | None:
        return contact.district.name if contact.district_id and contact.district else None


# --- writing -----------------------------------------------------------------------------------


@extend_schema_field(COORDINATE)
class CoordinateField(serializers.Field):
    """A JSON number (or null); a string or true is an error, as for the other strict types."""

    default_error_messages = {"invalid": "Give a number, e.g. 53.480759."}

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            self.fail("invalid")
        # Through str, so 53.48 stays 53.48 rather than its nearest binary fraction.
        return str(data)

    def to_representation(self, value: Any) -> Any:
        return value


@extend_schema_field(
    {
        "type": "string",
        "nullable": True,
        "description": "The person's id (a UUID) or reference (WM-XXXXX); null or left out for someone "
        "not yet identified, who then needs a `description`.",
    }
)
class PersonField(serializers.Field):
    """A person the caller sees in full, by id or reference; any other reads as "not found"."""

    default_error_messages = {
        "invalid": "Give the person's id or their reference, e.g. WM-7K3Q9.",
        "does_not_exist": "No record with this id or reference is available to you.",
    }

    def to_internal_value(self, data: Any) -> Person:
        if not isinstance(data, str) or not data.strip() or len(data) > 40:
            self.fail("invalid")
        people = Person.objects.fully_visible_to(self.context["request"].user)
        try:
            person = people.filter(public_id=UUID(data.strip())).first()
        except ValueError:
            person = people.filter(reference=data.strip().upper()).first()
        if person is None:
            self.fail("does_not_exist")
        return services.mark_fully_visible(person, self.context["request"].user)

    def to_representation(self, value: Any) -> Any:
        return str(value.public_id)


class StreetContactWriteSerializer(serializers.Serializer):
    seen_at = serializers.DateTimeField(help_text="When they were met; now or earlier. Without an offset, UK time.")
    seen_doing = serializers.ChoiceField(choices=SeenDoing.choices)
    person = PersonField(required=False, allow_null=True, default=None)
    description = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=services.DESCRIPTION_MAX,
        default="",
        help_text="For someone not yet identified, e.g. man, 40s, green sleeping bag.",
    )
    latitude = CoordinateField(required=False, allow_null=True, default=None)
    longitude = CoordinateField(required=False, allow_null=True, default=None)
    place = StrictCharField(
        required=False,
        allow_blank=True,
        max_length=services.PLACE_MAX,
        default="",
        help_text="e.g. doorway of 12 High Street. Needed without a pin.",
    )
    district = PublicIdField(
        visible=_districts,
        required=False,
        allow_null=True,
        default=None,
        help_text="A district's id. Default: the district the pin is in.",
    )
    site_type = serializers.ChoiceField(choices=SiteType.choices, required=False, allow_blank=True, default="")
    actions = serializers.ListField(
        child=serializers.ChoiceField(choices=ActionTaken.choices), required=False, default=list, max_length=20
    )
    needs = serializers.ListField(
        child=serializers.ChoiceField(choices=ObservedNeed.choices), required=False, default=list, max_length=20
    )
    workers = serializers.ListField(
        child=PublicIdField(visible=area_users),
        required=False,
        default=list,
        max_length=20,
        help_text="Ids of the team's workers who were there. Default: you.",
    )
    idempotency_key = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Made by the device for each contact: sending it again returns the contact already saved "
        "(200) instead of saving a second one.",
    )

    def validate_seen_at(self, value: datetime.datetime) -> datetime.datetime:
        # Dates near the ends of the calendar overflow when turned into a UK day.
        if not 2 <= value.year <= 9998:
            raise serializers.ValidationError("Give a real date and time.")
        return value

    def details(self) -> services.ContactDetails:
        data = self.validated_data
        workers: list[User] = list(data["workers"])
        return services.ContactDetails(
            seen_at=data["seen_at"],
            seen_doing=data["seen_doing"],
            person=data["person"],
            description=data["description"],
            latitude=data["latitude"],
            longitude=data["longitude"],
            place=data["place"],
            district=data["district"],
            site_type=data["site_type"],
            actions=list(data["actions"]),
            needs=list(data["needs"]),
            workers=workers,
            idempotency_key=data["idempotency_key"],
        )


class StreetContactLinkSerializer(serializers.Serializer):
    person = PersonField(help_text="The person's id or reference.")


# --- the viewset -------------------------------------------------------------------------------


def _identified(queryset: QuerySet, name: str, value: bool | None) -> QuerySet:
    if value is None:
        return queryset
    return queryset.filter(person__isnull=not value)


class StreetContactFilter(FilterSet):
    service = filters.UUIDFilter(field_name="service__public_id", help_text="The recording service's id.")
    person = filters.UUIDFilter(field_name="person__public_id", help_text="A person's id.")
    identified = BooleanFilter(method=_identified, help_text="true: with a record; false: not yet identified.")

    class Meta:
        model = StreetContact
        fields: list[str] = []


# `from` is a Python keyword, so these two are added by name.
StreetContactFilter.base_filters["from"] = filters.DateFilter(
    field_name="seen_on", lookup_expr="gte", help_text="On or after this day (UK time), YYYY-MM-DD."
)
StreetContactFilter.base_filters["to"] = filters.DateFilter(
    field_name="seen_on", lookup_expr="lte", help_text="On or before this day (UK time), YYYY-MM-DD."
)


@extend_schema_view(
    list=extend_schema(summary="Street contacts you may see, newest first"),
    retrieve=extend_schema(summary="One street contact"),
)
@extend_schema(tags=["outreach"])
class ContactViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet):
    """Street contacts: who an outreach team met, where, and what was done.

    A contact with a person follows the person's visibility (as a case note does);
    one with someone not yet identified is seen by the services your organisation
    shares with.
    """

    visible = _contacts
    serializer_class = StreetContactSerializer
    filterset_class = StreetContactFilter
    permission_classes = [permissions.IsAuthenticated, Writers]
    ordering = ("-seen_at", "-id")

    @extend_schema(
        summary="Record a street contact for the service you act for (X-Waymark-Service)",
        description="Returns 201 with the new contact, or 200 with the contact already saved when its "
        "`idempotency_key` was sent before: a phone resending what it queued offline never makes two.",
        request=StreetContactWriteSerializer,
        responses={
            201: StreetContactSerializer,
            200: OpenApiResponse(StreetContactSerializer, description="Already saved with this idempotency key."),
        },
    )
    def create(self, request: Request) -> Response:
        serializer = StreetContactWriteSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        contact, created = services.record_contact(
            request.user, getattr(request, "current_service", None), serializer.details()
        )
        if not created:
            return self.respond_with(contact, status.HTTP_200_OK)
        # Just saved by this caller, through the rules: no need to read it back.
        return Response(self.get_serializer(contact).data, status=status.HTTP_201_CREATED)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """One contact; the read is audited, as on its page."""
        contact = self.get_object()
        services.record_contact_read(request.user, contact)
        return Response(self.get_serializer(contact).data)

    @extend_schema(
        summary="Link a contact with someone not yet identified to their record",
        description="For workers and managers of the service that recorded it. A contact already linked is a 400.",
        request=StreetContactLinkSerializer,
        responses={200: StreetContactSerializer},
    )
    @action(detail=True, methods=["post"])
    def link(self, request: Request, id: str) -> Response:
        contact = self.get_object()
        serializer = StreetContactLinkSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        services.link_contact(request.user, contact, serializer.validated_data["person"])
        return self.respond_with(contact)


urlpatterns: list = []


def register(router: Any) -> None:
    """Add this part's viewsets to the API router."""
    router.register("contacts", ContactViewSet, basename="contact")
