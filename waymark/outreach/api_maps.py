"""REST API: maps, as GeoJSON. `register(router)` adds viewsets; `urlpatterns` holds plain API views.

Thin views over `outreach.maps`, which the pages use too: the same people, the
same points, the same cells and the same refusals.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import permissions, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from waymark.core.api import ErrorSerializer
from waymark.outreach import maps, periods
from waymark.outreach.models import SiteType

TAGS = ["maps"]


def _constant(value: str, description: str = "") -> Any:
    # A pattern, not a one-value enum: drf-spectacular would lift enums named "type"
    # out as components that collide with each other.
    @extend_schema_field(
        {"type": "string", "pattern": f"^{value}$", **({"description": description} if description else {})}
    )
    class Constant(serializers.CharField):
        pass

    return Constant


# --- the schema of the answers (documentation: the views return maps' GeoJSON as is) ---------

BoundsField = extend_schema_field(
    {
        "type": "array",
        "nullable": True,
        "description": "[[south, west], [north, east]] in degrees.",
        "items": {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2},
        "minItems": 2,
        "maxItems": 2,
    }
)(serializers.JSONField)


class MapPointGeometrySerializer(serializers.Serializer):
    type = _constant("Point")()
    coordinates = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text="[longitude, latitude] (WGS 84)."
    )


class MapPointPropertiesSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="`contact` or `alert`.")
    id = serializers.UUIDField(help_text="The contact's or alert's id.")
    when = serializers.CharField(help_text="When, UK time, for people to read.")
    place = serializers.CharField(help_text="The place as recorded (may be empty).")
    url = serializers.CharField(help_text="The contact's or alert's page.")
    seen_at = serializers.DateTimeField(required=False, help_text="Contacts: when they were met.")
    seen_doing = serializers.CharField(required=False, help_text="Contacts: what they were doing.")
    who = serializers.CharField(required=False, help_text="Contacts: the person's name, or the description.")
    person = serializers.UUIDField(required=False, allow_null=True, help_text="Contacts: the person's id, if known.")
    service_name = serializers.CharField(required=False, help_text="Contacts: the team that met them.")
    number = serializers.IntegerField(required=False, help_text="A person's map: 1 for the earliest point.")
    received_at = serializers.DateTimeField(required=False, help_text="Alerts: when it was received.")
    status = serializers.CharField(required=False, help_text="Alerts: new or assigned.")
    description = serializers.CharField(required=False, help_text="Alerts: the report, shortened.")


class MapPointFeatureSerializer(serializers.Serializer):
    type = _constant("Feature")()
    geometry = MapPointGeometrySerializer()
    properties = MapPointPropertiesSerializer()


class TeamMapMetaSerializer(serializers.Serializer):
    service = serializers.UUIDField(help_text="The team mapped.")
    service_name = serializers.CharField()
    days = serializers.IntegerField()
    contacts = serializers.IntegerField(help_text="Contacts on the map.")
    alerts = serializers.IntegerField(help_text="Open alerts on the map.")
    contacts_truncated = serializers.BooleanField(help_text=f"More than {maps.MAX_TEAM_CONTACTS}: the newest shown.")
    alerts_truncated = serializers.BooleanField(help_text=f"More than {maps.MAX_TEAM_ALERTS}: the oldest shown.")
    default_bounds = BoundsField(help_text="Where to look when there are no points: the area's districts, or null.")


class TeamMapSerializer(serializers.Serializer):
    """A team's recent contacts and the open alerts, as a GeoJSON FeatureCollection."""

    type = _constant("FeatureCollection")()
    features = MapPointFeatureSerializer(many=True)
    meta = TeamMapMetaSerializer()


class PersonMapMetaSerializer(serializers.Serializer):
    person = serializers.UUIDField()
    reference = serializers.CharField()
    points = serializers.IntegerField()
    unplaced = serializers.IntegerField(help_text="Of the contacts read, those with no pin (not on the map).")
    truncated = serializers.BooleanField(help_text=f"More than {maps.MAX_PERSON_CONTACTS} contacts: the newest.")
    default_bounds = BoundsField()


class PersonMapSerializer(serializers.Serializer):
    """Where a person was met, oldest first: points numbered in time order."""

    type = _constant("FeatureCollection")()
    features = MapPointFeatureSerializer(many=True)
    meta = PersonMapMetaSerializer()


class MapCellGeometrySerializer(serializers.Serializer):
    type = _constant("Polygon")()
    coordinates = serializers.ListField(
        child=serializers.ListField(child=serializers.ListField(child=serializers.FloatField())),
        help_text="One ring of [longitude, latitude] corners, closed.",
    )


class MapCellPropertiesSerializer(serializers.Serializer):
    kind = _constant("cell")()
    people = serializers.IntegerField(help_text="Distinct people seen rough sleeping in the cell.")
    unidentified = serializers.IntegerField(help_text="Contacts with someone not yet identified.")
    contacts = serializers.IntegerField(help_text="Rough-sleeping contacts in the cell.")
    district_name = serializers.CharField(help_text="The cell's district, if all its contacts share one.")
    shade = serializers.IntegerField(help_text=f"1 (fewest people) to {maps.SHADES} (most).")
    bounds = BoundsField()
    centre = serializers.ListField(
        child=serializers.FloatField(), min_length=2, max_length=2, help_text="[latitude, longitude] of the middle."
    )


class MapCellFeatureSerializer(serializers.Serializer):
    type = _constant("Feature")()
    geometry = MapCellGeometrySerializer()
    properties = MapCellPropertiesSerializer()


class MapShadeSerializer(serializers.Serializer):
    shade = serializers.IntegerField()
    to = serializers.IntegerField(help_text="The most people in a cell of this shade.")

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        # `from` is a Python keyword, so it is added here rather than declared.
        fields["from"] = serializers.IntegerField(help_text="The fewest people in a cell of this shade.")
        return fields


class HotspotMetaSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    period = serializers.CharField(help_text="The period, for people to read.")
    district = serializers.UUIDField(allow_null=True)
    site_type = serializers.CharField(allow_null=True)
    cell_size = serializers.FloatField(help_text="Degrees of latitude and of longitude per cell.")
    min_people = serializers.IntegerField(
        help_text=f"The fewest people a cell shown holds: {maps.ANALYST_MIN_PEOPLE} for analysts, else 1."
    )
    cells = serializers.IntegerField()
    truncated = serializers.BooleanField(help_text=f"More than {maps.MAX_CELLS} cells: the busiest.")
    unplaced = serializers.IntegerField(
        allow_null=True, help_text="Rough-sleeping contacts with no pin; null for analysts."
    )
    shades = MapShadeSerializer(many=True)
    default_bounds = BoundsField()


class HotspotMapSerializer(serializers.Serializer):
    """Grid cells of where people were seen rough sleeping: counts only, never points."""

    type = _constant("FeatureCollection")()
    features = MapCellFeatureSerializer(many=True)
    meta = HotspotMetaSerializer()


BAD_REQUEST = OpenApiResponse(ErrorSerializer, description="A parameter is not valid; `fields` says which and why.")


def _given(request: Request, name: str) -> str | None:
    """A query parameter, None when left out; given empty is an error (a client's mistake, not "all")."""
    if name not in request.query_params:
        return None
    value = request.query_params[name].strip()
    if not value:
        raise ValidationError({name: ["Give a value, or leave this parameter out."]})
    return value


# --- the views -------------------------------------------------------------------------------


class ContactsMapView(APIView):
    """A team's recent street contacts and the open alerts, as GeoJSON."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="A team's recent contacts and open alerts (GeoJSON)",
        description=(
            "Contacts of the team in the last `days` days, as the caller may see them (a contact follows its "
            "person's visibility; a hidden person is never on a map), and open alerts for callers who see "
            "alerts. Each point's `properties.kind` is `contact` or `alert`."
        ),
        parameters=[
            OpenApiParameter("days", {"type": "integer", "enum": list(maps.TEAM_DAYS)}, description="Default 7."),
            OpenApiParameter(
                "service",
                OpenApiTypes.UUID,
                description="The team; by default the service you act for. Area admins and coordinators: any.",
            ),
        ],
        responses={200: TeamMapSerializer, 400: BAD_REQUEST},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        days = maps.clean_days(_given(request, "days"))
        service = maps.choose_team(
            request.user, _given(request, "service"), getattr(request._request, "current_service", None)
        )
        return Response(maps.team_map(request.user, service, days).geojson())


class PersonMapView(APIView):
    """Where one person was met, oldest first."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Where a person was met, in time order (GeoJSON; audited)",
        description=(
            "For callers who see the person in full. A protected person you may only know exists, a hidden "
            "person and an unknown id are all 404."
        ),
        parameters=[OpenApiParameter("person_id", OpenApiTypes.UUID, OpenApiParameter.PATH)],
        responses=PersonMapSerializer,
        tags=TAGS,
    )
    def get(self, request: Request, person_id: UUID) -> Response:
        return Response(maps.person_map(request.user, person_id).geojson())


class HotspotsMapView(APIView):
    """Where people were seen rough sleeping, in grid cells."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Hotspots of rough sleeping in grid cells (GeoJSON)",
        description=(
            f"Rough-sleeping contacts of your area in the period, grouped in cells of {maps.CELL_SIZE}°, each "
            "counting distinct people and, apart, contacts with someone not yet identified. For outreach "
            f"teams, coordinators, analysts and area admins; analysts get only cells of "
            f"{maps.ANALYST_MIN_PEOPLE} people or more. Never points. Give `period`, or `start` and `end`."
        ),
        parameters=[
            OpenApiParameter(
                "period", OpenApiTypes.STR, description=f"{periods.PERIOD_EXAMPLES}. Default: this quarter."
            ),
            OpenApiParameter("start", OpenApiTypes.DATE, description="The first day (with `end`)."),
            OpenApiParameter("end", OpenApiTypes.DATE, description="The last day, included (with `start`)."),
            OpenApiParameter("district", OpenApiTypes.UUID, description="Only this district of your area."),
            OpenApiParameter(
                "site_type",
                {"type": "string", "pattern": "^(" + "|".join(SiteType.values) + ")$"},
                description="Only this kind of place: " + ", ".join(SiteType.values) + ".",
            ),
        ],
        responses={200: HotspotMapSerializer, 400: BAD_REQUEST},
        tags=TAGS,
    )
    def get(self, request: Request) -> Response:
        if not maps.may_see_hotspots(request.user):
            # Refused before the parameters are read, so the answer says nothing about the area's districts.
            raise PermissionDenied(maps.HOTSPOTS_REFUSED)
        filters = maps.hotspot_filters(
            request.user,
            period=_given(request, "period"),
            start=_given(request, "start"),
            end=_given(request, "end"),
            district=_given(request, "district"),
            site_type=_given(request, "site_type"),
        )
        return Response(maps.hotspots(request.user, filters).geojson())


urlpatterns = [
    path("maps/contacts/", ContactsMapView.as_view(), name="api-maps-contacts"),
    path("maps/people/<uuid:person_id>/", PersonMapView.as_view(), name="api-maps-person"),
    path("maps/hotspots/", HotspotsMapView.as_view(), name="api-maps-hotspots"),
]


def register(router: Any) -> None:
    """Add this part's viewsets to the API router (maps has plain views only)."""
