"""Map pages: the team map, a person's locations and the hotspot map.

Thin views over `outreach.maps` (which the API uses too). Each page draws its
map from data embedded with `json_script` and lists the same items in a table,
so the page reads without JavaScript and the map is an enhancement.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlencode
from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from waymark.outreach import maps
from waymark.outreach.models import SiteType

ROWS_PER_PAGE = 100
CELLS_PER_PAGE = 50

DAY_CHOICES = [("1", "Last 24 hours"), ("7", "Last 7 days"), ("28", "Last 28 days")]


def _tiles() -> dict[str, str]:
    return {"tile_url": settings.MAP_TILE_URL, "tile_attribution": settings.MAP_TILE_ATTRIBUTION}


def _show_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError next to the field it names, else at the top."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _kept_query(request: HttpRequest, names: list[str]) -> str:
    """The filters to keep on the pagination links, ending in "&" (as includes/pagination.html expects)."""
    kept = {name: request.GET[name] for name in names if request.GET.get(name)}
    return urlencode(kept) + "&" if kept else ""


# --- the team map ---------------------------------------------------------------------------


class TeamMapForm(forms.Form):
    days = forms.ChoiceField(
        label="Show contacts from",
        choices=DAY_CHOICES,
        required=False,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose the last 24 hours, 7 days or 28 days."},
    )
    service = forms.ChoiceField(
        label="Team", required=False, error_messages={"invalid_choice": "Choose one of the teams in the list."}
    )

    def __init__(self, *args: Any, services: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["service"]).choices = [(str(s.public_id), s.name) for s in services]


@login_required
def team_map(request: HttpRequest) -> HttpResponse:
    """A team's recent contacts and the open alerts, on a map and in a table."""
    acting = getattr(request, "current_service", None)
    # Refuses analysts and anyone with no team before anything is read.
    default_service = maps.choose_team(request.user, None, acting)
    services = list(maps.mappable_services(request.user).order_by("name", "pk"))
    data = request.GET.copy()
    data.setdefault("days", str(maps.DEFAULT_TEAM_DAYS))
    data.setdefault("service", str(default_service.public_id))
    form = TeamMapForm(data, services=services)
    days, service = maps.DEFAULT_TEAM_DAYS, default_service
    if form.is_valid():
        days = maps.clean_days(form.cleaned_data["days"])
        service = maps.choose_team(request.user, form.cleaned_data["service"] or None, acting)
    else:
        if "days" not in form.errors:
            days = maps.clean_days(form.cleaned_data.get("days"))
        if "service" not in form.errors and form.cleaned_data.get("service"):
            service = maps.choose_team(request.user, form.cleaned_data["service"], acting)
    result = maps.team_map(request.user, service, days)
    geojson = result.geojson()
    # The table lists what the map draws, from the same features.
    contacts = [f for f in geojson["features"] if f["properties"]["kind"] == "contact"]
    alerts = [f for f in geojson["features"] if f["properties"]["kind"] == "alert"]
    page = Paginator(contacts, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/map_team.html",
        {
            "form": form,
            "result": result,
            "geojson": geojson,
            "alerts": alerts,
            "page": page,
            "days_label": dict(DAY_CHOICES)[str(days)].lower(),
            "extra_query": urlencode({"days": days, "service": service.public_id}) + "&",
            "show_service_choice": len(services) > 1,
            **_tiles(),
        },
    )


# --- a person's locations -------------------------------------------------------------------


@login_required
def person_map(request: HttpRequest, person_id: UUID) -> HttpResponse:
    """Where one person was met, in time order: numbered points, a line and a table (audited)."""
    result = maps.person_map(request.user, person_id)
    geojson = result.geojson()
    page = Paginator(geojson["features"], ROWS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "outreach/map_person.html",
        {
            "result": result,
            "person": result.person,
            "geojson": geojson,
            "page": page,
            "extra_query": "",
            **_tiles(),
        },
    )


# --- hotspots -------------------------------------------------------------------------------


class HotspotForm(forms.Form):
    period = forms.CharField(
        label="Period",
        required=False,
        max_length=20,
        help_text="A month (2025-06), a quarter (2025-Q2) or a year (2025). Leave empty for this quarter.",
    )
    start = forms.CharField(
        label="Or from", required=False, max_length=10, help_text="The first day, for example 2025-01-01."
    )
    end = forms.CharField(label="To", required=False, max_length=10, help_text="The last day, for example 2025-03-31.")
    district = forms.ChoiceField(label="District", required=False)
    site_type = forms.ChoiceField(
        label="Kind of place", required=False, choices=[("", "All kinds of place"), *SiteType.choices]
    )

    def __init__(self, *args: Any, districts: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["district"]).choices = [("", "All districts")] + [
            (str(d.public_id), d.name) for d in districts
        ]
        for name in ("district", "site_type"):
            self.fields[name].error_messages["invalid_choice"] = "Choose from the list."


FILTER_NAMES = ["period", "start", "end", "district", "site_type"]


@login_required
def hotspots(request: HttpRequest) -> HttpResponse:
    """Where people were seen rough sleeping, in grid cells shaded by number of people, and a table."""
    if not maps.may_see_hotspots(request.user):
        raise PermissionDenied(maps.HOTSPOTS_REFUSED)
    filtering = any(request.GET.get(name) for name in FILTER_NAMES)
    form = HotspotForm(request.GET if filtering else None, districts=list(maps.hotspot_districts(request.user)))
    result = None
    if not filtering:
        result = maps.hotspots(request.user, maps.hotspot_filters(request.user))
    elif form.is_valid():
        try:
            filters = maps.hotspot_filters(request.user, **{name: form.cleaned_data[name] for name in FILTER_NAMES})
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            result = maps.hotspots(request.user, filters)
    geojson = result.geojson() if result else None
    page = Paginator(geojson["features"], CELLS_PER_PAGE).get_page(request.GET.get("page")) if geojson else None
    return render(
        request,
        "outreach/map_hotspots.html",
        {
            "form": form,
            "result": result,
            "geojson": geojson,
            "page": page,
            "extra_query": _kept_query(request, FILTER_NAMES),
            "filtering": filtering,
            "cell_size": maps.CELL_SIZE,
            "analyst_min": maps.ANALYST_MIN_PEOPLE,
            **_tiles(),
        },
    )
