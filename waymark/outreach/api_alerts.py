"""REST API: alerts. `register(router)` adds viewsets; `urlpatterns` holds plain API views.

* `POST /api/v1/alerts/public/`: anyone (a partner's public app), no credentials;
  the same rules and limits as the report page.
* `POST /api/v1/alerts/`: a partner platform, with a token; the same `external_id`
  again returns the alert already kept (200) instead of a new one (201).
* The queue: list and retrieve what the caller may see, assign, record the
  outcome, tell the reporter. Every write goes through `services_alerts`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from waymark.access.models import Service, User
from waymark.core.api import (
    BooleanFilter,
    ErrorSerializer,
    FilterSet,
    PublicIdField,
    StrictBooleanSerializerField,
    StrictCharField,
    StrictIntegerField,
    VisibleModelViewSet,
)
from waymark.core.context import client_ip
from waymark.core.errors import Conflict
from waymark.outreach import services_alerts
from waymark.outreach.models import Alert, AlertOutcome, AlertStatus, StreetContact
from waymark.outreach.services_alerts import AlertDetails

STALE = OpenApiResponse(ErrorSerializer, description="Someone else changed the alert since you read its version.")


def _stale_to_conflict(call: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return call(*args, **kwargs)
    except services_alerts.StaleAlert as exc:
        raise Conflict(exc.message) from exc


# --- serializers ---------------------------------------------------------------------------------


class CoordinateField(serializers.DecimalField):
    """A latitude or longitude: a JSON number (or a numeric string), to 6 decimal places."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            max_digits=9, decimal_places=6, coerce_to_string=False, required=False, allow_null=True, **kwargs
        )

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool):
            self.fail("invalid")
        return super().to_internal_value(data)


class ReportFields(serializers.Serializer):
    """What a report says: the fields the public and partner endpoints share."""

    description = StrictCharField(
        max_length=services_alerts.DESCRIPTION_MAX, help_text="What the person looks like; anything that helps."
    )
    location = StrictCharField(
        max_length=services_alerts.LOCATION_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="The address or a description of the place. This, a map position, or both.",
    )
    latitude = CoordinateField(help_text="WGS84 latitude, with `longitude`.")
    longitude = CoordinateField(help_text="WGS84 longitude, with `latitude`.")
    reporter_is_person = StrictBooleanSerializerField(
        required=False, default=False, help_text="The person sleeping rough sent this themself."
    )
    reporter_name = StrictCharField(max_length=services_alerts.NAME_MAX, required=False, allow_blank=True, default="")
    reporter_email = StrictCharField(
        max_length=services_alerts.EMAIL_MAX,
        required=False,
        allow_blank=True,
        default="",
        help_text="To tell the reporter the outcome in general terms.",
    )
    reporter_phone = StrictCharField(max_length=services_alerts.PHONE_MAX, required=False, allow_blank=True, default="")

    def details(self) -> AlertDetails:
        data = self.validated_data
        return AlertDetails(
            description=data["description"],
            seen_at=data.get("seen_at"),
            latitude=data.get("latitude"),
            longitude=data.get("longitude"),
            location=data["location"],
            reporter_is_person=data["reporter_is_person"],
            reporter_name=data["reporter_name"],
            reporter_email=data["reporter_email"],
            reporter_phone=data["reporter_phone"],
            external_id=data.get("external_id", ""),
        )


@extend_schema_serializer(component_name="AlertPublicReport")
class PublicReportSerializer(ReportFields):
    """A member of the public's report, sent by a partner's public app."""

    area = serializers.UUIDField(
        required=False, allow_null=True, help_text="The area's id; needed only when the installation has several."
    )
    seen_at = serializers.DateTimeField(help_text="When the reporter saw them; not in the future.")
    consent = StrictBooleanSerializerField(
        help_text="Must be true: the reporter agrees we keep what they sent and, if they gave contact details, "
        "may contact them about it and tell them the outcome."
    )

    def validate_consent(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError("The reporter must agree before the report can be kept.")
        return value


@extend_schema_serializer(component_name="AlertReportReceived")
class ReportReceivedSerializer(serializers.Serializer):
    reference = serializers.CharField(help_text="The short reference to give the reporter.")
    message = serializers.CharField()


@extend_schema_serializer(component_name="AlertFromPartner")
class PartnerAlertSerializer(ReportFields):
    """An alert from a partner platform. Send reporter details only where the reporter agreed,
    on your platform, to be contacted about the outcome."""

    external_id = StrictCharField(
        max_length=services_alerts.EXTERNAL_ID_MAX, help_text="Your platform's id; a resend with it is kept once."
    )
    seen_at = serializers.DateTimeField(required=False, allow_null=True, help_text="When the reporter saw them.")


@extend_schema_field({"type": "string", "format": "uuid", "nullable": True})
class NullablePublicId(serializers.Field):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> Any:
        return str(value.public_id) if value is not None else None


@extend_schema_serializer(component_name="Alert")
class AlertSerializer(serializers.ModelSerializer):
    """An alert as its outreach team sees it. `contact` is null unless the caller may see that street contact."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    reference = serializers.SerializerMethodField(help_text="The reporter's short reference.")
    district = NullablePublicId(help_text="The district's id, from the map position; null if none.")
    district_name = serializers.SerializerMethodField()
    assigned_service = NullablePublicId(help_text="The outreach team it is assigned to.")
    assigned_service_name = serializers.SerializerMethodField()
    assigned_to = NullablePublicId(help_text="The worker it is assigned to.")
    assigned_to_name = serializers.SerializerMethodField()
    contact = serializers.SerializerMethodField(help_text="The linked street contact's id, if you may see it.")
    response_seconds = serializers.SerializerMethodField(help_text="Seconds from receiving to the outcome.")
    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False, allow_null=True)
    reporter_email = serializers.CharField(read_only=True, help_text="Empty if the reporter left none.")
    outcome = serializers.ChoiceField(
        choices=AlertOutcome.choices, allow_blank=True, read_only=True, help_text="Empty until it is recorded."
    )

    class Meta:
        model = Alert
        fields = [
            "id",
            "reference",
            "source",
            "external_id",
            "received_at",
            "seen_at",
            "latitude",
            "longitude",
            "location",
            "district",
            "district_name",
            "description",
            "reporter_is_person",
            "reporter_name",
            "reporter_email",
            "reporter_phone",
            "status",
            "assigned_service",
            "assigned_service_name",
            "assigned_to",
            "assigned_to_name",
            "assigned_at",
            "outcome",
            "outcome_at",
            "response_seconds",
            "contact",
            "reporter_told_at",
            "version",
        ]
        read_only_fields = fields

    def get_reference(self, alert: Alert) -> str:
        return services_alerts.reference(alert)

    @extend_schema_field({"type": "string", "nullable": True})
    def get_district_name(self, alert: Alert) -> str | None:
        return alert.district.name if alert.district_id else None  # type: ignore[union-attr]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_assigned_service_name(self, alert: Alert) -> str | None:
        return alert.assigned_service.name if alert.assigned_service_id else None  # type: ignore[union-attr]

    @extend_schema_field({"type": "string", "nullable": True})
    def get_assigned_to_name(self, alert: Alert) -> str | None:
        return alert.assigned_to.display_name if alert.assigned_to_id else None  # type: ignore[union-attr]

    @extend_schema_field({"type": "string", "format": "uuid", "nullable": True})
    def get_contact(self, alert: Alert) -> str | None:
        if alert.contact_id is None or not getattr(alert, "contact_visible", False):
            return None
        return str(alert.contact.public_id)  # type: ignore[union-attr]

    @extend_schema_field({"type": "integer", "nullable": True})
    def get_response_seconds(self, alert: Alert) -> int | None:
        taken = alert.response_time
        return int(taken.total_seconds()) if taken is not None else None


def _version_field() -> StrictIntegerField:
    return StrictIntegerField(min_value=1, help_text="The alert's `version` you read; a stale one is a 409.")


def _users_in_area(user: Any) -> QuerySet[User]:
    from waymark.access import rules

    ctx = rules.context_for(user)
    return User.objects.filter(area_id=ctx.area_id or 0, is_active=True)


def _contacts(user: Any) -> QuerySet[StreetContact]:
    return StreetContact.objects.visible_to(user)


@extend_schema_serializer(component_name="AlertAssign")
class AssignSerializer(serializers.Serializer):
    service = PublicIdField(
        visible=services_alerts.assignable_services,
        required=False,
        help_text="The outreach team. Default: the service you act for (X-Waymark-Service).",
    )
    assignee = PublicIdField(
        visible=_users_in_area,
        required=False,
        allow_null=True,
        help_text="A worker or manager of the team; null or left out for the team as a whole.",
    )
    version = _version_field()


@extend_schema_serializer(component_name="AlertOutcomeRecord")
class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=AlertOutcome.choices)
    contact = PublicIdField(
        visible=_contacts,
        required=False,
        allow_null=True,
        help_text="For `found`: one of the team's street contacts of the last three days.",
    )
    version = _version_field()


@extend_schema_serializer(component_name="AlertTellReporter")
class TellSerializer(serializers.Serializer):
    version = _version_field()


# --- the public endpoint ---------------------------------------------------------------------------


class PublicReportView(APIView):
    """A member of the public's report that someone is sleeping rough, from a partner's public app.

    No credentials. The same checks as the report page, and the same limits per
    address (429 with Retry-After when over them).
    """

    authentication_classes: list[Any] = []
    permission_classes = [permissions.AllowAny]

    @extend_schema(
        tags=["outreach"],
        summary="Report someone sleeping rough (public)",
        request=PublicReportSerializer,
        responses={201: ReportReceivedSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = PublicReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        area = services_alerts.area_for_report(serializer.validated_data.get("area"))
        try:
            alert = services_alerts.report_alert(serializer.details(), area=area, ip_address=client_ip(request))
        except services_alerts.RateLimited as exc:
            raise exceptions.Throttled(wait=exc.retry_after, detail=exc.message) from exc
        assert alert is not None
        body = {
            "reference": services_alerts.reference(alert),
            "message": "Thank you. An outreach team will look at your report.",
        }
        return Response(body, status=status.HTTP_201_CREATED)


# --- the queue -------------------------------------------------------------------------------------


def alerts_visible_to(user: Any) -> QuerySet[Alert]:
    """The alerts the caller may see, each with whether they may see its linked street contact."""
    linked = StreetContact.objects.visible_to(user).filter(pk=OuterRef("contact_id"))
    return services_alerts.alerts_for(user).annotate(contact_visible=Exists(linked)).select_related("contact")


class AlertFilter(FilterSet):
    status = filters.ChoiceFilter(
        choices=[("open", "Open (new or assigned)"), *AlertStatus.choices],
        method="filter_status",
        help_text="`open` for new or assigned.",
    )
    district = filters.UUIDFilter(field_name="district__public_id", help_text="A district's id.")
    no_district = BooleanFilter(
        field_name="district", lookup_expr="isnull", help_text="true: only alerts with no district yet."
    )
    assigned_service = filters.UUIDFilter(field_name="assigned_service__public_id", help_text="A team's id.")

    class Meta:
        model = Alert
        fields: list[str] = []

    def filter_status(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "open":
            return queryset.exclude(status=AlertStatus.CLOSED)
        return queryset.filter(status=value)


class AlertsWrite(permissions.BasePermission):
    """Reads for anyone signed in (what they see is filtered); sending alerts from a platform for area
    admins, coordinators and outreach teams. The service functions check each alert again."""

    message = "Only area admins, coordinators and outreach teams can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return services_alerts.can_send_partner_alerts(request.user)


@extend_schema_view(
    list=extend_schema(summary="Alerts you may see, oldest first"),
    retrieve=extend_schema(summary="One alert"),
)
@extend_schema(tags=["outreach"])
class AlertViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, VisibleModelViewSet):
    """Alerts from the public and partner platforms: the outreach queue."""

    visible = alerts_visible_to
    serializer_class = AlertSerializer
    filterset_class = AlertFilter
    permission_classes = [permissions.IsAuthenticated, AlertsWrite]
    ordering = ("received_at", "id")

    @extend_schema(
        summary="Send an alert from a partner platform",
        request=PartnerAlertSerializer,
        responses={
            201: AlertSerializer,
            200: OpenApiResponse(AlertSerializer, description="An alert with this `external_id` was already sent."),
        },
    )
    def create(self, request: Request) -> Response:
        serializer = PartnerAlertSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        alert, created = services_alerts.receive_partner_alert(request.user, serializer.details())
        return self.respond_with(alert, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(summary="Assign an alert", request=AssignSerializer, responses={200: AlertSerializer, 409: STALE})
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, id: str) -> Response:
        alert = self.get_object()
        serializer = AssignSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        service = data.get("service") or _acting_outreach(request)
        if service is None:
            raise exceptions.ValidationError({"service": ["Give the outreach team to assign the alert to."]})
        _stale_to_conflict(
            services_alerts.assign_alert,
            request.user,
            alert,
            service=service,
            assignee=data.get("assignee"),
            version=data["version"],
        )
        return self.respond_with(alert)

    @extend_schema(
        summary="Record an alert's outcome (closes it)",
        request=OutcomeSerializer,
        responses={200: AlertSerializer, 409: STALE},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request: Request, id: str) -> Response:
        alert = self.get_object()
        serializer = OutcomeSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        _stale_to_conflict(
            services_alerts.record_outcome,
            request.user,
            alert,
            outcome=data["outcome"],
            contact=data.get("contact"),
            service=_acting_outreach(request),
            version=data["version"],
        )
        return self.respond_with(alert)

    @extend_schema(
        summary="Email the reporter the outcome, in general terms",
        request=TellSerializer,
        responses={200: AlertSerializer, 409: STALE},
    )
    @action(detail=True, methods=["post"], url_path="tell-reporter")
    def tell_reporter(self, request: Request, id: str) -> Response:
        alert = self.get_object()
        serializer = TellSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _stale_to_conflict(
            services_alerts.tell_reporter,
            request.user,
            alert,
            service=_acting_outreach(request),
            version=serializer.validated_data["version"],
        )
        return self.respond_with(alert)


def _acting_outreach(request: Request) -> Service | None:
    service = getattr(request, "current_service", None)
    return service if isinstance(service, Service) else None


urlpatterns = [
    path("alerts/public/", PublicReportView.as_view(), name="api-alerts-public"),
]


def register(router: Any) -> None:
    """Add this part's viewsets to the API router."""
    router.register("alerts", AlertViewSet, basename="alert")
