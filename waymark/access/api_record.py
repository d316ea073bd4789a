"""Record-protection API: restrictions, break-glass, who looked, service notices.

Every write goes through `access.services_record`, which checks permission,
validates and audits. A person the caller may not know of (a hidden one
included) is a 404, exactly as a made-up id.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from waymark.access import services_record
from waymark.access.constants import Restriction
from waymark.access.models import BreakGlass, BreakGlassReason, BreakGlassScope, ServiceNotice
from waymark.audit.services import london_day_start
from waymark.core.api import (
    UUID_PATTERN,
    BooleanFilter,
    ErrorSerializer,
    FilterSet,
    StrictCharField,
    StrictIntegerField,
    VisibleModelViewSet,
)
from waymark.core.errors import Conflict
from waymark.people.models import Person

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="There is nothing here that you may see.")
CONFLICT = OpenApiResponse(
    ErrorSerializer, description="Someone else changed the record since you read its `version`; read it again."
)


# --- break-glass ---------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "enum": BreakGlassReason.values,
        "description": "; ".join(f"`{value}`: {label}" for value, label in BreakGlassReason.choices),
    }
)
class BreakGlassReasonField(serializers.ChoiceField):
    """The reason, described inline: another app's `reason` (episode endings) has other choices."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=BreakGlassReason.choices, **kwargs)


class BreakGlassRequestSerializer(serializers.Serializer):
    """Ask to read what the access model withholds, with a reason."""

    person = serializers.UUIDField(help_text="The person's id. A record you may not know of is a 404.")
    scope = serializers.ChoiceField(
        choices=BreakGlassScope.choices,
        help_text="`identity`: a protected person you see only as 'a record exists'; "
        "`notes`: case note text withheld from you.",
    )
    reason = BreakGlassReasonField()
    explanation = StrictCharField(
        max_length=services_record.EXPLANATION_MAX,
        help_text="Why you need to see it now (at least "
        f"{services_record.EXPLANATION_MIN} characters; {services_record.EXPLANATION_MIN_OTHER} for `other`). "
        "Shown to the services working with the person and to area admins.",
    )


class BreakGlassSerializer(serializers.ModelSerializer):
    """A break-glass read: who, for which service, on whom, why, and until when."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    person = serializers.UUIDField(source="person.public_id", read_only=True)
    person_reference = serializers.CharField(source="person.reference", read_only=True)
    user = serializers.UUIDField(source="user.public_id", read_only=True)
    username = serializers.CharField(source="user.username", read_only=True)
    user_name = serializers.CharField(source="user.display_name", read_only=True)
    service = serializers.UUIDField(source="service.public_id", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    # A plain string here, so the reasons' enum belongs to the request alone and gets a clear name.
    reason = serializers.CharField(read_only=True, help_text="One of the reasons a request may give.")

    class Meta:
        model = BreakGlass
        fields = [
            "id",
            "person",
            "person_reference",
            "scope",
            "reason",
            "explanation",
            "user",
            "username",
            "user_name",
            "service",
            "service_name",
            "created_at",
            "expires_at",
        ]
        read_only_fields = fields


def _from_day(queryset: QuerySet, name: str, value: Any) -> QuerySet:
    return queryset.filter(created_at__gte=london_day_start(value))


def _to_day(queryset: QuerySet, name: str, value: Any) -> QuerySet:
    if value >= date.max - timedelta(days=1):  # "until the end of time": no upper bound
        return queryset
    return queryset.filter(created_at__lt=london_day_start(value + timedelta(days=1)))


class BreakGlassFilter(FilterSet):
    date_from = filters.DateFilter(method=_from_day, help_text="On or after this day (UK time), YYYY-MM-DD.")
    date_to = filters.DateFilter(method=_to_day, help_text="On or before this day (UK time), YYYY-MM-DD.")
    service = filters.UUIDFilter(field_name="service__public_id", help_text="The id of the service that looked.")

    class Meta:
        model = BreakGlass
        fields: list[str] = []


def _who_looked(user: Any) -> QuerySet[BreakGlass]:
    return services_record.glass_reads_for(user)


@extend_schema(tags=["record protection"])
class BreakGlassViewSet(mixins.ListModelMixin, VisibleModelViewSet):
    """Break-glass: ask to read what you could not (contributors and managers), and see who did
    (managers of the services owning the record, and area admins)."""

    visible = _who_looked
    serializer_class = BreakGlassSerializer
    filterset_class = BreakGlassFilter
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self) -> QuerySet[BreakGlass]:
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no manager to ask for
            return BreakGlass.objects.none()
        return super().get_queryset()

    @extend_schema(
        summary="Who looked: break-glass reads of records your services own (area admins: the area)",
        description="Service managers see reads of the people their services work with or registered; "
        "area admins see the whole area. Anyone else gets 403.",
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Break the glass: read a protected identity or withheld notes for 4 hours (audited)",
        description="Only a contributor or manager acting for their service (`X-Waymark-Service`). "
        "Never for a hidden record: one you may not know of is a 404, as a made-up id. "
        "A request that would unlock nothing is a 400 naming `scope`.",
        request=BreakGlassRequestSerializer,
        responses={201: BreakGlassSerializer, 404: NOT_FOUND},
    )
    def create(self, request: Request) -> Response:
        acting = getattr(request._request, "current_service", None)
        if not services_record.can_break_glass(request.user, acting):
            raise PermissionDenied(
                "Only a worker or manager acting for their service can break the glass. "
                "Viewers, analysts and area-wide roles cannot."
            )
        serializer = BreakGlassRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        person = services_record.glass_person(request.user, data["person"])
        glass = services_record.break_glass(
            request.user, person, data["scope"], data["reason"], data["explanation"], service=acting
        )
        return Response(BreakGlassSerializer(glass).data, status=status.HTTP_201_CREATED)


# --- restriction -----------------------------------------------------------------------------------


class RestrictionSerializer(serializers.Serializer):
    """A person's restriction, and whether the caller may change it."""

    person = serializers.UUIDField(source="public_id", read_only=True)
    reference = serializers.CharField(read_only=True)
    restriction = serializers.ChoiceField(choices=Restriction.choices, read_only=True)
    version = serializers.IntegerField(read_only=True, help_text="Send it back with a change.")
    can_change = serializers.BooleanField(read_only=True, help_text="Whether you may change the restriction.")
    reason_required = serializers.BooleanField(
        read_only=True, help_text="Whether a change by you must give a reason (area admins)."
    )


class RestrictionChangedSerializer(RestrictionSerializer):
    """The restriction after a change, and how many other services were told they see less."""

    services_told = serializers.IntegerField(read_only=True)


class RestrictionChangeSerializer(serializers.Serializer):
    """A new restriction. Other services are told what they can no longer see, never why."""

    restriction = serializers.ChoiceField(choices=Restriction.choices)
    reason = StrictCharField(
        max_length=services_record.REASON_MAX,
        required=False,
        allow_blank=True,
        help_text="Why; required for area admins. Recorded in the audit log only.",
    )
    version = StrictIntegerField(required=False, min_value=1, help_text="The `version` you read; a stale one is a 409.")


def _restriction_body(user: Any, person: Person, acting: Any) -> dict[str, Any]:
    permission = services_record.restriction_permission(user, person, acting)
    return {
        "public_id": person.public_id,
        "reference": person.reference,
        "restriction": person.restriction,
        "version": person.version,
        "can_change": permission.allowed,
        "reason_required": permission.allowed and permission.reason_required,
    }


@extend_schema(tags=["record protection"])
class RestrictionViewSet(viewsets.GenericViewSet):
    """A person's restriction: read by anyone who may know of them, changed by the services working
    with them or by an area admin with a reason."""

    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = UUID_PATTERN
    permission_classes = [permissions.IsAuthenticated]
    serializer_class = RestrictionSerializer
    pagination_class = None

    def get_queryset(self) -> QuerySet[Person]:
        return Person.objects.visible_to(self.request.user)

    @extend_schema(methods=["GET"], summary="A person's restriction, and whether you may change it", request=None)
    @extend_schema(
        methods=["POST"],
        summary="Change a person's restriction (audited; other services told what they can no longer see)",
        request=RestrictionChangeSerializer,
        responses={200: RestrictionChangedSerializer, 409: CONFLICT},
    )
    @action(detail=True, methods=["get", "post"], url_path="restriction")
    def restriction(self, request: Request, id: str) -> Response:
        person: Person = self.get_object()
        acting = getattr(request._request, "current_service", None)
        if request.method == "GET":
            return Response(RestrictionSerializer(_restriction_body(request.user, person, acting)).data)
        permission = services_record.restriction_permission(request.user, person, acting)
        if not permission.allowed:
            raise PermissionDenied(permission.message)
        serializer = RestrictionChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            change = services_record.change_restriction(
                request.user, person, data["restriction"], data.get("reason", ""), data.get("version"), service=acting
            )
        except services_record.StaleVersion as exc:
            raise Conflict(exc.message) from exc
        body = {**_restriction_body(request.user, change.person, acting), "services_told": len(change.notified)}
        return Response(RestrictionChangedSerializer(body).data)


# --- notices -------------------------------------------------------------------------------------------


class NoticeSerializer(serializers.ModelSerializer):
    """A message to one of your services. Says what changed, never why."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    service = serializers.UUIDField(source="service.public_id", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)

    class Meta:
        model = ServiceNotice
        fields = ["id", "service", "service_name", "message", "created_at", "read_at"]
        read_only_fields = fields


class NoticeFilter(FilterSet):
    unread = BooleanFilter(field_name="read_at", lookup_expr="isnull", help_text="Only unread (or only read) ones.")

    class Meta:
        model = ServiceNotice
        fields: list[str] = []


@extend_schema(tags=["record protection"])
class NoticeViewSet(mixins.ListModelMixin, VisibleModelViewSet):
    """Notices to your services, such as records you can no longer see."""

    visible = services_record.notices_for
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilter
    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(summary="Notices to your services, newest first")
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(summary="Mark a notice as read", request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request: Request, id: str) -> Response:
        notice = services_record.mark_notice_read(request.user, self.get_object())
        return Response(NoticeSerializer(notice).data)


def register(router: Any) -> None:
    """Add this module's viewsets to the API router."""
    router.register("break-glass", BreakGlassViewSet, basename="break-glass")
    router.register("people", RestrictionViewSet, basename="person-restriction")
    router.register("notices", NoticeViewSet, basename="notice")
