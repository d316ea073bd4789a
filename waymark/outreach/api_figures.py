"""REST API: rough-sleeping figures. `register(router)` adds viewsets; `urlpatterns` holds plain API views.

`GET /api/v1/figures/rough-sleeping/?period=2025-Q1&district=<id>`: the same
figures as the page, suppressed the same way (a hidden count has `count: null`
and `shown: "<5"`), computed by `outreach.figures`.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from waymark.core.api import ErrorSerializer
from waymark.outreach import figures as service
from waymark.outreach.figures import Cell, Figures
from waymark.outreach.periods import PERIOD_EXAMPLES, Period, last_whole_quarter, parse_period

QUERY_MAX = 100


class FiguresPeriodSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="`month`, `quarter`, `year` or `range`.")
    value = serializers.CharField(help_text="The period as the `period` parameter writes it, e.g. `2025-Q1`.")
    label = serializers.CharField(help_text="The period in words, e.g. `Q1 2025 (January to March)`.")  # type: ignore[assignment]  # a field named label
    start = serializers.DateField(help_text="The first day (Europe/London), included.")
    end = serializers.DateField(help_text="The last day (Europe/London), included.")
    days = serializers.IntegerField()


class FiguresCountSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable name of the measure or row.")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named label
    count = serializers.IntegerField(allow_null=True, help_text="The number of people; null when hidden.")
    shown = serializers.CharField(help_text='The count as shown: a number, or "<5" when hidden.')
    suppressed = serializers.BooleanField(help_text="True when the count is hidden (under 5, or to protect one).")


class FiguresBreakdownSerializer(serializers.Serializer):
    key = serializers.CharField(help_text="`age`, `gender`, `nationality`, `needs` or `district`.")
    title = serializers.CharField()
    note = serializers.CharField()
    additive = serializers.BooleanField(
        help_text="Each person is in exactly one row: the rows add up to the people seen."
    )
    rows = FiguresCountSerializer(many=True)


class FiguresDistrictSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()


class LivingRuleSerializer(serializers.Serializer):
    min_days = serializers.IntegerField(help_text="Days seen rough sleeping in the period, at least.")
    min_span_days = serializers.IntegerField(help_text="Days from the first to the last of them, at least.")


class FiguresDefinitionSerializer(serializers.Serializer):
    term = serializers.CharField()
    text = serializers.CharField()


class RoughSleepingFiguresSerializer(serializers.Serializer):
    """CHAIN's measures for a period and place, every count under 5 hidden."""

    period = FiguresPeriodSerializer()
    previous_period = FiguresPeriodSerializer()
    district = FiguresDistrictSerializer(allow_null=True, help_text="The district, or null for the whole area.")
    suppression_threshold = serializers.IntegerField(help_text="Counts under this are hidden.")
    living_on_the_streets_rule = LivingRuleSerializer()
    measures = FiguresCountSerializer(many=True)
    breakdowns = FiguresBreakdownSerializer(many=True)
    definitions = FiguresDefinitionSerializer(many=True)


def _period(period: Period) -> dict[str, Any]:
    return {
        "kind": period.kind,
        "value": period.value,
        "label": period.label,
        "start": period.start,
        "end": period.end,
        "days": period.days,
    }


def _count(cell: Cell) -> dict[str, Any]:
    return {
        "key": cell.key,
        "label": cell.label,
        "count": None if cell.suppressed else cell.count,
        "shown": cell.shown,
        "suppressed": cell.suppressed,
    }


def figures_data(figures: Figures) -> dict[str, Any]:
    """The figures as the API gives them: never a hidden count."""
    return {
        "period": _period(figures.period),
        "previous_period": _period(figures.previous),
        "district": {"id": figures.district.public_id, "name": figures.district.name} if figures.district else None,
        "suppression_threshold": service.THRESHOLD,
        "living_on_the_streets_rule": {
            "min_days": figures.rule.min_days,
            "min_span_days": figures.rule.min_span_days,
        },
        "measures": [_count(cell) for cell in figures.measures],
        "breakdowns": [
            {
                "key": b.key,
                "title": b.title,
                "note": b.note,
                "additive": b.additive,
                "rows": [_count(cell) for cell in b.rows],
            }
            for b in figures.breakdowns
        ],
        "definitions": [{"term": term, "text": text} for term, text in service.definitions(figures.rule)],
    }


class RoughSleepingFiguresView(APIView):
    """CHAIN's rough-sleeping figures for the caller's area or one of its districts."""

    permission_classes = [permissions.IsAuthenticated]

    @extend_schema(
        summary="Rough-sleeping figures: people seen, flow, stock, returners and breakdowns",
        description=(
            "For area admins, coordinators, analysts and members of outreach services, for their own area. "
            'Counts under 5 are hidden for everyone (`count` null, `shown` "<5"), and so is the next '
            "smallest where a total would give a hidden count away. The definitions come with the figures."
        ),
        parameters=[
            OpenApiParameter(
                "period",
                OpenApiTypes.STR,
                description=f"{PERIOD_EXAMPLES}. Default: the last whole calendar quarter.",
                required=False,
            ),
            OpenApiParameter(
                "district",
                OpenApiTypes.UUID,
                description="A district of your area (its id); leave out for the whole area.",
                required=False,
            ),
        ],
        responses={
            200: RoughSleepingFiguresSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="The period or district cannot be read; `fields` says why."
            ),
        },
        tags=["figures"],
    )
    def get(self, request: Request) -> Response:
        service.check_access(request.user)
        errors: dict[str, list[str]] = {}
        period = last_whole_quarter()
        try:
            period = parse_period(str(request.query_params.get("period", ""))[:QUERY_MAX], default=period)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        district = None
        districts = service.districts_for(request.user)
        if "district" in request.query_params:
            value = str(request.query_params["district"])[:QUERY_MAX]
            if not value:
                # An API that guesses hides a client's bug: the whole area is asked for by leaving it out.
                errors["district"] = ["Give a district's id, or leave district out for the whole area."]
            else:
                try:
                    district = service.find_district(districts, value)
                except ValidationError as exc:
                    errors["district"] = exc.messages
        if errors:
            raise ValidationError(errors)
        figures = service.rough_sleeping_figures(request.user, period, district, districts)
        return Response(RoughSleepingFiguresSerializer(figures_data(figures)).data)


urlpatterns = [
    path("figures/rough-sleeping/", RoughSleepingFiguresView.as_view(), name="api-figures-rough-sleeping"),
]


def register(router: Any) -> None:
    """Add this part's viewsets to the API router (the figures are a plain view in urlpatterns)."""
